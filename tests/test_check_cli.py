"""``reporting check``: the report a clerk reads, the JSON a script reads, and the exit codes.

Run through click's CliRunner against real workspaces: the sample inbox
(``make_demo``, with the mistakes units make) and small inboxes built here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from reporting.cli import cli
from reporting.core import formlayout as fl
from reporting.core.periods import Period
from reporting.demo.make import make_demo
from reporting.render.forms import build_form
from reporting.workspace.config import load_workspace
from reporting.workspace.init import init_workspace

NOV = Period(2022, 11)
DEC = Period(2022, 12)
ISSUE_LINE = re.compile(r"^  (错误|警告|提示)\s+(?:(\S+!\S+|\S+)  )?(.*)  \(([a-z-]+)\)$")
FILE_LINE = re.compile(r"^(.+)  \[(.+) · (.+) · (.+)\]$")


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--workspace", str(root), *args], catch_exceptions=False)


def as_json(result: Result) -> dict[str, Any]:
    return json.loads(result.output)


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def parse_text(text: str) -> dict[str, dict[str, Any]]:
    """The text report as data: file -> unit, period, status and issue tuples (severity, where, message, code)."""
    files: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        m = FILE_LINE.match(line)
        if m:
            current = files.setdefault(m[1], {"unit": m[2], "period": m[3], "status": m[4], "issues": []})
            continue
        m = ISSUE_LINE.match(line)
        if m:
            assert current is not None, line
            current["issues"].append((m[1], m[2] or "", m[3], m[4]))
    return files


SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_ZH = {"used": "采用", "superseded": "已被更新文件取代", "duplicate": "重复文件", "rejected": "拒收",
             "ignored": "跳过", "other-period": "非本期"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample inbox: November and December 2022, with the planted mistakes. Read-only for the tests."""
    root = tmp_path_factory.mktemp("sample") / "ws"
    init_workspace(root)
    make_demo(str(root), periods=[NOV, DEC])
    return root


def fill(root: Path, unit: str, period: Period, name: str, **changes: Any) -> Path:
    ws = load_workspace(root)
    wb = build_form(ws, ws.unit(unit), period, None)
    sh = wb[fl.DATA_SHEET]
    codes = [i.code for i in ws.indicators]
    for n, ind in enumerate(ws.indicators):
        v = changes.get(ind.code, 30 + n if ind.is_integer else 2.5)
        sh.cell(fl.FIRST_DATA_ROW + n, fl.COL_VALUE).value = v
    sh.cell(fl.FIRST_DATA_ROW + codes.index("hte_recognised"), fl.COL_VALUE).value = changes.get("hte_recognised", 12)
    path = root / "inbox" / name
    wb.save(path)
    return path


# --------------------------------------------------------------------------- the sample inbox


def test_sample_inbox_report(sample: Path) -> None:
    before = snapshot(sample / "inbox")
    result = run(sample, "check")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("报送期 2022-12\n")
    files = parse_text(text)
    # the current period's files, each with unit, period and status; other periods and skipped files summed up
    assert files["2022年12月/前黄镇.xlsx"] | {"issues": None} == {
        "unit": "前黄镇", "period": "2022-12", "status": "已被更新文件取代", "issues": None}
    assert files["2022年12月/前黄镇（更正）.xlsx"]["status"] == "采用"
    assert files["2022年12月/西湖街道（重发）.xlsx"]["status"] == "重复文件"
    assert files["2022年12月/礼嘉镇12月份报表.xlsx"]["status"] == "采用"
    assert not any(f.startswith("2022年11月/") for f in files)
    assert "2022年12月/~$湖塘镇.xlsx" not in files
    assert "另有 14 个文件不属于本期或已跳过（加 -v 查看）" in text
    issues = {(f, code, where, sev) for f, d in files.items() for sev, where, _, code in d["issues"]}
    assert issues == {
        ("2022年12月/前黄镇.xlsx", "superseded", "", "警告"),
        ("2022年12月/西湖街道（重发）.xlsx", "duplicate-file", "", "警告"),
        ("2022年12月/南夏墅街道.xlsx", "blank-as-zero", "填报表!F9", "警告"),
        ("2022年12月/礼嘉镇12月份报表.xlsx", "unknown-row", "Sheet1!B9", "警告"),
    }
    assert "  警告   填报表!F9  未填写，按 0 计算；如有数据请补报  (blank-as-zero)" in text.splitlines()
    assert text.rstrip().endswith("本期 15 个文件：错误 0 处，警告 4 处")
    assert snapshot(sample / "inbox") == before


