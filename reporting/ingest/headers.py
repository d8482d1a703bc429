"""Header rows of a hand-made table: combine two-row headers, choose the year-to-date column, read units.

Real forms put a parent header over sub-headers (``本年实际`` over ``本月 | 累计``,
``实际`` over ``上年同期 | 本年累计``). A merged parent holds its text in its
first cell only, so a parent is carried right over the blank cells beside it
while the row below has sub-headers there. The year-to-date column is the one
whose combined label is both this year's and cumulative (a span from January,
1-11月, is cumulative without saying 累计); a month's own figure, last year's, a
plan, a rate or a figure derived from the year to date (累计同比, 累计增减) never
is. Of columns that qualify equally and each name one year (2022年1-11月累计 |
2021年1-11月累计), the latest year's is the form's (the period evidence then
judges that year); any other tie makes an ``ambiguous-column`` error: no column
is chosen.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from reporting.core import formlayout as fl
from reporting.core.textnorm import norm_label

CODES = ("ambiguous-column", "month-or-ytd")

_PRIOR = ("上月", "去年", "上年", "同期", "前年", "上期")
_PLAN = ("目标", "计划", "任务", "序时", "完成率", "比例", "增幅", "增长", "占比", "预计", "差额", "排名", "进度")
# figures derived from the year to date, never the figure itself: a change against another figure
# (累计同比, 累计增减), a share or rate (累计%), a score, an average, a shortfall, a note
_DERIVED = ("同比", "环比", "增减", "增速", "增量", "变动", "变化", "差值", "对比", "%", "百分比", "得分", "分值",
            "均值", "平均", "人均", "户均", "缺口", "超额", "差距", "说明", "备注")
_MONTHLY = ("本月", "当月", "月计", "单月")
_THIS_YEAR = re.compile(r"本年|今年|全年|1\d{0,2}月|\d{1,2}月份?累计|年初至今|年度累计")
_CUMULATIVE = ("累计",)
STRONG, CUMULATIVE, WEAK = 0, 1, 2
_MONTH = r"(?:[0-9]{1,2}|十[一二]?|[一二三四五六七八九])"
_ONE_MONTH = re.compile(rf"(?<![0-9])(?:{_MONTH})\s*月(?!份?\s*(?:累计|底|末))")
# a span from the year's start (1-11月, 一至十一月, 年初至今, 截至11月底): cumulative without saying 累计
_FROM_START = re.compile(rf"(?<![0-9])(?:0?1|一)\s*月?份?\s*[-—–~～至到]\s*{_MONTH}\s*月|年初至|"
                         rf"截[至止]\s*(?:{_MONTH})\s*月份?\s*(?:底|末)")
_RANGE = re.compile(rf"{_MONTH}\s*[-—–~～至到]\s*{_MONTH}\s*月|年初|截[至止]")
_MEASURE_HEADERS = ("计量单位", "单位", "计量")
_UNIT_IN_HEADER = re.compile(r"[(（]\s*(万元|亿元|千元|元|万平方米|平方米|个|家|项|件|人|户)\s*[)）]")


@dataclass(frozen=True)
class Header:
    """A header block: its first and last row (0-based), each column's combined label, the chosen column."""

    first: int
    last: int
    labels: list[str]
    value_col: int | None
    ambiguous: tuple[int, int] | None = None  # two columns that could both be the year to date

    @property
    def keys(self) -> list[str]:
        return [norm_label(v) for v in self.labels]


def _text(v: object) -> str:
    return "" if v is None else unicodedata.normalize("NFKC", str(v)).strip()


def _is_label_row(row: list[object]) -> bool:
    """Short texts only, at least two of them, none a "label：value" line: a header row, not data or a title."""
    texts = [v for v in row if _text(v)]
    if len(texts) < 2:
        return False
    return all(isinstance(v, str) and len(_text(v)) <= 30 and ":" not in _text(v) for v in texts)


def combine(parent: list[object], child: list[object]) -> list[str]:
    """Each column's label read down the two rows; a parent spans the blank cells to its right above sub-headers."""
    width = max(len(parent), len(child))
    out: list[str] = []
    carry = ""
    for c in range(width):
        p = _text(parent[c]) if c < len(parent) else ""
        k = _text(child[c]) if c < len(child) else ""
        if p:
            carry = p if k else ""  # a parent spans only while it has sub-headers below it
        elif k and carry:
            p = carry
        else:
            carry = ""
        out.append(p + k if p != k else p)
    return out


def tier(label: str) -> int | None:
    """How surely a header names the year to date: STRONG (this year and cumulative), CUMULATIVE, WEAK, or None."""
    key = norm_label(label)
    if not key or len(key) > 20:
        return None
    if any(x in key for x in _PRIOR + _PLAN + _DERIVED):
        return None
    shown = unicodedata.normalize("NFKC", label)
    cumulative = any(x in key for x in _CUMULATIVE) or bool(_FROM_START.search(shown))
    if any(x in key for x in _MONTHLY) and not cumulative:
        return None
    if not cumulative and _ONE_MONTH.search(shown) and not _RANGE.search(shown):
        return None  # "11月完成": one month's figure (a January form says 1-1月 or 1月累计 as well)
    this_year = bool(_THIS_YEAR.search(key))
    if cumulative and (this_year or key.startswith("累计完成")):
        return STRONG
    if cumulative:
        return CUMULATIVE
    if any(w in key for w in fl.VALUE_HEADERS):
        return WEAK
    return None


