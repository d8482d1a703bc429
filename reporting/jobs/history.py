"""The history commands as a Python API: template, import, show, export, rebuild.

``reporting history ...`` (reporting/cli/history.py) is a thin layer over
these functions; tests call them directly. The store is
``history.sqlite`` in the workspace (reporting/workspace/store.py).

The history workbooks in ``templates/history/`` behave like the targets
workbook: every compile (and every history command) imports a workbook
again when its bytes changed, so a clerk fills it in, saves it and
compiles, and 同比 appears.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporting.core.errors import ReportingError, WorkspaceError
from reporting.core.messages import t
from reporting.core.textnorm import display_width

if TYPE_CHECKING:
    from reporting.workspace.config import Workspace
    from reporting.workspace.store import Store, StoredValue

FORMATS = ("xlsx", "csv", "parquet")
COLUMNS = ("period", "unit", "indicator", "value", "source", "file", "sheet", "cell")


# --------------------------------------------------------------------------- the store


def open_history(ws: Workspace, *, sync: bool = True, lang: str = "zh") -> tuple[Store, list[str]]:
    """The workspace's store (created and migrated as needed), with the history workbooks imported.

    Returns the store and the workbooks' problems (each a line with the file and sheet!cell).
    """
    from reporting.workspace.store import open_store, store_path

    try:
        store = open_store(ws.root)
    except (sqlite3.Error, OSError) as exc:
        raise WorkspaceError(key="history.err.store", path=store_path(ws.root), detail=exc) from None
    problems = sync_books(ws, store, lang) if sync else []
    return store, problems


def history_books(ws: Workspace) -> list[Path]:
    folder = ws.templates / "history"
    return sorted(p for p in folder.glob("*.xlsx") if p.is_file() and not p.name.startswith(("~$", ".")))


def sync_books(ws: Workspace, store: Store, lang: str = "zh") -> list[str]:
    """Import each ``templates/history/*.xlsx`` whose bytes changed since it was last imported."""
    from reporting.ingest.history_import import import_workbook

    problems: list[str] = []
    for book in history_books(ws):
        try:
            sha = hashlib.sha256(book.read_bytes()).hexdigest()
        except OSError as exc:
            problems.append(f"{book.name}: {exc.strerror or exc}")
            continue
        key = book.relative_to(ws.root).as_posix() if book.is_relative_to(ws.root) else str(book)
        if store.book_sha(key) == sha:
            continue
        report = import_workbook(ws, store, book, lang)
        problems += report.problems
        store.set_book(key, sha)
    return problems


# --------------------------------------------------------------------------- template


def write_template(ws: Workspace, year: int, *, force: bool = False, path: Path | None = None) -> Path:
    """Write ``templates/history/<year>.xlsx``, filled with what earlier history workbooks gave the store."""
    from reporting.render.history_book import write_history_template
    from reporting.workspace.store import existing_store

    values: dict[str, dict[str, dict[str, float]]] = {}
    store = existing_store(ws.root)
    if store is not None:
        with store:
            for v in store.values(years=(year, year)):
                if v.source == "workbook" and v.value is not None:
                    values.setdefault(v.period, {}).setdefault(v.unit, {})[v.indicator] = v.value
    return write_history_template(ws, year, force=force, values=values, path=path)


# --------------------------------------------------------------------------- import


@dataclass
class ImportSummary:
    """What an import did: lines to print (catalogue key, parameters) and the problems found."""

    done: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self, lang: str = "zh") -> list[str]:
        return [t(key, lang, **params) for key, params in self.done] or [t("history.import.none", lang)]


def import_sources(ws: Workspace, sources: list[Path], lang: str = "zh") -> ImportSummary:
    """Import each source: a history workbook (.xlsx), a results.json, an outbox folder, an old inbox.

    Without sources: the workspace's history workbooks and its published results. Bad input never
    stops an import: each problem is a line (file, sheet!cell, what to do); the rest is imported.
    """
    from reporting.ingest.history_import import import_workbook

    store, _ = open_history(ws, sync=False, lang=lang)
    out = ImportSummary()
    with store:
        if not sources:
            sources = history_books(ws) + ([ws.outbox] if ws.outbox.is_dir() else [])
        for src in sources:
            src = Path(src)
            if not src.exists():
                raise WorkspaceError(key="history.err.no_source", path=src)
            if src.is_file() and src.suffix.lower() in (".xlsx", ".xlsm"):
                rep = import_workbook(ws, store, src, lang)
                out.done.append(("history.import.workbook", {"file": src.name, "n": len(rep.periods),
                                                             "values": rep.values}))
                out.problems += rep.problems
                if src.parent.resolve() == (ws.templates / "history").resolve():
                    store.set_book(src.resolve().relative_to(ws.root.resolve()).as_posix(),
                                   hashlib.sha256(src.read_bytes()).hexdigest())
            elif src.is_file() and src.suffix.lower() == ".json":
                periods = _import_results(store, [src], out.problems)
                out.done.append(("history.import.results", {"n": len(periods), "periods": _span(periods)}))
            elif src.is_dir() and any(src.glob("*/results.json")):
                periods = _import_results(store, sorted(src.glob("*/results.json")), out.problems)
                out.done.append(("history.import.results", {"n": len(periods), "periods": _span(periods)}))
            elif src.is_dir():
                from reporting.jobs.record import import_inbox_missing

                # a month the tool compiled, or whose results were published, is what the meeting saw
                kept = {p for p, how in store.periods().items() if how in ("compile", "results")}
                periods = import_inbox_missing(ws, store, kept, lang, folder=src)
                out.done.append(("history.import.inbox", {"folder": src, "n": len(periods),
                                                          "periods": _span(periods)}))
            else:
                raise WorkspaceError(key="history.err.what", path=src)
    return out