def test_sample_inbox_verbose_lists_inferences_and_skipped_files(sample: Path) -> None:
    result = run(sample, "check", "-v")
    assert result.exit_code == 0
    files = parse_text(result.output)
    assert files["2022年12月/~$湖塘镇.xlsx"]["status"] == "跳过"
    assert files["2022年12月/~$湖塘镇.xlsx"]["issues"] == [("提示", "", "已跳过：Excel/WPS 临时锁文件", "ignored-file")]
    assert files["2022年12月/湟里镇（上月）.xlsx"] == {
        "unit": "湟里镇", "period": "2022-11", "status": "非本期",
        "issues": [("提示", "", "该文件为 2022年11月 的报表，不属于本期", "other-period")]}
    lijia = {code: where for _, where, _, code in files["2022年12月/礼嘉镇12月份报表.xlsx"]["issues"]}
    assert lijia == {"layout-inferred": "Sheet1!E4", "unit-inferred": "Sheet1!A2", "period-inferred": "Sheet1!A1",
                     "unknown-row": "Sheet1!B9"}
    normalised = {f: where for f, d in files.items() for _, where, _, code in d["issues"] if code == "value-normalised"
                  and f.startswith("2022年12月/")}
    assert normalised == {"2022年12月/湖塘镇-2022年1-12月科技指标.xlsx": "填报表!F4",
                          "2022年12月/牛塘镇.xlsx": "填报表!F7", "2022年12月/武进国家高新区.xlsx": "填报表!F15"}


def test_sample_november_has_the_lossy_mistakes(sample: Path) -> None:
    result = run(sample, "check", "--period", "2022-11", "--json")
    assert result.exit_code == 1  # errors found
    data = as_json(result)
    assert data["period"] == "2022-11" and data["has_errors"] is True
    status = {f["file"]: f["status"] for f in data["files"]}
    assert status["2022年12月/湟里镇（上月）.xlsx"] == "duplicate"  # the same bytes as November's file
    assert status["2022年12月/湖塘镇-2022年1-12月科技指标.xlsx"] == "other-period"
    nov = [f for f in data["files"] if f["file"].startswith("2022年11月/")]
    assert {f["status"] for f in nov} == {"used"}
    assert "jiaze" not in {f["unit"] for f in nov}  # 嘉泽镇 did not submit in November
    found = {(f["file"], i["code"], i["severity"], i["sheet"], i["cell"], i["unit"], i["indicator"])
             for f in nov for i in f["issues"]}
    assert found == {
        ("2022年11月/洛阳镇.xlsx", "formula-without-value", "error", "填报表", "F7", "luoyang", "tech_sme"),
        ("2022年11月/雪堰镇-2022年1-11月科技指标.xlsx", "exceeds-related", "error", "填报表", "F5", "xueyan",
         "hte_recognised"),
        ("2022年11月/湖塘镇-2022年1-11月科技指标.xlsx", "dash-as-zero", "warning", "填报表", "F9", "hutang",
         "incubators"),
    }
    luoyang = next(f for f in nov if f["file"] == "2022年11月/洛阳镇.xlsx")
    assert (luoyang["errors"], luoyang["warnings"], luoyang["format"]) == (1, 0, "xlsx")
    assert luoyang["issues"][0]["message"] == "该单元格是公式但没有计算结果，请用 Excel 或 WPS 打开文件、保存后重新报送"


def test_json_has_the_same_issues_as_the_text(sample: Path) -> None:
    for args in ([], ["--period", "2022-11"]):
        text = parse_text(run(sample, "check", "-v", *args).output)
        data = as_json(run(sample, "check", "--json", *args))
        assert set(text) == {f["file"] for f in data["files"]}
        for f in data["files"]:
            shown = text[f["file"]]
            assert shown["status"] == STATUS_ZH[f["status"]]
            assert shown["period"] == (f["period"] or "?")
            expected = [(SEVERITY_ZH[i["severity"]], f"{i['sheet']}!{i['cell']}" if i["sheet"] and i["cell"]
                         else (i["sheet"] or i["cell"] or ""), i["message"], i["code"]) for i in f["issues"]]
            assert shown["issues"] == expected, f["file"]


