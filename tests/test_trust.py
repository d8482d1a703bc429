"""Issue 10, "no silent wrong number": every case ends with the right number or a named error.

Each test builds a real-looking workbook (openpyxl, merged two-row headers, month-per-sheet
books, date cells, stale text ...), saves it into inbox/ under a name a unit would give it,
and reads it through ``ingest``; assertions are on codes, cells and numbers.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import found, one, only

from reporting.core import formlayout as fl
from reporting.core.errors import ConfigError
from reporting.core.periods import Period
from reporting.ingest.pipeline import ingest
from reporting.render.forms import build_form
from reporting.score import rules as sc
from reporting.workspace.config import Workspace, load_workspace

NOV = Period(2022, 11)
T0 = 1_669_852_800


def figures(ws: Workspace) -> dict[str, float]:
    out = {}
    for n, ind in enumerate(ws.indicators):
        out[ind.code] = 30 + n if ind.is_integer else 3.25 + n
    out["hte_recognised"] = 12
    return out


def own(ws: Workspace, name: str, unit: str = "hutang", period: Period = NOV, *, mtime: float | None = None,
        **changes: Any) -> Path:
    wb = build_form(ws, ws.unit(unit), period, None)
    sh = wb[fl.DATA_SHEET]
    for n, ind in enumerate(ws.indicators):
        sh.cell(fl.FIRST_DATA_ROW + n, fl.COL_VALUE).value = {**figures(ws), **changes}.get(ind.code)
    path = ws.inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def two_row_book(ws: Workspace, path: Path, *, parents: list[tuple[str, int, int]], children: list[str],
                 ytd_at: int, title: str = "湖塘镇2022年1-11月科技指标完成情况", sheet: str = "Sheet1",
                 wb: openpyxl.Workbook | None = None, values: dict[str, float] | None = None) -> openpyxl.Workbook:
    """A table with a merged parent header row over sub-headers; the real year-to-date in column ``ytd_at`` (1-based).

    Other value columns hold a decoy (the value + 1000) so that the wrong column cannot pass.
    """
    new = wb is None
    wb = wb or openpyxl.Workbook()
    sh = wb.active if new else wb.create_sheet(sheet)
    sh.title = sheet
    sh.cell(1, 1, title)
    for text, first, last in parents:
        sh.cell(2, first, text)
        if last > first:
            sh.merge_cells(start_row=2, start_column=first, end_row=2, end_column=last)
    for c, text in enumerate(children, 1):
        if text:
            sh.cell(3, c, text)
    if not children[0]:
        sh.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    vals = values or figures(ws)
    for n, ind in enumerate(ws.indicators):
        r = 4 + n
        sh.cell(r, 1, ind.name)
        for c in range(2, len(children) + 1):
            sh.cell(r, c, vals[ind.code] if c == ytd_at else vals[ind.code] + 1000)
    wb.save(path)
    return wb


def values(sub: Any) -> dict[str, float | None]:
    return {k: cv.value for k, cv in sub.values.items()}


# --------------------------------------------------------------------------- 1. two-row headers


def test_two_row_header_this_year_over_month_and_cumulative(ws: Workspace) -> None:
    """本年实际 over 本月 | 累计, 上年同期 over 月计 | 累计: 本年实际·累计 (C) is the year to date."""
    path = ws.inbox / "湖塘镇.xlsx"
    two_row_book(ws, path, parents=[("指标名称", 1, 1), ("本年实际", 2, 3), ("上年同期", 4, 5)],
                 children=["", "本月", "累计", "月计", "累计"], ytd_at=3)
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.status == "used", [(i.code, i.message()) for i in sub.issues]
    assert values(sub) == figures(ws)
    assert sub.values["tech_sme"].cell == f"C{4 + [i.code for i in ws.indicators].index('tech_sme')}"


def test_two_row_header_the_other_order(ws: Workspace) -> None:
    """本月 | 累计 as parents over 本年 | 上年同期: 累计·本年 (D) is the year to date."""
    path = ws.inbox / "湖塘镇.xlsx"
    two_row_book(ws, path, parents=[("指标名称", 1, 1), ("本月", 2, 3), ("累计", 4, 5)],
                 children=["", "本年", "上年同期", "本年", "上年同期"], ytd_at=4)
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.status == "used"
    assert values(sub) == figures(ws)
    assert {cv.cell[0] for cv in sub.values.values()} == {"D"}


def test_actual_over_last_year_and_this_year(ws: Workspace) -> None:
    """实际 over 上年同期 | 上年累计 | 本月实际 | 本年累计: E."""
    path = ws.inbox / "湖塘镇.xlsx"
    two_row_book(ws, path, parents=[("指标名称", 1, 1), ("实际", 2, 5)],
                 children=["", "上年同期", "上年累计", "本月实际", "本年累计"], ytd_at=5)
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert values(sub) == figures(ws)
    assert {cv.cell[0] for cv in sub.values.values()} == {"E"}


def test_two_candidate_columns_are_ambiguous(ws: Workspace) -> None:
    path = ws.inbox / "湖塘镇.xlsx"
    two_row_book(ws, path, parents=[("指标名称", 1, 1), ("本年累计", 2, 2), ("累计完成", 3, 3)],
                 children=["", "", ""], ytd_at=2)
    result = ingest(ws, NOV)
    sub = only(result, "湖塘镇.xlsx")
    err = one(sub, "ambiguous-column")
    assert (err.severity, err.sheet, err.cell) == ("error", "Sheet1", "B2")
    assert dict(err.params)["other_cell"] == "C2"
    assert sub.rejected and "hutang" not in result.used and not sub.values


# --------------------------------------------------------------------------- month per sheet


def test_one_sheet_per_month_reads_the_period_compiled(ws: Workspace) -> None:
    path = ws.inbox / "湖塘镇科技指标.xlsx"
    wb = None
    for month in (9, 10, 11):
        vals = {k: v + month for k, v in figures(ws).items()}
        vals["hte_recognised"] = 12
        wb = two_row_book(ws, path, parents=[("指标名称", 1, 1), ("本年累计", 2, 2)], children=["", ""],
                          ytd_at=2, sheet=f"22.{month}", title="湖塘镇科技指标", wb=wb, values=vals)
    sub = only(ingest(ws, NOV), "湖塘镇科技指标.xlsx")
    info = one(sub, "sheet-chosen")
    assert (info.severity, info.sheet, dict(info.params)["period"]) == ("info", "22.11", "2022-11")
    assert sub.period == "2022-11" and sub.status == "used"
    assert sub.values["tech_sme"].value == figures(ws)["tech_sme"] + 11
    assert {cv.sheet for cv in sub.values.values()} == {"22.11"}


def test_sheets_per_site_cannot_be_chosen(ws: Workspace) -> None:
    path = ws.inbox / "湖塘镇2022年11月.xlsx"
    wb = None
    for site in ("一园", "二园"):
        wb = two_row_book(ws, path, parents=[("指标名称", 1, 1), ("本年累计", 2, 2)], children=["", ""],
                          ytd_at=2, sheet=site, title="湖塘镇2022年11月", wb=wb)
    sub = only(ingest(ws, NOV), "湖塘镇2022年11月.xlsx")
    err = one(sub, "ambiguous-sheet")
    assert err.severity == "error" and "一园" in dict(err.params)["sheets"] and "二园" in dict(err.params)["sheets"]
    assert sub.rejected and not sub.values


# --------------------------------------------------------------------------- period evidence


def rows_book(ws: Workspace, name: str, rows: list[list[Any]], sheet: str = "Sheet") -> Path:
    """A unit's own one-sheet workbook in inbox/: ``rows`` appended from A1."""
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = sheet
    for row in rows:
        sh.append(row)
    path = ws.inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def hand(ws: Workspace, name: str, head: list[list[Any]], sheet: str = "Sheet1") -> Path:
    return rows_book(ws, name, [*head, ["指标名称", "本年累计"],
                                *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]], sheet)


