"""The bulletin's sheets in their one order: a sheet is a module with ``write(wb, F, ctx)``.

A new sheet is a module in this folder and one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reporting.render.bulletin import (
    charts,
    indicators,
    issues,
    lights,
    notice,
    ranking,
    submissions,
    timeliness,
)
from reporting.render.bulletin.layout import label


@dataclass(frozen=True)
class SheetSpec:
    key: str  # the sheet name's key in the bulletin labels (core/messages.py)
    write: Callable[[Any, Any, Any], None]


SHEETS: list[SheetSpec] = [
    SheetSpec("sheet.bulletin", notice.write),
    SheetSpec("sheet.ranking", ranking.write),
    SheetSpec("sheet.indicators", indicators.write),
    SheetSpec("sheet.lights", lights.write),
    SheetSpec("sheet.charts", charts.write),
    SheetSpec("sheet.submissions", submissions.write),
    SheetSpec("sheet.timeliness", timeliness.write),
    SheetSpec("sheet.issues", issues.write),
]


def sheet_names(lang: str = "zh") -> list[str]:
    """The sheet names in order, as written for ``lang``."""
    return [label(s.key, lang) for s in SHEETS]