def _import_results(store: Store, paths: list[Path], problems: list[str]) -> list[str]:
    from reporting.core.results import Results
    from reporting.jobs.record import record_results

    done = []
    for path in paths:
        try:
            results = Results.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, AttributeError, KeyError) as exc:
            problems.append(t("history.err.results", "zh", path=path, detail=exc))
            continue
        if results.period:
            record_results(store, results, "results")
            done.append(results.period)
    return done


def _span(periods: list[str]) -> str:
    if not periods:
        return "—"
    return periods[0] if len(periods) == 1 else f"{min(periods)} … {max(periods)}"


# --------------------------------------------------------------------------- rebuild


def rebuild_store(ws: Workspace, lang: str = "zh") -> tuple[dict[str, list[str]], int]:
    """Re-create the derived rows from the history workbooks, the results and the inbox (one run at a time).

    Returns what came from where, and how many received times were kept.
    """
    from reporting.jobs.record import rebuild
    from reporting.workspace.atomic import workspace_lock

    store, _ = open_history(ws, sync=False, lang=lang)
    with store, workspace_lock(ws.outbox, wait=30.0):
        out = rebuild(ws, store, lang)
        for book in history_books(ws):
            store.set_book(book.relative_to(ws.root).as_posix(), hashlib.sha256(book.read_bytes()).hexdigest())
        return out, store.received_count()


# --------------------------------------------------------------------------- show


def resolve_indicator(ws: Workspace, text: str | None) -> str | None:
    """An indicator's code from its code, name or English name; None when none was given."""
    if text is None:
        return None
    from reporting.core.textnorm import norm_label

    for ind in ws.indicators:
        if text == ind.code or norm_label(text) in {norm_label(x) for x in (ind.name, ind.name_en, *ind.aliases) if x}:
            return ind.code
    raise ReportingError(key="history.err.indicator", value=text)


