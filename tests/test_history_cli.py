"""``reporting history``: template, import, show, export, rebuild from the command line (CliRunner and a subprocess)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reporting.cli import cli
from reporting.core.textnorm import display_width
from reporting.workspace.config import load_workspace
from reporting.workspace.store import Store, store_path


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, list(args), prog_name="reporting", catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def filled(ws_dir: Path) -> Path:
    """A workspace whose 2021 and 2022 history workbooks the clerk has filled in (two units, two indicators)."""
    assert run("history", "template", "--year", "2021", "-w", str(ws_dir))[0] == 0
    assert run("history", "template", "--year", "2022", "-w", str(ws_dir))[0] == 0
    for year, hutang, niutang in ((2021, 40, 20), (2022, 46, 0)):
        path = ws_dir / "templates" / "history" / f"{year}.xlsx"
        wb = openpyxl.load_workbook(path)
        sh = wb.worksheets[0]  # 高新技术企业申报数; rows 4.. are the units in workspace order
        assert sh["B3"].value == "hte_applications" and sh["A4"].value == "hutang" and sh["A5"].value == "niutang"
        for m in range(1, 13):
            sh.cell(4, 3 + m, round(hutang * m / 12))
            sh.cell(5, 3 + m, round(niutang * m / 12))
        if year == 2021:
            incubators = next(x for x in wb.worksheets if x["B3"].value == "incubators")
            incubators["D4"] = 3  # 新增省级以上孵化器和众创空间, hutang, January 2021
        wb.save(path)
    return ws_dir


def test_template_is_protected_and_refuses_to_overwrite(ws_dir: Path) -> None:
    code, out, _ = run("history", "template", "--year", "2021", "-w", str(ws_dir))
    assert code == 0 and "已生成历史数据表" in out
    path = ws_dir / "templates" / "history" / "2021.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = load_workspace(ws_dir)
    assert len(wb.worksheets) == len(ws.indicators)
    sh = wb.worksheets[0]
    assert sh.protection.sheet and not sh["D4"].protection.locked and sh["B4"].protection.locked
    assert [sh.cell(3, c).value for c in (4, 15)] == ["2021-01", "2021-12"]
    code, _, err = run("history", "template", "--year", "2021", "-w", str(ws_dir))
    assert code == 2 and "已存在" in err and "--force" in err
    assert run("history", "template", "--year", "2021", "--force", "-w", str(ws_dir), "--lang", "en")[0] == 0


def test_import_then_show_by_indicator_and_by_year(filled: Path) -> None:
    code, out, err = run("history", "import", "-w", str(filled))
    assert code == 0, err
    assert "历史数据表 2021.xlsx：导入 12 个月" in out and "2022.xlsx" in out
    code, out, _ = run("history", "show", "--indicator", "高新技术企业申报数", "--years", "2021..2022", "-w", str(filled))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "高新技术企业申报数（家）各月末累计（全区合计）"
    assert lines[1].split() == ["月份", "2021", "2022", "同比", "2022"]
    dec = next(x for x in lines if x.startswith("12月"))
    assert dec.split() == ["12月", "60", "46", "-23.3%"]
    # CJK-width aligned: every row of the table is as wide on screen as the header
    body = [x for x in lines[1:] if x and x[0].isdigit()]
    assert len({display_width(x) for x in body}) == 1 and display_width(body[0]) == display_width(lines[1])
    code, out, _ = run("history", "show", "--unit", "牛塘", "--indicator", "hte_applications", "-w", str(filled))
    assert "牛塘镇" in out.splitlines()[0]
    dec = next(x for x in out.splitlines() if x.startswith("12月"))
    assert dec.split() == ["12月", "20", "0", "-100.0%"]
    code, out, _ = run("history", "show", "--years", "2022", "-w", str(filled))  # every indicator, one year
    assert code == 0 and "2022-12" in out and "高新技术企业申报数" in out
    code, out, _ = run("history", "show", "--indicator", "incubators", "--years", "2021..2022", "-w", str(filled))
    jan = next(x for x in out.splitlines() if x.startswith("1月"))
    assert jan.split() == ["1月", "3", "—", "—"]  # 2022 has no value: no growth rate


def test_show_problems_are_one_line_with_exit_2(filled: Path) -> None:
    code, _, err = run("history", "show", "--unit", "火星镇", "-w", str(filled))
    assert code == 2 and "未知的单位：火星镇" in err
    code, _, err = run("history", "show", "--indicator", "nothing", "-w", str(filled))
    assert code == 2 and "未知的指标：nothing" in err
    code, _, err = run("history", "show", "--years", "2017-2022", "-w", str(filled))
    assert code == 2 and "--years 应写作 2017..2022" in err and "Traceback" not in err


def test_show_on_an_empty_store_says_how_to_fill_it(ws_dir: Path) -> None:
    code, out, _ = run("history", "show", "-w", str(ws_dir))
    assert code == 0 and "reporting history template --year 2021" in out


def test_import_with_errors_exits_1_and_names_the_cells(filled: Path) -> None:
    path = filled / "templates" / "history" / "2021.xlsx"
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0]["E4"] = "约15"
    wb.worksheets[0]["A6"] = "mars"
    wb.worksheets[0]["D6"] = 1
    wb.worksheets[1]["B3"] = "bogus"
    wb.save(path)
    code, out, err = run("history", "import", str(path), "-w", str(filled))
    assert code == 1
    name0, name1 = wb.worksheets[0].title, wb.worksheets[1].title
    assert f"{name0}!E4" in err and f"{name0}!A6" in err and f"{name1}!B3" in err
    assert "导入 12 个月" in out  # the rest went in


def test_export_csv_and_xlsx_read_back(filled: Path, tmp_path: Path) -> None:
    assert run("history", "import", "-w", str(filled))[0] == 0
    target = tmp_path / "历史.csv"
    code, out, _ = run("history", "export", "--format", "csv", "-o", str(target), "-w", str(filled))
    assert code == 0 and "已导出 49 行" in out
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["period", "unit", "indicator", "value", "source", "file", "sheet", "cell"]
    dec = [r for r in rows if r["period"] == "2021-12" and r["unit"] == "hutang" and r["indicator"] == "hte_applications"]
    assert len(dec) == 1 and float(dec[0]["value"]) == 40 and dec[0]["source"] == "workbook"
    assert dec[0]["file"] == "2021.xlsx" and dec[0]["cell"] == "O4"
    code, out, _ = run("history", "export", "--unit", "hutang", "--years", "2022", "-w", str(filled))
    path = filled / "outbox" / "history.xlsx"
    assert code == 0 and path.is_file()
    got = list(openpyxl.load_workbook(path)["history"].iter_rows(values_only=True))
    assert got[0][:5] == ("period", "unit", "indicator", "value", "source")
    assert len(got) == 1 + 12 and {r[1] for r in got[1:]} == {"hutang"} and got[-1][3] == 46


def test_export_parquet(filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "h.parquet"
    code, out, err = run("history", "export", "--format", "parquet", "-o", str(target), "-w", str(filled))
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        assert code == 2 and "pip install pyarrow" in err and len(err.strip().splitlines()) == 1
        return
    import pandas as pd

    assert code == 0, err
    frame = pd.read_parquet(target)
    assert list(frame.columns)[:5] == ["period", "unit", "indicator", "value", "source"]
    assert len(frame) == 49


def test_rebuild_keeps_received_times(filled: Path) -> None:
    from reporting.core.periods import Period
    from reporting.demo.make import make_demo

    make_demo(filled, periods=[Period(2022, 11)], force=True)
    code, _, err = run("compile", "-q", "-w", str(filled))
    assert code in (0, 1), err
    with Store(store_path(filled)) as st:
        seen = st.first_seen_all()
        before = st.periods()
    assert seen and before["2022-11"] == "compile" and before["2021-12"] == "workbook"
    code, out, err = run("history", "rebuild", "-w", str(filled))
    assert code == 0, err
    assert "已重建历史库" in out and f"接收时间 {len(seen)} 条保留" in out
    with Store(store_path(filled)) as st:
        assert st.first_seen_all() == seen
        after = st.periods()
    assert after["2021-12"] == "workbook" and after["2022-11"] == "results"  # from the published results.json


def test_pandas_is_not_imported_by_help_or_compile(ws_dir: Path) -> None:
    from reporting.core.periods import Period
    from reporting.demo.make import make_demo

    make_demo(ws_dir, periods=[Period(2022, 11)])
    code = ("import sys\n"
            "from reporting.cli import cli\n"
            "try:\n    cli(sys.argv[1:], prog_name='reporting')\n"
            "except SystemExit:\n    pass\n"
            "print('pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")
    for args in (["history", "--help"], ["compile", "-q", "-w", str(ws_dir)]):
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True).stdout
        assert out.strip().endswith("False"), args
    assert (ws_dir / "outbox" / "2022-11" / "results.json").is_file()


def test_compile_imports_a_changed_history_workbook_and_names_bad_cells(filled: Path) -> None:
    from reporting.core.periods import Period
    from reporting.demo.make import make_demo

    make_demo(filled, periods=[Period(2022, 12)], force=True)
    path = filled / "templates" / "history" / "2021.xlsx"
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0]["O5"] = "二十"  # niutang, 2021-12
    wb.save(path)
    code, _, err = run("compile", "-q", "-w", str(filled))
    assert code == 0
    assert "历史数据表有 1 处问题" in err and f"2021.xlsx {wb.worksheets[0].title}!O5" in err
    code, _, err = run("compile", "-q", "-w", str(filled))
    assert "历史数据表" not in err  # the same bytes are not read again
    code, out, _ = run("history", "show", "--unit", "hutang", "--indicator", "hte_applications", "--json",
                       "-w", str(filled))
    import json

    data = json.loads(out)
    dec = next(r for r in data["rows"] if r["month"] == 12)
    assert dec["values"]["2021"] == 40 and dec["values"]["2022"] is not None and dec["yoy"] is not None


def test_import_inbox_names_the_workspaces_inbox_from_anywhere(ws_dir: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """``reporting -w WS history import inbox`` run from another folder (a scheduled task's)."""
    from reporting.core.periods import Period
    from reporting.demo.make import make_demo

    make_demo(str(ws_dir), periods=[Period(2022, 11)])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = run("-w", str(ws_dir), "history", "import", "inbox")
    assert "不存在" not in out + err and "2022-11" in out + err, out + err
