"""Read one value cell as a number, recording what had to be changed or guessed.

Towns type figures by hand: "12家", "1，234", full-width digits, a dash for
nothing, a blank. Each accepted repair is noted (``value-normalised`` as info,
placeholders and rounding as warnings) so the bulletin can tell units how to
fill the form next time; anything that is not clearly a number is refused with
an error rather than guessed (``约12``, ``12-15``, ``十二``, a date).

Rules decided here (see also the tests):

* Every number that arrives as *text* gets a ``value-normalised`` note, even a
  plain ``"12"``: a number stored as text is something the unit should fix.
  Numbers from the reader (``int``/``float``/``Decimal``) get no note.
* At most one note per cell: when a text value is also rounded, only the
  ``too-many-decimals`` warning is recorded (its params carry the value too).
* ``too-many-decimals`` is raised only when rounding changes the value:
  "12.50" for a 1-place indicator is 12.5 exactly and is merely normalised.
* Floats are judged at Excel's 15 significant digits, so formula noise such as
  0.30000000000000004 or 12.000000000000002 is neither rounded with a warning
  nor refused as "not an integer"; genuine extra places are rounded half-up
  from ``Decimal(repr(x))``.
* Only ASCII digits (after mapping the full-width forms) are read: circled,
  superscript or other-script digits and Chinese numerals are not numbers.
* This function never flags negative or implausible values; the validator does.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import lru_cache

from reporting.core.models import Indicator

__all__ = ["Normalised", "normalise_value"]

Note = tuple[str, dict[str, object]]


@dataclass(frozen=True)
class Normalised:
    """The number read from a cell, or None, with the notes (issue code, params) explaining it."""

    value: float | None  # None: missing, or not usable (then an error code is in notes)
    notes: tuple[Note, ...] = ()


_MAX_TEXT = 100  # longer strings are not numbers; do not spend time on them
_DETAIL = 40  # what an error message quotes of a bad value
_MAX_ADJUSTED = 400  # decimal exponent beyond which text cannot be a float anyway

# Whitespace Python strips, plus the zero-width characters pasted from web pages and WeChat.
_STRIP = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + "\u200b\u200c\u200d\u2060\ufeff"

# Full-width forms typed with a Chinese IME, mapped to ASCII; nothing else is converted
# (NFKC would also turn ① or ¹² into digits).
_TO_ASCII = {0xFF10 + i: ord("0") + i for i in range(10)}
_TO_ASCII.update({
    ord("．"): ".", ord("，"): ",", ord("＋"): "+", ord("－"): "-", ord("\u2212"): "-",
    ord("（"): "(", ord("）"): ")", ord("ｅ"): "e", ord("Ｅ"): "E", ord("／"): "/",
    ord("\u3000"): " ", ord("\xa0"): " ",
})

# Placeholders for "nothing this period", compared after the full-width mapping ("－" is "-").
_DASHES = frozenset({"—", "–", "-", "--", "——", "无", "/", "空"})
# "一" is the Chinese digit one and deliberately absent.

_EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!", "#EXTERNAL!",
})

# A number at the start of the text; whatever follows must be the indicator's unit.
# Thousands separators only in groups of three ("12,34" falls through to the suffix and fails).
_NUMBER = re.compile(
    r"(?P<open>\()?"
    r"(?P<sign>[+-])?"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?"
    r"(?:\.(?P<frac>[0-9]*))?"
    r"(?:[eE](?P<exp>[+-]?[0-9]{1,6}))?"
    r"(?P<close>\))?"
    r"(?P<suffix>.*)",
    re.DOTALL,
)
_SPACES = re.compile(r"\s+")

_CTX = Context(prec=1000, rounding=ROUND_HALF_UP)  # wide enough that quantize never overflows


@lru_cache(maxsize=256)
def _unit_key(unit: str) -> str:
    """Units compare after NFKC without spaces, so "万 平方米" matches "万平方米"."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", unit))


@lru_cache(maxsize=16)
def _quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def _display(d: Decimal) -> str:
    """Shortest fixed-point text of a value: 12, 35.8, 1000 (never 1E+3 or -0)."""
    if not d:
        return "0"
    return format(d.normalize(_CTX), "f")


def _error(code: str, **params: object) -> Normalised:
    return Normalised(None, ((code, params),))


def _not_an_integer(detail: str, indicator: Indicator) -> Normalised:
    """A fraction for a whole-number indicator; its measure in both languages (家, "firms")."""
    return _error("not-an-integer", detail=detail, measure=indicator.unit, measure_en=indicator.unit_en or indicator.unit)


def _not_a_number(raw: object) -> Normalised:
    try:
        detail = str(raw)[:_DETAIL]
    except Exception:  # a hostile __str__ must not stop the run
        detail = type(raw).__name__
    return _error("not-a-number", detail=detail)


def _blank(blank: str) -> Normalised:
    if blank == "zero":
        return Normalised(0.0, (("blank-as-zero", {}),))
    return Normalised(None, (("blank-as-missing", {}),))


