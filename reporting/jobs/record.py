"""Record a compiled period in the workspace's history store (one transaction per period)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reporting.core.periods import Period
from reporting.core.results import Results
from reporting.workspace.store import StoredValue

if TYPE_CHECKING:
    from reporting.ingest.pipeline import Ingested
    from reporting.workspace.store import Store


def record_results(store: Store, results: Results, source: str = "compile",
                   files: list[tuple[Any, ...]] | None = None) -> None:
    """Replace ``results.period``'s rows with the accepted values, statuses, ranks, scores and issues."""
    import datetime as dt

    def when(iso: str | None) -> float | None:
        try:
            return dt.datetime.fromisoformat(iso).timestamp() if iso else None
        except ValueError:
            return None

    values = [StoredValue(results.period, v.unit, v.indicator, v.actual, source,
                          v.source.file if v.source else None, v.source.sha256 if v.source else None,
                          v.source.sheet if v.source else None, v.source.cell if v.source else None)
              for v in results.values if v.actual is not None]
    units = [(u.code, u.status, u.score, u.rank, u.file,
              when(u.timeliness.received if u.timeliness else u.received),
              u.timeliness.source if u.timeliness else "")
             for u in results.units]
    if files is None:
        files = [(f.file, f.sha256, f.unit, f.status, when(f.received)) for f in results.files]
    issues = [(i.code, i.severity, i.unit, i.indicator, i.file, i.sheet, i.cell, i.message) for i in results.issues]
    store.replace_period(results.period, source, values, files=files, units=units, issues=issues)


def report_times(ingested: Ingested, store: Store | None) -> tuple[dict[str, float], dict[str, str]]:
    """(unit -> when it first reported the period, unit -> how that is known): what timeliness judges."""
    from reporting.score.history import first_reports

    assert ingested.period is not None
    first = first_reports(str(ingested.period), ingested.used, ingested.submissions,
                          store.unit_reports(str(ingested.period)) if store is not None else None)
    return {u: when for u, (when, _) in first.items()}, {u: how for u, (_, how) in first.items()}


def record_compile(store: Store, ingested: Ingested, results: Results, source: str = "compile") -> None:
    """Record a compile; each unit's received time is its timeliness's (its first report of the period)."""
    files = [(s.file, s.sha256, s.unit, s.status, s.received or None) for s in ingested.submissions]
    record_results(store, results, source, files)


def import_outbox(ws: Any, store: Store) -> tuple[list[str], list[str]]:
    """Record every published outbox/<period>/results.json; returns (periods, problems)."""
    import json

    done, problems = [], []
    for path in sorted(p for p in ws.outbox.glob("*/results.json") if p.is_file()):
        try:
            results = Results.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        if not results.period:
            continue
        record_results(store, results, "results")
        done.append(results.period)
    return done, problems


def import_inbox(ws: Any, store: Store, lang: str = "zh") -> list[str]:
    """Read and score every period found in the workspace's inbox and record it (no bulletin)."""
    return import_inbox_missing(ws, store, set(), lang)


def rebuild(ws: Any, store: Store, lang: str = "zh") -> dict[str, list[str]]:
    """Re-create the derived rows: history workbooks, then published results, then the inbox.

    The received times (``files``) are kept: they are the one thing that cannot be derived.
    """
    from reporting.ingest.history_import import import_workbook

    store.clear_derived()
    out: dict[str, list[str]] = {"workbook": [], "results": [], "inbox": [], "problems": []}
    for book in sorted((ws.templates / "history").glob("*.xlsx")):
        if book.name.startswith("~$"):
            continue
        rep = import_workbook(ws, store, book, lang)
        out["workbook"] += rep.periods
        out["problems"] += rep.problems
    out["results"], problems = import_outbox(ws, store)
    out["problems"] += problems
    published = set(out["results"])
    for p in import_inbox_missing(ws, store, published, lang):
        out["inbox"].append(p)
    return out


def import_inbox_missing(ws: Any, store: Store, skip: set[str], lang: str = "zh", folder: Any = None) -> list[str]:
    """import_inbox, leaving alone the periods in ``skip`` (published results are what was announced).

    ``folder``: an old inbox elsewhere (default: the workspace's inbox); nothing in it is changed.
    """
    from reporting.ingest.pipeline import discover, ingest, read_all
    from reporting.score.history import with_history
    from reporting.score.results import build_results

    paths = discover(folder if folder is not None else ws.inbox)
    subs, _ = read_all(ws, paths)
    done = []
    for p in sorted({s.period for s in subs if s.period and s.status != "ignored"} - skip):
        y, m = (int(x) for x in p.split("-"))
        ingested = ingest(ws, Period(y, m), paths=paths)
        if not ingested.used:
            continue
        received, sources = report_times(ingested, store)
        results = with_history(ws, build_results(ws, ingested, lang), store, received, sources=sources)
        record_compile(store, ingested, results, "inbox")
        done.append(p)
    return done
