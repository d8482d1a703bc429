"""The period a file states, piece by piece: metadata, title, a 报送期 cell, sheet, header, names.

recognise weighs these: every piece must agree, or the file is a ``period-conflict`` and
is used for no month. Each piece says where it was read, so the clerk is told which cell
or name to correct.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from reporting.core import formlayout as fl
from reporting.core.periods import Period
from reporting.ingest.periodtext import period_from_text, sheet_period, year_in_text

if TYPE_CHECKING:
    from reporting.ingest.layout import Layout
    from reporting.io.book import Grid

_LONG_SPACES = re.compile(r"\s{4,}")
# cells that hold a date, not the period ("填报日期：2022年12月5日")
_DATE_LABELS = ("填报日期", "填表日期", "报送日期", "制表日期", "报送时间", "填报时间", "报出日期", "报表日期")
# a year with no month after it: "2021年度", "2021年科技指标"; not "2021年12月5日" nor "2021年一季度"
_YEAR_ALONE = re.compile(r"(?<!\d)(20\d{2})\s*年(?!\s*(?:\d|[一二三四1-4]\s*季|第|[上下]半年))")
_PERIOD_LABELS = ("报送期", "报告期", "所属期", "统计期", "时间")
# a row that names the unit or the period (one search per cell instead of one test per label)
_LABELLED = re.compile("|".join(re.escape(lab) for lab in (*fl.UNIT_LABELS, *_PERIOD_LABELS)))


@dataclass(frozen=True)
class Found:
    """Something read from a cell, with the cell it was read from."""

    value: Any
    text: str
    sheet: str
    cell: str
    weak: bool = False


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for the period: where it came from and what it says."""

    source: str  # meta | title | date | sheet | header | name | folder
    value: Period
    sheet: str = ""
    cell: str = ""
    weak: bool = False  # text behind a long run of spaces: dropped when other evidence disagrees
    year_only: bool = False  # a year named alone ("2021年度", a sheet "2021年"): it states value.year, no month

    @classmethod
    def of_year(cls, source: str, year: int, sheet: str, cell: str = "") -> Evidence:
        """A piece naming a year and no month: it can contradict a period's year, never name a month."""
        return cls(source, Period(year, 12), sheet, cell, year_only=True)

    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else (self.sheet or "")

    def agrees(self, period: Period) -> bool:
        """Whether this piece says the same as ``period`` (a year alone: the same year)."""
        return self.value.year == period.year if self.year_only else self.value == period

    def label(self, lang: str) -> str:
        """What it says, as the clerk would write it: 2022年11月 / 2021年."""
        if self.year_only:
            return f"{self.value.year}年" if lang == "zh" else str(self.value.year)
        return self.value.label_zh() if lang == "zh" else str(self.value)


def period_evidence(sheets: list[Grid], meta: dict[str, Any] | None, layout: Layout | None, display: str,
                    assume: Period | None) -> list[Evidence]:
    """Every independent statement of the period, strongest first: metadata, title, a date cell
    beside a 填报单位/报送期 label, the table's sheet name, the value column's header, the file name, the folder."""
    from reporting.core.cells import a1

    out: list[Evidence] = []
    stem = PurePath(display).stem
    folder = str(PurePath(display).parent)
    meta_p = None
    if meta and meta.get(fl.META_PERIOD):
        try:
            meta_p = Period.parse(meta[fl.META_PERIOD])
            out.append(Evidence("meta", meta_p, fl.META_SHEET))
        except ValueError:
            pass
    hint = _year_hint(meta_p, sheets, layout, stem, folder) or (assume.year if assume else None)
    title = _period_from_cells(sheets, layout, hint)
    if title:
        out.append(Evidence("title", title.value, title.sheet, title.cell, weak=title.weak))
    elif layout is not None and not layout.exact:
        # "2021年度……完成情况表" over a table the file name calls 2022年11月: last year's form, or
        # this year's figures on last year's template? No one can tell, so the year counts as evidence
        out.extend(_title_year(layout))
    for sheet in ([layout.sheet] if layout else sheets[:1]):
        for r, row in enumerate(sheet.rows[:15]):
            labelled = any(isinstance(v, str) and _LABELLED.search(v) for v in row)
            if not labelled:
                continue
            for c, v in enumerate(row):
                if isinstance(v, dt.date) and not _after_date_label(row, c):
                    out.append(Evidence("date", Period(v.year, v.month), sheet.name, a1(r, c)))
                    break
    if layout is not None and not layout.exact:
        sp = sheet_period(layout.sheet.name, hint)
        if sp:
            out.append(Evidence("sheet", sp, layout.sheet.name))
        elif year := year_alone(layout.sheet.name):
            # a sheet named "2021年" holding the table: as much last year's as a title saying so
            out.append(Evidence.of_year("sheet", year, layout.sheet.name))
    if layout is not None and not layout.exact:
        # the value column's own header: "1-10月累计" on a form the title calls November's is last month's column
        for hr in range(layout.header_row, (layout.header_last or layout.header_row) + 1):
            head = layout.sheet.cell(hr, layout.value_col)
            hp = period_from_text(head, hint) if isinstance(head, str) else None
            if hp:
                out.append(Evidence("header", hp, layout.sheet.name, a1(hr, layout.value_col)))
                break
        else:
            # "2021年累计" (or 2021年 over 本月 | 累计): another year's cumulative figure, not this year's
            out.extend(_header_year(layout))
    name_p = period_from_text(stem, hint, two_digit_year=True)
    if name_p:
        out.append(Evidence("name", name_p))
    # the folder the clerk filed it in ("2023年3月/"): last month's form sent again into this month's
    # folder disagrees with it, and is then no one month's figure
    folder_p = period_from_text(folder, hint, two_digit_year=True) if folder not in ("", ".") else None
    if folder_p:
        out.append(Evidence("folder", folder_p))
    strong = {e.value for e in out if not e.weak and not e.year_only}
    if strong and any(e.weak and e.value not in strong for e in out):
        out = [e for e in out if not e.weak]
    return out