def test_two_digit_year_in_file_name(ws: Workspace) -> None:
    hand(ws, "湖塘镇科技指标（22.11）.xlsx", [["湖塘镇科技指标"]])
    sub = only(ingest(ws), "湖塘镇科技指标（22.11）.xlsx")
    assert (sub.period, sub.status) == ("2022-11", "used")
    assert dict(one(sub, "period-inferred").params)["detail"].startswith("2022-11")


def test_quarter_in_title_is_its_last_month(ws: Workspace) -> None:
    hand(ws, "湖塘镇.xlsx", [["湖塘镇2022年三季度科技指标"]])
    assert only(ingest(ws), "湖塘镇.xlsx").period == "2022-09"


def test_date_typed_period_cell_beside_the_unit_label(ws: Workspace) -> None:
    hand(ws, "湖塘镇.xlsx", [["科技指标月报"], ["单位名称（盖章）", None, dt.datetime(2022, 11, 30)]])
    sub = only(ingest(ws), "湖塘镇.xlsx")
    assert (sub.period, sub.unit, sub.status) == ("2022-11", "hutang", "used")
    assert one(sub, "period-inferred").cell == "C2"


def test_filled_in_date_is_not_the_period(ws: Workspace) -> None:
    hand(ws, "湖塘镇2022年11月.xlsx", [["湖塘镇科技指标"], ["填报单位：湖塘镇", "报出日期", dt.datetime(2022, 12, 5)]])
    sub = only(ingest(ws), "湖塘镇2022年11月.xlsx")
    assert (sub.period, sub.status) == ("2022-11", "used") and not found(sub, "period-conflict")


def test_stale_period_hidden_behind_spaces_is_ignored(ws: Workspace) -> None:
    hand(ws, "湖塘镇2022年11月.xlsx", [["湖塘镇科技指标" + " " * 40 + "2022年10月"]])
    sub = only(ingest(ws), "湖塘镇2022年11月.xlsx")
    assert (sub.period, sub.status) == ("2022-11", "used") and not found(sub, "period-conflict")


def test_last_months_form_reused_replaces_nothing(ws: Workspace) -> None:
    """The October form (meta and title say 10月) with November figures, named 11月: period-conflict."""
    own(ws, "湖塘镇11月.xlsx", mtime=T0)
    own(ws, "湖塘镇11月（新）.xlsx", period=Period(2022, 10), mtime=T0 + 3600, tech_sme=999)
    result = ingest(ws, NOV)
    bad = only(result, "湖塘镇11月（新）.xlsx")
    err = one(bad, "period-conflict")
    assert err.severity == "error" and "2022-10" in dict(err.params)["evidence_en"]
    assert "2022-11" in dict(err.params)["evidence_en"] and "_meta" in dict(err.params)["evidence"]
    assert result.used["hutang"].file == "湖塘镇11月.xlsx"
    assert result.used["hutang"].values["tech_sme"].value == figures(ws)["tech_sme"]


