"""Validating and selecting submissions: every rule on real workbooks in a real inbox/.

Each test fills in the tool's own form (or copies one) as a unit would,
saves it into inbox/, runs ``ingest`` and asserts the exact issue code,
sheet, cell, severity, unit and indicator, and what happened to the value
(kept, normalised, or excluded: 待核实) and to the file (used, superseded,
duplicate, rejected, ignored, other-period).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from support import found, one, only

from reporting.core import formlayout as fl
from reporting.core.messages import both, t
from reporting.core.models import Issue
from reporting.core.periods import Period
from reporting.ingest.pipeline import check_files, discover, ingest
from reporting.ingest.select import later_periods
from reporting.render.forms import build_form
from reporting.workspace.config import Workspace

NOV = Period(2022, 11)
OCT = Period(2022, 10)
T0 = 1_669_852_800  # 2022-12-01 00:00 UTC: when the November forms come in
LAST_MONTH = both("previous_period", "trend.last_month")  # ytd-decreased against the month before


# --------------------------------------------------------------------------- helpers


def figures(ws: Workspace, **changes: Any) -> dict[str, Any]:
    """Plausible year-to-date figures (recognised <= applications), with ``changes``."""
    out: dict[str, Any] = {}
    for n, ind in enumerate(ws.indicators):
        out[ind.code] = 30 + n if ind.is_integer else 3.25 + n
    out["hte_recognised"] = 12
    out.update(changes)
    return out


def row_of(ws: Workspace, code: str) -> int:
    return fl.FIRST_DATA_ROW + [i.code for i in ws.indicators].index(code)


def cell_of(ws: Workspace, code: str) -> str:
    return f"F{row_of(ws, code)}"


def submit(ws: Workspace, name: str, unit: str = "hutang", period: Period = NOV, *,
           mtime: float | None = None, **changes: Any) -> Path:
    """Fill in the tool's form for ``unit`` and ``period`` and drop it into inbox/ as ``name``."""
    wb = build_form(ws, ws.unit(unit), period, None)
    sh = wb[fl.DATA_SHEET]
    for code, v in figures(ws, **changes).items():
        sh.cell(row_of(ws, code), fl.COL_VALUE).value = v
    path = ws.inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def where(i: Issue) -> tuple[str, str, str, str, str, str]:
    return i.severity, i.file, i.sheet, i.cell, i.unit, i.indicator


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder`` (hidden ones too) with its hash and modification time."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[p.relative_to(folder).as_posix()] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


def with_settings(ws: Workspace, **kw: Any) -> Workspace:
    return dataclasses.replace(ws, settings=dataclasses.replace(ws.settings, **kw))


# --------------------------------------------------------------------------- values accepted with a note


@pytest.mark.parametrize(("code", "raw", "value"), [
    ("tech_sme", "1,234", 1234),
    ("tech_sme", "1，234", 1234),  # full-width comma
    ("tech_sme", "１２", 12),  # full-width digits
    ("tech_sme", " 12 ", 12),
    ("tech_sme", "12", 12),  # a number stored as text
    ("tech_sme", "12家", 12),  # the indicator's own unit
    ("incubators", "12 个", 12),
    ("tech_sme", "12.0", 12),  # integer indicator
    ("incubation_area", "35.80万平方米", 35.8),
])
def test_value_normalised_is_info_and_kept(ws: Workspace, code: str, raw: str, value: float) -> None:
    submit(ws, "湖塘镇.xlsx", **{code: raw})
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    note = one(sub, "value-normalised")
    assert where(note) == ("info", "湖塘镇.xlsx", fl.DATA_SHEET, cell_of(ws, code), "hutang", code)
    assert dict(note.params) == {"detail": raw, "value": f"{value:g}"}
    cv = sub.values[code]
    assert (cv.value, cv.excluded, cv.raw, cv.cell) == (value, False, raw, cell_of(ws, code))
    assert sub.status == "used" and not sub.rejected


