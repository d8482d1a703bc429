"""Check a recognised submission's values: normalise each cell, then apply the catalogue's rules.

A cell-level error excludes that value (the bulletin shows 待核实); warnings
and info never block. Rules that need other files (year-to-date decreases,
unusual jumps) take the previous period's accepted figures as plain data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reporting.core.issuetypes import ERROR
from reporting.core.models import CellValue, Indicator, Issue, issue
from reporting.ingest.normalise import normalise_value

if TYPE_CHECKING:
    from reporting.ingest.recognise import Layout
    from reporting.workspace.config import Workspace


def _fmt(value: float | None, ind: Indicator) -> str:
    if value is None:
        return "—"
    return f"{value:,.{ind.decimals}f}"


def read_values(layout: Layout, ws: Workspace, *, file: str, unit: str) -> tuple[dict[str, CellValue], dict[str, str], list[Issue]]:
    """Normalise every indicator's value cell; return values, remarks and the issues found."""
    from reporting.core.cells import a1

    sheet = layout.sheet
    values: dict[str, CellValue] = {}
    remarks: dict[str, str] = {}
    issues: list[Issue] = []
    for r, label in layout.unknown_rows:
        issues.append(issue("unknown-row", file=file, sheet=sheet.name, cell=a1(r, layout.label_col), unit=unit,
                            detail=label))
    for code, r in layout.duplicate_rows:
        ind = ws.indicator(code)
        issues.append(issue("duplicate-row", file=file, sheet=sheet.name, cell=a1(r, layout.label_col), unit=unit,
                            indicator=code, indicator_name=ind.name, detail=a1(layout.rows[code], layout.label_col)))
    for ind in ws.indicators:
        r = layout.rows.get(ind.code)
        if r is None:
            issues.append(issue("missing-indicator", file=file, sheet=sheet.name, unit=unit, indicator=ind.code,
                                indicator_name=ind.name))
            values[ind.code] = CellValue(ind.code, None, None, sheet.name, "", excluded=True)
            continue
        cell = a1(r, layout.value_col)
        where = {"file": file, "sheet": sheet.name, "cell": cell, "unit": unit, "indicator": ind.code}
        raw = sheet.cell(r, layout.value_col)
        if layout.remark_col is not None:
            remark = sheet.cell(r, layout.remark_col)
            if remark not in (None, ""):
                remarks[ind.code] = str(remark)
        if (r, layout.value_col) in sheet.formula_no_value:
            issues.append(issue("formula-without-value", **where))
            values[ind.code] = CellValue(ind.code, None, raw, sheet.name, cell, excluded=True)
            continue
        if (r, layout.value_col) in sheet.errors:
            issues.append(issue("formula-error", **where, detail=sheet.errors[(r, layout.value_col)]))
            values[ind.code] = CellValue(ind.code, None, raw, sheet.name, cell, excluded=True)
            continue
        norm = normalise_value(raw, ind, blank=ws.settings.blank)
        bad = False
        for code, params in norm.notes:
            issues.append(issue(code, **where, **params))
            bad = bad or issues[-1].severity == ERROR
        value = norm.value
        if value is not None and not bad:
            if value < ind.min:
                issues.append(issue("negative-value", **where, detail=_fmt(value, ind)))
                bad = True
            elif ind.max is not None and value > ind.max:
                issues.append(issue("implausible-value", **where, detail=_fmt(value, ind), max=_fmt(ind.max, ind)))
                bad = True
        values[ind.code] = CellValue(ind.code, None if bad else value, raw, sheet.name, cell, excluded=bad)
    # relations between indicators of the same file (e.g. recognised <= applications)
    for ind in ws.indicators:
        if not ind.le:
            continue
        mine, other = values.get(ind.code), values.get(ind.le)
        if mine and other and mine.value is not None and other.value is not None and mine.value > other.value + 1e-9:
            other_ind = ws.indicator(ind.le)
            issues.append(issue("exceeds-related", file=file, sheet=mine.sheet, cell=mine.cell, unit=unit,
                                indicator=ind.code, indicator_name=ind.name, detail=_fmt(mine.value, ind),
                                other_name=other_ind.name, other_value=_fmt(other.value, other_ind)))
            values[ind.code] = CellValue(ind.code, None, mine.raw, mine.sheet, mine.cell, excluded=True)
    return values, remarks, issues


def check_against_previous(values: dict[str, CellValue], previous: dict[str, float] | None,
                           history: list[dict[str, float]], ws: Workspace, month: int, *,
                           file: str, unit: str) -> tuple[dict[str, CellValue], list[Issue]]:
    """Year-to-date figures must not fall; flag a month's increase far beyond the unit's own pattern.

    ``previous`` is the unit's accepted figures for the previous period of the
    same year; ``history`` its earlier months (oldest first), used for the pattern.
    """
    issues: list[Issue] = []
    if not previous:
        return values, issues
    out = dict(values)
    for ind in ws.indicators:
        cv = values.get(ind.code)
        prev = previous.get(ind.code)
        if ind.kind != "ytd" or cv is None or cv.value is None or prev is None:
            continue
        where = {"file": file, "sheet": cv.sheet, "cell": cv.cell, "unit": unit, "indicator": ind.code}
        if cv.value < prev - 1e-9:
            issues.append(issue("ytd-decreased", **where, detail=_fmt(cv.value, ind), previous=_fmt(prev, ind)))
            out[ind.code] = CellValue(ind.code, None, cv.raw, cv.sheet, cv.cell, excluded=True)
            continue
        if ind.schedule or month < 3 or prev <= 0:
            continue  # seasonal indicators jump by design; too little history to know a pattern
        average = prev / (month - 1)
        increase = cv.value - prev
        threshold = max(ws.settings.jump_factor * average, 10)  # small counts jump by chance
        if increase > threshold:
            issues.append(issue("unusual-jump", **where, increase=_fmt(increase, ind), average=_fmt(average, ind)))
    return out, issues
