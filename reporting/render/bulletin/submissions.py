"""5. 报送情况: every unit and every file received."""

from __future__ import annotations

from typing import Any

from reporting.core.results import FileRecord
from reporting.render.bulletin.context import Ctx, submission_text
from reporting.render.bulletin.layout import (
    DATETIME_FMT,
    HEAD_FONT,
    ROW_PT,
    Formats,
    Pager,
    Sheet,
    clamp,
    parse_time,
    print_px,
    print_scale,
    text_height,
)
from reporting.render.narrative import (
    DASH,
    display_name,
    listed_names,
    tx,
)

# --------------------------------------------------------------------------- 5. 报送情况


WRAP_MAX = 44  # widest a file-name or reason column gets; longer text wraps onto more lines


def _earlier(files: list[FileRecord], period: str) -> tuple[list[FileRecord], list[FileRecord]]:
    """This compile's files, and the files of earlier months (listed in their own bulletins)."""
    now, before = [], []
    for f in files:
        (before if f.status == "other-period" and f.period and f.period < period else now).append(f)
    return now, before


def write(wb: Any, F: Formats, ctx: Ctx) -> None:
    sh = Sheet(wb, ctx.L("sheet.submissions"), ctx)
    lang = ctx.lang
    units = ctx.units
    files, earlier = _earlier(list(ctx.results.files or []), ctx.results.period)
    missing = [u for u in units if u.status == "missing"]
    ncol = 9
    group_names = {g.code: display_name(g, lang) for g in ctx.groups}
    file_words = {st: ctx.L(f"file.{st}") for st in ("used", "superseded", "duplicate", "rejected", "ignored",
                                                      "other-period")}
    heads = [ctx.L("col.no"), ctx.L("col.unit_name"), ctx.L("col.group"), ctx.L("col.return_status"),
             ctx.L("col.file_used"), ctx.L("col.received"), ctx.L("col.errors"), ctx.L("col.warnings")]
    heads2 = [ctx.L("col.no"), ctx.L("col.unit_name"), ctx.L("col.period"), ctx.L("col.file_status"),
              ctx.L("col.file"), ctx.L("col.received"), ctx.L("col.errors"), ctx.L("col.warnings"),
              ctx.L("col.reason")]
    unit_rows = [(n, display_name(u, lang), group_names.get(u.group, str(u.group or "")), submission_text(u, ctx),
                  str(u.file or DASH), u) for n, u in enumerate(units, 1)]
    file_rows = [(n, ctx.unit_name(f.unit), str(f.period or DASH), file_words.get(str(f.status), str(f.status)),
                  str(f.file or ""), f) for n, f in enumerate(files, 1)]
    # widths fixed before writing, from everything each column shows, so that the page plan holds
    widths = [6.0] + [0.0] * (ncol - 1)
    for cells in (heads, heads2):
        for c, h in enumerate(cells[1:], 1):
            widths[c] = max(widths[c], ctx.text_width(h))
    for row in unit_rows + file_rows:
        for c, value in enumerate(row[1:5], 1):
            widths[c] = max(widths[c], ctx.text_width(value))
    widths[5] = max(widths[5], 16)  # yyyy-mm-dd hh:mm
    for c in (6, 7):
        widths[c] = max(widths[c], ctx.text_width(heads[c]))
    widths[8] = max([ctx.text_width(heads2[8])] + [min(ctx.text_width(str(f.reason or "")), WRAP_MAX) for f in files])
    widths = [6.0] + [clamp(int(w), 6, WRAP_MAX) for w in widths[1:]]
    sh.fit_columns(ncol, fixed=dict(enumerate(widths)))
    total_px = sum(print_px(w) for w in widths)
    file_px, reason_px = print_px(widths[4]) - 6, print_px(widths[8]) - 6

    summary = _summary(ctx, units, missing, files, earlier)
    pager = Pager(print_scale(total_px), 32.0, max(20.0, text_height(summary, total_px, 11, 1.4)))
    f_no, f_left, f_center = F.td(align="center", num_format="0"), F.td(align="left"), F.td(align="center")
    f_wrap = F.td(align="left", text_wrap=True)
    f_look = {"missing": F.td(align="center", **F.status("missing")),
              "errors": F.td(align="center", **F.status("behind"))}
    f_file_status = {"rejected": F.td(align="center", **F.status("behind")),
                     "other-period": F.td(align="center", **F.status("pending"))}
    f_section = F(font_name=HEAD_FONT, font_size=12, align="left")
    times = _Times(sh, F)
    text, number = sh.text, sh.number

    def header(r: int, cells: list[str]) -> int:
        for c, h in enumerate(cells):
            sh.put(r, c, h, F.th(), measure=False)
        for c in range(len(cells), ncol):
            sh.put(r, c, None, F(), measure=False)
        sh.row(r, 20)
        pager.used += 20
        return r + 1

    def section(r: int, title: str, cells: list[str]) -> int:
        pager.need(r, 24 + 20 + 3 * ROW_PT)  # a heading never alone at the foot of a page
        sh.merge(r, 0, r, ncol - 1, title, f_section)
        sh.row(r, 24)
        pager.used += 24
        return header(r + 1, cells)

    r = section(2, ctx.L("submissions.units"), heads)
    for n, name, group, status_text, file, u in unit_rows:
        h = max(ROW_PT, text_height(file, file_px, 11, 1.4))
        if pager.need(r, h):
            r = header(r, heads)
        sh.row(r, h)
        number(r, 0, n, f_no, str)
        text(r, 1, name, f_left)
        text(r, 2, group, f_left)
        text(r, 3, status_text, f_look.get(u.status, f_center))
        text(r, 4, file, f_wrap if u.file else f_center)
        times.put(r, 5, u.received)
        number(r, 6, u.errors or 0, f_no, str)
        number(r, 7, u.warnings or 0, f_no, str)
        pager.used += h
        r += 1
    r += 1
    pager.used += ROW_PT
    r = section(r, ctx.L("submissions.files"), heads2)
    for n, unit_name, period, word, file, f in file_rows:
        reason = str(f.reason or "")
        h = max(ROW_PT, text_height(file, file_px, 11, 1.4), text_height(reason, reason_px, 11, 1.4))
        if pager.need(r, h):
            r = header(r, heads2)
        sh.row(r, h)
        number(r, 0, n, f_no, str)
        text(r, 1, unit_name, f_left)
        text(r, 2, period, f_center)
        text(r, 3, word, f_file_status.get(str(f.status), f_center))
        text(r, 4, file, f_wrap)
        times.put(r, 5, f.received)
        number(r, 6, f.errors or 0, f_no, str)
        number(r, 7, f.warnings or 0, f_no, str)
        text(r, 8, reason, f_wrap)
        pager.used += h
        r += 1
    if earlier:  # one line for the files of earlier months: each month's bulletin lists them
        counts: dict[str, int] = {}
        for f in earlier:
            counts[str(f.period)] = counts.get(str(f.period), 0) + 1
        line = ctx.L("submissions.earlier", n=len(earlier), months=tx("sep", lang).join(
            ctx.L("submissions.earlier_month", period=p, n=k) for p, k in sorted(counts.items(), reverse=True)))
        h = max(ROW_PT, text_height(line, total_px, 11, 1.4))
        pager.need(r, h)
        sh.merge(r, 0, r, ncol - 1, line, F(text_wrap=True, align="left"))
        sh.row(r, h)
        r += 1

    sh.merge(0, 0, 0, ncol - 1, ctx.L("submissions.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    sh.merge(1, 0, 1, ncol - 1, summary, F(text_wrap=True, align="left"))
    sh.row(1, max(20.0, text_height(summary, total_px, 11, 1.4)))
    sh.ws.freeze_panes(1, 2)
    sh.page_setup(repeat=(0, 0))
    sh.ws.set_print_scale(pager.scale)
    sh.ws.set_h_pagebreaks(pager.breaks)


def _summary(ctx: Ctx, units: list[Any], missing: list[Any], files: list[FileRecord],
             earlier: list[FileRecord]) -> str:
    lang = ctx.lang
    listed = listed_names(missing, lang)  # the table below lists every unit; the summary names a few
    names = "（" + listed + "）" if missing and lang == "zh" else (" (" + listed + ")" if missing else "")
    return ctx.L("submissions.summary", units=len(units), submitted=len(units) - len(missing),
                 missing=len(missing), missing_names=names, files=len(files) + len(earlier),
                 used=sum(1 for f in files if f.status == "used"))


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
