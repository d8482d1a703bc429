"""What every format's reader shares: the Grid and Book it returns, the reading window, the refusal
that ends a file with one file-level issue, and the one way cell values are normalised.

Kept apart from ``book`` (the entry point) so the format modules can import it without a circle.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from reporting.core.messages import MESSAGES
from reporting.core.models import Issue

MAX_DATE_SERIAL = 2_958_466  # 9999-12-31 + 1: beyond it a "date" is just a number
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of one cell; no reader builds a longer text
# All the cell text one workbook may hold inside the window. A form holds a few thousand characters;
# a shared string of 1 MB referenced by 12,000 cells (poi__poc-shared-strings.xlsx, 107 KB) costs
# nothing in memory (one string) but 1.5 GB once anything writes the cells out (the cache, a
# feedback copy). Beyond this the file is refused, not read.
MAX_BOOK_TEXT = 2_000_000
ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
               0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


@dataclass
class Grid:
    """One sheet cut to the reading window: values by 0-based (row, column).

    ``rows`` is rectangular, just large enough for the last cell with a value,
    error or formula. An error cell or a formula without a cached value holds
    ``None`` in ``rows``; ask ``errors`` and ``formula_no_value`` before
    calling such a cell blank.
    """

    name: str
    state: str  # "visible" | "hidden" | "veryHidden"
    rows: list[list[object]]
    formula_no_value: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    truncated: bool = False  # the sheet has cells beyond the window

    def cell(self, r: int, c: int) -> object:
        """The value at (r, c), ``None`` when blank or outside the window."""
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None


@dataclass
class Book:
    """What reading one file gave: its sheets, or the file-level issue that refused it."""

    file: str
    format: str  # "xlsx" | "xlsm" | "xls" | "ods" | "xlsb" | "" when refused
    sheets: list[Grid]
    issues: list[Issue]


@dataclass(frozen=True)
class Window:
    """The rows and columns a reader keeps; everything beyond only sets ``truncated``."""

    rows: int
    cols: int

    def has(self, r: int, c: int) -> bool:
        return r < self.rows and c < self.cols


class Refuse(Exception):
    """Stop reading: the file ends with this file-level issue."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def msg(key: str, lang: str = "zh", **kw: Any) -> str:
    """The text of a catalogue entry (Chinese unless asked)."""
    text = MESSAGES[key][lang]
    return text.format(**kw) if kw else text


def details(key: str, **kw: Any) -> dict[str, str]:
    """An issue's ``detail`` in both languages (read_book has no language: the issue renders either)."""
    return {"detail": msg(key, **kw), "detail_en": msg(key, "en", **kw)}


def unreadable(key: str, **kw: Any) -> Refuse:
    return Refuse("unreadable-file", **details(key, **kw))


def unsafe(key: str, **kw: Any) -> Refuse:
    return Refuse("unsafe-file", **details(key, **kw))


def unsupported(key: str) -> Refuse:
    return Refuse("unsupported-format", **details(key))


def mb(n: int) -> str:
    text = f"{n / 2**20:.1f}"
    return text[:-2] if text.endswith(".0") else text


# --------------------------------------------------------------------------- values


def number(v: float) -> int | float:
    """Integral floats become int (one value space whatever the format stored)."""
    if v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def round_ms(v: dt.datetime) -> dt.datetime:
    """Round to the millisecond, as Excel shows it (10:29:59.9999996 is 10:30)."""
    ms = round(v.microsecond / 1000)
    try:
        return v.replace(microsecond=0) + dt.timedelta(milliseconds=ms)
    except OverflowError:  # the last millisecond of 9999-12-31
        return v.replace(microsecond=999000)


def datelike(v: object) -> object:
    """One shape for dates: date -> datetime at midnight, everything rounded to the millisecond."""
    if isinstance(v, dt.datetime):
        return round_ms(v)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, dt.time):
        full = round_ms(dt.datetime.combine(dt.date(2000, 1, 1), v))
        return full.time() if full.date() == dt.date(2000, 1, 1) else dt.time(23, 59, 59, 999000)
    if isinstance(v, dt.timedelta):
        return dt.timedelta(milliseconds=round(v.total_seconds() * 1000))
    return v


