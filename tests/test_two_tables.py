"""A workbook that keeps more than one table: another year's below this one, or a sheet per year.

Units keep last year's table under this year's on one sheet, or a workbook with a sheet per year
(2021年 | 2022年). The tool read both tables on one sheet as one (every indicator on two rows,
so nothing counted, with a message to delete "the extra row"), and called a sheet per year
ambiguous while filing the file under the first sheet's period. Now the first table is read when
the second is dated another period (a warning says so); a second table nothing dates apart keeps
the whole file out; a sheet per year is read at the period's year, and that sheet's title and
name are then weighed as evidence. Workbooks are built here; read through ``ingest`` and the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from support import found, one, only, values

from reporting.cli import cli
from reporting.core.periods import Period
from reporting.ingest.pipeline import ingest
from reporting.workspace.config import Workspace

NOV = Period(2022, 11)


def figures(ws: Workspace, base: float) -> dict[str, float]:
    out = {ind.code: base + n for n, ind in enumerate(ws.indicators)}
    out["hte_recognised"] = base / 4  # never above the applications (a catalogue le rule)
    return out


def table(sh: Any, ws: Workspace, title: str | None, values: dict[str, float], unit: str = "湖塘镇") -> None:
    if title is not None:
        sh.append([title])
        sh.append([f"填报单位：{unit}"])
    sh.append(["指标名称", "本年累计"])
    for ind in ws.indicators:
        sh.append([ind.name, values[ind.code]])


def save(ws: Workspace, wb: openpyxl.Workbook, name: str) -> Path:
    path = ws.inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


@pytest.mark.parametrize(("second_title", "other"), [("湖塘镇2021年1-11月科技指标完成情况", "2021年11月"),
                                                     ("2021年度", "2021年"), ("上月（2022年10月）", "2022年10月")])
def test_a_table_of_another_period_below_is_left_and_said(ws: Workspace, second_title: str, other: str) -> None:
    wb = openpyxl.Workbook()
    sh = wb.active
    now = figures(ws, 40)
    table(sh, ws, "湖塘镇2022年1-11月科技指标完成情况", now)
    sh.append([])
    sh.append([second_title])
    table(sh, ws, None, figures(ws, 10))
    save(ws, wb, "湖塘镇.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.status == "used" and sub.period == "2022-11"
    assert values(sub) == now
    assert not found(sub, "conflicting-rows")
    second = one(sub, "second-table")
    header_row = 4 + len(ws.indicators) + 2  # title, unit, header, rows, blank, second title, header
    assert second.cell == f"A{header_row}" and dict(second.params)["other"] == other


@pytest.mark.parametrize("second_title", [None, "湖塘镇2022年1-11月科技指标完成情况（更正）"])
def test_a_second_table_nothing_dates_apart_keeps_the_file_out(ws: Workspace, second_title: str | None) -> None:
    """Two tables for the same period (a correction appended below) or an undated one: which holds
    the figures cannot be told, so none is read and the file replaces nothing."""
    wb = openpyxl.Workbook()
    sh = wb.active
    table(sh, ws, "湖塘镇2022年1-11月科技指标完成情况", figures(ws, 40))
    sh.append([])
    if second_title:
        sh.append([second_title])
    table(sh, ws, None, figures(ws, 44))
    save(ws, wb, "湖塘镇.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.status == "rejected" and found(sub, "ambiguous-table")
    assert not found(sub, "no-data-table") and not found(sub, "second-table")
    assert all(cv.value is None for cv in sub.values.values())


def year_book(ws: Workspace, name: str, sheets: list[tuple[str, str, float]], unit: str = "牛塘镇") -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, title, base in sheets:
        table(wb.create_sheet(sheet), ws, title, figures(ws, base), unit=unit)
    return save(ws, wb, name)


@pytest.mark.parametrize("order", [1, -1])
def test_a_sheet_per_year_is_read_at_the_periods_year(ws: Workspace, order: int) -> None:
    year_book(ws, "牛塘镇.xlsx", [("2021年", "牛塘镇2021年1-11月", 10), ("2022年", "牛塘镇2022年1-11月", 40)][::order])
    sub = only(ingest(ws, NOV), "牛塘镇.xlsx")
    assert sub.status == "used" and sub.period == "2022-11" and sub.unit == "niutang"
    assert values(sub) == figures(ws, 40)
    assert next(iter(sub.values.values())).sheet == "2022年"
    assert not found(sub, "ambiguous-sheet")


def test_a_sheet_per_year_without_this_years_is_listed_under_its_own(ws: Workspace) -> None:
    year_book(ws, "牛塘镇.xlsx", [("2020年", "牛塘镇2020年1-11月", 5), ("2021年", "牛塘镇2021年1-11月", 10)])
    sub = only(ingest(ws, NOV), "牛塘镇.xlsx")
    assert sub.status == "other-period" and sub.period == "2021-11"


def test_this_years_sheet_with_last_years_title_is_a_period_conflict(ws: Workspace) -> None:
    """The 2022年 sheet copied from 2021年 and its title never changed: its name and title disagree."""
    year_book(ws, "牛塘镇.xlsx", [("2021年", "牛塘镇2021年1-11月", 10), ("2022年", "牛塘镇2021年1-11月", 40)])
    result = ingest(ws, NOV)
    sub = only(result, "牛塘镇.xlsx")
    assert found(sub, "period-conflict") and sub.status != "used" and "niutang" not in result.used
    assert all(cv.value is None for cv in sub.values.values())


def test_check_lists_both_in_english_too(ws: Workspace) -> None:
    wb = openpyxl.Workbook()
    sh = wb.active
    table(sh, ws, "湖塘镇2022年1-11月科技指标完成情况", figures(ws, 40))
    sh.append(["湖塘镇2021年1-11月科技指标完成情况"])
    table(sh, ws, None, figures(ws, 10))
    save(ws, wb, "湖塘镇.xlsx")
    year_book(ws, "礼嘉镇.xlsx", [("2022年", "礼嘉镇2022年1-11月", 40), ("2021年", "礼嘉镇2021年1-11月", 10)],
              unit="礼嘉镇")
    result = CliRunner().invoke(cli, ["--workspace", str(ws.root), "check", "--period", "2022-11", "--json",
                                      "--lang", "en"], catch_exceptions=False)
    files = {f["file"]: f for f in json.loads(result.output)["files"]}
    assert files["湖塘镇.xlsx"]["status"] == "used"
    second = next(i for i in files["湖塘镇.xlsx"]["issues"] if i["code"] == "second-table")
    second_header = 3 + len(ws.indicators) + 2  # title, unit, header, rows, second title, header
    assert second["severity"] == "warning" and second["cell"] == f"A{second_header}"
    assert "November 2021" in second["message"] and f"row {second_header}" in second["message"]
    lijia = files["礼嘉镇.xlsx"]
    assert lijia["status"] == "used" and lijia["period"] == "2022-11"
    assert not {i["code"] for i in lijia["issues"]} & {"ambiguous-sheet", "period-conflict"}


def test_the_header_repeated_over_the_next_rows_is_one_table(ws: Workspace) -> None:
    """A long form copied from a document repeats its header at the top of each printed page: the
    rows under it are the table's next indicators, not a second table."""
    wb = openpyxl.Workbook()
    sh = wb.active
    now = figures(ws, 40)
    sh.append(["湖塘镇2022年1-11月科技指标完成情况"])
    sh.append(["填报单位：湖塘镇"])
    half = len(ws.indicators) // 2
    for part in (ws.indicators[:half], ws.indicators[half:]):
        sh.append(["指标名称", "本年累计"])
        for ind in part:
            sh.append([ind.name, now[ind.code]])
    save(ws, wb, "湖塘镇.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.status == "used" and values(sub) == now
    assert not {i.code for i in sub.issues} & {"second-table", "ambiguous-table", "unknown-row", "missing-indicator"}
