"""3. 分项指标: every unit's target, year-to-date, rate and rank per indicator, in bands of three."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from reporting.core.results import (
    DistrictIndicator,
    UnitResult,
)
from reporting.render.bulletin.context import NO_VALUE, NO_VALUES, Ctx
from reporting.render.bulletin.layout import (
    BAND,
    HEAD_FONT,
    RATE_FMT,
    ROW_PT,
    Formats,
    Pager,
    Sheet,
    clamp,
    num_fmt,
    number_text,
    print_px,
    print_scale,
    text_height,
)
from reporting.render.narrative import (
    DASH,
    display_name,
    display_unit,
    fmt_number,
    fmt_rate,
    status_label,
    tx,
)

# --------------------------------------------------------------------------- 3. 分项指标


def write(wb: Any, F: Formats, ctx: Ctx) -> None:
    sh = Sheet(wb, ctx.L("sheet.indicators"), ctx)
    lang = ctx.lang
    hist = _Hist(sh, F, ctx)  # 本月新增, 上年同期, 同比增长 (and 增速排名) when the store holds last year
    size = BAND if not hist.cols else BAND_WITH_HISTORY
    bands = [ctx.indicators[i:i + size] for i in range(0, len(ctx.indicators), size)] or [[]]
    ncol = 1 + max(sum(hist.span(i) for i in b) for b in bands)
    sub_heads = [tx("col.target", lang), tx("col.actual", lang), tx("col.rate", lang), ctx.L("col.rank")]
    cells = _ValueCells(sh, F, ctx)
    # each unit's name once, not once per band
    names = {g.code: [display_name(u, lang) for u in ctx.units_in(g.code)] for g in ctx.groups}
    header_texts: list[tuple[int, str]] = []
    f_name = F.td(align="left")
    name_w, value_w = _widths(ctx, names, sub_heads + hist.heads(), hist)
    pager = _Pager(ctx, ncol, name_w, value_w, hist)
    r = 3

    def head(r: int, band: list[DistrictIndicator], cont: bool) -> int:
        """The band's two header rows at ``r`` (again, marked 续, at the top of each continuation page)."""
        sh.merge(r, 0, r + 1, 0, ctx.L("col.unit_name"), F.th())
        for c, ind in zip(hist.starts(band), band, strict=True):
            text = header_text(ctx, ind, cont)
            sh.merge(r, c, r, c + hist.span(ind) - 1, text, F.th())
            header_texts.append((r, text, hist.span(ind)))
            for k, h in enumerate(sub_heads + hist.heads(ind)):
                sh.put(r + 1, c + k, h, F.th())
        for c in range(1 + sum(hist.span(i) for i in band), ncol):  # a short last band: keep the grid closed
            sh.put(r, c, None, F.th(), measure=False)
            sh.put(r + 1, c, None, F.th(), measure=False)
        sh.row(r + 1, 20)
        return r + 2

    for band in bands:
        head_pt = pager.head_pt(band, ctx, lang)
        pager.need(r, head_pt + 3 * ROW_PT)  # a band starts where its header and first rows fit
        r = head(r, band, cont=False)
        pager.used += head_pt
        specs = [cells.spec(c, ind) for c, ind in zip(hist.starts(band), band, strict=True)]
        for g in ctx.groups:
            members = ctx.units_in(g.code)
            if not members:
                continue
            if pager.need(r, 2 * ROW_PT):  # never a group heading alone at the foot of a page
                r = head(r, band, cont=True)
                pager.used += head_pt
            sh.ws.set_row(r, ROW_PT)
            sh.merge(r, 0, r, ncol - 1, display_name(g, lang), F.group())
            pager.used += ROW_PT
            r += 1
            for u, name in zip(members, names[g.code], strict=True):
                if pager.need(r, ROW_PT):
                    r = head(r, band, cont=True)
                    pager.used += head_pt
                sh.ws.set_row(r, ROW_PT)  # explicit: LibreOffice ignores the sheet's default row height
                sh.text(r, 0, name, f_name)
                cells.write(r, u, specs)
                hist.write(r, u.code, band)
                pager.used += ROW_PT
                r += 1
        # district totals
        if pager.need(r, ROW_PT):
            r = head(r, band, cont=True)
            pager.used += head_pt
        sh.ws.set_row(r, ROW_PT)
        sh.put(r, 0, ctx.L("district_total"), F.td(align="left", font_name=HEAD_FONT))
        hist.write(r, None, band)
        for c, ind in zip(hist.starts(band), band, strict=True):
            d = int(ind.decimals or 0)
            bold = {"font_name": HEAD_FONT}
            if ind.target is not None:
                sh.put(r, c, ind.target, F.td(num_format=num_fmt(d), **bold), fmt_number(ind.target, d))
            else:
                sh.put(r, c, DASH, F.td(align="center"))
            if ind.actual is not None:
                sh.put(r, c + 1, ind.actual, F.td(num_format=num_fmt(d), **bold), fmt_number(ind.actual, d))
            else:
                sh.put(r, c + 1, DASH, F.td(align="center"))
            if ind.rate is not None:
                sh.put(r, c + 2, ind.rate, F.td(**F.status(ind.status, num_format=RATE_FMT, **bold)),
                       fmt_rate(ind.rate))
            else:
                sh.put(r, c + 2, DASH, F.td(align="center"))
            sh.put(r, c + 3, DASH, F.td(align="center"))
        for c in range(1 + sum(hist.span(i) for i in band), ncol):  # a short last band: keep the grid closed
            sh.put(r, c, None, F.td(), measure=False)
        pager.used += 2 * ROW_PT
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
        pager.need(start, sh.rows_height(start, min(r - 1, start + 3)))  # its heading with the first rows
        pager.used += sh.rows_height(start, r - 1)

    # widths: the unit column fits names; the value columns share one width so the bands line up
    # the widths planned before the rows were written (wider only if something was missed: the
    # scale then only gets smaller, so the planned pages still hold)
    sh.fit_columns(1, fixed={0: max(name_w, clamp(sh.col_widest(0), 10, 30))})
    w = max(value_w, clamp(max([cells.widest()] + [sh.col_widest(c) for c in range(1, ncol)]),
                           VALUE_MIN_W, VALUE_MAX_W))
    for c in range(1, ncol):
        sh.widths[c] = w
        sh.ws.set_column(c, c, w)
    for row, text, span in header_texts:
        need = text_height(text, span * sh.col_px(1), 11, 1.4)
        sh.row(row, max(sh.heights.get(row, 0), need, 36))
    for row, text in remark_rows:
        sh.row(row, max(ROW_PT, text_height(text, sh.span_px(5, ncol - 1), 11, 1.4)))
    total_px = sh.span_px(0, ncol - 1)
    sh.merge(0, 0, 0, ncol - 1, ctx.L("indicators.title", period=ctx.period_text), F.sheet_title())
    sh.row(0, 32)
    note = ctx.L("indicators.note")
    sh.merge(1, 0, 1, ncol - 1, note, F.note())
    sh.row(1, text_height(note, total_px, 10, 1.45))
    sh.row(2, 6)
    sh.ws.freeze_panes(3, 1)
    sh.page_setup(repeat=(0, 0))
    total = print_px(sh.widths[0]) + (ncol - 1) * print_px(w)
    sh.ws.set_print_scale(min(pager.scale, print_scale(total)))
    sh.ws.set_h_pagebreaks(pager.breaks)