def test_json_lists_every_file_with_its_status(sample: Path) -> None:
    data = as_json(run(sample, "check", "--json"))
    assert data["period"] == "2022-12" and data["has_errors"] is False
    files = {f["file"]: f for f in data["files"]}
    assert len(files) == 29
    dec = {f["file"]: f["status"] for f in data["files"] if f["file"].startswith("2022年12月/")}
    assert dec.pop("2022年12月/前黄镇.xlsx") == "superseded"
    assert dec.pop("2022年12月/西湖街道（重发）.xlsx") == "duplicate"
    assert dec.pop("2022年12月/湟里镇（上月）.xlsx") == "other-period"
    assert dec.pop("2022年12月/~$湖塘镇.xlsx") == "ignored"
    assert set(dec.values()) == {"used"} and len(dec) == 13  # every unit, once
    assert {f["unit"] for f in data["files"] if f["status"] == "used"} == \
        {u.code for u in load_workspace(sample).units}
    used = files["2022年12月/前黄镇（更正）.xlsx"]
    assert re.fullmatch(r"[0-9a-f]{64}", used["sha256"]) and used["received"].startswith("2023-01-03T")
    assert files["2022年12月/前黄镇.xlsx"]["reason"] == "由 2022年12月/前黄镇（更正）.xlsx 取代"
    assert files["2022年12月/~$湖塘镇.xlsx"]["reason"] == "Excel/WPS 临时锁文件"


def test_english_report(sample: Path) -> None:
    result = run(sample, "--lang", "en", "check")
    assert result.exit_code == 0
    assert result.output.startswith("Period 2022-12")
    assert "warning Sheet1!B9  Row 其中：省级以上研发机构 is not a known indicator and was ignored  (unknown-row)" in \
        result.output
    assert "This period: 15 files, 0 errors, 4 warnings" in result.output


# --------------------------------------------------------------------------- paths, periods and exit codes


def test_check_one_file_or_one_folder(sample: Path) -> None:
    one = sample / "inbox" / "2022年11月" / "洛阳镇.xlsx"
    result = run(sample, "check", "--json", str(one))
    assert result.exit_code == 1
    data = as_json(result)
    assert [f["file"] for f in data["files"]] == ["2022年11月/洛阳镇.xlsx"]
    assert data["period"] == "2022-11"
    result = run(sample, "check", "--json", str(sample / "inbox" / "2022年12月"))
    assert result.exit_code == 0
    assert {f["file"].split("/")[0] for f in as_json(result)["files"]} == {"2022年12月"}


def test_check_a_file_outside_the_inbox(ws_dir: Path, tmp_path: Path) -> None:
    """A file checked before it is filed: named by its own path, compared with last month's inbox files."""
    fill(ws_dir, "hutang", Period(2022, 10), "湖塘镇10月.xlsx", tech_sme=50)
    outside = fill(ws_dir, "hutang", NOV, "湖塘镇11月.xlsx", tech_sme=40)
    target = tmp_path / "收件" / "湖塘镇11月.xlsx"
    target.parent.mkdir()
    outside.rename(target)
    result = run(ws_dir, "check", "--json", str(target))
    assert result.exit_code == 1
    (f,) = as_json(result)["files"]
    assert (f["file"], f["status"]) == (target.as_posix(), "used")
    assert [(i["code"], i["cell"]) for i in f["issues"]] == [("ytd-decreased", "F7")]


def test_exit_0_when_clean_1_with_errors(ws_dir: Path) -> None:
    fill(ws_dir, "hutang", NOV, "湖塘镇.xlsx")
    result = run(ws_dir, "check")
    assert result.exit_code == 0, result.output
    assert "湖塘镇.xlsx  [湖塘镇 · 2022-11 · 采用]" in result.output
    fill(ws_dir, "niutang", NOV, "牛塘镇.xlsx", tech_sme="约12")
    result = run(ws_dir, "check")
    assert result.exit_code == 1
    assert "  错误   填报表!F7  “约12”不是数值，请只填写数字  (not-a-number)" in result.output.splitlines()
    assert "错误 1 处" in result.output


def test_warnings_alone_exit_0(ws_dir: Path) -> None:
    fill(ws_dir, "hutang", NOV, "湖塘镇.xlsx", gazelle="—")
    result = run(ws_dir, "check")
    assert result.exit_code == 0
    assert "(dash-as-zero)" in result.output


@pytest.mark.parametrize("period", ["2022-13", "11月", "2022-1-1", ""])
def test_bad_period_is_a_usage_error(ws_dir: Path, period: str) -> None:
    fill(ws_dir, "hutang", NOV, "湖塘镇.xlsx")
    result = CliRunner().invoke(cli, ["--workspace", str(ws_dir), "check", "--period", period])
    assert result.exit_code == 2
    assert "--period" in result.output or "2022-11" in result.output
    assert "Traceback" not in result.output


def test_missing_path_is_a_usage_error(ws_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["--workspace", str(ws_dir), "check", str(ws_dir / "inbox" / "没有这个.xlsx")])
    assert result.exit_code == 2
    assert "没有这个.xlsx" in result.output
    assert "Traceback" not in result.output