@pytest.mark.parametrize("raw", ["—", "-", "无", "/", "－"])
def test_dash_is_zero_with_a_warning(ws: Workspace, raw: str) -> None:
    submit(ws, "湖塘镇.xlsx", gazelle=raw)
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    w = one(sub, "dash-as-zero")
    assert where(w) == ("warning", "湖塘镇.xlsx", fl.DATA_SHEET, cell_of(ws, "gazelle"), "hutang", "gazelle")
    assert dict(w.params) == {"detail": raw}
    assert (sub.values["gazelle"].value, sub.values["gazelle"].excluded) == (0, False)


def test_blank_is_zero_with_a_warning_by_default(ws: Workspace) -> None:
    submit(ws, "湖塘镇.xlsx", incubators=None)
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    w = one(sub, "blank-as-zero")
    assert where(w) == ("warning", "湖塘镇.xlsx", fl.DATA_SHEET, cell_of(ws, "incubators"), "hutang", "incubators")
    assert (sub.values["incubators"].value, sub.values["incubators"].excluded) == (0, False)


def test_blank_can_count_as_missing(ws: Workspace) -> None:
    submit(ws, "湖塘镇.xlsx", incubators=None)
    sub = only(ingest(with_settings(ws, blank="missing"), NOV), "湖塘镇.xlsx")
    w = one(sub, "blank-as-missing")
    assert where(w) == ("warning", "湖塘镇.xlsx", fl.DATA_SHEET, cell_of(ws, "incubators"), "hutang", "incubators")
    assert sub.values["incubators"].value is None
    assert not sub.values["incubators"].excluded  # not reported, rather than wrong
    assert not found(sub, "blank-as-zero")


def test_too_many_decimals_are_rounded_with_a_warning(ws: Workspace) -> None:
    submit(ws, "湖塘镇.xlsx", incubation_area=1.236)
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    w = one(sub, "too-many-decimals")
    assert where(w)[0] == "warning" and w.cell == cell_of(ws, "incubation_area")
    assert sub.values["incubation_area"].value == 1.24


# --------------------------------------------------------------------------- values refused


@pytest.mark.parametrize(("code", "raw", "error", "params"), [
    ("tech_sme", "约12", "not-a-number", {"detail": "约12"}),
    ("tech_sme", "12-15", "not-a-number", {"detail": "12-15"}),
    ("tech_sme", "见附件", "not-a-number", {"detail": "见附件"}),
    ("tech_sme", "十二", "not-a-number", {"detail": "十二"}),
    ("tech_sme", "12%", "not-a-number", {"detail": "12%"}),
    ("tech_sme", 12.5, "not-an-integer", {"detail": "12.5", "measure": "家", "measure_en": "firms"}),
    ("incubators", "3.5个", "not-an-integer", {"detail": "3.5个", "measure": "个", "measure_en": "sites"}),
    ("tech_sme", -3, "negative-value", {"detail": "-3"}),
    ("incubation_area", "-1.5", "negative-value", {"detail": "-1.50"}),  # shown with the indicator's decimals
    ("hte_applications", 6000, "implausible-value", {"detail": "6,000", "max": "5,000"}),
    ("tech_sme", "=10+2", "formula-without-value", {}),
    ("tech_sme", "#DIV/0!", "formula-error", {"detail": "#DIV/0!"}),
])
def test_cell_error_excludes_only_that_value(ws: Workspace, code: str, raw: Any, error: str,
                                             params: dict[str, str]) -> None:
    submit(ws, "湖塘镇.xlsx", **{code: raw})
    result = ingest(ws, NOV)
    sub = only(result, "湖塘镇.xlsx")
    err = one(sub, error)
    assert where(err) == ("error", "湖塘镇.xlsx", fl.DATA_SHEET, cell_of(ws, code), "hutang", code)
    assert dict(err.params) == params
    assert sub.values[code].value is None and sub.values[code].excluded  # 待核实 in the bulletin
    assert sub.values[code].cell == cell_of(ws, code)
    others = {k: cv.value for k, cv in sub.values.items() if k != code}
    assert others == {k: v for k, v in figures(ws).items() if k != code}
    assert sub.status == "used" and not sub.rejected  # a cell-level error does not reject the file
    assert result.used["hutang"] is sub
    assert result.has_errors


