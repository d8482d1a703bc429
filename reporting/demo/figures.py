"""Synthetic, plausible submissions: the sample inbox and benchmark workspaces.

The sample workspace reproduces the figures 武进区 published for 2022 in
its December submissions, and plants the mistakes units really make
(``12家``, full-width digits, a hand-made layout, a resubmission, last
month's file sent again, a formula without a value, a missing unit,
recognised > applications) so that ``reporting check`` and ``compile``
have something to explain. Deterministic for a seed.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reporting.core.periods import Period
from reporting.workspace.config import Workspace

# 武进区 2022 full-year figures (district totals), as published.
PUBLISHED_2022: dict[str, float] = {
    "hte_applications": 611, "hte_recognised": 435, "hte_pool": 306, "tech_sme": 1191, "gazelle": 47,
    "incubators": 5, "incubation_area": 35.8, "rd_centres": 64, "talent_projects": 42, "intl_projects": 29,
    "contest_projects": 139, "bounty_funds": 4240,
}
# Of the 47 gazelle enterprises, 40 are in 武进国家高新区.
FIXED_SHARES: dict[str, dict[str, float]] = {"gazelle": {"wjhtz": 40}}
# District targets for 2022: round figures a bureau would set.
DISTRICT_TARGETS_2022: dict[str, float] = {
    "hte_applications": 600, "hte_recognised": 420, "hte_pool": 300, "tech_sme": 1150, "gazelle": 45,
    "incubators": 5, "incubation_area": 35, "rd_centres": 60, "talent_projects": 40, "intl_projects": 30,
    "contest_projects": 130, "bounty_funds": 4000,
}
# Relative size of each sample unit (share of the district's activity).
UNIT_SIZES: dict[str, float] = {
    "hutang": 10, "niutang": 6, "luoyang": 6, "xueyan": 3, "qianhuang": 4, "lijia": 5, "jiaze": 3, "huangli": 3,
    "wjhtz": 25, "xitaihu": 12, "lvjian": 4, "nanxiashu": 5, "xihu": 4,
}
# Cumulative share of the year's figure reached by the end of each month.
DEFAULT_CURVE = [0.04, 0.09, 0.17, 0.26, 0.36, 0.47, 0.56, 0.65, 0.75, 0.84, 0.93, 1.0]
SEASONAL_CURVE = [0.0, 0.0, 0.0, 0.0, 0.0, 0.03, 0.05, 0.08, 0.2, 0.55, 0.85, 1.0]


def _quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def allocate(total: float, weights: dict[str, float], decimals: int = 0) -> dict[str, float]:
    """Split ``total`` by ``weights`` so that the parts, at ``decimals`` places, add up exactly (largest remainder)."""
    q = _quantum(decimals)
    steps = int((Decimal(str(total)) / q).to_integral_value(ROUND_HALF_UP))
    wsum = sum(weights.values()) or 1
    raw = {k: steps * w / wsum for k, w in weights.items()}
    parts = {k: int(v) for k, v in raw.items()}
    left = steps - sum(parts.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - parts[k]), k))[:left]:
        parts[k] += 1
    return {k: float(Decimal(v) * q) for k, v in parts.items()}


def _sizes(ws: Workspace, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    return {u.code: UNIT_SIZES.get(u.code, rng.uniform(2, 12)) for u in ws.units}


def year_end_figures(ws: Workspace, seed: int = 2022) -> dict[str, dict[str, float]]:
    """Each unit's full-year figure per indicator; district totals equal PUBLISHED_2022."""
    rng = random.Random(seed)
    sizes = _sizes(ws, seed)
    out: dict[str, dict[str, float]] = {u.code: {} for u in ws.units}
    scale = len(ws.units) / 13
    for ind in ws.indicators:
        total = PUBLISHED_2022.get(ind.code, 50) * (1 if scale == 1 else scale)
        fixed = {k: v for k, v in FIXED_SHARES.get(ind.code, {}).items() if k in out}
        rest = total - sum(fixed.values())
        weights = {k: s * rng.uniform(0.6, 1.4) for k, s in sizes.items() if k not in fixed}
        parts = allocate(rest, weights, ind.decimals)
        parts.update(fixed)
        for k, v in parts.items():
            out[k][ind.code] = v
    # keep recognised <= applications for every unit
    if "hte_recognised" in out.get(ws.units[0].code, {}) and "hte_applications" in out[ws.units[0].code]:
        for fig in out.values():
            fig["hte_recognised"] = min(fig["hte_recognised"], fig["hte_applications"])
        _rebalance(out, "hte_recognised", PUBLISHED_2022["hte_recognised"] * scale, cap_by="hte_applications")
    return out


