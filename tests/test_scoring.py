"""Scoring rules on hand-computed cases and as properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.score import rules as sc


def test_completion_rate() -> None:
    assert sc.completion_rate(45, 60) == 0.75
    assert sc.completion_rate(45, 0) is None  # no target: shown as —, not ranked
    assert sc.completion_rate(45, None) is None
    assert sc.completion_rate(None, 60) is None


def test_status_against_schedule() -> None:
    nov = 11 / 12
    assert sc.status_of(1.0, nov) == sc.COMPLETED
    assert sc.status_of(0.9995, nov) == sc.COMPLETED  # shows as 100.0%
    assert sc.status_of(0.92, nov) == sc.ON_SCHEDULE
    assert sc.status_of(0.9166, nov) == sc.ON_SCHEDULE  # 91.7% shown equals 91.7% schedule
    assert sc.status_of(0.91, nov) == sc.BEHIND
    assert sc.status_of(None, nov, has_target=False) == sc.NO_TARGET
    assert sc.status_of(None, nov) == sc.PENDING
    # a seasonal indicator: 0.5 in October is on schedule, though 10/12 would not be
    assert sc.status_of(0.55, 0.5) == sc.ON_SCHEDULE
    assert sc.gap(0.80, 11 / 12) == pytest.approx(-0.11667, abs=1e-4)


def test_ranks_with_ties_share_the_better_rank_and_skip() -> None:
    ranks = sc.rank_with_ties({"a": 0.95, "b": 0.90, "c": 0.90, "d": 0.80, "e": None})
    assert ranks == {"a": (1, False), "b": (2, True), "c": (2, True), "d": (4, False)}


def test_ranks_tie_on_displayed_precision() -> None:
    # 91.24% and 91.16% both show as 91.2%: they tie
    ranks = sc.rank_with_ties({"a": 0.91240, "b": 0.91160, "c": 0.9})
    assert ranks["a"] == ranks["b"] == (1, True)
    assert ranks["c"] == (3, False)


def test_composite_score_caps_and_weights() -> None:
    weights = {"x": 20, "y": 10, "z": 0}
    # x over-achieved: capped at 1.2; z has weight 0 and is ignored
    score = sc.composite_score({"x": 2.0, "y": 0.6, "z": 5.0}, weights, 1.2)
    assert score == pytest.approx(100 * (20 * 1.2 + 10 * 0.6) / 30)
    # a missing target (rate None) leaves the indicator out of both sums
    assert sc.composite_score({"x": 0.9, "y": None}, weights, 1.2) == pytest.approx(90.0)
    assert sc.composite_score({"x": None, "y": None}, weights, 1.2) is None


rates = st.one_of(st.none(), st.floats(min_value=0, max_value=10, allow_nan=False))


@given(st.dictionaries(st.text(min_size=1, max_size=3), rates, max_size=30))
def test_ranks_are_a_permutation_with_ties(values: dict[str, float | None]) -> None:
    ranks = sc.rank_with_ties(values)
    ranked = {k for k, v in values.items() if v is not None}
    assert set(ranks) == ranked
    n = len(ranked)
    for k, (rank, tied) in ranks.items():
        better = sum(1 for j in ranked if round(values[j], 3) > round(values[k], 3))
        equal = sum(1 for j in ranked if round(values[j], 3) == round(values[k], 3))
        assert rank == better + 1
        assert tied == (equal > 1)
        assert 1 <= rank <= n
    if ranked:
        assert min(r for r, _ in ranks.values()) == 1


@given(st.dictionaries(st.sampled_from("abcdefgh"), rates),
       st.dictionaries(st.sampled_from("abcdefgh"), st.floats(min_value=0, max_value=50, allow_nan=False)),
       st.floats(min_value=1, max_value=3, allow_nan=False))
def test_score_never_exceeds_cap(rates_: dict[str, float | None], weights: dict[str, float], cap: float) -> None:
    score = sc.composite_score(rates_, weights, cap)
    if score is not None:
        assert 0 <= score <= 100 * cap + 1e-9


def _shown_by_decimal(value: float, places: int, stored: int) -> float:
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(round(value, stored))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)) + 0.0


@given(st.one_of(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
                 st.integers(-10**6, 10**6).map(lambda n: n / 10**4),  # exactly on a stored place
                 st.integers(-10**6, 10**6).map(lambda n: (n + 0.5) / 10**3)),  # halfway cases
       st.sampled_from([(3, 4), (2, 4), (1, 4), (0, 4), (2, 3), (4, 4), (3, 2)]))
def test_shown_in_integers_is_shown_in_decimals(value: float, places_stored: tuple[int, int]) -> None:
    places, stored = places_stored
    got = sc.shown(value, places, stored)
    assert got == _shown_by_decimal(value, places, stored)
    assert math.copysign(1.0, got) == 1.0 or got != 0.0  # never -0.0