def test_exceeds_related_excludes_the_larger_figure(ws: Workspace) -> None:
    submit(ws, "湖塘镇.xlsx", hte_applications=20, hte_recognised=25)
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    err = one(sub, "exceeds-related")
    assert where(err) == ("error", "湖塘镇.xlsx", fl.DATA_SHEET, "F5", "hutang", "hte_recognised")
    assert dict(err.params) == {
        "detail": "25", "indicator_name": "高新技术企业认定数", "indicator_name_en": "High-tech enterprises recognised",
        "other_value": "20", "other_name": "高新技术企业申报数", "other_name_en": "High-tech enterprise applications"}
    assert sub.values["hte_recognised"].excluded and sub.values["hte_recognised"].value is None
    assert sub.values["hte_applications"].value == 20 and not sub.values["hte_applications"].excluded


def test_equal_related_figures_are_fine(ws: Workspace) -> None:
    submit(ws, "湖塘镇.xlsx", hte_applications=20, hte_recognised=20)
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.issues == []


def test_clean_form_has_no_issues(ws: Workspace) -> None:
    submit(ws, "湖塘镇.xlsx")
    result = ingest(ws, NOV)
    sub = only(result, "湖塘镇.xlsx")
    assert sub.issues == [] and sub.status == "used"
    assert not result.has_errors
    assert {k: cv.value for k, cv in sub.values.items()} == figures(ws)


# --------------------------------------------------------------------------- against the previous period


def test_ytd_decreased_against_last_months_inbox_file(ws: Workspace) -> None:
    submit(ws, "2022年10月/湖塘镇.xlsx", period=OCT, mtime=T0 - 30 * 86400, tech_sme=50)
    submit(ws, "2022年11月/湖塘镇.xlsx", mtime=T0, tech_sme=45)
    result = ingest(ws, NOV)
    sub = only(result, "2022年11月/湖塘镇.xlsx")
    err = one(sub, "ytd-decreased")
    assert where(err) == ("error", "2022年11月/湖塘镇.xlsx", fl.DATA_SHEET, cell_of(ws, "tech_sme"), "hutang",
                          "tech_sme")
    assert dict(err.params) == {"detail": "45", "previous": "50", **LAST_MONTH}
    assert sub.values["tech_sme"].excluded and sub.values["tech_sme"].value is None
    assert sub.values["gazelle"].value == figures(ws)["gazelle"]
    assert only(result, "2022年10月/湖塘镇.xlsx").status == "other-period"


def test_ytd_equal_or_higher_is_fine(ws: Workspace) -> None:
    submit(ws, "湖塘镇10月.xlsx", period=OCT, tech_sme=50)
    submit(ws, "湖塘镇11月.xlsx", tech_sme=50, gazelle=figures(ws)["gazelle"] + 1)
    sub = only(ingest(ws, NOV), "湖塘镇11月.xlsx")
    assert sub.issues == []


def test_ytd_decreased_when_checking_one_file(ws: Workspace) -> None:
    """``reporting check inbox/x.xlsx`` still compares with last month's files in inbox/."""
    submit(ws, "2022年10月/湖塘镇.xlsx", period=OCT, tech_sme=50)
    path = submit(ws, "2022年11月/湖塘镇.xlsx", tech_sme=45)
    result = check_files(ws, [path], None)
    assert [s.file for s in result.submissions] == ["2022年11月/湖塘镇.xlsx"]
    sub = result.submissions[0]
    assert one(sub, "ytd-decreased").cell == cell_of(ws, "tech_sme")


def test_ytd_decreased_against_published_results(ws: Workspace) -> None:
    """What a previous compile published wins over last month's files in inbox/."""
    submit(ws, "湖塘镇10月.xlsx", period=OCT, tech_sme=30)
    published = {"period": "2022-10", "values": [
        {"unit": "hutang", "indicator": "tech_sme", "actual": 60},
        {"unit": "hutang", "indicator": "gazelle", "actual": None},
    ]}
    folder = ws.period_dir(OCT)
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps(published), encoding="utf-8")
    submit(ws, "湖塘镇11月.xlsx", tech_sme=45)
    sub = only(ingest(ws, NOV), "湖塘镇11月.xlsx")
    err = one(sub, "ytd-decreased")
    assert err.cell == cell_of(ws, "tech_sme")
    assert dict(err.params) == {"detail": "45", "previous": "60", **LAST_MONTH}  # the published 60, not the file's 30