def _rebalance(out: dict[str, dict[str, float]], code: str, total: float, cap_by: str) -> None:
    """Restore an exact total after capping, giving the difference to units with room left."""
    diff = round(total - sum(f[code] for f in out.values()))
    for fig in sorted(out.values(), key=lambda f: -(f[cap_by] - f[code])):
        if diff <= 0:
            break
        room = int(fig[cap_by] - fig[code])
        add = min(room, diff)
        fig[code] += add
        diff -= add


def monthly_figures(ws: Workspace, year_end: dict[str, dict[str, float]], month: int,
                    seed: int = 2022) -> dict[str, dict[str, float]]:
    """Year-to-date figures at the end of ``month``: non-decreasing, equal to year_end in December."""
    out: dict[str, dict[str, float]] = {}
    for u in ws.units:
        rng = random.Random(f"{seed}:{u.code}")
        jitter = [rng.uniform(-0.03, 0.03) for _ in range(12)]
        out[u.code] = {}
        for ind in ws.indicators:
            curve = SEASONAL_CURVE if ind.schedule else DEFAULT_CURVE
            # the largest share reached so far: a month's jitter never takes back an earlier month's figure
            share = max(max(0.0, min(1.0, curve[m] + (jitter[m] if m < 11 else 0))) for m in range(month))
            q = _quantum(ind.decimals)
            v = Decimal(str(year_end[u.code][ind.code] * share)).quantize(q, ROUND_HALF_UP)
            out[u.code][ind.code] = float(v)
        if "hte_recognised" in out[u.code] and "hte_applications" in out[u.code]:
            out[u.code]["hte_recognised"] = min(out[u.code]["hte_recognised"], out[u.code]["hte_applications"])
    return out


def sample_targets(ws: Workspace, seed: int = 2022) -> tuple[dict[str, dict[str, float | None]], dict[str, float | None]]:
    """Unit targets around each unit's likely year figure, and the district's round targets."""
    rng = random.Random(f"targets:{seed}")
    year_end = year_end_figures(ws, seed)
    scale = len(ws.units) / 13
    units: dict[str, dict[str, float | None]] = {}
    for u in ws.units:
        units[u.code] = {}
        for ind in ws.indicators:
            v = year_end[u.code][ind.code] * rng.uniform(0.85, 1.2)
            q = _quantum(min(ind.decimals, 1))
            t = float(Decimal(str(v)).quantize(q, ROUND_HALF_UP))
            if ind.code == "incubators" and t < 1:
                t = None if rng.random() < 0.5 else 1.0
            units[u.code][ind.code] = t
        rec, app = units[u.code].get("hte_recognised"), units[u.code].get("hte_applications")
        if rec is not None and app is not None and rec > app:
            units[u.code]["hte_recognised"] = app  # a bureau never asks for more recognitions than applications
    district = {code: (v * scale if scale != 1 else v) for code, v in DISTRICT_TARGETS_2022.items()}
    return units, {i.code: district.get(i.code) for i in ws.indicators}


def figures_for(ws: Workspace, period: Period, seed: int = 2022) -> dict[str, dict[str, Any]]:
    """Every unit's year-to-date figures for ``period``."""
    return monthly_figures(ws, year_end_figures(ws, seed), period.month, seed)
