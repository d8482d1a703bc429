"""Annual targets workbooks: ``templates/targets/<year>.xlsx``.

The clerk edits these in Excel each year, so the layout is plain: units as
rows, indicators as columns, a row of indicator codes under the names (so
renaming a display name never breaks reading), and a 全区 row whose blank
cells mean "the sum of the units' targets".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reporting.core.cells import column_letter
from reporting.core.models import Indicator, Unit

SHEET = "年度目标"
CODE_LABEL = "指标代码"
DISTRICT_CODE = "district"
_YEAR_FILE = re.compile(r"^(\d{4})\.xlsx$")


@dataclass(frozen=True)
class Targets:
    """Annual targets for one year; ``None`` is a blank cell (no target)."""

    year: int
    units: dict[str, dict[str, float | None]]
    district: dict[str, float | None]
    file: str = ""

    def unit_target(self, unit: str, indicator: str) -> float | None:
        return self.units.get(unit, {}).get(indicator)

    def district_target(self, indicator: str) -> float | None:
        """The district row's target, or the sum of unit targets when it is blank."""
        explicit = self.district.get(indicator)
        if explicit is not None:
            return explicit
        vals = [t[indicator] for t in self.units.values() if t.get(indicator) is not None]
        return sum(vals) if vals else None


def read_targets_dir(folder: Path, units: tuple[Unit, ...], indicators: tuple[Indicator, ...],
                     problems: list[str]) -> dict[int, Targets]:
    """Read every ``<year>.xlsx`` in ``folder``; append problems as ``file sheet!cell: message``."""
    out: dict[int, Targets] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        m = _YEAR_FILE.match(path.name)
        if not m or path.name.startswith("~$"):
            continue
        year = int(m.group(1))
        units_t, district_t = read_targets(path, units, indicators, problems)
        out[year] = Targets(year, units_t, district_t, f"templates/targets/{path.name}")
    return out


def read_targets(path: Path, units: tuple[Unit, ...], indicators: tuple[Indicator, ...],
                 problems: list[str]) -> tuple[dict[str, dict[str, float | None]], dict[str, float | None]]:
    """Targets per unit and for the district; problems are appended with their sheet!cell."""
    import python_calamine

    rel = f"templates/targets/{path.name}"
    try:  # calamine: values only, fast; the clerk's workbook holds plain numbers
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        title = SHEET if SHEET in book.sheet_names else book.sheet_names[0]
        rows = [tuple(None if v == "" else v for v in r) for r in book.get_sheet_by_name(title).to_python()]
        book.close()
    except BaseException as exc:  # noqa: B036 - a native panic must become one clear message too
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        problems.append(f"{rel}: 无法读取目标表（{type(exc).__name__}），请用 Excel 另存为 .xlsx")
        return {}, {}

    def cell(r: int, c: int) -> object:
        row = rows[r - 1] if r - 1 < len(rows) else ()
        return row[c - 1] if c - 1 < len(row) else None

    known_ind = {i.code for i in indicators}
    known_unit = {u.code for u in units}
    codes_row = next((r for r in range(1, min(len(rows), 20) + 1)
                      if str(cell(r, 1) or "").strip() == CODE_LABEL), None)
    if codes_row is None:
        problems.append(f"{rel} {title}: 找不到“{CODE_LABEL}”行，请用 reporting targets 重新生成目标表")
        return {}, {}
    columns: dict[int, str] = {}
    for c in range(4, len(rows[codes_row - 1]) + 1):
        code = str(cell(codes_row, c) or "").strip()
        if not code:
            continue
        if code not in known_ind:
            problems.append(f"{rel} {title}!{column_letter(c - 1)}{codes_row}: 未知的指标代码 {code!r}")
            continue
        columns[c] = code
    unit_targets: dict[str, dict[str, float | None]] = {}
    district: dict[str, float | None] = {}
    for r in range(codes_row + 1, len(rows) + 1):
        code = str(cell(r, 1) or "").strip()
        if not code or code.startswith(("说明", "注")):
            continue
        if code != DISTRICT_CODE and code not in known_unit:
            problems.append(f"{rel} {title}!A{r}: 未知的单位代码 {code!r}（见 workspace.toml 的 [[units]]）")
            continue
        row: dict[str, float | None] = {}
        for c, ind in columns.items():
            v = cell(r, c)
            ref = f"{rel} {title}!{column_letter(c - 1)}{r}"
            if v is None or (isinstance(v, str) and not v.strip()):
                row[ind] = None
            elif isinstance(v, int | float) and not isinstance(v, bool):
                if v < 0:
                    problems.append(f"{ref}: 目标值不能为负数（{v:g}）")
                    row[ind] = None
                else:
                    row[ind] = float(v)
            else:
                problems.append(f"{ref}: 目标值必须是数字，而不是 {v!r}")
                row[ind] = None
        if code == DISTRICT_CODE:
            district = row
        else:
            unit_targets[code] = row
    return unit_targets, district
