"""Scoring rules: completion rates, schedule status, ranks with ties, composite scores.

Plain functions over plain numbers, so each rule can be tested on
hand-computed cases. Ranks compare rates at the precision the bulletin
shows (0.1%), so rates that look equal tie.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

COMPLETED = "completed"
ON_SCHEDULE = "on_schedule"
BEHIND = "behind"
NO_TARGET = "no_target"
PENDING = "pending"
MISSING = "missing"

RATE_PLACES = 3  # 0.1% as a fraction
STORED_PLACES = 4  # rates and schedules as results.json stores them (and the bulletin's cells hold)
SCORE_PLACES = 2


def shown(value: float | None, places: int = RATE_PLACES, stored: int = STORED_PLACES) -> float | None:
    """A fraction as the bulletin shows it: stored at ``stored`` places, displayed at ``places``.

    A spreadsheet rounds the stored 0.9335 half away from zero and shows
    93.4% (checked with LibreOffice), whereas Python's ``round`` works on the
    binary value (``round(0.9335, 3) == 0.933``). Ranks, statuses and gaps
    are computed on this value, so that two rates that look the same tie,
    and a gap is the difference of the two percentages printed beside it.
    """
    if value is None:
        return None
    if places < stored and abs(value) < 1e9:
        # the same in integers (48,000 calls at 2,000 units): the stored decimal times 10**stored is
        # exact after round(), half-up is then integer arithmetic, and k / 10**places is the float
        # nearest to the decimal, as float(Decimal) is (tests/test_scoring.py checks both agree)
        n = round(round(value, stored) * 10**stored)
        step = 10 ** (stored - places)
        k = (abs(n) + step // 2) // step
        return (k if n >= 0 else -k) / 10**places + 0.0
    d = Decimal(repr(round(value, stored))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return float(d) + 0.0  # never -0.0


def completion_rate(actual: float | None, target: float | None) -> float | None:
    """Year-to-date actual / annual target; None without a positive target or an actual."""
    if actual is None or target is None or target <= 0:
        return None
    return actual / target


def status_of(rate: float | None, schedule: float, *, has_target: bool = True) -> str:
    """完成全年目标 / 达到序时进度 / 落后序时进度, compared at the displayed precision."""
    if not has_target:
        return NO_TARGET
    if rate is None:
        return PENDING
    r = round(rate, RATE_PLACES)
    if r >= 1:
        return COMPLETED
    if r >= round(schedule, RATE_PLACES):
        return ON_SCHEDULE
    return BEHIND


def gap(rate: float | None, schedule: float) -> float | None:
    """Rate minus schedule, as a fraction (×100 gives 百分点)."""
    return None if rate is None else rate - schedule


def shown_gap(rate: float | None, schedule: float) -> float | None:
    """Rate minus schedule as the bulletin prints them (each at 0.1%), so 93.3% − 91.7% reads 1.6."""
    r, s = shown(rate), shown(schedule)
    if r is None or s is None:
        return None
    return round(r - s, STORED_PLACES) + 0.0


def rank_with_ties(values: Mapping[Hashable, float | None], places: int = RATE_PLACES) -> dict[Hashable, tuple[int, bool]]:
    """Competition ranking, highest first: ties share the better rank and the next is skipped (1, 2, 2, 4).

    Values are compared rounded to ``places``; None is not ranked. Returns
    key -> (rank, tied).
    """
    scored = {k: round(v, places) for k, v in values.items() if v is not None}
    ordered = sorted(scored.values(), reverse=True)
    first_at: dict[float, int] = {}
    counts: dict[float, int] = {}
    for i, v in enumerate(ordered, 1):
        first_at.setdefault(v, i)
        counts[v] = counts.get(v, 0) + 1
    return {k: (first_at[v], counts[v] > 1) for k, v in scored.items()}


def composite_score(rates: Mapping[str, float | None], weights: Mapping[str, float], cap: float,
                    pending: Iterable[str] = ()) -> float | None:
    """100 × Σ wᵢ·min(rateᵢ, cap) / Σ wᵢ over indicators with a rate and a positive weight.

    Indicators without a target (no rate) are left out of both sums. An indicator in
    ``pending`` (its value excluded by an error, 待核实, while it has a target) counts as a
    rate of 0, as is usual in 考核: a unit never climbs by typing 约8 into its weak cells.
    The score is then provisional (see :func:`score_complete`).
    """
    pending = set(pending)
    num = 0.0
    den = 0.0
    for code, w in weights.items():
        if w <= 0:
            continue
        rate = rates.get(code)
        if code in pending:
            den += w
            continue
        if rate is None:
            continue
        num += w * min(max(rate, 0.0), cap)
        den += w
    return None if den == 0 else 100 * num / den


def score_complete(pending: Iterable[str], weights: Mapping[str, float]) -> bool:
    """Whether no weighted indicator was counted as 0 because its value awaits verification."""
    return not any(weights.get(code, 0) > 0 for code in pending)