# "11月份" in a title: the month itself (a year-to-date title says 1-11月, 截至11月底 or 11月份累计)
_MONTH_ITSELF = re.compile(rf"(?<![0-9])(?:{_MONTH})\s*月份(?!\s*(?:累计|底|末))")


def single_month_title(text: str) -> bool:
    """Whether a line above a table names one month only, so a bare 完成 under it may be that month's."""
    shown = unicodedata.normalize("NFKC", text)
    return bool(_MONTH_ITSELF.search(shown)) and not _RANGE.search(shown) and "累计" not in shown


def choose(labels: list[str]) -> tuple[int | None, tuple[int, int] | None]:
    """The year-to-date column, or (None, the two columns) when two qualify equally."""
    scored: list[tuple[int, int, int]] = []  # (tier, rank among VALUE_HEADERS, column)
    for c, label in enumerate(labels):
        t = tier(label)
        if t is None:
            continue
        key = norm_label(label)
        rank = next((i for i, w in enumerate(fl.VALUE_HEADERS) if w in key), len(fl.VALUE_HEADERS))
        scored.append((t, rank if t == WEAK else 0, c))
    if not scored:
        return None, None
    scored.sort()
    best = scored[0]
    rivals = [s for s in scored[1:] if s[:2] == best[:2]]
    if rivals:
        latest = _latest_year([best[2], *(s[2] for s in rivals)], labels)
        if latest is None:
            return None, (best[2], rivals[0][2])
        return latest, None
    return best[2], None


_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})\s*年")


def _latest_year(columns: list[int], labels: list[str]) -> int | None:
    """Of equal candidates that each name one year (2021年1-11月累计 | 2022年1-11月累计), the latest
    year's: a form sets this year beside an earlier one, never beside a later one. Whether that
    year is the period's is the period evidence's to judge (the value column's header). None when
    any of them names no year or several, or two name the same year."""
    years = []
    for c in columns:
        found = {int(y) for y in _YEAR.findall(unicodedata.normalize("NFKC", labels[c]))}
        if len(found) != 1:
            return None
        years.append((found.pop(), c))
    years.sort(reverse=True)
    if years[0][0] == years[1][0]:
        return None
    return years[0][1]


def header_at(rows: list[list[object]], r: int) -> Header | None:
    """The header block starting at row ``r`` (one row, or two when the next holds sub-headers)."""
    row = rows[r]
    if not _is_label_row(row):
        return None
    nxt = rows[r + 1] if r + 1 < len(rows) else []
    if nxt and _is_label_row(nxt) and _sub_headers(row, nxt):
        labels = combine(row, nxt)
        col, amb = choose(labels)
        if col is not None or amb is not None:
            return Header(r, r + 1, labels, col, amb)
    labels = [_text(v) for v in row]
    col, amb = choose(labels)
    if col is None and amb is None:
        return None
    return Header(r, r, labels, col, amb)


def _sub_headers(parent: list[object], child: list[object]) -> bool:  # noqa: ARG001
    """Whether ``child`` reads as sub-headers of ``parent``: some sub-header under a parent or beside it,
    and no cell that is a catalogue-like data label alone (a row of the table would hold numbers)."""
    hits = 0
    for v in child:
        k = _text(v)
        if not k:
            continue
        if any(w in norm_label(k) for w in _MONTHLY + _CUMULATIVE + _PRIOR + ("本年", "实际", "完成")):
            hits += 1
    return hits >= 2


def measure_column(labels: list[str]) -> int | None:
    """The 计量单位 column, if the header has one."""
    return next((c for c, v in enumerate(labels) if norm_label(v) in _MEASURE_HEADERS), None)


def unit_in_header(label: str) -> str | None:
    """A unit written in a header, as in ``本年累计（万元）``."""
    m = _UNIT_IN_HEADER.search(unicodedata.normalize("NFKC", label))
    return m.group(1) if m else None


# Known conversions into the catalogue's unit: (file's unit, catalogue's unit) -> factor.
CONVERSIONS: dict[tuple[str, str], float] = {
    ("元", "万元"): 1e-4, ("千元", "万元"): 0.1, ("亿元", "万元"): 1e4, ("万元", "亿元"): 1e-4, ("元", "亿元"): 1e-8,
    ("平方米", "万平方米"): 1e-4, ("万平方米", "平方米"): 1e4,
}
# Counting words used for one another (a 家 of enterprises, a 个 of centres, a 项 of projects).
COUNT_WORDS = frozenset({"个", "家", "项", "件", "所"})


# Other spellings of the same unit (keys through norm_label, where NFKC makes ㎡ and m² "m2")
SPELLINGS = {"万m2": "万平方米", "万平米": "万平方米", "万平": "万平方米", "m2": "平方米", "平米": "平方米",
             "万元人民币": "万元", "人民币万元": "万元", "元人民币": "元", "人民币元": "元"}


def conversion(found: str, expected: str) -> float | None:
    """The factor that turns a figure in ``found`` into ``expected``: 1.0 when the same, None when unknown."""
    f, e = norm_label(found), norm_label(expected)
    f, e = SPELLINGS.get(f, f), SPELLINGS.get(e, e)
    if not f or f == e:
        return 1.0
    if f in COUNT_WORDS and e in COUNT_WORDS:
        return 1.0
    return CONVERSIONS.get((f, e))
