"""1. 通报: title, data date, schedule, the district table, the narrative, issuer lines."""

from __future__ import annotations

from typing import Any

from reporting.render.bulletin.context import Ctx
from reporting.render.bulletin.layout import (
    GAP_FMT,
    HEAD_FONT,
    PAGE_H_PT,
    RATE_FMT,
    TITLE_FONT,
    Formats,
    Sheet,
    num_fmt,
    text_height,
)
from reporting.render.narrative import (
    DASH,
    display_name,
    display_unit,
    fmt_date,
    fmt_number,
    fmt_rate,
    narrative,
    status_label,
    tx,
)

# --------------------------------------------------------------------------- 1. 通报


def write(wb: Any, F: Formats, ctx: Ctx) -> None:
    sh = Sheet(wb, ctx.L("sheet.bulletin"), ctx)
    lang = ctx.lang
    # 本月新增 when last month is known, 上年同期 and 同比增长 when the store holds last year
    hist = history_columns(ctx)
    ncol = 9 + len(hist)
    note_col = ncol - 1
    heads = [tx("col.indicator", lang), tx("col.unit", lang), tx("col.target", lang), tx("col.actual", lang),
             tx("col.rate", lang), tx("col.schedule", lang), tx("col.status", lang), ctx.L("col.gap"),
             *(ctx.L(f"col.{h}") for h in hist), ctx.L("col.note")]
    f_yoy = F.td(num_format=ctx.L("yoy_fmt"))
    for c, h in enumerate(heads):
        sh.put(2, c, h, F.th(), measure=True)
    sh.row(2, 36)

    r = 3
    for ind in ctx.indicators:
        d = int(ind.decimals or 0)
        st = ind.status
        has_target = ind.target is not None
        sh.put(r, 0, display_name(ind, lang), F.td(align="left", text_wrap=True))
        sh.put(r, 1, display_unit(ind, lang), F.td(align="center"))
        if has_target:
            sh.put(r, 2, ind.target, F.td(num_format=num_fmt(d)), fmt_number(ind.target, d))
        else:
            sh.put(r, 2, DASH, F.td(align="center"))
        if ind.actual is not None:
            sh.put(r, 3, ind.actual, F.td(num_format=num_fmt(d)), fmt_number(ind.actual, d))
        else:
            sh.put(r, 3, DASH, F.td(align="center"))
        if ind.rate is not None:
            sh.put(r, 4, ind.rate, F.td(**F.status(st, num_format=RATE_FMT)), fmt_rate(ind.rate))
        else:
            sh.put(r, 4, DASH, F.td(align="center"))
        if ind.schedule is not None:
            sh.put(r, 5, ind.schedule, F.td(num_format=RATE_FMT), fmt_rate(ind.schedule))
        else:
            sh.put(r, 5, DASH, F.td(align="center"))
        sh.put(r, 6, status_label(st, lang), F.td(**F.status(st, align="center")))
        if ind.gap is not None:
            # stored in 百分点 (gap × 100) so that the cell reads as the column says
            sh.put(r, 7, round(ind.gap * 100, 4), F.td(**F.status(st, num_format=GAP_FMT)),
                   f"{ind.gap * 100:+.1f}")
        else:
            sh.put(r, 7, DASH, F.td(align="center"))
        for k, h in enumerate(hist, 8):
            put_history(sh, r, k, h, ind, d, F, f_yoy)
        notes = []
        if not (ind.weight or 0) > 0:
            notes.append(ctx.L("note.unscored"))
        if ind.units_missing:
            notes.append(ctx.L("note.missing", n=ind.units_missing))
        if ind.units_pending:
            notes.append(ctx.L("note.pending", n=ind.units_pending))
        if ind.increment_not_comparable:
            notes.append(ctx.L("note.increment_apart", n=ind.increment_not_comparable))
        if ind.yoy_not_comparable:
            notes.append(ctx.L("note.yoy_apart", n=ind.yoy_not_comparable))
        sh.put(r, note_col, ctx.L("sep.note").join(notes), F.td(align="left", font_size=10))
        sh.row(r, 19)
        r += 1
    table_end = r
    sh.fit_columns(ncol, minimum=8, maximum=40, fixed=None)
    sh.widths[0] += 2  # room for the indent of the indicator names
    sh.ws.set_column(0, 0, sh.widths[0])
    for i, ind in enumerate(ctx.indicators):  # names longer than the widest column wrap
        need = text_height(display_name(ind, lang), sh.col_px(0) - 10, 11, 1.35)
        if need > text_height("", 1, 11, 1.35):  # more than one line
            sh.row(3 + i, need)
    if sh.widths[note_col] < 12:
        sh.widths[note_col] = 12
        sh.ws.set_column(note_col, note_col, 12)
    total_px = sh.span_px(0, ncol - 1)

    # title and data line (after the widths, which they must not widen)
    sh.merge(0, 0, 0, ncol - 1, ctx.title, F(font_name=TITLE_FONT, font_size=18, bold=True, align="center",
                                              text_wrap=True))
    sh.row(0, max(40.0, text_height(ctx.title, total_px, 18, 1.4)))
    sh.merge(1, 0, 1, 1, ctx.L("as_of", date=fmt_date(ctx.results.as_of, lang)), F(align="left"))
    sh.merge(1, 2, 1, 3, ctx.L("schedule_label"), F(align="right"))
    sched = ctx.results.schedule
    sh.put(1, 4, sched if sched is not None else DASH, F(num_format=RATE_FMT, align="left"), measure=False)
    sh.row(1, 22)

    # narrative
    r += 1
    sh.merge(r, 0, r, ncol - 1, ctx.L("heading.narrative"), F(font_name=HEAD_FONT, font_size=12, align="left"))
    sh.row(r, 24)
    r += 1
    indent = "\u3000\u3000" if lang == "zh" else ""
    for para in narrative(ctx.results, lang):
        text = indent + para
        sh.merge(r, 0, r, ncol - 1, text, F(font_size=12, text_wrap=True, align="left", valign="top"))
        sh.row(r, text_height(text, total_px, 12, 1.45))
        r += 1
    r += 1
    groups = ctx.L("sep.groups").join(display_name(g, lang) for g in ctx.groups)
    district = ctx.results.district
    issuer = (district.issuer_en if lang == "en" else "") or district.issuer
    lines = [ctx.L("issuer", issuer=issuer),
             ctx.L("made_on", date=fmt_date(ctx.results.made_on, lang)),
             ctx.L("source", groups=groups, s5=ctx.L("sheet.submissions"), s6=ctx.L("sheet.issues"))]
    for line in lines:
        sh.merge(r, 0, r, ncol - 1, line, F(align="left", text_wrap=True))
        sh.row(r, max(20.0, text_height(line, total_px, 11, 1.4)))
        r += 1

    sh.ws.freeze_panes(3, 1)
    # One page when it fits at a readable scale (the first page is what the meeting reads);
    # otherwise one page wide and as many tall as the text needs. The table header repeats
    # only when the table itself runs past page 1: repeated above the narrative on page 2
    # it would look like a table that lost its rows.
    scale = sh.page_scale(ncol)
    total_pt = sum(sh.height(i) for i in range(r))
    fits = total_pt * scale <= PAGE_H_PT * 1.35
    table_pt = sum(sh.height(i) for i in range(table_end))
    long_table = table_pt * scale > PAGE_H_PT * 0.95
    sh.page_setup(repeat=(2, 2) if long_table else None, fit_tall=1 if fits else 0)
    sh.ws.print_area(0, 0, r - 1, ncol - 1)


def history_columns(ctx: Ctx) -> list[str]:
    """The history columns the results can fill: increment, last_year, yoy (none for a workspace without them)."""
    inds = ctx.indicators
    cols = []
    if any(i.increment is not None or i.increment_not_comparable for i in inds):  # "—" says why in 说明
        cols.append("increment")
    if any(i.last_year is not None for i in inds):
        cols += ["last_year", "yoy"]
    return cols


def put_history(sh: Sheet, r: int, c: int, what: str, item: Any, d: int, F: Formats, f_yoy: Any) -> None:
    """One history cell of ``item`` (a district indicator or a unit's value): a number, or "—"."""
    if what == "yoy":
        x = item.yoy
        if x is None:
            sh.put(r, c, DASH, F.td(align="center"))
        else:
            sh.put(r, c, x, f_yoy, f"{x * 100:+.1f}%")
        return
    x = item.increment if what == "increment" else item.last_year
    if x is None:
        sh.put(r, c, DASH, F.td(align="center"))
    else:
        sh.put(r, c, x, F.td(num_format=num_fmt(d)), fmt_number(x, d))