class _Pager(Pager):
    """Pages for the bands: the scale comes from the column widths, fixed before the first row is
    written; each page then holds the rows planned, in Excel and in LibreOffice."""

    def __init__(self, ctx: Ctx, ncol: int, name_w: float, value_w: float, hist: _Hist) -> None:
        total_px = print_px(name_w) + (ncol - 1) * print_px(value_w)
        self.value_px = print_px(value_w)
        self.hist = hist
        note = ctx.L("indicators.note")
        # row 0 (the title, 32 pt) repeats on every page; rows 1-2 open the first
        super().__init__(print_scale(total_px), 32.0, text_height(note, total_px, 10, 1.45) + 6)

    def head_pt(self, band: list[DistrictIndicator], ctx: Ctx, lang: str) -> float:
        return max([36.0] + [text_height(header_text(ctx, i, True), self.hist.span(i) * self.value_px, 11, 1.4)
                             for i in band]) + 20


VALUE_MIN_W, VALUE_MAX_W = 10, 16  # the value columns' width range
BAND_WITH_HISTORY = 2  # indicators side by side when each has its history columns too


def header_text(ctx: Ctx, ind: DistrictIndicator, cont: bool) -> str:
    """A band's indicator heading: name, unit, weight (or 不计分), schedule, and 按增速排名 where it is."""
    w = ind.weight or 0
    key = "ind.header_growth" if ind.rank_by == "growth" and w > 0 else (
        "ind.header" if w > 0 else "ind.header_unscored")
    return ctx.L(key, name=display_name(ind, ctx.lang) + (ctx.L("continued") if cont else ""),
                 unit=display_unit(ind, ctx.lang), weight=f"{w:g}", schedule=fmt_rate(ind.schedule))


