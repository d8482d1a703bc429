"""Plain-text reports for the terminal: what each command prints.

Kept out of the CLI so that the text can be tested and reused (the email
bodies quote some of it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reporting.core.messages import MESSAGES, t
from reporting.core.periods import Period

if TYPE_CHECKING:
    from reporting.core.results import Results


def config_summary(ws: Any, lang: str) -> str:
    s = ws.settings
    lines = [t("config.ok", lang, path=ws.root), t("config.district", lang, district=s.district, language=s.lang, cap=s.cap)]
    for g in ws.groups:
        units = ws.units_in(g.code)
        lines.append("  " + t("config.group", lang, group=g.display_name(lang), n=len(units),
                                 units="、".join(f"{u.display_name(lang)}({u.code})" for u in units)))
    scored = [i for i in ws.indicators if i.weight > 0]
    lines.append(t("config.indicators", lang, n=len(ws.indicators), scored=len(scored),
                   weights=sum(i.weight for i in scored)))
    for i in ws.indicators:
        extra = []
        if i.schedule:
            extra.append(t("config.seasonal", lang))
        if i.le:
            extra.append(f"≤ {i.le}")
        tail = f"  [{'; '.join(extra)}]" if extra else ""
        lines.append("  " + t("config.indicator", lang, code=f"{i.code:<18}", name=i.display_name(lang),
                                 unit=i.display_unit(lang), weight=i.weight) + tail)
    if ws.targets:
        lines.append(t("config.targets", lang, years=", ".join(str(y) for y in sorted(ws.targets))))
    else:
        lines.append(t("config.no_targets", lang))
    return "\n".join(lines)


def _severity(severity: str, lang: str) -> str:
    return t(f"term.severity.{severity}", lang)


def _status(status: str, lang: str) -> str:
    key = f"term.status.{status}"
    return t(key, lang) if key in MESSAGES else status


def _worth_showing(s: Any, period: str) -> bool:
    """Files of other periods are hidden unless something in them names this period (a renamed old file)."""
    if s.status == "ignored":
        return False
    if s.status != "other-period":
        return True
    if not period:
        return False
    said = Period.parse(period).label_zh()
    return any(i.code == "period-mismatch" and said in i.message("zh") for i in s.issues)


def check_report_text(report: Any, lang: str, *, verbose: bool = False, ws: Any = None) -> str:
    """Per file: unit, period, status, then each issue with severity and sheet!cell.

    With the workspace, the units that have not sent a usable file for the period are listed too.
    """
    lines: list[str] = []
    names = getattr(report, "unit_names", {})
    if ws is not None:
        names = {u.code: u.display_name(lang) for u in ws.units}
    period = str(report.period) if report.period else ""
    lines.append(t("check.period", lang, period=period or "—"))
    hidden = 0
    for s in report.submissions:
        shown = verbose or _worth_showing(s, period)
        if not shown:
            hidden += 1
            continue
        status = _status(s.status, lang)
        unit = names.get(s.unit, s.unit) or "?"
        lines.append(f"\n{s.file}  [{unit} · {s.period or '?'} · {status}]")
        for i in s.issues:
            if i.severity == "info" and not verbose:
                continue
            where = f"{i.where}  " if i.where else ""
            sev = _severity(i.severity, lang)
            lines.append(f"  {sev:<4} {where}{i.message(lang)}  ({i.code})")
    if hidden:
        lines.append("\n" + t("check.hidden", lang, n=hidden))
    if ws is not None and period:
        missing = missing_units(report, ws)
        if missing:
            lines.append("\n" + t("check.missing", lang, n=len(missing),
                                   units=t("list.sep", lang).join(u.display_name(lang) for u in missing)))
    lines.append("\n" + check_summary_line(report, lang))
    return "\n".join(lines)


def missing_units(report: Any, ws: Any) -> list[Any]:
    """The workspace's units without a usable (used) file for the report's period."""
    period = str(report.period) if report.period else ""
    sent = {s.unit for s in report.submissions if s.status == "used" and str(s.period or "") == period}
    return [u for u in ws.units if u.code not in sent]


def check_summary_line(report: Any, lang: str) -> str:
    """The one line: this period's files, errors and warnings."""
    counts = {"error": 0, "warning": 0}
    for s in report.submissions:
        if s.status in ("other-period", "ignored"):
            continue
        for i in s.issues:
            if i.severity in counts:
                counts[i.severity] += 1
    n = len(report.relevant()) if hasattr(report, "relevant") else len(report.submissions)
    return t("check.summary", lang, n=n, errors=counts["error"], warnings=counts["warning"])