def test_not_a_workspace_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--workspace", str(tmp_path), "check"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_period_assumed_only_with_period_option(ws_dir: Path) -> None:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["湖塘镇科技指标"])
    sh.append(["指标名称", "本年累计"])
    ws = load_workspace(ws_dir)
    for n, ind in enumerate(ws.indicators):
        sh.append([ind.name, 12 if ind.code == "hte_recognised" else 30 + n])
    wb.save(ws_dir / "inbox" / "湖塘镇.xlsx")
    result = run(ws_dir, "check", "--json")
    assert result.exit_code == 1
    (f,) = as_json(result)["files"]
    assert (f["status"], f["unit"], f["period"]) == ("rejected", "hutang", None)
    assert [i["code"] for i in f["issues"] if i["severity"] == "error"] == ["unknown-period"]
    result = run(ws_dir, "check", "--period", "2022-11")
    assert result.exit_code == 0
    assert "湖塘镇.xlsx  [湖塘镇 · 2022-11 · 采用]" in result.output
    assert "  警告   文件中未写明报送期，按 2022-11 处理  (period-assumed)" in result.output.splitlines()


def test_unknown_unit_is_listed_as_rejected(ws_dir: Path) -> None:
    path = fill(ws_dir, "hutang", NOV, "湖塘镇.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb[fl.META_SHEET]  # copied into a new book: no metadata
    wb[fl.DATA_SHEET]["A2"] = "填报单位：科技办"
    wb.save(ws_dir / "inbox" / "新建 Microsoft Excel 工作表.xlsx")
    path.unlink()
    result = run(ws_dir, "check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "新建 Microsoft Excel 工作表.xlsx  [? · 2022-11 · 拒收]" in lines
    assert any(line.endswith("(unknown-unit)") and "填报表!A2" in line and "科技办" in line for line in lines)


def test_check_does_not_touch_the_inbox(ws_dir: Path) -> None:
    fill(ws_dir, "hutang", NOV, "湖塘镇.xlsx", tech_sme="１２")
    (ws_dir / "inbox" / "~$湖塘镇.xlsx").write_bytes(b"\x00" * 162)
    os.utime(ws_dir / "inbox" / "湖塘镇.xlsx", (1_669_852_800, 1_669_852_800))
    before = snapshot(ws_dir / "inbox")
    for args in ([], ["--json"], ["-v", "--period", "2022-11"]):
        assert run(ws_dir, "check", *args).exit_code == 0
    assert snapshot(ws_dir / "inbox") == before
    assert not list((ws_dir / "outbox").iterdir())  # check writes nothing


def test_clerks_notes_are_skipped_with_an_info(ws_dir: Path) -> None:
    """说明.txt and README.md kept next to the forms are the clerk's notes: an info, never an error."""
    fill(ws_dir, "hutang", DEC, "湖塘镇.xlsx")
    (ws_dir / "inbox" / "说明.txt").write_text("湖塘镇 12 月数据已电话核对。\n", encoding="utf-8")
    (ws_dir / "inbox" / "README.md").write_text("# 收件说明\n", encoding="utf-8")
    (ws_dir / "inbox" / "湖塘镇.csv.txt").write_bytes(b"\xff\xfe\x00garbage")  # not text: still not an error
    result = run(ws_dir, "check", "--json", "--period", "2022-12")
    data = as_json(result)
    by_file = {f["file"]: f for f in data["files"]}
    for name in ("说明.txt", "README.md"):
        assert by_file[name]["status"] == "ignored", by_file[name]
        assert [(i["code"], i["severity"]) for i in by_file[name]["issues"]] == [("ignored-file", "info")]
    assert by_file["湖塘镇.xlsx"]["status"] == "used"
    assert not [i for f in data["files"] for i in f["issues"] if i["severity"] == "error"
                and f["file"] in ("说明.txt", "README.md")]


def test_english_verbose_report_has_no_chinese_beyond_names(sample: Path) -> None:
    """``--lang en check -v``: Chinese only in file, sheet, unit and indicator names and text quoted from cells."""
    result = run(sample, "--lang", "en", "check", "-v")
    assert result.exit_code == 0
    ws = load_workspace(sample)
    names = sorted({p.relative_to(sample / "inbox").as_posix() for p in (sample / "inbox").rglob("*")}
                   | {"填报表", "其中：省级以上研发机构"} | {u.name for u in ws.units}
                   | {i.name for i in ws.indicators}, key=len, reverse=True)
    text = re.sub(r"'[^'\n]*'", "''", result.output)  # values quoted from a cell, as typed
    for name in names:
        text = text.replace(name, "")
    assert "Skipped: Excel/WPS lock file" in text
    assert not re.findall(r"[\u3400-\u9fff\uff00-\uffef]+", text)
