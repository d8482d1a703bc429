"""5. 报送情况: every unit and every file received."""

from __future__ import annotations

from typing import Any

from reporting.render.bulletin.context import Ctx, submission_text
from reporting.render.bulletin.layout import (
    DATETIME_FMT,
    HEAD_FONT,
    ROW_PT,
    Formats,
    Sheet,
    parse_time,
    text_height,
)
from reporting.render.narrative import (
    DASH,
    display_name,
    listed_names,
)

# --------------------------------------------------------------------------- 5. 报送情况


def write(wb: Any, F: Formats, ctx: Ctx) -> None:
    sh = Sheet(wb, ctx.L("sheet.submissions"), ctx)
    lang = ctx.lang
    units = ctx.units
    files = list(ctx.results.files or [])
    missing = [u for u in units if u.status == "missing"]
    ncol = 9
    r = 2
    sh.merge(r, 0, r, ncol - 1, ctx.L("submissions.units"), F(font_name=HEAD_FONT, font_size=12, align="left"))
    sh.row(r, 24)
    r += 1
    heads = [ctx.L("col.no"), ctx.L("col.unit_name"), ctx.L("col.group"), ctx.L("col.return_status"),
             ctx.L("col.file_used"), ctx.L("col.received"), ctx.L("col.errors"), ctx.L("col.warnings")]
    for c, h in enumerate(heads):
        sh.put(r, c, h, F.th())
    sh.put(r, 8, None, F(), measure=False)
    r += 1
    group_names = {g.code: display_name(g, lang) for g in ctx.groups}
    f_no, f_left, f_center = F.td(align="center", num_format="0"), F.td(align="left"), F.td(align="center")
    f_look = {"missing": F.td(align="center", **F.status("missing")),
              "errors": F.td(align="center", **F.status("behind"))}
    times = _Times(sh, F)
    text, number = sh.text, sh.number
    for n, u in enumerate(units, 1):
        st = u.status
        number(r, 0, n, f_no, str)
        text(r, 1, display_name(u, lang), f_left)
        text(r, 2, group_names.get(u.group, str(u.group or "")), f_left)
        text(r, 3, submission_text(u, ctx), f_look.get(st, f_center))
        text(r, 4, str(u.file or DASH), f_left if u.file else f_center)
        times.put(r, 5, u.received)
        number(r, 6, u.errors or 0, f_no, str)
        number(r, 7, u.warnings or 0, f_no, str)
        r += 1
    r += 1
    sh.merge(r, 0, r, ncol - 1, ctx.L("submissions.files"), F(font_name=HEAD_FONT, font_size=12, align="left"))
    sh.row(r, 24)
    r += 1
    heads2 = [ctx.L("col.no"), ctx.L("col.unit_name"), ctx.L("col.period"), ctx.L("col.file_status"),
              ctx.L("col.file"), ctx.L("col.received"), ctx.L("col.errors"), ctx.L("col.warnings"),
              ctx.L("col.reason")]
    for c, h in enumerate(heads2):
        sh.put(r, c, h, F.th())
    r += 1
    f_file_status = {"rejected": F.td(align="center", **F.status("behind")),
                     "other-period": F.td(align="center", **F.status("pending"))}
    f_wrap = F.td(align="left", text_wrap=True)
    file_words = {st: ctx.L(f"file.{st}") for st in ("used", "superseded", "duplicate", "rejected", "ignored",
                                                      "other-period")}
    reason_rows: list[tuple[int, str]] = []
    for n, f in enumerate(files, 1):
        st = str(f.status or "")
        number(r, 0, n, f_no, str)
        text(r, 1, ctx.unit_name(f.unit), f_left)
        text(r, 2, str(f.period or DASH), f_center)
        text(r, 3, file_words.get(st, st), f_file_status.get(st, f_center))
        text(r, 4, str(f.file or ""), f_left)
        times.put(r, 5, f.received)
        number(r, 6, f.errors or 0, f_no, str)
        number(r, 7, f.warnings or 0, f_no, str)
        reason = str(f.reason or "")
        text(r, 8, reason, f_wrap)
        reason_rows.append((r, reason))
        r += 1
    sh.fit_columns(ncol, minimum=6, maximum=44, fixed={0: 6})
    reason_px = sh.col_px(8)
    for row, reason in reason_rows:
        sh.row(row, max(ROW_PT, text_height(reason, reason_px, 11, 1.4)))
    total_px = sh.span_px(0, ncol - 1)
    sh.merge(0, 0, 0, ncol - 1, ctx.L("submissions.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    listed = listed_names(missing, lang)  # the table below lists every unit; the summary names a few
    names = "（" + listed + "）" if missing and lang == "zh" else (" (" + listed + ")" if missing else "")
    summary = ctx.L("submissions.summary", units=len(units), submitted=len(units) - len(missing),
                    missing=len(missing), missing_names=names, files=len(files),
                    used=sum(1 for f in files if f.status == "used"))
    sh.merge(1, 0, 1, ncol - 1, summary, F(text_wrap=True, align="left"))
    sh.row(1, max(20.0, text_height(summary, total_px, 11, 1.4)))
    sh.ws.freeze_panes(1, 2)
    sh.page_setup(repeat=(0, 0))


class _Times:
    """Writes received times: a date-time cell when the text parses, else the text itself."""

    def __init__(self, sh: Sheet, F: Formats) -> None:
        self.sh = sh
        self.f_time = F.td(align="center", num_format=DATETIME_FMT)
        self.f_center = F.td(align="center")

    def put(self, r: int, c: int, text: str | None) -> None:
        t = parse_time(text)
        if t is not None:
            self.sh.ws.write_datetime(r, c, t, self.f_time)
            shown = t.strftime("%Y-%m-%d %H:%M")  # ASCII: its length is its width
            if len(shown) > self.sh.widest.get(c, 0):
                self.sh.widest[c] = len(shown)
        else:
            self.sh.text(r, c, str(text or DASH), self.f_center)