def test_published_results_with_higher_figure_than_inbox(ws: Workspace) -> None:
    """The inbox file says 80 but the meeting saw 30: no decrease against 30."""
    submit(ws, "湖塘镇10月.xlsx", period=OCT, tech_sme=80)
    folder = ws.period_dir(OCT)
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps({"period": "2022-10", "values": [
        {"unit": "hutang", "indicator": "tech_sme", "actual": 30}]}), encoding="utf-8")
    submit(ws, "湖塘镇11月.xlsx", tech_sme=45)
    sub = only(ingest(ws, NOV), "湖塘镇11月.xlsx")
    assert not found(sub, "ytd-decreased")


def test_late_file_fills_a_gap_in_published_results(ws: Workspace) -> None:
    """嘉泽镇 missed October's compile; its October file came in later and still counts as last month."""
    folder = ws.period_dir(OCT)
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps({"period": "2022-10", "units": [
        {"code": "hutang", "status": "ok"}, {"code": "jiaze", "status": "missing"}], "values": [
        {"unit": "hutang", "indicator": "tech_sme", "actual": 30}]}), encoding="utf-8")
    submit(ws, "嘉泽镇10月（补报）.xlsx", "jiaze", period=OCT, tech_sme=50)
    submit(ws, "湖塘镇10月.xlsx", period=OCT, tech_sme=80)  # published as 30: the inbox file is not used
    submit(ws, "嘉泽镇11月.xlsx", "jiaze", tech_sme=40)
    path = submit(ws, "湖塘镇11月.xlsx", tech_sme=45)
    result = ingest(ws, NOV)
    err = one(only(result, "嘉泽镇11月.xlsx"), "ytd-decreased")
    assert (err.unit, err.cell) == ("jiaze", cell_of(ws, "tech_sme"))
    assert dict(err.params) == {"detail": "40", "previous": "50", **LAST_MONTH}
    assert not found(only(result, "湖塘镇11月.xlsx"), "ytd-decreased")
    # checking one file reads the rest of inbox/ for the gap too
    assert one(check_files(ws, [ws.inbox / "嘉泽镇11月.xlsx"], None).submissions[0], "ytd-decreased")
    assert not check_files(ws, [path], None).submissions[0].issues


def test_results_json_of_another_period_is_not_used(ws: Workspace) -> None:
    folder = ws.period_dir(OCT)
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps({"period": "2022-09", "values": [
        {"unit": "hutang", "indicator": "tech_sme", "actual": 90}]}), encoding="utf-8")
    submit(ws, "湖塘镇11月.xlsx", tech_sme=45)
    assert not found(only(ingest(ws, NOV), "湖塘镇11月.xlsx"), "ytd-decreased")


def test_previous_from_the_newest_of_last_months_files(ws: Workspace) -> None:
    submit(ws, "湖塘镇10月.xlsx", period=OCT, mtime=T0 - 40 * 86400, tech_sme=80)
    submit(ws, "湖塘镇10月（更正）.xlsx", period=OCT, mtime=T0 - 39 * 86400, tech_sme=40)
    submit(ws, "湖塘镇11月.xlsx", mtime=T0, tech_sme=45)
    sub = only(ingest(ws, NOV), "湖塘镇11月.xlsx")
    assert not found(sub, "ytd-decreased")


def test_excluded_previous_value_is_not_compared(ws: Workspace) -> None:
    submit(ws, "湖塘镇10月.xlsx", period=OCT, tech_sme="约80")
    submit(ws, "湖塘镇11月.xlsx", tech_sme=45)
    sub = only(ingest(ws, NOV), "湖塘镇11月.xlsx")
    assert not found(sub, "ytd-decreased") and sub.issues == []


