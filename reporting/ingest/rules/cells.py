"""Each indicator's value cell: normalise it, convert its unit of measure, check its range.

A cell-level error excludes that value (the bulletin shows 待核实); warnings
and info never block.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from reporting.core.issuetypes import ERROR
from reporting.core.models import CellValue, Indicator, Issue, issue
from reporting.ingest.normalise import normalise_value
from reporting.ingest.rules.relations import check_relations

if TYPE_CHECKING:
    from reporting.ingest.layout import Layout
    from reporting.workspace.config import Workspace

CODES = ("unknown-row", "duplicate-row", "conflicting-rows", "missing-indicator", "formula-without-value",
         "formula-error", "negative-value", "implausible-value", "unit-converted", "unit-mismatch-measure",
         "measure-conflict", "too-many-decimals")


def _shown(raw: object) -> str:
    """A cell as the message quotes it: its text, or 空 / blank."""
    return "空" if raw is None or str(raw).strip() == "" else str(raw)[:40]


def _fmt(value: float | None, ind: Indicator) -> str:
    if value is None:
        return "—"
    return f"{value:,.{ind.decimals}f}"


def _measure(layout: Layout, r: int) -> tuple[str, str] | None:
    """The unit of measure the file states for row ``r`` (its 计量单位 cell, else the value header's), with its cell."""
    from reporting.core.cells import a1

    if layout.measure_col is not None:
        v = layout.sheet.cell(r, layout.measure_col)
        if isinstance(v, str) and v.strip():
            return v.strip(), a1(r, layout.measure_col)
    if layout.header_measure:
        return layout.header_measure, a1(layout.header_last or layout.header_row, layout.value_col)
    return None


def read_values(layout: Layout, ws: Workspace, *, file: str, unit: str) -> tuple[dict[str, CellValue], dict[str, str], list[Issue]]:
    """Normalise every indicator's value cell; return values, remarks and the issues found."""
    from reporting.core.cells import a1
    from reporting.ingest.headers import conversion

    sheet = layout.sheet
    values: dict[str, CellValue] = {}
    remarks: dict[str, str] = {}
    issues: list[Issue] = []
    for r, label in layout.unknown_rows:
        issues.append(issue("unknown-row", file=file, sheet=sheet.name, cell=a1(r, layout.label_col), unit=unit,
                            detail=label))
    conflicting: set[str] = set()
    for code, r in layout.duplicate_rows:
        ind = ws.indicator(code)
        named = {"file": file, "sheet": sheet.name, "unit": unit, "indicator": code, "indicator_name": ind.name,
                 "indicator_name_en": ind.display_name("en")}
        used_raw, other_raw = sheet.cell(layout.rows[code], layout.value_col), sheet.cell(r, layout.value_col)
        used_v = normalise_value(used_raw, ind, blank=ws.settings.blank).value
        other_v = normalise_value(other_raw, ind, blank=ws.settings.blank).value
        if used_v == other_v and (used_v is not None or used_raw == other_raw):
            issues.append(issue("duplicate-row", **named, cell=a1(r, layout.label_col),
                                detail=a1(layout.rows[code], layout.label_col)))
        elif code not in conflicting:  # two figures for one indicator: which is meant cannot be told
            conflicting.add(code)
            issues.append(issue("conflicting-rows", **named, cell=a1(r, layout.value_col),
                                detail=a1(layout.rows[code], layout.value_col), value=_shown(used_raw),
                                other_cell=a1(r, layout.value_col), other_value=_shown(other_raw)))
    for ind in ws.indicators:
        r = layout.rows.get(ind.code)
        if r is None:
            issues.append(issue("missing-indicator", file=file, sheet=sheet.name, unit=unit, indicator=ind.code,
                                indicator_name=ind.name, indicator_name_en=ind.display_name("en")))
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
        stated = _measure(layout, r) if not layout.exact else None
        header = layout.header_measure if not layout.exact and layout.measure_col is not None else None
        if stated is not None and header and {conversion(stated[0], header), conversion(header, stated[0])} - {None, 1.0}:
            # 计量单位 says 万元, the header says 元: 10,000 times apart, which is meant? (家 under 元 is no rival)
            issues.append(issue("measure-conflict", **(where | {"cell": stated[1]}), measure=stated[0],
                                header=header, header_cell=a1(layout.header_last or layout.header_row,
                                                              layout.value_col)))
            values[ind.code] = CellValue(ind.code, None, raw, sheet.name, cell, excluded=True)
            continue
        factor = conversion(stated[0], ind.unit) if stated is not None else 1.0
        # a figure in another unit is rounded to the catalogue's places only once converted:
        # 0.0045 亿元 is 45 万元, not 0.00 亿元 = 0
        norm = normalise_value(raw, ind if factor in (None, 1.0) else replace(ind, decimals=ind.decimals + 8),
                               blank=ws.settings.blank)
        bad = False
        for code, params in norm.notes:
            issues.append(issue(code, **where, **params))
            bad = bad or issues[-1].severity == ERROR
        value = norm.value
        if stated is not None and not bad:
            if factor is None:
                issues.append(issue("unit-mismatch-measure", **(where | {"cell": stated[1]}), measure=stated[0],
                                    expected=ind.unit))
                bad = True
            elif factor != 1.0 and value is not None:
                exact = value * factor
                converted = round(exact, ind.decimals)
                issues.append(issue("unit-converted", **(where | {"cell": stated[1]}), measure=stated[0],
                                    expected=ind.unit, raw=value, value=converted))
                if abs(converted - exact) > 1e-9 * max(1.0, abs(exact)):
                    issues.append(issue("too-many-decimals", **where, detail=f"{exact:g}", decimals=ind.decimals,
                                        value=_fmt(converted, ind).replace(",", "")))
                value = converted
        if value is not None and not bad:
            if value < ind.min:
                issues.append(issue("negative-value", **where, detail=_fmt(value, ind)))
                bad = True
            elif ind.max is not None and value > ind.max:
                issues.append(issue("implausible-value", **where, detail=_fmt(value, ind), max=_fmt(ind.max, ind)))
                bad = True
        bad = bad or ind.code in conflicting
        values[ind.code] = CellValue(ind.code, None if bad else value, raw, sheet.name, cell, excluded=bad)
    values, related = check_relations(values, ws, file=file, unit=unit)
    issues.extend(related)
    return values, remarks, issues
