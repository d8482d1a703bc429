"""4. 图表: native charts over a data area on the same sheet; large groups charted by their ends."""

from __future__ import annotations

import math
from typing import Any

from reporting.core.results import (
    GroupResult,
    Results,
    as_results,
)
from reporting.core.textnorm import display_width
from reporting.render.bulletin.context import NO_VALUE, Ctx
from reporting.render.bulletin.layout import (
    BODY_FONT,
    CHART_ENDS,
    CHART_GAP,
    CHART_H,
    CHART_MAX_UNITS,
    CHART_W,
    ELLIPSIS,
    HEAD_FONT,
    KEY_CHARTS,
    MONTHS_EN,
    PAGE_W_PX,
    PALETTE,
    RATE_FMT,
    SCHEDULE_COLOUR,
    SCORE_BAR_PX,
    SCORE_CHART_MAX_PX,
    SCORE_FMT,
    Formats,
    Sheet,
    num_fmt,
    text_height,
)
from reporting.render.narrative import (
    DASH,
    display_name,
    fmt_number,
    fmt_rate,
    tx,
)

# --------------------------------------------------------------------------- 4. 图表


def key_indicators(results: Results | dict[str, Any], n: int = KEY_CHARTS) -> list[dict[str, Any]]:
    """The ``n`` scored indicators with the highest weights (catalogue order breaks ties)."""
    results = as_results(results)
    inds = [i for i in results.district.indicators if (i.weight or 0) > 0]
    order = {id(i): k for k, i in enumerate(inds)}
    return sorted(inds, key=lambda i: (-(i.weight or 0), order[id(i)]))[:n]


def _trend_rows(ctx: Ctx, keys: list[dict[str, Any]]) -> list[tuple[int, dict[str, float | None]]]:
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


def write(wb: Any, F: Formats, ctx: Ctx) -> None:
    sh = Sheet(wb, ctx.L("sheet.charts"), ctx, default_row=15)  # 15 pt = 20 px: chart rows are whole rows
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
    yoy_ind, yoy_rows = _yoy_rows(ctx, keys)

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
    if yoy_ind is not None:
        chart_rows.append([("yoy", yoy_ind, wide, CHART_H)])
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
            sh.put(r, 0, ctx.L("month", m=m, abbr=MONTHS_EN[m - 1]), F.td(align="center"))
            for ind in keys:
                rate = rates.get(ind.code)
                sh.put(r, trend_cols[ind.code], rate, F.td(num_format=RATE_FMT),
                       fmt_rate(rate) if rate is not None else "")
            sh.put(r, 1 + len(keys), round(m / 12, 4), F.td(num_format=RATE_FMT), fmt_rate(m / 12))
            r += 1
        trend_rows = (start, r - 1)
    yoy_at = (0, 0, 0)
    if yoy_ind is not None:
        yoy_at = _yoy_table(sh, F, ctx, r + 1, yoy_ind, yoy_rows)
        r = yoy_at[2] + 1
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
            elif kind == "yoy":
                chart = _yoy_chart(wb, ctx, name, obj, yoy_at, yoy_rows)
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
        sh.row(1, max(18.0, text_height(note, sh.span_px(0, last_col), 10, 1.45)))
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


