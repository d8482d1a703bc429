"""Recognising what a file is: unit, period, and which cell holds which indicator.

The tool's own form says so exactly (its ``_meta`` sheet); forms that units
rebuilt, copied or edited are read by their labels. Every test builds a
real workbook, saves it into inbox/ under a name a unit would give it, and
reads it back through ``ingest``; the pure matchers are also driven with
hypothesis over the decorations units add to labels and periods.
"""

from __future__ import annotations

import calendar
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import found, one, only

from reporting.core import formlayout as fl
from reporting.core.messages import both, t
from reporting.core.models import Submission
from reporting.core.periods import Period
from reporting.core.textnorm import norm_label
from reporting.ingest.periodtext import period_from_text
from reporting.ingest.pipeline import ingest
from reporting.ingest.recognise import Catalogue
from reporting.render.forms import build_form
from reporting.workspace.config import Workspace, load_workspace
from reporting.workspace.init import init_workspace

NOV = Period(2022, 11)
OCT = Period(2022, 10)
FULL_WIDTH = str.maketrans("0123456789-.()", "０１２３４５６７８９－．（）")


# --------------------------------------------------------------------------- helpers


def figures(ws: Workspace) -> dict[str, float]:
    """Plausible figures for every indicator (recognised <= applications), distinct per row."""
    out = {}
    for n, ind in enumerate(ws.indicators):
        out[ind.code] = 30 + n if ind.is_integer else 3.25 + n
    out["hte_recognised"] = 12
    return out


def row_of(ws: Workspace, code: str) -> int:
    return fl.FIRST_DATA_ROW + [i.code for i in ws.indicators].index(code)


def own_form(ws: Workspace, unit: str = "hutang", period: Period = NOV,
             values: dict[str, Any] | None = None) -> openpyxl.Workbook:
    """The tool's form for ``unit`` and ``period``, filled in with ``values`` (default: figures)."""
    wb = build_form(ws, ws.unit(unit), period, None)
    sh = wb[fl.DATA_SHEET]
    vals = figures(ws) | (values or {})
    for ind in ws.indicators:
        sh.cell(row_of(ws, ind.code), fl.COL_VALUE, vals[ind.code])
    return wb


def hand_made(path: Path, rows: list[list[Any]], title: str = "Sheet1") -> Path:
    """A workbook of the unit's own making: ``rows`` appended from A1."""
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = title
    for r in rows:
        sh.append(r)
    wb.save(path)
    return path


def table(ws: Workspace, label: Any = None, value: Any = None, order: list[str] | None = None) -> list[list[Any]]:
    """Rows of a hand-made table: [label, value] per indicator (catalogue order unless ``order``)."""
    vals = figures(ws)
    inds = [ws.indicator(c) for c in order] if order else list(ws.indicators)
    return [[label(ind) if label else ind.name, value(ind) if value else vals[ind.code]] for ind in inds]


def said(source: str, value: str, lang: str = "zh") -> str:
    """One piece of evidence as a unit-mismatch lists it: 'the file name says 牛塘镇'."""
    return t("evidence.item", lang, source=t(f"evidence.{source}", lang), where="", value=value)


def period_from(period: Period | str, source: str) -> dict[str, str]:
    """The period-inferred parameters: the period and what it was read from, in both languages."""
    return {"detail": t("recognise.period_from", "zh", period=str(period), source=t(f"evidence.{source}", "zh")),
            "detail_en": t("recognise.period_from", "en", period=str(period), source=t(f"evidence.{source}", "en"))}


def codes(sub: Submission) -> set[str]:
    return {i.code for i in sub.issues}


def values(sub: Submission) -> dict[str, float | None]:
    return {k: cv.value for k, cv in sub.values.items()}


def cells(sub: Submission) -> dict[str, str]:
    return {k: cv.cell for k, cv in sub.values.items()}


# --------------------------------------------------------------------------- the exact path


def test_own_form_is_read_exactly_from_its_meta_sheet(ws: Workspace) -> None:
    own_form(ws, "niutang").save(ws.inbox / "随便起的名字.xlsx")  # the name says nothing
    sub = only(ingest(ws, NOV), "随便起的名字.xlsx")
    assert (sub.unit, sub.period, sub.status) == ("niutang", "2022-11", "used")
    assert sub.issues == []  # nothing inferred, nothing wrong
    assert values(sub) == figures(ws)
    assert cells(sub) == {i.code: f"F{row_of(ws, i.code)}" for i in ws.indicators}
    assert {cv.sheet for cv in sub.values.values()} == {fl.DATA_SHEET}


