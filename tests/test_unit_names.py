"""Which unit a file is from, when only its name says so.

Clerks and units name files the way official documents are named: 附件1 before the title, 台账,
扫描件, 第三季度, 初稿 after it. Those words say nothing about the unit, and the file was refused
as from "no known unit" although its name named one. A word that may name another place (街道,
南区, 片区, or any word the tool does not know) still keeps the unit out, and the message now says
which unit the name mentions and which words kept it from counting, instead of claiming the name
names no unit. Forms are built here and read through ``ingest``.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from support import found, one, only

from reporting.core.periods import Period
from reporting.ingest.pipeline import ingest
from reporting.workspace.config import Workspace

NOV = Period(2022, 11)


def unsigned_form(ws: Workspace, name: str) -> Path:
    """A form with a period in its title and no 填报单位 line: the file name is the only unit evidence."""
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["2022年1-11月科技指标完成情况"])
    sh.append(["指标名称", "本年累计"])
    for n, ind in enumerate(ws.indicators):
        sh.append([ind.name, 40 + n])
    path = ws.inbox / name
    wb.save(path)
    return path


@pytest.mark.parametrize("name", ["附件1 武进区科技指标月报表（湖塘镇）.xlsx", "附表2 湖塘镇11月台账.xlsx",
                                  "湖塘镇11月报表（扫描件）.xlsx", "湖塘镇科技指标进展情况（初稿）.xlsx",
                                  "附件 湖塘镇2022年1-11月.xlsx"])
def test_a_file_named_like_a_document_is_the_units(ws: Workspace, name: str) -> None:
    unsigned_form(ws, name)
    sub = only(ingest(ws, NOV), name)
    assert sub.unit == "hutang" and sub.status == "used"
    assert one(sub, "unit-inferred").unit == "hutang"


@pytest.mark.parametrize(("name", "unit", "rest"), [("湖塘街道11月.xlsx", "湖塘镇", "街道"),
                                                    ("前黄镇寨桥片区报表.xlsx", "前黄镇", "寨桥片区"),
                                                    ("湖塘镇_横表.xlsx", "湖塘镇", "横")])
def test_a_name_with_a_word_that_may_be_another_place_says_so(ws: Workspace, name: str, unit: str, rest: str) -> None:
    unsigned_form(ws, name)
    sub = only(ingest(ws, NOV), name)
    assert sub.unit is None and sub.status == "rejected"
    problem = dict(one(sub, "unknown-unit").params)
    assert f"“{unit}”" in problem["detail"] and f"“{rest}”" in problem["detail"]
    assert f"“{rest}”" in problem["detail_en"] and "Town" in problem["detail_en"]
    assert all(cv.value is None for cv in sub.values.values())


def test_a_name_naming_two_units_names_both(ws: Workspace) -> None:
    unsigned_form(ws, "附件1 湖塘镇、牛塘镇.xlsx")
    sub = only(ingest(ws, NOV), "附件1 湖塘镇、牛塘镇.xlsx")
    problem = dict(one(sub, "unknown-unit").params)
    assert sub.unit is None and "“湖塘镇”" in problem["detail"] and "“牛塘镇”" in problem["detail"]


def test_a_name_naming_no_unit_keeps_the_plain_reason(ws: Workspace) -> None:
    unsigned_form(ws, "科技指标.xlsx")
    sub = only(ingest(ws, NOV), "科技指标.xlsx")
    assert dict(one(sub, "unknown-unit").params)["detail"].startswith("（文件名与“填报单位”均未写明已知单位")
    assert not found(sub, "unit-inferred")