def test_no_comparison_across_years(ws: Workspace) -> None:
    submit(ws, "湖塘镇2021年12月.xlsx", period=Period(2021, 12), tech_sme=500)
    submit(ws, "湖塘镇2022年1月.xlsx", period=Period(2022, 1), tech_sme=5)
    sub = only(ingest(ws, Period(2022, 1)), "湖塘镇2022年1月.xlsx")
    assert sub.issues == []  # year to date restarts in January


def test_previous_of_another_unit_is_not_compared(ws: Workspace) -> None:
    submit(ws, "牛塘镇10月.xlsx", "niutang", period=OCT, tech_sme=80)
    submit(ws, "湖塘镇11月.xlsx", tech_sme=45)
    assert only(ingest(ws, NOV), "湖塘镇11月.xlsx").issues == []


def test_unusual_jump_is_a_warning(ws: Workspace) -> None:
    # 20 in ten months (2 a month); 40 new in November is far beyond 5x that (and beyond 10)
    submit(ws, "湖塘镇10月.xlsx", period=OCT, tech_sme=20)
    submit(ws, "湖塘镇11月.xlsx", tech_sme=60)
    sub = only(ingest(ws, NOV), "湖塘镇11月.xlsx")
    w = one(sub, "unusual-jump")
    assert where(w) == ("warning", "湖塘镇11月.xlsx", fl.DATA_SHEET, cell_of(ws, "tech_sme"), "hutang", "tech_sme")
    assert dict(w.params) == {"increase": "40", "average": "2"}
    assert sub.values["tech_sme"].value == 60 and not sub.values["tech_sme"].excluded  # warnings never block


@pytest.mark.parametrize(("code", "before", "after", "period"), [
    ("tech_sme", 20, 30, NOV),  # +10: small counts jump by chance
    ("tech_sme", 200, 300, NOV),  # +100 against 20 a month: within 5x
    ("hte_recognised", 1, 25, NOV),  # seasonal: recognitions come in the autumn
    ("tech_sme", 0, 60, NOV),  # nothing before: no pattern to compare with
    ("tech_sme", 2, 60, Period(2022, 2)),  # February: one month is no pattern
])
def test_no_unusual_jump(ws: Workspace, code: str, before: float, after: float, period: Period) -> None:
    prev = Period(period.year, period.month - 1)
    extra = {"hte_applications": 100} if code == "hte_recognised" else {}
    submit(ws, "湖塘镇-上月.xlsx", period=prev, **{code: before}, **extra)
    submit(ws, "湖塘镇-本月.xlsx", period=period, **{code: after}, **extra)
    sub = only(ingest(ws, period), "湖塘镇-本月.xlsx")
    assert sub.issues == []


# --------------------------------------------------------------------------- one submission per unit


def test_newest_file_wins_whatever_its_name(ws: Workspace) -> None:
    submit(ws, "湖塘镇（更正）.xlsx", mtime=T0, tech_sme=41)
    submit(ws, "湖塘镇.xlsx", mtime=T0 + 3600, tech_sme=42)
    result = ingest(ws, NOV)
    older, newer = only(result, "湖塘镇（更正）.xlsx"), only(result, "湖塘镇.xlsx")
    assert (newer.status, older.status) == ("used", "superseded")
    w = one(older, "superseded")
    assert where(w) == ("warning", "湖塘镇（更正）.xlsx", "", "", "hutang", "")
    assert dict(w.params) == {"detail": "湖塘镇.xlsx"}  # the file that replaced it
    assert older.reason == t("select.superseded", "zh", file="湖塘镇.xlsx")
    assert result.used["hutang"] is newer and newer.values["tech_sme"].value == 42
    assert newer.issues == []
    assert not result.has_errors


def test_same_time_different_forms_are_used_for_neither(ws: Workspace) -> None:
    """Two different forms of one unit received in the same second: which one is the correction cannot
    be told, and the file name is no evidence (湖塘镇(更正).xlsx sorts before 湖塘镇.xlsx)."""
    submit(ws, "湖塘镇.xlsx", mtime=T0, tech_sme=42)
    submit(ws, "湖塘镇(更正).xlsx", mtime=T0, tech_sme=41)
    result = ingest(ws, NOV)
    assert "hutang" not in result.used
    for name, other in (("湖塘镇.xlsx", "湖塘镇(更正).xlsx"), ("湖塘镇(更正).xlsx", "湖塘镇.xlsx")):
        sub = only(result, name)
        err = one(sub, "ambiguous-submission")
        assert sub.status == "rejected" and err.severity == "error" and dict(err.params)["detail"] == other


