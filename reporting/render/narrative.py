"""The bulletin's words: the narrative paragraphs and a plain-text district table.

Both are built from the results dict alone (docs/results.md), so the
bulletin workbook and the email bodies say the same thing in the same
words. Its strings (zh and en) are in ``reporting.core.messages``, the one
catalogue of user strings; ``reporting.render.bulletin.workbook`` reuses the status and
column labels.
"""

from __future__ import annotations

from typing import Any

from reporting.core.messages import NARRATIVE_TEXT
from reporting.core.results import DistrictIndicator, GroupResult, Results, UnitResult, as_results
from reporting.core.textnorm import display_width

DASH = "—"

TEXT = NARRATIVE_TEXT  # the catalogue lives in reporting.core.messages

_PENDING_LISTED = 10  # beyond this the pending list ends with 等 (and others)
_NAMES_LISTED = 20  # units named in a sentence (missing, with errors); beyond this the list ends with 等


def tx(key: str, lang: str = "zh", /, **kw: object) -> str:
    """The text ``key`` in ``lang`` (falling back to Chinese), formatted with ``kw``."""
    entry = TEXT[key]
    return entry.get(lang, entry["zh"]).format(**kw)


def display_name(item: UnitResult | DistrictIndicator | GroupResult | Any | None, lang: str, fallback: str = "") -> str:
    """``name_en`` in English when it is non-empty, else ``name`` (then the code)."""
    if not item:
        return fallback
    if lang == "en" and item.name_en:
        return str(item.name_en)
    return str(item.name or item.code or fallback)


def display_unit(ind: DistrictIndicator, lang: str) -> str:
    """The indicator's unit of measure in ``lang``."""
    if lang == "en" and ind.unit_en:
        return str(ind.unit_en)
    return str(ind.unit or "")


def status_label(status: str | None, lang: str) -> str:
    """A status code as the meeting reads it; unknown codes are shown as they are."""
    key = f"status.{status}"
    return tx(key, lang) if key in TEXT else (status or DASH)


def fmt_number(value: float | None, decimals: int = 0) -> str:
    """``1,234`` or ``1,234.50`` (the indicator's decimals); a dash when absent."""
    if value is None:
        return DASH
    return f"{value:,.{max(0, int(decimals))}f}"


def fmt_rate(value: float | None) -> str:
    """A fraction as a percentage with one decimal (0.9167 -> 91.7%)."""
    if value is None:
        return DASH
    from decimal import ROUND_HALF_UP, Decimal

    # half-up, as the spreadsheet shows the same stored value in its 0.0% cells
    return f"{(Decimal(repr(value)) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def fmt_gap(value: float | None) -> str:
    """A rate-minus-schedule fraction in 百分点, signed (+1.8 / -17.5)."""
    return DASH if value is None else f"{value * 100:+.1f}"


def fmt_date(iso: str | None, lang: str) -> str:
    """``2022-11-30`` as ``2022年11月30日`` in Chinese; ISO in English."""
    if not iso:
        return DASH
    if lang == "en":
        return iso
    try:
        y, m, d = (int(p) for p in iso[:10].split("-"))
    except ValueError:
        return iso
    return f"{y}年{m}月{d}日"


def listed_names(units: list[dict[str, Any]], lang: str, limit: int = _NAMES_LISTED) -> str:
    """The units' names joined for a sentence; past ``limit`` the first ``limit`` and 等 (and others).

    A sentence of a city's or a province's hundreds of names is read by nobody: the 报送情况 and
    数据问题 sheets list every unit.
    """
    listed = tx("sep", lang).join(display_name(u, lang) for u in units[:limit])
    return tx("n.pending_more", lang, items=listed) if len(units) > limit else listed


def _ranked_units(results: Results, group: str) -> list[dict[str, Any]]:
    """The group's ranked units by rank, ties in the order of ``units``."""
    units = [(u.rank, k, u) for k, u in enumerate(results.units)
             if u.group == group and u.rank is not None]
    return [u for _, _, u in sorted(units, key=lambda t: (t[0], t[1]))]


