"""This year's column beside last year's, both named by their years (2022年1-11月累计 | 2021年1-11月累计).

A common layout in the field. Both columns are cumulative and this year's by wording alone, so
the tool used to call them ambiguous, and read the comparison column's year as the form's
title, filing a 2022 form as 2021's. The latest year's column is the form's (a form sets this
year beside an earlier one, never beside a later one); whether that year is the period's is then
judged like any value column's header. Workbooks are built here and read through ``ingest``.
"""

from __future__ import annotations

import pytest
from support import column_form, figures, found, one, only, values

from reporting.core.periods import Period
from reporting.ingest.pipeline import ingest
from reporting.workspace.config import Workspace

NOV = Period(2022, 11)


@pytest.mark.parametrize("this_first", [True, False])
@pytest.mark.parametrize(("this", "last"), [("2022年1-11月累计", "2021年1-11月累计"), ("2022年累计", "2021年累计"),
                                            ("2022年 本年累计", "2021年 本年累计")])
def test_this_years_column_beside_last_years_is_read(ws: Workspace, this_first: bool, this: str, last: str) -> None:
    now, before = figures(ws), figures(ws, plus=-20)
    heads, cols = ([this, last], [now, before]) if this_first else ([last, this], [before, now])
    column_form(ws, "湖塘镇.xlsx", heads, cols, title="湖塘镇科技指标完成情况")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.period == "2022-11" and sub.status != "rejected"
    assert not found(sub, "ambiguous-column") and not found(sub, "period-conflict")
    assert values(sub) == now


def test_an_old_form_with_two_year_columns_is_a_period_conflict(ws: Workspace) -> None:
    """Last year's form (2020 | 2021) sent again under this month's name: its latest column is 2021's."""
    column_form(ws, "湖塘镇_2022年11月.xlsx", ["2021年1-11月累计", "2020年1-11月累计"], [figures(ws), figures(ws, -5)],
         title="湖塘镇科技指标完成情况")
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert found(sub, "period-conflict") and sub.status == "rejected"
    assert all(cv.value is None for cv in sub.values.values())


@pytest.mark.parametrize("heads", [["2022年1-11月累计", "2022年1-11月累计"], ["2022年1-11月累计", "本年累计"]])
def test_columns_a_year_cannot_tell_apart_stay_ambiguous(ws: Workspace, heads: list[str]) -> None:
    column_form(ws, "湖塘镇_2022年11月.xlsx", heads, [figures(ws), figures(ws, 5)], title="湖塘镇科技指标完成情况")
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert one(sub, "ambiguous-column").cell == "B3"
    assert all(cv.value is None for cv in sub.values.values())


def test_this_year_by_word_beside_a_year_by_number_stays_ambiguous(ws: Workspace) -> None:
    """本年累计 beside 2021年1-11月累计: which year 本年 is, only the period could say, and a stale
    2021 form would have the two the same year; so nothing is read, and the comparison column's
    header is not taken for the form's title (the period is the title's)."""
    column_form(ws, "湖塘镇.xlsx", ["本年累计", "2021年1-11月累计"], [figures(ws), figures(ws, -20)],
         title="湖塘镇2022年1-11月科技指标完成情况")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.period == "2022-11" and not found(sub, "period-conflict")
    assert found(sub, "ambiguous-column") and all(cv.value is None for cv in sub.values.values())
