"""Targets workbooks as the clerk fills them: text numbers, formulas, a missing year, a file saved as .xls.

Every workbook is a real .xlsx written here (openpyxl, or xlsxwriter for a
formula with its cached value) and read back by the workspace loader and
the command line.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reporting.core.errors import ConfigError
from reporting.core.models import Indicator
from reporting.ingest.normalise import normalise_value
from reporting.workspace.config import load_workspace
from reporting.workspace.targets import targets_notes, text_number

TEXTS = ["40", "４０", "1,200", "1，200", "40家", " 40 ", "40 家", "12.5", "\u200b40"]
NOT_NUMBERS = ["约40", "40个", "四十", "12-15", "40%", "1,20", "abc", "1.2.3"]


def _book(ws_dir: Path, year: int = 2022) -> Path:
    return ws_dir / "templates" / "targets" / f"{year}.xlsx"


def _edit(path: Path, cells: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    sh = wb["年度目标"]
    for ref, value in cells.items():
        sh[ref] = value
    wb.save(path)


def _cli(args: list[str]) -> object:
    from reporting.cli import cli

    return CliRunner().invoke(cli, args)


@pytest.mark.parametrize("text", TEXTS + NOT_NUMBERS)
def test_text_is_read_as_forms_read_it(text: str) -> None:
    """The targets reader and the forms' normaliser agree on every text (same number, or both refuse)."""
    ind = Indicator(code="x", name="x", name_en="x", unit="家", decimals=1)
    form = normalise_value(text, ind)
    expected = form.value if not any(code == "not-a-number" for code, _ in form.notes) else None
    assert text_number(text, "家") == expected


def test_numbers_typed_as_text_are_read_with_an_info(ws_dir: Path) -> None:
    ws = load_workspace(ws_dir)
    ind = ws.indicators[0]
    assert ind.unit == "家"
    codes = [u.code for u in ws.units[:4]]
    _edit(_book(ws_dir), {"D4": "40", "D5": "４０", "D6": "1,200", "D7": "40家"})
    ws = load_workspace(ws_dir)
    targets = ws.targets_for(2022)
    assert [targets.unit_target(c, ind.code) for c in codes] == [40, 40, 1200, 40]
    notes = targets_notes(ws, 2022)
    assert len(notes) == 4
    assert notes[3] == "templates/targets/2022.xlsx 年度目标!D7：目标值“40家”是文本，已按数字 40 读取"
    assert "read as the number 1200" in targets_notes(ws, 2022, "en")[2]


def test_text_that_is_not_a_number_is_an_error_naming_the_cell(ws_dir: Path) -> None:
    _edit(_book(ws_dir), {"E5": "约40"})
    with pytest.raises(ConfigError, match=r"年度目标!E5.*约40"):
        load_workspace(ws_dir)


def test_formula_without_cached_value_is_an_error_not_a_blank(ws_dir: Path) -> None:
    """openpyxl writes formulas without a cached value, as any program does; calamine reads them as blank."""
    _edit(_book(ws_dir), {"D4": "=10*4", "F9": "=SUM(F4:F8)"})
    with pytest.raises(ConfigError) as err:
        load_workspace(ws_dir)
    text = str(err.value)
    assert "年度目标!D4" in text and "年度目标!F9" in text and "公式没有计算结果" in text
    r = _cli(["-w", str(ws_dir), "config"])
    assert r.exit_code == 2 and "Traceback" not in r.output and "年度目标!D4" in r.output


def _rewrite_with_formulas(path: Path, formulas: dict[str, tuple[str, object]]) -> None:
    """The same workbook written by xlsxwriter, with formulas and their cached values (as Excel saves them)."""
    import xlsxwriter

    rows = list(openpyxl.load_workbook(path)["年度目标"].iter_rows(values_only=True))
    book = xlsxwriter.Workbook(str(path))
    sh = book.add_worksheet("年度目标")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                sh.write(r, c, v)
    for ref, (formula, value) in formulas.items():
        sh.write_formula(ref, formula, None, value)
    book.close()


def test_formula_with_cached_value_is_read(ws_dir: Path) -> None:
    """A workbook saved by Excel keeps each formula's value: that value is the target."""
    _rewrite_with_formulas(_book(ws_dir), {"D4": ("=10*4", 40)})
    ws = load_workspace(ws_dir)
    assert ws.targets_for(2022).unit_target(ws.units[0].code, ws.indicators[0].code) == 40


