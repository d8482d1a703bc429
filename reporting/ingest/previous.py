"""Earlier periods worked out from inbox files when they were not published: last month's figures, this year's trend.

Prefer what a previous compile published (``outbox/<period>/results.json``),
since that is what the meeting saw; otherwise work it out from that
period's files in inbox/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reporting.core.periods import Period
from reporting.workspace.published import covered_units, load_results, published_values

if TYPE_CHECKING:
    from reporting.core.models import Submission
    from reporting.workspace.config import Workspace


def _used_for(period: Period, parsed: list[Submission]) -> dict[str, Submission]:
    """The files ``select`` would use for ``period``: only that period's files can be used, so only
    they are given to it (the statuses of every other file, which it also works out, are not needed)."""
    from reporting.ingest.select import select

    target = str(period)
    return select([s for s in parsed if s.period == target], period).used


def values_for(ws: Workspace, period: Period, parsed: list[Submission], *,
               fill_missing: bool = False) -> dict[str, dict[str, float]]:
    """Accepted figures per unit for ``period``: from its results.json, else from inbox files.

    With ``fill_missing``, units the published results lack (they had not submitted
    when the period was compiled) are taken from inbox files, if any arrived since.
    """
    results = load_results(ws, period)
    out: dict[str, dict[str, float]] = {}
    covered: set[str] = set()
    if results is not None:
        out = published_values(results)
        covered = covered_units(results, out)
        if not fill_missing or covered >= {u.code for u in ws.units}:
            return out
    for unit, s in _used_for(period, parsed).items():
        if unit not in covered:
            out[unit] = {k: cv.value for k, cv in s.values.items() if cv.value is not None and not cv.excluded}
    return out


def previous_needs_inbox(ws: Workspace, period: Period) -> bool:
    """Whether the earlier periods of the year (see :func:`last_accepted`) must be read from inbox files."""
    everyone = {u.code for u in ws.units}
    for p in period.months_of_year()[:-1]:
        results = load_results(ws, p)
        if results is None or not covered_units(results, published_values(results)) >= everyone:
            return True
    return False


def previous_values(ws: Workspace, period: Period, parsed: list[Submission]) -> dict[str, dict[str, float]]:
    """The units' accepted year-to-date figures for the previous period of the same year."""
    prev = period.previous()
    return values_for(ws, prev, parsed, fill_missing=True) if prev else {}


def last_accepted(ws: Workspace, period: Period, parsed: list[Submission]) -> dict[str, dict[str, tuple[Period, float]]]:
    """Per unit and indicator: the last earlier period of the same year with an accepted figure, and that figure.

    A unit that missed March is still compared with its February figures when April is compiled;
    a value excluded in March (待核实) falls back to February's.
    """
    out: dict[str, dict[str, tuple[Period, float]]] = {}
    for p in reversed(period.months_of_year()[:-1]):
        for unit, vals in values_for(ws, p, parsed, fill_missing=True).items():
            mine = out.setdefault(unit, {})
            for code, v in vals.items():
                mine.setdefault(code, (p, v))
    return {u: v for u, v in out.items() if v}


def district_history(ws: Workspace, period: Period, parsed: list[Submission]) -> list[dict[str, Any]]:
    """District year-to-date totals for each earlier month of the year that has data."""
    out = []
    for p in period.months_of_year()[:-1]:
        per_unit = values_for(ws, p, parsed)
        if not per_unit:
            continue
        totals: dict[str, float] = {}
        for vals in per_unit.values():
            for code, v in vals.items():
                totals[code] = totals.get(code, 0.0) + v
        out.append({"period": str(p), "indicators": {i.code: round(totals[i.code], i.decimals)
                                                     for i in ws.indicators if i.code in totals}})
    return out
