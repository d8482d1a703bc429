"""normalise_value: what towns type into a value cell, and what the tool makes of it."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.core.issuetypes import CATALOGUE, ERROR
from reporting.core.models import Indicator
from reporting.ingest.normalise import Normalised, normalise_value

FIRMS = Indicator(code="hte_applications", name="高新技术企业申报数", name_en="", unit="家")
SITES = Indicator(code="sites", name="众创空间", name_en="", unit="个")
AREA = Indicator(code="area", name="孵化面积", name_en="", unit="万平方米", decimals=2)
MONEY = Indicator(code="money", name="技术合同成交额", name_en="", unit="万元", decimals=2)
ONE_PLACE = Indicator(code="one", name="一位小数", name_en="", unit="项", decimals=1)
NO_UNIT = Indicator(code="bare", name="无单位", name_en="", unit="")

FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def codes(result: Normalised) -> list[str]:
    return [code for code, _ in result.notes]


def only_note(result: Normalised) -> tuple[str, dict[str, object]]:
    assert len(result.notes) == 1, result
    return result.notes[0]


# --- accepted and noted as value-normalised -------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "indicator", "value", "shown"),
    [
        ("12", FIRMS, 12, "12"),  # a number stored as text: noted, so the unit learns to type numbers
        ("1,234", FIRMS, 1234, "1234"),
        ("1，234", FIRMS, 1234, "1234"),  # full-width comma
        ("1,234,567", FIRMS, 1234567, "1234567"),
        ("１２３", FIRMS, 123, "123"),  # full-width digits
        ("１，２３４", FIRMS, 1234, "1234"),
        ("３５．８", AREA, 35.8, "35.8"),  # full-width point
        (" 12 ", FIRMS, 12, "12"),
        ("\u300012\u3000", FIRMS, 12, "12"),  # ideographic space
        ("\xa012\xa0", FIRMS, 12, "12"),  # NBSP
        ("\ufeff12\u200b", FIRMS, 12, "12"),  # zero-width characters from pasted text
        ("12家", FIRMS, 12, "12"),
        ("12 家", FIRMS, 12, "12"),
        ("12　家", FIRMS, 12, "12"),
        ("12 个", SITES, 12, "12"),
        ("35.8万平方米", AREA, 35.8, "35.8"),
        ("35.8 万 平方米", AREA, 35.8, "35.8"),  # spaces inside the unit are ignored
        ("1,234.5万元", MONEY, 1234.5, "1234.5"),
        ("12.0", FIRMS, 12, "12"),  # integer indicator, text with a .0
        ("12.00家", FIRMS, 12, "12"),
        ("12.50", ONE_PLACE, 12.5, "12.5"),  # trailing zero: not rounded, only normalised
        ("-5", FIRMS, -5, "-5"),  # negative: parsed; the validator flags it
        ("－5", FIRMS, -5, "-5"),
        ("\u22125", FIRMS, -5, "-5"),  # U+2212 minus sign
        ("(5)", FIRMS, -5, "-5"),  # accounting negative
        ("（5）", FIRMS, -5, "-5"),
        ("(1,234.5)", MONEY, -1234.5, "-1234.5"),
        ("(5)家", FIRMS, -5, "-5"),
        ("1e3", FIRMS, 1000, "1000"),
        ("1.5E2", FIRMS, 150, "150"),
        ("2.5e-1", AREA, 0.25, "0.25"),
        ("+12", FIRMS, 12, "12"),
        ("＋12", FIRMS, 12, "12"),
        ("007", FIRMS, 7, "7"),
        (".5", AREA, 0.5, "0.5"),
        ("5.", FIRMS, 5, "5"),
        ("-0", FIRMS, 0, "0"),
        ("0", FIRMS, 0, "0"),
        ("123456789012345", FIRMS, 123456789012345, "123456789012345"),  # very large: the validator judges
    ],
)
def test_text_accepted_with_a_note(raw: str, indicator: Indicator, value: float, shown: str) -> None:
    result = normalise_value(raw, indicator)
    assert result.value == value
    assert result.notes == (("value-normalised", {"detail": raw, "value": shown}),)


def test_negative_zero_text_is_plain_zero() -> None:
    assert math.copysign(1.0, normalise_value("-0", FIRMS).value) == 1.0  # type: ignore[arg-type]


def test_unit_matched_after_nfkc() -> None:
    square_metres = Indicator(code="m2", name="面积", name_en="", unit="㎡", decimals=2)
    assert normalise_value("12m2", square_metres).value == 12  # NFKC("㎡") == "m2"
    assert normalise_value("12㎡", square_metres).value == 12
    assert normalise_value("12 ｍ２", square_metres).value == 12


# --- numbers from the reader: no note ----------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "indicator", "value"),
    [
        (12, FIRMS, 12),
        (12.0, FIRMS, 12),  # a float 12.0 from the reader is not a change
        (0, FIRMS, 0),
        (-5, FIRMS, -5),
        (-5.0, FIRMS, -5),
        (35.8, AREA, 35.8),
        (35, AREA, 35),
        (0.1 + 0.2, AREA, 0.3),  # formula noise below Excel's 15 digits
        (12.000000000000002, FIRMS, 12),
        (10**12, FIRMS, 10**12),
        (1e20, FIRMS, 1e20),
        (Decimal("35.80"), AREA, 35.8),
        (Decimal("12"), FIRMS, 12),
        (Fraction(1, 2), AREA, 0.5),
    ],
)
def test_numbers_need_no_note(raw: object, indicator: Indicator, value: float) -> None:
    result = normalise_value(raw, indicator)
    assert result.value == value
    assert type(result.value) is float
    assert result.notes == ()


def test_negative_zero_float_is_plain_zero() -> None:
    assert math.copysign(1.0, normalise_value(-0.0, FIRMS).value) == 1.0  # type: ignore[arg-type]


# --- placeholders and blanks ------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["—", "–", "-", "－", "--", "－－", "——", "无", "/", "／", "空", " — ", "\u3000无\u3000"])
def test_dash_as_zero(raw: str) -> None:
    result = normalise_value(raw, FIRMS)
    assert result.value == 0
    assert result.notes == (("dash-as-zero", {"detail": raw}),)


@pytest.mark.parametrize("raw", ["一", "十二", "N/A", "\\", "---", "—5", "/5"])
def test_not_placeholders(raw: str) -> None:
    """一 is the digit one, and Chinese numerals are not parsed: both are refused, not read as 0."""
    result = normalise_value(raw, FIRMS)
    assert result.value is None
    assert codes(result) == ["not-a-number"]


@pytest.mark.parametrize("raw", [None, "", " ", "\u3000", "\xa0 \t\n", "\u200b"])
def test_blank_as_zero(raw: object) -> None:
    assert normalise_value(raw, FIRMS) == Normalised(0.0, (("blank-as-zero", {}),))
    assert normalise_value(raw, FIRMS, blank="zero") == Normalised(0.0, (("blank-as-zero", {}),))


@pytest.mark.parametrize("raw", [None, "", " ", "\u3000", "\xa0 \t\n"])
def test_blank_as_missing(raw: object) -> None:
    assert normalise_value(raw, FIRMS, blank="missing") == Normalised(None, (("blank-as-missing", {}),))


def test_blank_policy_must_be_known() -> None:
    with pytest.raises(ValueError):
        normalise_value("12", FIRMS, blank="skip")


# --- refused ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "indicator", "detail"),
    [
        ("约12", FIRMS, "约12"),
        ("12-15", FIRMS, "12-15"),
        ("见附件", FIRMS, "见附件"),
        ("12%", FIRMS, "12%"),
        ("1.2.3", FIRMS, "1.2.3"),
        ("十二", FIRMS, "十二"),
        ("12家", SITES, "12家"),  # not this indicator's unit
        ("12个", FIRMS, "12个"),
        ("120万", MONEY, "120万"),  # 万 is not 万元: never guess the scale
        ("12家", NO_UNIT, "12家"),
        ("12,34", FIRMS, "12,34"),  # separator in the wrong place: ambiguous
        ("1234,567", FIRMS, "1234,567"),
        ("1,2345", FIRMS, "1,2345"),
        ("1 234", FIRMS, "1 234"),
        ("(5", FIRMS, "(5"),
        ("5)", FIRMS, "5)"),
        ("(-5)", FIRMS, "(-5)"),
        ("+-5", FIRMS, "+-5"),
        ("- 5", FIRMS, "- 5"),
        (".", FIRMS, "."),
        ("e3", FIRMS, "e3"),
        ("nan", FIRMS, "nan"),
        ("inf", FIRMS, "inf"),
        ("Infinity", FIRMS, "Infinity"),
        ("①", FIRMS, "①"),  # NFKC would make this 1; it is not typed as a number
        ("¹²", FIRMS, "¹²"),
        ("١٢", FIRMS, "١٢"),  # Arabic-Indic digits
        ("12。5", AREA, "12。5"),
        ("1e999", FIRMS, "1e999"),  # beyond float range
        ("9" * 101, FIRMS, "9" * 40),  # too long to be a figure
        ("x" * 200, FIRMS, "x" * 40),
        (True, FIRMS, "True"),
        (False, FIRMS, "False"),
        (date(2022, 1, 11), FIRMS, "2022-01-11"),  # Excel turned "1-11" into a date
        (datetime(2022, 1, 11), FIRMS, "2022-01-11 00:00:00"),
        (time(1, 11), FIRMS, "01:11:00"),
        (float("nan"), FIRMS, "nan"),
        (float("inf"), AREA, "inf"),
        (float("-inf"), FIRMS, "-inf"),
        (Decimal("NaN"), FIRMS, "NaN"),
        (10**400, FIRMS, str(10**400)[:40]),
        (b"12", FIRMS, "b'12'"),
        ([12], FIRMS, "[12]"),
    ],
)
def test_not_a_number(raw: object, indicator: Indicator, detail: str) -> None:
    result = normalise_value(raw, indicator)
    assert result.value is None
    assert result.notes == (("not-a-number", {"detail": detail}),)


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (12.5, "12.5"),
        ("12.5", "12.5"),
        ("12.5家", "12.5家"),
        (0.1, "0.1"),
        ("1e-1", "1e-1"),
        (Decimal("2.5"), "2.5"),
    ],
)
def test_not_an_integer(raw: object, detail: str) -> None:
    result = normalise_value(raw, FIRMS)
    assert result.value is None
    assert result.notes == (("not-an-integer", {"detail": detail, "measure": "家", "measure_en": "家"}),)  # no unit_en: the Chinese unit stands in


@pytest.mark.parametrize(
    ("raw", "indicator", "value", "detail", "shown"),
    [
        ("35.856", AREA, 35.86, "35.856", "35.86"),
        ("2.675", AREA, 2.68, "2.675", "2.68"),  # half-up on the decimal text, not the binary float
        (2.675, AREA, 2.68, "2.675", "2.68"),  # float(2.675) is 2.67499999...; repr decides
        (1.005, AREA, 1.01, "1.005", "1.01"),
        ("0.125", AREA, 0.13, "0.125", "0.13"),
        ("-0.125", AREA, -0.13, "-0.125", "-0.13"),  # half away from zero, as 四舍五入
        ("12.25", ONE_PLACE, 12.3, "12.25", "12.3"),
        ("1,234.567万元", MONEY, 1234.57, "1,234.567万元", "1234.57"),
        ("１２．３４５", AREA, 12.35, "１２．３４５", "12.35"),
        ("0.001", AREA, 0, "0.001", "0"),
        (Decimal("0.005"), AREA, 0.01, "0.005", "0.01"),
    ],
)
def test_too_many_decimals_rounded_half_up(
    raw: object, indicator: Indicator, value: float, detail: str, shown: str
) -> None:
    result = normalise_value(raw, indicator)
    assert result.value == value
    assert result.notes == (
        ("too-many-decimals", {"detail": detail, "decimals": indicator.decimals, "value": shown}),
    )


@pytest.mark.parametrize("raw", ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", " #div/0! "])
def test_formula_error(raw: str) -> None:
    result = normalise_value(raw, FIRMS)
    assert result.value is None
    assert codes(result) == ["formula-error"]
    assert only_note(result)[1]["detail"] == raw.strip()


def test_formula_error_object_from_a_reader() -> None:
    class CellError:
        def __str__(self) -> str:
            return "#REF!"

    assert normalise_value(CellError(), FIRMS) == Normalised(None, (("formula-error", {"detail": "#REF!"}),))


def test_hostile_object_does_not_raise() -> None:
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

    result = normalise_value(Hostile(), FIRMS)
    assert result.value is None
    assert codes(result) == ["not-a-number"]


def test_every_note_is_in_the_catalogue_and_fills_its_message() -> None:
    from reporting.core.models import issue

    samples = ["12家", "—", "", "约12", "12.5", "35.856", "#REF!", None, True]
    for raw in samples:
        for indicator in (FIRMS, AREA):
            for code, params in normalise_value(raw, indicator).notes:
                assert code in CATALOGUE
                msg = issue(code, **params).message("zh")
                assert "{" not in msg


# --- properties -------------------------------------------------------------------------------

SPACES = st.text(alphabet=" \u3000\xa0\t", max_size=3)


@st.composite
def rendered_count(draw: st.DrawFn) -> tuple[int, object, Indicator]:
    """A whole number n and one of the ways a town might send it."""
    indicator = draw(st.sampled_from([FIRMS, SITES, NO_UNIT]))
    n = draw(st.integers(min_value=0, max_value=10**15))
    form = draw(st.sampled_from(["int", "float", "text"]))
    if form == "int":
        return n, n, indicator
    if form == "float":
        return n, float(n), indicator
    separator = draw(st.sampled_from(["", ",", "，"]))
    text = f"{n:,}".replace(",", separator) if separator else str(n)
    if draw(st.booleans()):
        text += draw(st.sampled_from([".0", ".00", "．0"]))
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    if indicator.unit and draw(st.booleans()):
        text += draw(st.sampled_from(["", " ", "\u3000"])) + indicator.unit
    return n, draw(SPACES) + text + draw(SPACES), indicator


@settings(max_examples=200, deadline=None)
@given(rendered_count())
def test_any_rendering_of_a_count_reads_exactly(case: tuple[int, object, Indicator]) -> None:
    n, raw, indicator = case
    result = normalise_value(raw, indicator)
    assert result.value == n
    assert float(n) == result.value
    assert [c for c in codes(result) if c != "value-normalised"] == []
    assert bool(result.notes) == isinstance(raw, str)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=4), st.data())
def test_decimal_text_within_places_reads_exactly(places: int, data: st.DataObject) -> None:
    indicator = Indicator(code="d", name="d", name_en="", unit="万元", decimals=places)
    d = data.draw(st.decimals(min_value=-(10**9), max_value=10**9, places=places,
                              allow_nan=False, allow_infinity=False))
    text = format(d, "f")
    result = normalise_value(text, indicator)
    assert result.value == float(d)
    assert codes(result) == ["value-normalised"]
    assert normalise_value(float(text), indicator).value == float(d)


ANYTHING = st.one_of(
    st.text(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.datetimes(),
)
# Text made of the characters the parser cares about, to reach its corners.
NEAR_NUMBERS = st.text(alphabet="0123456789,.，．１２+-－()（）eE 　家个万元—/无空#!", max_size=12)
INDICATORS = st.sampled_from([FIRMS, SITES, AREA, MONEY, ONE_PLACE, NO_UNIT])
BLANK = st.sampled_from(["zero", "missing"])


def is_blank(raw: object) -> bool:
    """None, or text of nothing but whitespace and zero-width characters."""
    return raw is None or (isinstance(raw, str) and all(c.isspace() or c in "\u200b\u200c\u200d\u2060\ufeff" for c in raw))


def check_invariants(raw: object, indicator: Indicator, blank: str) -> None:
    result = normalise_value(raw, indicator, blank=blank)
    assert isinstance(result, Normalised)
    for code, params in result.notes:
        assert code in CATALOGUE
        assert isinstance(params, dict)
    errors = [code for code, _ in result.notes if CATALOGUE[code].severity == ERROR]
    if result.value is None:
        if blank == "missing" and is_blank(raw):
            assert result.notes == (("blank-as-missing", {}),)
        else:
            assert len(errors) == 1, result
    else:
        assert type(result.value) is float
        assert math.isfinite(result.value)
        assert errors == []
        rounded = round(result.value, indicator.decimals)
        assert rounded == result.value or math.isclose(rounded, result.value, rel_tol=1e-15)


@settings(max_examples=200, deadline=None)
@given(ANYTHING, INDICATORS, BLANK)
def test_never_raises_and_notes_agree_with_value(raw: object, indicator: Indicator, blank: str) -> None:
    check_invariants(raw, indicator, blank)


@settings(max_examples=200, deadline=None)
@given(NEAR_NUMBERS, INDICATORS, BLANK)
def test_near_numbers_keep_the_invariants(raw: str, indicator: Indicator, blank: str) -> None:
    check_invariants(raw, indicator, blank)


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12), INDICATORS)
def test_reader_floats_round_to_the_indicator_places(x: float, indicator: Indicator) -> None:
    result = normalise_value(x, indicator)
    if result.value is None:
        assert indicator.decimals == 0
        assert codes(result) == ["not-an-integer"]
    else:
        assert abs(result.value - x) <= 0.5 * 10 ** -indicator.decimals + 1e-9 * max(1.0, abs(x))
