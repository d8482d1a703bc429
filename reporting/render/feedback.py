"""What a unit gets back about its problems: its own figures, marked, and a list.

The copy of the unit's sheet keeps every value at the cell address it had in
their file, so that "填报表!F7" in the list and in the email points at the
same cell in both. Problem cells are filled (red: must be fixed, orange:
please check) and carry a comment with the message. The values come from the
reader's grids; from the unit's own .xlsx (read only, and only when its bytes
are still those that were read) come the number formats and column widths, so
the copy looks like the form the unit filled. The list of problems is the
first sheet: it is what the unit must read first.

Everything that came from a submission is data: a text that starts with "="
is written as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from reporting.core.issuetypes import ERROR, INFO, WARNING
from reporting.core.messages import t
from reporting.render.forms import print_setup

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from reporting.core.models import Issue, Submission
    from reporting.io.book import Grid
    from reporting.workspace.config import Workspace

FILLS = {ERROR: "FF9C9C", WARNING: "FFC866", INFO: "DDEBF7"}  # red, orange, pale blue
TEXT_COLORS = {ERROR: "C00000", WARNING: "B35C00", INFO: "595959"}
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
_MAX_CELL_TEXT = 32767  # Excel's limit on the characters in one cell
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class _Mark:
    """The issues that land on one cell of the copy, merged into one fill and one comment."""

    severity: str
    lines: list[str]


def write_feedback(path: Path, ws: Workspace, submission: Submission, sheets: list[Grid] | None,
                   lang: str = "zh", source: Path | None = None) -> None:
    """Write the unit's feedback workbook atomically.

    ``sheets`` are the reader's grids of the unit's file. Without them (or when
    none can be matched) the submission's values are laid out in the standard
    form instead, and problems are marked on their indicator's row.
    ``source`` is the unit's file (default: inbox/ + the submission's name),
    read for its number formats and column widths.
    """
    import openpyxl

    from reporting.workspace.atomic import atomic_path

    issues = sorted(submission.issues, key=lambda i: _RANK.get(i.severity, 3))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    author = ws.settings.issuer or ws.settings.district

    issues_title = t("feedback.issues_sheet", lang)
    grids = _sheets_to_copy(submission, sheets or [])
    truncated: list[Grid] = []
    if grids:
        looks = _source_looks(source if source is not None else ws.inbox / submission.file, submission,
                              [g.name for g in grids], ws.settings.max_file_mb)
        for grid in grids:
            name = _sheet_title(grid.name, taken=set(wb.sheetnames) | {issues_title}, lang=lang)
            sh = wb.create_sheet(name)
            formats, widths = looks.get(grid.name, ({}, {}))
            _copy_grid(sh, grid, formats)
            marks = _marks_by_cell(issues, grid.name, lang)
            _apply_marks(sh, marks, author)
            _fit_columns(sh)
            for col, width in widths.items():  # the unit's own widths win over the fitted ones
                sh.column_dimensions[_letter(col)].width = width
            _spread_lonely_text(sh)
            print_setup(sh, orientation="portrait", last_row=max(sh.max_row, 1), lang=lang)
            sh.oddHeader.center.text = _header_text(ws, submission, lang)
            sh.oddHeader.center.size = 9
            if grid.truncated:
                truncated.append(grid)
    else:
        sh = wb.create_sheet(_standard_sheet_name(lang))
        marks = _standard_layout(sh, ws, submission, issues, lang)
        _apply_marks(sh, marks, author)

    _issue_sheet(wb.create_sheet(issues_title, 0), ws, submission, issues, truncated, lang)
    wb.active = 0  # the list first; each mark's location points into the copies after it
    unit_name = _unit_name(ws, submission, lang)
    wb.properties.title = t("feedback.title", lang, unit=unit_name, span=_span(submission, lang))
    wb.properties.creator = author
    wb.properties.lastModifiedBy = author
    with atomic_path(Path(path)) as tmp:
        wb.save(tmp)


# --------------------------------------------------------------------------- choosing and copying


def _sheets_to_copy(submission: Submission, sheets: list[Grid]) -> list[Grid]:
    """The sheets the issues point at; else the sheet the values came from; else the visible data sheet."""
    from reporting.core.formlayout import DATA_SHEET

    by_name = {g.name: g for g in sheets}
    named: list[str] = []
    for i in submission.issues:
        if i.sheet in by_name and i.cell and i.sheet not in named:
            named.append(i.sheet)
    if not named:
        for cv in submission.values.values():
            if cv.sheet in by_name and cv.sheet not in named:
                named.append(cv.sheet)
    if not named and DATA_SHEET in by_name:
        named.append(DATA_SHEET)
    if not named:
        named.extend(g.name for g in sheets if g.state == "visible")
        del named[1:]
    order = [g.name for g in sheets]
    return [by_name[n] for n in sorted(named, key=order.index)]


def _sheet_title(name: str, *, taken: set[str], lang: str) -> str:
    """The unit's sheet name when Excel allows it here, so that locations still read true."""
    title = name if name and len(name) <= 31 and not _BAD_SHEET_CHARS.search(name) else ""
    title = title.strip("'") or t("feedback.sheet", lang)
    base, n = title, 2
    while title in taken:
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    return title


