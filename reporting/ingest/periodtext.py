"""Periods as units write them, in titles, file, sheet and folder names.

Pure text functions (no workbook): ``2022年11月``, ``2022年1-11月``, ``202211``, in words
(``二〇二二年十一月``, ``前11个月``, ``上半年``),
``2023年一季度``, ``23年3月``, and in names ``（26.3）``. Text is NFKC-normalised
first, so full-width digits and dashes count as their ASCII forms.
"""

from __future__ import annotations

import calendar
import re
import unicodedata

from reporting.core.periods import Period

__all__ = ["period_from_text", "sheet_period", "year_in_text"]

# Periods as units write them. Text is NFKC-normalised first (full-width digits and dashes).
# "2022年11月", "2022年1-11月", "2022年度1-11月", "2022年01-11月", "2022年1月至11月"
_DASH = r"[-—–－~～至到]"
_YEAR_MONTH = re.compile(r"(20\d{2})\s*年度?\s*(?:0?1\s*月?份?\s*" + _DASH + r"\s*)?(\d{1,2})\s*月")
# "1-11月", "1月-11月", "1至11月"
_RANGE_MONTH = re.compile(r"(?<!\d)0?1\s*月?份?\s*" + _DASH + r"\s*(\d{1,2})\s*月")
# file names: "202211", "2022-11", "2022.11", "2022_11", "2022/11", "2022年11"
_FILE_YM = re.compile(r"(?<!\d)(20\d{2})[-_./年]?(0[1-9]|1[0-2]|[1-9])(?:月|(?!\d))")
_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*年")
_BARE_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_MONTH_ONLY = re.compile(r"(?<!\d)(\d{1,2})\s*月")
# what follows a month when the text is a date ("2022年12月5日", "2022-12-05"), not a period
_DAY_AFTER_MONTH = re.compile(r"\s*(\d{1,2})\s*[日号]")
# two-digit years, in file and sheet names: "（26.3）", "26.1", "23年3月"
_SHORT_YM = re.compile(r"(?<![\d.])(2\d)\s*[.．年]\s*(1[0-2]|0?[1-9])(?:\s*月)?(?![\d.])")
_SHORT_YEAR_MONTH = re.compile(r"(?<![\d.])(2\d)\s*年\s*(1[0-2]|0?[1-9])\s*月")
# quarters: "2023年一季度", "2023年第1季度" = the quarter's last month
_QUARTER = re.compile(r"(20\d{2})\s*年?\s*第?\s*([一二三四1-4])\s*季度")
_DAY_AFTER_NUMBER = re.compile(r"[-./](\d{1,2})(?!\d)")
# written in words: "二〇二二年十一月" (a month in words counts after 年 or a dash, or as 十一月份: "一月一报"
# is no period); failing every other form, "前11个月" (= 1-11月), "前三季度" (= 1-9月), "上半年" (= 1-6月)
_CN_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7",
              "八": "8", "九": "9"}
_CN_MONTHS = {"十": 10, "十一": 11, "十二": 12, **{w: int(d) for w, d in _CN_DIGITS.items() if d != "0"}}
_CN_YEAR = re.compile(r"(?<![一二三四五六七八九十〇零])([〇零一二三四五六七八九]{4})\s*年")
_CN_MONTH = re.compile(r"(?:(?<=年)|(?<=度)|(?<=[-—–－~～至到]))\s*(十[一二]?|[一二三四五六七八九])\s*(?=月)|"
                       r"(?<![一二三四五六七八九十〇零第])(十[一二]?|[一二三四五六七八九])\s*(?=月份)")
_CN_DAY = re.compile(r"(?<=月)\s*(三十一?|三十|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])\s*(?=[日号])")
_FIRST_MONTHS = re.compile(r"前\s*(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*个\s*月")
_FIRST_QUARTERS = re.compile(r"前\s*([一二三123])\s*(?:个\s*)?季度")
_HALF = re.compile(r"上半年")


def _numerals(s: str) -> str:
    """Years, months and days written in words, as digits: 二〇二二年十一月 -> 2022年11月."""
    s = _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS[c] for c in m.group(1)) + "年", s)
    s = _CN_MONTH.sub(lambda m: str(_CN_MONTHS[m.group(1) or m.group(2)]), s)
    return _CN_DAY.sub(lambda m: str(_cn_day(m.group(1))), s)  # so that a date in words stays a date