MAX_ISSUE_LINES = 12


def _issue_lines(r: Results, names: dict[str, str], lang: str) -> list[str]:
    """Errors first, then warnings: one short line each, the rest counted (all are in 数据问题)."""
    issues = sorted((i for i in r.issues if i.severity in ("error", "warning")),
                    key=lambda i: i.severity != "error")
    if not issues:
        return [t("term.issues_none", lang)]
    out = [t("term.issues_head", lang, n=len(issues))]
    for i in issues[:MAX_ISSUE_LINES]:
        where = "!".join(x for x in (i.sheet, i.cell) if x)
        who = names.get(i.unit or "", "") or (i.file or "")
        out.append("  " + " ".join(x for x in (_severity(i.severity, lang), who, where, i.message) if x))
    if len(issues) > MAX_ISSUE_LINES:
        out.append(t("term.issues_more", lang, n=len(issues) - MAX_ISSUE_LINES))
    return out


def _notes_line(r: Results, lang: str) -> list[str]:
    n = r.summary.notes
    if not n:
        return []
    return [t("term.notes", lang, n=n)]


def compile_summary_text(result: Any, lang: str) -> str:
    """Units submitted / missing / with errors, top and bottom units, the bulletin's path."""
    r = result.results
    s = r.summary
    names = {u.code: (u.name_en or u.name) if lang == "en" else u.name for u in r.units}
    lines = []
    sep = t("list.sep", lang)
    lines.append(t("term.summary", lang, period=r.period, units=s.units, submitted=s.submitted, missing=s.missing,
                   errors=s.with_errors, pending=s.pending_values))
    if s.missing_units:
        lines.append(t("term.missing", lang, units=sep.join(names[c] for c in s.missing_units)))
    for g in r.groups:
        ranked = [u for u in r.units if u.group == g.code and u.rank is not None]
        if not ranked:
            continue
        gname = g.name_en or g.name if lang == "en" else g.name
        top = sep.join(f"{names[u.code]}({u.score:.2f})" for u in ranked[:3])
        # the last three, worst first, never repeating a unit already named at the top
        bottom = sep.join(f"{names[u.code]}({u.score:.2f})" for u in ranked[max(3, len(ranked) - 3):][::-1])
        lines.append(t("term.top", lang, group=gname, top=top) + (t("term.bottom", lang, bottom=bottom) if bottom else ""))
    lines.extend(_issue_lines(r, names, lang))
    lines.extend(_notes_line(r, lang))
    later: dict[str, set[str]] = {}  # a later month's forms arriving (the default is the month most units sent)
    for f in r.files:
        if f.status == "other-period" and f.period and f.period > r.period and f.unit:
            later.setdefault(f.period, set()).add(f.unit)
    for period in sorted(later):
        lines.append(t("term.later", lang, n=len(later[period]), period=period))
    undated = sorted({i.file for i in r.issues if i.code == "unknown-period" and i.file})
    if undated:  # without --period such a file is no month's; the clerk may know which month it is
        lines.append(t("term.undated", lang, n=len(undated), files=sep.join(undated[:3])
                       + (t("term.and_more", lang) if len(undated) > 3 else ""), period=r.period))
    lines.append(t("term.bulletin", lang, path=result.bulletin))
    lines.append(t("term.data", lang, path=result.results_path))
    if result.feedback:
        lines.append(t("term.feedback", lang, n=len(result.feedback), path=result.folder / "feedback"))
    return "\n".join(lines)
