"""The history workbook (``templates/history/<year>.xlsx``): the years before the tool, filled by the clerk.

One sheet per indicator; rows are units, columns the twelve months; each cell
is the unit's year-to-date value at the end of that month (a stock indicator:
its level). Protected like the targets workbook: only the yellow cells can be
edited; row 3 carries the codes the import reads (indicator code in B3, the
period of each month column), so renaming a unit or a sheet does no harm.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reporting.core.errors import WorkspaceError

if TYPE_CHECKING:
    from reporting.workspace.config import Workspace

CODE_LABEL = "代码"
FIRST_MONTH_COL = 4  # D


def history_path(ws: Workspace, year: int) -> Path:
    return ws.templates / "history" / f"{year}.xlsx"


def write_history_template(ws: Workspace, year: int, *, force: bool = False,
                           values: dict[str, dict[str, dict[str, float]]] | None = None,
                           path: Path | None = None) -> Path:
    """Write the history workbook for ``year``; ``values``: period -> unit -> indicator -> value."""
    path = path or history_path(ws, year)
    if path.exists() and not force:
        raise WorkspaceError(key="history.err.exists", path=path)
    write_history_workbook(path, ws, year, values or {})
    return path


def write_history_workbook(path: Path, ws: Workspace, year: int,
                           values: dict[str, dict[str, dict[str, float]]]) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from reporting.workspace.atomic import atomic_path

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    input_fill = PatternFill("solid", fgColor="FFF9E5")
    body = Font(name="宋体", size=11)
    small = Font(name="Arial", size=8, color="808080")
    groups = {g.code: g.name for g in ws.groups}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ncols = FIRST_MONTH_COL + 11
    for ind in ws.indicators:
        sh = wb.create_sheet(ind.name[:31])
        sh.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
        kind = "各月末累计" if ind.kind == "ytd" else "各月末存量"
        sh.cell(1, 1, f"{ws.settings.district}{year}年{ind.name}（{ind.unit}）{kind}").font = Font(
            name="黑体", size=14, bold=True)
        sh.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
        sh.row_dimensions[1].height = 28
        for c, h in enumerate(["单位代码", "单位名称", "分组"] + [f"1-{m}月" if ind.kind == "ytd" else f"{m}月"
                                                                   for m in range(1, 13)], 1):
            cell = sh.cell(2, c, h)
            cell.font = Font(name="黑体", size=10, bold=True)
            cell.fill = head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
        sh.cell(3, 1, CODE_LABEL)
        sh.cell(3, 2, ind.code)
        for m in range(1, 13):
            sh.cell(3, FIRST_MONTH_COL + m - 1, f"{year:04d}-{m:02d}")
        for c in range(1, ncols + 1):
            sh.cell(3, c).font = small
            sh.cell(3, c).border = border
        fmt = "#,##0" if ind.is_integer else "#,##0." + "0" * ind.decimals
        for r, u in enumerate(ws.units, 4):
            for c, v in enumerate((u.code, u.name, groups.get(u.group, u.group)), 1):
                cell = sh.cell(r, c, v)
                cell.font = small if c == 1 else body
                cell.border = border
            for m in range(1, 13):
                v = values.get(f"{year:04d}-{m:02d}", {}).get(u.code, {}).get(ind.code)
                cell = sh.cell(r, FIRST_MONTH_COL + m - 1, v)
                cell.font = body
                cell.border = border
                cell.fill = input_fill
                cell.number_format = fmt
                cell.protection = Protection(locked=False)
        last = 3 + len(ws.units)
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="输入有误", error="请填写不小于 0 的数字，未知的留空")
        sh.add_data_validation(dv)
        dv.add(f"{get_column_letter(FIRST_MONTH_COL)}4:{get_column_letter(ncols)}{last}")
        sh.cell(last + 2, 1, "说明：黄色单元格填写各月末的本年累计值（存量指标填月末数）；未知的留空。"
                             "第 3 行为代码，请勿修改。导入：reporting history import").font = Font(
            name="宋体", size=10, color="595959")
        sh.column_dimensions["A"].width = 14
        sh.column_dimensions["B"].width = 16
        sh.column_dimensions["C"].width = 10
        for c in range(FIRST_MONTH_COL, ncols + 1):
            sh.column_dimensions[get_column_letter(c)].width = 9
        sh.freeze_panes = "D4"
        sh.protection.sheet = True
        sh.protection.formatColumns = False
        sh.page_setup.orientation = "landscape"
        sh.page_setup.fitToWidth = 1
        sh.page_setup.fitToHeight = 0
        sh.sheet_properties.pageSetUpPr.fitToPage = True
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        wb.save(tmp)