def test_own_form_under_another_units_name_is_used_for_neither(ws: Workspace) -> None:
    """湖塘镇's form (its _meta and 填报单位 say so) saved as 牛塘镇.xlsx: 牛塘镇 typing into a neighbour's
    form, or a misnamed file. Whose figures these are cannot be told: an error, and the file is used for
    neither unit (a file named for a unit never replaces that unit's own form)."""
    own_form(ws, "niutang").save(ws.inbox / "牛塘镇_2022年11月.xlsx")
    own_form(ws, "hutang").save(ws.inbox / "牛塘镇.xlsx")
    result = ingest(ws, NOV)
    sub = only(result, "牛塘镇.xlsx")
    err = one(sub, "unit-conflict")
    assert (err.severity, err.unit, err.sheet, err.cell) == ("error", "hutang", fl.DATA_SHEET, "A2")
    evidence = dict(err.params)["evidence"]
    assert said("meta", "湖塘镇") in evidence and said("name", "牛塘镇") in evidence
    assert sub.status == "rejected" and "hutang" not in result.used
    assert result.used["niutang"].file == "牛塘镇_2022年11月.xlsx"
    assert not found(sub, "unit-inferred")


def test_rows_inserted_in_own_form_fall_back_to_labels(ws: Workspace) -> None:
    wb = own_form(ws, "luoyang")
    sh = wb[fl.DATA_SHEET]
    sh.insert_rows(6)  # above 高新技术企业培育入库数
    sh.cell(6, fl.COL_NAME, "其中：省级研发机构")
    sh.cell(6, fl.COL_VALUE, 3)
    wb.save(ws.inbox / "洛阳镇.xlsx")
    sub = only(ingest(ws, NOV), "洛阳镇.xlsx")
    assert (sub.unit, sub.period, sub.status) == ("luoyang", "2022-11", "used")  # still from _meta
    info = one(sub, "layout-inferred")
    assert (info.severity, info.sheet, info.cell, info.unit) == ("info", fl.DATA_SHEET, "F3", "luoyang")
    row = one(sub, "unknown-row")
    assert (row.severity, row.sheet, row.cell, row.unit) == ("warning", fl.DATA_SHEET, "B6", "luoyang")
    assert dict(row.params) == {"detail": "其中：省级研发机构"}
    assert values(sub) == figures(ws)
    assert sub.values["hte_recognised"].cell == "F5"
    assert sub.values["hte_pool"].cell == "F7"  # moved down by one
    assert sub.values["bounty_funds"].cell == f"F{row_of(ws, 'bounty_funds') + 1}"


def test_column_inserted_in_own_form_moves_the_value_column(ws: Workspace) -> None:
    """The labels still agree with _meta, but F is no longer 本年累计: read G, never the wrong column."""
    wb = own_form(ws, "xueyan")
    sh = wb[fl.DATA_SHEET]
    sh.insert_cols(3)
    sh.cell(fl.HEADER_ROW, 3, "责任科室")
    wb.save(ws.inbox / "雪堰镇.xlsx")
    sub = only(ingest(ws, NOV), "雪堰镇.xlsx")
    assert one(sub, "layout-inferred").cell == "G3"
    assert values(sub) == figures(ws)
    assert set(cells(sub).values()) == {f"G{row_of(ws, i.code)}" for i in ws.indicators}
    assert not found(sub, "blank-as-zero")


def test_column_deleted_in_own_form(ws: Workspace) -> None:
    wb = own_form(ws, "xueyan")
    wb[fl.DATA_SHEET].delete_cols(fl.COL_TARGET)  # 年度目标 removed: 本年累计 is now in E
    wb.save(ws.inbox / "雪堰镇.xlsx")
    sub = only(ingest(ws, NOV), "雪堰镇.xlsx")
    assert values(sub) == figures(ws)
    assert sub.values["hte_applications"].cell == "E4"


