"""指标亮灯 and 红黑榜 (score/lights.py): boundary values, properties over random rates, ties."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.core.results import District, DistrictIndicator, GroupResult, Results, UnitResult, ValueResult
from reporting.score.lights import (
    GREEN,
    GREY,
    RED,
    YELLOW,
    gap_points,
    group_averages,
    honours,
    light_of,
    unit_lights,
)
from reporting.score.rules import status_of
from reporting.workspace.config_document import LightSettings

SCHEDULE = LightSettings()  # green at schedule, yellow within 5 points, red beyond
AVERAGE = LightSettings(mode="average")
ORDER = {RED: 0, YELLOW: 1, GREEN: 2}


def value(rate: float | None, schedule: float = 0.75, status: str | None = None) -> ValueResult:
    if status is None:
        status = status_of(rate, schedule)
    return ValueResult(unit="u", indicator="i", rate=rate, schedule=schedule, status=status, target=100.0,
                       actual=None if rate is None else rate * 100)


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize(("rate", "colour"), [
    (0.75, GREEN),      # exactly at schedule
    (0.7496, GREEN),    # prints as 75.0%: on schedule as the scorer says
    (0.749, YELLOW),    # 74.9%: 0.1 points behind
    (0.70, YELLOW),     # exactly 5.0 points behind: still yellow
    (0.699, RED),       # 5.1 points behind
    (0.0, RED),
    (1.0, GREEN),       # target met
    (1.35, GREEN),
])
def test_light_against_the_schedule_at_its_edges(rate: float, colour: str) -> None:
    assert light_of(value(rate), 0.75, SCHEDULE).colour == colour


def test_gap_is_the_difference_of_the_printed_percentages() -> None:
    assert gap_points(0.9335, 0.9167) == 1.7  # 93.4% − 91.7%
    assert gap_points(0.70, 0.75) == -5.0
    light = light_of(value(0.699), 0.75, SCHEDULE)
    assert light.gap == -5.1 and light.reason == "rate"


def test_missing_is_red_pending_and_no_target_are_grey() -> None:
    missing = light_of(ValueResult(status="missing"), 0.75, SCHEDULE)
    assert missing.colour == RED and missing.reason == "missing"
    assert light_of(ValueResult(status="pending"), 0.75, SCHEDULE).colour == GREY
    assert light_of(ValueResult(status="no_target", actual=5.0), 0.75, SCHEDULE).colour == GREY


def test_yellow_band_is_configurable() -> None:
    tight = LightSettings(yellow_within=0.0)
    assert light_of(value(0.749), 0.75, tight).colour == RED
    wide = LightSettings(yellow_within=20.0)
    assert light_of(value(0.55), 0.75, wide).colour == YELLOW
    assert light_of(value(0.549), 0.75, wide).colour == RED


def test_average_mode_compares_with_the_reference_given() -> None:
    v = value(0.60, schedule=0.75)  # behind schedule, but at the group's average
    assert light_of(v, 0.60, AVERAGE).colour == GREEN
    assert light_of(v, 0.65, AVERAGE).colour == YELLOW  # 5.0 points below the average
    light = light_of(v, 0.651, AVERAGE)
    assert light.colour == RED and light.gap == -5.1


# --------------------------------------------------------------------------- properties


@given(st.floats(0, 2, allow_nan=False), st.floats(0.05, 1, allow_nan=False))
def test_green_is_exactly_the_scorers_on_schedule(rate: float, schedule: float) -> None:
    status = status_of(rate, schedule)
    light = light_of(value(rate, schedule, status), schedule, SCHEDULE)
    assert (light.colour == GREEN) == (status in ("completed", "on_schedule"))
    assert light.colour in (GREEN, YELLOW, RED)


@given(st.floats(0, 2, allow_nan=False), st.floats(0, 2, allow_nan=False), st.floats(0.05, 1, allow_nan=False),
       st.floats(0, 30, allow_nan=False))
def test_a_higher_rate_never_gets_a_worse_light(a: float, b: float, reference: float, within: float) -> None:
    lo, hi = sorted((a, b))
    settings = LightSettings(mode="average", yellow_within=within)
    light_lo = light_of(value(lo, reference), reference, settings)
    light_hi = light_of(value(hi, reference), reference, settings)
    assert ORDER[light_hi.colour] >= ORDER[light_lo.colour]


@given(st.floats(0, 1.5, allow_nan=False), st.floats(0.05, 1, allow_nan=False))
def test_yellow_only_within_the_band(rate: float, schedule: float) -> None:
    light = light_of(value(rate, schedule), schedule, SCHEDULE)
    if light.colour == YELLOW:
        assert light.gap is not None and -SCHEDULE.yellow_within - 1e-9 <= light.gap <= 0
    if light.colour == RED:
        assert light.gap is not None and light.gap < -SCHEDULE.yellow_within


# --------------------------------------------------------------------------- over results


def _results(rates: dict[str, dict[str, float | None]], scores: dict[str, tuple[float, int, bool]],
             ranks: dict[str, dict[str, int]] | None = None) -> Results:
    inds = sorted({i for r in rates.values() for i in r})
    district = District(name="测试区", indicators=tuple(
        DistrictIndicator(code=i, name=i, target=100.0, schedule=0.75, weight=10.0) for i in inds))
    units = tuple(UnitResult(code=u, name=u, group="g", status="ok", score=s, rank=rk, rank_tied=tied)
                  for u, (s, rk, tied) in scores.items())
    values = []
    for u, row in rates.items():
        for i, rate in row.items():
            rank = (ranks or {}).get(u, {}).get(i)
            values.append(ValueResult(unit=u, indicator=i, rate=rate, schedule=0.75, target=100.0,
                                      status="missing" if rate is None else status_of(rate, 0.75), rank=rank))
    return Results(period="2022-09", year=2022, month=9, district=district,
                   groups=(GroupResult(code="g", name="镇"),), units=units, values=tuple(values))


def test_unit_lights_and_group_averages() -> None:
    r = _results({"a": {"x": 0.80, "y": None}, "b": {"x": 0.60, "y": 0.74}},
                 {"a": (90.0, 1, False), "b": (80.0, 2, False)})
    lit = unit_lights(r, SCHEDULE)
    assert lit["a"]["x"].colour == GREEN and lit["a"]["y"].colour == RED  # y missing
    assert lit["b"]["x"].colour == RED and lit["b"]["y"].colour == YELLOW
    assert group_averages(r)[("g", "x")] == pytest.approx(0.70)
    lit = unit_lights(r, AVERAGE)
    assert lit["a"]["x"].colour == GREEN and lit["b"]["x"].colour == RED  # 60% against an average of 70%
    assert lit["b"]["y"].colour == GREEN  # the only reported y: it is the average


def test_honours_name_first_and_last_with_their_reasons_and_ties() -> None:
    rates = {u: {"x": 0.8, "y": 0.8, "z": 0.8} for u in "abc"}
    ranks = {"a": {"x": 1, "y": 1, "z": 2}, "b": {"x": 2, "y": 3, "z": 1}, "c": {"x": 3, "y": 2, "z": 3}}
    r = _results(rates, {"a": (95.0, 1, False), "b": (90.0, 2, False), "c": (80.0, 3, False)}, ranks)
    entries = honours(r, dataclasses.replace(SCHEDULE, honours=True))
    top = [(h.unit, h.composite, h.count, h.of) for h in entries if h.board == "top"]
    bottom = [(h.unit, h.composite, h.count) for h in entries if h.board == "bottom"]
    assert top == [("a", True, 2, 3)]  # first in the composite and in 2 of 3 indicators
    assert bottom == [("c", True, 2)]  # last in the composite and last in x and z
    tied = _results(rates, {"a": (95.0, 1, True), "b": (95.0, 1, True), "c": (80.0, 3, False)}, ranks)
    assert {h.unit for h in honours(tied, SCHEDULE) if h.board == "top" and h.composite} == {"a", "b"}


def test_a_group_of_one_names_nobody() -> None:
    r = _results({"a": {"x": 0.8}}, {"a": (90.0, 1, False)}, {"a": {"x": 1}})
    assert honours(r, SCHEDULE) == []