def _rank_item(u: UnitResult, lang: str) -> str:
    """A unit's name, marked when tied (scores are on the 综合排名 sheet, not in the text)."""
    key = "n.rank_item_tied" if u.rank_tied else "n.rank_item"
    return tx(key, lang, name=display_name(u, lang), rank=u.rank)


_ZH_COUNT = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}
_EN_COUNT = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def _count_word(n: int, lang: str) -> str:
    """``两`` / ``two``: how many units a sentence names."""
    return (_ZH_COUNT if lang == "zh" else _EN_COUNT).get(n, str(n))


def leading_trailing(units: list[dict[str, Any]], n: int = 3) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The leading and trailing ``n`` of ranked units, never overlapping.

    Ties widen both ends (units tied with the n-th are in), as a meeting
    would not name one of two equal units and drop the other.
    """
    if not units:
        return [], []
    top = [u for u in units if u.rank <= n] or units[:n]
    in_top = {id(u) for u in top}
    rest = [u for u in units if id(u) not in in_top]
    if not rest:
        return top, []
    cut = rest[-n:] if len(rest) >= n else rest
    first_rank = cut[0].rank
    bottom = [u for u in rest if u.rank >= first_rank]
    return top, bottom


def narrative(results: Results | dict[str, Any], lang: str = "zh") -> list[str]:
    """Paragraphs in the usual order of a 通报: overall, behind, rankings, missing, to verify.

    Plain sentences without numbering, so emails can quote them as they are.
    """
    results = as_results(results)
    sep = tx("sep", lang)
    district = results.district
    indicators = district.indicators
    date = fmt_date(results.as_of, lang)
    schedule = fmt_rate(results.schedule)
    paras: list[str] = []

    scored = [i for i in indicators if (i.weight or 0) > 0 and i.status not in (None, "no_target")]
    if scored:
        completed = sum(1 for i in scored if i.status == "completed")
        ok = sum(1 for i in scored if i.status in ("completed", "on_schedule"))
        behind_n = sum(1 for i in scored if i.status == "behind")
        paras.append(tx("n.overall" if completed else "n.overall_no_completed", lang, date=date, schedule=schedule, n=len(indicators), scored=len(scored),
                        ok=ok, completed=completed, behind=behind_n))
    else:
        paras.append(tx("n.overall_none", lang, date=date, schedule=schedule, n=len(indicators)))

    behind = [i for i in indicators if i.status == "behind"]
    if behind:
        items = []
        for i in behind:
            key = "n.behind_item" if (i.weight or 0) > 0 else "n.behind_item_unscored"
            gap = abs(i.gap) * 100 if i.gap is not None else 0.0
            items.append(tx(key, lang, name=display_name(i, lang), rate=fmt_rate(i.rate), gap=f"{gap:.1f}"))
        paras.append(tx("n.behind", lang, items=tx("sep.items", lang).join(items)))
    elif scored:
        paras.append(tx("n.behind_none", lang))
    yoy = _yoy_sentence(indicators, lang)
    if yoy:
        paras.append(yoy)

    for g in results.groups:
        ranked = _ranked_units(results, g.code)
        gname = display_name(g, lang)
        if not ranked:
            paras.append(tx("n.group_none", lang, group=gname))
            continue
        top, bottom = leading_trailing(ranked)
        top_s = sep.join(_rank_item(u, lang) for u in top)
        if bottom:
            bottom_s = sep.join(_rank_item(u, lang) for u in bottom)
            if len(top) == 3 and len(bottom) == 3:
                paras.append(tx("n.group", lang, group=gname, top=top_s, bottom=bottom_s))
            else:  # ties or a small group: say how many are named at each end
                paras.append(tx("n.group_n", lang, group=gname, top=top_s, bottom=bottom_s,
                                nt=_count_word(len(top), lang), nb=_count_word(len(bottom), lang)))
        else:
            paras.append(tx("n.group_short", lang, group=gname, top=top_s))

    units = {u.code: u for u in results.units}
    missing = [u for u in results.units if u.status == "missing"]
    if missing:
        paras.append(tx("n.missing", lang, units=listed_names(missing, lang), n=len(missing)))
    else:
        paras.append(tx("n.missing_none", lang))
    late = _late_sentence(results, lang)
    if late:
        paras.append(late)

    inds = {i.code: i for i in indicators}
    pending = [v for v in results.values if v.status == "pending"]
    if pending:
        items = [tx("n.pending_item", lang, unit=display_name(units.get(v.unit), lang, str(v.unit)),
                    indicator=display_name(inds.get(v.indicator), lang, str(v.indicator)))
                 for v in pending[:_PENDING_LISTED]]
        listed = sep.join(items)
        if len(pending) > _PENDING_LISTED:
            listed = tx("n.pending_more", lang, items=listed)
        paras.append(tx("n.pending", lang, n=len(pending), items=listed))
    provisional = [u for u in results.units if not u.score_complete and u.score is not None]
    if provisional:
        paras.append(tx("n.provisional", lang, units=listed_names(provisional, lang)))
    with_errors = [u for u in results.units if u.status == "errors"]
    if with_errors:
        paras.append(tx("n.errors", lang, units=listed_names(with_errors, lang)))
    return paras


YOY_LISTED = 4  # indicators named in the 同比 sentence: the weightiest, as the meeting reads them


def _yoy_sentence(indicators: tuple[DistrictIndicator, ...], lang: str) -> str:
    """"与上年同期相比，高新技术企业申报数累计611家，同比增长12.3%；…" for the weightiest indicators."""
    order = {i.code: k for k, i in enumerate(indicators)}
    known = [i for i in indicators if i.yoy is not None and i.actual is not None and (i.weight or 0) > 0]
    known.sort(key=lambda i: (-(i.weight or 0), order[i.code]))
    items = []
    for i in sorted(known[:YOY_LISTED], key=lambda i: order[i.code]):
        key = "n.yoy_up" if i.yoy > 0 else "n.yoy_down" if i.yoy < 0 else "n.yoy_flat"
        items.append(tx(key, lang, name=display_name(i, lang), value=fmt_number(i.actual, int(i.decimals or 0)),
                        unit=display_unit(i, lang), yoy=fmt_rate(abs(i.yoy))))
    return tx("n.yoy", lang, items=tx("sep.items", lang).join(items)) if items else ""


def _late_sentence(results: Results, lang: str) -> str:
    """The units whose file came after the deadline (报送及时性), named; nothing without a deadline."""
    if not results.deadline:
        return ""
    deadline = fmt_date(results.deadline, lang)
    late = [results.unit_by_code[c] for c in results.late_units if c in results.unit_by_code]
    if late:
        return tx("n.late", lang, units=listed_names(late, lang), n=len(late), deadline=deadline)
    if any(u.status != "missing" for u in results.units):
        return tx("n.late_none", lang, deadline=deadline)
    return ""


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def district_table_text(results: Results | dict[str, Any], lang: str = "zh") -> str:
    """The district indicator table as aligned plain text, for email bodies.

    Widths use ``display_width`` (a CJK character takes two columns), so the
    columns line up in a monospaced font that draws CJK at double width.
    """
    results = as_results(results)
    cols = ["col.indicator", "col.unit", "col.target", "col.actual", "col.rate", "col.schedule", "col.status",
            "col.gap"]
    right = [False, False, True, True, True, True, False, True]
    rows = [[tx(c, lang) for c in cols]]
    for i in results.district.indicators:
        d = int(i.decimals or 0)
        rows.append([display_name(i, lang), display_unit(i, lang), fmt_number(i.target, d),
                     fmt_number(i.actual, d), fmt_rate(i.rate), fmt_rate(i.schedule),
                     status_label(i.status, lang), fmt_gap(i.gap)])
    widths = [max(display_width(r[c]) for r in rows) for c in range(len(cols))]
    lines = ["  ".join(_pad(cell, widths[c], right[c]) for c, cell in enumerate(r)) for r in rows]
    lines.insert(1, "-" * display_width(lines[0]))
    return "\n".join(lines)
