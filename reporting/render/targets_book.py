"""Write the annual targets workbook (``templates/targets/<year>.xlsx``) that the clerk fills in Excel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reporting.core.errors import WorkspaceError
from reporting.core.models import Indicator, Unit
from reporting.workspace.paths import targets_path
from reporting.workspace.targets import CODE_LABEL, DISTRICT_CODE, SHEET

if TYPE_CHECKING:
    from reporting.workspace.config import Workspace


def write_blank_targets(ws: Workspace, year: int, *, force: bool = False) -> Path:
    """Write ``templates/targets/<year>.xlsx`` for the clerk to fill in."""
    path = targets_path(ws, year)
    if path.exists() and not force:
        raise WorkspaceError(key="targets.err.exists", path=path)
    write_targets_workbook(
        path, year=year, district=ws.settings.district, units=ws.units, indicators=ws.indicators,
        group_names={g.code: g.name for g in ws.groups},
    )
    return path


def write_targets_workbook(path: Path, *, year: int, district: str, units: tuple[Unit, ...],
                           indicators: tuple[Indicator, ...], group_names: dict[str, str],
                           values: dict[str, dict[str, float | None]] | None = None) -> None:
    """Write a targets workbook, formatted and protected except for the target cells."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from reporting.core.textnorm import column_width
    from reporting.workspace.atomic import atomic_path

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