def test_times_are_compared_to_the_second(ws: Workspace) -> None:
    """Sub-second differences (FAT and zip keep 2 s) are ties; a whole second apart is an order."""
    submit(ws, "湖塘镇-b.xlsx", mtime=T0 + 0.1, tech_sme=42)
    submit(ws, "湖塘镇-a.xlsx", mtime=T0 + 0.9, tech_sme=41)
    assert "hutang" not in ingest(ws, NOV).used
    os.utime(ws.inbox / "湖塘镇-a.xlsx", (T0 + 1, T0 + 1))
    assert ingest(ws, NOV).used["hutang"].file == "湖塘镇-a.xlsx"


def test_superseded_across_folders(ws: Workspace) -> None:
    submit(ws, "第一批/湖塘镇.xlsx", mtime=T0, tech_sme=41)
    submit(ws, "第二批/补报/湖塘镇.xlsx", mtime=T0 + 60, tech_sme=42)
    result = ingest(ws, NOV)
    assert result.used["hutang"].file == "第二批/补报/湖塘镇.xlsx"
    assert only(result, "第一批/湖塘镇.xlsx").status == "superseded"


def test_rejected_newer_file_does_not_supersede(ws: Workspace) -> None:
    submit(ws, "湖塘镇.xlsx", mtime=T0, tech_sme=41)
    bad = ws.inbox / "湖塘镇（新）.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    os.utime(bad, (T0 + 60, T0 + 60))
    result = ingest(ws, NOV)
    assert result.used["hutang"].file == "湖塘镇.xlsx"
    assert only(result, "湖塘镇（新）.xlsx").status == "rejected"


def test_same_bytes_twice_is_a_duplicate(ws: Workspace) -> None:
    first = submit(ws, "西湖街道.xlsx", "xihu", mtime=T0)
    copy = ws.inbox / "西湖街道（重发）.xlsx"
    shutil.copyfile(first, copy)
    os.utime(copy, (T0 + 60, T0 + 60))
    result = ingest(ws, NOV)
    dup = only(result, "西湖街道（重发）.xlsx")
    assert dup.status == "duplicate"
    w = one(dup, "duplicate-file")
    assert where(w) == ("warning", "西湖街道（重发）.xlsx", "", "", "xihu", "")
    assert dict(w.params) == {"detail": "西湖街道.xlsx"}  # the copy that is kept
    assert dup.sha256 == only(result, "西湖街道.xlsx").sha256
    assert result.used["xihu"].file == "西湖街道.xlsx"
    assert not found(only(result, "西湖街道.xlsx"), "superseded")
    assert not result.has_errors


def test_duplicate_and_a_newer_correction(ws: Workspace) -> None:
    first = submit(ws, "西湖街道.xlsx", "xihu", mtime=T0, tech_sme=41)
    shutil.copyfile(first, ws.inbox / "西湖街道(1).xlsx")
    os.utime(ws.inbox / "西湖街道(1).xlsx", (T0 + 10, T0 + 10))
    submit(ws, "西湖街道（更正）.xlsx", "xihu", mtime=T0 + 20, tech_sme=43)
    result = ingest(ws, NOV)
    assert {s.file: s.status for s in result.submissions} == {
        "西湖街道.xlsx": "superseded", "西湖街道(1).xlsx": "duplicate", "西湖街道（更正）.xlsx": "used"}


def test_other_period_is_listed_not_an_error(ws: Workspace) -> None:
    submit(ws, "湖塘镇.xlsx", mtime=T0)
    submit(ws, "湟里镇（上月）.xlsx", "huangli", period=OCT, tech_sme="约12")  # last month's, with an error
    result = ingest(ws, NOV)
    old = only(result, "湟里镇（上月）.xlsx")
    assert (old.status, old.period, old.unit) == ("other-period", "2022-10", "huangli")
    info = one(old, "other-period")
    assert where(info) == ("info", "湟里镇（上月）.xlsx", "", "", "huangli", "")
    assert dict(info.params) == {"detail": OCT.label_zh(), "detail_en": OCT.label_en()}
    assert old.reason == t("select.other_period", "zh", period="2022-10")
    assert not result.has_errors  # its not-a-number belongs to October
    assert old not in result.relevant()
    assert set(result.used) == {"hutang"}