class _Hist:
    """The history columns after each indicator's four: 本月新增 | 上年同期 | 同比增长 (| 增速排名).

    Shown when the results carry last year's figures (the workspace's store); 增速排名 only for an
    indicator the catalogue ranks by growth (``rank_by = "growth"``).
    """

    def __init__(self, sh: Sheet, F: Formats, ctx: Ctx) -> None:
        self.sh, self.F, self.ctx = sh, F, ctx
        has_last = any(i.last_year is not None for i in ctx.indicators)
        self.cols = ["increment", "last_year", "yoy"] if has_last else []
        self.f_center = F.td(align="center")
        self.f_yoy = F.td(num_format=ctx.L("yoy_fmt"))
        self.f_rank = F.td(align="center", num_format="0")
        self.f_num: dict[int, Any] = {}

    def growth(self, ind: DistrictIndicator) -> bool:
        return bool(self.cols) and ind.rank_by == "growth"

    def span(self, ind: DistrictIndicator) -> int:
        return 4 + len(self.cols) + (1 if self.growth(ind) else 0)

    def starts(self, band: list[DistrictIndicator]) -> list[int]:
        out, c = [], 1
        for ind in band:
            out.append(c)
            c += self.span(ind)
        return out

    def heads(self, ind: DistrictIndicator | None = None) -> list[str]:
        words = [self.ctx.L(f"col.{c}") for c in self.cols]
        if ind is None or self.growth(ind):
            words += [self.ctx.L("col.growth_rank")] if self.cols else []
        return words


    def write(self, r: int, unit: str | None, band: list[DistrictIndicator]) -> None:
        """Row ``r``'s history cells for ``unit`` (None: the district row)."""
        if not self.cols:
            return
        ws = self.sh.ws
        uvals = self.ctx.values.get(unit, NO_VALUES) if unit is not None else NO_VALUES
        for c, ind in zip(self.starts(band), band, strict=True):
            d = int(ind.decimals or 0)
            f_num = self.f_num.get(d)
            if f_num is None:
                f_num = self.f_num[d] = self.F.td(num_format=num_fmt(d))
            item = ind if unit is None else uvals.get(ind.code, NO_VALUE)
            for k, x, f in ((4, item.increment, f_num), (5, item.last_year, f_num), (6, item.yoy, self.f_yoy)):
                if x is None:
                    ws.write_string(r, c + k, DASH, self.f_center)
                else:
                    ws.write_number(r, c + k, float(x), f)
            if self.growth(ind):
                rank = None if unit is None else getattr(item, "growth_rank", None)
                if rank is None:
                    ws.write_string(r, c + 7, DASH, self.f_center)
                else:
                    ws.write_number(r, c + 7, float(rank), self.f_rank)


def yoy_text(x: float) -> str:
    """同比 as its cells show it (format +0.0%)."""
    return f"{x * 100:+.1f}%"


def _widths(ctx: Ctx, names: dict[str, list[str]], sub_heads: list[str], hist: _Hist) -> tuple[float, float]:
    """The unit column's and the value columns' widths, from everything they will show."""
    lang = ctx.lang
    name_w = clamp(max([ctx.text_width(n) for ns in names.values() for n in ns]
                       + [ctx.text_width(ctx.L("district_total")), ctx.text_width(ctx.L("col.unit_name"))]), 10, 30)
    decimals = {i.code: int(i.decimals or 0) for i in ctx.indicators}
    words = [status_label(k, lang) for k in ("missing", "pending")] + sub_heads + [DASH]
    w = max(ctx.text_width(x) for x in words)
    max_rank = 0
    # a number's text only grows with its size (and a sign): per way of showing it, the smallest and
    # the largest value give the longest texts, so two are formatted instead of one per cell
    extremes: dict[tuple[str, int], list[float]] = {}

    def seen(kind: str, d: int, x: float | None) -> None:
        if x is None:
            return
        lo_hi = extremes.get((kind, d))
        if lo_hi is None:
            extremes[(kind, d)] = [x, x]
        elif x < lo_hi[0]:
            lo_hi[0] = x
        elif x > lo_hi[1]:
            lo_hi[1] = x

    for v in ctx.results.values:
        d = decimals.get(v.indicator, 0)
        seen("n", d, v.target)
        seen("n", d, v.actual)
        seen("rate", 0, v.rate)
        max_rank = max(max_rank, v.rank or 0)
        if hist.cols:
            seen("n", d, v.increment)
            seen("n", d, v.last_year)
            seen("yoy", 0, v.yoy)
    for (kind, d), lo_hi in extremes.items():
        for x in lo_hi:
            w = max(w, len(fmt_number(x, d) if kind == "n" else fmt_rate(x) if kind == "rate" else yoy_text(x)))
    if max_rank:
        tied_word = ctx.L("tied_fmt").split('"')[1]
        w = max(w, ctx.text_width(tied_word + str(max_rank)))
    for i in ctx.indicators:  # the district row
        d = int(i.decimals or 0)
        for x in (i.target, i.actual):
            if x is not None:
                w = max(w, len(fmt_number(x, d)))
    return name_w, clamp(w, VALUE_MIN_W, VALUE_MAX_W)


class _ValueCells:
    """Writes a unit's four cells per indicator: 年度目标 | 累计完成 | 完成率 | 排名.

    On a provincial bulletin these are most of the workbook's cells, so this is the lean path:
    formats and words are looked up once per status, cells go straight to xlsxwriter, and the
    width they need is kept as the extremes of each kind of number (``widest`` formats them
    once at the end) and the set of words written.
    """

    def __init__(self, sh: Sheet, F: Formats, ctx: Ctx) -> None:
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
        return c, ind.code, self.F.td(num_format=num_fmt(d)), ext

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
        uvals = self.ctx.values.get(u.code, NO_VALUES)
        for c, code, f_num, e_num in specs:
            v = uvals.get(code, NO_VALUE)
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
            fmt = number_text(kind[1]) if isinstance(kind, tuple) else shown[kind]
            w = max(w, self.ctx.text_width(fmt(lo)), self.ctx.text_width(fmt(hi)))
        return w
