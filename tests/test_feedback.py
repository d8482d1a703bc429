"""Feedback workbooks: the unit's figures at their own cells, marked, and the list of problems."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from reporting.core import formlayout as fl
from reporting.core.issuetypes import ERROR, INFO, WARNING
from reporting.core.models import CellValue, Submission, issue
from reporting.core.periods import Period
from reporting.render.feedback import FILLS, write_feedback
from reporting.render.forms import write_form
from reporting.workspace.config import Workspace
from reporting.workspace.paths import feedback_path

NOV = Period(2022, 11)
FILE = "湖塘镇/湖塘镇11月报表.xlsx"


@dataclass
class Grid:
    """The reader's Grid, by duck typing: a 0-based window of values from A1."""

    name: str
    state: str
    rows: list[list[object]]
    formula_no_value: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    truncated: bool = False


def _filled_form(ws: Workspace, tmp_path: Path) -> tuple[Path, list[Grid]]:
    """The bureau's form for 湖塘镇, filled in as a person would, and its grids."""
    path = tmp_path / "inbox" / "湖塘镇.xlsx"
    write_form(path, ws, ws.unit("hutang"), NOV)
    wb = openpyxl.load_workbook(path)
    sh = wb[fl.DATA_SHEET]
    for n in range(len(ws.indicators)):
        sh.cell(fl.FIRST_DATA_ROW + n, fl.COL_VALUE, 10 + n)
    sh["F7"] = "约12"
    sh["F9"] = "１２家"
    sh["G6"] = "含2家外地企业"
    wb.save(path)
    grids = []
    for s in openpyxl.load_workbook(path, data_only=True).worksheets:
        rows = [[c.value for c in row] for row in s.iter_rows()]
        grids.append(Grid(s.title, s.sheet_state, rows))
    grids[0].rows[6][6] = "=1+1"  # G7: text that looks like a formula
    return path, grids


def _submission(ws: Workspace) -> Submission:
    ind = ws.indicators
    sub = Submission(file=FILE, sha256="0" * 64, mtime=0.0, size=1, unit="hutang", period="2022-11",
                     status="used")
    where = {"file": FILE, "sheet": fl.DATA_SHEET, "unit": "hutang"}
    sub.issues = [
        issue("period-inferred", file=FILE, unit="hutang", detail="2022-11"),
        issue("value-normalised", **where, cell="F9", indicator=ind[5].code, detail="１２家", value="12"),
        issue("unusual-jump", **where, cell="F5", indicator=ind[1].code, increase="20", average="2"),
        issue("not-a-number", **where, cell="F7", indicator=ind[3].code, detail="约12"),
        issue("ytd-decreased", **where, cell="F5", indicator=ind[1].code, detail="11", previous="30"),
    ]
    sub.values = {i.code: CellValue(i.code, float(10 + n), 10 + n, fl.DATA_SHEET, f"F{fl.FIRST_DATA_ROW + n}")
                  for n, i in enumerate(ind)}
    sub.values[ind[3].code] = CellValue(ind[3].code, None, "约12", fl.DATA_SHEET, "F7", excluded=True)
    sub.remarks = {ind[3].code: "=1+1", ind[2].code: "含2家外地企业"}
    return sub


def _rgb(cell: object) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]  # type: ignore[attr-defined]


def _issue_rows(wb: openpyxl.Workbook, title: str = "问题清单") -> list[list[object]]:
    sh = wb[title]
    return [[sh.cell(r, c).value for c in range(1, 6)] for r in range(4, sh.max_row + 1)]