def _cn_day(words: str) -> int:
    """一 .. 三十一 as a number."""
    tens, _, ones = words.rpartition("十")
    if "十" not in words:
        return int(_CN_DIGITS[words])
    return (int(_CN_DIGITS[tens]) if tens else 1) * 10 + (int(_CN_DIGITS[ones]) if ones else 0)


def _spans(s: str) -> str:
    """Spans from January in words, as a range: 前11个月 -> 1-11月, 前三季度 -> 1-9月, 上半年 -> 1-6月."""
    s = _FIRST_MONTHS.sub(lambda m: f"1-{m.group(1) if m.group(1).isdigit() else _CN_MONTHS[m.group(1)]}月", s)
    s = _FIRST_QUARTERS.sub(lambda m: f"1-{3 * (int(m.group(1)) if m.group(1).isdigit() else '一二三'.find(m.group(1)) + 1)}月", s)
    return _HALF.sub("1-6月", s)


def year_in_text(text: str, *, bare: bool = False) -> int | None:
    """A year written as ``2022年`` (or, with ``bare``, as ``2022`` alone, as in file names)."""
    m = (_BARE_YEAR if bare else _YEAR).search(unicodedata.normalize("NFKC", str(text)))
    return int(m.group(1)) if m else None


def period_from_text(text: str, year_hint: int | None = None, *, allow_bare_month: bool = True,
                     two_digit_year: bool = False) -> Period | None:
    """``2022年11月``, ``2022年1-11月``, ``202211``, ``2022-11``, ``2023年一季度``; ``23年3月``;
    with ``two_digit_year`` (file and sheet names) also ``26.3``; ``1-11月`` or ``11月`` with a known year.

    Full-width digits and dashes count as their ASCII forms. A date ("2022年12月5日",
    "2022-12-05") is the day a form was filled in, not a period, unless it is the
    last day of its month ("截至2022年11月30日").
    """
    s = _numerals(unicodedata.normalize("NFKC", str(text)))
    found = _period_in(s, year_hint, allow_bare_month, two_digit_year)
    if found is None and (spans := _spans(s)) != s:  # only when nothing else dates the text
        found = _period_in(spans, year_hint, allow_bare_month, two_digit_year)
    return found


def _period_in(s: str, year_hint: int | None, allow_bare_month: bool, two_digit_year: bool) -> Period | None:
    for m in _YEAR_MONTH.finditer(s):
        p = _period(int(m.group(1)), int(m.group(2)), s, m.end(), _DAY_AFTER_MONTH)
        if p:
            return p
    for m in _QUARTER.finditer(s):
        return Period(int(m.group(1)), 3 * ("一二三四".find(m.group(2)) + 1 if m.group(2) in "一二三四"
                                            else int(m.group(2))))
    for m in _FILE_YM.finditer(s):
        after = _DAY_AFTER_MONTH if m.group(0).endswith("月") else _DAY_AFTER_NUMBER
        p = _period(int(m.group(1)), int(m.group(2)), s, m.end(), after)
        if p:
            return p
    for m in (_SHORT_YM if two_digit_year else _SHORT_YEAR_MONTH).finditer(s):
        p = _period(2000 + int(m.group(1)), int(m.group(2)), s, m.end(), _DAY_AFTER_MONTH)
        if p:
            return p
    own_year = _YEAR.search(s)  # "2022年度科技指标（1-11月）": the text's own year comes first
    year_hint = int(own_year.group(1)) if own_year else year_hint
    if year_hint:
        for m in _RANGE_MONTH.finditer(s):
            p = _period(year_hint, int(m.group(1)), s, m.end(), _DAY_AFTER_MONTH)
            if p:
                return p
        if allow_bare_month:
            for m in _MONTH_ONLY.finditer(s):
                p = _period(year_hint, int(m.group(1)), s, m.end(), _DAY_AFTER_MONTH)
                if p:
                    return p
    return None


def _period(year: int, month: int, text: str, end: int, day_after: re.Pattern[str]) -> Period | None:
    """The period (year, month), or None when it is no month or a date that does not end the month."""
    if not 1 <= month <= 12:
        return None
    day = day_after.match(text, end)
    if day and int(day.group(1)) != calendar.monthrange(year, month)[1]:
        return None
    return Period(year, month)


def sheet_period(name: str, year_hint: int | None) -> Period | None:
    """The month a sheet is named after: ``2026.3``, ``26.3``, ``2026年3月``, ``3月``, ``1-3月``."""
    return period_from_text(name, year_hint, two_digit_year=True)
