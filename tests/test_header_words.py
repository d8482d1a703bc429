"""Header words a unit's own form uses for the year to date, and for figures derived from it.

Two field layouts the column rule got wrong:

- a derived column beside the figure (完成数 | 累计增减, 本年累计 | 本年累计同比, 完成数 | 累计完成%):
  "累计" made the change, share or score look cumulative, so 累计增减 (the difference from last year) was read as the year to
  date, a wrong number without an error; 本年累计 beside 本年累计同比 was "ambiguous";
- a span from the year's start without 累计 (1-11月, 截至11月底): cumulative by its words, but
  refused as a form without a table.

Workbooks are built here and read through ``ingest``; the rule itself has a property test.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import column_form, figures, found, only, values

from reporting.core.periods import Period
from reporting.ingest.headers import CUMULATIVE, STRONG, choose, tier
from reporting.ingest.pipeline import ingest
from reporting.workspace.config import Workspace

NOV = Period(2022, 11)


def changes(ws: Workspace) -> dict[str, float]:
    """A change column's figures: small, some negative, never the year to date."""
    return {ind.code: (n % 5) - 2.0 for n, ind in enumerate(ws.indicators)}


@pytest.mark.parametrize(("heads", "at"), [
    (["完成数", "累计增减"], 0), (["累计增减", "完成数"], 1), (["累计", "累计同比(%)"], 0),
    (["本年累计", "本年累计同比"], 0), (["本年累计同比±%", "本年累计"], 1), (["1-11月累计", "累计增速"], 0),
    (["累计完成", "比上期增减"], 0), (["完成", "累计环比"], 0), (["完成数", "累计完成%"], 0),
    (["累计得分", "本年累计"], 1), (["累计", "累计缺口"], 0), (["本年累计", "本年累计户均"], 0),
])
def test_a_change_column_is_never_the_year_to_date(ws: Workspace, heads: list[str], at: int) -> None:
    now = figures(ws)
    cols = [changes(ws), changes(ws)]
    cols[at] = now
    column_form(ws, "湖塘镇_2022年11月.xlsx", heads, cols, title="湖塘镇2022年1-11月科技指标完成情况")
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert not found(sub, "ambiguous-column") and sub.status != "rejected"
    assert values(sub) == now
    assert next(iter(sub.values.values())).cell.startswith("BC"[at])


@pytest.mark.parametrize("head", ["1-11月", "2022年1-11月", "1月-11月", "1—11月", "截至11月底", "年初至今",
                                  "一至十一月"])
def test_a_span_from_the_years_start_is_the_year_to_date(ws: Workspace, head: str) -> None:
    now = figures(ws)
    column_form(ws, "湖塘镇_2022年11月.xlsx", ["11月", head], [changes(ws), now], title="湖塘镇科技指标完成情况")
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert sub.status != "rejected" and sub.period == "2022-11"
    assert values(sub) == now


def test_last_months_span_on_this_months_form_is_a_period_conflict(ws: Workspace) -> None:
    """A December title over a 1-11月 column: last month's figures under this month's name."""
    column_form(ws, "湖塘镇.xlsx", ["1-11月"], [figures(ws)], title="湖塘镇2022年12月科技指标完成情况")
    sub = only(ingest(ws, Period(2022, 12)), "湖塘镇.xlsx")
    assert found(sub, "period-conflict") and sub.status == "rejected"
    assert all(cv.value is None for cv in sub.values.values())


def test_this_years_span_beside_last_years_is_read(ws: Workspace) -> None:
    now = figures(ws)
    column_form(ws, "湖塘镇.xlsx", ["2021年1-11月", "2022年1-11月"], [figures(ws, -20), now], title="湖塘镇科技指标")
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert sub.period == "2022-11" and values(sub) == now


def test_a_span_not_from_the_years_start_is_not_read(ws: Workspace) -> None:
    """2-11月 leaves January out: no year to date, so nothing is read."""
    column_form(ws, "湖塘镇_2022年11月.xlsx", ["2-11月"], [figures(ws)], title="湖塘镇科技指标")
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert all(cv.value is None for cv in sub.values.values())


YTD_LABELS = ["本年累计", "累计", "累计完成", "1-11月累计", "1-11月", "2022年1-11月累计", "截至11月底", "完成数",
              "本年实际累计"]
CHANGE_WORDS = ["同比", "环比", "增减", "增速", "增量", "变动", "变化", "差值", "对比", "同比±%", "增长率", "(%)", "百分比", "得分",
                "平均", "人均", "缺口", "超额", "备注"]


@given(st.sampled_from(YTD_LABELS), st.sampled_from(CHANGE_WORDS), st.booleans(), st.sampled_from(["", "(%)", "（万元）"]))
@settings(max_examples=200, deadline=None)
def test_a_year_to_date_label_with_a_change_word_is_never_chosen(ytd: str, change: str, before: bool,
                                                                 suffix: str) -> None:
    label = (change + ytd if before else ytd + change) + suffix
    assert tier(label) is None
    assert choose(["指标名称", label, ytd]) == (2, None)
    assert choose(["指标名称", ytd, label]) == (1, None)


@given(st.sampled_from(["1", "01", "一"]), st.sampled_from(["-", "—", "–", "~", "～", "至", "到"]),
       st.integers(2, 12), st.sampled_from(["", "份"]))
@settings(max_examples=150, deadline=None)
def test_every_spelling_of_a_span_from_january_is_cumulative(first: str, dash: str, last: int, fen: str) -> None:
    label = f"{first}{dash}{last}月{fen}"
    assert tier(label) in (STRONG, CUMULATIVE)
    assert choose(["指标名称", f"{last}月", label]) == (2, None)