def test_marks_land_on_the_cells_the_unit_sent(ws: Workspace, tmp_path: Path) -> None:
    src, grids = _filled_form(ws, tmp_path)
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "fb.xlsx"
    write_feedback(out, ws, _submission(ws), grids)
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # the unit's file is never touched

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题清单", fl.DATA_SHEET]  # the hidden _meta sheet is not copied
    sh = wb[fl.DATA_SHEET]
    # every value at the same address as in the unit's file
    for r, row in enumerate(grids[0].rows, 1):
        for c, v in enumerate(row, 1):
            if v is not None:
                assert sh.cell(r, c).value == v
    assert sh["A2"].value == "填报单位：湖塘镇"
    assert sh["F7"].value == "约12"

    # the error cell: red, with a comment that says what is wrong and what to do
    assert _rgb(sh["F7"]) == FILLS[ERROR]
    assert sh["F7"].comment is not None
    assert "“约12”不是数值，请只填写数字" in sh["F7"].comment.text
    assert sh["F7"].comment.text.startswith("错误：")
    # one cell, an error and a warning: red, both messages in one comment
    assert _rgb(sh["F5"]) == FILLS[ERROR]
    assert "累计数不应减少" in sh["F5"].comment.text and "请确认" in sh["F5"].comment.text
    assert _rgb(sh["F9"]) == FILLS[INFO]
    assert sh["F4"].comment is None and sh["F4"].fill.fill_type is None

    # "=1+1" sent as text stays text, in the cell and in the file's XML
    assert sh["G7"].value == "=1+1"
    assert sh["G7"].data_type == "s"
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_warning_alone_is_orange(ws: Workspace, tmp_path: Path) -> None:
    _, grids = _filled_form(ws, tmp_path)
    sub = _submission(ws)
    sub.issues = [i for i in sub.issues if i.code != "ytd-decreased"]
    out = tmp_path / "fb.xlsx"
    write_feedback(out, ws, sub, grids)
    sh = openpyxl.load_workbook(out)[fl.DATA_SHEET]
    assert _rgb(sh["F5"]) == FILLS[WARNING]
    assert sh["F5"].comment.text.startswith("警告：")


def test_issue_list(ws: Workspace, tmp_path: Path) -> None:
    _, grids = _filled_form(ws, tmp_path)
    sub = _submission(ws)
    out = tmp_path / "fb.xlsx"
    write_feedback(out, ws, sub, grids)
    wb = openpyxl.load_workbook(out)
    sh = wb["问题清单"]
    assert "湖塘镇" in sh["A1"].value and "2022年1-11月" in sh["A1"].value
    assert FILE in sh["A2"].value and "错误 2 处" in sh["A2"].value
    assert [sh.cell(3, c).value for c in range(1, 6)] == ["序号", "严重程度", "位置", "指标", "问题说明"]
    rows = _issue_rows(wb)
    assert len(rows) == len(sub.issues)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert [r[1] for r in rows] == ["错误", "错误", "警告", "提示", "提示"]  # errors first
    by_message = {r[4]: r for r in rows}
    for i in sub.issues:
        row = by_message[i.message("zh")]
        assert row[2] == (i.where or "整个文件")
        assert row[3] == (ws.indicator(i.indicator).name if i.indicator else None)
    assert by_message[sub.issues[3].message("zh")][2] == "填报表!F7"
    assert sh.freeze_panes == "A4"
    assert sh.auto_filter.ref == f"A3:E{3 + len(rows)}"
    assert sh.page_setup.orientation == "landscape"
    assert sh.page_setup.fitToWidth == 1
    assert sh["E4"].alignment.wrap_text
    assert sh.column_dimensions["E"].width >= 40


def test_without_grids_uses_the_standard_layout(ws: Workspace, tmp_path: Path) -> None:
    sub = _submission(ws)
    out = tmp_path / "fb.xlsx"
    write_feedback(out, ws, sub, None)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题清单", fl.DATA_SHEET]
    sh = wb[fl.DATA_SHEET]
    assert [sh.cell(fl.HEADER_ROW, c).value for c in range(1, 8)] == fl.HEADERS
    row = {ind.code: fl.FIRST_DATA_ROW + n for n, ind in enumerate(ws.indicators)}
    bad = row[ws.indicators[3].code]
    assert sh.cell(bad, fl.COL_NAME).value == ws.indicators[3].name
    assert sh.cell(bad, fl.COL_VALUE).value == "约12"
    assert _rgb(sh.cell(bad, fl.COL_VALUE)) == FILLS[ERROR]
    assert "填报表!F7" in sh.cell(bad, fl.COL_VALUE).comment.text  # where it was in the unit's file
    remark = sh.cell(bad, fl.COL_REMARK)
    assert remark.value == "=1+1" and remark.data_type == "s"
    targets = ws.targets_for(2022)
    want = targets.unit_target("hutang", ws.indicators[0].code)
    assert sh.cell(fl.FIRST_DATA_ROW, fl.COL_TARGET).value == pytest.approx(want)
    assert sh.cell(fl.FIRST_DATA_ROW, fl.COL_VALUE).value == 10


