"""6. 数据问题: every issue with its file and cell."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reporting.render.bulletin.context import Ctx
from reporting.render.bulletin.layout import ROW_PT, Formats, Sheet, text_height
from reporting.render.narrative import (
    DASH,
)

# --------------------------------------------------------------------------- 6. 数据问题


def write(wb: Any, F: Formats, ctx: Ctx) -> None:
    sh = Sheet(wb, ctx.L("sheet.issues"), ctx)
    issues = list(ctx.results.issues or [])
    heads = [ctx.L("col.no"), ctx.L("col.unit_name"), ctx.L("col.file"), ctx.L("col.location"),
             ctx.L("col.indicator_name"), ctx.L("col.severity"), ctx.L("col.message"), ctx.L("col.code")]
    ncol = len(heads)
    for c, h in enumerate(heads):
        sh.put(2, c, h, F.th())
    sh.row(2, 22)
    r = 3
    f_no, f_left, f_center = F.td(align="center", num_format="0"), F.td(align="left"), F.td(align="center")
    f_severity = {"error": F.td(align="center", **F.status("behind")),
                  "warning": F.td(align="center", **F.status("pending"))}
    f_wrap, f_code = F.td(align="left", text_wrap=True), F.td(align="left", font_size=9)
    severity_words = {sev: ctx.L(f"severity.{sev}") for sev in ("error", "warning", "info")}
    text, number = sh.text, sh.number
    msg_rows: list[tuple[int, str]] = []
    for n, i in enumerate(issues, 1):
        sev = str(i.severity or "")
        loc = "!".join(str(p) for p in (i.sheet, i.cell) if p)
        number(r, 0, n, f_no, str)
        text(r, 1, ctx.unit_name(i.unit), f_left)
        text(r, 2, str(i.file or DASH), f_left)
        text(r, 3, loc or DASH, f_left if loc else f_center)
        text(r, 4, ctx.ind_name(i.indicator) or DASH, f_left)
        text(r, 5, severity_words.get(sev, sev), f_severity.get(sev, f_center))
        msg = str(i.message or "")
        text(r, 6, msg, f_wrap)
        text(r, 7, str(i.code or ""), f_code)
        msg_rows.append((r, msg))
        r += 1
    if not issues:
        sh.merge(r, 0, r, ncol - 1, ctx.L("issues.none"), F.td(align="center"))
        r += 1
    sh.fit_columns(ncol, minimum=6, maximum=50, fixed={0: 6})
    msg_px = sh.col_px(6)
    for row, msg in msg_rows:
        sh.row(row, max(ROW_PT, text_height(msg, msg_px, 11, 1.4)))
    sh.merge(0, 0, 0, ncol - 1, ctx.L("issues.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    count: dict[Any, int] = defaultdict(int)
    for i in issues:
        count[i.severity] += 1
    summary = ctx.L("issues.summary", n=len(issues), e=count["error"], w=count["warning"], i=count["info"])
    sh.merge(1, 0, 1, ncol - 1, summary, F(text_wrap=True, align="left"))
    sh.row(1, max(20.0, text_height(summary, sh.span_px(0, ncol - 1), 11, 1.4)))
    if issues:
        sh.ws.autofilter(2, 0, r - 1, ncol - 1)
    sh.ws.freeze_panes(3, 0)
    sh.page_setup(repeat=(2, 2))
