"""The blank form the bureau sends to each unit, one workbook per unit and period.

The form is the tool's best defence against messy input: the value cells are
the only ones a unit can type into, each checks its own type, and a very
hidden ``_meta`` sheet names the unit, the period and the indicator of every
row, so that reading a returned form back is exact rather than guessed. The
layout constants live in :mod:`reporting.core.formlayout`, shared with the reader.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from reporting.core.errors import ReportingError
from reporting.core.formlayout import (
    COL_NAME,
    COL_PREVIOUS,
    COL_REMARK,
    COL_TARGET,
    COL_VALUE,
    DATA_SHEET,
    FIRST_DATA_ROW,
    FORM_VERSION,
    HEADER_ROW,
    HEADERS,
    INFO_ROW,
    META_DISTRICT,
    META_PERIOD,
    META_ROWS,
    META_SHEET,
    META_UNIT,
    META_UNIT_NAME,
    META_VERSION,
    TITLE_ROW,
)
from reporting.core.messages import t
from reporting.workspace.paths import form_path

if TYPE_CHECKING:
    import openpyxl

    from reporting.core.models import Indicator, Unit
    from reporting.core.periods import Period
    from reporting.workspace.config import Workspace

LANG = "zh"  # the form is a Chinese document whatever the clerk's interface language
NCOLS = len(HEADERS)
ROW_HEIGHT = 22.0  # points: one line of 11 pt CJK text with breathing room
LINE_HEIGHT = 15.0  # points per extra wrapped line of 11 pt CJK text
HEADER_FILL = "D9E1F2"
INPUT_FILL = "FFF9E5"  # the house pale yellow for cells a person fills in
BORDER_COLOR = "808080"
def number_format(ind: Indicator) -> str:
    """Thousands separators, and exactly the catalogue's decimal places."""
    return "#,##0" if ind.is_integer else "#,##0." + "0" * ind.decimals


def span_short(period: Period) -> str:
    """``1-11月`` (``1月`` in January): how prompts name the year-to-date span."""
    return f"1-{period.month}月" if period.month > 1 else "1月"


def _number(ind: Indicator, value: float | None) -> float | int | None:
    """A figure as it should sit in a cell: whole numbers as int, so nothing shows ``12.0``."""
    if value is None:
        return None
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        return None
    if ind.is_integer:
        return int(v) if v.is_integer() else v
    return round(v, ind.decimals)


