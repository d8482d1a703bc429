"""Annual targets workbooks: ``templates/targets/<year>.xlsx``.

The clerk edits these in Excel each year, so the layout is plain: units as
rows, indicators as columns, a row of indicator codes under the names (so
renaming a display name never breaks reading), and a 全区 row whose blank
cells mean "the sum of the units' targets".
"""

from __future__ import annotations

import re
from pathlib import Path

from reporting.models import Indicator, Unit

SHEET = "年度目标"
CODE_LABEL = "指标代码"
DISTRICT_CODE = "district"
_YEAR_FILE = re.compile(r"^(\d{4})\.xlsx$")


def read_targets_dir(folder: Path, units: tuple[Unit, ...], indicators: tuple[Indicator, ...],
                     problems: list[str]) -> dict[int, object]:
    """Read every ``<year>.xlsx`` in ``folder``; append problems as ``file sheet!cell: message``."""
    from reporting.config import Targets

    out: dict[int, object] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        m = _YEAR_FILE.match(path.name)
        if not m or path.name.startswith("~$"):
            continue
        year = int(m.group(1))
        units_t, district_t = read_targets(path, units, indicators, problems)
        out[year] = Targets(year, units_t, district_t, f"templates/targets/{path.name}")
    return out


def get_column_letter(col: int) -> str:
    """1 -> A, 27 -> AA (without importing openpyxl just for this)."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_targets(path: Path, units: tuple[Unit, ...], indicators: tuple[Indicator, ...],
                 problems: list[str]) -> tuple[dict[str, dict[str, float | None]], dict[str, float | None]]:
    """Targets per unit and for the district; problems are appended with their sheet!cell."""
    import python_calamine

    rel = f"templates/targets/{path.name}"
    try:  # calamine: values only, fast; the clerk's workbook holds plain numbers
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        title = SHEET if SHEET in book.sheet_names else book.sheet_names[0]
        rows = [tuple(None if v == "" else v for v in r) for r in book.get_sheet_by_name(title).to_python()]
        book.close()
    except BaseException as exc:  # noqa: B036 - a native panic must become one clear message too
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        problems.append(f"{rel}: 无法读取目标表（{type(exc).__name__}），请用 Excel 另存为 .xlsx")
        return {}, {}

    def cell(r: int, c: int) -> object:
        row = rows[r - 1] if r - 1 < len(rows) else ()
        return row[c - 1] if c - 1 < len(row) else None

    known_ind = {i.code for i in indicators}
    known_unit = {u.code for u in units}
    codes_row = next((r for r in range(1, min(len(rows), 20) + 1)
                      if str(cell(r, 1) or "").strip() == CODE_LABEL), None)
    if codes_row is None:
        problems.append(f"{rel} {title}: 找不到“{CODE_LABEL}”行，请用 reporting targets 重新生成目标表")
        return {}, {}
    columns: dict[int, str] = {}
    for c in range(4, len(rows[codes_row - 1]) + 1):
        code = str(cell(codes_row, c) or "").strip()
        if not code:
            continue
        if code not in known_ind:
            problems.append(f"{rel} {title}!{get_column_letter(c)}{codes_row}: 未知的指标代码 {code!r}")
            continue
        columns[c] = code
    unit_targets: dict[str, dict[str, float | None]] = {}
    district: dict[str, float | None] = {}
    for r in range(codes_row + 1, len(rows) + 1):
        code = str(cell(r, 1) or "").strip()
        if not code or code.startswith(("说明", "注")):
            continue
        if code != DISTRICT_CODE and code not in known_unit:
            problems.append(f"{rel} {title}!A{r}: 未知的单位代码 {code!r}（见 workspace.toml 的 [[units]]）")
            continue
        row: dict[str, float | None] = {}
        for c, ind in columns.items():
            v = cell(r, c)
            ref = f"{rel} {title}!{get_column_letter(c)}{r}"
            if v is None or (isinstance(v, str) and not v.strip()):
                row[ind] = None
            elif isinstance(v, int | float) and not isinstance(v, bool):
                if v < 0:
                    problems.append(f"{ref}: 目标值不能为负数（{v:g}）")
                    row[ind] = None
                else:
                    row[ind] = float(v)
            else:
                problems.append(f"{ref}: 目标值必须是数字，而不是 {v!r}")
                row[ind] = None
        if code == DISTRICT_CODE:
            district = row
        else:
            unit_targets[code] = row
    return unit_targets, district


def write_targets_workbook(path: Path, *, year: int, district: str, units: tuple[Unit, ...],
                           indicators: tuple[Indicator, ...], group_names: dict[str, str],
                           values: dict[str, dict[str, float | None]] | None = None) -> None:
    """Write a targets workbook, formatted and protected except for the target cells."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from reporting.atomic import atomic_path
    from reporting.textnorm import column_width

    values = values or {}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    input_fill = PatternFill("solid", fgColor="FFF9E5")
    body = Font(name="宋体", size=11)
    ncols = 3 + len(indicators)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.cell(1, 1, f"{district}{year}年科技创新重点指标年度目标").font = Font(name="黑体", size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    headers = ["单位代码", "单位名称", "分组"] + [f"{i.name}\n（{i.unit}）" for i in indicators]
    for c, h in enumerate(headers, 1):
        cell = ws.cell(2, c, h)
        cell.font = Font(name="黑体", size=10, bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    ws.row_dimensions[2].height = 58
    ws.cell(3, 1, CODE_LABEL)
    for c, ind in enumerate(indicators, 4):
        ws.cell(3, c, ind.code)
    for c in range(1, ncols + 1):
        ws.cell(3, c).font = Font(name="Arial", size=8, color="808080")
        ws.cell(3, c).border = border
    rows = [(u.code, u.name, group_names.get(u.group, u.group)) for u in units]
    rows.append((DISTRICT_CODE, "全区合计", ""))
    dv_int = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="输入有误", error="目标值必须是不小于 0 的数字",
                            showInputMessage=True, promptTitle="年度目标", prompt="请输入年度目标；不设目标请留空")
    ws.add_data_validation(dv_int)
    for r, (code, name, group) in enumerate(rows, 4):
        for c, v in enumerate((code, name, group), 1):
            cell = ws.cell(r, c, v)
            cell.font = Font(name="Arial", size=9, color="808080") if c == 1 else body
            cell.border = border
        for c, ind in enumerate(indicators, 4):
            v = values.get(code, {}).get(ind.code)
            cell = ws.cell(r, c, v)
            cell.font = body
            cell.border = border
            cell.fill = input_fill
            cell.protection = Protection(locked=False)
            cell.number_format = "#,##0" if ind.is_integer else "#,##0." + "0" * ind.decimals
    last = 3 + len(rows)
    # one range for all target cells: one per row is quadratic in openpyxl (MultiCellRange.add
    # tests containment against every range already added): 203 s for 20,000 units, now 14 s
    dv_int.add(f"D4:{get_column_letter(ncols)}{last}")
    ws.cell(last + 2, 1, "说明：黄色单元格填写年度目标；不设目标的留空。“全区合计”一行留空时，按各单位目标之和计算。"
                         "第 3 行为指标代码，请勿修改。").font = Font(name="宋体", size=10, color="595959")
    ws.column_dimensions["A"].width = column_width([r[0] for r in rows] + [CODE_LABEL], maximum=14)
    ws.column_dimensions["B"].width = column_width([r[1] for r in rows], minimum=12)
    ws.column_dimensions["C"].width = 12
    for c in range(4, ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = 13
    ws.freeze_panes = "D4"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:3"
    ws.print_options.horizontalCentered = True
    with atomic_path(path) as tmp:
        wb.save(tmp)
