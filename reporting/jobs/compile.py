"""``reporting compile``: inbox/ in, outbox/<period>/ out.

Reads and validates with the ingestion machinery, scores, and writes the
bulletin, results.json and feedback workbooks. Everything is first made in
a staging folder and moved into place only when all of it succeeded, so an
interrupted run leaves the last good output in place; a lock keeps two
compiles of one workspace from interleaving.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporting.core.errors import NothingToDo, WorkspaceError
from reporting.core.periods import Period
from reporting.core.results import Results, json_chunks
from reporting.workspace.atomic import workspace_lock
from reporting.workspace.targets import targets_issues

if TYPE_CHECKING:
    from reporting.ingest.pipeline import Ingested
    from reporting.workspace.config import Workspace


STAGING_PREFIX = ".staging-"


@dataclass
class CompileResult:
    period: Period
    results: Results
    folder: Path
    bulletin: Path
    results_path: Path
    feedback: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    documents: list[Path] = field(default_factory=list)  # the 通报 .docx (and .pdf with --pdf)
    pdf_problem: Exception | None = None  # why --pdf gave no PDF (no LibreOffice, a failed conversion)
    history_problems: list[str] = field(default_factory=list)  # cells of templates/history/*.xlsx not imported
    register_problems: list[str] = field(default_factory=list)  # rows of templates/收文登记.xlsx not used

    @property
    def has_errors(self) -> bool:
        return self.results.has_errors


def results_json(results: Results) -> str:
    return "".join(json_chunks(results.to_json()))


def write_results_json(path: Path, results: Results) -> None:
    """The bytes of ``results_json``, written a record at a time (no whole-document string)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(json_chunks(results.to_json()))


def compile_period(ws: Workspace, period: Period | None = None, *, lang: str = "zh",
                   progress: Callable[[int, int], None] | None = None, wait: float = 0.0,
                   docx: bool = True, pdf: bool = False) -> CompileResult:
    """Compile one period (default: the latest found in inbox/) into outbox/<period>/."""
    import time

    from reporting.ingest.pipeline import ingest
    from reporting.score.results import build_results

    timings: dict[str, float] = {}
    if ws.outbox.exists() and not ws.outbox.is_dir():
        raise WorkspaceError(key="compile.err.outbox_not_dir", path=ws.outbox)
    with workspace_lock(ws.outbox, wait=wait):
        _remove_stale_staging(ws.outbox)
        t0 = time.perf_counter()
        ingested = ingest(ws, period, progress=progress, lang=lang)
        timings["read"] = time.perf_counter() - t0
        if ingested.period is None:
            raise NothingToDo(key="compile.err.nothing", inbox=ws.inbox)
        if not ingested.used:
            raise NothingToDo(key="compile.err.no_usable", period=ingested.period)
        t0 = time.perf_counter()
        results = build_results(ws, ingested, lang)
        # no targets for the year (or text read as numbers): said in 数据问题 and the summary too
        results = replace(results, issues=(*targets_issues(ws, ingested.period.year, lang), *results.issues))
        store = _store(ws)
        history_problems = _sync_history(ws, store, lang)
        results = _with_history(ws, ingested, results, store)
        timings["score"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = _write_outputs(ws, ingested, results, lang, docx=docx, pdf=pdf, store=store)
        timings["render"] = time.perf_counter() - t0
        out.timings = timings
        out.history_problems = history_problems
        from reporting.ingest.register import load_register

        out.register_problems = load_register(ws.root, lang).problems
        return out


def _store(ws: Workspace) -> Any:
    """The workspace's history store, or None when it cannot be opened (a read-only workspace)."""
    import sqlite3

    from reporting.workspace.store import store_for

    try:
        return store_for(ws.root)
    except (sqlite3.Error, OSError):
        return None


def _sync_history(ws: Workspace, store: Any, lang: str) -> list[str]:
    """Import the history workbooks (templates/history/*.xlsx) that changed since the last run."""
    from reporting.jobs.history import sync_books

    return sync_books(ws, store, lang) if store is not None else []


def _with_history(ws: Workspace, ingested: Ingested, results: Results, store: Any) -> Results:
    from reporting.ingest.previous import values_for
    from reporting.jobs.record import report_times
    from reporting.score.history import with_history

    period = ingested.period
    assert period is not None
    prev = period.previous()
    prev_values = values_for(ws, prev, ingested.submissions) if prev else {}
    received, sources = report_times(ingested, store)
    return with_history(ws, results, store, received, prev_values, sources)


def _remove_stale_staging(outbox: Path) -> None:
    """Staging folders left by a run that was killed (the lock is held, so none is in use)."""
    for stale in outbox.glob(STAGING_PREFIX + "*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def _write_outputs(ws: Workspace, ingested: Ingested, results: Results, lang: str, *, docx: bool = True,
                   pdf: bool = False, store: Any = None) -> CompileResult:
    """Stage every output, record the period in the store, and install the outputs.

    The period is recorded in a transaction that commits only once the outputs are in place, so
    the history store and outbox/ never disagree about a compile; the recording itself runs while
    a large bulletin is still being written beside it.
    """
    from reporting.jobs.background import MIN_UNITS, beside
    from reporting.render.bulletin.workbook import write_bulletin
    from reporting.render.document import stage_documents, stale_documents
    from reporting.render.feedback import write_feedback
    from reporting.workspace.paths import safe_filename

    period = ingested.period
    assert period is not None
    folder = ws.period_dir(period)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=ws.outbox))
    except OSError as exc:
        raise WorkspaceError(key="compile.err.cannot_write_in", path=ws.outbox, detail=exc.strerror or exc) from None
    try:
        with contextlib.ExitStack() as recorded:  # the period's record commits when this block ends well
            names: list[str] = [results.bulletin_file, "results.json"]
            # a large district's bulletin is written in a child while this process writes the rest
            with beside(write_bulletin, staging / results.bulletin_file, results, lang,
                        lights=ws.settings.document.lights, parallel=len(results.units) >= MIN_UNITS):
                write_results_json(staging / "results.json", results)
                docs, pdf_problem = (stage_documents(staging, results, ws.settings.document, lang, pdf=pdf)
                                     if docx else ([], None))
                names += docs
                (staging / "feedback").mkdir()
                units_with_issues = {u.code for u in results.units if u.status in ("errors", "warnings")}
                for code in sorted(units_with_issues):
                    sub = ingested.used[code]
                    unit = ws.unit(code)
                    rel = f"feedback/{safe_filename(unit.name)}.xlsx"
                    write_feedback(staging / rel, ws, sub, _grids(ws, ingested, sub), lang)
                    names.append(rel)
                if store is not None:
                    from reporting.jobs.record import record_compile

                    recorded.enter_context(store.transaction())
                    record_compile(store, ingested, results)
            _ordinary_modes(staging, names)
            _install(staging, folder, names)
        for stale_doc in stale_documents(folder, results, ws.settings.document, lang, docs):
            with contextlib.suppress(OSError):
                stale_doc.unlink()
        # only once everything is in place: feedback for units that no longer have problems goes
        old_feedback = folder / "feedback"
        if old_feedback.is_dir():
            for stale in old_feedback.glob("*.xlsx"):
                if f"feedback/{stale.name}" not in names:
                    with contextlib.suppress(OSError):  # open in Excel on Windows: harmless, left
                        stale.unlink()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return CompileResult(
        period=period, results=results, folder=folder, bulletin=folder / results.bulletin_file,
        results_path=folder / "results.json",
        feedback=[folder / n for n in names if n.startswith("feedback/")],
        documents=[folder / n for n in docs], pdf_problem=pdf_problem,
    )


