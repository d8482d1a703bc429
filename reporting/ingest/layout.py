"""Where a form's figures are: the one type recognise produces and the value rules read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporting.io.book import Grid


@dataclass
class Layout:
    """Where the figures are: the sheet, the row of each indicator, the value and remark columns (0-based)."""

    sheet: Grid
    rows: dict[str, int]
    value_col: int
    remark_col: int | None
    label_col: int
    header_row: int
    unknown_rows: list[tuple[int, str]] = field(default_factory=list)
    duplicate_rows: list[tuple[str, int]] = field(default_factory=list)
    exact: bool = False
    measure_col: int | None = None  # a 计量单位 column
    header_measure: str | None = None  # a unit written in the value column's header ("本年累计（万元）")
    header_last: int | None = None  # the last header row (two-row headers)
    second_table: int | None = None  # the row where another table's header starts below this one
