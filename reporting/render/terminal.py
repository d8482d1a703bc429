"""Plain-text reports for the terminal: what each command prints.

Kept out of the CLI so that the text can be tested and reused (the email
bodies quote some of it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reporting.core.messages import t

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


_SEVERITY = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
             "en": {"error": "error", "warning": "warning", "info": "info"}}
_STATUS = {
    "zh": {"used": "采用", "superseded": "已被更新文件取代", "duplicate": "重复文件", "rejected": "拒收",
           "ignored": "跳过", "other-period": "非本期", "read": "已读取"},
    "en": {"used": "used", "superseded": "superseded", "duplicate": "duplicate", "rejected": "rejected",
           "ignored": "ignored", "other-period": "other period", "read": "read"},
}


def _worth_showing(s: Any, period: str) -> bool:
    """Files of other periods are hidden unless something in them names this period (a renamed old file)."""
    if s.status == "ignored":
        return False
    if s.status != "other-period":
        return True
    if not period:
        return False
    y, m = period.split("-")
    said = f"{int(y)}年{int(m)}月"
    return any(i.code == "period-mismatch" and said in i.message("zh") for i in s.issues)


def check_report_text(report: Any, lang: str, *, verbose: bool = False, ws: Any = None) -> str:
    """Per file: unit, period, status, then each issue with severity and sheet!cell.

    With the workspace, the units that have not sent a usable file for the period are listed too.
    """
    lines: list[str] = []
    names = getattr(report, "unit_names", {})
    period = str(report.period) if report.period else ""
    lines.append(t("check.period", lang, period=period or "—"))
    hidden = 0
    for s in report.submissions:
        shown = verbose or _worth_showing(s, period)
        if not shown:
            hidden += 1
            continue
        status = _STATUS.get(lang, _STATUS["zh"]).get(s.status, s.status)
        unit = names.get(s.unit, s.unit) or "?"
        lines.append(f"\n{s.file}  [{unit} · {s.period or '?'} · {status}]")
        for i in s.issues:
            if i.severity == "info" and not verbose:
                continue
            where = f"{i.where}  " if i.where else ""
            sev = _SEVERITY.get(lang, _SEVERITY["zh"])[i.severity]
            lines.append(f"  {sev:<4} {where}{i.message(lang)}  ({i.code})")
    if hidden:
        lines.append("\n" + t("check.hidden", lang, n=hidden))
    if ws is not None and period:
        missing = missing_units(report, ws)
        if missing:
            sep = "、" if lang == "zh" else ", "
            lines.append("\n" + t("check.missing", lang, n=len(missing),
                                   units=sep.join(u.display_name(lang) for u in missing)))
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
        return ["数据问题：无" if lang == "zh" else "Data problems: none"]
    sev = _SEVERITY.get(lang, _SEVERITY["zh"])
    head = f"数据问题 {len(issues)} 条（详见通报“数据问题”工作表）：" if lang == "zh" else \
        f"{len(issues)} data problems (all in the Issues sheet):"
    out = [head]
    for i in issues[:MAX_ISSUE_LINES]:
        where = "!".join(x for x in (i.sheet, i.cell) if x)
        who = names.get(i.unit or "", "") or (i.file or "")
        out.append("  " + " ".join(x for x in (sev[i.severity], who, where, i.message) if x))
    if len(issues) > MAX_ISSUE_LINES:
        rest = len(issues) - MAX_ISSUE_LINES
        out.append(f"  …… 另有 {rest} 条" if lang == "zh" else f"  ... and {rest} more")
    return out


def _notes_line(r: Results, lang: str) -> list[str]:
    n = r.summary.notes
    if not n:
        return []
    return [f"已自动识别或纠正 {n} 处（如“12家”、全角数字、非统一格式），运行 reporting check -v 查看" if lang == "zh"
            else f"{n} values or layouts were recognised or corrected automatically (reporting check -v lists them)"]


def compile_summary_text(result: Any, lang: str) -> str:
    """Units submitted / missing / with errors, top and bottom units, the bulletin's path."""
    r = result.results
    s = r.summary
    names = {u.code: (u.name_en or u.name) if lang == "en" else u.name for u in r.units}
    lines = []
    if lang == "zh":
        lines.append(f"{r.period}：应报 {s.units} 个单位，已报 {s.submitted}，未报 {s.missing}，"
                     f"有错误 {s.with_errors}，待核实数值 {s.pending_values} 项")
        if s.missing_units:
            lines.append("未报送：" + "、".join(names[c] for c in s.missing_units))
    else:
        lines.append(f"{r.period}: {s.units} units, {s.submitted} submitted, {s.missing} missing, "
                     f"{s.with_errors} with errors, {s.pending_values} values pending")
        if s.missing_units:
            lines.append("Missing: " + ", ".join(names[c] for c in s.missing_units))
    for g in r.groups:
        ranked = [u for u in r.units if u.group == g.code and u.rank is not None]
        if not ranked:
            continue
        gname = g.name_en or g.name if lang == "en" else g.name
        sep = "、" if lang == "zh" else ", "
        top = sep.join(f"{names[u.code]}({u.score:.2f})" for u in ranked[:3])
        # the last three, worst first, never repeating a unit already named at the top
        bottom = sep.join(f"{names[u.code]}({u.score:.2f})" for u in ranked[max(3, len(ranked) - 3):][::-1])
        if lang == "zh":
            lines.append(f"{gname}  前三：{top}" + (f"；后三：{bottom}" if bottom else ""))
        else:
            lines.append(f"{gname}  top: {top}" + (f"; bottom: {bottom}" if bottom else ""))
    lines.extend(_issue_lines(r, names, lang))
    lines.extend(_notes_line(r, lang))
    lines.append(("通报：" if lang == "zh" else "Bulletin: ") + str(result.bulletin))
    lines.append(("数据：" if lang == "zh" else "Data: ") + str(result.results_path))
    if result.feedback:
        lines.append((f"反馈表 {len(result.feedback)} 份：" if lang == "zh" else f"{len(result.feedback)} feedback files: ")
                     + str(result.folder / "feedback"))
    return "\n".join(lines)