def _fmt(ind: Indicator, value: float | int | None) -> str:
    """The text Excel shows for ``value`` under :func:`number_format`, for column widths."""
    if value is None:
        return ""
    return f"{value:,.{0 if ind.is_integer else ind.decimals}f}"


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (CJK = 2)."""
    from reporting.core.textnorm import display_width

    usable = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.splitlines() or [""])


def build_form(ws: Workspace, unit: Unit, period: Period,
               previous: dict[str, float] | None = None) -> openpyxl.Workbook:
    """The form workbook for one unit and period, ready to save.

    ``previous`` holds the unit's accepted year-to-date figures of last period
    (shown as 上月累计 so that the person filling in sees what they sent).
    """
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from reporting.core.textnorm import column_width

    previous = previous or {}
    targets = ws.targets_for(period.year)
    district = ws.settings.district
    span = period.range_zh()
    title = t("form.title", LANG, district=district, span=span)

    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = DATA_SHEET

    thin = Side(style="thin", color=BORDER_COLOR)
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    underline = Border(bottom=thin)
    body = Font(name="宋体", size=11)
    head_font = Font(name="黑体", size=11, bold=True)
    head_fill = PatternFill("solid", fgColor=HEADER_FILL)
    input_fill = PatternFill("solid", fgColor=INPUT_FILL)
    unlocked = Protection(locked=False)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")
    number_align = Alignment(horizontal="right", vertical="center", indent=1)

    # Row 1: the title; row 2: unit and period, each label and value in one cell
    # so that a reader falling back on labels finds "填报单位：湖塘镇" whole.
    sh.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=NCOLS)
    cell = sh.cell(TITLE_ROW, 1, title)
    cell.font = Font(name="黑体", size=16, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    sh.row_dimensions[TITLE_ROW].height = 36
    sh.merge_cells(start_row=INFO_ROW, start_column=1, end_row=INFO_ROW, end_column=4)
    sh.merge_cells(start_row=INFO_ROW, start_column=5, end_row=INFO_ROW, end_column=NCOLS)
    cell = sh.cell(INFO_ROW, 1, t("form.unit", LANG, unit=unit.name))
    cell.font = body
    cell.alignment = Alignment(horizontal="left", vertical="center")
    cell = sh.cell(INFO_ROW, 5, t("form.period", LANG, span=span))
    cell.font = body
    cell.alignment = Alignment(horizontal="right", vertical="center")
    sh.row_dimensions[INFO_ROW].height = ROW_HEIGHT + 4

    for c, text in enumerate(HEADERS, 1):
        cell = sh.cell(HEADER_ROW, c, text)
        cell.font = head_font
        cell.fill = head_fill
        cell.alignment = centre
        cell.border = border
    sh.row_dimensions[HEADER_ROW].height = ROW_HEIGHT + 6

    # Column widths come from the content, so no cell shows ### or cuts a name.
    inds = list(ws.indicators)
    target_vals = {i.code: _number(i, targets.unit_target(unit.code, i.code) if targets else None) for i in inds}
    prev_vals = {i.code: _number(i, previous.get(i.code)) for i in inds}
    widths = {
        1: 6.0,
        COL_NAME: column_width([i.name for i in inds] + [HEADERS[COL_NAME - 1]], minimum=20, maximum=40),
        3: column_width([i.unit for i in inds] + [HEADERS[2]], minimum=9, maximum=14),
        # numbers: +1 for the right indent, so a big figure never turns into ###
        COL_TARGET: column_width([_fmt(i, target_vals[i.code]) for i in inds] + [HEADERS[COL_TARGET - 1]],
                                 minimum=11, maximum=20, padding=3),
        COL_PREVIOUS: column_width([_fmt(i, prev_vals[i.code]) for i in inds] + [HEADERS[COL_PREVIOUS - 1]],
                                   minimum=11, maximum=20, padding=3),
        COL_VALUE: 14.0,
        COL_REMARK: 20.0,
    }
    for c, w in widths.items():
        sh.column_dimensions[get_column_letter(c)].width = w

    meta_rows: list[tuple[int, str]] = []
    for n, ind in enumerate(inds):
        r = FIRST_DATA_ROW + n
        meta_rows.append((r, ind.code))
        no_target = t("form.no_target", LANG)
        row = [n + 1, ind.name, ind.unit, target_vals[ind.code] if targets else None,
               prev_vals[ind.code], None, None]
        if targets is not None and target_vals[ind.code] is None:
            row[COL_TARGET - 1] = no_target
        for c, v in enumerate(row, 1):
            cell = sh.cell(r, c, v)
            cell.font = body
            cell.border = border
            if c in (COL_NAME,):
                cell.alignment = left
            elif c in (COL_TARGET, COL_PREVIOUS, COL_VALUE):
                cell.alignment = number_align
                cell.number_format = number_format(ind)
                if v == no_target:
                    cell.alignment = Alignment(horizontal="center", vertical="center")
            elif c == COL_REMARK:
                cell.alignment = left
            else:
                cell.alignment = centre
        for c in (COL_VALUE, COL_REMARK):
            cell = sh.cell(r, c)
            cell.fill = input_fill
            cell.protection = unlocked
        sh.row_dimensions[r].height = max(ROW_HEIGHT, 6 + LINE_HEIGHT * _lines(ind.name, widths[COL_NAME]))
        sh.add_data_validation(_validation(DataValidation, ind, period, f"{get_column_letter(COL_VALUE)}{r}"))
    last_data = FIRST_DATA_ROW + len(inds) - 1

    # One empty row, then the signature lines: label in B, input in C:D underlined.
    r = last_data + 2
    for key in ("form.signer", "form.phone", "form.date"):
        label = sh.cell(r, COL_NAME, t(key, LANG))
        label.font = body
        label.alignment = right
        sh.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)
        for c in (3, 4):
            cell = sh.cell(r, c)
            cell.border = underline
            cell.font = body
            cell.protection = unlocked
        sh.cell(r, 3).fill = input_fill
        sh.cell(r, 3).alignment = Alignment(horizontal="left", vertical="center")
        sh.row_dimensions[r].height = ROW_HEIGHT + 2
        r += 1

    # The note spans the table's width; its height follows its wrapped length.
    r += 1
    note = t("form.note", LANG, span=span, month=period.month)
    sh.merge_cells(start_row=r, start_column=1, end_row=r, end_column=NCOLS)
    cell = sh.cell(r, 1, note)
    cell.font = Font(name="宋体", size=10, color="595959")
    cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    total = sum(widths.values())
    sh.row_dimensions[r].height = 6 + 14 * _lines(note, total * 11 / 10)
    last_row = r

    sh.freeze_panes = f"A{FIRST_DATA_ROW}"
    sh.protection.sheet = True  # no password: it guards the layout, not secrets
    sh.protection.formatColumns = False
    sh.protection.formatRows = False
    sh.protection.formatCells = True
    print_setup(sh, orientation="portrait", last_row=last_row)
    sh.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"

    meta = wb.create_sheet(META_SHEET)
    pairs: list[tuple[object, object]] = [
        (META_VERSION, FORM_VERSION),
        (META_DISTRICT, district),
        (META_UNIT, unit.code),
        (META_UNIT_NAME, unit.name),
        (META_PERIOD, str(period)),
        (META_ROWS, None),
        *meta_rows,
    ]
    for i, (k, v) in enumerate(pairs, 1):
        meta.cell(i, 1, k)
        meta.cell(i, 2, v)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True

    wb.active = 0
    wb.properties.title = title
    wb.properties.subject = f"{unit.name} {span}"
    wb.properties.creator = ws.settings.issuer or district
    wb.properties.lastModifiedBy = ws.settings.issuer or district
    return wb


def _validation(cls: type, ind: Indicator, period: Period, ref: str) -> object:
    """A whole or decimal ``>= min`` check with a Chinese prompt that names span and unit."""
    kind = t("form.kind_int", LANG) if ind.is_integer else t("form.kind_dec", LANG, decimals=ind.decimals)
    if ind.kind == "stock":
        prompt = t("form.prompt_stock", LANG, month=period.month, unit=ind.unit, kind=kind)
    else:
        prompt = t("form.prompt_ytd", LANG, span=span_short(period), unit=ind.unit, kind=kind)
    lo = int(ind.min) if float(ind.min).is_integer() else ind.min
    error = t("form.error_int" if ind.is_integer else "form.error_dec", LANG, min=lo, unit=ind.unit)
    dv = cls(type="whole" if ind.is_integer else "decimal", operator="greaterThanOrEqual", formula1=str(lo),
             allow_blank=True, showInputMessage=True, showErrorMessage=True, errorStyle="stop",
             promptTitle=ind.name[:32], prompt=prompt[:255],
             errorTitle=t("form.error_title", LANG)[:32], error=error[:255])
    dv.add(ref)
    return dv


def print_setup(sh: object, *, orientation: str, last_row: int, lang: str = LANG) -> None:
    """A4, one page wide, centred, with page numbers: how the house prints every sheet."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    sh.page_setup.paperSize = sh.PAPERSIZE_A4
    sh.page_setup.orientation = orientation
    sh.page_setup.fitToWidth = 1
    sh.page_setup.fitToHeight = 0
    sh.sheet_properties.pageSetUpPr.fitToPage = True
    sh.print_options.horizontalCentered = True
    sh.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3)
    sh.oddFooter.center.text = t("form.footer", lang)
    sh.oddFooter.center.size = 9
    sh.print_area = f"A1:{get_column_letter(sh.max_column)}{last_row}"


