"""Issue 11, the clerk's path: every command safe and clear on a Windows office PC.

The real command line in a subprocess (console encodings, exit codes, stderr lines)
and through click's runner, on workspaces built the way a clerk builds them.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.cli import cli
from reporting.cli.options import parse_period_text
from reporting.core.periods import Period
from reporting.demo.make import make_demo
from reporting.workspace.config import Workspace, load_workspace
from reporting.workspace.init import init_workspace

NOV, DEC = Period(2022, 11), Period(2022, 12)


def reporting(*args: str, encoding: str = "utf-8", env: dict[str, str] | None = None,
              cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """The installed command, its output as bytes in the console's ``encoding``."""
    environ = {k: v for k, v in os.environ.items() if k != "REPORTING_WORKSPACE"}
    environ.update({"PYTHONIOENCODING": encoding, **(env or {})})
    return subprocess.run([sys.executable, "-c", "from reporting.cli import main; main()", *args],
                          capture_output=True, env=environ, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clerk") / "ws"
    init_workspace(root)
    make_demo(str(root), periods=[NOV, DEC])
    src = next(p for p in (root / "inbox").rglob("*.xlsx"))
    shutil.copy(src, root / "inbox" / "湖塘镇✅.xlsx")
    return root


# ----------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["gbk", "cp1252"])
@pytest.mark.parametrize("args", [["check", "-v"], ["--lang", "en", "config"], ["config"], ["check", "--json"],
                                  ["forms", "--period", "2022-12", "--force"], ["check", "--period", "2022-13"]])
def test_output_never_crashes_on_the_console_encoding(sample: Path, encoding: str, args: list[str]) -> None:
    r = reporting("-w", str(sample), *args, encoding=encoding)
    err = r.stderr.decode(encoding)
    assert "Traceback" not in err and "UnicodeEncodeError" not in err, err
    assert r.returncode in (0, 1, 2)
    if args[0] == "check" and "--period" not in args:
        assert r.returncode in (0, 1)
        out = r.stdout.decode(encoding)
        if "--json" in args:
            data = json.loads(out)  # ASCII-safe: \u escapes, so nothing was replaced
            assert any("湖塘镇✅.xlsx" in json.dumps(f, ensure_ascii=False) for f in data["files"])
        else:
            assert "?" in out or encoding == "gbk"


def test_json_keeps_chinese_on_utf8(sample: Path) -> None:
    r = reporting("-w", str(sample), "check", "--json", encoding="utf-8")
    assert "湖塘镇".encode() in r.stdout


# ----------------------------------------------------------------- workspace option


def test_workspace_option_beats_the_environment_wherever_it_stands(sample: Path, tmp_path: Path) -> None:
    other = tmp_path / "not-a-workspace"
    other.mkdir()
    for args in (["-w", str(sample), "config"], ["config", "-w", str(sample)]):
        r = reporting(*args, env={"REPORTING_WORKSPACE": str(other)})
        assert r.returncode == 0, r.stderr.decode()
        assert str(sample) in r.stdout.decode()
    r = reporting("config", env={"REPORTING_WORKSPACE": str(sample)}, cwd=tmp_path)
    assert r.returncode == 0


# ----------------------------------------------------------------- write failures


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes to read-only folders")
def test_read_only_outbox_is_one_line_naming_the_folder(sample: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(sample, ws)
    (ws / "outbox").chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        r = reporting("-w", str(ws), "forms", "--period", "2022-12")
    finally:
        (ws / "outbox").chmod(0o755)
    err = r.stderr.decode()
    assert r.returncode == 2 and "内部错误" not in err and "outbox" in err and len(err.strip().splitlines()) == 1


def test_a_file_in_the_way_is_one_line_naming_it(sample: Path, tmp_path: Path) -> None:
    """A folder where the forms folder should be (as a file locked open would): one line, exit 2."""
    ws = tmp_path / "ws"
    shutil.copytree(sample, ws)
    shutil.rmtree(ws / "outbox", ignore_errors=True)
    (ws / "outbox").mkdir()
    (ws / "outbox" / "2022-12").write_text("in the way")
    r = reporting("-w", str(ws), "forms", "--period", "2022-12")
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert "内部错误" not in err and "2022-12" in err and len(err.strip().splitlines()) == 1


# ----------------------------------------------------------------- usage errors and periods


@pytest.mark.parametrize("args", [["check", "--nosuch"], ["forms"], ["compile", "--period", "2023-13"],
                                  ["nosuchcommand"]])
def test_usage_errors_are_one_chinese_line_with_the_help_hint(sample: Path, args: list[str]) -> None:
    r = reporting("-w", str(sample), *args)
    err = r.stderr.decode().strip()
    assert r.returncode == 2
    assert len(err.splitlines()) == 1, err
    assert err.startswith("错误：") and "--help" in err
    if "2023-13" in args:
        assert "月份超出范围" in err


def test_usage_errors_in_english_on_request(sample: Path) -> None:
    r = reporting("-w", str(sample), "--lang", "en", "check", "--nosuch")
    err = r.stderr.decode().strip()
    assert r.returncode == 2 and err.startswith("Error: ") and "--help" in err


@pytest.mark.parametrize("text", ["2023-03", "2023-3", "2023/3", "202303", "2023年3月", "2023.3", " 2023 - 3 "])
def test_periods_in_the_ways_clerks_write_them(text: str) -> None:
    assert parse_period_text(text) == Period(2023, 3)


@pytest.mark.parametrize("text", ["2023-13", "2023年0月", "202313"])
def test_month_out_of_range_says_so(text: str) -> None:
    with pytest.raises(ValueError, match="error.period_month"):
        parse_period_text(text)


def test_period_forms_on_the_command_line(sample: Path) -> None:
    r = CliRunner().invoke(cli, ["-w", str(sample), "forms", "--period", "2022年12月", "--unit", "湖塘镇", "--force"])
    assert r.exit_code == 0, r.output
    assert any((sample / "outbox" / "2022-12" / "forms").iterdir())


# ----------------------------------------------------------------- demo safety


def test_demo_refuses_a_workspace_with_files_in_inbox(sample: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(sample, ws)
    before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
    for args in (["demo"], ["demo", "--units", "20", "--periods", "2022-11"]):
        r = reporting("-w", str(ws), *args)
        assert r.returncode == 2, r.stderr.decode()
        assert "--force" in r.stderr.decode() and len(r.stderr.decode().strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()} == before


def test_demo_refuses_own_configuration_for_synthetic_units(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    init_workspace(ws)
    toml = ws / "templates" / "workspace.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("武进区", "新北区"), encoding="utf-8")
    (ws / "templates" / "targets" / "2021.xlsx").write_bytes(b"clerk's")
    r = reporting("-w", str(ws), "demo", "--units", "20", "--periods", "2022-11")
    assert r.returncode == 2
    assert "新北区" in toml.read_text(encoding="utf-8")
    assert (ws / "templates" / "targets" / "2021.xlsx").read_bytes() == b"clerk's"
    r = reporting("-w", str(ws), "demo", "--units", "20", "--periods", "2022-11", "--force")
    assert r.returncode == 0, r.stderr.decode()


def test_demo_on_a_fresh_workspace_needs_no_force(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    init_workspace(ws)
    assert reporting("-w", str(ws), "demo").returncode == 0
    assert any((ws / "inbox").rglob("*.xlsx"))


def test_a_plain_demo_year_is_clean_in_every_month(tmp_path: Path) -> None:
    """demo --plain promises clean forms: a whole year of them checks with no error in any month
    (a month's jitter once took back February's figure in March: ytd-decreased)."""
    ws = tmp_path / "ws"
    init_workspace(ws)
    assert reporting("-w", str(ws), "demo", "--plain", "--periods", "2022-01..2022-12").returncode == 0
    for month in range(1, 13):
        r = reporting("-w", str(ws), "--lang", "en", "check", "--period", f"2022-{month:02d}")
        assert b"ytd-decreased" not in r.stdout, f"2022-{month:02d}"
        assert r.returncode == 0, (month, r.stdout.decode()[-2000:])


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("demo") / "ws"
    init_workspace(root)
    return load_workspace(root)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_demo_figures_never_fall_from_one_month_to_the_next(demo_ws: Workspace, seed: int) -> None:
    from reporting.demo.figures import monthly_figures, year_end_figures

    year_end = year_end_figures(demo_ws, seed)
    months = [monthly_figures(demo_ws, year_end, m, seed) for m in range(1, 13)]
    for before, after in zip(months[:-1], months[1:], strict=True):
        for unit, figures in after.items():
            assert all(v >= before[unit][code] for code, v in figures.items()), (seed, unit)
    assert any(v > 0 for f in months[-1].values() for v in f.values())


def test_a_form_stating_no_period_is_named_with_the_command_that_takes_it(sample: Path, tmp_path: Path) -> None:
    """Without --period a form that states no month is no month's; the summary says which file, and that
    compile --period takes it as the month compiled (a warning then says so), instead of a bare 未报送."""
    import openpyxl

    ws = tmp_path / "ws"
    shutil.copytree(sample, ws)
    shutil.rmtree(ws / "outbox", ignore_errors=True)
    (ws / "inbox" / "湖塘镇✅.xlsx").unlink()
    for old in (ws / "inbox").rglob("湖塘镇*1-12月*.xlsx"):
        old.unlink()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["湖塘镇科技指标完成情况"])
    sheet.append(["指标名称", "本年累计"])
    for ind in load_workspace(ws).indicators:
        sheet.append([ind.name, 7])
    book.save(ws / "inbox" / "湖塘镇.xlsx")

    r = reporting("-w", str(ws), "compile")
    out = r.stdout.decode()
    assert "另有 1 个文件未写明报送期，未纳入本次汇总（湖塘镇.xlsx）" in out, out
    assert "reporting compile --period 2022-12" in out
    files = {f["file"]: f for f in json.loads((ws / "outbox" / "2022-12" / "results.json").read_text("utf-8"))["files"]}
    assert files["湖塘镇.xlsx"]["status"] == "rejected"

    r = reporting("-w", str(ws), "--lang", "en", "compile", "--period", "2022-12")
    out = r.stdout.decode()
    assert "state no period" not in out
    data = json.loads((ws / "outbox" / "2022-12" / "results.json").read_text("utf-8"))
    assert {f["file"]: f["status"] for f in data["files"]}["湖塘镇.xlsx"] == "used"
    assert any(i["code"] == "period-assumed" and i["file"] == "湖塘镇.xlsx" for i in data["issues"])


# ----------------------------------------------------------------- units by name, check lists


@pytest.mark.parametrize("given", ["hutang", "湖塘镇", "湖塘"])
def test_forms_unit_by_code_name_or_alias(sample: Path, tmp_path: Path, given: str) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(sample, ws)
    shutil.rmtree(ws / "outbox", ignore_errors=True)
    r = CliRunner().invoke(cli, ["-w", str(ws), "forms", "--period", "2022-12", "--unit", given])
    assert r.exit_code == 0, r.output
    assert len(list((ws / "outbox" / "2022-12" / "forms").iterdir())) == 1


def test_forms_unknown_unit_is_a_usage_error(sample: Path) -> None:
    r = reporting("-w", str(sample), "forms", "--period", "2022-12", "--unit", "火星镇")
    assert r.returncode == 2 and "火星镇" in r.stderr.decode()


def test_check_lists_units_without_a_usable_file(sample: Path) -> None:
    from reporting.ingest.pipeline import check_files
    from reporting.render.terminal import missing_units
    from reporting.workspace.config import load_workspace

    ws = load_workspace(sample)
    report = check_files(ws, None, NOV)
    missing = missing_units(report, ws)
    assert "jiaze" in {u.code for u in missing}, "the sample's 嘉泽镇 did not send November"
    r = CliRunner().invoke(cli, ["-w", str(sample), "check", "--period", "2022-11"])
    line = next(x for x in r.output.splitlines() if x.startswith("尚未报送可用文件的单位"))
    assert all(u.name in line for u in missing)


def test_check_quiet_prints_the_summary_when_it_exits_1(sample: Path) -> None:
    r = reporting("-w", str(sample), "check", "-q", "--period", "2022-11")
    out = r.stdout.decode().strip()
    assert r.returncode == 1
    assert len(out.splitlines()) == 1 and out.startswith("本期")


# ----------------------------------------------------------------- leaving the process


def test_the_command_leaves_its_store_checkpointed_and_its_output_whole(sample: Path, tmp_path: Path) -> None:
    """main() skips the interpreter's teardown: the store must still be closed and stdout complete."""
    import sqlite3

    ws = tmp_path / "ws"
    shutil.copytree(sample, ws)
    r = reporting("-w", str(ws), "compile", "--json")
    assert r.returncode == 0, r.stderr.decode()
    data = json.loads(r.stdout.decode("utf-8"))  # the whole document, flushed before the exit
    assert data["period"] == "2022-12"
    wal = ws / "history.sqlite-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # closed: everything is in history.sqlite itself
    with sqlite3.connect(ws / "history.sqlite") as db:
        assert db.execute("SELECT count(*) FROM period WHERE period = '2022-12'").fetchone()[0] == 1


def test_exit_codes_survive_the_quick_exit(sample: Path) -> None:
    assert reporting("-w", str(sample), "check", "--period", "2022-13").returncode == 2
    assert reporting("--version").returncode == 0
    assert reporting("-w", str(sample), "check").returncode in (0, 1)


def test_a_reader_that_stops_early_is_no_traceback(sample: Path, tmp_path: Path) -> None:
    """``reporting compile --json | head -1``: the pipe closes long before the 100 KB are written."""
    ws = tmp_path / "ws"
    shutil.copytree(sample, ws)
    environ = {k: v for k, v in os.environ.items() if k != "REPORTING_WORKSPACE"}
    cmd = [sys.executable, "-c", "from reporting.cli import main; main()", "-w", str(ws), "compile", "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=120) in (0, 1, 120)  # 120: Python's own code for output it could not flush
    assert "Traceback" not in err, err
