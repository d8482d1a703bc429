"""指标亮灯 and 红黑榜: a light per unit and indicator, and the units first and last, from the results alone.

Pure functions over :class:`Results` and the ``[lights]`` settings, so the workbook's sheet, the
document's annex and the tests all see the same colour for the same value. Rates are compared as
the bulletin prints them (to 0.1%, via ``rules.shown``), so a gap in the text is the difference of
the two percentages beside it; against the schedule, green is exactly the scorer's
完成/达到序时 status, so a light never disagrees with the fills of 分项指标.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reporting.core.results import Results, UnitResult, ValueResult
from reporting.score.rules import shown
from reporting.workspace.config_document import LightSettings

GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"
COLOURS = (GREEN, YELLOW, RED, GREY)
_OK = ("completed", "on_schedule")


@dataclass(frozen=True)
class Light:
    colour: str  # green | yellow | red | grey (nothing to judge: no target, awaiting verification)
    reason: str  # rate | completed | missing | pending | no_target
    gap: float | None = None  # 百分点 against the reference, as printed (rate − reference)
    reference: float | None = None  # the schedule or the group's average rate (a fraction)


_shown = functools.lru_cache(maxsize=1 << 16)(shown)  # the same schedules and rates recur on every unit


def gap_points(rate: float, reference: float) -> float:
    """Rate minus reference in 百分点, each taken as printed (0.1%): 93.3% − 91.7% = 1.6."""
    r, s = _shown(rate), _shown(reference)
    assert r is not None and s is not None
    return round((r - s) * 100, 1) + 0.0


def light_of(value: ValueResult, reference: float | None, settings: LightSettings) -> Light:
    """The light of one value against ``reference`` (its schedule, or its group's average rate)."""
    status = value.status
    if status == "missing":
        return Light(RED, "missing")
    if status == "pending":
        return Light(GREY, "pending")
    if value.rate is None or reference is None or status == "no_target":
        return Light(GREY, "no_target")
    gap = gap_points(value.rate, reference)
    if status == "completed":
        return Light(GREEN, "completed", gap, reference)
    green = status in _OK if settings.mode == "schedule" else gap >= 0
    if green:
        return Light(GREEN, "rate", gap, reference)
    if -gap <= settings.yellow_within + 1e-9:
        return Light(YELLOW, "rate", gap, reference)
    return Light(RED, "rate", gap, reference)


def group_averages(results: Results) -> dict[tuple[str, str], float]:
    """The plain mean of the reported rates per (group, indicator): the reference of ``mode = "average"``."""
    group_of = {u.code: u.group for u in results.units}
    sums: dict[tuple[str, str], list[float]] = {}
    for v in results.values:
        if v.rate is not None and v.status not in ("missing", "pending", "no_target"):
            sums.setdefault((group_of.get(v.unit, ""), v.indicator), []).append(v.rate)
    return {k: sum(xs) / len(xs) for k, xs in sums.items()}


_last: list[tuple[Results, LightSettings, dict[str, dict[str, Light]]]] = []  # the document asks three times


def unit_lights(results: Results, settings: LightSettings) -> dict[str, dict[str, Light]]:
    """Light per unit code, then indicator code, for every unit of the results (missing units all red).

    The last answer is kept (for the same results object and settings): the document's text, its
    ranking and its lights table all ask, and a province's 20,000 units would be judged three times.
    """
    if _last and _last[0][0] is results and _last[0][1] == settings:
        return _last[0][2]
    out = _unit_lights(results, settings)
    _last[:] = [(results, settings, out)]
    return out


def _unit_lights(results: Results, settings: LightSettings) -> dict[str, dict[str, Light]]:
    averages = group_averages(results) if settings.mode == "average" else {}
    indicators = results.district.indicators
    out: dict[str, dict[str, Light]] = {}
    for u in results.units:
        row: dict[str, Light] = {}
        values = results.values_by_unit.get(u.code, {})
        for ind in indicators:
            v = values.get(ind.code)
            if v is None:
                v = ValueResult(unit=u.code, indicator=ind.code, status="missing" if u.status == "missing" else "no_target")
            ref = averages.get((u.group, ind.code)) if settings.mode == "average" else (
                v.schedule if v.schedule is not None else ind.schedule)
            row[ind.code] = light_of(v, ref, settings)
        out[u.code] = row
    return out


def light_counts(lights: dict[str, Light]) -> dict[str, int]:
    """How many of each colour one unit has (every colour present, 0 when none)."""
    counts = dict.fromkeys(COLOURS, 0)
    for light in lights.values():
        counts[light.colour] += 1
    return counts


# --------------------------------------------------------------------------- 红黑榜


@dataclass(frozen=True)
class Honour:
    """One line of a 红榜 (``top``) or 黑榜 (``bottom``): a unit and why it is named."""

    group: str
    unit: str
    board: str  # top | bottom
    composite: bool  # first (last) in the composite ranking
    score: float | None
    count: int  # indicators in which it ranks first (last)
    of: int  # indicators ranked in the group


def _ranked(results: Results, group: str) -> list[UnitResult]:
    return [u for u in results.units if u.group == group and u.rank is not None]


def honours(results: Results, settings: LightSettings) -> list[Honour]:
    """The 红榜 and 黑榜 per group: first/last in the composite, and first/last in the most indicators.

    Ties are named together. A unit both first in the composite and first in the most indicators is
    one entry with both reasons. The count of last places is taken only among ranked values, so a
    group of one unit names nobody on the 黑榜.
    """
    out: list[Honour] = []
    n = settings.honours_units
    for g in results.groups:
        ranked = _ranked(results, g.code)
        if len(ranked) < 2:
            continue
        codes = {u.code for u in ranked}
        firsts = dict.fromkeys(codes, 0)
        lasts = dict.fromkeys(codes, 0)
        of = 0
        for ind in results.district.indicators:
            vals = [v for c in codes if (v := results.value(c, ind.code)) is not None and v.rank is not None]
            if len(vals) < 2:
                continue
            of += 1
            worst = max(v.rank for v in vals if v.rank is not None)
            for v in vals:
                if v.rank == 1:
                    firsts[v.unit] += 1
                if v.rank == worst and worst > 1:
                    lasts[v.unit] += 1
        worst_rank = max(u.rank for u in ranked if u.rank is not None)
        for board, counts, composite in (
            ("top", firsts, {u.code for u in ranked if u.rank is not None and u.rank <= n}),
            ("bottom", lasts, {u.code for u in ranked if u.rank is not None and u.rank > 1
                               and u.rank >= _nth_from_end(ranked, n, worst_rank)}),
        ):
            most = _most(counts, n)
            for u in ranked:  # in ranking order
                if u.code in composite or u.code in most:
                    out.append(Honour(g.code, u.code, board, u.code in composite, u.score,
                                      counts[u.code] if u.code in most else 0, of))
    return out


def _nth_from_end(ranked: list[UnitResult], n: int, worst: int) -> int:
    """The rank from which a unit is among the last ``n`` (ties with the n-th from the end included)."""
    ranks = sorted((u.rank for u in ranked if u.rank is not None), reverse=True)
    return ranks[min(n, len(ranks)) - 1] if ranks else worst


def _most(counts: dict[str, int], n: int) -> set[str]:
    """The units with the ``n`` highest counts (ties included), never a count of 0."""
    ordered = sorted((c for c in counts.values() if c > 0), reverse=True)
    if not ordered:
        return set()
    cut = ordered[min(n, len(ordered)) - 1]
    return {k for k, c in counts.items() if c >= cut}