def year_alone(text: str) -> int | None:
    """The year in ``text`` when no month follows it ("2021年度", "2021年累计"; not "2021年12月5日")."""
    m = _YEAR_ALONE.search(unicodedata.normalize("NFKC", text))
    return int(m.group(1)) if m else None


def _title_year(layout: Layout) -> list[Evidence]:
    """A year stated alone in the title above the table ("2021年度科技指标完成情况"), not a date's year.

    Only the table's own sheet counts (another sheet may be last year's), and only text before a
    long run of spaces (what follows is out of sight) and before a 填报日期 label.
    """
    from reporting.core.cells import a1

    sheet = layout.sheet
    for r, row in enumerate(sheet.rows[:layout.header_row]):
        for c, v in enumerate(row):
            if not isinstance(v, str):
                continue
            year = year_alone(_LONG_SPACES.split(unicodedata.normalize("NFKC", _before_date_label(v)).strip())[0])
            if year:
                return [Evidence.of_year("title", year, sheet.name, a1(r, c))]
    return []


def _header_year(layout: Layout) -> list[Evidence]:
    """A year named alone in the value column's header, its merged parent carried over (本年实际 is no year)."""
    from reporting.core.cells import a1
    from reporting.ingest.headers import header_at

    head = header_at(layout.sheet.rows, layout.header_row)
    texts = [head.labels[layout.value_col]] if head and layout.value_col < len(head.labels) else []
    texts += [v for hr in range(layout.header_row, (layout.header_last or layout.header_row) + 1)
              if isinstance(v := layout.sheet.cell(hr, layout.value_col), str)]
    for text in texts:
        year = year_alone(text)
        if year:
            return [Evidence.of_year("header", year, layout.sheet.name, a1(layout.header_row, layout.value_col))]
    return []


def _after_date_label(row: list[object], c: int) -> bool:
    """Whether the date at ``c`` follows a 报出日期/填报日期 label (the day the form was made, not the period)."""
    for cc in range(c - 1, max(-1, c - 3), -1):
        v = row[cc]
        if isinstance(v, str) and v.strip():
            return any(lab in v for lab in _DATE_LABELS)
    return False


def _year_hint(meta_p: Period | None, sheets: list[Grid], layout: Layout | None, stem: str,
               folder: str) -> int | None:
    """The year for a month written without one: from a full period anywhere (metadata, title,
    file name, folder), else from a year written alone ("2022年度", "湖塘镇-2022.xlsx")."""
    if meta_p:
        return meta_p.year
    title = _period_from_cells(sheets, layout, None)
    for p in (title.value if title else None, period_from_text(stem), period_from_text(folder)):
        if p:
            return p.year
    return year_in_cells(sheets, layout) or year_in_text(stem, bare=True) or year_in_text(folder, bare=True)


def _title_cells(sheets: list[Grid], layout: Layout | None) -> Iterator[tuple[Grid, int, int, str]]:
    """Text cells above the table (or in the first rows of the other sheets): title, 报送期 line."""
    for sheet in ([layout.sheet] if layout else []) + [s for s in sheets if layout is None or s is not layout.sheet]:
        limit = layout.header_row if layout and sheet is layout.sheet else 10  # the header row is no title
        for r, row in enumerate(sheet.rows[:limit]):
            for c, v in enumerate(row):
                if isinstance(v, str):
                    yield sheet, r, c, _before_date_label(v)


def _period_from_cells(sheets: list[Grid], layout: Layout | None, year_hint: int | None) -> Found | None:
    """The period written in the title or a 报送期 cell above the table.

    Text behind a long run of spaces (a stale period pushed out of sight) is weak: used only
    when nothing visible states a period, and dropped when other evidence disagrees.
    """
    from reporting.core.cells import a1

    weak: Found | None = None
    for sheet, r, c, text in _title_cells(sheets, layout):
        parts = _LONG_SPACES.split(unicodedata.normalize("NFKC", text).strip())
        p = period_from_text(parts[0], year_hint, allow_bare_month=False)
        if p:
            return Found(p, text, sheet.name, a1(r, c))
        for part in parts[1:]:
            p = period_from_text(part, year_hint, allow_bare_month=False)
            if p and weak is None:
                weak = Found(p, text, sheet.name, a1(r, c), weak=True)
    return weak


def year_in_cells(sheets: list[Grid], layout: Layout | None) -> int | None:
    """A year written above the table without its month ("2022年度科技指标")."""
    for _, _, _, text in _title_cells(sheets, layout):
        y = year_in_text(text)
        if y:
            return y
    return None


def _before_date_label(text: str) -> str:
    """The text up to a 填报日期-like label: what follows is the day the form was filled in."""
    for label in _DATE_LABELS:
        text = text.split(label, 1)[0]
    return text
