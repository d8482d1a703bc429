"""The sample workspace's 2021 history: ``templates/history/2021.xlsx``, filled with plausible figures.

Each unit's 2021 year-end figure is its 2022 one shrunk by a growth of a few
per cent to about 30 % (the district's 高新技术企业申报数 grows by 12.3 %: 544 →
611), spread over the months like the 2022 returns (November's share from the
units' own November files), so that 2022's 同比 reads as a real bulletin's.
Deterministic for a seed. Rerun with::

    .venv/bin/python -m reporting.demo.history          # from the repository root
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reporting.core.periods import Period
from reporting.demo.figures import DEFAULT_CURVE

if TYPE_CHECKING:
    from reporting.workspace.config import Workspace

YEAR = 2021
# District growth 2021 -> 2022 where it is fixed; the others are drawn from GROWTH_RANGE.
DISTRICT_GROWTH = {"hte_applications": 611 / 544 - 1}
GROWTH_RANGE = (0.05, 0.25)
UNIT_SPREAD = 0.08  # a unit's growth differs from the district's by up to this much


def _accepted(ws: Workspace, period: Period) -> dict[str, dict[str, float]]:
    from reporting.ingest.pipeline import ingest

    got = ingest(ws, period)
    return {u: {k: cv.value for k, cv in s.values.items() if cv.value is not None and not cv.excluded}
            for u, s in got.used.items()}


def _spread(total: float, weights: dict[str, float], decimals: int) -> dict[str, float]:
    """``total`` shared in proportion to ``weights``, rounded to ``decimals`` with the largest remainders."""
    scale = 10 ** decimals
    wsum = sum(weights.values())
    if wsum <= 0:
        return dict.fromkeys(weights, 0.0)
    want = round(total * scale)
    raw = {u: w / wsum * want for u, w in weights.items()}
    out = {u: int(x) for u, x in raw.items()}
    for u in sorted(raw, key=lambda u: (out[u] - raw[u], u))[: want - sum(out.values())]:
        out[u] += 1
    return {u: x / scale for u, x in out.items()}


def sample_history(ws: Workspace, seed: int = 2021, month: int = 12) -> dict[str, dict[str, dict[str, float]]]:
    """period -> unit -> indicator -> 2021 year-to-date value, from the inbox's 2022 ``month`` (and the month before)."""
    rng = random.Random(seed)
    dec = _accepted(ws, Period(YEAR + 1, month))
    nov = _accepted(ws, Period(YEAR + 1, month - 1))
    out: dict[str, dict[str, dict[str, float]]] = {}
    for ind in ws.indicators:
        now = {u.code: dec.get(u.code, {}).get(ind.code) for u in ws.units}
        now = {u: x for u, x in now.items() if x is not None}
        g_district = DISTRICT_GROWTH.get(ind.code, rng.uniform(*GROWTH_RANGE))
        weights = {u: x / (1 + min(0.32, max(0.02, g_district + rng.uniform(-UNIT_SPREAD, UNIT_SPREAD))))
                   for u, x in now.items()}
        curve = list(ind.schedule) if ind.schedule else list(DEFAULT_CURVE)
        share = curve[month - 1] or 1.0  # the 2022 month's share of the year: year ends from it
        year_end = _spread(sum(now.values()) / (1 + g_district) / share, weights, ind.decimals)
        for unit, final in year_end.items():
            shares = list(curve)
            n22, d22 = nov.get(unit, {}).get(ind.code), now[unit]
            if n22 is not None and d22 and month == 12:
                shares[10] = min(1.0, max(shares[9], n22 / d22))
            last = 0.0
            for m in range(1, 13):
                x = final if m == 12 else round(final * shares[m - 1], ind.decimals)
                x = min(final, max(last, x))  # year to date never goes down
                out.setdefault(f"{YEAR}-{m:02d}", {}).setdefault(unit, {})[ind.code] = x
                last = x
    return out


def write_sample_history(root: Path, seed: int = 2021) -> Path:
    from reporting.render.history_book import write_history_template
    from reporting.workspace.config import load_workspace

    ws = load_workspace(root)
    return write_history_template(ws, YEAR, force=True, values=sample_history(ws, seed))


if __name__ == "__main__":  # pragma: no cover - a maintainer's script
    print(write_sample_history(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