def _standard_sheet_name(lang: str) -> str:
    from reporting.core.formlayout import DATA_SHEET

    return DATA_SHEET if lang == "zh" else t("feedback.sheet", lang)


def _put(cell: Any, value: object) -> None:
    """Write one submitted value as data: text stays text, never a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return
    if isinstance(value, bool | int):
        cell.value = value
    elif isinstance(value, float):
        cell.value = value if math.isfinite(value) else str(value)
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        if getattr(value, "tzinfo", None) is not None:
            value = value.replace(tzinfo=None)
        cell.value = value
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:_MAX_CELL_TEXT]
        cell.value = text
        if cell.data_type == "f":  # openpyxl takes a leading "=" for a formula; the unit sent text
            cell.data_type = "s"


def _copy_grid(sh: Worksheet, grid: Grid, formats: dict[tuple[int, int], str] | None = None) -> None:
    """Each value at its own address, in the unit's number format; gridlines print in place of lost borders."""
    from openpyxl.styles import Alignment, Font

    body = Font(name="宋体", size=11)
    middle = Alignment(vertical="center")
    formats = formats or {}
    for r, row in enumerate(grid.rows, 1):
        for c, value in enumerate(row, 1):
            if value is not None and value != "":
                cell = sh.cell(r, c)
                _put(cell, value)
                cell.font = body
                cell.alignment = middle
                fmt = formats.get((r, c))
                if fmt and cell.data_type == "n":
                    cell.number_format = fmt
        sh.row_dimensions[r].height = 20
    sh.print_options.gridLines = True


def _fit_columns(sh: Worksheet) -> None:
    """CJK-aware widths so the copied figures are readable, not ### .

    A value alone on its row (a title, a note) was probably merged across the
    table in the unit's file; it may overflow, so it does not widen its column.
    """
    from openpyxl.utils import get_column_letter

    from reporting.core.textnorm import column_width

    columns: dict[int, list[object]] = {}
    for row in sh.iter_rows():
        filled = [cell for cell in row if cell.value is not None]
        if len(filled) < 2:
            continue
        for cell in filled:
            columns.setdefault(cell.column, []).append(_shown(cell.value))
    for c, values in columns.items():
        sh.column_dimensions[get_column_letter(c)].width = column_width(values, minimum=8, maximum=40)