def _grids(ws: Workspace, ingested: Ingested, sub: Any) -> list[Any] | None:
    """The reader's grids of a submission: kept from reading (or the cache) for files with issues,
    else read again. Issues found later (against last month) concern few files, and keeping every
    file's grids does not scale (about 10 KB each)."""
    kept = ingested.sheets.get(sub.file)
    if kept is not None:
        return kept
    import hashlib

    from reporting.io.book import read_book

    path = ws.inbox / sub.file
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != sub.sha256:
        return None  # changed since it was read: the values are laid out in the standard form instead
    s = ws.settings
    book = read_book(data, sub.file, max_bytes=int(s.max_file_mb * 2**20), max_rows=s.max_rows, max_cols=s.max_cols)
    return book.sheets or None


def _ordinary_modes(staging: Path, names: list[str]) -> None:
    """Give staged files the permissions of any new file here (temporary files are made owner-only)."""
    if os.name == "nt":  # pragma: no cover - Windows has no mode bits to fix
        return
    probe = staging / ".mode"
    probe.touch()
    mode = probe.stat().st_mode & 0o777
    probe.unlink()
    for rel in names:
        os.chmod(staging / rel, mode)


def _install(staging: Path, folder: Path, names: list[str]) -> None:
    """Move the staged files into ``folder``: all of them, or (after an error) none.

    Each file the run replaces is first moved aside into the staging folder,
    so that a failure part-way (a bulletin open in Excel on Windows, a folder
    where a file should go) puts the previous files back.
    """
    blocked = [folder / rel for rel in names if (folder / rel).is_dir()]
    if blocked:
        raise WorkspaceError(key="compile.err.blocked", paths=", ".join(str(p) for p in blocked))
    aside = staging / ".previous"
    done: list[tuple[Path, Path | None]] = []  # (target, where the previous file was put aside)
    current: Path | None = None
    try:
        for rel in names:
            target = current = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            kept: Path | None = None
            if target.exists() or target.is_symlink():
                kept = aside / rel
                kept.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, kept)
            done.append((target, kept))
            os.replace(staging / rel, target)
    except OSError as exc:
        for target, kept in reversed(done):
            with contextlib.suppress(OSError):
                if kept is None:
                    target.unlink(missing_ok=True)
                else:
                    os.replace(kept, target)
        if isinstance(exc, FileExistsError | NotADirectoryError) and current is not None:
            raise WorkspaceError(key="compile.err.parent_not_dir", path=current, parent=current.parent) from None
        if isinstance(exc, PermissionError):
            if current is not None and not os.access(current.parent, os.W_OK):
                # the folder itself cannot be written (read-only, or no permission): no Excel to close
                raise WorkspaceError(key="compile.err.folder_read_only", path=current.parent) from None
            raise WorkspaceError(key="compile.err.locked", path=current) from None
        raise WorkspaceError(key="compile.err.cannot_write", path=current, detail=exc.strerror or exc) from None
