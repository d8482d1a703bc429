"""Periods written in words: 二〇二二年十一月, 十一月份, 前11个月, 前三季度, 上半年.

Titles in the field spell the period out as often as in digits. Such a form had no period from
its title, so it leaned on the file name (or was refused as unknown-period), and a stale title in
words could not contradict a fresh file name. A month in words counts only after 年 or a dash or
as 十一月份 (一月一报 is no period), a date in words stays a date (二〇二二年十二月五日 is the day a
form was filled in), and the spans (前11个月, 上半年) count only when nothing else in the text
dates it (2022年上半年目标及1-11月完成情况 is November's).
"""

from __future__ import annotations

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import found, only

from reporting.core.periods import Period
from reporting.ingest.periodtext import period_from_text
from reporting.ingest.pipeline import ingest
from reporting.workspace.config import Workspace

NOV = Period(2022, 11)
DIGITS = "〇一二三四五六七八九"
MONTHS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def in_words(year: int) -> str:
    return "".join(DIGITS[int(d)] for d in str(year))


@pytest.mark.parametrize(("text", "hint", "expected"), [
    ("二〇二二年十一月", None, NOV), ("二〇二二年度十一月份", None, NOV), ("2022年十一月", None, NOV),
    ("十一月份", 2022, NOV), ("2022年前11个月", None, NOV), ("2022年前十一个月", None, NOV),
    ("2022年前三季度", None, Period(2022, 9)), ("2022年上半年", None, Period(2022, 6)),
    ("二〇二二年十一月三十日", None, NOV), ("二〇二二年十二月五日", None, None), ("2022年十二月十五号", None, None),
    ("湖塘镇科技指标（一月一报）", 2022, None), ("三月", 2022, None), ("一年一度", 2022, None),
    ("2022年上半年目标及1-11月完成情况", None, NOV), ("2022年前三季度及11月", None, NOV), ("2022年前三季度及十一月份", None, NOV),
])
def test_periods_in_words(text: str, hint: int | None, expected: Period | None) -> None:
    assert period_from_text(text, hint) == expected


@settings(max_examples=200, deadline=None)
@given(year=st.integers(2000, 2099), month=st.integers(1, 12), fen=st.sampled_from(["", "份"]),
       du=st.sampled_from(["", "度"]), digits_year=st.booleans())
def test_every_month_in_words_is_read(year: int, month: int, fen: str, du: str, digits_year: bool) -> None:
    y = str(year) if digits_year else in_words(year)
    assert period_from_text(f"湖塘镇{y}年{du}{MONTHS[month - 1]}月{fen}科技指标", None) == Period(year, month)
    assert period_from_text(f"{y}年前{month}个月", None) == Period(year, month)
    assert period_from_text(f"{y}年前{MONTHS[month - 1]}个月", None) == Period(year, month)


def form(ws: Workspace, name: str, title: str) -> None:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append([title])
    sh.append(["填报单位：湖塘镇"])
    sh.append(["指标名称", "本年累计"])
    for n, ind in enumerate(ws.indicators):
        sh.append([ind.name, 40 + n if ind.code != "hte_recognised" else 5])
    path = ws.inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def test_a_title_in_words_dates_the_form(ws: Workspace) -> None:
    form(ws, "湖塘镇.xlsx", "湖塘镇二〇二二年前十一个月科技创新指标完成情况")
    sub = only(ingest(ws), "湖塘镇.xlsx")
    assert sub.period == "2022-11" and sub.status == "used"


def test_a_stale_title_in_words_contradicts_the_file_name(ws: Workspace) -> None:
    """Last month's form renamed for this month: its title, in words, still says October."""
    form(ws, "湖塘镇_2022年11月.xlsx", "湖塘镇二〇二二年十月份科技指标")
    sub = only(ingest(ws, NOV), "湖塘镇_2022年11月.xlsx")
    assert found(sub, "period-conflict") and sub.status != "used"
