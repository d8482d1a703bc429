"""Earlier periods: last month's accepted figures and the district's trend this year.

Prefer what a previous compile published (``outbox/<period>/results.json``),
since that is what the meeting saw; otherwise work it out from that
period's files in inbox/.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from reporting.periods import Period

if TYPE_CHECKING:
    from reporting.config import Workspace
    from reporting.models import Submission


def load_results(ws: Workspace, period: Period) -> dict[str, Any] | None:
    path = ws.period_dir(period) / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("period") == str(period) else None


def _used_for(period: Period, parsed: list[Submission]) -> dict[str, Submission]:
    from reporting.ingest import select

    return select(parsed, period).used


def values_for(ws: Workspace, period: Period, parsed: list[Submission] | None = None, *,
               fill_missing: bool = False) -> dict[str, dict[str, float]]:
    """Accepted figures per unit for ``period``: from its results.json, else from inbox files.

    With ``fill_missing``, units the published results lack (they had not submitted
    when the period was compiled) are taken from inbox files, if any arrived since.
    """
    results = load_results(ws, period)
    out: dict[str, dict[str, float]] = {}
    covered: set[str] = set()
    if results is not None:
        out = _published_values(results)
        covered = _covered(results, out)
        if not fill_missing or covered >= {u.code for u in ws.units}:
            return out
    if parsed is None:
        from reporting.ingest import discover, read_all

        parsed, _ = read_all(ws, discover(ws.inbox))
    for unit, s in _used_for(period, parsed).items():
        if unit not in covered:
            out[unit] = {k: cv.value for k, cv in s.values.items() if cv.value is not None and not cv.excluded}
    return out


def _published_values(results: dict[str, Any]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for v in results.get("values", []):
        if v.get("actual") is not None:
            out.setdefault(v["unit"], {})[v["indicator"]] = float(v["actual"])
    return out


def _covered(results: dict[str, Any], values: dict[str, dict[str, float]]) -> set[str]:
    """Units the published results speak for: those that had submitted."""
    return set(values) | {u["code"] for u in results.get("units", []) if u.get("status") != "missing"}


def previous_needs_inbox(ws: Workspace, period: Period) -> bool:
    """Whether :func:`previous_values` for ``period`` reads inbox files (not all published)."""
    prev = period.previous()
    if prev is None:
        return False
    results = load_results(ws, prev)
    if results is None:
        return True
    return not _covered(results, _published_values(results)) >= {u.code for u in ws.units}


def previous_values(ws: Workspace, period: Period, parsed: list[Submission] | None = None) -> dict[str, dict[str, float]]:
    """The units' accepted year-to-date figures for the previous period of the same year."""
    prev = period.previous()
    return values_for(ws, prev, parsed, fill_missing=True) if prev else {}


def previous_ranks(ws: Workspace, period: Period) -> dict[str, int] | None:
    """Composite ranks published for the previous period, if it was compiled."""
    prev = period.previous()
    if prev is None:
        return None
    results = load_results(ws, prev)
    if results is None:
        return None
    return {u["code"]: u["rank"] for u in results.get("units", []) if u.get("rank") is not None}


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
