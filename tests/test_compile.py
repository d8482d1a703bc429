"""``reporting compile`` end to end: real forms in inbox/, a real bulletin and results.json out.

The scenario is small enough to compute by hand. Every unit's target is 100
for every indicator (礼嘉镇 has no 瞪羚 target), the district target for
高企申报 is 1200 and the others are the sum of the units' (1300). Every
unit sends 95 for every indicator and 85 for 高企认定 (seasonal: 80% due by
November), except as listed in ``NOV``. The weights of the scored
indicators add up to 100 (揭榜挂帅 has weight 0), so the base score is

    20·0.95 + 10·0.85 + 70·0.95 = 94.0

and each unit's score below follows from its own changes. Period 2022-11:
序时进度 11/12 = 91.7% (80.0% for 高企认定).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from reporting.cli import cli
from reporting.core import formlayout as fl
from reporting.core.periods import Period
from reporting.core.results import Results
from reporting.jobs.compile import CompileResult, compile_period
from reporting.workspace.atomic import LockBusy, workspace_lock
from reporting.workspace.config import Workspace, load_workspace
from reporting.workspace.init import init_workspace

REPO = Path(__file__).resolve().parent.parent
# openpyxl does not read the data-bar extension xlsxwriter writes; it says so, harmlessly
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

NOV_P = Period(2022, 11)
OCT_P = Period(2022, 10)
DEFAULT = 95
RECOGNISED = 85  # 85% of target: on schedule against the seasonal 80%, behind against 11/12

# unit -> the values that differ from the defaults; 嘉泽镇 (jiaze) sends nothing
NOV: dict[str, dict[str, Any]] = {
    "hutang": {"hte_applications": 150},    # 150%: the score counts it as 120% (the cap)
    "niutang": {"hte_applications": 120},   # 120%: exactly the cap, so the same score as 湖塘镇
    "luoyang": {"tech_sme": "约12"},        # not a number: 待核实, out of sums, ranks and the score
    "xueyan": {"bounty_funds": 93.35},      # 93.35% shows as 93.4%, the same as 前黄镇's
    "qianhuang": {"bounty_funds": 93.4},
    "lijia": {},                            # no 瞪羚 target
    "huangli": {"hte_applications": 88},    # 88%: behind schedule
    "wjhtz": {"hte_pool": 110},
    "xitaihu": {},
    "lvjian": {"hte_recognised": 70},       # 70%: behind the seasonal 80%
    "nanxiashu": {},
    "xihu": {},
}
REMARKS = {"xihu": {"hte_pool": "=1+1", "tech_sme": '=HYPERLINK("http://example.com/x","点这里")'}}

# Composite scores, worked out by hand (see the module docstring for the base of 94.0):
SCORES: dict[str, float | None] = {
    "hutang": 99.0,     # 94 + 20·(1.2 − 0.95); uncapped it would be 105.0
    "niutang": 99.0,    # 94 + 20·(1.2 − 0.95)
    "xueyan": 94.0,     # 揭榜挂帅 has weight 0
    "qianhuang": 94.0,
    "lijia": 93.95,     # 瞪羚 not scored: (94 − 5·0.95) / 95 = 93.947…
    "huangli": 92.6,    # 94 − 20·(0.95 − 0.88)
    "luoyang": 79.75,   # 科小 pending counts 0 (provisional): 94 − 15·0.95 = 79.75
    "jiaze": None,      # no submission
    "wjhtz": 95.5,      # 94 + 10·(1.1 − 0.95)
    "xitaihu": 94.0,
    "nanxiashu": 94.0,
    "xihu": 94.0,
    "lvjian": 92.5,     # 94 − 10·(0.85 − 0.70)
}
# (rank, tied) within the group, in the order results.json lists the units
RANKS: dict[str, tuple[int | None, bool]] = {
    "hutang": (1, True), "niutang": (1, True), "xueyan": (3, True), "qianhuang": (3, True),
    "lijia": (5, False), "huangli": (6, False), "luoyang": (7, False), "jiaze": (None, False),
    "wjhtz": (1, False), "xitaihu": (2, True), "nanxiashu": (2, True), "xihu": (2, True), "lvjian": (5, False),
}
# district totals of the accepted figures (12 units; 洛阳镇's 科小 pending)
DISTRICT: dict[str, tuple[float, float, str]] = {  # code -> (target, actual, status)
    "hte_applications": (1200, 150 + 120 + 4 * 95 + 88 + 5 * 95, "completed"),    # 1213
    "hte_recognised": (1300, 11 * 85 + 70, "behind"),                             # 1005: 77.3% < 80.0%
    "hte_pool": (1300, 11 * 95 + 110, "behind"),                                  # 1155
    "tech_sme": (1300, 11 * 95, "behind"),                                        # 1045
    "gazelle": (1200, 12 * 95, "on_schedule"),                                    # no target for 礼嘉镇
    "incubation_area": (1300, 12 * 95, "behind"),
    "bounty_funds": (1300, 10 * 95 + 93.35 + 93.4, "behind"),                     # 1136.75
}

# October: the previous period, for rank changes computed from inbox files.
# Defaults 80 (高企认定 70); 高企申报 as listed. Scores: base 20·.8 + 10·.7 + 70·.8 = 79.0
OCT: dict[str, dict[str, Any]] = {
    "hutang": {"hte_applications": 130},    # 87.0 (capped)   rank 1
    "huangli": {"hte_applications": 86},    # 80.2            rank 2
    "luoyang": {"hte_applications": 85},    # 80.0            rank 3
    "niutang": {}, "xueyan": {}, "qianhuang": {}, "jiaze": {},  # 79.0  rank 4 (tied)
    "lijia": {},                            # (79 − 5·0.8) / 95 = 78.95  rank 8
    "wjhtz": {}, "xitaihu": {}, "lvjian": {}, "nanxiashu": {}, "xihu": {},  # 79.0: all 1 (tied)
}
OCT_RANKS = {"hutang": 1, "huangli": 2, "luoyang": 3, "niutang": 4, "xueyan": 4, "qianhuang": 4, "jiaze": 4,
             "lijia": 8, "wjhtz": 1, "xitaihu": 1, "lvjian": 1, "nanxiashu": 1, "xihu": 1}

# The 2022 figures 武进区 published (district totals), which the sample inbox reproduces.
PUBLISHED_2022 = {
    "hte_applications": 611, "hte_recognised": 435, "hte_pool": 306, "tech_sme": 1191, "gazelle": 47,
    "incubators": 5, "incubation_area": 35.8, "rd_centres": 64, "talent_projects": 42, "intl_projects": 29,
    "contest_projects": 139, "bounty_funds": 4240,
}

# results.json keys, in order (docs/results.md)
TOP_KEYS = ["schema", "tool", "period", "year", "month", "lang", "title", "bulletin_file", "as_of", "schedule",
            "cap", "district", "groups", "units", "values", "issues", "files", "history", "summary",
            "deadline", "calendar", "last_year_history", "late_units"]
DISTRICT_KEYS = ["name", "name_en", "city", "issuer", "issuer_en", "indicators"]
DISTRICT_IND_KEYS = ["code", "name", "name_en", "unit", "unit_en", "decimals", "weight", "target", "actual", "rate",
                     "schedule", "status", "gap", "units_counted", "units_missing", "units_pending",
                     "rank_by", "last_year", "last_year_source", "yoy", "increment", "increment_not_comparable",
                     "yoy_not_comparable"]
GROUP_KEYS = ["code", "name", "name_en"]
UNIT_KEYS = ["code", "name", "name_en", "group", "status", "file", "received", "score", "rank", "rank_tied",
             "rank_change", "previous_rank", "on_schedule", "scored", "errors", "warnings",
             "score_complete", "timeliness"]
VALUE_KEYS = ["unit", "indicator", "actual", "target", "rate", "schedule", "status", "rank", "rank_tied", "remark",
              "source", "last_year", "last_year_source", "yoy", "increment", "growth_rank"]
SOURCE_KEYS = ["file", "sha256", "sheet", "cell"]
ISSUE_KEYS = ["code", "severity", "unit", "indicator", "file", "sheet", "cell", "message"]
FILE_KEYS = ["file", "sha256", "unit", "period", "status", "reason", "received", "received_source", "format", "errors", "warnings"]
HISTORY_KEYS = ["period", "indicators"]
SUMMARY_KEYS = ["units", "submitted", "missing", "with_errors", "missing_units", "pending_values",
                "on_schedule_indicators", "scored_indicators", "notes"]

EN_SHEETS = ["Bulletin", "Ranking", "Indicators", "Lights", "Charts", "Submissions", "Timeliness", "Data issues"]
STATUS_ZH = {"completed": "已完成", "on_schedule": "达到序时", "behind": "落后序时", "no_target": "无目标"}


# --------------------------------------------------------------------------- building workspaces


def _make_workspace(root: Path) -> Workspace:
    """``reporting init`` plus the hand-chosen 2022 targets."""
    from reporting.render.targets_book import write_targets_workbook

    init_workspace(root)
    ws = load_workspace(root, with_targets=False)
    units: dict[str, dict[str, float | None]] = {u.code: {i.code: 100.0 for i in ws.indicators} for u in ws.units}
    units["lijia"]["gazelle"] = None
    district: dict[str, float | None] = {i.code: None for i in ws.indicators}  # blank: the sum of the units'
    district["hte_applications"] = 1200.0
    write_targets_workbook(root / "templates" / "targets" / "2022.xlsx", year=2022, district=ws.settings.district,
                           units=ws.units, indicators=ws.indicators,
                           group_names={g.code: g.name for g in ws.groups}, values={**units, "district": district})
    return load_workspace(root)


def _received(period: Period, minutes: int) -> float:
    """A fixed receipt time a few days after the period, so that outputs never depend on the clock."""
    y, m = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return (dt.datetime(y, m, 3, 9, 0) + dt.timedelta(minutes=minutes)).timestamp()


def _write_form(ws: Workspace, code: str, period: Period, values: dict[str, Any], *, default: float = DEFAULT,
                recognised: float = RECOGNISED, remarks: dict[str, str] | None = None, folder: str = "",
                minutes: int = 0) -> Path:
    """The unit's own form, filled in as a person would: column F in catalogue order, 备注 in column G."""
    from reporting.render.forms import build_form

    wb = build_form(ws, ws.unit(code), period, None)
    sheet = wb[fl.DATA_SHEET]
    for n, ind in enumerate(ws.indicators):
        value = values.get(ind.code, recognised if ind.code == "hte_recognised" else default)
        sheet.cell(fl.FIRST_DATA_ROW + n, fl.COL_VALUE).value = value
    for n, ind in enumerate(ws.indicators):
        text = (remarks or {}).get(ind.code)
        if text is not None:
            cell = sheet.cell(fl.FIRST_DATA_ROW + n, fl.COL_REMARK)
            cell.value = text
            cell.data_type = "s"  # typed as text (a leading apostrophe in Excel), not a formula
    path = ws.inbox / folder / f"{ws.unit(code).name}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    ts = _received(period, minutes)
    os.utime(path, (ts, ts))
    return path