def _rate_table(sh: Sheet, F: Formats, ctx: Ctx, r: int, inds: list[dict[str, Any]],
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
            v = ctx.value(u.code, ind.code) if u is not None else NO_VALUE
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


def _rate_chart(wb: Any, ctx: Ctx, sheet: str, title: str, groups: list[dict[str, Any]],
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


def _score_chart(wb: Any, ctx: Ctx, sheet: str, title: str, g: GroupResult, r0: int, r1: int, gi: int) -> Any:
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


def _trend_chart(wb: Any, ctx: Ctx, sheet: str, keys: list[dict[str, Any]], rows: tuple[int, int],
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


# --------------------------------------------------------------------------- this year against last year

YoyRow = tuple[int, float | None, float | None, float | None]  # month, this year, last year, schedule


def _yoy_rows(ctx: Ctx, keys: list[Any]) -> tuple[Any, list[YoyRow]]:
    """The key indicator charted against last year (the weightiest with last year's figures), and its months.

    This year's year-to-date totals come from the results' ``history`` and this month; last year's
    from ``last_year_history`` (the workspace's store); the schedule is the target × month/12 for an
    indicator on the default schedule (a seasonal one has no line).
    """
    res = ctx.results
    last = {int(h.period[5:7]): h.indicators for h in res.last_year_history if len(h.period) >= 7}
    ind = next((k for k in keys if any(k.code in v for v in last.values())), None)
    if ind is None or not res.month:
        return None, []
    this: dict[int, float | None] = {}
    for h in res.history:
        if h.period[:4] == str(res.year) and h.period[5:7].isdigit() and int(h.period[5:7]) <= res.month:
            this[int(h.period[5:7])] = h.indicators.get(ind.code)
    this[res.month] = ind.actual
    default = ind.schedule is not None and abs(ind.schedule - res.month / 12) < 5e-4
    rows: list[YoyRow] = []
    for m in range(1, 13):
        sched = round(ind.target * m / 12, int(ind.decimals or 0)) if ind.target and default else None
        rows.append((m, this.get(m), last.get(m, {}).get(ind.code), sched))
    return ind, rows


def _yoy_table(sh: Sheet, F: Formats, ctx: Ctx, r: int, ind: Any, rows: list[YoyRow]) -> tuple[int, int, int]:
    """The chart's data from row ``r``; returns (header row, first row, last row)."""
    lang, res = ctx.lang, ctx.results
    name = display_name(ind, lang)
    sh.merge(r, 0, r, 3, ctx.L("data.ytd_yoy", name=name), F(font_name=HEAD_FONT, font_size=12))
    head = r + 1
    heads = [ctx.L("col.month"), ctx.L("chart.this_year", year=res.year), ctx.L("chart.last_year", year=res.year - 1),
             ctx.L("chart.schedule_target")]
    for c, h in enumerate(heads):
        sh.put(head, c, h, F.th(), measure=c == 0)
    sh.row(head, 36)
    d = int(ind.decimals or 0)
    f_num, f_center = F.td(num_format=num_fmt(d)), F.td(align="center")
    for k, (m, this, last, sched) in enumerate(rows):
        rr = head + 1 + k
        sh.put(rr, 0, ctx.L("month", m=m, abbr=MONTHS_EN[m - 1]), f_center)
        for c, x in ((1, this), (2, last), (3, sched)):
            sh.put(rr, c, x, f_num, fmt_number(x, d) if x is not None else "")
    return head, head + 1, head + len(rows)


def _yoy_chart(wb: Any, ctx: Ctx, sheet: str, ind: Any, at: tuple[int, int, int], rows: list[YoyRow]) -> Any:
    """Lines: this year's district year to date by month, last year's, and the schedule (target × month/12)."""
    head, r0, r1 = at
    chart = wb.add_chart({"type": "line"})
    cat = [sheet, r0, 0, r1, 0]
    styles = {1: {"line": {"color": PALETTE[0], "width": 2.25},
                  "marker": {"type": "circle", "size": 5, "fill": {"color": PALETTE[0]},
                             "border": {"color": PALETTE[0]}}},
              2: {"line": {"color": "#7F7F7F", "width": 1.75},
                  "marker": {"type": "square", "size": 4, "fill": {"color": "#7F7F7F"}, "border": {"color": "#7F7F7F"}}},
              3: {"line": {"color": SCHEDULE_COLOUR, "width": 1.5, "dash_type": "dash"}, "marker": {"type": "none"}}}
    for c, style in styles.items():
        if c == 3 and all(x[3] is None for x in rows):
            continue
        chart.add_series({"name": [sheet, head, c], "categories": cat, "values": [sheet, r0, c, r1, c], **style})
    _style_chart(chart, ctx.L("chart.ytd_yoy", name=display_name(ind, ctx.lang)))
    chart.show_blanks_as("gap")
    chart.set_x_axis({"num_font": _font(9), "major_tick_mark": "none"})
    chart.set_y_axis({"min": 0, "num_font": _font(9), "num_format": num_fmt(int(ind.decimals or 0)),
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    return chart
