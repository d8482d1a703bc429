"""报送及时性: per unit, this period's received time against the deadline, and the year's on-time months.

The deadline is the workspace's ``deadline`` day of the next month, moved to the
next working day (chinese-calendar's holidays and 调休 when it knows the year,
else weekends only); the sheet says which calendar decided. The received time
is when the tool first saw the file (history.sqlite), not its modification time.
"""

from __future__ import annotations

from typing import Any

from reporting.core.results import UnitResult
from reporting.render.bulletin.context import Ctx
from reporting.render.bulletin.layout import (
    DATETIME_FMT,
    ROW_PT,
    Formats,
    Sheet,
    clamp,
    parse_time,
    print_px,
    text_height,
)
from reporting.render.narrative import DASH, display_name, fmt_date


def status_text(ctx: Ctx, u: UnitResult) -> str:
    """按时 / 逾期 N 天 / 未报送."""
    tl = u.timeliness
    if tl is None or tl.status == "missing" or u.status == "missing":
        return ctx.L("timeliness.missing")
    if tl.status == "late":
        return ctx.L("timeliness.late", n=tl.days_late)
    if tl.status == "unknown":
        return ctx.L("timeliness.unknown")
    return ctx.L("timeliness.on_time")


def calendar_text(ctx: Ctx) -> str:
    """Which calendar moved the deadline: chinese-calendar's holidays, or weekends only."""
    cal = str(ctx.results.calendar or "")
    if cal.startswith("chinese-calendar"):
        return ctx.L("timeliness.calendar_cc", name=cal)
    year = (ctx.results.deadline or "")[:4] or str(ctx.results.year)
    return ctx.L("timeliness.calendar_weekends", year=year)


def write(wb: Any, F: Formats, ctx: Ctx) -> None:
    sh = Sheet(wb, ctx.L("sheet.timeliness"), ctx)
    lang = ctx.lang
    units = ctx.units
    group_names = {g.code: display_name(g, lang) for g in ctx.groups}
    heads = [ctx.L("col.no"), ctx.L("col.unit_name"), ctx.L("col.group"), ctx.L("col.received"),
             ctx.L("col.deadline"), ctx.L("col.timeliness"), ctx.L("col.on_time_months")]
    ncol = len(heads)
    rows = []
    counts = {"on_time": 0, "late": 0, "missing": 0, "unknown": 0}
    for n, u in enumerate(units, 1):
        tl = u.timeliness
        st = "missing" if tl is None or u.status == "missing" else tl.status
        counts[st if st in counts else "missing"] += 1
        months = ctx.L("timeliness.months", k=tl.on_time_months, n=tl.months) if tl and tl.months else DASH
        rows.append((n, display_name(u, lang), group_names.get(u.group, str(u.group or "")), u, st,
                     status_text(ctx, u), months))
    deadline = ctx.results.deadline or ""
    widths = [6.0] + [float(ctx.text_width(h)) for h in heads[1:]]
    for row in rows:
        for c, text in ((1, row[1]), (2, row[2]), (5, row[5]), (6, row[6])):
            widths[c] = max(widths[c], ctx.text_width(text))
    widths[3] = max(widths[3], 16)  # yyyy-mm-dd hh:mm
    widths[4] = max(widths[4], 10)  # yyyy-mm-dd
    widths = [6.0] + [clamp(int(w), 8, 30) for w in widths[1:]]
    sh.fit_columns(ncol, fixed=dict(enumerate(widths)))
    total_px = sum(print_px(w) for w in widths)

    summary = ctx.L("timeliness.summary", deadline=fmt_date(deadline, lang) if deadline else DASH,
                    calendar=calendar_text(ctx), on_time=counts["on_time"],
                    late=counts["late"], missing=counts["missing"],
                    unknown=ctx.L("timeliness.summary_unknown", n=counts["unknown"]) if counts["unknown"] else "")
    summary_pt = max(20.0, text_height(summary, total_px, 11, 1.4))
    f_no, f_left, f_center = F.td(align="center", num_format="0"), F.td(align="left"), F.td(align="center")
    f_time = F.td(align="center", num_format=DATETIME_FMT)
    f_date = F.td(align="center", num_format="yyyy-mm-dd")
    f_state = {"on_time": F.td(align="center", **F.status("completed")),
               "late": F.td(align="center", **F.status("behind")),
               "missing": F.td(align="center", **F.status("missing"))}

    for c, h in enumerate(heads):
        sh.put(2, c, h, F.th(), measure=False)
    sh.row(2, 20)
    r = 3
    due = parse_time(deadline + "T00:00:00") if deadline else None
    for n, name, group, u, st, word, months in rows:
        sh.row(r, ROW_PT)
        sh.number(r, 0, n, f_no, str)
        sh.text(r, 1, name, f_left)
        sh.text(r, 2, group, f_left)
        got = parse_time(u.timeliness.received if u.timeliness else None) if st not in ("missing", "unknown") else None
        if got is not None:
            sh.ws.write_datetime(r, 3, got, f_time)
        else:
            sh.text(r, 3, DASH, f_center)
        if due is not None:
            sh.ws.write_datetime(r, 4, due, f_date)
        else:
            sh.text(r, 4, DASH, f_center)
        sh.text(r, 5, word, f_state.get(st, f_center))
        sh.text(r, 6, months, f_center)
        r += 1
    note = ctx.L("timeliness.note")
    h = max(ROW_PT, text_height(note, total_px, 10, 1.45))
    r += 1
    sh.merge(r, 0, r, ncol - 1, note, F.note())
    sh.row(r, h)

    sh.merge(0, 0, 0, ncol - 1, ctx.L("timeliness.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    sh.merge(1, 0, 1, ncol - 1, summary, F(text_wrap=True, align="left"))
    sh.row(1, summary_pt)
    sh.ws.freeze_panes(3, 2)
    sh.page_setup(repeat=(0, 2))  # one page wide, as many tall as the units need; title and header on each