def test_empty_sheets_list_also_falls_back(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "fb.xlsx"
    write_feedback(out, ws, _submission(ws), [])
    assert openpyxl.load_workbook(out).sheetnames == ["问题清单", fl.DATA_SHEET]


def test_own_sheet_names_and_hostile_text(ws: Workspace, tmp_path: Path) -> None:
    """A unit's home-made sheet: its name is kept; control characters and odd types do not break writing."""
    rows: list[list[object]] = [
        ["科技指标", None, None],
        ["指标", "1-11月累计", "说明"],
        ["高企申报", "12家\x07", "=HYPERLINK(\"http://x\")"],
        ["日期", dt.datetime(2022, 11, 30, tzinfo=dt.UTC), float("nan")],
        ["@SUM(A1)", True, "#DIV/0!"],
    ]
    grids = [Grid("Sheet1", "hidden", [["x"]]), Grid("我的表", "visible", rows, truncated=True)]
    sub = Submission(file="x.xlsx", sha256="", mtime=0, size=1, unit="hutang", period="2022-11")
    sub.issues = [issue("not-a-number", file="x.xlsx", sheet="我的表", cell="B3", unit="hutang",
                        indicator="hte_applications", detail="12家"),
                  issue("unknown-row", file="x.xlsx", sheet="我的表", cell="$A$5", unit="hutang", detail="@SUM"),
                  issue("unknown-row", file="x.xlsx", sheet="我的表", cell="not a cell", unit="hutang", detail="?")]
    out = tmp_path / "fb.xlsx"
    write_feedback(out, ws, sub, grids)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题清单", "我的表"]
    sh = wb["我的表"]
    assert sh["B3"].value == "12家" and _rgb(sh["B3"]) == FILLS[ERROR]
    assert sh["C3"].value.startswith("=HYPERLINK") and sh["C3"].data_type == "s"
    assert _rgb(sh["A5"]) == FILLS[WARNING]
    assert sh["B4"].value == dt.datetime(2022, 11, 30)
    assert len(_issue_rows(wb)) == 3
    assert "仅复制了前 5 行" in wb["问题清单"]["A2"].value


def test_no_issues(ws: Workspace, tmp_path: Path) -> None:
    _, grids = _filled_form(ws, tmp_path)
    sub = _submission(ws)
    sub.issues = []
    out = tmp_path / "fb.xlsx"
    write_feedback(out, ws, sub, grids)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题清单", fl.DATA_SHEET]
    assert wb["问题清单"]["A4"].value == "未发现问题，谢谢！"


def test_english(ws: Workspace, tmp_path: Path) -> None:
    _, grids = _filled_form(ws, tmp_path)
    sub = _submission(ws)
    out = tmp_path / "fb.xlsx"
    write_feedback(out, ws, sub, grids, lang="en")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Issues", fl.DATA_SHEET]
    sh = wb["Issues"]
    assert [sh.cell(3, c).value for c in range(1, 6)] == ["No.", "Severity", "Location", "Indicator", "Problem"]
    first = _issue_rows(wb, "Issues")[0]
    assert first[1] == "Error"
    assert first[4] in {i.message("en") for i in sub.issues}
    assert wb[fl.DATA_SHEET]["F7"].comment.text.startswith("Error: ")


def test_feedback_path_and_atomic_write(ws: Workspace) -> None:
    unit = ws.unit("hutang")
    path = feedback_path(ws, NOV, unit)
    assert path == ws.period_dir(NOV) / "feedback" / "湖塘镇.xlsx"
    assert feedback_path(ws, "2022-11", unit) == path
    write_feedback(path, ws, _submission(ws), None)
    assert path.is_file()
    assert [p.name for p in path.parent.iterdir()] == ["湖塘镇.xlsx"]  # no temporary file left behind


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_feedback_opens_in_libreoffice(ws: Workspace, tmp_path: Path) -> None:
    _, grids = _filled_form(ws, tmp_path)
    path = tmp_path / "湖塘镇反馈.xlsx"
    write_feedback(path, ws, _submission(ws), grids)
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    pdf = (out / "湖塘镇反馈.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2  # the copy and the list


# --------------------------------------------------------------------------- issue 11: list first, the unit's looks kept


def _with_formats(path: Path) -> Path:
    """The unit's form with its own number formats and widths, as a clerk in the town would leave it."""
    wb = openpyxl.load_workbook(path)
    sh = wb[fl.DATA_SHEET]
    sh["F4"].number_format = "#,##0.00"
    sh["F5"].number_format = '0"家"'
    sh["F6"] = 0.125
    sh["F6"].number_format = "0.0%"
    sh.column_dimensions["B"].width = 41.5
    sh.column_dimensions["F"].width = 17.25
    wb.save(path)
    return path


def test_list_first_and_the_units_number_formats_and_widths_kept(ws: Workspace, tmp_path: Path) -> None:
    src, _ = _filled_form(ws, tmp_path)
    _with_formats(src)
    grids = [Grid(s.title, s.sheet_state, [[c.value for c in row] for row in s.iter_rows()])
             for s in openpyxl.load_workbook(src, data_only=True).worksheets]
    sub = _submission(ws)
    sub.sha256 = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "fb.xlsx"
    write_feedback(out, ws, sub, grids, source=src)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "问题清单" and wb.active.title == "问题清单"
    sh = wb[fl.DATA_SHEET]
    assert sh["F4"].number_format == "#,##0.00"
    assert sh["F5"].number_format == '0"家"'
    assert sh["F6"].number_format == "0.0%" and sh["F6"].value == 0.125
    assert sh.column_dimensions["B"].width == 41.5
    assert sh.column_dimensions["F"].width == 17.25
    assert sh["F7"].value == "约12" and sh["F7"].comment is not None  # marks as before
    # a file changed since it was read gives no formats: never formats from other bytes
    sub.sha256 = "0" * 64
    write_feedback(out, ws, sub, grids, source=src)
    assert openpyxl.load_workbook(out)[fl.DATA_SHEET]["F4"].number_format == "General"


def test_compiled_feedback_keeps_the_forms_formats(tmp_path: Path) -> None:
    """Through compile: a unit's form in inbox/ with its own formats, and a problem to report."""
    from click.testing import CliRunner

    from reporting.cli import cli

    folder = tmp_path / "ws"
    runner = CliRunner()
    for args in (["init", str(folder)], ["-w", str(folder), "demo", "--periods", "2022-12", "--plain"]):
        assert runner.invoke(cli, args).exit_code == 0
    [src] = [p for p in (folder / "inbox").rglob("*.xlsx") if "湖塘镇" in p.name]
    wb = openpyxl.load_workbook(src)
    sheet = fl.DATA_SHEET if fl.DATA_SHEET in wb.sheetnames else wb.sheetnames[0]
    sh = wb[sheet]
    sh["F7"] = "约12"
    sh["F4"].number_format = "#,##0.00"
    sh.column_dimensions["F"].width = 19.5
    wb.save(src)
    r = runner.invoke(cli, ["-w", str(folder), "compile", "--period", "2022-12"])
    assert r.exit_code == 0, r.output
    fb = openpyxl.load_workbook(folder / "outbox" / "2022-12" / "feedback" / "湖塘镇.xlsx")
    assert fb.sheetnames[0] == "问题清单"
    copy = fb[sheet]
    assert copy["F4"].number_format == "#,##0.00" and copy.column_dimensions["F"].width == 19.5
    assert copy["F7"].comment is not None
