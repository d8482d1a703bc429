"""Checks across periods: a year-to-date figure must not fall; a month's increase far beyond the unit's pattern.

The earlier figures are plain data: per indicator, the period and value of the
unit's last accepted figure of the same year (``previous.last_accepted``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reporting.core.models import CellValue, Indicator, Issue, issue
from reporting.core.periods import Period

if TYPE_CHECKING:
    from reporting.workspace.config import Workspace

CODES = ("ytd-decreased", "unusual-jump")
SMALL_COUNT = 10  # an increase up to this is never unusual: small counts jump by chance


def _fmt(value: float, ind: Indicator) -> str:
    return f"{value:,.{ind.decimals}f}"


def _when(prev: Period, period: Period, lang: str) -> str:
    from reporting.core.messages import t

    return t("trend.last_month", lang) if period.previous() == prev else (prev.label_zh() if lang == "zh" else str(prev))


def check_against_previous(values: dict[str, CellValue], previous: dict[str, tuple[Period, float]] | None,
                           ws: Workspace, period: Period, *, file: str,
                           unit: str) -> tuple[dict[str, CellValue], list[Issue]]:
    """``ytd-decreased`` (error, value excluded) against the last accepted earlier figure of the year;
    ``unusual-jump`` (warning) when the monthly increase since then exceeds ``jump_factor`` times the
    unit's own monthly average up to then (and is above the average and above a small count)."""
    issues: list[Issue] = []
    if not previous:
        return values, issues
    out = dict(values)
    factor = max(ws.settings.jump_factor, 1.0)
    for ind in ws.indicators:
        cv = values.get(ind.code)
        got = previous.get(ind.code)
        if ind.kind != "ytd" or cv is None or cv.value is None or got is None:
            continue
        prev_period, prev = got
        if prev_period.year != period.year or prev_period >= period:
            continue
        where = {"file": file, "sheet": cv.sheet, "cell": cv.cell, "unit": unit, "indicator": ind.code}
        if cv.value < prev - 1e-9:
            issues.append(issue("ytd-decreased", **where, detail=_fmt(cv.value, ind), previous=_fmt(prev, ind),
                                previous_period=_when(prev_period, period, "zh"),
                                previous_period_en=_when(prev_period, period, "en")))
            out[ind.code] = CellValue(ind.code, None, cv.raw, cv.sheet, cv.cell, excluded=True)
            continue
        if ind.schedule or prev_period.month < 2 or prev <= 0:
            continue  # seasonal indicators jump by design; one month is no pattern
        average = prev / prev_period.month
        increase = (cv.value - prev) / (period.month - prev_period.month)
        if increase > average and increase > factor * average and increase > SMALL_COUNT:
            issues.append(issue("unusual-jump", **where, increase=_fmt(increase, ind), average=_fmt(average, ind)))
    return out, issues
