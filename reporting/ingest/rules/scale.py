"""A figure against the unit's own annual target: orders of magnitude above it is a unit of measure mistyped.

The field's commonest wrong number is a figure in 元 typed into a 万元 row (or
平方米 into 万平方米): 10,000 times too large, and a number the bulletin would
carry into the district's total and the ranking without anyone seeing it. The
month-to-month checks (``trend``) cannot see it in a unit's first month of the
year or after a missed month; the catalogue's ``max`` sees it only when set and
high above every unit. The unit's own target is there every month: a value at
least ``scale_factor`` (default 100) times it is kept out (待核实) with a message
that says why, so the unit corrects it or the clerk raises the factor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reporting.core.models import CellValue, Indicator, Issue, issue
from reporting.core.periods import Period

if TYPE_CHECKING:
    from reporting.workspace.config import Workspace

CODES = ("off-scale",)


def _fmt(value: float, ind: Indicator) -> str:
    return f"{value:,.{ind.decimals}f}"


def check_scale(values: dict[str, CellValue], ws: Workspace, period: Period, *, file: str,
                unit: str) -> tuple[dict[str, CellValue], list[Issue]]:
    """``off-scale`` (error, value excluded) where a value is at least ``scale_factor`` times the unit's target."""
    factor = ws.settings.scale_factor
    targets = ws.targets_for(period.year)
    issues: list[Issue] = []
    if not factor or targets is None:
        return values, issues
    out = dict(values)
    for ind in ws.indicators:
        cv = values.get(ind.code)
        target = targets.unit_target(unit, ind.code)
        if cv is None or cv.value is None or cv.excluded or target is None or target <= 0:
            continue
        if cv.value >= factor * target:
            issues.append(issue("off-scale", file=file, sheet=cv.sheet, cell=cv.cell, unit=unit, indicator=ind.code,
                                detail=_fmt(cv.value, ind), target=_fmt(target, ind),
                                times=f"{cv.value / target:,.0f}"))
            out[ind.code] = CellValue(ind.code, None, cv.raw, cv.sheet, cv.cell, excluded=True)
    return out, issues