def parse_years(text: str | None) -> tuple[int, int] | None:
    """``2017..2022`` or ``2022`` -> (first, last); None when not given."""
    if text is None:
        return None
    first, _, last = str(text).strip().partition("..")
    try:
        a, b = int(first), int(last or first)
    except ValueError:
        raise ReportingError(key="history.err.years", value=text) from None
    if not (1900 <= a <= b <= 2200):
        raise ReportingError(key="history.err.years", value=text)
    return a, b


@dataclass
class Table:
    """A table for the terminal: a title, a header, rows of text, which columns are numbers."""

    title: str
    head: list[str]
    rows: list[list[str]]
    right: list[bool]
    note: str = ""
    data: list[dict[str, Any]] = field(default_factory=list)  # the same, as data (--json)

    def text(self) -> str:
        """Aligned by display width: a CJK character takes two columns."""
        widths = [max(display_width(r[c]) for r in [self.head, *self.rows]) for c in range(len(self.head))]

        def line(cells: list[str]) -> str:
            return "  ".join(_pad(x, widths[c], self.right[c]) for c, x in enumerate(cells)).rstrip()

        out = [self.title, line(self.head), "-" * (sum(widths) + 2 * (len(widths) - 1))]
        out += [line(r) for r in self.rows]
        if self.note:
            out.append(self.note)
        return "\n".join(out)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def history_table(ws: Workspace, store: Store, *, unit: str | None = None, indicator: str | None = None,
                  years: tuple[int, int] | None = None, lang: str = "zh") -> Table | None:
    """The table ``reporting history show`` prints; None when the store holds nothing that matches.

    Without an indicator: each indicator at the latest month recorded, in each year (comparable
    months), with the last year's 同比. With one: its months down, the years across.
    """
    from reporting.score.history import growth

    rows = store.values(unit=unit, indicator=indicator, years=years)
    if not rows:
        return None
    totals: dict[tuple[str, str], float] = {}  # (period, indicator) -> the unit's or the district's value
    sources: set[str] = set()
    for v in rows:
        if v.value is None:
            continue
        totals[(v.period, v.indicator)] = totals.get((v.period, v.indicator), 0.0) + v.value
        sources.add(v.source)
    if not totals:
        return None
    inds = {i.code: i for i in ws.indicators}
    all_years = sorted({int(p[:4]) for p, _ in totals})
    if years is None:
        all_years = all_years[-6:]
    else:
        all_years = list(range(max(years[0], all_years[0]), years[1] + 1))  # the years asked for, from the first held
    last_year = all_years[-1]
    scope = ws.unit(unit).name if unit and lang == "zh" else (
        (ws.unit(unit).name_en or ws.unit(unit).name) if unit else t("history.show.district", lang))
    yoy_head = t("history.show.yoy", lang, year=last_year)
    src = t("history.show.sources", lang, sources=t("list.sep", lang).join(t(f"history.source.{s}", lang) for s in sorted(sources)))

    def shown(code: str, x: float | None) -> str:
        if x is None:
            return "—"
        d = inds[code].decimals if code in inds else 2
        return f"{x:,.{d}f}"

    def yoy_text(code: str, period_this: str, period_last: str) -> tuple[str, float | None]:
        g = growth(totals.get((period_this, code)), totals.get((period_last, code)))
        return ("—" if g is None else f"{g * 100:+.1f}%"), g

    if indicator is None:
        month = max(int(p[5:]) for p, _ in totals if int(p[:4]) == last_year)
        head = [t("history.show.indicator", lang), t("history.show.unit", lang)]
        head += [f"{y}-{month:02d}" for y in all_years] + ([yoy_head] if len(all_years) > 1 else [])
        body, data = [], []
        for ind in ws.indicators:
            vals = [totals.get((f"{y}-{month:02d}", ind.code)) for y in all_years]
            if all(x is None for x in vals):
                continue
            name = ind.name_en if lang == "en" and ind.name_en else ind.name
            measure = ind.unit_en if lang == "en" and ind.unit_en else ind.unit
            cells = [name, measure] + [shown(ind.code, x) for x in vals]
            g = None
            if len(all_years) > 1:
                text, g = yoy_text(ind.code, f"{last_year}-{month:02d}", f"{last_year - 1}-{month:02d}")
                cells.append(text)
            body.append(cells)
            data.append({"indicator": ind.code, "month": month, "values": dict(zip(map(str, all_years), vals,
                                                                                    strict=True)), "yoy": g})
        title = t("history.show.title", lang, what=t("history.show.by_indicator", lang, month=month), scope=scope)
        return Table(title, head, body, [False, False] + [True] * (len(head) - 2), src, data)

    ind = inds[indicator]
    name = ind.name_en if lang == "en" and ind.name_en else ind.name
    measure = ind.unit_en if lang == "en" and ind.unit_en else ind.unit
    head = [t("history.show.month", lang)] + [str(y) for y in all_years] + ([yoy_head] if len(all_years) > 1 else [])
    body, data = [], []
    for m in range(1, 13):
        vals = [totals.get((f"{y}-{m:02d}", indicator)) for y in all_years]
        if all(x is None for x in vals):
            continue
        cells = [f"{m}月" if lang == "zh" else f"{m:02d}"] + [shown(indicator, x) for x in vals]
        g = None
        if len(all_years) > 1:
            text, g = yoy_text(indicator, f"{last_year}-{m:02d}", f"{last_year - 1}-{m:02d}")
            cells.append(text)
        body.append(cells)
        data.append({"month": m, "values": dict(zip(map(str, all_years), vals, strict=True)), "yoy": g})
    title = t("history.show.title", lang, what=t("history.show.by_month", lang, name=name, unit=measure), scope=scope)
    return Table(title, head, body, [False] + [True] * (len(head) - 1), src, data)