def write_form(path: Path, ws: Workspace, unit: Unit, period: Period,
               previous: dict[str, float] | None = None) -> None:
    """Build and save one form atomically, so an interrupted run leaves no half file."""
    from reporting.workspace.atomic import atomic_path

    wb = build_form(ws, unit, period, previous)
    with atomic_path(Path(path)) as tmp:
        wb.save(tmp)


def write_forms(ws: Workspace, period: Period, *, units: list[str] | None = None, force: bool = False,
                previous: dict[str, dict[str, float]] | None = None) -> tuple[list[Path], list[Path]]:
    """Write a form for every unit (or the given codes); return (written, skipped).

    An existing form is skipped unless ``force``: the folder may hold forms
    the clerk has already sent out, or even filled in by hand.
    """
    known = {u.code for u in ws.units}
    if units is not None:
        unknown = [c for c in units if c not in known]
        if unknown:
            raise ReportingError(key="forms.err.unknown_units", codes=", ".join(unknown))
        wanted = set(units)
        chosen = [u for u in ws.units if u.code in wanted]
    else:
        chosen = list(ws.units)
    previous = previous or {}
    written: list[Path] = []
    skipped: list[Path] = []
    for unit in chosen:
        path = form_path(ws, unit, period)
        if path.exists() and not force:
            skipped.append(path)
            continue
        write_form(path, ws, unit, period, previous.get(unit.code))
        written.append(path)
    return written, skipped