def normalise_value(raw: object, indicator: Indicator, *, blank: str = "zero") -> Normalised:
    """Read ``raw`` (a cell value as a reader returns it) as a figure of ``indicator``.

    ``blank`` is the workspace policy for empty cells: "zero" (count as 0, warn)
    or "missing" (not reported). The result's value is a float equal to the
    decimal value rounded to ``indicator.decimals`` places, or None with exactly
    one error note (or the blank-as-missing warning).
    """
    if blank not in ("zero", "missing"):
        raise ValueError(f"blank must be 'zero' or 'missing', not {blank!r}")
    # Fast paths: what readers return for almost every cell.
    if type(raw) is float:
        return _from_float(raw, indicator)
    if type(raw) is int:
        return _from_int(raw)
    if raw is None:
        return _blank(blank)
    if isinstance(raw, str):
        return _from_text(raw, indicator, blank)
    if isinstance(raw, bool | date | time | timedelta | datetime):
        return _not_a_number(raw)  # TRUE/FALSE, or a "1-11" Excel turned into a date
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return _not_a_number(raw)
        return _from_decimal(raw, indicator, raw, text=False)
    if isinstance(raw, numbers.Integral):  # numpy integers and the like
        return _from_int(int(raw))
    if isinstance(raw, numbers.Real):  # numpy floats, fractions
        try:
            x = float(raw)
        except (OverflowError, ValueError):
            return _not_a_number(raw)
        return _from_float(x, indicator)
    try:  # an error object from a reader whose text is "#DIV/0!"
        text = str(raw).strip(_STRIP).upper()
    except Exception:
        return _not_a_number(raw)
    if text in _EXCEL_ERRORS:
        return _error("formula-error", detail=text)
    return _not_a_number(raw)


def _from_int(n: int) -> Normalised:
    try:
        return Normalised(float(n))
    except OverflowError:  # beyond float range: not a figure anyone reports
        return _not_a_number(n)


def _from_float(x: float, indicator: Indicator) -> Normalised:
    """A float from the reader: no note unless it must be rounded or refused."""
    if not math.isfinite(x):
        return _not_a_number(x)
    places = indicator.decimals
    if places == 0:
        if x.is_integer():
            return Normalised(x + 0.0)  # + 0.0 turns -0.0 into 0.0
    elif round(x, places) == x:
        return Normalised(x + 0.0)
    # Excel shows and computes 15 significant digits; below that is formula noise.
    excel = Decimal(format(x, ".15g"))
    if excel == excel.quantize(_quantum(places), context=_CTX):
        return Normalised(float(excel) + 0.0)
    if places == 0:
        return _not_an_integer(format(x, ".15g"), indicator)
    return _from_decimal(Decimal(repr(x)), indicator, format(x, ".15g"), text=False)


def _from_decimal(d: Decimal, indicator: Indicator, detail: object, *, text: bool) -> Normalised:
    """Round an exact value to the indicator's places, noting what was done."""
    if d.adjusted() > _MAX_ADJUSTED:
        return _not_a_number(detail)
    places = indicator.decimals
    if places == 0:
        if d != d.to_integral_value(context=_CTX):
            return _not_an_integer(str(detail)[:_DETAIL], indicator)
        rounded = d
    else:
        rounded = d.quantize(_quantum(places), context=_CTX)
    value = float(rounded) + 0.0
    if not math.isfinite(value):
        return _not_a_number(detail)
    if rounded != d:
        params: dict[str, object] = {"detail": str(detail)[:_DETAIL], "decimals": places, "value": _display(rounded)}
        return Normalised(value, (("too-many-decimals", params),))
    if text:
        return Normalised(value, (("value-normalised", {"detail": detail, "value": _display(rounded)}),))
    return Normalised(value)


def _from_text(raw: str, indicator: Indicator, blank: str) -> Normalised:
    """Text typed or pasted into the cell: repair the known habits, refuse the rest."""
    if len(raw) > _MAX_TEXT:
        return _not_a_number(raw)
    s = raw.strip(_STRIP)
    if not s:
        return _blank(blank)
    s = s.translate(_TO_ASCII)
    if s in _DASHES:
        return Normalised(0.0, (("dash-as-zero", {"detail": raw}),))
    if s[0] == "#" and s.upper() in _EXCEL_ERRORS:
        return _error("formula-error", detail=s)
    m = _NUMBER.match(s)
    if m is None:  # the pattern matches any text; kept for the type checker
        return _not_a_number(raw)
    int_part, frac, sign = m["int"], m["frac"], m["sign"]
    if not int_part and not frac:
        return _not_a_number(raw)
    if (m["open"] is None) != (m["close"] is None) or (m["open"] and sign):
        return _not_a_number(raw)  # "(5", "5)", "(-5)"
    suffix = m["suffix"]
    if suffix and _unit_key(suffix) != _unit_key(indicator.unit):
        return _not_a_number(raw)  # "12%", "12-15", "1.2.3", or another unit
    number = (int_part or "0").replace(",", "") + "." + (frac or "0")
    if m["exp"]:
        number += "e" + m["exp"]
    try:
        d = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return _not_a_number(raw)
    if sign == "-" or m["open"]:
        d = -d
    return _from_decimal(d, indicator, raw, text=True)