# --------------------------------------------------------------------------- export


def long_rows(store: Store, *, unit: str | None = None, indicator: str | None = None,
              years: tuple[int, int] | None = None) -> list[StoredValue]:
    return store.values(unit=unit, indicator=indicator, years=years)


def default_export_path(ws: Workspace, fmt: str) -> Path:
    return ws.outbox / f"history.{fmt}"


def export_history(ws: Workspace, store: Store, fmt: str, out: Path | None = None, *, unit: str | None = None,
                   indicator: str | None = None, years: tuple[int, int] | None = None) -> tuple[Path, int]:
    """Write the long table (period, unit, indicator, value, source, file, sheet, cell) with pandas.

    pandas is imported here only, so ``reporting --help`` and ``compile`` do not pay for it.
    """
    from reporting.workspace.atomic import atomic_path

    if fmt not in FORMATS:
        raise ReportingError(key="usage.bad_value", name="--format", detail=fmt)
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ReportingError(key="history.err.pyarrow") from None
    import pandas as pd

    rows = long_rows(store, unit=unit, indicator=indicator, years=years)
    frame = pd.DataFrame([[getattr(v, c) for c in COLUMNS] for v in rows], columns=list(COLUMNS))
    frame["value"] = frame["value"].astype("float64")
    path = Path(out) if out is not None else default_export_path(ws, fmt)
    with atomic_path(path) as tmp:
        if fmt == "xlsx":
            with pd.ExcelWriter(tmp, engine="xlsxwriter",
                                engine_kwargs={"options": {"strings_to_formulas": False,
                                                           "strings_to_urls": False}}) as xw:
                frame.to_excel(xw, sheet_name="history", index=False)
                sheet = xw.sheets["history"]
                sheet.freeze_panes(1, 0)
                sheet.set_column(0, 2, 16)
                sheet.set_column(5, 5, 40)
        elif fmt == "csv":
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")  # with a BOM: Excel opens the Chinese right
        else:
            frame.to_parquet(tmp, index=False)
    return path, len(frame)
