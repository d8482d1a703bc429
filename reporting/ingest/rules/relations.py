"""Relations between indicators of the same file (the catalogue's ``le``: recognised <= applications)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reporting.core.models import CellValue, Issue, issue

if TYPE_CHECKING:
    from reporting.workspace.config import Workspace

CODES = ("exceeds-related",)


def check_relations(values: dict[str, CellValue], ws: Workspace, *, file: str,
                    unit: str) -> tuple[dict[str, CellValue], list[Issue]]:
    """A value above the one it must not exceed is an error: that value is excluded (待核实)."""
    out = dict(values)
    issues: list[Issue] = []
    for ind in ws.indicators:
        if not ind.le:
            continue
        mine, other = values.get(ind.code), values.get(ind.le)
        if mine and other and mine.value is not None and other.value is not None and mine.value > other.value + 1e-9:
            other_ind = ws.indicator(ind.le)
            issues.append(issue("exceeds-related", file=file, sheet=mine.sheet, cell=mine.cell, unit=unit,
                                indicator=ind.code, indicator_name=ind.name, indicator_name_en=ind.display_name("en"),
                                detail=f"{mine.value:,.{ind.decimals}f}", other_name=other_ind.name, other_name_en=other_ind.display_name("en"),
                                other_value=f"{other.value:,.{other_ind.decimals}f}"))
            out[ind.code] = CellValue(ind.code, None, mine.raw, mine.sheet, mine.cell, excluded=True)
    return out, issues
