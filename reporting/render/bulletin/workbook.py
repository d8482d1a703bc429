"""The bulletin workbook (通报) for the monthly meeting, written with xlsxwriter.

Everything comes from the results dict (docs/results.md); nothing else is
read, and no clock is used, so the same results give the same bytes. Six
sheets, each print-ready on A4 landscape:

1. 通报      title, data date, schedule, the district table, the narrative, issuer lines
2. 综合排名  composite ranking per group, change against last month
3. 分项指标  every unit's target, year-to-date, rate and rank per indicator, in bands
             of three indicators (a 48-column wide table would print at 25 %)
4. 图表      native charts over a data area on the same sheet; a group of more than
             CHART_MAX_UNITS units is charted by its leading and trailing CHART_ENDS
5. 报送情况  every unit and every file received
6. 数据问题  every issue with file and cell

Fills that mark a rate behind schedule (light red) or completed (green) are
static formats chosen from the scorer's ``status``, not conditional-format
rules that recompute ``rate < schedule``: the colour then always agrees with
the 状态 column and with results.json, even where rounding puts a rate a hair
from its schedule. Data bars (conditional formats) are used on the composite
scores, where no status is involved.

The same code serves a district of a dozen units and a province of tens of
thousands, so the per-cell path is kept lean: formats are looked up once per
table, not per cell; column widths keep the widest text per column (and, for
numbers, the smallest and largest value, formatted once at the end) instead
of every text; look-ups are dicts; and the narrative and the charts name and
draw leading and trailing units, never thousands.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reporting.core.results import (
    Results,
    as_results,
)
from reporting.render.bulletin.context import Ctx
from reporting.render.bulletin.layout import BODY_FONT, Formats, created_date, label
from reporting.render.bulletin.registry import SHEETS
from reporting.workspace.atomic import atomic_path

# --------------------------------------------------------------------------- entry point


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while the workbook is built.

    xlsxwriter keeps a small tuple per cell until it saves: a provincial bulletin holds
    millions, and each full collection would walk all of them again, so that the time grew
    faster than the number of units. Nothing written here forms reference cycles that need
    the collector in the meantime; it runs again (if it was on) as soon as the file is saved.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_bulletin(path: Path, results: Results | dict[str, Any], lang: str = "zh", lights: Any = None) -> None:
    """Write the bulletin workbook to ``path`` atomically; identical results give identical bytes.

    Every string from a submission (names, remarks, messages) is written as a
    string: the workbook options turn off xlsxwriter's formula, URL and number
    guessing, and cells are written with typed calls.
    """
    import xlsxwriter  # imported here: only compile needs it

    from reporting.render.bulletin.sheetdata import FastRowsWorksheet

    results = as_results(results)
    ctx = Ctx.build(results, lang)
    ctx.lights = lights
    with _no_gc(), atomic_path(Path(path)) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            # font_scheme "none": without it the default font would be written as the theme's
            # minor font and Excel would show Calibri instead of 宋体
            "default_format_properties": {"font_name": BODY_FONT, "font_size": 11, "font_scheme": "none"},
        })
        wb.worksheet_class = FastRowsWorksheet  # the same bytes, written a row at a time
        district = ctx.results.district
        wb.set_properties({
            "title": ctx.title,
            "subject": label("doc.subject", lang, district=district.name,
                             period=results.period),
            "author": district.issuer,
            "company": district.issuer,
            "keywords": str(results.period),
            "comments": label("doc.comments", lang, tool=results.tool),
            "created": created_date(results),
        })
        F = Formats(wb)
        for sheet in SHEETS:
            sheet.write(wb, F, ctx)
        wb.close()