def test_period_defaults_to_the_one_most_units_sent(ws: Workspace) -> None:
    """Two units sent October, one already November: October is compiled, November is listed."""
    submit(ws, "湖塘镇10月.xlsx", period=OCT)
    submit(ws, "湖塘镇11月.xlsx")
    submit(ws, "牛塘镇10月.xlsx", "niutang", period=OCT)
    result = ingest(ws)
    assert result.period == OCT
    assert set(result.used) == {"hutang", "niutang"}
    later = only(result, "湖塘镇11月.xlsx")
    assert later.status == "other-period"
    assert later.reason == t("select.later_period", "zh", n=1, period="2022-11")
    assert later_periods(result.submissions, OCT) == {"2022-11": 1}


def test_period_tie_takes_the_later(ws: Workspace) -> None:
    submit(ws, "湖塘镇10月.xlsx", period=OCT)
    submit(ws, "牛塘镇11月.xlsx", "niutang")
    assert ingest(ws).period == NOV


def test_nothing_recognisable_has_no_period(ws: Workspace) -> None:
    (ws.inbox / "Thumbs.db").write_bytes(b"\x00" * 64)
    result = ingest(ws)
    assert result.period is None and result.used == {}
    assert not result.has_errors


# --------------------------------------------------------------------------- what is not a submission


@pytest.mark.parametrize(("name", "key", "suffix"), [
    ("~$湖塘镇.xlsx", "reader.ignore_office_lock", None),
    (".~lock.湖塘镇.xlsx#", "reader.ignore_lo_lock", None),
    (".湖塘镇.xlsx", "reader.ignore_hidden", None),
    (".DS_Store", "reader.ignore_system", None),
    ("Thumbs.db", "reader.ignore_system", None),
    ("desktop.ini", "reader.ignore_system", None),
    ("~WRL0001.tmp", "reader.ignore_temp", None),
    ("湖塘镇.xlsx.tmp", "reader.ignore_temp", None),
    ("湖塘镇 - 快捷方式.lnk", "reader.unknown", ".lnk"),  # not a workbook by name nor by content
    ("发送记录.log", "reader.unknown", ".log"),
    ("README", "reader.unknown", None),
])
def test_lock_temp_hidden_system_and_unknown_files_are_ignored(ws: Workspace, name: str, key: str,
                                                               suffix: str | None) -> None:
    submit(ws, "湖塘镇.xlsx")
    junk = ws.inbox / "2022年11月" / name
    junk.parent.mkdir()
    junk.write_bytes(b"\x00\x01\x02 not a workbook " * 8)
    result = ingest(ws, NOV)
    sub = only(result, f"2022年11月/{name}")
    info = one(sub, "ignored-file")
    assert where(info) == ("info", f"2022年11月/{name}", "", "", "", "")
    params = dict(info.params)
    if suffix:  # an unknown type names its suffix after the reason
        assert params["detail"].startswith(t(key, "zh")) and params["detail"].endswith(f"{suffix}）")
        assert params["detail_en"] == f"{t(key, 'en')} ({suffix})"
    else:
        assert params == both("detail", key)
    assert (sub.status, sub.reason) == ("ignored", params["detail"])
    assert len(sub.issues) == 1
    assert not result.has_errors and set(result.used) == {"hutang"}


def test_workbook_with_an_odd_suffix_is_still_read(ws: Workspace) -> None:
    path = submit(ws, "湖塘镇.xlsx")
    path.rename(ws.inbox / "湖塘镇.xlsx.download")
    result = ingest(ws, NOV)
    assert result.used["hutang"].file == "湖塘镇.xlsx.download"