def _spread_lonely_text(sh: Worksheet) -> None:
    """Let a long text alone on its row (a title, a note) span the empty cells to its right and wrap.

    Only empty cells are merged in, so no address changes and nothing is hidden.
    """
    from openpyxl.styles import Alignment

    from reporting.core.textnorm import display_width

    last_col = sh.max_column
    for row in sh.iter_rows():
        filled = [cell for cell in row if cell.value is not None]
        if len(filled) != 1 or not isinstance(filled[0].value, str) or filled[0].column >= last_col:
            continue
        cell = filled[0]
        width = sum(sh.column_dimensions[_letter(c)].width or 8.43 for c in range(cell.column, last_col + 1))
        own = sh.column_dimensions[_letter(cell.column)].width or 8.43
        lines = cell.value.splitlines() or [""]
        if len(lines) == 1 and display_width(cell.value) <= own:
            continue
        sh.merge_cells(start_row=cell.row, start_column=cell.column, end_row=cell.row, end_column=last_col)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        wrapped = sum(max(1, math.ceil(display_width(x) / max(1.0, width - 2))) for x in lines)
        sh.row_dimensions[cell.row].height = max(20, 6 + 15 * wrapped)


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _shown(value: object) -> str:
    """Roughly the text a spreadsheet shows for ``value``."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- the unit's formats and widths

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

Looks = dict[str, tuple[dict[tuple[int, int], str], dict[int, float]]]


def _source_looks(path: Path, submission: Submission, names: list[str], max_mb: float) -> Looks:
    """Per sheet: number formats by (row, column), 1-based, and column widths, from the unit's .xlsx.

    Read from the package's XML (styles.xml, the sheets' <cols> and cell
    styles), not by loading the workbook: fast, and nothing is evaluated.
    Anything unreadable (not a zip, changed since it was read, too large)
    gives no formats: the copy is still right, only plainer.
    """
    try:
        if not path.is_file() or path.stat().st_size > max_mb * 1024 * 1024:
            return {}
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != submission.sha256 or not zipfile.is_zipfile(io.BytesIO(data)):
            return {}
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = _sheet_members(z)
            styles = _cell_formats(z)
            return {name: _sheet_looks(z, members[name], styles) for name in names if name in members}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError, RuntimeError):
        return {}


def _sheet_members(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member, from workbook.xml and its relationships."""
    from posixpath import join, normpath

    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    out: dict[str, str] = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        if target:
            out[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
    return out


def _cell_formats(z: zipfile.ZipFile) -> list[str]:
    """The number format code of each cell style (cellXfs index), built-in formats by their id."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    try:
        root = ElementTree.fromstring(z.read("xl/styles.xml"))
    except KeyError:
        return []
    custom = {int(f.get("numFmtId", -1)): f.get("formatCode", "") for f in root.iter(f"{_MAIN}numFmt")}
    xfs = root.find(f"{_MAIN}cellXfs")
    out = []
    for xf in (xfs if xfs is not None else []):
        fid = int(xf.get("numFmtId", 0) or 0)
        out.append(custom.get(fid) or BUILTIN_FORMATS.get(fid, "General"))
    return out


def _sheet_looks(z: zipfile.ZipFile, member: str, styles: list[str]) -> tuple[dict[tuple[int, int], str], dict[int, float]]:
    from openpyxl.utils.cell import coordinate_to_tuple

    formats: dict[tuple[int, int], str] = {}
    widths: dict[int, float] = {}
    with z.open(member) as fh:
        for _event, el in ElementTree.iterparse(fh):
            if el.tag == f"{_MAIN}c":
                s_idx, ref = el.get("s"), el.get("r")
                if s_idx and ref and int(s_idx) < len(styles) and styles[int(s_idx)] != "General":
                    formats[coordinate_to_tuple(ref)] = styles[int(s_idx)]
                el.clear()
            elif el.tag == f"{_MAIN}col":
                width = float(el.get("width", 0) or 0)
                if width > 0 and el.get("hidden") not in ("1", "true"):
                    for col in range(int(el.get("min", 1)), min(int(el.get("max", 1)), 16384) + 1):
                        widths[col] = width
            elif el.tag == f"{_MAIN}row":
                el.clear()
    return formats, widths


# --------------------------------------------------------------------------- marking problems


def _comment_line(issue: Issue, lang: str) -> str:
    return t("feedback.comment", lang, severity=t(f"feedback.severity.{issue.severity}", lang),
             message=issue.message(lang))


def _cells_of(ref: str) -> list[tuple[int, int]]:
    """The (row, column) pairs of ``F7`` or ``B7:G7``; nothing for what is not a cell reference."""
    from openpyxl.utils.cell import range_boundaries

    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", "").upper())
    except (ValueError, TypeError):
        return []
    if None in (min_col, min_row, max_col, max_row):
        return []
    if (max_row - min_row + 1) * (max_col - min_col + 1) > 200:  # a whole-column reference: mark its corner
        return [(min_row, min_col)]
    return [(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def _add(marks: dict[tuple[int, int], _Mark], at: tuple[int, int], severity: str, line: str) -> None:
    mark = marks.get(at)
    if mark is None:
        marks[at] = _Mark(severity, [line])
        return
    if _RANK.get(severity, 3) < _RANK.get(mark.severity, 3):
        mark.severity = severity
    if line not in mark.lines:
        mark.lines.append(line)


def _marks_by_cell(issues: list[Issue], sheet: str, lang: str) -> dict[tuple[int, int], _Mark]:
    marks: dict[tuple[int, int], _Mark] = {}
    for issue in issues:
        if issue.sheet != sheet or not issue.cell:
            continue
        line = _comment_line(issue, lang)
        for at in _cells_of(issue.cell):
            _add(marks, at, issue.severity, line)
    return marks


def _apply_marks(sh: Worksheet, marks: dict[tuple[int, int], _Mark], author: str) -> None:
    """Fill each problem cell by its worst severity; one comment holds all its messages."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from reporting.core.textnorm import display_width

    for (r, c), mark in sorted(marks.items()):
        cell = sh.cell(r, c)
        cell.fill = PatternFill("solid", fgColor=FILLS.get(mark.severity, FILLS[INFO]))
        text = "\n".join(mark.lines)
        lines = sum(max(1, math.ceil(display_width(x) / 40)) for x in mark.lines)
        comment = Comment(text, author, height=min(400, 24 + 15 * lines), width=260)
        cell.comment = comment


# --------------------------------------------------------------------------- without grids


def _standard_layout(sh: Worksheet, ws: Workspace, submission: Submission, issues: list[Issue],
                     lang: str) -> dict[tuple[int, int], _Mark]:
    """The submission's figures in the tool's own form layout; marks go on each indicator's value cell."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from reporting.core import formlayout as fl
    from reporting.core.periods import Period
    from reporting.core.textnorm import column_width
    from reporting.render.forms import number_format

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name="宋体", size=11)
    headers = fl.HEADERS if lang == "zh" else fl.HEADERS_EN
    period = None
    if submission.period:
        try:
            period = Period.parse(str(submission.period))
        except ValueError:
            period = None
    targets = ws.targets_for(period.year) if period else None
    unit_name = _unit_name(ws, submission, lang)

    sh.merge_cells(start_row=fl.TITLE_ROW, start_column=1, end_row=fl.TITLE_ROW, end_column=len(headers))
    cell = sh.cell(fl.TITLE_ROW, 1, t("feedback.title", lang, unit=unit_name, span=_span(submission, lang)))
    cell.font = Font(name="黑体", size=14, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    sh.row_dimensions[fl.TITLE_ROW].height = 30
    cell = sh.cell(fl.INFO_ROW, 1, t("form.unit", lang, unit=unit_name))
    cell.font = body
    for c, text in enumerate(headers, 1):
        cell = sh.cell(fl.HEADER_ROW, c, text)
        cell.font = Font(name="黑体", size=11, bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border

    marks: dict[tuple[int, int], _Mark] = {}
    row_of: dict[str, int] = {}
    for n, ind in enumerate(ws.indicators):
        r = fl.FIRST_DATA_ROW + n
        row_of[ind.code] = r
        cv = submission.values.get(ind.code)
        target = targets.unit_target(submission.unit, ind.code) if targets and submission.unit else None
        sent = None if cv is None else (cv.raw if cv.raw is not None else cv.value)
        values = [n + 1, ind.display_name(lang), ind.display_unit(lang), target, None, None,
                  submission.remarks.get(ind.code)]
        for c, v in enumerate(values, 1):
            cell = sh.cell(r, c)
            _put(cell, v)
            cell.font = body
            cell.border = border
            cell.alignment = Alignment(horizontal="center" if c in (1, 3) else None, vertical="center")
        _put(sh.cell(r, fl.COL_VALUE), sent)
        for c in (fl.COL_TARGET, fl.COL_VALUE):
            sh.cell(r, c).number_format = number_format(ind)
        sh.row_dimensions[r].height = 22
    for issue in issues:
        r = row_of.get(issue.indicator)
        if r is None:
            continue
        line = _comment_line(issue, lang)
        if issue.where:
            line = f"[{issue.where}] {line}"
        _add(marks, (r, fl.COL_VALUE), issue.severity, line)

    sh.column_dimensions["A"].width = 6
    sh.column_dimensions["B"].width = column_width([i.display_name(lang) for i in ws.indicators], minimum=20,
                                                   maximum=40)
    sh.column_dimensions["C"].width = column_width([i.display_unit(lang) for i in ws.indicators] + [headers[2]],
                                                   minimum=9, maximum=16)
    for c in (fl.COL_TARGET, fl.COL_PREVIOUS, fl.COL_VALUE):
        sh.column_dimensions[get_column_letter(c)].width = 13
    sh.column_dimensions[get_column_letter(fl.COL_REMARK)].width = 24
    sh.freeze_panes = f"A{fl.FIRST_DATA_ROW}"
    print_setup(sh, orientation="portrait", last_row=fl.FIRST_DATA_ROW + len(ws.indicators) - 1, lang=lang)
    return marks


# --------------------------------------------------------------------------- the list


def _issue_sheet(sh: Worksheet, ws: Workspace, submission: Submission, issues: list[Issue],
                 truncated: list[Grid], lang: str) -> None:
    """Title, a line on what to do, then one row per problem, errors first."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from reporting.core.textnorm import column_width, display_width

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body = Font(name="宋体", size=11)
    wrap = Alignment(horizontal="left", vertical="center", wrap_text=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    keys = ("no", "severity", "where", "indicator", "message")
    headers = [t(f"feedback.col.{k}", lang) for k in keys]
    ncols = len(headers)

    rows: list[tuple[int, str, str, str, str, str]] = []
    for n, issue in enumerate(issues, 1):
        where = issue.where or t("feedback.whole_file", lang)
        name = ""
        if issue.indicator:
            name = next((i.display_name(lang) for i in ws.indicators if i.code == issue.indicator), issue.indicator)
        rows.append((n, issue.severity, t(f"feedback.severity.{issue.severity}", lang), where, name,
                     issue.message(lang)))

    widths = [
        6.0,
        column_width([headers[1]] + [r[2] for r in rows], minimum=10, maximum=14),
        column_width([headers[2]] + [r[3] for r in rows], minimum=14, maximum=30),
        column_width([headers[3]] + [r[4] for r in rows], minimum=14, maximum=30),
        70.0,
    ]
    for c, w in enumerate(widths, 1):
        sh.column_dimensions[get_column_letter(c)].width = w
    total = sum(widths)

    sh.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    cell = sh.cell(1, 1, t("feedback.title", lang, unit=_unit_name(ws, submission, lang), span=_span(submission, lang)))
    cell.font = Font(name="黑体", size=14, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    sh.row_dimensions[1].height = 30

    errors = sum(1 for i in issues if i.severity == ERROR)
    warnings = sum(1 for i in issues if i.severity == WARNING)
    infos = sum(1 for i in issues if i.severity == INFO)
    summary = t("feedback.summary", lang, file=_text(submission.file), errors=errors, warnings=warnings,
                infos=infos)
    for grid in truncated:
        summary += t("feedback.truncated", lang, rows=len(grid.rows), cols=max((len(r) for r in grid.rows), default=0))
    sh.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    cell = sh.cell(2, 1)
    _put(cell, summary)
    cell.font = Font(name="宋体", size=10, color="404040")
    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    sh.row_dimensions[2].height = 8 + 14 * max(1, math.ceil(display_width(summary) / (total * 1.05)))

    head_row = 3
    for c, text in enumerate(headers, 1):
        cell = sh.cell(head_row, c, text)
        cell.font = Font(name="黑体", size=11, bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = centre
        cell.border = border
    sh.row_dimensions[head_row].height = 24

    r = head_row
    for n, severity, label, where, name, message in rows:
        r += 1
        for c, v in enumerate((n, label, where, name, message), 1):
            cell = sh.cell(r, c)
            _put(cell, v)
            cell.font = body
            cell.border = border
            cell.alignment = centre if c in (1, 2) else wrap
        sev = sh.cell(r, 2)
        sev.font = Font(name="宋体", size=11, bold=severity == ERROR, color=TEXT_COLORS.get(severity, "000000"))
        sev.fill = PatternFill("solid", fgColor=FILLS.get(severity, FILLS[INFO]))
        lines = max(_wrapped(message, widths[4]), _wrapped(name, widths[3]), _wrapped(where, widths[2]))
        sh.row_dimensions[r].height = max(22, 7 + 15 * lines)
    if not rows:
        r += 1
        sh.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
        cell = sh.cell(r, 1, t("feedback.none", lang))
        cell.font = body
        cell.alignment = centre
        sh.row_dimensions[r].height = 24

    sh.freeze_panes = f"A{head_row + 1}"
    sh.auto_filter.ref = f"A{head_row}:{get_column_letter(ncols)}{max(r, head_row + 1)}"
    if errors:
        sh.sheet_properties.tabColor = "C00000"
    print_setup(sh, orientation="landscape", last_row=r, lang=lang)
    sh.print_title_rows = f"{head_row}:{head_row}"


def _wrapped(text: str, width: float) -> int:
    from reporting.core.textnorm import display_width

    usable = max(1.0, width - 2)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in str(text).splitlines() or [""])


def _header_text(ws: Workspace, submission: Submission, lang: str) -> str:
    """The printed page header of the copy: a title there shifts no cell."""
    text = t("feedback.title", lang, unit=_unit_name(ws, submission, lang), span=_span(submission, lang))
    return text.replace("&", "&&")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _unit_name(ws: Workspace, submission: Submission, lang: str) -> str:
    unit = next((u for u in ws.units if u.code == submission.unit), None)
    return unit.display_name(lang) if unit else t("feedback.unknown_unit", lang)


def _span(submission: Submission, lang: str) -> str:
    """``2022年1-11月`` for the submission's period, or nothing when it is unknown."""
    from reporting.core.periods import Period

    if not submission.period:
        return ""
    try:
        p = Period.parse(str(submission.period))
    except ValueError:
        return str(submission.period)
    if lang == "zh":
        return p.range_zh()
    import calendar

    return f"Jan-{calendar.month_abbr[p.month]} {p.year}" if p.month > 1 else p.label_en()
