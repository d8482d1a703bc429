"""The words of the 通报: title, 发文字号, the four parts and the annex list, as plain blocks.

Built from the results and the ``[document]``/``[lights]`` settings alone (no clock, no files), so
the writer only lays the blocks out and the tests can read the same text the document prints.
A block is ``(kind, text)``: kind is one of the ``K_*`` names below.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from reporting.core.results import Results, UnitResult
from reporting.core.textnorm import display_width
from reporting.render.narrative import (
    display_name,
    display_unit,
    fmt_date,
    fmt_number,
    fmt_rate,
    leading_trailing,
    listed_names,
    tx,
)
from reporting.score.lights import gap_points, honours, light_counts, unit_lights
from reporting.workspace.config_document import DocumentSettings, LightSettings

K_H1, K_H2, K_H3, K_BODY = "h1", "h2", "h3", "body"
_ZH_DIGITS = "零一二三四五六七八九十"


def zh_number(n: int) -> str:
    """一 … 九十九, for 一、 and （一）."""
    if n <= 10:
        return _ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")


def span_text(results: Results, lang: str) -> str:
    """``1-12月`` (``1月`` in January): the months the year-to-date figures cover."""
    month = results.month or 1
    name = calendar.month_name[month]
    return tx("gw.span_one" if month == 1 else "gw.span", lang, month=month, month_name=name)


def document_title(results: Results, settings: DocumentSettings, district: str, lang: str) -> str:
    pattern = settings.title_en if lang == "en" else settings.title
    return pattern.format(year=results.year, month=results.month, span=span_text(results, lang), district=district)


def document_number(results: Results, settings: DocumentSettings) -> str:
    n = settings.serial if settings.serial is not None else results.month
    return settings.number.format(year=results.year, month=results.month, n=n)


def sign_date(results: Results, settings: DocumentSettings) -> str:
    """The 成文日期 (ISO) by the ``sign_date`` rule: a fixed date, the deadline, the last receipt or as_of."""
    rule = settings.sign_date
    if rule == "deadline":
        return results.deadline or results.as_of
    if rule == "received":
        return results.made_on
    if rule == "as_of":
        return results.as_of
    return rule


def doc_date(iso: str, lang: str) -> str:
    """``2023年1月5日``: no leading zeros (GB/T 9704 §7.3.5.3); ``5 January 2023`` in English."""
    if lang == "en" and iso:
        try:
            y, m, d = (int(p) for p in iso[:10].split("-"))
            return f"{d} {calendar.month_name[m]} {y}"
        except (ValueError, IndexError):
            return iso
    return fmt_date(iso, lang)


@dataclass
class Content:
    mark: str
    number: str
    title: str
    recipients: str
    opening: str
    parts: list[tuple[str, str]]
    annexes: list[str]
    signature: str
    date: str
    cc: str
    printer: str


def build_content(results: Results, doc: DocumentSettings, lights: LightSettings, lang: str) -> Content:
    district = results.district
    issuer = display_name_of_issuer(results, lang)
    span = span_text(results, lang)
    title = document_title(results, doc, district.name_en if lang == "en" and district.name_en else district.name,
                           lang)
    parts: list[tuple[str, str]] = []
    h1 = 0

    def head1(key: str) -> None:
        nonlocal h1
        h1 += 1
        number = tx("gw.num1", lang, n=zh_number(h1) if lang == "zh" else h1)
        parts.append((K_H1, number + tx(key, lang)))

    sections = set(doc.sections)
    if "overall" in sections:
        head1("gw.h.overall")
        parts.extend((K_BODY, p) for p in overall(results, lang))
    if "groups" in sections:
        head1("gw.h.groups")
        parts.extend(group_parts(results, lights, lang))
    if "problems" in sections:
        head1("gw.h.problems")
        parts.extend(problem_parts(results, lights, lang))
    requirements = doc.requirements_en if lang == "en" and doc.requirements_en else doc.requirements
    if "requirements" in sections and requirements:
        head1("gw.h.requirements")
        parts.extend((K_BODY, p) for p in requirements)
    annexes: list[str] = []
    if "annex" in sections:
        annexes = [tx("gw.annex.district", lang, year=results.year, span=span),
                   tx("gw.annex.ranking", lang, year=results.year, span=span)]
        if lights.enabled:
            annexes.append(tx("gw.annex.lights", lang, year=results.year, span=span))
    return Content(
        mark=doc.mark or tx("gw.mark", lang, issuer=issuer),
        number=document_number(results, doc),
        title=title,
        recipients=doc.recipients + tx("gw.to_end", lang) if doc.recipients else "",
        opening=tx("gw.opening", lang, year=results.year, span=span, issuer=issuer),
        parts=parts,
        annexes=annexes,
        signature=doc.signature or issuer,
        date=doc_date(sign_date(results, doc), lang),
        cc=tx("gw.record.cc", lang, cc=doc.cc) if doc.cc else "",
        printer=doc.printer or issuer,
    )


def display_name_of_issuer(results: Results, lang: str) -> str:
    d = results.district
    if lang == "en" and d.issuer_en:
        return d.issuer_en
    return d.issuer or d.name


# --------------------------------------------------------------------------- 一、总体情况


def _comma(lang: str) -> str:
    return "，" if lang == "zh" else ", "


def _yoy(yoy: float | None, lang: str) -> str:
    if yoy is None:
        return ""
    if round(yoy, 3) == 0:
        return tx("gw.yoy_flat", lang)
    return tx("gw.yoy_up" if yoy > 0 else "gw.yoy_down", lang, yoy=fmt_rate(abs(yoy)))


def overall(results: Results, lang: str) -> list[str]:
    inds = results.district.indicators
    date = doc_date(results.as_of, lang)
    schedule = fmt_rate(results.schedule).replace(".0%", "%")
    scored = [i for i in inds if (i.weight or 0) > 0 and i.status not in ("", "no_target")]
    if scored:
        first = tx("gw.overall", lang, date=date, n=len(inds), scored=len(scored), schedule=schedule)
        counts = [(key, sum(1 for i in scored if i.status == status))
                  for key, status in (("gw.overall_completed", "completed"), ("gw.overall_on_schedule", "on_schedule"),
                                      ("gw.overall_behind", "behind"))]
        clauses = [tx(key, lang, n=n) for key, n in counts if n]
        if clauses:
            first += tx("gw.overall_parts", lang, items=_comma(lang).join(clauses))
    else:
        first = tx("gw.overall_none", lang, date=date, n=len(inds), schedule=schedule)
    items = []
    for i in inds:
        d = int(i.decimals or 0)
        unit = display_unit(i, lang)
        if i.target is not None and i.rate is not None:
            item = tx("gw.ind_item", lang, name=display_name(i, lang), actual=fmt_number(i.actual, d), unit=unit,
                      target=fmt_number(i.target, d), rate=fmt_rate(i.rate))
        else:
            item = tx("gw.ind_item_no_target", lang, name=display_name(i, lang), actual=fmt_number(i.actual, d),
                      unit=unit)
        items.append(item + _yoy(i.yoy, lang))
    paras = [first]
    if items:
        paras.append(tx("gw.indicators", lang, items=tx("sep.items", lang).join(items)))
    return paras


# --------------------------------------------------------------------------- 二、各板块完成情况


def _score_item(u: UnitResult, lang: str) -> str:
    score = f"{u.score:.2f}" if u.score is not None else "—"
    key = "gw.unit_score_tied" if u.rank_tied else "gw.unit_score"
    return tx(key, lang, name=display_name(u, lang), score=score, rank=u.rank)


def _count(n: int, lang: str) -> str:
    """How many units a sentence names: 两 rather than 二 before a measure word."""
    if lang != "zh" or n > 99:
        return str(n)
    return "两" if n == 2 else zh_number(n)


def group_parts(results: Results, lights: LightSettings, lang: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    sep = tx("sep", lang)
    h2 = 0
    for g in results.groups:
        members = [u for u in results.units if u.group == g.code]
        if not members:
            continue
        h2 += 1
        gname = display_name(g, lang)
        out.append((K_H2, tx("gw.num2", lang, n=zh_number(h2) if lang == "zh" else h2) + gname))
        ranked = sorted((u for u in members if u.rank is not None), key=lambda u: u.rank or 0)
        if not ranked:
            out.append((K_BODY, tx("gw.group_none", lang, group=gname)))
            continue
        top, bottom = leading_trailing(ranked)
        scores = [u.score for u in ranked if u.score is not None]
        average = f"{sum(scores) / len(scores):.2f}" if scores else "—"
        text = tx("gw.group_lead", lang, group=gname, n=len(ranked), average=average,
                  nt=_count(len(top), lang), top=sep.join(_score_item(u, lang) for u in top))
        if bottom:
            text += tx("gw.group_tail", lang, nb=_count(len(bottom), lang),
                       bottom=sep.join(_score_item(u, lang) for u in bottom))
        said = [text + tx("gw.group_end", lang)]
        all_ok = [u for u in ranked if u.scored and u.on_schedule == u.scored]
        if all_ok:
            said.append(tx("gw.group_all_ok", lang, units=listed_names(all_ok, lang)))
        missing = [u for u in members if u.status == "missing"]
        if missing:
            said.append(tx("gw.group_missing", lang, units=listed_names(missing, lang)))
        out.append((K_BODY, sentences(said, lang)))
    if lights.honours:
        lists = honour_paragraphs(results, lights, lang)
        if lists:
            h2 += 1
            out.append((K_H2, tx("gw.num2", lang, n=zh_number(h2) if lang == "zh" else h2) + tx("gw.h.honours", lang)))
            out.extend((K_BODY, p) for p in lists)
    return out


def honour_paragraphs(results: Results, lights: LightSettings, lang: str) -> list[str]:
    """红榜 and 黑榜 sentences with their reasons (``在11项指标中有5项排名第一``), group by group."""
    groups = {g.code: display_name(g, lang) for g in results.groups}
    units = results.unit_by_code
    entries = honours(results, lights)
    out = []
    for board, key in (("top", "gw.honours_top"), ("bottom", "gw.honours_bottom")):
        first, many, each = (("gw.honour_first", "gw.honour_firsts", "gw.honour_firsts_each") if board == "top"
                             else ("gw.honour_last", "gw.honour_lasts", "gw.honour_lasts_each"))
        per_group = []
        for g in results.groups:
            mine = [h for h in entries if h.board == board and h.group == g.code]
            if not mine:
                continue
            phrases = []
            for h in mine:
                if h.composite:
                    name = display_name(units.get(h.unit), lang, h.unit)
                    phrase = tx(first, lang, name=name, score=f"{h.score:.2f}" if h.score is not None else "—")
                    if h.count:
                        phrase += _comma(lang) + tx(many, lang, name="", of=h.of, count=h.count).strip()
                    phrases.append(phrase)
            rest = [h for h in mine if not h.composite and h.count]
            for count in sorted({h.count for h in rest}, reverse=True):
                same = [h for h in rest if h.count == count]
                names = tx("sep", lang).join(display_name(units.get(h.unit), lang, h.unit) for h in same)
                phrases.append(tx(each if len(same) > 1 else many, lang, name=names, of=same[0].of, count=count))
            per_group.append(tx("gw.honour_group", lang, group=groups.get(g.code, g.code),
                                items=_comma(lang).join(phrases)))
        if per_group:
            out.append(tx(key, lang, items=tx("sep.items", lang).join(per_group)))
    return out


# --------------------------------------------------------------------------- 三、存在的问题


def problem_parts(results: Results, lights: LightSettings, lang: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    n = 0

    def head(key: str) -> None:
        nonlocal n
        n += 1
        out.append((K_H3, tx("gw.num3", lang, n=n) + tx(key, lang)))

    inds = results.district.indicators
    behind = [i for i in inds if i.status == "behind" and i.rate is not None and i.schedule is not None]
    reds = _red_units(results, lights, lang) if lights.enabled else ""
    if behind or reds:
        head("gw.p.behind")
        if behind:
            items = [tx("gw.p.behind_item", lang, name=display_name(i, lang), rate=fmt_rate(i.rate),
                        gap=f"{abs(gap_points(i.rate, i.schedule)):.1f}")  # type: ignore[arg-type]
                     for i in behind]
            text = tx("gw.p.behind_text", lang, items=tx("sep.items", lang).join(items))
        else:
            text = tx("gw.p.behind_none", lang)
        out.append((K_BODY, sentences([text, reds], lang)))
    missing = [u for u in results.units if u.status == "missing"]
    late_codes = set(results.late_units)
    late = [u for u in results.units if u.code in late_codes and u.status != "missing"]
    if missing or late:
        head("gw.p.returns")
        said = []
        if missing:
            said.append(tx("gw.p.missing", lang, units=listed_names(missing, lang), n=len(missing)))
        if late and len(late) == len(results.units):
            said.append(tx("gw.p.late_all", lang, n=len(late), deadline=doc_date(results.deadline, lang)))
        elif late:
            said.append(tx("gw.p.late", lang, units=listed_names(late, lang), n=len(late),
                           deadline=doc_date(results.deadline, lang)))
        out.append((K_BODY, sentences(said, lang)))
    data = _data_problems(results, lang)
    if data:
        head("gw.p.data")
        out.append((K_BODY, data))
    if not out:
        out.append((K_BODY, tx("gw.p.none", lang)))
    return out


def _red_units(results: Results, lights: LightSettings, lang: str, limit: int = 3) -> str:
    """The units with the most red lights (ties with the last named included), as a sentence."""
    counts = [(light_counts(row)["red"], k, code) for k, (code, row) in enumerate(unit_lights(results, lights).items())]
    counts = [c for c in counts if c[0] > 0]
    if not counts:
        return ""
    counts.sort(key=lambda c: (-c[0], c[1]))
    cut = counts[min(limit, len(counts)) - 1][0]
    units = results.unit_by_code
    chosen = [c for c in counts if c[0] >= cut][: limit * 2]
    items = tx("sep", lang).join(tx("gw.p.red_item", lang, name=display_name(units.get(code), lang, code), n=n)
                                 for n, _, code in chosen)
    return tx("gw.p.red_units", lang, items=items)


def _data_problems(results: Results, lang: str, limit: int = 10) -> str:
    units = results.unit_by_code
    inds = {i.code: i for i in results.district.indicators}
    said: list[str] = []
    pending = [v for v in results.values if v.status == "pending"]
    if pending:
        items = tx("sep", lang).join(
            tx("gw.p.pending_item", lang, unit=display_name(units.get(v.unit), lang, v.unit),
               indicator=display_name(inds.get(v.indicator), lang, v.indicator)) for v in pending[:limit])
        said.append(tx("gw.p.pending", lang, items=items, n=len(pending)))
    with_errors = [u for u in results.units if u.status == "errors"]
    if with_errors:
        said.append(tx("gw.p.errors", lang, units=listed_names(with_errors, lang)))
    errors = sum(1 for i in results.issues if i.severity == "error")
    warnings = sum(1 for i in results.issues if i.severity == "warning")
    if errors + warnings:
        kinds = [tx(k, lang, n=n) for k, n in (("gw.p.issues_errors", errors), ("gw.p.issues_warnings", warnings)) if n]
        said.append(tx("gw.p.issues", lang, n=errors + warnings, kinds=tx("sep", lang).join(kinds)))
    return sentences(said, lang)


def sentences(parts: list[str], lang: str) -> str:
    """Sentences run together: directly in Chinese, with a space in English."""
    return ("" if lang == "zh" else " ").join(p for p in parts if p)


def text_chars(text: str) -> float:
    """Width of ``text`` in 3号 characters (a digit or Latin letter is half a character)."""
    return display_width(text) / 2


def as_lines(content: Content) -> list[str]:
    """The whole text, one line per block: for the e-mail helper and for tests."""
    out = [content.mark, content.number, content.title, content.recipients, content.opening]
    out += [text for _, text in content.parts]
    out += content.annexes + [content.signature, content.date]
    return [x for x in out if x]