def plain(v: object) -> object:
    """A value in the Grid's value space: '' -> None, integral float -> int, dates unified."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str):
        return v if v != "" else None
    if isinstance(v, float):
        return number(v) if math.isfinite(v) else None
    if isinstance(v, int):
        return v
    if isinstance(v, dt.date | dt.time | dt.timedelta):
        return datelike(v)
    return str(v)


def serial_to_date(v: float, is_1904: bool) -> object:
    """An Excel date serial: a time below 1, else a datetime; out of range, the number."""
    if not math.isfinite(v) or not (0 <= v < MAX_DATE_SERIAL):
        return number(v) if math.isfinite(v) else None
    if v < 1:
        secs = round(v * 86400 * 1000) / 1000
        full = dt.datetime(2000, 1, 1) + dt.timedelta(seconds=secs)
        return datelike(full.time()) if full.day == 1 else dt.time(23, 59, 59, 999000)
    epoch = dt.datetime(1904, 1, 1) if is_1904 else dt.datetime(1899, 12, 30)
    if not is_1904 and v < 60:
        v += 1  # Excel's phantom 1900-02-29
    return round_ms(epoch + dt.timedelta(days=v))


def iso_date(text: str) -> object:
    """An ISO 8601 date, date-time or time (xlsx t="d", ODS date-value)."""
    t = text.strip()
    for parse in (dt.datetime.fromisoformat, dt.time.fromisoformat):
        try:
            v = parse(t)
        except ValueError:
            continue
        if v.tzinfo is not None:
            v = v.replace(tzinfo=None)
        return datelike(v)
    return t or None


# Built-in number formats that show dates or times (27-36 and 50-58 are the CJK-locale
# date formats WPS and Chinese Excel use without writing their codes), and the elapsed one.
DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)])
DURATION_FORMAT_IDS = frozenset([46])


def format_kind(fmt_id: int, codes: dict[int, str]) -> str | None:
    """"date", "duration" or None for a number format (by id, or by its code when the file defines one)."""
    code = codes.get(fmt_id)
    if code is None:
        if fmt_id in DATE_FORMAT_IDS:
            return "date"
        return "duration" if fmt_id in DURATION_FORMAT_IDS else None
    return code_kind(code)


@functools.lru_cache(maxsize=1024)
def code_kind(code: str) -> str | None:
    """``format_kind`` of a format code: quoted text, escapes and colours do not count."""
    s = re.sub(r'"[^"]*"', "", code)
    s = re.sub(r"\\.|_.|\*.", "", s)
    s = s.split(";", 1)[0]
    if re.search(r"\[(?:h+|m+|s+)\]", s, re.I):
        return "duration"
    s = re.sub(r"\[[^\]]*\]", "", s)
    if s.strip().lower() == "general":
        return None
    return "date" if re.search(r"[dmyhs]", s, re.I) else None


def numeric(v: float, kind: str | None, is_1904: bool) -> object:
    """A stored number as the sheet shows it: a date/time, a duration, or the number."""
    if kind == "date":
        return serial_to_date(v, is_1904)
    if kind == "duration" and math.isfinite(v) and abs(v) < MAX_DATE_SERIAL:
        return datelike(dt.timedelta(days=v))
    return number(v) if math.isfinite(v) else None


def text_size(grids: list[Grid]) -> int:
    """The characters of text in these grids, counting each cell that shows a text."""
    return sum(len(v) for g in grids for row in g.rows for v in row if type(v) is str)


def make_grid(name: str, state: str, values: dict[tuple[int, int], object], fnv: set[tuple[int, int]],
              errors: dict[tuple[int, int], str], truncated: bool) -> Grid:
    """A Grid from sparse cells: rectangular, as large as the last value, error or formula."""
    cells = [k for k, v in values.items() if v is not None and k not in errors]
    keys = cells + list(fnv) + list(errors)
    if not keys:
        return Grid(name, state, [], set(fnv), dict(errors), truncated)
    height = max(r for r, _ in keys) + 1
    width = max(c for _, c in keys) + 1
    rows: list[list[object]] = [[None] * width for _ in range(height)]
    for (r, c) in cells:
        v = values[(r, c)]
        rows[r][c] = v[:MAX_CELL_TEXT] if type(v) is str and len(v) > MAX_CELL_TEXT else v
    for key in list(fnv) + list(errors):
        rows[key[0]][key[1]] = None
    return Grid(name, state, rows, set(fnv), dict(errors), truncated)
