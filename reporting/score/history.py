"""同比, 本月新增, 增速排名 and 报送及时性: what the workspace's history adds to one period's results.

Last year's values come from the store (history.sqlite: earlier compiles, imported
results.json, old inboxes, the history workbook); last month's year-to-date
totals from the results' own ``history`` (published results, else the inbox).
Nothing here changes a number the period's own figures produce.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from reporting.core.periods import Period
from reporting.core.results import HistoryPoint, Results, Timeliness, evolve
from reporting.score import rules as sc
from reporting.workspace import calendar as wcal

if TYPE_CHECKING:
    from collections.abc import Iterable

    from reporting.core.models import Submission
    from reporting.workspace.config import Workspace
    from reporting.workspace.store import Store

ON_TIME, LATE, MISSING, UNKNOWN = "on_time", "late", "missing", "unknown"


def growth(this: float | None, last: float | None) -> float | None:
    """同比增长 as a fraction; None when either side is unknown or last year is 0."""
    if this is None or last is None or last == 0:
        return None
    return round((this - last) / abs(last), 4)


def timeliness_of(received: dt.datetime | None, due: dt.date, source: str = "") -> tuple[str, int]:
    """(status, days late). A time that is only the file's own (``source == "file"``: bytes older
    than the store, as in a fresh copy of a workspace) proves a file on time, never late: UNKNOWN."""
    if received is None:
        return MISSING, 0
    late = wcal.days_late(received, due)
    if late and source == "file":
        return UNKNOWN, 0
    return (LATE, late) if late else (ON_TIME, 0)


def first_reports(period: str, used: dict[str, Submission], submissions: Iterable[Submission],
                  recorded: dict[str, tuple[str | None, float | None, str]] | None = None,
                  ) -> dict[str, tuple[float, str]]:
    """unit -> (when it first reported ``period``, how that is known), for each unit with a file used.

    A unit reported when its first readable form for the month arrived: a correction sent after
    the deadline, or the clerk saving the file again in Excel (new bytes, so a new received time),
    does not make an on-time report late. The forms counted are those selection weighed (used,
    superseded, duplicate), and the time an earlier compile recorded for the unit (``recorded``:
    unit -> (file, received, source)) while that file is still one of the unit's: saved over in
    place, it keeps the time it first came; deleted from inbox/, it no longer counts. Equal times
    prefer the stronger source (register, then seen, then the file's own).
    """
    strength = {"register": 0, "seen": 1, "file": 2}
    best: dict[str, tuple[float, int, str]] = {}

    def offer(unit: str, when: float | None, source: str) -> None:
        if not when or unit not in used:
            return
        cand = (when, strength.get(source, 3), source)
        if unit not in best or cand[:2] < best[unit][:2]:
            best[unit] = cand

    files: dict[str, set[str]] = {}
    for s in submissions:
        if s.unit and s.period == period and s.status in ("used", "superseded", "duplicate"):
            offer(s.unit, s.received or s.mtime, s.received_source)
            files.setdefault(s.unit, set()).add(s.file)
    for unit, (file, when, source) in (recorded or {}).items():
        if file and file in files.get(unit, ()):
            offer(unit, when, source)
    return {u: (when, source) for u, (when, _, source) in best.items()}


def _received_dt(iso: str | None) -> dt.datetime | None:
    if not iso:
        return None
    try:
        return dt.datetime.fromisoformat(iso)
    except ValueError:
        return None


def with_history(ws: Workspace, results: Results, store: Store | None,
                 received: dict[str, float] | None = None,
                 previous_values: dict[str, dict[str, float]] | None = None,
                 sources: dict[str, str] | None = None) -> Results:
    """``results`` with last year's values, 同比, 本月新增, 增速排名 and timeliness filled in.

    ``received``: unit -> when the tool received the unit's file this period (epoch seconds);
    ``previous_values``: last month's accepted values per unit (else the store's);
    ``sources``: unit -> how its received time is known (register | seen | file).
    """
    period = Period(results.year, results.month)
    last_year_period = f"{period.year - 1:04d}-{period.month:02d}"
    ly_values = store.period_values(last_year_period) if store else {}
    ly_source = (store.periods().get(last_year_period) if store else None) or None
    kinds = {i.code: i for i in ws.indicators}

    # last month's YTD per unit, and the district's, for 本月新增
    prev = period.previous()
    prev_key = str(prev) if prev and prev.year == period.year else None
    prev_unit = previous_values if previous_values is not None else (
        store.period_values(prev_key) if store and prev_key else {})
    prev_district = next((h.indicators for h in results.history if h.period == prev_key), None)

    # values
    yoy_by: dict[tuple[str, str], float | None] = {}
    filled = []
    for v in results.values:
        ind = kinds.get(v.indicator)
        last = ly_values.get(v.unit, {}).get(v.indicator)
        y = growth(v.actual, last)
        yoy_by[(v.unit, v.indicator)] = y
        inc = None
        if ind is not None and ind.kind == "ytd" and v.actual is not None:
            if period.month == 1:
                inc = v.actual
            elif (p := prev_unit.get(v.unit, {}).get(v.indicator)) is not None:
                inc = round(v.actual - p, ind.decimals)
        filled.append((v, last, y, inc))
    # 增速排名 within each group
    growth_ranks: dict[tuple[str, str], int] = {}
    for g in ws.groups:
        members = [u.code for u in ws.units_in(g.code)]
        for ind in ws.indicators:
            if ind.rank_by != "growth":
                continue
            ranked = sc.rank_with_ties({u: yoy_by.get((u, ind.code)) for u in members})
            for u, (r, _) in ranked.items():
                growth_ranks[(u, ind.code)] = r
    values = [evolve(v, last_year=last, last_year_source=ly_source if last is not None else None,
                                  yoy=y, increment=inc, growth_rank=growth_ranks.get((v.unit, v.indicator)))
              for v, last, y, inc in filled]  # one copy per value: 24,000 of them at 2,000 units

    # district
    ly_district: dict[str, float] = {}
    for vals in ly_values.values():
        for code, x in vals.items():
            ly_district[code] = ly_district.get(code, 0.0) + x
    # which units each total counts: a district difference means something only over the same units
    counted: dict[str, set[str]] = {}
    for v in results.values:
        if v.actual is not None:
            counted.setdefault(v.indicator, set()).add(v.unit)
    district_rows = []
    for d in results.district.indicators:
        ind = kinds.get(d.code)
        now = counted.get(d.code, set())
        last = round(ly_district[d.code], d.decimals) if d.code in ly_district else None
        ly_units = {u for u, vals in ly_values.items() if d.code in vals}
        yoy_apart = len(now ^ ly_units) if last is not None else 0
        inc, inc_apart = None, 0
        if ind is not None and ind.kind == "ytd" and d.actual is not None:
            if period.month == 1:
                inc = d.actual
            elif prev_district is not None and d.code in prev_district:
                before = {u for u, vals in prev_unit.items() if vals.get(d.code) is not None}
                inc_apart = len(now ^ before)
                inc = round(d.actual - prev_district[d.code], d.decimals) if not inc_apart else None
        district_rows.append(dataclasses.replace(
            d, rank_by=ind.rank_by if ind else "rate", last_year=last,
            last_year_source=ly_source if last is not None else None,
            yoy=growth(d.actual, last) if not yoy_apart else None, increment=inc,
            increment_not_comparable=inc_apart, yoy_not_comparable=yoy_apart))

    # last year's curve for the chart
    ly_curve = []
    if store:
        for m in range(1, 13):
            key = f"{period.year - 1:04d}-{m:02d}"
            pv = store.period_values(key)
            if pv:
                tot: dict[str, float] = {}
                for vals in pv.values():
                    for code, x in vals.items():
                        tot[code] = tot.get(code, 0.0) + x
                ly_curve.append(HistoryPoint(period=key, indicators={
                    c: round(x, kinds[c].decimals) for c, x in tot.items() if c in kinds}))

    # timeliness
    day = ws.settings.email.deadline
    due = wcal.deadline(period.year, period.month, day)
    earlier = store.unit_received(period.year) if store else {}
    reported_months = {k[0] for k in earlier}  # months of the year with any received file (a set: O(1) per unit)
    due_by_month = {f"{period.year:04d}-{m:02d}": wcal.deadline(period.year, m, day) for m in range(1, period.month)}
    units = []
    late_units = []
    for u in results.units:
        when = received.get(u.code) if received else None
        got = dt.datetime.fromtimestamp(int(when)) if when else _received_dt(u.received)
        source = (sources or {}).get(u.code, "") or (u.timeliness.source if u.timeliness else "")
        status, late = timeliness_of(got if u.status != "missing" else None, due, source)
        on_time = int(status == ON_TIME)
        months = int(status != UNKNOWN)  # a month whose timeliness is not known is not counted
        for m in range(1, period.month):
            key = f"{period.year:04d}-{m:02d}"
            if (key, u.code) not in earlier and key not in reported_months:
                continue
            r, r_source = earlier.get((key, u.code), (None, ""))
            was = timeliness_of(dt.datetime.fromtimestamp(int(r)) if r is not None else None, due_by_month[key],
                                r_source)[0]
            months += int(was != UNKNOWN)
            on_time += int(was == ON_TIME)
        if status == LATE:
            late_units.append(u.code)
        units.append(dataclasses.replace(u, timeliness=Timeliness(
            deadline=due.isoformat(), received=got.isoformat() if got and u.status != "missing" else None,
            source=source if u.status != "missing" else "",
            status=status, days_late=late, on_time_months=on_time, months=months)))

    return dataclasses.replace(
        results, values=tuple(values), units=tuple(units),
        district=dataclasses.replace(results.district, indicators=tuple(district_rows)),
        deadline=due.isoformat(), calendar=wcal.calendar_name(due.year),
        last_year_history=tuple(ly_curve), late_units=tuple(late_units))