def test_rows_reordered_in_own_form_follow_their_labels(ws: Workspace) -> None:
    wb = own_form(ws)
    sh = wb[fl.DATA_SHEET]
    a, b = row_of(ws, "hte_applications"), row_of(ws, "tech_sme")
    for c in range(1, 8):  # swap the two rows, label and value
        sh.cell(a, c).value, sh.cell(b, c).value = sh.cell(b, c).value, sh.cell(a, c).value
    wb.save(ws.inbox / "湖塘镇.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert values(sub) == figures(ws)
    assert sub.values["hte_applications"].cell == f"F{b}"
    assert sub.values["tech_sme"].cell == f"F{a}"
    assert found(sub, "layout-inferred")


def test_row_deleted_from_own_form_is_a_missing_indicator(ws: Workspace) -> None:
    wb = own_form(ws)
    wb[fl.DATA_SHEET].delete_rows(row_of(ws, "gazelle"))
    wb.save(ws.inbox / "湖塘镇.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    err = one(sub, "missing-indicator")
    assert (err.severity, err.sheet, err.cell, err.unit, err.indicator) == \
        ("error", fl.DATA_SHEET, "", "hutang", "gazelle")
    assert dict(err.params) == {"indicator_name": "瞪羚企业数", "indicator_name_en": "Gazelle enterprises"}
    assert sub.values["gazelle"].excluded and sub.values["gazelle"].value is None
    assert sub.status == "used"  # a cell-level error: the rest of the file counts
    assert sub.values["incubators"].value == figures(ws)["incubators"]


def test_duplicate_row_with_the_same_figure_is_a_warning(ws: Workspace) -> None:
    rows = [["2022年1-11月科技指标"], ["指标名称", "本年累计"], *table(ws),
            ["高企申报数", figures(ws)["hte_applications"]]]
    hand_made(ws.inbox / "湖塘镇.xlsx", rows)
    sub = only(ingest(ws), "湖塘镇.xlsx")
    dup = one(sub, "duplicate-row")
    last = 3 + len(ws.indicators)
    assert (dup.severity, dup.sheet, dup.cell, dup.indicator) == ("warning", "Sheet1", f"A{last}", "hte_applications")
    assert dict(dup.params)["detail"] == "A3"  # the row used, named as such
    assert sub.values["hte_applications"].value == figures(ws)["hte_applications"]


@pytest.mark.parametrize("where", ["below", "above"])
def test_two_rows_with_different_figures_keep_the_value_out(ws: Workspace, where: str) -> None:
    """A correction appended below, or a stale (perhaps hidden) row above: which figure is meant cannot be told."""
    extra = [["高企申报数", 999]]
    body = [*extra, *table(ws)] if where == "above" else [*table(ws), *extra]
    hand_made(ws.inbox / "湖塘镇.xlsx", [["2022年1-11月科技指标"], ["指标名称", "本年累计"], *body])
    sub = only(ingest(ws), "湖塘镇.xlsx")
    err = one(sub, "conflicting-rows")
    assert (err.severity, err.indicator) == ("error", "hte_applications")
    assert sub.values["hte_applications"].value is None and sub.values["hte_applications"].excluded
    msg = err.message()
    assert "999" in msg and str(figures(ws)["hte_applications"]) in msg and "B" in dict(err.params)["other_cell"]
    assert sub.values["tech_sme"].value == figures(ws)["tech_sme"]  # the other figures stand
    assert not found(sub, "duplicate-row")


# --------------------------------------------------------------------------- hand-made layouts


def test_hand_made_value_column_left_of_labels(ws: Workspace) -> None:
    rows = [["湖塘镇2022年1-11月科技指标完成情况"], ["本年累计", "指标名称", "上月累计"],
            *[[v, label, 0] for label, v in table(ws)]]
    hand_made(ws.inbox / "湖塘-202211.xlsx", rows)
    sub = only(ingest(ws), "湖塘-202211.xlsx")
    assert (sub.unit, sub.period, sub.status) == ("hutang", "2022-11", "used")
    assert values(sub) == figures(ws)
    assert sub.values["hte_applications"].cell == "A3"
    lay = one(sub, "layout-inferred")
    assert (lay.severity, lay.sheet, lay.cell, lay.unit) == ("info", "Sheet1", "A2", "hutang")
    assert dict(lay.params) == both("detail", "recognise.layout", sheet="Sheet1", n=len(ws.indicators), col="A")
    assert one(sub, "period-inferred").severity == "info"


@pytest.mark.parametrize("header", ["本年累计", "累计完成", "1-11月累计", "1—11月累计完成", "完成数", "本年累计完成",
                                    "１－１１月累计", "2022年1-11月累计"])
def test_value_column_found_by_its_header(ws: Workspace, header: str) -> None:
    rows = [["湖塘镇2022年1-11月科技创新指标"],
            ["序号", "指标", "全年目标", "上月累计", "去年同期", header, "完成率", "备注"],
            *[[n, label, 100, 1, 2, v, "50%", ""] for n, (label, v) in enumerate(table(ws), 1)]]
    hand_made(ws.inbox / "湖塘镇.xlsx", rows)
    sub = only(ingest(ws), "湖塘镇.xlsx")
    assert values(sub) == figures(ws), [(i.code, i.message()) for i in sub.issues]
    assert sub.values["hte_applications"].cell == "F3"


def test_monthly_column_is_not_taken_for_the_year_to_date(ws: Workspace) -> None:
    rows = [["湖塘镇2022年11月科技指标"], ["指标", "本月完成", "累计完成"],
            *[[label, 1, v] for label, v in table(ws)]]
    hand_made(ws.inbox / "湖塘镇.xlsx", rows)
    sub = only(ingest(ws), "湖塘镇.xlsx")
    assert values(sub) == figures(ws)
    assert sub.values["gazelle"].cell.startswith("C")


def test_only_a_monthly_column_is_no_data_table(ws: Workspace) -> None:
    rows = [["湖塘镇2022年11月科技指标"], ["指标", "本月新增"], *table(ws)]
    hand_made(ws.inbox / "湖塘镇.xlsx", rows)
    sub = only(ingest(ws), "湖塘镇.xlsx")
    err = one(sub, "no-data-table")
    assert (err.severity, err.unit) == ("error", "hutang")
    assert sub.status == "rejected" and sub.values == {}
    assert sub.reason == err.message()  # the clerk is told what the table lacks


def test_labels_with_aliases_spaces_full_width_brackets_and_numbering(ws: Workspace) -> None:
    decorate = [
        lambda ind: f" {ind.name} ",
        lambda ind: f"{ind.aliases[0]}",
        lambda ind: "（一）" + ind.name,
        lambda ind: f"1、{ind.name}（{ind.unit}）",
        lambda ind: " ".join(ind.name),  # a space between every character
        lambda ind: f"１２．{ind.name}",
        lambda ind: f"其中：{ind.name}",
        lambda ind: f"【{ind.name}】",
    ]
    labels = {ind.code: decorate[n % len(decorate)](ind) for n, ind in enumerate(ws.indicators)}
    rows = [["2022年1-11月"], ["项目", "1-11月累计"], *table(ws, label=lambda ind: labels[ind.code])]
    hand_made(ws.inbox / "2022-11 高新区.xlsx", rows)
    sub = only(ingest(ws), "2022-11 高新区.xlsx")
    assert sub.unit == "wjhtz"
    assert values(sub) == figures(ws)
    assert not found(sub, "unknown-row") and not found(sub, "missing-indicator")


def test_rows_in_another_order_and_extra_rows(ws: Workspace) -> None:
    order = [i.code for i in reversed(ws.indicators)]
    rows = [["牛塘镇1-11月科技创新指标"], ["填报单位：牛塘镇（盖章）"], [],
            ["序号", "指标名称", "单位", "完成数", "备注"],
            *[[n, label, "", v, ""] for n, (label, v) in enumerate(table(ws, order=order), 1)],
            ["", "研发投入占比", "%", 3.2, "不在目录中"],
            ["", "合计", "", 999, ""],  # totals rows are not indicators and are not reported
            [], ["", "填报人：李娜", "", "", ""]]
    hand_made(ws.inbox / "牛塘镇11月.xlsx", rows)
    sub = only(ingest(ws, NOV), "牛塘镇11月.xlsx")
    assert (sub.unit, sub.period, sub.status) == ("niutang", "2022-11", "used")
    assert values(sub) == figures(ws)
    assert sub.values["bounty_funds"].cell == "D5"
    unknown = one(sub, "unknown-row")
    assert (unknown.cell, unknown.severity) == (f"B{5 + len(order)}", "warning")
    assert dict(unknown.params) == {"detail": "研发投入占比"}


def test_hidden_sheet_is_read_only_when_no_visible_sheet_has_the_table(ws: Workspace) -> None:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "说明"
    sh.append(["请在第二张表填写"])
    data = wb.create_sheet("数据")
    data.append(["湖塘镇2022年1-11月"])
    data.append(["指标名称", "本年累计"])
    for r in table(ws):
        data.append(r)
    wb.save(ws.inbox / "湖塘镇.xlsx")
    sub = only(ingest(ws), "湖塘镇.xlsx")
    assert values(sub) == figures(ws)
    assert {cv.sheet for cv in sub.values.values()} == {"数据"}


# --------------------------------------------------------------------------- the unit


def test_unit_from_unit_cell(ws: Workspace) -> None:
    rows = [["2022年1-11月科技指标"], ["填报单位：", "西太湖科技产业园"], ["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / "报表.xlsx", rows)
    sub = only(ingest(ws), "报表.xlsx")
    assert sub.unit == "xitaihu"
    info = one(sub, "unit-inferred")
    assert (info.severity, info.sheet, info.cell, info.unit) == ("info", "Sheet1", "B2", "xitaihu")
    assert dict(info.params) == {**both("source", "evidence.cell_quoted"), "unit_name": "西太湖科技产业园",
                                 "unit_name_en": "West Taihu Lake S&T Industrial Park"}


def test_unit_cell_after_a_note_that_mentions_it(ws: Workspace) -> None:
    rows = [["2022年1-11月科技指标（填报单位须加盖公章）"], ["填报单位（盖章）：", "", "礼嘉镇人民政府"],
            ["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / "报表.xlsx", rows)
    sub = only(ingest(ws), "报表.xlsx")
    assert sub.unit == "lijia"
    assert one(sub, "unit-inferred").cell == "C2"


def test_unit_from_file_name_alias(ws: Workspace) -> None:
    hand_made(ws.inbox / "绿建区-2022年1-11月.xlsx", [["指标名称", "本年累计"], *table(ws)])
    sub = only(ingest(ws), "绿建区-2022年1-11月.xlsx")
    assert (sub.unit, sub.period) == ("lvjian", "2022-11")
    info = one(sub, "unit-inferred")
    assert (info.sheet, info.cell) == ("", "")
    assert dict(info.params) == {**both("source", "evidence.name"), "unit_name": "武进绿建区",
                                 "unit_name_en": "Wujin Green Building Zone"}


def test_unit_cell_and_file_name_disagree(ws: Workspace) -> None:
    rows = [["2022年1-11月科技指标"], ["填报单位：湖塘镇"], ["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / "牛塘镇.xlsx", rows)
    sub = only(ingest(ws), "牛塘镇.xlsx")
    err = one(sub, "unit-conflict")
    assert (err.severity, err.sheet, err.cell, err.unit) == ("error", "Sheet1", "A2", "hutang")
    listed = "，".join([said("cell", "湖塘镇"), said("name", "牛塘镇")])  # in the order they are weighed
    assert dict(err.params)["evidence"] == listed
    listed_en = ", ".join([said("cell", "Hutang Town", "en"), said("name", "Niutang Town", "en")])
    assert dict(err.params)["evidence_en"] == listed_en
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in err.message("en"))  # English names, English commas
    assert sub.status == "rejected" and sub.values == {}


@pytest.mark.parametrize(("said_unit", "file"), [
    ("武进高新区南区", "武进高新区南区_2022年11月.xlsx"),  # a sub-area: part of a unit, not the unit
    ("湖塘街道", "湖塘街道2022年11月.xlsx"),  # contains the alias 湖塘, is another place
    ("常州国家高新区", "常州国家高新区.xlsx"),  # another district's zone (alias 高新区)
    ("前黄镇寨桥片区", "科技指标.xlsx"),
    ("溧阳市湖塘镇", "科技指标.xlsx"),  # a town of that name in another city: the workspace's city only is noise
])
def test_a_place_that_only_contains_a_units_name_is_no_unit(ws: Workspace, said_unit: str, file: str) -> None:
    rows = [["2022年1-11月科技指标"], [f"填报单位：{said_unit}"], ["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / file, rows)
    sub = only(ingest(ws, NOV), file)
    assert sub.unit is None and sub.status == "rejected" and sub.values == {}
    assert said_unit in one(sub, "unknown-unit").message()


def test_a_place_in_the_unit_cell_disputes_the_file_name(ws: Workspace) -> None:
    rows = [["2022年1-11月科技指标"], ["填报单位：湖塘街道"], ["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / "湖塘镇.xlsx", rows)
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.status == "rejected" and "湖塘街道" in dict(one(sub, "unit-conflict").params)["evidence"]


@pytest.mark.parametrize("said_unit", ["湖塘镇人民政府（盖章）", "常州市武进区湖塘镇", "湖塘镇科技办", "江苏省常州市武进区湖塘镇"])
def test_offices_seals_and_the_district_around_a_units_name(ws: Workspace, said_unit: str) -> None:
    rows = [["2022年1-11月科技指标"], [f"填报单位：{said_unit}"], ["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / "湖塘镇_2022年11月.xlsx", rows)
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert (sub.unit, sub.status) == ("hutang", "used")


def test_unknown_unit_rejects_the_file(ws: Workspace) -> None:
    rows = [["2022年1-11月科技指标"], ["填报单位：科技办"], ["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / "报表(1).xlsx", rows)
    own_form(ws, "hutang").save(ws.inbox / "湖塘镇.xlsx")
    result = ingest(ws)
    sub = only(result, "报表(1).xlsx")
    err = one(sub, "unknown-unit")
    assert (err.severity, err.sheet, err.cell, err.unit) == ("error", "Sheet1", "A2", "")
    assert dict(err.params) == {  # what the 填报单位 cell said is shown, in both languages
        "detail": t("recognise.unit_unknown", "zh", said=t("recognise.unit_cell_said", "zh", text="科技办")),
        "detail_en": t("recognise.unit_unknown", "en", said=t("recognise.unit_cell_said", "en", text="科技办"))}
    assert sub.status == "rejected" and sub.unit is None
    assert sub.reason == err.message()
    assert result.has_errors
    assert set(result.used) == {"hutang"}


def test_two_units_named_in_the_file_name_is_not_a_guess(ws: Workspace) -> None:
    rows = [["2022年1-11月科技指标"], ["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / "湖塘镇、牛塘镇.xlsx", rows)
    sub = only(ingest(ws), "湖塘镇、牛塘镇.xlsx")
    assert sub.unit is None
    assert one(sub, "unknown-unit").severity == "error"


# --------------------------------------------------------------------------- the period


@pytest.mark.parametrize(("name", "title", "period"), [
    ("湖塘-202211.xlsx", None, NOV),
    ("2022-11 湖塘镇.xlsx", None, NOV),
    ("湖塘镇2022.11.xlsx", None, NOV),
    ("湖塘镇_2022_11.xlsx", None, NOV),
    ("湖塘镇2022年11月.xlsx", None, NOV),
    ("湖塘镇.xlsx", "湖塘镇2022年1-11月科技指标", NOV),
    ("湖塘镇.xlsx", "湖塘镇2022年11月科技指标", NOV),
    ("湖塘镇.xlsx", "湖塘镇2022年1月至11月科技指标", NOV),
    ("湖塘镇.xlsx", "湖塘镇2022年01-11月科技指标", NOV),
    ("湖塘镇.xlsx", "２０２２年１－１１月", NOV),
    ("湖塘镇.xlsx", "2022年度科技指标（1-11月）", NOV),
    ("湖塘镇.xlsx", "截至2022年11月30日科技指标", NOV),
    ("湖塘镇11月.xlsx", "2022年度科技指标", NOV),  # the year from the title, the month from the name
    ("湖塘镇-2022.xlsx", "1-11月科技指标", NOV),  # the year from the name, the month from the title
    ("湖塘镇.xlsx", "2022年1-10月", OCT),
])
def test_period_from_title_then_file_name(ws: Workspace, name: str, title: str | None, period: Period) -> None:
    rows = ([[title]] if title else []) + [["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / name, rows)
    sub = only(ingest(ws), name)
    assert sub.period == str(period)
    info = one(sub, "period-inferred")
    assert info.severity == "info"
    assert dict(info.params) == period_from(period, "title" if title and "月" in title else "name")
    if title and "月" in title:
        assert (info.sheet, info.cell) == ("Sheet1", "A1")
    assert not found(sub, "period-mismatch")


def test_file_name_says_october_title_says_november(ws: Workspace) -> None:
    """Independent evidence disagrees: period-conflict (file-level error) listing both pieces; not used."""
    rows = [["湖塘镇2022年1-11月科技指标"], ["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / "湖塘镇10月.xlsx", rows)
    result = ingest(ws, NOV)
    sub = only(result, "湖塘镇10月.xlsx")
    err = one(sub, "period-conflict")
    assert (err.severity, err.sheet, err.cell, err.unit) == ("error", "Sheet1", "A1", "hutang")
    params = dict(err.params)
    assert "Sheet1!A1" in params["evidence"] and "2022-11" in params["evidence_en"] and "2022-10" in params["evidence_en"]
    assert sub.status == "rejected" and "hutang" not in result.used
    assert not found(sub, "period-mismatch")


def test_own_form_renamed_to_another_month(ws: Workspace) -> None:
    own_form(ws).save(ws.inbox / "湖塘镇10月.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇10月.xlsx")
    assert sub.period == "2022-11"  # listed under its strongest evidence, but not used
    err = one(sub, "period-conflict")
    assert "_meta" in dict(err.params)["evidence"] and "2022-10" in dict(err.params)["evidence_en"]
    assert sub.rejected and not found(sub, "period-inferred")


def test_date_filled_in_is_not_the_period(ws: Workspace) -> None:
    rows = [["湖塘镇科技指标（1-11月）"], ["填报单位：湖塘镇", "", "填报日期：2022年12月5日"],
            ["指标名称", "本年累计"], *table(ws)]
    hand_made(ws.inbox / "湖塘镇-2022.xlsx", rows)
    sub = only(ingest(ws), "湖塘镇-2022.xlsx")
    assert sub.period == "2022-11"
    assert not found(sub, "period-mismatch")


def test_unknown_period_is_an_error(ws: Workspace) -> None:
    hand_made(ws.inbox / "湖塘镇.xlsx", [["科技指标"], ["指标名称", "本年累计"], *table(ws)])
    result = ingest(ws)
    sub = only(result, "湖塘镇.xlsx")
    err = one(sub, "unknown-period")
    assert (err.severity, err.unit, err.sheet, err.cell) == ("error", "hutang", "", "")
    assert err.params == ()  # the message is the catalogue's own (it gives an example of a period)
    assert sub.status == "rejected" and sub.period is None
    assert result.period is None and result.has_errors


def test_period_assumed_when_given(ws: Workspace) -> None:
    hand_made(ws.inbox / "湖塘镇.xlsx", [["科技指标"], ["指标名称", "本年累计"], *table(ws)])
    result = ingest(ws, NOV)
    sub = only(result, "湖塘镇.xlsx")
    w = one(sub, "period-assumed")
    assert (w.severity, w.unit) == ("warning", "hutang")
    assert dict(w.params) == {"detail": "2022-11"}
    assert (sub.period, sub.status) == ("2022-11", "used")
    assert not found(sub, "unknown-period")
    assert not result.has_errors


def test_a_file_with_an_assumed_period_never_replaces_one_that_states_it(ws: Workspace) -> None:
    """湖塘镇's own November form, then a later sheet that says no month at all: compiled with
    --period 2022-11, the later file is only assumed to be November's and replaces nothing."""
    import os
    import time

    own_form(ws, "hutang").save(ws.inbox / "湖塘镇_2022年11月.xlsx")
    hand_made(ws.inbox / "湖塘镇.xlsx", [["科技指标"], ["指标名称", "本年累计"],
                                         *table(ws, value=lambda ind: figures(ws)[ind.code] + 40)])
    later = time.time() + 60
    os.utime(ws.inbox / "湖塘镇.xlsx", (later, later))
    result = ingest(ws, NOV)
    assert result.used["hutang"].file == "湖塘镇_2022年11月.xlsx"
    assert values(result.used["hutang"]) == figures(ws)
    loser = only(result, "湖塘镇.xlsx")
    assert loser.status == "superseded" and found(loser, "period-assumed")
    assert result.used["hutang"].reason.startswith(t("select.won_stated", "zh"))


def test_given_period_supplies_the_year_of_a_bare_month(ws: Workspace) -> None:
    hand_made(ws.inbox / "牛塘镇11月.xlsx", [["科技指标"], ["指标名称", "本年累计"], *table(ws)])
    sub = only(ingest(ws, NOV), "牛塘镇11月.xlsx")
    assert sub.period == "2022-11"
    assert dict(one(sub, "period-inferred").params) == period_from(NOV, "name")
    assert not found(sub, "period-assumed")


def test_folder_is_the_last_resort_for_the_period(ws: Workspace) -> None:
    folder = ws.inbox / "2022年11月"
    folder.mkdir()
    hand_made(folder / "湖塘镇.xlsx", [["科技指标"], ["指标名称", "本年累计"], *table(ws)])
    sub = only(ingest(ws), "2022年11月/湖塘镇.xlsx")
    assert sub.period == "2022-11"
    assert dict(one(sub, "period-inferred").params) == period_from(NOV, "folder")


def test_other_district_form_is_rejected(ws: Workspace) -> None:
    wb = own_form(ws)
    meta = wb[fl.META_SHEET]
    for r in range(1, 10):
        if meta.cell(r, 1).value == fl.META_DISTRICT:
            meta.cell(r, 2, "新北区")
    wb.save(ws.inbox / "湖塘镇.xlsx")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    err = one(sub, "other-district")
    assert (err.severity, err.unit) == ("error", "hutang")
    assert dict(err.params) == {"detail": "新北区"}
    assert sub.status == "rejected"


# --------------------------------------------------------------------------- period_from_text


@pytest.mark.parametrize(("text", "hint", "expected"), [
    ("2022年11月", None, NOV),
    ("2022年1-11月", None, NOV),
    ("2022年1—11月", None, NOV),
    ("2022年1～11月", None, NOV),
    ("2022年1月-11月", None, NOV),
    ("2022年1至11月", None, NOV),
    ("2022年01-11月", None, NOV),  # not January
    ("2022年度1-11月", None, NOV),
    ("2022 年 11 月份", None, NOV),
    ("２０２２年１１月", None, NOV),
    ("202211", None, NOV),
    ("2022-11", None, NOV),
    ("2022/11", None, NOV),
    ("2022.11", None, NOV),
    ("2022_11", None, NOV),
    ("2022年1月", None, Period(2022, 1)),
    ("202201", None, Period(2022, 1)),
    ("1-11月", None, None),  # no year anywhere
    ("1-11月", 2022, NOV),
    ("11月", 2022, NOV),
    ("牛塘镇11月份报表", 2022, NOV),
    ("2022年12月5日", None, None),  # a date, not a period
    ("12月5日", 2022, None),
    ("2022-12-05", None, None),
    ("截至2022年11月30日", None, NOV),  # the last day of a month is the period's end
    ("2022-11-30", None, NOV),
    ("2022年13月", None, None),
    ("202213", None, None),
    ("20221203", None, None),
    ("湖塘镇", 2022, None),
    ("", 2022, None),
])
def test_period_from_text(text: str, hint: int | None, expected: Period | None) -> None:
    assert period_from_text(text, hint) == expected


def test_bare_month_not_read_from_title_cells(ws: Workspace) -> None:
    assert period_from_text("共11月份", 2022, allow_bare_month=False) is None
    assert period_from_text("1-11月", 2022, allow_bare_month=False) == NOV


PERIOD_FORMS = ["{y}年{m}月", "{y}年{m:02d}月", "{y}年{m}月份", "{y}年1-{m}月", "{y}年01-{m:02d}月", "{y}年1月至{m}月",
                "{y}年度1-{m}月", "{y} 年 1 — {m} 月", "{y}{m:02d}", "{y}-{m:02d}", "{y}-{m}", "{y}.{m:02d}",
                "{y}_{m:02d}", "{y}/{m}", "{y}年1－{m}月"]
DECORATION = st.sampled_from(["", "湖塘镇", "武进区", "科技指标", "（更正）", " ", "关于", "报表-"])


@settings(max_examples=200, deadline=None)
@given(year=st.integers(2000, 2099), month=st.integers(1, 12), form=st.sampled_from(PERIOD_FORMS),
       before=DECORATION, after=DECORATION, full_width=st.booleans(), hint=st.none() | st.integers(2000, 2099))
def test_period_from_text_finds_every_written_form(year: int, month: int, form: str, before: str, after: str,
                                                   full_width: bool, hint: int | None) -> None:
    text = before + form.format(y=year, m=month) + after
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert period_from_text(text, hint) == Period(year, month)


@settings(max_examples=200, deadline=None)
@given(year=st.integers(2000, 2099), month=st.integers(1, 12), form=st.sampled_from(["1-{m}月", "{m}月", "1至{m}月"]),
       before=DECORATION, after=st.sampled_from(["", "科技指标", "报表"]))
def test_period_without_year_takes_the_hint(year: int, month: int, form: str, before: str, after: str) -> None:
    text = before + form.format(m=month) + after
    assert period_from_text(text, None) is None
    assert period_from_text(text, year) == Period(year, month)


@settings(max_examples=200, deadline=None)
@given(year=st.integers(2000, 2099), month=st.integers(1, 12), day=st.integers(1, 31),
       form=st.sampled_from(["{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}", "{y}.{m}.{d}", "{y}年{m}月{d}号"]))
def test_a_date_is_a_period_only_on_the_last_day_of_its_month(year: int, month: int, day: int, form: str) -> None:
    last = calendar.monthrange(year, month)[1]
    day = min(day, last)
    got = period_from_text("填报时间" + form.format(y=year, m=month, d=day))
    assert got == (Period(year, month) if day == last else None)


# --------------------------------------------------------------------------- matching labels


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    folder = tmp_path_factory.mktemp("catalogue") / "ws"
    init_workspace(folder)
    return Catalogue.build(load_workspace(folder, with_targets=False))


PREFIXES = ["", "1、", "12、", "1.", "１．", "(1)", "（一）", "（十二）", "一、", "十一、", "【3】", "其中：", "  ", "\u3000"]
SUFFIXES = ["", "：", " ", "\u3000", "（累计）", "*", "（{unit}）", "({unit})"]  # {unit}: the indicator's own


@settings(max_examples=250, deadline=None)
@given(data=st.data(), prefix=st.sampled_from(PREFIXES), suffix=st.sampled_from(SUFFIXES),
       full_width=st.booleans())
def test_match_indicator_over_label_decorations(cat: Catalogue, data: st.DataObject, prefix: str, suffix: str,
                                                full_width: bool) -> None:
    ind = data.draw(st.sampled_from(cat.indicators))
    label = data.draw(st.sampled_from([ind.name, *ind.aliases]))
    spaces = data.draw(st.lists(st.integers(0, len(label)), max_size=3))
    for at in sorted(set(spaces), reverse=True):  # stray spaces typed inside the label
        label = label[:at] + data.draw(st.sampled_from([" ", "\u3000", "  "])) + label[at:]
    text = prefix + label + suffix.format(unit=ind.unit)
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert cat.match_indicator(text) == ind.code


@settings(max_examples=150, deadline=None)
@given(data=st.data(), prefix=st.sampled_from(["", "1、", "其中："]),
       extra=st.sampled_from(["拟{label}", "{label}目标", "{label}（上年）", "上年{label}", "{label}完成率",
                              "{label}同比增长", "计划{label}", "{label}（{other}）"]))
def test_a_label_that_names_another_figure_is_no_match(cat: Catalogue, data: st.DataObject, prefix: str,
                                                        extra: str) -> None:
    """A label holding an indicator's name and a word that changes what is counted (planned, the target,
    last year's, a rate, another unit of measure) is not that indicator: kept out, never taken."""
    ind = data.draw(st.sampled_from(cat.indicators))
    label = data.draw(st.sampled_from([ind.name, *ind.aliases]).filter(lambda x: len(norm_label(x)) >= 4))
    other = data.draw(st.sampled_from(["元", "平方米", "人", "亿元", "户"]).filter(lambda u: u != ind.unit))
    text = prefix + extra.format(label=label, other=other)
    assert cat.match_indicator_how(text) != (ind.code, False), text


@pytest.mark.parametrize(("label", "code"), [("高新技术企业申报数量", "hte_applications"),
                                           ("高新技术企业认定数量（家）", "hte_recognised"), ("瞪羚企业数量", "gazelle"),
                                           ("国家级人才项目数量", "talent_projects")])
def test_a_name_ending_in_a_shorter_names_count_word_is_that_indicator(cat: Catalogue, label: str, code: str) -> None:
    """高新技术企业申报数量: the name 高新技术企业申报数 leaves 量, its alias 高新技术企业申报 leaves 数量 (noise)."""
    assert cat.match_indicator_how(label) == (code, False)


@pytest.mark.parametrize("label", ["合计", "总计", "高新技术企业", "申报数", "研发投入占比", "", None, 12, "填报人：李娜"])
def test_match_indicator_refuses_what_is_no_indicator(cat: Catalogue, label: object) -> None:
    assert cat.match_indicator(label) is None


@pytest.mark.parametrize(("text", "unit"), [
    ("湖塘镇", "hutang"), ("湖塘", "hutang"), ("hutang", "hutang"), ("湖塘-202211", "hutang"),
    ("武进区湖塘镇2022年11月", "hutang"), ("2022-11 高新区", "wjhtz"), ("武进国家高新区（更正）", "wjhtz"),
    ("武进国家高新技术产业开发区", "wjhtz"), ("牛塘镇11月", "niutang"), ("西太湖", "xitaihu"),
    ("西湖街道（重发）", "xihu"), ("湖塘镇人民政府（盖章）", "hutang"),
    ("附件1：武进区科技指标月报表（湖塘镇）", "hutang"), ("附表2 湖塘镇11月台账", "hutang"),
    ("湖塘镇2022年第三季度", "hutang"), ("湖塘镇11月报表（扫描件）", "hutang"), ("湖塘镇报表（初稿）", "hutang"),
    ("附件 湖塘镇科技指标进展情况", "hutang"), ("附件1 湖塘镇、牛塘镇", None), ("武进高新区南区", None),
    ("前黄镇寨桥片区", None),
    ("武进区", None), ("科技局汇总", None), ("湖塘镇、牛塘镇", None), ("", None), (None, None),
])
def test_match_unit(cat: Catalogue, text: object, unit: str | None) -> None:
    assert cat.match_unit(text) == unit
