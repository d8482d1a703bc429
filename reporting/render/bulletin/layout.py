"""The layout toolkit of the bulletin: fonts, fills, page geometry, formats and the sheet writer.

Every sheet module writes through :class:`Sheet` and :class:`Formats`, so widths, heights and
page breaks are computed the same way everywhere (CJK text measured by display width).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reporting.core.messages import BULLETIN_LABELS
from reporting.core.textnorm import display_width
from reporting.render.narrative import fmt_number

if TYPE_CHECKING:
    from reporting.core.results import Results
    from reporting.render.bulletin.context import Ctx

# Fonts. Official documents set titles in 方正小标宋简体, but that face is not a system font:
# Excel has no per-cell fallback list, so on a PC without it the title would come out in
# whatever default Excel or WPS substitutes. 黑体 (SimHei) and 宋体 (SimSun) ship with every
# Chinese Windows, so the title is 黑体 bold 18, headings 黑体, body 宋体.
TITLE_FONT = "黑体"
HEAD_FONT = "黑体"
BODY_FONT = "宋体"

HEAD_FILL = "#D9D9D9"
GROUP_FILL = "#F2F2F2"
RED_FILL, RED_FONT = "#FFC7CE", "#9C0006"      # Excel's "light red fill with dark red text"
GREEN_FILL, GREEN_FONT = "#C6EFCE", "#006100"
AMBER_FILL, AMBER_FONT = "#FFEB9C", "#9C5700"
PALETTE = ["#2F5597", "#C55A11", "#548235", "#7F6000", "#7030A0", "#0E7C86"]
SCHEDULE_COLOUR = "#C00000"

RATE_FMT = "0.0%"
GAP_FMT = "+0.0;-0.0;0.0"
SCORE_FMT = "0.00"
DATETIME_FMT = "yyyy-mm-dd hh:mm"

# Page geometry used to place page breaks (A4 landscape, inches).
MARGIN_LR, MARGIN_T, MARGIN_B, MARGIN_HF = 0.4, 0.75, 0.65, 0.3
PAGE_W_PX = (11.69 - 2 * MARGIN_LR) * 96
PAGE_H_PT = (8.27 - MARGIN_T - MARGIN_B) * 72
ROW_PT = 18.0            # body rows: room for 宋体 11 and for the fallback CJK fonts of LibreOffice
KEY_CHARTS = 4           # charts for the indicators with the highest weights
BAND = 3                 # indicators side by side on 分项指标
CHART_W, CHART_H, CHART_GAP = 600, 300, 16
CHART_MAX_UNITS = 40     # a group with more units is charted by its leading and trailing units only
CHART_ENDS = 15          # ... this many at each end
ELLIPSIS = "…"           # the category between the leading and the trailing units
SCORE_BAR_PX = 26        # height per bar of a score chart ...
SCORE_CHART_MAX_PX = 680  # ... up to the height that still prints on one page beside the title

LABELS = BULLETIN_LABELS  # the catalogue lives in reporting.core.messages


MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def label(key: str, lang: str = "zh", /, **kw: object) -> str:
    """The bulletin label ``key`` in ``lang`` (falling back to Chinese), formatted with ``kw``."""
    entry = LABELS[key]
    text = entry.get(lang, entry["zh"])
    return text.format(**kw) if kw else text



def created_date(results: Results) -> dt.datetime:
    """The fixed document date: ``as_of`` at 00:00 (else the period's first day), never the clock."""
    try:
        return dt.datetime.fromisoformat(str(results.as_of)[:10])
    except ValueError:
        y, m = int(results.year or 2000), int(results.month or 1)
        return dt.datetime(y, m, 1)


def parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        t = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return t.replace(tzinfo=None)


def num_fmt(decimals: int) -> str:
    d = max(0, int(decimals or 0))
    return "#,##0" if d == 0 else "#,##0." + "0" * d


# How numbers are shown, for column widths. Each is monotonic in the magnitude of the value (and a
# minus sign only widens), so the widest text of a column is that of its smallest or its largest value.
@functools.cache
def number_text(decimals: int) -> Callable[[Any], str]:
    return functools.partial(fmt_number, decimals=decimals)


def comma_text(value: Any) -> str:
    return f"{value:,}"


def score_text(value: Any) -> str:
    return f"{value:.2f}"


def change_text(value: Any) -> str:
    return f"↑{abs(value)}"


# --------------------------------------------------------------------------- writing helpers


class Formats:
    """Cached formats: one xlsxwriter Format per distinct set of properties.

    Tables look their formats up once, before their rows; ``__call__`` is not for a per-cell loop.
    """

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def __call__(self, **props: Any) -> Any:
        base = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter"}
        base.update(props)
        key = tuple(sorted(base.items()))
        if key not in self.cache:
            self.cache[key] = self.wb.add_format(base)
        return self.cache[key]

    # shorthands
    def th(self, **kw: Any) -> Any:
        return self(font_name=HEAD_FONT, bg_color=HEAD_FILL, border=1, align="center", text_wrap=True, **kw)

    def td(self, **kw: Any) -> Any:
        if kw.get("align") == "left":  # text off the border, as in a typeset table
            kw.setdefault("indent", 1)
        return self(border=1, **kw)

    def group(self) -> Any:
        return self(font_name=HEAD_FONT, bg_color=GROUP_FILL, border=1, align="left", indent=1)

    def sheet_title(self) -> Any:
        return self(font_name=HEAD_FONT, font_size=16, bold=True, align="center")

    def note(self) -> Any:
        return self(font_size=10, font_color="#404040", text_wrap=True, align="left", valign="top")

    def status(self, status: str | None, **kw: Any) -> dict[str, Any]:
        """Fill and font for a status (used on rates, statuses and gaps)."""
        if status == "behind":
            return {"bg_color": RED_FILL, "font_color": RED_FONT, **kw}
        if status == "completed":
            return {"bg_color": GREEN_FILL, "font_color": GREEN_FONT, **kw}
        if status == "pending":
            return {"bg_color": AMBER_FILL, "font_color": AMBER_FONT, **kw}
        if status == "missing":
            return {"font_color": RED_FONT, **kw}
        return dict(kw)

    def by_status(self, **kw: Any) -> Callable[[str | None], Any]:
        """A look-up of ``td`` formats by status, with ``kw`` in each (built on first use of a status)."""
        made: dict[str | None, Any] = {}

        def get(status: str | None) -> Any:
            fmt = made.get(status)
            if fmt is None:
                fmt = made[status] = self.td(**self.status(status, **kw))
            return fmt
        return get


def clamp(widest: int, minimum: float, maximum: float, padding: float = 2) -> float:
    """The column width for text ``widest`` display columns wide (as textnorm.column_width)."""
    return max(minimum, min(maximum, widest + padding))


class Sheet:
    """A worksheet that remembers what it shows, for column widths and page breaks.

    For widths it keeps, per column, the display width of the widest text written, and for
    numbers the smallest and largest value per way of showing them: memory stays per column,
    not per cell, and no number is formatted as text just to be measured.
    """

    def __init__(self, wb: Any, name: str, ctx: Ctx, default_row: float = ROW_PT) -> None:
        self.ws = wb.add_worksheet(name)
        self.name = name
        self.ctx = ctx
        self.widest: dict[int, int] = {}
        self.extremes: dict[tuple[int, Callable[[Any], str]], list[Any]] = {}
        self.heights: dict[int, float] = {}
        self.default_row = default_row
        self.widths: dict[int, float] = {}
        self.ws.set_default_row(default_row)

    def measure(self, c: int, text: str) -> None:
        w = self.ctx.text_width(text)
        if w > self.widest.get(c, 0):
            self.widest[c] = w

    def put(self, r: int, c: int, value: Any, fmt: Any, shown: str | None = None, measure: bool = True) -> None:
        """Write one cell: numbers as numbers, every string as a string (never a formula or a link)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            self.ws.write_blank(r, c, None, fmt)
            text = ""
        elif isinstance(value, bool):
            self.ws.write_string(r, c, str(value), fmt)
            text = str(value)
        elif isinstance(value, int | float):
            self.ws.write_number(r, c, float(value), fmt)
            text = shown if shown is not None else f"{value:,}"
        elif isinstance(value, dt.datetime):
            self.ws.write_datetime(r, c, value, fmt)
            text = shown if shown is not None else "0000-00-00 00:00"
        else:
            self.ws.write_string(r, c, str(value), fmt)
            text = str(value)
        if measure:
            self.measure(c, shown if shown is not None else text)

    def text(self, r: int, c: int, text: str, fmt: Any) -> None:
        """A string cell, measured (the fast path of ``put`` for tables)."""
        self.ws.write_string(r, c, text, fmt)
        w = self.ctx.text_width(text)
        if w > self.widest.get(c, 0):
            self.widest[c] = w

    def number(self, r: int, c: int, value: Any, fmt: Any, shown: Callable[[Any], str]) -> None:
        """A number cell shown as ``shown(value)``, measured by the column's extremes (fast path of ``put``)."""
        self.ws.write_number(r, c, float(value), fmt)
        key = (c, shown)
        e = self.extremes.get(key)
        if e is None:
            self.extremes[key] = [value, value]
        elif value < e[0]:
            e[0] = value
        elif value > e[1]:
            e[1] = value

    def col_widest(self, c: int) -> int:
        """Display width of the widest text in column ``c``."""
        w = self.widest.get(c, 0)
        for (col, shown), (lo, hi) in self.extremes.items():
            if col == c:
                w = max(w, self.ctx.text_width(shown(lo)), self.ctx.text_width(shown(hi)))
        return w

    def merge(self, r1: int, c1: int, r2: int, c2: int, value: Any, fmt: Any, shown: str | None = None) -> None:
        """A merged range; its text does not count towards any column's width."""
        if (r1, c1) == (r2, c2):
            self.put(r1, c1, value, fmt, shown, measure=False)
            return
        self.ws.merge_range(r1, c1, r2, c2, "", fmt)
        self.put(r1, c1, value, fmt, shown, measure=False)

    def row(self, r: int, height: float) -> None:
        self.ws.set_row(r, height)
        self.heights[r] = height

    def height(self, r: int) -> float:
        return self.heights.get(r, self.default_row)

    def rows_height(self, r1: int, r2: int) -> float:
        """Total height (pt) of rows ``r1``..``r2``."""
        heights, default = self.heights, self.default_row
        return sum(heights.get(r, default) for r in range(r1, r2 + 1))

    def fit_columns(self, ncols: int, minimum: float = 6, maximum: float = 60,
                    fixed: dict[int, float] | None = None) -> None:
        """CJK-aware widths: a CJK character counts two columns (textnorm.column_width)."""
        for c in range(ncols):
            w = (fixed or {}).get(c)
            if w is None:
                w = clamp(self.col_widest(c), minimum, maximum)
            self.widths[c] = w
            self.ws.set_column(c, c, w)

    def col_px(self, c: int) -> int:
        w = self.widths.get(c, 8.43)
        return int(w * 7 + 0.5) + 5 if w >= 1 else int(w * 12 + 0.5)

    def span_px(self, c1: int, c2: int) -> int:
        return sum(self.col_px(c) for c in range(c1, c2 + 1))

    def page_setup(self, repeat: tuple[int, int] | None, fit_tall: int = 0) -> None:
        """A4 landscape, one page wide, title in the header, page numbers in the footer."""
        ws, ctx = self.ws, self.ctx
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, fit_tall)
        ws.center_horizontally()
        ws.set_margins(left=MARGIN_LR, right=MARGIN_LR, top=MARGIN_T, bottom=MARGIN_B)
        title = ctx.title.replace("&", "&&")[:200]
        # The space after the size keeps a title that starts with a digit from being read as a bigger size.
        ws.set_header(f'&C&"{HEAD_FONT},Regular"&12 {title}', {"margin": MARGIN_HF})
        ws.set_footer(f'&C&"{BODY_FONT},Regular"&10{ctx.L("footer")}', {"margin": MARGIN_HF})
        if repeat is not None:
            ws.repeat_rows(*repeat)

    def page_scale(self, ncols: int, extra_px: int = 0) -> float:
        return min(1.0, PAGE_W_PX / max(1, self.span_px(0, ncols - 1) + extra_px))

    def break_before_blocks(self, blocks: list[tuple[int, int, int]], scale: float, repeated_pt: float) -> list[int]:
        """Page breaks at block starts so that no block (a table band, a chart row) is cut in two.

        A block is (first row, last row, last row that must stay with the first): a list
        may flow on once its heading and first rows are placed. Breaks are computed for the
        scale that fitting one page wide gives, with a margin for the difference between
        fonts here and on the clerk's PC. A block taller than a page starts a page and flows.
        """
        capacity = PAGE_H_PT / scale * 0.95 - repeated_pt
        breaks: list[int] = []
        used = self.rows_height(0, blocks[0][0] - 1) if blocks else 0.0
        for start, end, keep in blocks:
            h = self.rows_height(start, end)
            h_keep = self.rows_height(start, keep)
            if used > 0 and used + h_keep > capacity:
                breaks.append(start)
                used = 0.0
            used = (used + h) % capacity if used + h > capacity else used + h
        self.ws.set_h_pagebreaks(breaks)
        return breaks


