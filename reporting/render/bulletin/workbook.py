"""The bulletin workbook (通报) for the monthly meeting, written with xlsxwriter.

Everything comes from the results dict (docs/results.md); nothing else is
read, and no clock is used, so the same results give the same bytes. Six
sheets, each print-ready on A4 landscape:

1. 通报      title, data date, schedule, the district table, the narrative, issuer lines
2. 综合排名  composite ranking per group, change against last month
3. 分项指标  every unit's target, year-to-date, rate and rank per indicator, in bands
             of three indicators (a 48-column wide table would print at 25 %)
4. 图表      native charts over a data area on the same sheet; a group of more than
             CHART_MAX_UNITS units is charted by its leading and trailing CHART_ENDS
5. 报送情况  every unit and every file received
6. 数据问题  every issue with file and cell

Fills that mark a rate behind schedule (light red) or completed (green) are
static formats chosen from the scorer's ``status``, not conditional-format
rules that recompute ``rate < schedule``: the colour then always agrees with
the 状态 column and with results.json, even where rounding puts a rate a hair
from its schedule. Data bars (conditional formats) are used on the composite
scores, where no status is involved.

The same code serves a district of a dozen units and a province of tens of
thousands, so the per-cell path is kept lean: formats are looked up once per
table, not per cell; column widths keep the widest text per column (and, for
numbers, the smallest and largest value, formatted once at the end) instead
of every text; look-ups are dicts; and the narrative and the charts name and
draw leading and trailing units, never thousands.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporting.core.messages import BULLETIN_LABELS
from reporting.core.results import (
    DistrictIndicator,
    GroupResult,
    Results,
    UnitResult,
    ValueResult,
    as_results,
)
from reporting.core.textnorm import display_width
from reporting.render.narrative import (
    DASH,
    display_name,
    display_unit,
    fmt_date,
    fmt_number,
    fmt_rate,
    listed_names,
    narrative,
    status_label,
    tx,
)
from reporting.workspace.atomic import atomic_path

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

SHEETS = ["sheet.bulletin", "sheet.ranking", "sheet.indicators", "sheet.charts", "sheet.submissions", "sheet.issues"]
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def label(key: str, lang: str = "zh", /, **kw: object) -> str:
    """The bulletin label ``key`` in ``lang`` (falling back to Chinese), formatted with ``kw``."""
    entry = LABELS[key]
    text = entry.get(lang, entry["zh"])
    return text.format(**kw) if kw else text


def sheet_names(lang: str = "zh") -> list[str]:
    """The six sheet names in order, as written for ``lang``."""
    return [label(k, lang) for k in SHEETS]


# --------------------------------------------------------------------------- context

_NO_VALUES: dict[str, ValueResult] = {}
_NO_VALUE = ValueResult(status="")  # no value at all: not even "missing"


@dataclass
class _Ctx:
    """The results with the look-ups every sheet needs (dicts: no list scans per unit or value)."""

    results: Results
    lang: str
    indicators: list[DistrictIndicator] = field(default_factory=list)
    groups: list[GroupResult] = field(default_factory=list)
    units: list[UnitResult] = field(default_factory=list)
    unit_by_code: dict[str, UnitResult] = field(default_factory=dict)
    ind_by_code: dict[str, DistrictIndicator] = field(default_factory=dict)
    # values by unit, then indicator: one small dict per unit rather than a tuple key per value
    values: dict[str, dict[str, ValueResult]] = field(default_factory=dict)
    members: dict[str, list[UnitResult]] = field(default_factory=dict)
    _widths: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, results: Results, lang: str) -> _Ctx:
        ctx = cls(results=results, lang=lang)
        ctx.indicators = list(results.district.indicators)
        ctx.units = list(results.units)
        ctx.groups = list(results.groups)
        known = {g.code for g in ctx.groups}
        for u in ctx.units:  # a unit whose group is not declared still gets a heading
            if u.group not in known:
                known.add(u.group)
                ctx.groups.append(GroupResult(code=u.group, name=str(u.group or DASH)))
        ctx.unit_by_code = dict(results.unit_by_code)
        ctx.ind_by_code = {i.code: i for i in ctx.indicators}
        ctx.values = results.values_by_unit
        members: dict[str, list[UnitResult]] = {g.code: [] for g in ctx.groups}
        for u in ctx.units:
            members[u.group].append(u)
        ctx.members = members
        return ctx

    def L(self, key: str, **kw: object) -> str:
        return label(key, self.lang, **kw)

    @property
    def title(self) -> str:
        return str(self.results.title or "")

    @property
    def period_text(self) -> str:
        y, m = self.results.year, self.results.month
        if self.lang == "en" or not y or not m:
            return str(self.results.period or "")
        return f"{y}年{m}月"

    def units_in(self, group: str | None) -> list[dict[str, Any]]:
        return self.members.get(group, [])

    def value(self, unit: str, indicator: str) -> dict[str, Any]:
        """The value of ``unit`` for ``indicator`` (an empty dict when there is none)."""
        return self.values.get(unit, _NO_VALUES).get(indicator, _NO_VALUE)

    def unit_name(self, code: str | None) -> str:
        if code is None:
            return self.L("unit.unknown")
        return display_name(self.unit_by_code.get(code), self.lang, str(code))

    def ind_name(self, code: str | None) -> str:
        if code is None:
            return ""
        return display_name(self.ind_by_code.get(code), self.lang, str(code))

    def text_width(self, text: str) -> int:
        """Display width of the widest line of ``text`` (cached: names and words recur on every sheet)."""
        w = self._widths.get(text)
        if w is None:
            lines = text.splitlines()
            w = max(len(x) if x.isascii() else display_width(x) for x in lines) if lines else 0
            self._widths[text] = w
        return w


def _created(results: Results) -> dt.datetime:
    """The fixed document date: ``as_of`` at 00:00 (else the period's first day), never the clock."""
    try:
        return dt.datetime.fromisoformat(str(results.as_of)[:10])
    except ValueError:
        y, m = int(results.year or 2000), int(results.month or 1)
        return dt.datetime(y, m, 1)


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        t = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return t.replace(tzinfo=None)


def _num_fmt(decimals: int) -> str:
    d = max(0, int(decimals or 0))
    return "#,##0" if d == 0 else "#,##0." + "0" * d


# How numbers are shown, for column widths. Each is monotonic in the magnitude of the value (and a
# minus sign only widens), so the widest text of a column is that of its smallest or its largest value.
@functools.cache
def _number_text(decimals: int) -> Callable[[Any], str]:
    return functools.partial(fmt_number, decimals=decimals)


def _comma_text(value: Any) -> str:
    return f"{value:,}"


def _score_text(value: Any) -> str:
    return f"{value:.2f}"


def _change_text(value: Any) -> str:
    return f"↑{abs(value)}"


# --------------------------------------------------------------------------- writing helpers


class _Formats:
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


def _clamp(widest: int, minimum: float, maximum: float, padding: float = 2) -> float:
    """The column width for text ``widest`` display columns wide (as textnorm.column_width)."""
    return max(minimum, min(maximum, widest + padding))


class _Sheet:
    """A worksheet that remembers what it shows, for column widths and page breaks.

    For widths it keeps, per column, the display width of the widest text written, and for
    numbers the smallest and largest value per way of showing them: memory stays per column,
    not per cell, and no number is formatted as text just to be measured.
    """

    def __init__(self, wb: Any, name: str, ctx: _Ctx, default_row: float = ROW_PT) -> None:
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
                w = _clamp(self.col_widest(c), minimum, maximum)
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


@functools.lru_cache(maxsize=4096)
def _text_height(text: str, width_px: float, font_pt: float = 11, line_factor: float = 1.5) -> float:
    """Row height (pt) for wrapped text in a merged cell: Excel and LibreOffice do not grow it themselves.

    Cached: the same message or reason recurs on many rows of a large bulletin.
    """
    char_px = font_pt * 96 / 72 / 2  # a display column is half a CJK em
    lines = 0
    for para in str(text).splitlines() or [""]:
        lines += max(1, math.ceil(display_width(para) * char_px / max(1.0, width_px - 6)))
    return round(lines * font_pt * line_factor + 6, 1)


# --------------------------------------------------------------------------- 1. 通报


def _sheet_bulletin(wb: Any, F: _Formats, ctx: _Ctx) -> None:
    sh = _Sheet(wb, ctx.L("sheet.bulletin"), ctx)
    lang = ctx.lang
    ncol = 9
    heads = [tx("col.indicator", lang), tx("col.unit", lang), tx("col.target", lang), tx("col.actual", lang),
             tx("col.rate", lang), tx("col.schedule", lang), tx("col.status", lang), ctx.L("col.gap"),
             ctx.L("col.note")]
    for c, h in enumerate(heads):
        sh.put(2, c, h, F.th(), measure=True)
    sh.row(2, 36)

    r = 3
    for ind in ctx.indicators:
        d = int(ind.decimals or 0)
        st = ind.status
        has_target = ind.target is not None
        sh.put(r, 0, display_name(ind, lang), F.td(align="left", text_wrap=True))
        sh.put(r, 1, display_unit(ind, lang), F.td(align="center"))
        if has_target:
            sh.put(r, 2, ind.target, F.td(num_format=_num_fmt(d)), fmt_number(ind.target, d))
        else:
            sh.put(r, 2, DASH, F.td(align="center"))
        if ind.actual is not None:
            sh.put(r, 3, ind.actual, F.td(num_format=_num_fmt(d)), fmt_number(ind.actual, d))
        else:
            sh.put(r, 3, DASH, F.td(align="center"))
        if ind.rate is not None:
            sh.put(r, 4, ind.rate, F.td(**F.status(st, num_format=RATE_FMT)), fmt_rate(ind.rate))
        else:
            sh.put(r, 4, DASH, F.td(align="center"))
        if ind.schedule is not None:
            sh.put(r, 5, ind.schedule, F.td(num_format=RATE_FMT), fmt_rate(ind.schedule))
        else:
            sh.put(r, 5, DASH, F.td(align="center"))
        sh.put(r, 6, status_label(st, lang), F.td(**F.status(st, align="center")))
        if ind.gap is not None:
            # stored in 百分点 (gap × 100) so that the cell reads as the column says
            sh.put(r, 7, round(ind.gap * 100, 4), F.td(**F.status(st, num_format=GAP_FMT)),
                   f"{ind.gap * 100:+.1f}")
        else:
            sh.put(r, 7, DASH, F.td(align="center"))
        notes = []
        if not (ind.weight or 0) > 0:
            notes.append(ctx.L("note.unscored"))
        if ind.units_missing:
            notes.append(ctx.L("note.missing", n=ind.units_missing))
        if ind.units_pending:
            notes.append(ctx.L("note.pending", n=ind.units_pending))
        sh.put(r, 8, ctx.L("sep.note").join(notes), F.td(align="left", font_size=10))
        sh.row(r, 19)
        r += 1
    table_end = r
    sh.fit_columns(ncol, minimum=8, maximum=40, fixed=None)
    sh.widths[0] += 2  # room for the indent of the indicator names
    sh.ws.set_column(0, 0, sh.widths[0])
    for i, ind in enumerate(ctx.indicators):  # names longer than the widest column wrap
        need = _text_height(display_name(ind, lang), sh.col_px(0) - 10, 11, 1.35)
        if need > _text_height("", 1, 11, 1.35):  # more than one line
            sh.row(3 + i, need)
    if sh.widths[8] < 12:
        sh.widths[8] = 12
        sh.ws.set_column(8, 8, 12)
    total_px = sh.span_px(0, ncol - 1)

    # title and data line (after the widths, which they must not widen)
    sh.merge(0, 0, 0, ncol - 1, ctx.title, F(font_name=TITLE_FONT, font_size=18, bold=True, align="center",
                                              text_wrap=True))
    sh.row(0, max(40.0, _text_height(ctx.title, total_px, 18, 1.4)))
    sh.merge(1, 0, 1, 1, ctx.L("as_of", date=fmt_date(ctx.results.as_of, lang)), F(align="left"))
    sh.merge(1, 2, 1, 3, ctx.L("schedule_label"), F(align="right"))
    sched = ctx.results.schedule
    sh.put(1, 4, sched if sched is not None else DASH, F(num_format=RATE_FMT, align="left"), measure=False)
    sh.row(1, 22)

    # narrative
    r += 1
    sh.merge(r, 0, r, ncol - 1, ctx.L("heading.narrative"), F(font_name=HEAD_FONT, font_size=12, align="left"))
    sh.row(r, 24)
    r += 1
    indent = "\u3000\u3000" if lang == "zh" else ""
    for para in narrative(ctx.results, lang):
        text = indent + para
        sh.merge(r, 0, r, ncol - 1, text, F(font_size=12, text_wrap=True, align="left", valign="top"))
        sh.row(r, _text_height(text, total_px, 12, 1.45))
        r += 1
    r += 1
    groups = ctx.L("sep.groups").join(display_name(g, lang) for g in ctx.groups)
    district = ctx.results.district
    issuer = (district.issuer_en if lang == "en" else "") or district.issuer
    lines = [ctx.L("issuer", issuer=issuer),
             ctx.L("made_on", date=fmt_date(ctx.results.as_of, lang)),
             ctx.L("source", groups=groups, s5=ctx.L("sheet.submissions"), s6=ctx.L("sheet.issues"))]
    for line in lines:
        sh.merge(r, 0, r, ncol - 1, line, F(align="left", text_wrap=True))
        sh.row(r, max(20.0, _text_height(line, total_px, 11, 1.4)))
        r += 1

    sh.ws.freeze_panes(3, 1)
    # One page when it fits at a readable scale (the first page is what the meeting reads);
    # otherwise one page wide and as many tall as the text needs. The table header repeats
    # only when the table itself runs past page 1: repeated above the narrative on page 2
    # it would look like a table that lost its rows.
    scale = sh.page_scale(ncol)
    total_pt = sum(sh.height(i) for i in range(r))
    fits = total_pt * scale <= PAGE_H_PT * 1.35
    table_pt = sum(sh.height(i) for i in range(table_end))
    long_table = table_pt * scale > PAGE_H_PT * 0.95
    sh.page_setup(repeat=(2, 2) if long_table else None, fit_tall=1 if fits else 0)
    sh.ws.print_area(0, 0, r - 1, ncol - 1)


# --------------------------------------------------------------------------- 2. 综合排名


def _submission_text(u: UnitResult, ctx: _Ctx) -> str:
    st = u.status
    if st == "missing":
        return ctx.L("unit.missing")
    if st == "errors":
        return ctx.L("unit.errors", e=u.errors or 0)
    if st == "warnings":
        return ctx.L("unit.warnings", w=u.warnings or 0)
    return ctx.L("unit.ok")


def _sheet_ranking(wb: Any, F: _Formats, ctx: _Ctx) -> None:
    sh = _Sheet(wb, ctx.L("sheet.ranking"), ctx, default_row=20)
    lang = ctx.lang
    heads = [ctx.L("col.rank"), ctx.L("col.unit_name"), ctx.L("col.score"), ctx.L("col.prev_rank"),
             ctx.L("col.change"), ctx.L("col.on_schedule"), ctx.L("col.submission")]
    ncol = len(heads)
    for c, h in enumerate(heads):
        sh.put(2, c, h, F.th())
    sh.row(2, 36)
    r = 3
    tied_fmt = ctx.L("tied_fmt")
    change_fmt = ctx.L("change_fmt")
    tied_word = tied_fmt.split('"')[1]

    def tied_text(rank: Any) -> str:
        return tied_word + str(rank)

    f_rank = F.td(align="center", num_format="0")
    f_tied = F.td(align="center", num_format=tied_fmt)
    f_center = F.td(align="center")
    f_name = F.td(align="left")
    f_score = F.td(num_format=SCORE_FMT)
    f_change = F.td(align="center", num_format=change_fmt)
    f_look = {"missing": F.td(align="center", **F.status("missing")),
              "errors": F.td(align="center", **F.status("behind"))}
    text, number = sh.text, sh.number
    for g in ctx.groups:
        members = ctx.units_in(g.code)
        if not members:
            continue
        sh.merge(r, 0, r, ncol - 1, display_name(g, lang), F.group())
        r += 1
        first = r
        ranked = [u for u in members if u.rank is not None]
        unranked = [u for u in members if u.rank is None]
        for u in ranked + unranked:
            st = u.status
            rank = u.rank
            if rank is not None:
                if u.rank_tied:
                    number(r, 0, rank, f_tied, tied_text)
                else:
                    number(r, 0, rank, f_rank, str)
            else:
                text(r, 0, DASH, f_center)
            text(r, 1, display_name(u, lang), f_name)
            if u.score is not None:
                number(r, 2, u.score, f_score, _score_text)
            else:
                text(r, 2, DASH, f_center)
            prev = u.previous_rank
            if prev is not None:
                number(r, 3, prev, f_rank, _comma_text)
            else:
                text(r, 3, DASH, f_rank)
            change = u.rank_change
            if change is not None and rank is not None:
                number(r, 4, change, f_change, _change_text)
            else:
                text(r, 4, DASH, f_center)
            if st == "missing" or not u.scored:
                text(r, 5, DASH, f_center)
            else:
                text(r, 5, f"{u.on_schedule or 0}/{u.scored or 0}", f_center)
            text(r, 6, _submission_text(u, ctx), f_look.get(st, f_center))
            r += 1
        if ranked:
            sh.ws.conditional_format(first, 2, first + len(ranked) - 1, 2, {
                "type": "data_bar", "bar_color": "#9DC3E6", "bar_solid": True,
                "min_type": "num", "min_value": 0, "max_type": "max"})
    sh.fit_columns(ncol, minimum=8, maximum=40, fixed={2: 12})
    total_px = sh.span_px(0, ncol - 1)
    sh.merge(0, 0, 0, ncol - 1, ctx.L("ranking.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    note = ctx.L("ranking.note", cap=fmt_rate(ctx.results.cap).replace(".0%", "%"))
    sh.merge(1, 0, 1, ncol - 1, note, F.note())
    sh.row(1, _text_height(note, total_px, 10, 1.45))
    sh.ws.freeze_panes(3, 0)
    sh.page_setup(repeat=(2, 2))


# --------------------------------------------------------------------------- 3. 分项指标


def _sheet_indicators(wb: Any, F: _Formats, ctx: _Ctx) -> None:
    sh = _Sheet(wb, ctx.L("sheet.indicators"), ctx)
    lang = ctx.lang
    bands = [ctx.indicators[i:i + BAND] for i in range(0, len(ctx.indicators), BAND)] or [[]]
    ncol = 1 + 4 * max(len(b) for b in bands)
    sub_heads = [tx("col.target", lang), tx("col.actual", lang), tx("col.rate", lang), ctx.L("col.rank")]
    cells = _ValueCells(sh, F, ctx)
    # each unit's name once, not once per band
    names = {g.code: [display_name(u, lang) for u in ctx.units_in(g.code)] for g in ctx.groups}
    blocks: list[tuple[int, int, int]] = []
    header_texts: list[tuple[int, str]] = []
    f_name = F.td(align="left")
    r = 3
    for band in bands:
        start = r
        sh.merge(r, 0, r + 1, 0, ctx.L("col.unit_name"), F.th())
        for j, ind in enumerate(band):
            c = 1 + 4 * j
            sched = fmt_rate(ind.schedule)
            w = ind.weight or 0
            key = "ind.header" if w > 0 else "ind.header_unscored"
            text = ctx.L(key, name=display_name(ind, lang), unit=display_unit(ind, lang), weight=f"{w:g}",
                         schedule=sched)
            sh.merge(r, c, r, c + 3, text, F.th())
            header_texts.append((r, text))
            for k, h in enumerate(sub_heads):
                sh.put(r + 1, c + k, h, F.th())
        sh.row(r + 1, 20)
        r += 2
        specs = [cells.spec(1 + 4 * j, ind) for j, ind in enumerate(band)]
        for g in ctx.groups:
            members = ctx.units_in(g.code)
            if not members:
                continue
            sh.merge(r, 0, r, ncol - 1, display_name(g, lang), F.group())
            r += 1
            for u, name in zip(members, names[g.code], strict=True):
                sh.text(r, 0, name, f_name)
                cells.write(r, u, specs)
                r += 1
        # district totals
        sh.put(r, 0, ctx.L("district_total"), F.td(align="left", font_name=HEAD_FONT))
        for j, ind in enumerate(band):
            c = 1 + 4 * j
            d = int(ind.decimals or 0)
            bold = {"font_name": HEAD_FONT}
            if ind.target is not None:
                sh.put(r, c, ind.target, F.td(num_format=_num_fmt(d), **bold), fmt_number(ind.target, d))
            else:
                sh.put(r, c, DASH, F.td(align="center"))
            if ind.actual is not None:
                sh.put(r, c + 1, ind.actual, F.td(num_format=_num_fmt(d), **bold), fmt_number(ind.actual, d))
            else:
                sh.put(r, c + 1, DASH, F.td(align="center"))
            if ind.rate is not None:
                sh.put(r, c + 2, ind.rate, F.td(**F.status(ind.status, num_format=RATE_FMT, **bold)),
                       fmt_rate(ind.rate))
            else:
                sh.put(r, c + 2, DASH, F.td(align="center"))
            sh.put(r, c + 3, DASH, F.td(align="center"))
        for c in range(1 + 4 * len(band), ncol):  # a short last band: keep the grid closed
            sh.put(r, c, None, F.td(), measure=False)
        blocks.append((start, r, r))
        r += 2  # a blank row between bands

    # remarks sent with the returns (strings from submissions: written as strings)
    remarks = [v for v in ctx.results.values if str(v.remark or "").strip()]
    remark_rows: list[tuple[int, str]] = []
    if remarks:
        start = r
        sh.merge(r, 0, r, ncol - 1, ctx.L("remarks.title"), F(font_name=HEAD_FONT, font_size=12, align="left"))
        sh.row(r, 24)
        r += 1
        mid = min(ncol - 1, 4)
        sh.put(r, 0, ctx.L("col.unit_name"), F.th(), measure=False)
        sh.merge(r, 1, r, mid, tx("col.indicator", lang), F.th())
        if ncol - 1 > mid:
            sh.merge(r, mid + 1, r, ncol - 1, ctx.L("col.remark"), F.th())
        r += 1
        f_left, f_wrap = F.td(align="left"), F.td(align="left", text_wrap=True)
        for v in remarks:
            sh.text(r, 0, ctx.unit_name(v.unit), f_left)
            sh.merge(r, 1, r, mid, ctx.ind_name(v.indicator), f_left)
            if ncol - 1 > mid:
                sh.merge(r, mid + 1, r, ncol - 1, str(v.remark), f_wrap)
                remark_rows.append((r, str(v.remark)))
            r += 1
        blocks.append((start, r - 1, min(r - 1, start + 3)))

    # widths: the unit column fits names; the value columns share one width so the bands line up
    sh.fit_columns(1, minimum=10, maximum=30)
    w = _clamp(max([cells.widest()] + [sh.col_widest(c) for c in range(1, ncol)]), 10, 16)
    for c in range(1, ncol):
        sh.widths[c] = w
        sh.ws.set_column(c, c, w)
    for row, text in header_texts:
        need = _text_height(text, 4 * sh.col_px(1), 11, 1.4)
        sh.row(row, max(sh.heights.get(row, 0), need, 36))
    for row, text in remark_rows:
        sh.row(row, max(ROW_PT, _text_height(text, sh.span_px(5, ncol - 1), 11, 1.4)))
    total_px = sh.span_px(0, ncol - 1)
    sh.merge(0, 0, 0, ncol - 1, ctx.L("indicators.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    note = ctx.L("indicators.note")
    sh.merge(1, 0, 1, ncol - 1, note, F.note())
    sh.row(1, _text_height(note, total_px, 10, 1.45))
    sh.row(2, 6)
    sh.ws.freeze_panes(3, 1)
    sh.page_setup(repeat=(0, 0))
    sh.break_before_blocks(blocks, sh.page_scale(ncol), repeated_pt=sh.height(0))


class _ValueCells:
    """Writes a unit's four cells per indicator: 年度目标 | 累计完成 | 完成率 | 排名.

    On a provincial bulletin these are most of the workbook's cells, so this is the lean path:
    formats and words are looked up once per status, cells go straight to xlsxwriter, and the
    width they need is kept as the extremes of each kind of number (``widest`` formats them
    once at the end) and the set of words written.
    """

    def __init__(self, sh: _Sheet, F: _Formats, ctx: _Ctx) -> None:
        self.sh, self.ctx, self.F = sh, ctx, F
        tied_fmt = ctx.L("tied_fmt")
        tied_word = tied_fmt.split('"')[1]
        self.tied_text: Callable[[Any], str] = lambda rank: tied_word + str(rank)
        self.f_center = F.td(align="center")
        self.f_rank = F.td(align="center", num_format="0")
        self.f_tied = F.td(align="center", num_format=tied_fmt)
        self.f_rate = F.by_status(num_format=RATE_FMT)
        self.f_word = F.by_status(align="center")
        self.words: dict[str, str] = {}
        # [smallest, largest] per way of showing: ("n", decimals), "rate", "rank", "tied"
        self.extremes: dict[Any, list[Any]] = {}
        self.texts: set[str] = set()

    def spec(self, c: int, ind: DistrictIndicator) -> tuple[int, str, Any, list[Any]]:
        """What ``write`` needs for ``ind`` from column ``c``: its code, number format and number extremes."""
        d = int(ind.decimals or 0)
        ext = self.extremes.setdefault(("n", d), [math.inf, -math.inf])
        return c, ind.code, self.F.td(num_format=_num_fmt(d)), ext

    def write(self, r: int, u: UnitResult, specs: list[tuple[int, str, Any, list[Any]]]) -> None:
        """Row ``r`` for unit ``u``, one ``spec`` per indicator."""
        ws = self.sh.ws
        write_number, write_string = ws.write_number, ws.write_string
        f_center = self.f_center
        extremes = self.extremes
        e_rate = extremes.setdefault("rate", [math.inf, -math.inf])
        e_rank = extremes.setdefault("rank", [math.inf, -math.inf])
        e_tied = extremes.setdefault("tied", [math.inf, -math.inf])
        dash = False
        unit_missing = u.status == "missing"
        uvals = self.ctx.values.get(u.code, _NO_VALUES)
        for c, code, f_num, e_num in specs:
            v = uvals.get(code, _NO_VALUE)
            st = v.status or ("missing" if unit_missing else None)
            target = v.target
            if target is not None:
                write_number(r, c, float(target), f_num)
                if target < e_num[0]:
                    e_num[0] = target
                if target > e_num[1]:
                    e_num[1] = target
            else:
                write_string(r, c, DASH, f_center)
                dash = True
            actual = v.actual
            if st in ("missing", "pending") or (actual is None and st is None):
                key = st or "missing"
                word = self.words.get(key)
                if word is None:
                    word = self.words[key] = status_label(key, self.ctx.lang)
                    self.texts.add(word)
                write_string(r, c + 1, word, self.f_word(key))
            elif actual is None:
                write_string(r, c + 1, DASH, f_center)
                dash = True
            else:
                write_number(r, c + 1, float(actual), f_num)
                if actual < e_num[0]:
                    e_num[0] = actual
                if actual > e_num[1]:
                    e_num[1] = actual
            rate = v.rate
            if rate is not None:
                write_number(r, c + 2, float(rate), self.f_rate(st))
                if rate < e_rate[0]:
                    e_rate[0] = rate
                if rate > e_rate[1]:
                    e_rate[1] = rate
            else:
                write_string(r, c + 2, DASH, f_center)
                dash = True
            rank = v.rank
            if rank is not None:
                tied = v.rank_tied
                write_number(r, c + 3, float(rank), self.f_tied if tied else self.f_rank)
                e = e_tied if tied else e_rank
                if rank < e[0]:
                    e[0] = rank
                if rank > e[1]:
                    e[1] = rank
            else:
                write_string(r, c + 3, DASH, f_center)
                dash = True
        if dash:
            self.texts.add(DASH)

    def widest(self) -> int:
        """Display width of the widest text written (as each cell would be shown)."""
        shown: dict[Any, Callable[[Any], str]] = {"rate": fmt_rate, "rank": str, "tied": self.tied_text}
        w = max((self.ctx.text_width(t) for t in self.texts), default=0)
        for kind, (lo, hi) in self.extremes.items():
            if lo > hi:  # nothing of this kind written
                continue
            fmt = _number_text(kind[1]) if isinstance(kind, tuple) else shown[kind]
            w = max(w, self.ctx.text_width(fmt(lo)), self.ctx.text_width(fmt(hi)))
        return w


# --------------------------------------------------------------------------- 4. 图表


def key_indicators(results: Results | dict[str, Any], n: int = KEY_CHARTS) -> list[dict[str, Any]]:
    """The ``n`` scored indicators with the highest weights (catalogue order breaks ties)."""
    results = as_results(results)
    inds = [i for i in results.district.indicators if (i.weight or 0) > 0]
    order = {id(i): k for k, i in enumerate(inds)}
    return sorted(inds, key=lambda i: (-(i.weight or 0), order[id(i)]))[:n]


def _trend_rows(ctx: _Ctx, keys: list[dict[str, Any]]) -> list[tuple[int, dict[str, float | None]]]:
    """Months of this year with the district's completion rate per key indicator (history + this month)."""
    year, month = ctx.results.year, ctx.results.month
    by_month: dict[int, dict[str, Any]] = {}
    for h in ctx.results.history or []:
        try:
            y, m = (int(p) for p in str(h.period).split("-"))
        except ValueError:
            continue
        if y == year and (month is None or m <= month):
            by_month[m] = dict(h.indicators or {})
    if month and month not in by_month and by_month:
        by_month[month] = {i.code: i.actual for i in ctx.indicators}
    rows = []
    for m in sorted(by_month):
        rates: dict[str, float | None] = {}
        for ind in keys:
            target, actual = ind.target, by_month[m].get(ind.code)
            rates[ind.code] = round(actual / target, 4) if target and actual is not None else None
        rows.append((m, rates))
    return rows


def _font(size: float = 9, head: bool = False, **kw: Any) -> dict[str, Any]:
    return {"name": HEAD_FONT if head else BODY_FONT, "size": size, **kw}


def _ends(items: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """The leading and trailing CHART_ENDS of ``items`` (in order), None standing for the units between."""
    if len(items) <= 2 * CHART_ENDS:
        return list(items)
    return [*items[:CHART_ENDS], None, *items[-CHART_ENDS:]]


def _sheet_charts(wb: Any, F: _Formats, ctx: _Ctx) -> None:
    sh = _Sheet(wb, ctx.L("sheet.charts"), ctx, default_row=15)  # 15 pt = 20 px: chart rows are whole rows
    name, lang = sh.name, ctx.lang
    keys = [k for k in key_indicators(ctx.results) if any(
        ctx.value(u.code, k.code).rate is not None for u in ctx.units)]
    by_group: dict[Any, list[dict[str, Any]]] = {}  # the units charted, by group (the missing are left out)
    for u in ctx.units:
        if u.status != "missing":
            by_group.setdefault(u.group, []).append(u)
    chart_units = [u for u in ctx.units if u.status != "missing"]
    groups = [g for g in ctx.groups if by_group.get(g.code)]
    # A group of more than CHART_MAX_UNITS units is charted by its leading and trailing units: a
    # chart of hundreds of columns or bars can be neither read nor printed.
    large = [g for g in groups if len(by_group[g.code]) > CHART_MAX_UNITS]
    scores: dict[Any, list[dict[str, Any] | None]] = {}
    for g in groups:
        members = [u for u in by_group[g.code] if u.score is not None]
        if members:
            members.sort(key=lambda u: (u.rank is None, u.rank or 0))
            scores[g.code] = _ends(members) if len(members) > CHART_MAX_UNITS else list(members)
    score_groups = [g for g in groups if g.code in scores]
    trend = _trend_rows(ctx, [k for k in keys if k.target])
    has_trend = len(trend) >= 2 and any(v is not None for _, rates in trend for v in rates.values())

    # ---- layout of chart rows (pixels), then the data area below them
    wide = 2 * CHART_W + CHART_GAP
    chart_rows: list[list[tuple[str, Any, int, int]]] = []
    if large:  # up to 2 × CHART_ENDS columns per group: one chart to a row, the full width, two to a page
        chart_rows.extend([("rate", k, wide, CHART_H - 20)] for k in keys)
    else:
        for i in range(0, len(keys), 2):
            chart_rows.append([("rate", k, CHART_W, CHART_H) for k in keys[i:i + 2]])
    for i in range(0, len(score_groups), 2):
        row = []
        for g in score_groups[i:i + 2]:
            n = len(scores[g.code])
            row.append(("score", g, CHART_W, max(CHART_H, min(SCORE_BAR_PX * n + 90, SCORE_CHART_MAX_PX))))
        chart_rows.append(row)
    if has_trend:
        chart_rows.append([("trend", None, wide, CHART_H)])
    row_px = 20
    r = 2
    placed: list[tuple[int, list[tuple[str, Any, int, int]]]] = []
    blocks: list[tuple[int, int, int]] = []
    for cr in chart_rows:
        h = max(c[3] for c in cr)
        n_rows = math.ceil((h + 12) / row_px)
        placed.append((r, cr))
        blocks.append((r, r + n_rows - 1, r + n_rows - 1))
        r += n_rows
    data_start = r + 1

    # ---- data area
    G = len(groups)
    side = (1 if keys else 0) if large else len(keys)  # key indicators side by side in the rate table
    r = data_start
    sh.merge(r, 0, r, max(1, side * (G + 1)), ctx.L("data.rates"), F(font_name=HEAD_FONT, font_size=12))
    data_blocks_start = r
    r += 1
    fixed: dict[int, float] = {}
    # per key indicator: (header row, first row, last row, (first rate column, schedule column))
    rate_tables: dict[str, tuple[int, int, int, tuple[int, int]]] = {}
    if not large:  # every unit: one table, the key indicators side by side
        r = _rate_table(sh, F, ctx, r, keys, groups, chart_units, fixed, rate_tables)
    else:  # one table per key indicator: its own leading and trailing units in each group
        for ind in keys:
            rows: list[dict[str, Any] | None] = []
            for g in groups:
                members = by_group[g.code]
                if g in large:
                    rated = [u for u in members if ctx.value(u.code, ind.code).rate is not None]
                    rated.sort(key=lambda u: -ctx.value(u.code, ind.code).rate)  # stable: rank order
                    rows.extend(_ends(rated))
                else:
                    rows.extend(members)
            r = _rate_table(sh, F, ctx, r, [ind], groups, rows, fixed, rate_tables) + 1

    r += 1
    sh.merge(r, 0, r, 3, ctx.L("data.scores"), F(font_name=HEAD_FONT, font_size=12))
    r += 1
    for c, h in enumerate([ctx.L("col.unit_name"), ctx.L("col.group"), ctx.L("col.score"), ctx.L("col.rank")]):
        sh.put(r, c, h, F.th())
    r += 1
    score_ranges: dict[str, tuple[int, int]] = {}
    f_left, f_center, f_score = F.td(align="left"), F.td(align="center"), F.td(num_format=SCORE_FMT)
    for g in score_groups:
        start = r
        gname = display_name(g, lang)
        for u in scores[g.code]:
            if u is None:  # between the leading and the trailing units
                sh.put(r, 0, ELLIPSIS, f_center)
                sh.put(r, 1, gname, f_left)
                sh.put(r, 2, None, f_score, measure=False)
                sh.put(r, 3, None, f_center, measure=False)
            else:
                sh.put(r, 0, display_name(u, lang), f_left)
                sh.put(r, 1, gname, f_left)
                sh.put(r, 2, u.score, f_score, f"{u.score:.2f}")
                sh.put(r, 3, u.rank if u.rank is not None else DASH, f_center)
            r += 1
        score_ranges[g.code] = (start, r - 1)

    trend_rows: tuple[int, int] = (0, -1)
    trend_head = 0
    trend_cols: dict[str, int] = {}
    if has_trend:
        r += 1
        sh.merge(r, 0, r, 1 + len(keys), ctx.L("data.trend"), F(font_name=HEAD_FONT, font_size=12))
        r += 1
        trend_head = r
        sh.put(r, 0, ctx.L("col.month"), F.th())
        for k, ind in enumerate(keys):
            trend_cols[ind.code] = 1 + k
            sh.put(r, 1 + k, display_name(ind, lang), F.th(), measure=False)
        sh.put(r, 1 + len(keys), ctx.L("chart.schedule_avg"), F.th(), measure=False)
        sh.row(r, 50)
        r += 1
        start = r
        for m, rates in trend:
            sh.put(r, 0, ctx.L("month", m=m, abbr=_MONTHS_EN[m - 1]), F.td(align="center"))
            for ind in keys:
                rate = rates.get(ind.code)
                sh.put(r, trend_cols[ind.code], rate, F.td(num_format=RATE_FMT),
                       fmt_rate(rate) if rate is not None else "")
            sh.put(r, 1 + len(keys), round(m / 12, 4), F.td(num_format=RATE_FMT), fmt_rate(m / 12))
            r += 1
        trend_rows = (start, r - 1)
    last_row = r - 1

    ncol_data = max(4, 1 + side * (G + 1), 2 + len(keys))
    for c in range(1, ncol_data):
        fixed.setdefault(c, 12.0 if c == 1 else 9.0)
    widest_group = max((display_width(display_name(g, lang)) for g in groups), default=4)
    fixed[1] = max(fixed[1], min(16.0, widest_group + 2.0))  # 类别 in the score table
    sh.fit_columns(ncol_data, minimum=9, maximum=20, fixed=fixed)

    # ---- charts
    rate_title = "chart.rate" if not large else "chart.rate_ends" if len(large) == len(groups) else "chart.rate_some"
    for top, cr in placed:
        x = 0
        for kind, obj, w, h in cr:
            chart: Any
            if kind == "rate":
                head, first, last, cols = rate_tables[obj.code]
                title = ctx.L(rate_title, name=display_name(obj, lang), n=CHART_ENDS, limit=CHART_MAX_UNITS)
                chart = _rate_chart(wb, ctx, name, title, groups, cols, head, first, last)
            elif kind == "score":
                s, e = score_ranges[obj.code]
                ends = None in scores[obj.code]
                title = ctx.L("chart.score_ends" if ends else "chart.score", group=display_name(obj, lang),
                              n=CHART_ENDS)
                chart = _score_chart(wb, ctx, name, title, obj, s, e, groups.index(obj))
            else:
                chart = _trend_chart(wb, ctx, name, keys, trend_rows, trend_cols, 1 + len(keys), trend_head)
            chart.set_size({"width": w, "height": h})
            sh.ws.insert_chart(top, 0, chart, {"x_offset": x, "y_offset": 4, "object_position": 1})
            x += w + CHART_GAP

    chart_px = wide
    total_px = max(chart_px, sh.span_px(0, ncol_data - 1))
    last_col = 0
    acc = 0
    while acc < total_px:
        acc += sh.col_px(last_col)
        last_col += 1
    last_col = max(last_col - 1, ncol_data - 1)
    sh.merge(0, 0, 0, last_col, ctx.L("charts.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    if large or any(None in members for members in scores.values()):
        note = ctx.L("charts.note_ends", limit=CHART_MAX_UNITS, n=CHART_ENDS, s2=ctx.L("sheet.ranking"),
                     s3=ctx.L("sheet.indicators"))
        sh.merge(1, 0, 1, last_col, note, F.note())
        sh.row(1, max(18.0, _text_height(note, sh.span_px(0, last_col), 10, 1.45)))
    else:
        sh.merge(1, 0, 1, last_col, ctx.L("charts.note"), F.note())
        sh.row(1, 18)
    sh.page_setup(repeat=(0, 0))
    scale = min(1.0, PAGE_W_PX / sh.span_px(0, last_col))
    blocks.append((data_blocks_start, max(data_blocks_start, last_row), data_blocks_start))
    breaks = sh.break_before_blocks(blocks, scale, repeated_pt=sh.height(0))
    if data_blocks_start not in breaks and placed:  # the data area starts its own page
        sh.ws.set_h_pagebreaks(sorted(set(breaks) | {data_blocks_start}))
    sh.ws.print_area(0, 0, max(last_row, blocks[-1][1]), last_col)


def _rate_table(sh: _Sheet, F: _Formats, ctx: _Ctx, r: int, inds: list[dict[str, Any]],
                groups: list[dict[str, Any]], units: list[dict[str, Any] | None], fixed: dict[int, float],
                tables: dict[str, tuple[int, int, int, tuple[int, int]]]) -> int:
    """A table of completion rates from row ``r``: a column per group and the schedule, per indicator.

    A unit's rate is in its group's column, so that each group is one coloured series; None in
    ``units`` is the row between a group's leading and trailing units. Records where each
    indicator's data are in ``tables``; returns the row after the table.
    """
    lang = ctx.lang
    G = len(groups)
    hdr1, hdr2 = r, r + 1
    sh.merge(hdr1, 0, hdr2, 0, ctx.L("col.unit_name"), F.th())
    cols: dict[str, tuple[int, int]] = {}
    for k, ind in enumerate(inds):
        c0 = 1 + k * (G + 1)
        for gi, g in enumerate(groups):  # a group column fits its name; the schedule column is narrow
            fixed[c0 + gi] = max(fixed.get(c0 + gi, 9.0), min(16.0, display_width(display_name(g, lang)) + 2.0))
        fixed[c0 + G] = max(fixed.get(c0 + G, 9.0), 9.0)
        cols[ind.code] = (c0, c0 + G)
        sh.merge(hdr1, c0, hdr1, c0 + G, display_name(ind, lang), F.th())
        for gi, g in enumerate(groups):
            sh.put(hdr2, c0 + gi, display_name(g, lang), F.th())
        sh.put(hdr2, c0 + G, tx("col.schedule", lang), F.th())
    sh.row(hdr1, 36)
    r = hdr2 + 1
    first = r
    gindex = {g.code: gi for gi, g in enumerate(groups)}
    f_left, f_center, f_rate = F.td(align="left"), F.td(align="center"), F.td(num_format=RATE_FMT)
    for u in units:
        if u is None:
            sh.put(r, 0, ELLIPSIS, f_center)
        else:
            sh.put(r, 0, display_name(u, lang), f_left)
        for ind in inds:
            c0, _ = cols[ind.code]
            v = ctx.value(u.code, ind.code) if u is not None else _NO_VALUE
            ug = gindex.get(u.group) if u is not None else None
            for gi in range(G):
                rate = v.rate if gi == ug else None
                sh.put(r, c0 + gi, rate, f_rate, fmt_rate(rate) if rate is not None else "")
            sched = ind.schedule
            sh.put(r, c0 + G, sched, f_rate, fmt_rate(sched))
        r += 1
    for ind in inds:
        tables[ind.code] = (hdr2, first, r - 1, cols[ind.code])
    return r


def _style_chart(chart: Any, title: str) -> None:
    chart.set_title({"name": title, "name_font": _font(12, head=True, bold=False)})
    chart.set_legend({"position": "bottom", "font": _font(9)})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})


def _rate_chart(wb: Any, ctx: _Ctx, sheet: str, title: str, groups: list[dict[str, Any]],
                cols: tuple[int, int], head_row: int, r0: int, r1: int) -> Any:
    """Columns: units' completion rates, one series per group; a dashed line: the indicator's schedule."""
    c0, csched = cols
    cat = [sheet, r0, 0, r1, 0]
    chart = wb.add_chart({"type": "column"})
    for gi, _g in enumerate(groups):
        chart.add_series({
            "name": [sheet, head_row, c0 + gi], "categories": cat, "values": [sheet, r0, c0 + gi, r1, c0 + gi],
            "fill": {"color": PALETTE[gi % len(PALETTE)]}, "border": {"none": True},
            "gap": 60, "overlap": 100,
        })
    line = wb.add_chart({"type": "line"})
    line.add_series({
        "name": [sheet, head_row, csched], "categories": cat, "values": [sheet, r0, csched, r1, csched],
        "line": {"color": SCHEDULE_COLOUR, "width": 1.75, "dash_type": "dash"}, "marker": {"type": "none"},
    })
    chart.combine(line)
    _style_chart(chart, title)
    chart.set_x_axis({"num_font": _font(9, rotation=-45), "major_tick_mark": "none",
                      "line": {"color": "#808080"}})
    # a fixed plot area: room below for slanted unit names, the same in Excel and LibreOffice
    chart.set_plotarea({"layout": {"x": 0.09, "y": 0.14, "width": 0.88, "height": 0.5}})
    chart.set_y_axis({"num_format": "0%", "min": 0, "num_font": _font(9),
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                      "line": {"none": True}})
    return chart


def _score_chart(wb: Any, ctx: _Ctx, sheet: str, title: str, g: GroupResult, r0: int, r1: int, gi: int) -> Any:
    """Horizontal bars of composite scores for one group, rank 1 at the top."""
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": display_name(g, ctx.lang),
        "categories": [sheet, r0, 0, r1, 0], "values": [sheet, r0, 2, r1, 2],
        "fill": {"color": PALETTE[gi % len(PALETTE)]}, "border": {"none": True}, "gap": 50,
        "data_labels": {"value": True, "num_format": "0.00", "font": _font(9)},
    })
    _style_chart(chart, title)
    chart.set_legend({"none": True})
    # rank 1 at the top; crossing at the last category keeps the score axis at the bottom
    chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": _font(9), "major_tick_mark": "none"})
    chart.set_x_axis({"min": 0, "num_font": _font(9), "num_format": "0",
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    return chart


def _trend_chart(wb: Any, ctx: _Ctx, sheet: str, keys: list[dict[str, Any]], rows: tuple[int, int],
                 cols: dict[str, int], sched_col: int, head_row: int) -> Any:
    """Lines: the district's year-to-date completion by month per key indicator, and the average schedule."""
    r0, r1 = rows
    chart = wb.add_chart({"type": "line"})
    cat = [sheet, r0, 0, r1, 0]
    for k, ind in enumerate(keys):
        if ind.code not in cols:
            continue
        c = cols[ind.code]
        colour = PALETTE[k % len(PALETTE)]
        chart.add_series({
            "name": display_name(ind, ctx.lang), "categories": cat, "values": [sheet, r0, c, r1, c],
            "line": {"color": colour, "width": 2}, "marker": {"type": "circle", "size": 5,
                                                              "fill": {"color": colour}, "border": {"color": colour}},
        })
    chart.add_series({
        "name": [sheet, head_row, sched_col], "categories": cat, "values": [sheet, r0, sched_col, r1, sched_col],
        "line": {"color": SCHEDULE_COLOUR, "width": 1.75, "dash_type": "dash"}, "marker": {"type": "none"},
    })
    _style_chart(chart, ctx.L("chart.trend"))
    chart.set_x_axis({"num_font": _font(9), "major_tick_mark": "none"})
    chart.set_y_axis({"num_format": "0%", "min": 0, "num_font": _font(9),
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    return chart


# --------------------------------------------------------------------------- 5. 报送情况


def _sheet_submissions(wb: Any, F: _Formats, ctx: _Ctx) -> None:
    sh = _Sheet(wb, ctx.L("sheet.submissions"), ctx)
    lang = ctx.lang
    units = ctx.units
    files = list(ctx.results.files or [])
    missing = [u for u in units if u.status == "missing"]
    ncol = 9
    r = 2
    sh.merge(r, 0, r, ncol - 1, ctx.L("submissions.units"), F(font_name=HEAD_FONT, font_size=12, align="left"))
    sh.row(r, 24)
    r += 1
    heads = [ctx.L("col.no"), ctx.L("col.unit_name"), ctx.L("col.group"), ctx.L("col.return_status"),
             ctx.L("col.file_used"), ctx.L("col.received"), ctx.L("col.errors"), ctx.L("col.warnings")]
    for c, h in enumerate(heads):
        sh.put(r, c, h, F.th())
    sh.put(r, 8, None, F(), measure=False)
    r += 1
    group_names = {g.code: display_name(g, lang) for g in ctx.groups}
    f_no, f_left, f_center = F.td(align="center", num_format="0"), F.td(align="left"), F.td(align="center")
    f_look = {"missing": F.td(align="center", **F.status("missing")),
              "errors": F.td(align="center", **F.status("behind"))}
    times = _Times(sh, F)
    text, number = sh.text, sh.number
    for n, u in enumerate(units, 1):
        st = u.status
        number(r, 0, n, f_no, str)
        text(r, 1, display_name(u, lang), f_left)
        text(r, 2, group_names.get(u.group, str(u.group or "")), f_left)
        text(r, 3, _submission_text(u, ctx), f_look.get(st, f_center))
        text(r, 4, str(u.file or DASH), f_left if u.file else f_center)
        times.put(r, 5, u.received)
        number(r, 6, u.errors or 0, f_no, str)
        number(r, 7, u.warnings or 0, f_no, str)
        r += 1
    r += 1
    sh.merge(r, 0, r, ncol - 1, ctx.L("submissions.files"), F(font_name=HEAD_FONT, font_size=12, align="left"))
    sh.row(r, 24)
    r += 1
    heads2 = [ctx.L("col.no"), ctx.L("col.unit_name"), ctx.L("col.period"), ctx.L("col.file_status"),
              ctx.L("col.file"), ctx.L("col.received"), ctx.L("col.errors"), ctx.L("col.warnings"),
              ctx.L("col.reason")]
    for c, h in enumerate(heads2):
        sh.put(r, c, h, F.th())
    r += 1
    f_file_status = {"rejected": F.td(align="center", **F.status("behind")),
                     "other-period": F.td(align="center", **F.status("pending"))}
    f_wrap = F.td(align="left", text_wrap=True)
    file_words = {st: ctx.L(f"file.{st}") for st in ("used", "superseded", "duplicate", "rejected", "ignored",
                                                      "other-period")}
    reason_rows: list[tuple[int, str]] = []
    for n, f in enumerate(files, 1):
        st = str(f.status or "")
        number(r, 0, n, f_no, str)
        text(r, 1, ctx.unit_name(f.unit), f_left)
        text(r, 2, str(f.period or DASH), f_center)
        text(r, 3, file_words.get(st, st), f_file_status.get(st, f_center))
        text(r, 4, str(f.file or ""), f_left)
        times.put(r, 5, f.received)
        number(r, 6, f.errors or 0, f_no, str)
        number(r, 7, f.warnings or 0, f_no, str)
        reason = str(f.reason or "")
        text(r, 8, reason, f_wrap)
        reason_rows.append((r, reason))
        r += 1
    sh.fit_columns(ncol, minimum=6, maximum=44, fixed={0: 6})
    reason_px = sh.col_px(8)
    for row, reason in reason_rows:
        sh.row(row, max(ROW_PT, _text_height(reason, reason_px, 11, 1.4)))
    total_px = sh.span_px(0, ncol - 1)
    sh.merge(0, 0, 0, ncol - 1, ctx.L("submissions.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    listed = listed_names(missing, lang)  # the table below lists every unit; the summary names a few
    names = "（" + listed + "）" if missing and lang == "zh" else (" (" + listed + ")" if missing else "")
    summary = ctx.L("submissions.summary", units=len(units), submitted=len(units) - len(missing),
                    missing=len(missing), missing_names=names, files=len(files),
                    used=sum(1 for f in files if f.status == "used"))
    sh.merge(1, 0, 1, ncol - 1, summary, F(text_wrap=True, align="left"))
    sh.row(1, max(20.0, _text_height(summary, total_px, 11, 1.4)))
    sh.ws.freeze_panes(1, 2)
    sh.page_setup(repeat=(0, 0))


class _Times:
    """Writes received times: a date-time cell when the text parses, else the text itself."""

    def __init__(self, sh: _Sheet, F: _Formats) -> None:
        self.sh = sh
        self.f_time = F.td(align="center", num_format=DATETIME_FMT)
        self.f_center = F.td(align="center")

    def put(self, r: int, c: int, text: str | None) -> None:
        t = _parse_time(text)
        if t is not None:
            self.sh.ws.write_datetime(r, c, t, self.f_time)
            shown = t.strftime("%Y-%m-%d %H:%M")  # ASCII: its length is its width
            if len(shown) > self.sh.widest.get(c, 0):
                self.sh.widest[c] = len(shown)
        else:
            self.sh.text(r, c, str(text or DASH), self.f_center)


# --------------------------------------------------------------------------- 6. 数据问题


def _sheet_issues(wb: Any, F: _Formats, ctx: _Ctx) -> None:
    sh = _Sheet(wb, ctx.L("sheet.issues"), ctx)
    issues = list(ctx.results.issues or [])
    heads = [ctx.L("col.no"), ctx.L("col.unit_name"), ctx.L("col.file"), ctx.L("col.location"),
             ctx.L("col.indicator_name"), ctx.L("col.severity"), ctx.L("col.message"), ctx.L("col.code")]
    ncol = len(heads)
    for c, h in enumerate(heads):
        sh.put(2, c, h, F.th())
    sh.row(2, 22)
    r = 3
    f_no, f_left, f_center = F.td(align="center", num_format="0"), F.td(align="left"), F.td(align="center")
    f_severity = {"error": F.td(align="center", **F.status("behind")),
                  "warning": F.td(align="center", **F.status("pending"))}
    f_wrap, f_code = F.td(align="left", text_wrap=True), F.td(align="left", font_size=9)
    severity_words = {sev: ctx.L(f"severity.{sev}") for sev in ("error", "warning", "info")}
    text, number = sh.text, sh.number
    msg_rows: list[tuple[int, str]] = []
    for n, i in enumerate(issues, 1):
        sev = str(i.severity or "")
        loc = "!".join(str(p) for p in (i.sheet, i.cell) if p)
        number(r, 0, n, f_no, str)
        text(r, 1, ctx.unit_name(i.unit), f_left)
        text(r, 2, str(i.file or DASH), f_left)
        text(r, 3, loc or DASH, f_left if loc else f_center)
        text(r, 4, ctx.ind_name(i.indicator) or DASH, f_left)
        text(r, 5, severity_words.get(sev, sev), f_severity.get(sev, f_center))
        msg = str(i.message or "")
        text(r, 6, msg, f_wrap)
        text(r, 7, str(i.code or ""), f_code)
        msg_rows.append((r, msg))
        r += 1
    if not issues:
        sh.merge(r, 0, r, ncol - 1, ctx.L("issues.none"), F.td(align="center"))
        r += 1
    sh.fit_columns(ncol, minimum=6, maximum=50, fixed={0: 6})
    msg_px = sh.col_px(6)
    for row, msg in msg_rows:
        sh.row(row, max(ROW_PT, _text_height(msg, msg_px, 11, 1.4)))
    sh.merge(0, 0, 0, ncol - 1, ctx.L("issues.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    count: dict[Any, int] = defaultdict(int)
    for i in issues:
        count[i.severity] += 1
    summary = ctx.L("issues.summary", n=len(issues), e=count["error"], w=count["warning"], i=count["info"])
    sh.merge(1, 0, 1, ncol - 1, summary, F(text_wrap=True, align="left"))
    sh.row(1, max(20.0, _text_height(summary, sh.span_px(0, ncol - 1), 11, 1.4)))
    if issues:
        sh.ws.autofilter(2, 0, r - 1, ncol - 1)
    sh.ws.freeze_panes(3, 0)
    sh.page_setup(repeat=(2, 2))


# --------------------------------------------------------------------------- entry point


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while the workbook is built.

    xlsxwriter keeps a small tuple per cell until it saves: a provincial bulletin holds
    millions, and each full collection would walk all of them again, so that the time grew
    faster than the number of units. Nothing written here forms reference cycles that need
    the collector in the meantime; it runs again (if it was on) as soon as the file is saved.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_bulletin(path: Path, results: Results | dict[str, Any], lang: str = "zh") -> None:
    """Write the bulletin workbook to ``path`` atomically; identical results give identical bytes.

    Every string from a submission (names, remarks, messages) is written as a
    string: the workbook options turn off xlsxwriter's formula, URL and number
    guessing, and cells are written with typed calls.
    """
    import xlsxwriter  # imported here: only compile needs it

    results = as_results(results)
    ctx = _Ctx.build(results, lang)
    with _no_gc(), atomic_path(Path(path)) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            # font_scheme "none": without it the default font would be written as the theme's
            # minor font and Excel would show Calibri instead of 宋体
            "default_format_properties": {"font_name": BODY_FONT, "font_size": 11, "font_scheme": "none"},
        })
        district = ctx.results.district
        wb.set_properties({
            "title": ctx.title,
            "subject": label("doc.subject", lang, district=district.name,
                             period=results.period),
            "author": district.issuer,
            "company": district.issuer,
            "keywords": str(results.period),
            "comments": label("doc.comments", lang, tool=results.tool),
            "created": _created(results),
        })
        F = _Formats(wb)
        _sheet_bulletin(wb, F, ctx)
        _sheet_ranking(wb, F, ctx)
        _sheet_indicators(wb, F, ctx)
        _sheet_charts(wb, F, ctx)
        _sheet_submissions(wb, F, ctx)
        _sheet_issues(wb, F, ctx)
        wb.close()
