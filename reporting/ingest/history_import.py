"""Fill the history store with earlier periods.

Three sources: published ``outbox/*/results.json``; an old inbox (read and
scored like a compile, no bulletin written); and the history workbook the
clerk fills for years before the tool (see render/history_book.py). Bad
input never stops an import: each problem is reported with the file and
cell, and the rest is imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporting.core.messages import t
from reporting.workspace.store import StoredValue

if TYPE_CHECKING:
    from reporting.workspace.config import Workspace
    from reporting.workspace.store import Store

CODE_LABEL = "代码"
FIRST_MONTH_COL = 4


@dataclass
class ImportReport:
    periods: list[str] = field(default_factory=list)
    values: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CellProblem:
    file: str
    sheet: str
    cell: str
    key: str
    params: dict[str, Any]

    def text(self, lang: str = "zh") -> str:
        return f"{self.file} {self.sheet}!{self.cell}: " + t(self.key, lang, **self.params)


def read_history_workbook(ws: Workspace, path: Path) -> tuple[dict[str, list[StoredValue]], list[CellProblem]]:
    """period -> values from a history workbook, and every problem with its cell."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    units = {u.code for u in ws.units}
    by_name = {u.name: u.code for u in ws.units}
    indicators = {i.code: i for i in ws.indicators}
    name = path.name
    out: dict[str, list[StoredValue]] = {}
    problems: list[CellProblem] = []
    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    except Exception as exc:  # a damaged or foreign file: one problem, nothing imported
        return {}, [CellProblem(name, "", "", "history.err.unreadable", {"detail": str(exc) or type(exc).__name__})]
    for sh in wb.worksheets:
        rows = list(sh.iter_rows(values_only=True))
        if len(rows) < 3 or (rows[2][0] or "") != CODE_LABEL:
            problems.append(CellProblem(name, sh.title, "A3", "history.err.no_codes", {}))
            continue
        code = str(rows[2][1] or "").strip() if len(rows[2]) > 1 else ""
        if code not in indicators:
            problems.append(CellProblem(name, sh.title, "B3", "history.err.unknown_indicator", {"code": code}))
            continue
        periods: dict[int, str] = {}
        for c in range(FIRST_MONTH_COL - 1, len(rows[2])):
            p = rows[2][c]
            if p is None:
                continue
            p = str(p).strip()
            if len(p) == 7 and p[4] == "-" and p[:4].isdigit() and p[5:].isdigit() and 1 <= int(p[5:]) <= 12:
                periods[c] = p
            else:
                problems.append(CellProblem(name, sh.title, f"{get_column_letter(c + 1)}3",
                                            "history.err.bad_period", {"value": p}))
        for r, row in enumerate(rows[3:], 4):
            raw = row[0] if row else None
            cells = {c: row[c] for c in periods if c < len(row) and row[c] not in (None, "")}
            if raw in (None, "") and not cells:
                continue
            unit = str(raw or "").strip()
            unit = unit if unit in units else by_name.get(unit, unit)
            if unit not in units:
                if cells or raw not in (None, ""):
                    if not str(raw or "").startswith("说明"):
                        problems.append(CellProblem(name, sh.title, f"A{r}", "history.err.unknown_unit",
                                                    {"code": str(raw or "")}))
                continue
            for c, v in cells.items():
                ref = f"{get_column_letter(c + 1)}{r}"
                if isinstance(v, bool) or not isinstance(v, int | float):
                    try:
                        v = float(str(v).replace(",", "").strip())
                    except ValueError:
                        problems.append(CellProblem(name, sh.title, ref, "history.err.not_number", {"value": str(v)}))
                        continue
                if v < 0:
                    problems.append(CellProblem(name, sh.title, ref, "history.err.negative", {"value": v}))
                    continue
                out.setdefault(periods[c], []).append(StoredValue(
                    periods[c], unit, code, float(v), "workbook", name, None, sh.title, ref))
    wb.close()
    return out, problems


def import_workbook(ws: Workspace, store: Store, path: Path, lang: str = "zh") -> ImportReport:
    """Import a history workbook; a period already compiled by the tool is not overwritten.

    A month the workbook no longer fills (all its cells emptied) is forgotten if it came from a
    history workbook, so that importing the workbook again always leaves the store as it reads.
    """
    report = ImportReport()
    by_period, problems = read_history_workbook(ws, path)
    report.problems += [p.text(lang) for p in problems]
    existing = store.periods()
    years = {p[:4] for p in by_period} | _years_of(path)
    for period in sorted(existing):
        if period[:4] in years and period not in by_period and existing[period] == "workbook" \
                and _from_book(store, period, path.name):
            store.delete_period(period)
    for period in sorted(by_period):
        if existing.get(period) in ("compile", "results", "inbox"):
            report.problems.append(t("history.err.kept", lang, period=period,
                                     source=t(f"history.source.{existing[period]}", lang)))
            continue
        store.replace_period(period, "workbook", by_period[period])
        report.periods.append(period)
        report.values += len(by_period[period])
    return report


def _years_of(path: Path) -> set[str]:
    """The year a history workbook is for, from its name (``2021.xlsx``), when it says."""
    stem = path.stem
    return {stem} if len(stem) == 4 and stem.isdigit() else set()


def _from_book(store: Store, period: str, name: str) -> bool:
    values = store.values(period=period)
    return not values or all(v.file == name for v in values)


def results_files(ws: Workspace) -> list[Path]:
    return sorted(p for p in ws.outbox.glob("*/results.json") if p.is_file())


def load_results_file(path: Path) -> Any:
    from reporting.core.results import Results

    return Results.from_json(json.loads(path.read_text(encoding="utf-8")))