def print_px(width: float) -> int:
    """A column's printed width in pixels as LibreOffice lays it out (about 9.5 px a character with
    宋体 11; Excel takes about 8, xlsxwriter's own estimate 7): the wider of the two applications."""
    return int(width * 9.5 + 0.5) + 5


def print_scale(total_px: float) -> int:
    """The explicit print scale (%) at which ``total_px`` (as :func:`print_px`) fits the page width."""
    return max(10, min(100, int(PAGE_W_PX * 100 / max(1.0, total_px))))


class Pager:
    """Plans page breaks row by row for a sheet printed at an explicit scale, so that a table that
    runs onto the next page can repeat its own header there (a sheet repeats only one set of rows).

    ``need(r, pt)`` breaks before row ``r`` unless ``pt`` more points fit on the current page.
    """

    def __init__(self, scale: int, repeated_pt: float, used_pt: float = 0.0) -> None:
        self.scale = scale
        self.capacity = PAGE_H_PT * 100 / scale * 0.97 - repeated_pt
        self.used = used_pt
        self.breaks: list[int] = []

    def need(self, r: int, pt: float) -> bool:
        if self.used > 0 and self.used + pt > self.capacity:
            self.breaks.append(r)
            self.used = 0.0
            return True
        return False


@functools.lru_cache(maxsize=4096)
def text_height(text: str, width_px: float, font_pt: float = 11, line_factor: float = 1.5) -> float:
    """Row height (pt) for wrapped text in a merged cell: Excel and LibreOffice do not grow it themselves.

    Cached: the same message or reason recurs on many rows of a large bulletin.
    """
    char_px = font_pt * 96 / 72 / 2  # a display column is half a CJK em
    lines = 0
    for para in str(text).splitlines() or [""]:
        lines += max(1, math.ceil(display_width(para) * char_px / max(1.0, width_px - 6)))
    return round(lines * font_pt * line_factor + 6, 1)