def test_formula_with_an_error_value_is_an_error_not_a_blank(ws_dir: Path) -> None:
    """calamine reads a cached #DIV/0! as blank; the cell's XML says it is an error value."""
    _rewrite_with_formulas(_book(ws_dir), {"D4": ("=10/0", "#DIV/0!"), "E4": ("=10*4", 40)})
    with pytest.raises(ConfigError) as err:
        load_workspace(ws_dir)
    [line] = str(err.value).splitlines()
    assert line.startswith("templates/targets/2022.xlsx 年度目标!D4: ") and "#DIV/0!" in line


def test_a_year_without_targets_is_a_warning_on_forms_check_and_compile(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    for args in (["init", str(folder)], ["-w", str(folder), "demo", "--periods", "2022-12"]):
        r = _cli(args)
        assert r.exit_code == 0, r.output
    _book(folder).unlink()
    line = "没有 2022 年的目标表：不计算完成率和排名"
    r = _cli(["-w", str(folder), "forms", "--period", "2022-12"])
    assert r.exit_code == 0, r.output
    assert line in r.output
    r = _cli(["-w", str(folder), "check", "--period", "2022-12"])
    assert line in r.output and "Traceback" not in r.output
    r = _cli(["-w", str(folder), "--lang", "en", "check", "--period", "2022-12"])
    assert "No targets workbook for 2022" in r.output
    r = _cli(["-w", str(folder), "compile", "--period", "2022-12"])
    assert r.exit_code == 0, r.output
    assert line in r.output
    results = json.loads((folder / "outbox" / "2022-12" / "results.json").read_text(encoding="utf-8"))
    [issue] = [i for i in results["issues"] if i["code"] == "no-targets"]
    assert issue["severity"] == "warning" and line in issue["message"]
    assert all(u["rank"] is None for u in results["units"])  # what the warning says is true
    bulletin = openpyxl.load_workbook(folder / "outbox" / "2022-12" / results["bulletin_file"])
    cells = [str(c.value) for sh in bulletin.worksheets for row in sh.iter_rows() for c in row if c.value]
    assert any(line in c for c in cells)  # listed in 数据问题


def test_targets_saved_as_xls_by_mistake_are_named(ws_dir: Path) -> None:
    book = _book(ws_dir)
    book.rename(book.with_suffix(".xls"))
    r = _cli(["-w", str(ws_dir), "forms", "--period", "2022-12"])
    assert r.exit_code == 0, r.output
    assert "没有 2022 年的目标表" in r.output
    assert "templates/targets/2022.xls 不是 .xlsx 格式" in r.output and "另存为" in r.output
    (ws_dir / "templates" / "targets" / "2022.xls").rename(ws_dir / "templates" / "targets" / "2022.et")
    r = _cli(["-w", str(ws_dir), "--lang", "en", "forms", "--period", "2022-12", "--force"])
    assert "templates/targets/2022.et is not an .xlsx workbook" in r.output


def test_one_bad_target_cell_does_not_block_regenerating(ws_dir: Path) -> None:
    _edit(_book(ws_dir), {"D4": "=1+1", "E5": "很多"})
    r = _cli(["-w", str(ws_dir), "config"])
    assert r.exit_code == 2 and "年度目标!E5" in r.output
    r = _cli(["-w", str(ws_dir), "targets", "--year", "2023"])  # another year: not blocked either
    assert r.exit_code == 0, r.output
    r = _cli(["-w", str(ws_dir), "targets", "--year", "2022", "--force"])
    assert r.exit_code == 0, r.output
    r = _cli(["-w", str(ws_dir), "config"])
    assert r.exit_code == 0, r.output


def test_targets_under_another_name_are_named(ws_dir: Path) -> None:
    book = _book(ws_dir)
    book.rename(book.with_name("2022年目标.xlsx"))
    r = _cli(["-w", str(ws_dir), "forms", "--period", "2022-12"])
    assert "templates/targets/2022年目标.xlsx 未读取：目标表的文件名须为 2022.xlsx" in r.output
    r = _cli(["-w", str(ws_dir), "forms", "--period", "2023-01"])  # another year: not this file's business
    assert "2022年目标" not in r.output and "没有 2023 年的目标表" in r.output


def test_target_problems_in_english(ws_dir: Path) -> None:
    _edit(_book(ws_dir), {"E5": "约40", "D4": "=1+1"})
    r = _cli(["-w", str(ws_dir), "--lang", "en", "config"])
    assert r.exit_code == 2
    assert "年度目标!E5: a target must be a number, not '约40'" in r.output
    assert "年度目标!D4: the formula has no calculated value" in r.output
    r = _cli(["-w", str(ws_dir), "--lang", "en", "targets", "--year", "2022"])
    assert r.exit_code == 2 and "exists and was not overwritten" in r.output and "--force" in r.output
    r = _cli(["-w", str(ws_dir), "targets", "--year", "2022"])
    assert r.exit_code == 2 and "已存在，未覆盖" in r.output