def test_a_pdf_instead_of_the_form_is_an_error(ws: Workspace) -> None:
    (ws.inbox / "湖塘镇.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    result = ingest(ws, NOV)
    sub = only(result, "湖塘镇.pdf")
    err = one(sub, "unsupported-format")
    assert err.severity == "error" and dict(err.params)["detail"] == t("reader.pdf", "zh")
    assert sub.status == "rejected" and result.has_errors


def test_inbox_is_walked_recursively_in_a_stable_order(ws: Workspace) -> None:
    for name in ("b/湖塘镇.xlsx", "a/c/牛塘镇.xlsx", "洛阳镇.xlsx"):
        (ws.inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (ws.inbox / name).write_bytes(b"x")
    (ws.inbox / ".git").mkdir()
    (ws.inbox / ".git" / "config").write_bytes(b"x")  # hidden folders are not submissions
    names = [p.relative_to(ws.inbox).as_posix() for p in discover(ws.inbox)]
    assert names == ["洛阳镇.xlsx", "a/c/牛塘镇.xlsx", "b/湖塘镇.xlsx"]  # a folder's files, then its folders


def test_every_issue_names_its_file(ws: Workspace) -> None:
    submit(ws, "湖塘镇.xlsx", tech_sme="约12", gazelle=None, hte_applications="12家", hte_recognised=20)
    (ws.inbox / "~$湖塘镇.xlsx").write_bytes(b"\x00" * 162)
    result = ingest(ws, NOV)
    for s in result.submissions:
        assert s.issues and all(i.file == s.file for i in s.issues)
    sub = only(result, "湖塘镇.xlsx")
    assert {i.code: i.cell for i in sub.issues} == {
        "not-a-number": cell_of(ws, "tech_sme"), "blank-as-zero": cell_of(ws, "gazelle"),
        "value-normalised": cell_of(ws, "hte_applications"), "exceeds-related": cell_of(ws, "hte_recognised")}
    assert all(i.unit == "hutang" and i.indicator and i.sheet == fl.DATA_SHEET for i in sub.issues)


# --------------------------------------------------------------------------- inbox/ is never touched


def _messy_inbox(ws: Workspace) -> None:
    submit(ws, "2022年10月/湖塘镇.xlsx", period=OCT, mtime=T0 - 30 * 86400, tech_sme=50)
    submit(ws, "2022年11月/湖塘镇.xlsx", mtime=T0, tech_sme=45, gazelle="12家")
    first = submit(ws, "2022年11月/西湖街道.xlsx", "xihu", mtime=T0)
    shutil.copyfile(first, ws.inbox / "2022年11月/西湖街道（重发）.xlsx")
    submit(ws, "2022年11月/牛塘镇.xlsx", "niutang", mtime=T0, tech_sme="=1+1")
    wb = openpyxl.Workbook()
    wb.active.append(["报表"])
    wb.save(ws.inbox / "2022年11月" / "不知是谁.xlsx")
    (ws.inbox / "2022年11月" / "~$湖塘镇.xlsx").write_bytes(b"\x00" * 162)
    (ws.inbox / "2022年11月" / "Thumbs.db").write_bytes(b"\x00" * 64)


def test_inbox_unchanged_after_check(ws: Workspace) -> None:
    _messy_inbox(ws)
    before = snapshot(ws.inbox)
    result = check_files(ws, None, None)
    assert result.period == NOV and result.has_errors
    check_files(ws, [ws.inbox / "2022年11月"], NOV)
    assert snapshot(ws.inbox) == before


def test_inbox_unchanged_after_compile(ws: Workspace) -> None:
    from reporting.jobs.compile import compile_period

    _messy_inbox(ws)
    before = snapshot(ws.inbox)
    compile_period(ws, OCT)
    out = compile_period(ws, NOV)
    assert snapshot(ws.inbox) == before
    assert out.results_path.is_file()
    # November was compared with what October's compile published
    issues = {(i["code"], i["unit"], i["cell"]) for i in out.results.to_json()["issues"]}
    assert ("ytd-decreased", "hutang", cell_of(ws, "tech_sme")) in issues
    assert ("formula-without-value", "niutang", cell_of(ws, "tech_sme")) in issues
    assert ("duplicate-file", "xihu", None) in issues
