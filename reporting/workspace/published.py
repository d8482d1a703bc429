"""Results published by earlier compiles (``outbox/<period>/results.json``).

What a previous compile published is what the meeting saw, so it is
preferred over recomputing an earlier period from its inbox files.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reporting.core.periods import Period
    from reporting.workspace.config import Workspace


def load_results(ws: Workspace, period: Period) -> dict[str, Any] | None:
    path = ws.period_dir(period) / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("period") == str(period) else None


def published_values(results: dict[str, Any]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for v in results.get("values", []):
        if v.get("actual") is not None:
            out.setdefault(v["unit"], {})[v["indicator"]] = float(v["actual"])
    return out


def covered_units(results: dict[str, Any], values: dict[str, dict[str, float]]) -> set[str]:
    """Units the published results speak for: those that had submitted."""
    return set(values) | {u["code"] for u in results.get("units", []) if u.get("status") != "missing"}


def previous_ranks(ws: Workspace, period: Period) -> dict[str, int] | None:
    """Composite ranks published for the previous period, if it was compiled."""
    prev = period.previous()
    if prev is None:
        return None
    results = load_results(ws, prev)
    if results is None:
        return None
    return {u["code"]: u["rank"] for u in results.get("units", []) if u.get("rank") is not None}