# --------------------------------------------------------------------------- unit evidence


def test_neighbours_form_reused_is_a_unit_conflict(ws: Workspace) -> None:
    """湖塘镇's form, with 牛塘镇 typed into 填报单位 and in the file name: used for neither unit."""
    own(ws, "湖塘镇.xlsx", "hutang", mtime=T0)
    path = own(ws, "牛塘镇.xlsx", "hutang", mtime=T0 + 60, tech_sme=777)
    wb = openpyxl.load_workbook(path)
    wb[fl.DATA_SHEET].cell(fl.INFO_ROW, 1).value = "填报单位：牛塘镇"
    wb.save(path)
    os.utime(path, (T0 + 60, T0 + 60))
    result = ingest(ws, NOV)
    sub = only(result, "牛塘镇.xlsx")
    err = one(sub, "unit-conflict")
    assert (err.severity, err.sheet, err.cell) == ("error", fl.DATA_SHEET, "A2")
    assert sub.rejected and "niutang" not in result.used
    assert result.used["hutang"].file == "湖塘镇.xlsx"  # never supersedes the other unit's file
    assert result.used["hutang"].values["tech_sme"].value == figures(ws)["tech_sme"]


# --------------------------------------------------------------------------- rows


def test_inserted_sub_item_row_above_the_real_row(ws: Workspace) -> None:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["湖塘镇2022年1-11月科技指标"])
    sh.append(["指标名称", "本年累计"])
    for ind in ws.indicators:
        if ind.code == "tech_sme":
            sh.append(["其中：科技型中小企业备案数（省级）", 7])
            sh.append(["  含外资科技型中小企业", 3])
        sh.append([ind.name, figures(ws)[ind.code]])
    sh.append(["合计", 9999])
    sh.append(["单位负责人：张三", "填表人：李四"])
    sh.append(["报出日期：2022年12月5日"])
    wb.save(ws.inbox / "湖塘镇.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.values["tech_sme"].value == figures(ws)["tech_sme"]
    assert values(sub) == figures(ws)
    assert not found(sub, "duplicate-row")
    # sub-items that only contain the indicator's name are not taken for it, and are named as unread
    assert [dict(i.params)["detail"] for i in found(sub, "unknown-row")] == [
        "其中：科技型中小企业备案数（省级）", "含外资科技型中小企业"]


def test_exact_name_beats_a_partial_match_above_it(ws: Workspace) -> None:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["湖塘镇2022年1-11月科技指标"])
    sh.append(["指标名称", "本年累计"])
    sh.append(["高新技术企业申报数（去年结转）", 5])  # contains the name, but is not it
    for ind in ws.indicators:
        sh.append([ind.name, figures(ws)[ind.code]])
    wb.save(ws.inbox / "湖塘镇.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.values["hte_applications"].value == figures(ws)["hte_applications"]
    assert sub.values["hte_applications"].cell == "B4"


def test_table_without_matching_rows_says_so(ws: Workspace) -> None:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["湖塘镇2022年1-11月"])
    sh.append(["指标名称", "本年累计"])
    sh.append(["工业总产值", 1])
    sh.append(["固定资产投资", 2])
    wb.save(ws.inbox / "湖塘镇.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    err = one(sub, "no-matching-rows")
    assert (err.severity, err.cell) == ("error", "B2")
    assert not found(sub, "no-data-table")


# --------------------------------------------------------------------------- units of measure


def measure_book(ws: Workspace, unit_of: dict[str, str], vals: dict[str, float]) -> Path:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["湖塘镇2022年1-11月科技指标"])
    sh.append(["指标名称", "计量单位", "本年累计"])
    for ind in ws.indicators:
        sh.append([ind.name, unit_of.get(ind.code, ind.unit), vals.get(ind.code, figures(ws)[ind.code])])
    path = ws.inbox / "湖塘镇.xlsx"
    wb.save(path)
    return path


def test_yuan_converted_to_wan_yuan(ws: Workspace) -> None:
    measure_book(ws, {"bounty_funds": "元"}, {"bounty_funds": 1_234_500})
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    row = 3 + [i.code for i in ws.indicators].index("bounty_funds")
    info = one(sub, "unit-converted")
    assert (info.severity, info.cell, info.indicator) == ("info", f"B{row}", "bounty_funds")
    assert sub.values["bounty_funds"].value == pytest.approx(123.45)
    assert sub.values["bounty_funds"].cell == f"C{row}"


def test_square_metres_converted(ws: Workspace) -> None:
    measure_book(ws, {"incubation_area": "平方米"}, {"incubation_area": 52_000})
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.values["incubation_area"].value == pytest.approx(5.2)
    assert one(sub, "unit-converted").indicator == "incubation_area"