def _write_november(ws: Workspace) -> None:
    for n, (code, values) in enumerate(NOV.items()):
        _write_form(ws, code, NOV_P, values, remarks=REMARKS.get(code), minutes=n)


def _write_october(ws: Workspace) -> None:
    for n, (code, values) in enumerate(OCT.items()):
        _write_form(ws, code, OCT_P, values, default=80, recognised=70, folder="2022年10月", minutes=n)


@dataclass
class Scenario:
    root: Path
    ws: Workspace
    result: CompileResult
    results: dict[str, Any]  # as read back from results.json

    @property
    def bulletin(self) -> Path:
        return self.result.bulletin

    def unit(self, code: str) -> dict[str, Any]:
        return next(u for u in self.results["units"] if u["code"] == code)

    def value(self, unit: str, indicator: str) -> dict[str, Any]:
        return next(v for v in self.results["values"] if v["unit"] == unit and v["indicator"] == indicator)

    def district(self, code: str) -> dict[str, Any]:
        return next(d for d in self.results["district"]["indicators"] if d["code"] == code)


def _load(root: Path, result: CompileResult) -> Scenario:
    return Scenario(root, load_workspace(root), result, json.loads(result.results_path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The November scenario, compiled once (tests that change files work on a copy)."""
    root = tmp_path_factory.mktemp("compile") / "ws"
    ws = _make_workspace(root)
    _write_november(ws)
    return _load(root, compile_period(ws))


def _copy(scenario: Scenario, tmp_path: Path) -> Path:
    """A copy of the compiled workspace (file times kept, so 'received' stays the same)."""
    dst = tmp_path / "ws"
    shutil.copytree(scenario.root, dst)
    return dst


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (but the lock file) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def _leftovers(outbox: Path) -> list[str]:
    return [p.relative_to(outbox).as_posix() for p in outbox.rglob("*")
            if p.name.startswith((".staging-", ".tmp-"))]


def _invoke(root: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["compile", "--workspace", str(root), *args])


# --------------------------------------------------------------------------- results.json: the contract


def test_results_json_keys_follow_the_contract(scenario: Scenario) -> None:
    r = scenario.results
    doc = (REPO / "docs" / "results.md").read_text(encoding="utf-8")
    for keys in (TOP_KEYS, DISTRICT_KEYS, DISTRICT_IND_KEYS, UNIT_KEYS, VALUE_KEYS, SOURCE_KEYS, ISSUE_KEYS,
                 SUMMARY_KEYS, HISTORY_KEYS):
        for k in keys:
            assert f'"{k}"' in doc, k  # the lists here are the documented ones
    assert list(r) == TOP_KEYS
    assert list(r["district"]) == DISTRICT_KEYS
    assert all(list(d) == DISTRICT_IND_KEYS for d in r["district"]["indicators"])
    assert all(list(g) == GROUP_KEYS for g in r["groups"])
    assert all(list(u) == UNIT_KEYS for u in r["units"])
    assert all(list(v) == VALUE_KEYS for v in r["values"])
    assert all(list(v["source"]) == SOURCE_KEYS for v in r["values"] if v["source"] is not None)
    assert r["issues"] and all(list(i) == ISSUE_KEYS for i in r["issues"])
    assert all(list(f) == FILE_KEYS for f in r["files"])
    assert all(list(h) == HISTORY_KEYS for h in r["history"])
    assert list(r["summary"]) == SUMMARY_KEYS
    # UTF-8, keys in the fixed order, one record per line, a final newline
    text = scenario.result.results_path.read_text(encoding="utf-8")
    assert json.loads(text) == r and text.endswith("}\n")
    lines = text.splitlines()
    for v in r["values"]:  # each value record is one line of its own: a diff shows what changed
        assert "    " + json.dumps(v, ensure_ascii=False) + "," in lines or \
            "    " + json.dumps(v, ensure_ascii=False) in lines
    assert '  "period": "' in text
    assert "武进区" in text  # not \\u-escaped


def test_results_json_header(scenario: Scenario) -> None:
    r = scenario.results
    assert (r["schema"], r["period"], r["year"], r["month"], r["lang"]) == (1, "2022-11", 2022, 11, "zh")
    assert r["tool"].startswith("reporting ")
    assert r["title"] == "关于2022年11月份全区科技创新重点指标完成情况的通报"
    assert r["bulletin_file"] == "武进区科技创新重点指标通报_2022年11月.xlsx"
    assert (scenario.result.folder / r["bulletin_file"]).is_file()
    assert r["as_of"] == "2022-11-30"
    assert r["schedule"] == 0.9167 and r["cap"] == 1.2
    assert r["district"]["name"] == "武进区"
    assert [g["code"] for g in r["groups"]] == ["town", "zone"]
    assert r["history"] == []  # no earlier month in inbox/ or outbox/


def test_units_and_values_in_the_documented_order(scenario: Scenario) -> None:
    r = scenario.results
    assert [u["code"] for u in r["units"]] == list(RANKS)  # by group, then rank; missing units last
    catalogue = [i.code for i in scenario.ws.indicators]
    expected = [(u, i) for u in RANKS for i in catalogue]
    assert [(v["unit"], v["indicator"]) for v in r["values"]] == expected


def test_every_number_traces_to_its_file_and_cell(scenario: Scenario) -> None:
    books: dict[str, Any] = {}
    for v in scenario.results["values"]:
        if v["actual"] is None:
            continue
        src = v["source"]
        if src["file"] not in books:
            books[src["file"]] = openpyxl.load_workbook(scenario.ws.inbox / src["file"])
        assert books[src["file"]][src["sheet"]][src["cell"]].value == pytest.approx(v["actual"])
    files = {f["file"]: f for f in scenario.results["files"]}
    assert len(files) == 12 and all(f["status"] == "used" and f["period"] == "2022-11" for f in files.values())
    for u in scenario.results["units"]:
        if u["file"] is not None:
            assert files[u["file"]]["unit"] == u["code"]
            assert u["received"] == files[u["file"]]["received"]


# --------------------------------------------------------------------------- scoring, hand-computed


def test_composite_scores_caps_and_ties(scenario: Scenario) -> None:
    for code, score in SCORES.items():
        u = scenario.unit(code)
        assert u["score"] == (pytest.approx(score) if score is not None else None), code
        assert (u["rank"], u["rank_tied"]) == RANKS[code], code
        if score is not None:
            assert u["score"] <= 100 * scenario.results["cap"]
    # the cap: 150% counts as 120%, the same as 牛塘镇's 120%
    assert scenario.value("hutang", "hte_applications")["rate"] == 1.5
    assert scenario.value("niutang", "hte_applications")["rate"] == 1.2
    # ranks within each group are a permutation with ties: rank = 1 + number of better scores
    for g in ("town", "zone"):
        ranked = [u for u in scenario.results["units"] if u["group"] == g and u["rank"] is not None]
        for u in ranked:
            better = sum(1 for o in ranked if o["score"] > u["score"])
            same = sum(1 for o in ranked if o["score"] == u["score"])
            assert u["rank"] == better + 1 and u["rank_tied"] == (same > 1)


def test_indicator_counts_per_unit(scenario: Scenario) -> None:
    counts = {u["code"]: (u["on_schedule"], u["scored"]) for u in scenario.results["units"]}
    assert counts["hutang"] == (11, 11)
    assert counts["lijia"] == (10, 10)     # 瞪羚 has no target: not scored
    assert counts["luoyang"] == (10, 10)   # 科小 is pending: not scored
    assert counts["huangli"] == (10, 11)   # 高企申报 behind schedule
    assert counts["lvjian"] == (10, 11)    # 高企认定 behind its seasonal schedule
    assert counts["jiaze"] == (None, None)


def test_indicator_ranks_with_ties(scenario: Scenario) -> None:
    def ranks(indicator: str, units: list[str]) -> list[tuple[int | None, bool]]:
        return [(scenario.value(u, indicator)["rank"], scenario.value(u, indicator)["rank_tied"]) for u in units]

    towns = ["hutang", "niutang", "xueyan", "qianhuang", "lijia", "luoyang", "huangli", "jiaze"]
    # 150%, 120%, four at 95% (1, 2, 2… here 3, 3, 3, 3), 88%: the next rank after a tie is skipped
    assert ranks("hte_applications", towns) == [(1, False), (2, False), (3, True), (3, True), (3, True), (3, True),
                                                (7, False), (None, False)]
    zones = ["wjhtz", "xitaihu", "nanxiashu", "xihu", "lvjian"]
    assert ranks("hte_applications", zones) == [(1, True)] * 5  # ranked within the group, not the district
    assert ranks("hte_pool", zones) == [(1, False), (2, True), (2, True), (2, True), (2, True)]
    # 93.35% and 93.40% both show as 93.4%: they tie at the displayed precision
    assert scenario.value("xueyan", "bounty_funds")["rate"] == 0.9335
    assert ranks("bounty_funds", ["xueyan", "qianhuang", "hutang"]) == [(6, True), (6, True), (1, True)]
    # every indicator in every group: a permutation with ties of the units that have a rate
    for ind in scenario.ws.indicators:
        for g in ("town", "zone"):
            vals = [v for v in scenario.results["values"] if v["indicator"] == ind.code
                    and scenario.unit(v["unit"])["group"] == g]
            shown = {v["unit"]: round(v["rate"] * 1000) for v in vals if v["rate"] is not None
                     and v["status"] not in ("pending", "missing")}
            for v in vals:
                if v["unit"] not in shown:
                    assert v["rank"] is None
                    continue
                better = sum(1 for x in shown.values() if x > shown[v["unit"]])
                assert v["rank"] == better + 1, (ind.code, v["unit"])


def test_no_target_is_shown_but_neither_ranked_nor_scored(scenario: Scenario) -> None:
    v = scenario.value("lijia", "gazelle")
    assert (v["actual"], v["target"], v["rate"], v["status"], v["rank"]) == (95, None, None, "no_target", None)
    d = scenario.district("gazelle")
    assert d["target"] == 1200  # blank district target: the sum of the units' targets that exist
    assert d["actual"] == 12 * 95 and d["units_counted"] == 12  # the figure still counts in the total


def test_seasonal_schedule(scenario: Scenario) -> None:
    v = scenario.value("hutang", "hte_recognised")
    assert v["schedule"] == 0.8 and v["rate"] == 0.85
    assert v["status"] == "on_schedule"  # 85% would be behind 11/12 = 91.7%
    assert scenario.value("hutang", "hte_pool")["schedule"] == 0.9167
    lv = scenario.value("lvjian", "hte_recognised")
    assert (lv["rate"], lv["status"]) == (0.7, "behind")
    d = scenario.district("hte_recognised")
    assert (d["schedule"], d["rate"], d["status"]) == (0.8, 0.7731, "behind")
    assert d["gap"] == pytest.approx(0.773 - 0.8)  # the difference of the two percentages as shown


def test_excluded_value_is_pending(scenario: Scenario) -> None:
    v = scenario.value("luoyang", "tech_sme")
    assert (v["actual"], v["rate"], v["status"], v["rank"]) == (None, None, "pending", None)
    assert v["source"]["file"] == "洛阳镇.xlsx" and v["source"]["cell"] == f"F{fl.FIRST_DATA_ROW + 3}"
    [issue] = scenario.results["issues"]
    assert (issue["code"], issue["severity"], issue["unit"], issue["indicator"]) == \
        ("not-a-number", "error", "luoyang", "tech_sme")
    assert (issue["file"], issue["sheet"], issue["cell"]) == ("洛阳镇.xlsx", fl.DATA_SHEET, v["source"]["cell"])
    assert "约12" in issue["message"]
    u = scenario.unit("luoyang")
    assert (u["status"], u["errors"], u["warnings"]) == ("errors", 1, 0)
    d = scenario.district("tech_sme")
    assert (d["actual"], d["units_counted"], d["units_pending"]) == (11 * 95, 11, 1)
    assert all(x["units_pending"] == 0 for x in scenario.results["district"]["indicators"] if x["code"] != "tech_sme")
    assert scenario.results["summary"]["pending_values"] == 1
    assert scenario.results["summary"]["with_errors"] == 1


def test_unit_without_submission(scenario: Scenario) -> None:
    u = scenario.unit("jiaze")
    assert (u["status"], u["file"], u["received"], u["score"], u["rank"], u["rank_change"]) == \
        ("missing", None, None, None, None, None)
    towns = [x["code"] for x in scenario.results["units"] if x["group"] == "town"]
    assert towns[-1] == "jiaze"
    assert {v["status"] for v in scenario.results["values"] if v["unit"] == "jiaze"} == {"missing"}
    assert all(v["actual"] is None and v["rank"] is None for v in scenario.results["values"] if v["unit"] == "jiaze")
    assert all(d["units_missing"] == 1 for d in scenario.results["district"]["indicators"])
    s = scenario.results["summary"]
    assert (s["units"], s["submitted"], s["missing"], s["missing_units"]) == (13, 12, 1, ["jiaze"])


def test_district_totals(scenario: Scenario) -> None:
    for code, (target, actual, status) in DISTRICT.items():
        d = scenario.district(code)
        assert d["target"] == target and d["actual"] == pytest.approx(actual), code
        assert d["rate"] == round(actual / target, 4) and d["status"] == status, code
    d = scenario.district("hte_applications")
    assert (d["actual"], d["rate"], d["schedule"]) == (1213, 1.0108, 0.9167)
    assert d["gap"] == pytest.approx(1.011 - 0.917)  # 101.1% − 91.7% = 9.4 百分点
    assert d["units_counted"] == 12
    # bounty_funds has weight 0: totalled and ranked, not counted among the scored indicators
    s = scenario.results["summary"]
    assert (s["scored_indicators"], s["on_schedule_indicators"]) == (11, 2)  # 申报 completed, 瞪羚 on schedule


# --------------------------------------------------------------------------- rank change against last month


def test_rank_change_from_previous_inbox_files(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    ws = load_workspace(root)
    _write_october(ws)
    r = compile_period(ws, NOV_P).results.to_json()
    units = {u["code"]: u for u in r["units"]}
    for code, prev in OCT_RANKS.items():
        u = units[code]
        assert u["previous_rank"] == prev, code
        expected = None if u["rank"] is None else prev - u["rank"]
        assert u["rank_change"] == expected, code
    # moved up is positive: 牛塘镇 4th -> 1st; 湟里镇 2nd -> 6th
    assert (units["niutang"]["rank_change"], units["huangli"]["rank_change"], units["hutang"]["rank_change"]) == \
        (3, -4, 0)
    assert units["jiaze"]["rank_change"] is None  # ranked last month, not this month
    # October's figures pass the checks against them: the same single issue as without them
    assert [(i["code"], i["unit"]) for i in r["issues"]] == [("not-a-number", "luoyang")]
    # and make the district's trend
    assert [h["period"] for h in r["history"]] == ["2022-10"]
    assert r["history"][0]["indicators"]["hte_applications"] == 130 + 86 + 85 + 80 * 5 + 80 * 5


def test_rank_change_prefers_last_months_results_json(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    ws = load_workspace(root)
    _write_october(ws)
    october = compile_period(ws, OCT_P)
    assert {u["code"]: u["rank"] for u in october.results.to_json()["units"]} == OCT_RANKS
    # what the meeting saw last month wins over what October's files would give now
    published = json.loads(october.results_path.read_text(encoding="utf-8"))
    for u in published["units"]:
        u["rank"] = {"hutang": 3, "niutang": 1}.get(u["code"], u["rank"])
    october.results_path.write_text(json.dumps(published, ensure_ascii=False, indent=2), encoding="utf-8")
    units = {u["code"]: u for u in compile_period(ws, NOV_P).results.to_json()["units"]}
    assert (units["hutang"]["previous_rank"], units["hutang"]["rank_change"]) == (3, 2)
    assert (units["niutang"]["previous_rank"], units["niutang"]["rank_change"]) == (1, 0)
    assert (units["huangli"]["previous_rank"], units["huangli"]["rank_change"]) == (2, -4)


# --------------------------------------------------------------------------- the bulletin, read back


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def _indicator_cells(sheet: Any, names: dict[str, str]) -> dict[tuple[str, str], list[Any]]:
    """分项指标 as {(row label, indicator code): [target, actual, rate, rank cells]}."""
    out: dict[tuple[str, str], list[Any]] = {}
    columns: dict[int, str] = {}
    for r in range(1, sheet.max_row + 1):
        label = sheet.cell(r, 1).value
        if label == "单位":  # a band's header: indicator names in merged cells every four columns
            columns = {}
            for c in range(2, sheet.max_column + 1, 4):
                text = str(sheet.cell(r, c).value or "")
                code = next((k for k, n in names.items() if text.startswith(n + "（")), None)
                if code:
                    columns[c] = code
            continue
        if isinstance(label, str) and label and columns:
            for c, code in columns.items():
                out[(label, code)] = [sheet.cell(r, c + k) for k in range(4)]
        elif label is None and r > 3:
            columns = {} if sheet.cell(r, 2).value is None else columns
    return out


def test_bulletin_numbers_equal_results_json(scenario: Scenario) -> None:
    r = scenario.results
    wb = openpyxl.load_workbook(scenario.bulletin)
    assert wb.sheetnames == ["通报", "综合排名", "分项指标", "指标亮灯", "图表", "报送情况", "报送及时性", "数据问题"]

    # 通报: the district table
    sheet = wb["通报"]
    assert sheet["A1"].value == r["title"]
    assert sheet["E2"].value == pytest.approx(r["schedule"])
    rows = {row[0]: row for row in _rows(sheet) if row[0]}
    for d in r["district"]["indicators"]:
        row = rows[d["name"]]
        assert row[2] == pytest.approx(d["target"]) and row[3] == pytest.approx(d["actual"]), d["code"]
        assert row[4] == pytest.approx(d["rate"]) and row[5] == pytest.approx(d["schedule"]), d["code"]
        assert row[6] == STATUS_ZH[d["status"]]
        assert row[7] == pytest.approx(d["gap"] * 100)
        assert "未含1个未报送单位" in row[8]
        assert ("1项待核实未计入" in row[8]) == (d["code"] == "tech_sme")
    assert rows["揭榜挂帅项目金额"][3] == pytest.approx(1136.75)

    # 综合排名: ranks, ties, scores, in the order of results.json
    sheet = wb["综合排名"]
    by_name = {u["name"]: u for u in r["units"]}
    seen = []
    for row in range(1, sheet.max_row + 1):
        u = by_name.get(sheet.cell(row, 2).value)
        if u is None:
            continue
        seen.append(u["code"])
        rank, score = sheet.cell(row, 1), sheet.cell(row, 3)
        if u["rank"] is None:
            assert (rank.value, score.value, sheet.cell(row, 7).value) == ("—", "—", "未报送")
            continue
        assert rank.value == u["rank"] and ("并列" in rank.number_format) == u["rank_tied"], u["code"]
        assert score.value == pytest.approx(u["score"])
        assert sheet.cell(row, 6).value == f"{u['on_schedule']}/{u['scored']}"
    assert seen == list(RANKS)

    # 分项指标: every unit's figures, and the district row
    names = {i.code: i.name for i in scenario.ws.indicators}
    cells = _indicator_cells(wb["分项指标"], names)
    units = {u["code"]: u for u in r["units"]}
    for v in r["values"]:
        target, actual, rate, rank = cells[(units[v["unit"]]["name"], v["indicator"])]
        assert target.value == (v["target"] if v["target"] is not None else "—")
        if v["status"] == "missing":
            assert actual.value == "未报送"
        elif v["status"] == "pending":
            assert actual.value == "待核实"
        else:
            assert actual.value == pytest.approx(v["actual"])
        assert rate.value == (pytest.approx(v["rate"]) if v["rate"] is not None else "—")
        assert rank.value == (v["rank"] if v["rank"] is not None else "—")
        if v["rank"] is not None:
            assert ("并列" in rank.number_format) == v["rank_tied"]
    for d in r["district"]["indicators"]:
        target, actual, rate, _ = cells[("全区合计", d["code"])]
        assert (target.value, actual.value) == (pytest.approx(d["target"]), pytest.approx(d["actual"]))
        assert rate.value == pytest.approx(d["rate"])


def test_remarks_that_look_like_formulas_stay_strings(scenario: Scenario) -> None:
    texts = REMARKS["xihu"]
    assert scenario.value("xihu", "hte_pool")["remark"] == texts["hte_pool"]
    assert scenario.value("xihu", "tech_sme")["remark"] == texts["tech_sme"]
    wb = openpyxl.load_workbook(scenario.bulletin)
    found = {c.value: c for sheet in wb for row in sheet.iter_rows() for c in row if c.value in texts.values()}
    assert set(found) == set(texts.values())
    for cell in found.values():
        assert cell.data_type == "s" and isinstance(cell.value, str)
    with zipfile.ZipFile(scenario.bulletin) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name  # no formula anywhere
                assert "<hyperlink" not in xml, name
        assert not any("hyperlink" in z.read(n).decode("utf-8", "replace").lower()
                       for n in z.namelist() if n.endswith(".rels"))


def test_two_compiles_give_identical_bytes(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    ws = load_workspace(root)
    first = compile_period(ws)
    one = (first.bulletin.read_bytes(), first.results_path.read_bytes())
    second = compile_period(ws)
    assert (second.bulletin.read_bytes(), second.results_path.read_bytes()) == one
    # and the same as the original workspace's: nothing depends on the folder or the clock
    assert one == (scenario.bulletin.read_bytes(), scenario.result.results_path.read_bytes())


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_outputs_are_readable_like_any_new_file(scenario: Scenario) -> None:
    # temporary files are created owner-only; the outputs must not stay that way on a shared folder
    mode = scenario.result.results_path.stat().st_mode & 0o777
    assert scenario.bulletin.stat().st_mode & 0o777 == mode
    assert all(p.stat().st_mode & 0o777 == mode for p in scenario.result.feedback)


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice is not installed")
def test_bulletin_converts_to_pdf_with_libreoffice(scenario: Scenario, tmp_path: Path) -> None:
    book = tmp_path / "bulletin.xlsx"
    shutil.copy(scenario.bulletin, book)
    profile = Path(f"/tmp/lo-{uuid.uuid4().hex}") if os.name != "nt" else tmp_path / "lo-profile"
    try:
        proc = subprocess.run(
            [_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
             "--outdir", str(tmp_path), str(book)],
            capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "bulletin.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 6  # at least one page per sheet


# --------------------------------------------------------------------------- the sample inbox


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The sample inbox (2022-11 and 2022-12, with the mistakes units make), compiled for the latest period."""
    from reporting.demo.make import make_demo

    root = tmp_path_factory.mktemp("sample") / "ws"
    init_workspace(root)
    make_demo(str(root), periods=[Period(2022, 11), Period(2022, 12)])
    return _load(root, compile_period(load_workspace(root)))


def test_sample_inbox_gives_the_published_2022_figures(sample: Scenario) -> None:
    r = sample.results
    assert r["period"] == "2022-12"  # the latest period in inbox/
    totals = {d["code"]: d["actual"] for d in r["district"]["indicators"]}
    assert totals == pytest.approx(PUBLISHED_2022)
    assert sample.value("wjhtz", "gazelle")["actual"] == 40
    assert all(d["units_missing"] == 0 and d["units_pending"] == 0 for d in r["district"]["indicators"])
    assert r["summary"]["missing"] == 0 and r["summary"]["with_errors"] == 0
    # November's files (some with mistakes) are listed as another period's, not used
    assert {f["status"] for f in r["files"] if f["period"] == "2022-11"} == {"other-period"}
    assert [h["period"] for h in r["history"]] == ["2022-11"]


def test_sample_strict_exit_codes(sample: Scenario) -> None:
    november = _invoke(sample.root, "--period", "2022-11", "--strict", "--quiet")
    assert november.exit_code == 1, november.output  # 2022-11 holds errors
    december = _invoke(sample.root, "--period", "2022-12", "--strict", "--quiet")
    assert december.exit_code == 0, december.output


# --------------------------------------------------------------------------- the command


def test_cli_summary_and_exit_codes(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    result = _invoke(root)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "应报 13 个单位，已报 12，未报 1，有错误 1" in out
    assert "未报送：嘉泽镇" in out
    assert "湖塘镇(99.00)" in out and "湟里镇(92.60)" in out  # top and bottom of the towns
    assert "武进国家高新区(95.50)" in out and "武进绿建区(92.50)" in out
    assert str(root / "outbox" / "2022-11" / scenario.results["bulletin_file"]) in out
    strict = _invoke(root, "--strict")
    assert strict.exit_code == 1, strict.output  # 洛阳镇's 约12
    assert "Traceback" not in strict.output


def test_cli_json_prints_results_json(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    result = _invoke(root, "--json", "--period", "2022-11")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == json.loads((root / "outbox" / "2022-11" / "results.json").read_text(encoding="utf-8"))
    assert printed == scenario.results


def test_cli_english(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    result = _invoke(root, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "12 submitted, 1 missing, 1 with errors" in result.stdout and "Bulletin: " in result.stdout
    r = json.loads((root / "outbox" / "2022-11" / "results.json").read_text(encoding="utf-8"))
    assert r["lang"] == "en"
    assert r["issues"][0]["message"] != scenario.results["issues"][0]["message"]
    assert not re.search(r"[\u4e00-\u9fff]", r["issues"][0]["message"].replace("约12", ""))
    wb = openpyxl.load_workbook(root / "outbox" / "2022-11" / r["bulletin_file"])
    assert wb.sheetnames == EN_SHEETS
    assert "Rank" in [c.value for row in wb["Ranking"].iter_rows(max_row=5) for c in row]
    assert "Indicator" in [c.value for row in wb["Bulletin"].iter_rows(max_row=5) for c in row]
    assert "Not submitted" in [c.value for row in wb["Ranking"].iter_rows() for c in row]


@pytest.mark.parametrize("junk", [None, "说明.txt"])
def test_nothing_to_compile_exits_2(ws_dir: Path, junk: str | None) -> None:
    if junk:
        (ws_dir / "inbox" / junk).write_text("请各单位于5日前报送", encoding="utf-8")
    result = _invoke(ws_dir)
    assert result.exit_code == 2, result.output
    assert "无可汇总的内容" in result.stderr and "Traceback" not in result.output
    assert [p.name for p in (ws_dir / "outbox").iterdir() if p.name != ".lock"] == []


def test_broken_config_exits_2(ws_dir: Path) -> None:
    path = ws_dir / "templates" / "workspace.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('district = "武进区"', 'district = "武进区'),
                    encoding="utf-8")
    result = _invoke(ws_dir)
    assert result.exit_code == 2, result.output
    assert "workspace.toml" in result.stderr and "Traceback" not in result.output


def test_broken_workspace_exits_2(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    shutil.rmtree(root / "outbox")
    (root / "outbox").write_text("", encoding="utf-8")  # a file where the folder should be
    result = _invoke(root)
    assert result.exit_code == 2, result.output
    assert "outbox" in result.stderr and "Traceback" not in result.output


def test_progress_is_reported(scenario: Scenario, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    compile_period(load_workspace(_copy(scenario, tmp_path)), progress=lambda n, total: calls.append((n, total)))
    assert calls[-1] == (12, 12) and [n for n, _ in calls] == list(range(1, 13))


# --------------------------------------------------------------------------- lock and atomicity


def test_second_compile_stops_while_another_holds_the_lock(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    before = _snapshot(root / "outbox")
    code = ("import sys; from pathlib import Path; from reporting.workspace.atomic import workspace_lock\n"
            "with workspace_lock(Path(sys.argv[1])):\n    print('held', flush=True); sys.stdin.read()\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(root / "outbox")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = _invoke(root)
        assert result.exit_code == 2, result.output
        assert "另一个 reporting 进程正在处理此工作区" in result.stderr
        assert _snapshot(root / "outbox") == before
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert _invoke(root).exit_code == 0  # released when the other process ends


def test_compile_waits_for_the_lock_when_asked(scenario: Scenario, tmp_path: Path) -> None:
    ws = load_workspace(_copy(scenario, tmp_path))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with workspace_lock(ws.outbox):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(10)
        with pytest.raises(LockBusy):
            compile_period(ws)
        threading.Timer(0.5, release.set).start()
        start = time.monotonic()
        result = compile_period(ws, wait=10)
        assert time.monotonic() - start >= 0.4
        assert result.results_path.is_file()
    finally:
        release.set()
        holder.join()


def _add_jiaze(root: Path) -> None:
    """A change in inbox/ that would change every output of the next compile."""
    _write_form(load_workspace(root), "jiaze", NOV_P, {}, minutes=30)


def test_failed_bulletin_keeps_the_previous_outputs(scenario: Scenario, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import reporting.render.bulletin.workbook

    root = _copy(scenario, tmp_path)
    _add_jiaze(root)
    before = _snapshot(root / "outbox")

    def crash(path: Path, results: dict[str, Any], lang: str = "zh", **_: Any) -> None:
        Path(path).write_bytes(b"PK\x03\x04 half a workbook")
        raise RuntimeError("simulated crash while writing the bulletin")

    monkeypatch.setattr(reporting.render.bulletin.workbook, "write_bulletin", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        compile_period(load_workspace(root))
    assert _snapshot(root / "outbox") == before
    assert _leftovers(root / "outbox") == []


def _store_rows(root: Path) -> tuple[list[Any], list[Any]]:
    import sqlite3

    with contextlib.closing(sqlite3.connect(root / "history.sqlite")) as db:
        return (db.execute("SELECT period, source, recorded FROM period ORDER BY period").fetchall(),
                db.execute("SELECT * FROM unit_status ORDER BY period, unit").fetchall())


def test_a_compile_whose_outputs_cannot_be_installed_records_nothing(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    _add_jiaze(root)  # the next compile would change jiaze's status in the store
    feedback = root / "outbox" / "2022-11" / "feedback" / "洛阳镇.xlsx"
    feedback.unlink()
    feedback.mkdir()  # a folder where a feedback file goes: installing fails
    before = _store_rows(root)
    assert before[0], "the scenario's compile was recorded"
    result = _invoke(root)
    assert result.exit_code == 2, result.output
    assert _store_rows(root) == before  # outbox/ kept its files, and the store its record
    feedback.rmdir()
    assert _invoke(root).exit_code in (0, 1)
    after = _store_rows(root)
    assert after[0][0][2] > before[0][0][2] and after[1] != before[1]  # now recorded, with jiaze's form


def test_blocked_feedback_path_keeps_the_previous_outputs(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    _add_jiaze(root)
    feedback = root / "outbox" / "2022-11" / "feedback" / "洛阳镇.xlsx"
    feedback.unlink()
    feedback.mkdir()  # a folder where the feedback file goes
    (feedback / "keep.txt").write_text("the clerk's notes", encoding="utf-8")
    before = _snapshot(root / "outbox")
    result = _invoke(root)
    assert result.exit_code == 2, result.output
    assert "洛阳镇.xlsx" in result.stderr and "Traceback" not in result.output
    assert _snapshot(root / "outbox") == before
    assert _leftovers(root / "outbox") == []


def test_failure_part_way_through_installing_rolls_back(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    _add_jiaze(root)
    folder = root / "outbox" / "2022-11"
    shutil.rmtree(folder / "feedback")
    (folder / "feedback").write_text("", encoding="utf-8")  # the bulletin and results.json go in; feedback cannot
    before = _snapshot(root / "outbox")
    with pytest.raises(Exception, match="feedback"):
        compile_period(load_workspace(root))
    assert _snapshot(root / "outbox") == before
    assert _leftovers(root / "outbox") == []


def test_stale_feedback_and_staging_are_cleared(scenario: Scenario, tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    folder = root / "outbox" / "2022-11"
    (folder / "feedback" / "湖塘镇.xlsx").write_bytes(b"last run's feedback")  # 湖塘镇 has no problem now
    stale = root / "outbox" / ".staging-killed"
    stale.mkdir()
    (stale / "half.xlsx").write_bytes(b"PK")
    result = compile_period(load_workspace(root))
    assert sorted(p.name for p in (folder / "feedback").iterdir()) == ["洛阳镇.xlsx"]
    assert result.feedback == [folder / "feedback" / "洛阳镇.xlsx"]
    assert _leftovers(root / "outbox") == []


def test_unit_with_nothing_scorable_comes_before_units_that_did_not_submit(scenario: Scenario,
                                                                           tmp_path: Path) -> None:
    root = _copy(scenario, tmp_path)
    ws = load_workspace(root)
    _write_form(ws, "huangli", NOV_P, {i.code: "待定" for i in ws.indicators}, minutes=40)  # every value pending
    r = compile_period(ws).results.to_json()
    towns = [u for u in r["units"] if u["group"] == "town"]
    assert [u["code"] for u in towns[-2:]] == ["huangli", "jiaze"]
    huangli = towns[-2]
    # every weighted value pending: counted as 0 (provisional), ranked last of those who sent a form
    assert (huangli["status"], huangli["score"], huangli["rank"], huangli["scored"]) == ("errors", 0.0, 7, 0)
    assert huangli["score_complete"] is False
    assert r["summary"]["pending_values"] == 1 + len(ws.indicators)
    assert all(d["units_pending"] >= 1 for d in r["district"]["indicators"])


def test_summary_text_for_small_groups(scenario: Scenario) -> None:
    import copy

    from reporting.render.terminal import compile_summary_text

    results = copy.deepcopy(scenario.results)
    results["units"] = [u for u in results["units"] if u["code"] not in ("xitaihu", "nanxiashu", "xihu")]
    small = CompileResult(NOV_P, Results.from_json(results), scenario.result.folder, scenario.bulletin, scenario.result.results_path)
    zh = compile_summary_text(small, "zh").splitlines()
    assert "开发区（街道）  前三：武进国家高新区(95.50)、武进绿建区(92.50)" in zh  # no empty 后三
    assert "镇  前三：湖塘镇(99.00)、牛塘镇(99.00)、雪堰镇(94.00)；后三：洛阳镇(79.75)、湟里镇(92.60)、礼嘉镇(93.95)" in zh
    en = compile_summary_text(small, "en")
    assert "Zones and streets  top: Wujin National Hi-tech Zone(95.50), Wujin Green Building Zone(92.50)\n" in en


def test_english_file_reasons_are_english(sample: Scenario, tmp_path: Path) -> None:
    """Why each file was used or not (files[].reason, the Submissions sheet) follows --lang too."""
    root = _copy(sample, tmp_path)
    (root / "inbox" / "湖塘镇（损坏）.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    result = _invoke(root, "--lang", "en", "--period", "2022-12")
    assert result.exit_code == 0, result.output
    r = json.loads((root / "outbox" / "2022-12" / "results.json").read_text(encoding="utf-8"))
    names = sorted({f["file"] for f in r["files"]} | {u["name"] for u in r["units"]}
                   | {p.name for p in (root / "inbox").rglob("*")}, key=len, reverse=True)
    reasons = [f["reason"] for f in r["files"] if f["reason"]]
    assert {f["status"] for f in r["files"] if f["reason"]} >= {"other-period", "rejected", "ignored"}
    for reason in reasons:
        for name in names:
            reason = reason.replace(name, "")
        assert not re.search(r"[\u4e00-\u9fff]", reason), reason


def test_forms_for_a_later_month_are_named_in_the_summary(scenario: Scenario, tmp_path: Path) -> None:
    """Mid-December the default compile is November's (most units sent it): the clerk is told that
    December's forms are arriving and how to compile them."""
    root = _copy(scenario, tmp_path)
    ws = load_workspace(root)
    for code in ("hutang", "niutang"):
        _write_form(ws, code, Period(2022, 12), {}, folder="2022年12月")
    zh = _invoke(root)
    assert zh.exit_code == 0, zh.output
    assert "另已收到 2 个单位的 2022-12 报表" in zh.stdout and "--period 2022-12" in zh.stdout
    en = _invoke(root, "--lang", "en")
    assert "Forms for 2022-12 from 2 unit(s) have arrived too" in en.stdout


@pytest.mark.parametrize(("writable", "key"), [(True, "compile.err.locked"), (False, "compile.err.folder_read_only")])
def test_a_refused_replace_names_its_cause(scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           writable: bool, key: str) -> None:
    """Replacing an output is refused: a bulletin open in Excel (the folder is writable), or a folder
    that cannot be written at all (read-only, no permission), where closing Excel would not help."""
    from reporting.core.errors import WorkspaceError
    from reporting.jobs import compile as job

    root = _copy(scenario, tmp_path)
    real_replace = os.replace

    def refuse(src: Any, dst: Any) -> None:
        if Path(dst).parent.name == "2022-11" and ".staging-" in str(src):
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(job.os, "replace", refuse)
    monkeypatch.setattr(job.os, "access", lambda path, mode: writable)
    with pytest.raises(WorkspaceError) as info:
        compile_period(load_workspace(root), Period(2022, 11))
    assert info.value.key == key