def test_contradictory_unit_is_an_error(ws: Workspace) -> None:
    measure_book(ws, {"tech_sme": "人"}, {})
    result = ingest(ws, NOV)
    sub = only(result, "湖塘镇.xlsx")
    row = 3 + [i.code for i in ws.indicators].index("tech_sme")
    err = one(sub, "unit-mismatch-measure")
    assert (err.severity, err.cell, err.indicator) == ("error", f"B{row}", "tech_sme")
    assert dict(err.params) == {"measure": "人", "expected": ws.indicator("tech_sme").unit}
    assert err.message().startswith(f"B{row} 的计量单位") and err.message("en").startswith(f"The unit in B{row} ")
    assert sub.values["tech_sme"].excluded and sub.values["tech_sme"].value is None
    assert sub.status == "used"  # the other values stand


def test_unit_in_the_value_header(ws: Workspace) -> None:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["湖塘镇2022年1-11月"])
    sh.append(["指标名称", "本年累计（元）"])
    sh.append(["揭榜挂帅项目资金", 20_000])
    wb.save(ws.inbox / "湖塘镇.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.values["bounty_funds"].value == pytest.approx(2.0)
    assert one(sub, "unit-converted").cell == "B2"


@pytest.mark.parametrize(("typed", "taken", "rounded"), [(0.0045, 45.0, False), (0.038513, 385.13, False),
                                                      (0.03851349, 385.13, True)])
def test_a_figure_in_another_unit_is_rounded_only_once_converted(ws: Workspace, typed: float, taken: float,
                                                                  rounded: bool) -> None:
    """0.0045 亿元 is 45 万元: rounding to the catalogue's two places before converting made it 0."""
    rows_book(ws, "湖塘镇.xlsx", [["湖塘镇2022年1-11月"], ["指标名称", "本年累计（亿元）"], ["揭榜挂帅项目金额", typed]])
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.values["bounty_funds"].value == pytest.approx(taken)
    assert bool(found(sub, "too-many-decimals")) is rounded


# --------------------------------------------------------------------------- selection


def test_empty_form_is_not_a_submission(ws: Workspace) -> None:
    wb = build_form(ws, ws.unit("hutang"), NOV, None)
    wb.save(ws.inbox / "湖塘镇.xlsx")
    result = ingest(ws, NOV)
    sub = only(result, "湖塘镇.xlsx")
    err = one(sub, "empty-form")
    assert (err.severity, err.sheet, err.cell) == ("error", fl.DATA_SHEET, f"F{fl.FIRST_DATA_ROW}")
    assert sub.rejected and "hutang" not in result.used


def test_empty_form_does_not_replace_a_filled_one(ws: Workspace) -> None:
    own(ws, "湖塘镇.xlsx", mtime=T0)
    wb = build_form(ws, ws.unit("hutang"), NOV, None)
    path = ws.inbox / "湖塘镇（新）.xlsx"
    wb.save(path)
    os.utime(path, (T0 + 60, T0 + 60))
    result = ingest(ws, NOV)
    assert result.used["hutang"].file == "湖塘镇.xlsx"


def test_received_time_orders_and_the_reason_says_why(ws: Workspace) -> None:
    own(ws, "b湖塘镇.xlsx", mtime=T0 + 60, tech_sme=50)
    own(ws, "a湖塘镇.xlsx", mtime=T0, tech_sme=40)
    result = ingest(ws, NOV)
    won = result.used["hutang"]
    assert won.file == "b湖塘镇.xlsx" and won.values["tech_sme"].value == 50
    assert won.received >= T0 + 60 or won.received == pytest.approx(T0 + 60)
    assert "a湖塘镇.xlsx" in won.reason


def test_received_time_beats_modification_time() -> None:
    """A file received later wins even when its modification time is older (copying resets it)."""
    from reporting.core.models import Submission
    from reporting.ingest.select import select

    early = Submission("a.xlsx", "1", mtime=T0 + 999, size=1, unit="hutang", period="2022-11", status="read",
                       received=T0)
    late = Submission("b.xlsx", "2", mtime=T0, size=1, unit="hutang", period="2022-11", status="read",
                      received=T0 + 60)
    together = Submission("c.xlsx", "3", mtime=T0 + 5, size=1, unit="niutang", period="2022-11", status="read",
                          received=T0)
    newer_mtime = Submission("d.xlsx", "4", mtime=T0 + 9, size=1, unit="niutang", period="2022-11", status="read",
                             received=T0)
    sel = select([early, late, together, newer_mtime], NOV)
    assert sel.used["hutang"].file == "b.xlsx" and sel.status["a.xlsx"][0] == "superseded"
    assert sel.used["niutang"].file == "d.xlsx"  # received together: the modification time decides


# --------------------------------------------------------------------------- checks across periods


def test_unit_missing_a_month_is_checked_against_the_month_before(ws: Workspace) -> None:
    """September accepted at 60; no October; November 45: ytd-decreased against September."""
    own(ws, "2022年9月/湖塘镇.xlsx", period=Period(2022, 9), mtime=T0 - 60 * 86400, tech_sme=60)
    own(ws, "2022年10月/牛塘镇.xlsx", "niutang", period=Period(2022, 10), mtime=T0 - 30 * 86400)
    own(ws, "2022年11月/湖塘镇.xlsx", mtime=T0, tech_sme=45)
    result = ingest(ws, NOV)
    sub = only(result, "2022年11月/湖塘镇.xlsx")
    err = one(sub, "ytd-decreased")
    assert (err.severity, err.indicator) == ("error", "tech_sme")
    assert dict(err.params)["previous"] == "60" and dict(err.params)["previous_period_en"] == "2022-09"
    assert sub.values["tech_sme"].excluded


def test_unusual_jump_never_below_the_average(ws: Workspace) -> None:
    from reporting.core.models import CellValue
    from reporting.ingest.rules.trend import check_against_previous

    prev = {"tech_sme": (Period(2022, 10), 1000.0)}
    for now, fires in ((1050.0, False), (1099.0, False), (1600.0, True)):
        vals = {"tech_sme": CellValue("tech_sme", now, now, "S", "F7")}
        _, issues = check_against_previous(vals, prev, ws, NOV, file="f", unit="hutang")
        assert any(i.code == "unusual-jump" for i in issues) is fires, now


def test_jump_factor_must_exceed_one(ws_dir: Path) -> None:
    wsf = ws_dir / "templates" / "workspace.toml"
    text = wsf.read_text(encoding="utf-8")
    wsf.write_text(text.replace("jump_factor = 5.0", "jump_factor = 0.5"), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_workspace(ws_dir)
    assert any("jump_factor" in p for p in exc.value.problems)


def test_validation_runs_once_per_submission(ws: Workspace) -> None:
    own(ws, "2022年10月/湖塘镇.xlsx", period=Period(2022, 10), mtime=T0 - 30 * 86400, tech_sme=60)
    own(ws, "2022年11月/湖塘镇.xlsx", mtime=T0, tech_sme=45)
    first = ingest(ws, NOV)
    again = ingest(ws, NOV)  # the read cache hands back the same submissions
    for result in (first, again):
        assert len(found(only(result, "2022年11月/湖塘镇.xlsx"), "ytd-decreased")) == 1


# --------------------------------------------------------------------------- scoring fairness


def test_error_padded_cells_do_not_raise_the_score() -> None:
    weights = {"a": 50.0, "b": 50.0}
    honest = sc.composite_score({"a": 1.0, "b": 0.2}, weights, 1.2)
    padded = sc.composite_score({"a": 1.0, "b": None}, weights, 1.2, pending={"b"})
    assert padded == pytest.approx(50.0) and honest == pytest.approx(60.0)
    assert padded <= honest
    assert not sc.score_complete({"b"}, weights) and sc.score_complete(set(), weights)


def test_typing_about_eight_does_not_climb_the_ranking(ws: Workspace) -> None:
    from reporting.jobs.compile import compile_period

    low = {ind.code: 1 for ind in ws.indicators}
    own(ws, "湖塘镇.xlsx", "hutang", mtime=T0, **low)
    own(ws, "牛塘镇.xlsx", "niutang", mtime=T0, **{k: "约8" for k in low})
    r = compile_period(ws, NOV).results.to_json()
    units = {u["code"]: u for u in r["units"]}
    assert units["niutang"]["score"] <= units["hutang"]["score"]
    assert units["niutang"]["score_complete"] is False and units["hutang"]["score_complete"] is True


def test_provisional_scores_are_noted_in_ranking_and_narrative(ws: Workspace) -> None:
    from reporting.jobs.compile import compile_period
    from reporting.render.narrative import narrative

    own(ws, "湖塘镇.xlsx", "hutang", mtime=T0)
    own(ws, "牛塘镇.xlsx", "niutang", mtime=T0, tech_sme="约8")
    done = compile_period(ws, NOV)
    units = {u.code: u for u in done.results.units}
    assert units["niutang"].score_complete is False and units["hutang"].score_complete is True
    assert any("牛塘镇" in p and "湖塘镇" not in p for p in narrative(done.results)[-3:])
    wb = openpyxl.load_workbook(done.bulletin)
    sheet = next(s for s in wb.worksheets if s.title == "综合排名")
    assert "牛塘镇" in str(sheet["A2"].value)


def test_month_sheets_named_by_month_only_take_the_year_from_the_file(ws: Workspace) -> None:
    path = ws.inbox / "湖塘镇2022年科技指标.xlsx"
    wb = None
    for month in (10, 11):
        vals = {k: v + month for k, v in figures(ws).items()}
        vals["hte_recognised"] = 12
        wb = two_row_book(ws, path, parents=[("指标名称", 1, 1), ("本年累计", 2, 2)], children=["", ""],
                          ytd_at=2, sheet=f"1-{month}月", title="湖塘镇科技指标", wb=wb, values=vals)
    result = ingest(ws)  # no --period: the latest month sheet, and that period is compiled
    sub = only(result, "湖塘镇2022年科技指标.xlsx")
    assert (sub.period, sub.status) == ("2022-11", "used")
    assert sub.values["tech_sme"].value == figures(ws)["tech_sme"] + 11
    assert one(sub, "sheet-chosen").sheet == "1-11月"


def test_later_period_is_listed_not_compiled(ws: Workspace) -> None:
    own(ws, "湖塘镇11月.xlsx", mtime=T0)
    own(ws, "牛塘镇11月.xlsx", "niutang", mtime=T0)
    own(ws, "湖塘镇12月.xlsx", period=Period(2022, 12), mtime=T0 + 86400)
    result = ingest(ws)
    assert result.period == NOV and result.later_periods() == {"2022-12": 1}
    later = only(result, "湖塘镇12月.xlsx")
    assert later.status == "other-period" and "2022-12" in later.reason
    assert result.used["hutang"].file == "湖塘镇11月.xlsx"


@given(st.sampled_from(["本月", "当月", "月计", "上年", "上年同期", "同期", "计划", "目标", "去年", "完成率"]),
       st.sampled_from(["", "实际", "完成", "数"]), st.booleans())
@settings(max_examples=150, deadline=None)
def test_month_last_year_and_plan_columns_are_never_the_year_to_date(bad: str, extra: str, parent_first: bool) -> None:
    from reporting.ingest.headers import choose, tier

    label = bad + extra if parent_first else extra + bad
    if bad in ("本月", "当月", "月计"):
        assert tier(label) is None
    assert tier(label + "累计") is None or bad in ("本月", "当月", "月计")
    assert choose(["指标名称", label, "本年累计"]) == (2, None)


def test_look_alike_rows_are_not_taken_for_the_indicator(ws: Workspace) -> None:
    """The real rows are missing; rows that only contain their names (planned, a target, last year's,
    another unit of measure) stand in their place. None is taken: the values stay out, and each
    indicator is named as missing."""
    look_alike = {"hte_applications": "拟申报高新技术企业数", "incubation_area": "新增孵化面积目标",
                  "talent_projects": "国家级人才项目（上年）", "bounty_funds": "揭榜挂帅项目金额（元）",
                  "rd_centres": "省级工程技术研究中心"}
    rows_book(ws, "湖塘镇.xlsx", [["湖塘镇2022年1-11月科技指标"], ["指标名称", "本年累计"],
                                  *[[look_alike.get(i.code, i.name), figures(ws)[i.code] + 7] for i in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert {code for code, cv in sub.values.items() if cv.value is not None} == {
        i.code for i in ws.indicators} - set(look_alike)
    assert {i.indicator for i in found(sub, "missing-indicator")} == set(look_alike)
    assert len(found(sub, "unknown-row")) == len(look_alike)


def test_a_program_written_form_with_formulas_is_not_read_as_zeros(ws: Workspace) -> None:
    """A unit's system exports its figures as formulas through XlsxWriter, which caches 0 and asks Excel
    to recalculate on opening: Excel shows the figures, the file holds zeros. Each is named and kept out."""
    import xlsxwriter

    path = ws.inbox / "湖塘镇.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    sh = wb.add_worksheet()
    sh.write_row(0, 0, ["湖塘镇2022年1-11月科技指标"])
    sh.write_row(1, 0, ["指标名称", "上月累计", "本年累计"])
    for r, ind in enumerate(ws.indicators, 2):
        sh.write_string(r, 0, ind.name)
        sh.write_number(r, 1, figures(ws)[ind.code])
        sh.write_formula(r, 2, f"=B{r + 1}+5")
    wb.close()
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert all(cv.value is None for cv in sub.values.values())
    assert len(found(sub, "formula-without-value")) == len(ws.indicators)


@pytest.mark.parametrize("header", ["11月完成", "十一月完成", "11月"])
def test_one_months_column_is_never_the_year_to_date(ws: Workspace, header: str) -> None:
    """A unit sending only the month's figures under "11月完成": not this year's cumulative figure."""
    rows_book(ws, "湖塘镇.xlsx", [["湖塘镇2022年1-11月科技指标"], ["指标名称", header],
                                  *[[ind.name, 5] for ind in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.status == "rejected" and all(cv.value is None for cv in sub.values.values())
    assert found(sub, "no-data-table")


@pytest.mark.parametrize("title", ["武进区科技指标完成情况（2022年11月份）", "湖塘镇11月份完成情况", "十一月份 湖塘镇"])
@pytest.mark.parametrize("header", ["完成数", "实际完成", "完成"])
def test_a_bare_completed_column_under_one_months_title_is_kept_out(ws: Workspace, title: str, header: str) -> None:
    """完成数 under "11月份": the month's own figure as likely as the year's; no number is taken."""
    rows_book(ws, "湖塘镇_2022年11月.xlsx", [[title], ["指标名称", header],
                                           *[[ind.name, 5] for ind in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert sub.status == "rejected" and all(cv.value is None for cv in sub.values.values())
    err = one(sub, "month-or-ytd")
    assert (err.sheet, err.cell) == ("Sheet", "B2")
    assert dict(err.params)["label"] == header and dict(err.params)["title"] == title
    assert not found(sub, "no-data-table")
    assert "B2" in err.message("en") and "month's own figure" in err.message("en")


@pytest.mark.parametrize("title", ["湖塘镇2022年1-11月科技指标", "截至11月份完成情况", "湖塘镇11月份累计完成情况",
                                   "湖塘镇科技指标"])
def test_a_bare_completed_column_under_a_year_to_date_title_is_read(ws: Workspace, title: str) -> None:
    rows_book(ws, "湖塘镇_2022年11月.xlsx", [[title], ["指标名称", "完成数"],
                                           *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert not found(sub, "month-or-ytd")
    assert sub.status != "rejected" and values(sub) == figures(ws)


def test_a_cumulative_header_under_one_months_title_is_read(ws: Workspace) -> None:
    rows_book(ws, "湖塘镇_2022年11月.xlsx", [["湖塘镇11月份完成情况"], ["指标名称", "本年累计"],
                                           *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert not found(sub, "month-or-ytd") and values(sub) == figures(ws)


def test_last_months_column_on_this_months_form_is_a_period_conflict(ws: Workspace) -> None:
    """The title and the file name say November; the only value column is headed 1-10月累计."""
    rows_book(ws, "湖塘镇_2022年11月.xlsx", [["湖塘镇2022年1-11月科技指标"], ["指标名称", "1-10月累计"],
                                           *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    err = one(sub, "period-conflict")
    assert "数值列表头（Sheet!B2）为 2022年10月" in dict(err.params)["evidence"]
    assert sub.status == "rejected"


@pytest.mark.parametrize("title", ["2021年度武进区科技创新重点指标完成情况", "湖塘镇2021年科技指标",
                                   "武进区2021 年度科技指标统计表（湖塘镇）"])
def test_last_years_title_over_this_months_name_is_a_period_conflict(ws: Workspace, title: str) -> None:
    """The title says 2021 and no month; the file name says 2022年11月. Last year's form sent again, or this
    year's figures typed into last year's template: no one can tell, so the figures are kept out."""
    rows_book(ws, "湖塘镇_2022年11月.xlsx", [[title], ["指标名称", "本年累计"],
                                           *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    err = one(sub, "period-conflict")
    assert sub.status == "rejected" and all(cv.value is None for cv in sub.values.values())
    assert (err.sheet, err.cell) == ("Sheet", "A1")
    assert "标题（Sheet!A1）为 2021年；" in dict(err.params)["evidence"]
    assert "文件名为 2022年11月" in dict(err.params)["evidence"]
    assert "the title (Sheet!A1) says 2021" in err.message("en")


@pytest.mark.parametrize("title", ["2022年度武进区科技创新重点指标完成情况", "湖塘镇科技指标",
                                   "湖塘镇科技指标    2021年度",  # pushed out of sight: not read
                                   "填报日期：2021年12月5日"])
def test_a_title_year_that_agrees_or_is_no_title_year_is_no_conflict(ws: Workspace, title: str) -> None:
    rows_book(ws, "湖塘镇_2022年11月.xlsx", [[title], ["指标名称", "本年累计"],
                                           *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert not found(sub, "period-conflict")
    assert (sub.period, sub.status) == ("2022-11", "used") and values(sub) == figures(ws)


def test_last_years_cumulative_column_is_not_this_years(ws: Workspace) -> None:
    """The only value column is headed 2021年累计 on a form named 2022年11月: last year's figures, kept out."""
    rows_book(ws, "湖塘镇_2022年11月.xlsx", [["湖塘镇科技指标完成情况"], ["指标名称", "2021年累计"],
                                           *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    err = one(sub, "period-conflict")
    assert sub.status == "rejected" and (err.sheet, err.cell) == ("Sheet", "B2")
    assert "数值列表头（Sheet!B2）为 2021年；" in dict(err.params)["evidence"]


def test_a_year_parent_over_month_and_cumulative_must_be_this_year(ws: Workspace) -> None:
    """2021年 merged over 本月 | 累计: the 累计 under it is last year's, however the columns are chosen."""
    path = ws.inbox / "湖塘镇_2022年11月.xlsx"
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["湖塘镇科技指标完成情况"])
    sh.append(["指标名称", "2021年", None])
    sh.append([None, "本月", "累计"])
    sh.merge_cells("A2:A3")
    sh.merge_cells("B2:C2")
    for ind in ws.indicators:
        sh.append([ind.name, 1, figures(ws)[ind.code]])
    wb.save(path)
    sub = only(ingest(ws, NOV), path.name)
    assert found(sub, "period-conflict") and sub.status == "rejected"
    assert all(cv.value is None for cv in sub.values.values())


@pytest.mark.parametrize("head", ["2022年累计", "本年累计", "2022年1-11月累计"])
def test_this_years_cumulative_column_is_read(ws: Workspace, head: str) -> None:
    rows_book(ws, "湖塘镇_2022年11月.xlsx", [["湖塘镇科技指标完成情况"], ["指标名称", head],
                                           *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert not found(sub, "period-conflict") and values(sub) == figures(ws)


@pytest.mark.parametrize(("sheet", "conflict"), [("2021年", True), ("2021年度", True), ("2022年", False),
                                                 ("Sheet1", False)])
def test_a_sheet_named_for_a_year_must_be_this_years(ws: Workspace, sheet: str, conflict: bool) -> None:
    rows_book(ws, "湖塘镇_2022年11月.xlsx", [["湖塘镇科技指标完成情况"], ["指标名称", "本年累计"],
                                           *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]], sheet=sheet)
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert bool(found(sub, "period-conflict")) is conflict
    if conflict:
        assert sub.status == "rejected" and f"工作表名（{sheet}）为 2021年" in dict(one(sub, "period-conflict").params)["evidence"]
    else:
        assert values(sub) == figures(ws)


def test_a_year_alone_never_keeps_a_stale_period_behind_spaces(ws: Workspace) -> None:
    """A sheet named 2022年 says nothing of December: the stale 2022年12月 pushed out of sight still drops."""
    rows_book(ws, "湖塘镇_2022年11月.xlsx", [["湖塘镇科技指标        2022年12月"], ["指标名称", "本年累计"],
                                           *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]],
              sheet="2022年")
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert not found(sub, "period-conflict") and values(sub) == figures(ws)


def test_a_year_alone_in_the_title_dates_a_month_alone_in_the_name(ws: Workspace) -> None:
    """"2021年度" over a file named 11月: the year is 2021's, the file is November 2021's, not this month's."""
    rows_book(ws, "湖塘镇11月.xlsx", [["2021年度科技指标完成情况"], ["指标名称", "本年累计"],
                                     *[[ind.name, figures(ws)[ind.code]] for ind in ws.indicators]])
    sub = only(ingest(ws, NOV), "湖塘镇11月.xlsx")
    assert sub.period == "2021-11" and not found(sub, "period-conflict") and sub.status == "other-period"


def test_last_months_form_filed_in_this_months_folder_is_no_ones(ws: Workspace) -> None:
    """湖塘镇 types its December figures into November's form and sends it; the clerk files it under
    2022年12月/. Its _meta says November, its folder December: it must not become November's figure."""
    own(ws, "2022年11月/湖塘镇.xlsx")
    own(ws, "2022年12月/湖塘镇（新）.xlsx", hte_applications=99)
    result = ingest(ws, NOV)
    assert result.used["hutang"].file == "2022年11月/湖塘镇.xlsx"
    sent_again = only(result, "2022年12月/湖塘镇（新）.xlsx")
    assert sent_again.status != "used" and found(sent_again, "period-conflict")
    assert "所在文件夹为 2022年12月" in dict(one(sent_again, "period-conflict").params)["evidence"]


def test_unit_column_and_header_that_contradict_keep_the_value_out(ws: Workspace) -> None:
    rows_book(ws, "湖塘镇.xlsx", [["湖塘镇2022年1-11月"], ["指标名称", "计量单位", "本年累计（元）"],
                                  ["揭榜挂帅项目金额", "万元", 385.13], ["高新技术企业申报数", "家", 30]])
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    err = one(sub, "measure-conflict")
    assert (err.severity, err.cell, err.indicator) == ("error", "B3", "bounty_funds")
    assert "C2" in err.message() and "元" in err.message()
    assert sub.values["bounty_funds"].value is None and sub.values["bounty_funds"].excluded


def test_a_period_conflict_is_listed_in_every_period_it_names(ws: Workspace) -> None:
    """November's form renamed 湖塘镇-2022年12月.xlsx: whichever month is compiled, the clerk sees the
    rejected file and why, instead of 湖塘镇 looking as if it sent nothing for December."""
    own(ws, "湖塘镇-2022年12月.xlsx", period=NOV)
    for period in (NOV, Period(2022, 12)):
        result = ingest(ws, period)
        sub = only(result, "湖塘镇-2022年12月.xlsx")
        assert sub.status == "rejected" and sub.claims == ("2022-11", "2022-12")
        assert sub in result.relevant() and found(sub, "period-conflict")
        assert "hutang" not in result.used


def test_a_byte_for_byte_copy_filed_in_the_next_months_folder_is_only_a_copy(ws: Workspace) -> None:
    import shutil

    first = own(ws, "2022年11月/湖塘镇.xlsx")
    (ws.inbox / "2022年12月").mkdir()
    shutil.copyfile(first, ws.inbox / "2022年12月" / "湖塘镇（上月）.xlsx")
    result = ingest(ws, NOV)
    copy_ = only(result, "2022年12月/湖塘镇（上月）.xlsx")
    assert not found(copy_, "period-conflict") and copy_.status == "duplicate"
    assert result.used["hutang"].file == "2022年11月/湖塘镇.xlsx" and not result.has_errors


def test_a_workbook_for_the_year_is_read_at_its_latest_filled_month(ws: Workspace) -> None:
    """Sheets 1月 … 12月 made at the start of the year, filled up to November: without --period, the
    December sheet (blank) is not the form sent; November's is."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for m in range(1, 13):
        sh = wb.create_sheet(f"{m}月")
        sh.append([f"湖塘镇2022年1-{m}月科技指标"])
        sh.append(["指标名称", "本年累计"])
        for ind in ws.indicators:
            sh.append([ind.name, figures(ws)[ind.code] if m <= 11 else None])
    wb.save(ws.inbox / "湖塘镇2022年科技指标.xlsx")
    result = ingest(ws)
    assert result.period == NOV
    sub = only(result, "湖塘镇2022年科技指标.xlsx")
    assert (sub.period, sub.status) == ("2022-11", "used") and values(sub) == figures(ws)


@pytest.mark.parametrize(("measure", "typed", "taken"), [("万㎡", 3.5, 3.5), ("万平米", 3.5, 3.5), ("㎡", 35000, 3.5),
                                                          ("m²", 35000, 3.5), ("平米", 35000, 3.5)])
def test_other_spellings_of_the_catalogues_units(ws: Workspace, measure: str, typed: float, taken: float) -> None:
    rows_book(ws, "湖塘镇.xlsx", [["湖塘镇2022年1-11月"], ["指标名称", "计量单位", "本年累计"], ["新增孵化面积", measure, typed]])
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.values["incubation_area"].value == pytest.approx(taken)
    assert not found(sub, "unit-mismatch-measure")
