"""From inbox/ to accepted submissions: discover, read, recognise, validate, select.

Only this module (through ``reader``) touches the input files, and only to
read them. Each file becomes a :class:`Submission` with its issues; one
submission per unit and period is then selected (latest wins).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporting.core.messages import both, t
from reporting.core.models import Submission, issue
from reporting.core.periods import Period
from reporting.ingest.select import default_period, select

if TYPE_CHECKING:
    from reporting.ingest.cache import ReadCache
    from reporting.ingest.recognise import Catalogue
    from reporting.io.book import Grid
    from reporting.workspace.config import Workspace

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".xltx", ".xltm", ".et", ".ett", ".csv", ".pdf",
                        ".doc", ".docx", ".wps", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".htm",
                        ".html", ".txt", ".zip", ".rar", ".7z", ".numbers", ".odt", ".xml"}

NOTE_SUFFIXES = {".txt", ".md"}


@dataclass
class Ingested:
    """Every file seen, and the one submission used per unit for the period."""

    period: Period | None
    submissions: list[Submission]
    used: dict[str, Submission] = field(default_factory=dict)
    sheets: dict[str, list[Grid]] = field(default_factory=dict)  # file -> grids, for feedback copies
    unit_names: dict[str, str] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for s in self.relevant() for i in s.issues)

    def later_periods(self) -> dict[str, int]:
        """Files received for periods after this one: period -> count (listed, not compiled)."""
        from reporting.ingest.select import later_periods

        return later_periods(self.submissions, self.period) if self.period else {}

    def relevant(self) -> list[Submission]:
        """Files that belong to the period (or could not be placed in one)."""
        return [s for s in self.submissions if s.status not in ("other-period", "ignored")]

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "period": str(self.period) if self.period else None,
            "has_errors": self.has_errors,
            "files": [submission_dict(s, lang) for s in self.submissions],
        }


def submission_dict(s: Submission, lang: str = "zh") -> dict[str, Any]:
    errors, warnings = s.counts()
    return {
        "file": s.file, "sha256": s.sha256, "unit": s.unit, "period": s.period, "status": s.status,
        "reason": reason_text(s, lang), "received": received(s.received or s.mtime) if (s.received or s.mtime) else None,
        "received_source": s.received_source or None, "format": s.format or None,
        "errors": errors, "warnings": warnings, "issues": [i.to_dict(lang) for i in s.issues],
    }


def reason_text(s: Submission, lang: str = "zh") -> str:
    """Why a file was not used, in ``lang``: read from its issues, since the reason kept with a
    submission (and in the read cache) is the Chinese one."""
    if lang == "zh" or not s.reason:
        return s.reason
    if s.status == "ignored":
        ignored = next((i for i in s.issues if i.code == "ignored-file"), None)
        if ignored is not None:
            return str(dict(ignored.params).get("detail_en") or s.reason)
    elif s.status == "rejected":
        first = next((i for i in s.issues if i.is_error and i.file_level), None)
        if first is not None:
            return first.message(lang)
    return s.reason


def received(mtime: float) -> str:
    """A file's modification time as local ISO text, to the second."""
    return dt.datetime.fromtimestamp(int(mtime)).isoformat()


def received_time(ws: Workspace, path: Path, sha256: str, mtime: float, display: str) -> tuple[float, str]:
    """When the tool received this file (epoch seconds) and how that is known.

    ``register``: the clerk's 收文登记 names the file. ``seen``: the workspace's store
    (history.sqlite) first saw these bytes while it was keeping records; bytes new to the store
    are recorded with the earlier of now and their modification time, but never before the last
    reading of the whole inbox began (they were not there then: a correction saved days before it
    was sent still arrived after the form it corrects), and from then on the record stands, so
    copying the file again does not move it. ``file``: the bytes were older
    than the store (a fresh copy of a workspace, a first run), so the time is only the file's own
    and cannot prove it late. The modification time (``file``) when the store cannot be used.
    """
    from reporting.ingest.register import load_register
    from reporting.workspace.store import store_for

    try:
        store = store_for(ws.root)
        now = time.time()
        when = store.first_seen(sha256, path.name, min(now, max(mtime, store.last_scan))) if sha256 else mtime
        how = "seen" if when >= store.started else "file"
    except Exception:  # a damaged or read-only store never stops reading
        when, how = mtime, "file"
    registered = load_register(ws.root).time_of(display)
    return (registered, "register") if registered is not None else (when, how)


def discover(inbox: Path) -> list[Path]:
    """Every file under ``inbox`` (recursively), in a stable order; symlinks are not followed out."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(inbox, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            out.append(Path(dirpath) / name)
    return out


def display_name(path: Path, inbox: Path) -> str:
    """The path relative to inbox/; a file elsewhere keeps the path it was given by."""
    return display_names([path], inbox)[0]


def display_names(paths: Iterable[Path], inbox: Path) -> list[str]:
    """``display_name`` of many files: each folder resolved once, not each file (a resolve is an
    lstat per path component: 0.25 s for 2,000 files); a file that is a symlink is resolved itself."""
    inbox_real = inbox.resolve()
    folders: dict[Path, Path] = {}
    out = []
    for path in paths:
        try:
            if path.is_symlink():
                real = path.resolve()
            else:
                parent = folders.get(path.parent)
                if parent is None:
                    parent = folders[path.parent] = path.parent.resolve()
                real = parent / path.name
            out.append(real.relative_to(inbox_real).as_posix())
        except (ValueError, OSError):
            out.append(path.as_posix())
    return out


def read_submission(ws: Workspace, cat: Catalogue, path: Path, display: str, *,
                    assume: Period | None = None, cache: ReadCache | None = None) -> tuple[Submission, list[Grid]]:
    """Read one file into a Submission (never raises for a bad file).

    With a cache, a file whose bytes were read before under the same name
    and configuration is not parsed again.
    """
    from reporting.io.book import classify_name

    try:
        st = path.stat()
        data = path.read_bytes() if st.st_size <= ws.settings.max_file_mb * 2**20 else b""
    except OSError as exc:
        sub = Submission(display, "", 0.0, 0)
        sub.issues.append(issue("unreadable-file", file=display, detail=exc.strerror or "无法打开"))
        return sub, []
    sha = hashlib.sha256(data).hexdigest() if data else _sha_stream(path)
    reason = classify_name(path)
    if reason is not None:
        sub = Submission(display, sha, st.st_mtime, st.st_size, status="ignored", reason=t(reason, "zh"))
        sub.issues.append(issue("ignored-file", file=display, **both("detail", reason)))
        return sub, []
    assumed = str(assume) if assume else ""
    if cache is not None:
        hit = cache.get(sha, display, assumed)
        if hit is not None:
            sub, grids = hit
            sub.mtime, sub.size = st.st_mtime, st.st_size  # same bytes, perhaps saved again
            sub.received, sub.received_source = received_time(ws, path, sha, st.st_mtime, display)
            return sub, grids
    when, how = received_time(ws, path, sha, st.st_mtime, display)
    sub, grids = _interpret(ws, cat, path, display, Submission(display, sha, st.st_mtime, st.st_size,
                                                              received=when, received_source=how),
                            assume, data)
    if cache is not None:
        # grids are kept only where a feedback copy may need them
        cache.put(sha, display, assumed, (sub, grids if sub.issues else []))
    return sub, grids


def _interpret(ws: Workspace, cat: Catalogue, path: Path, display: str, sub: Submission,
               assume: Period | None, data: bytes) -> tuple[Submission, list[Grid]]:
    """Parse, recognise and validate one file's bytes."""
    from reporting.ingest.recognise import recognise
    from reporting.ingest.rules.values import check_empty, read_values
    from reporting.io.book import read_book

    book = read_book(data, display, max_bytes=int(ws.settings.max_file_mb * 2**20),
                     max_rows=ws.settings.max_rows, max_cols=ws.settings.max_cols, size=sub.size)
    if not book.sheets and path.suffix.lower() in NOTE_SUFFIXES and book.format in ("", "text"):
        # the clerk's own note (说明.txt, README.md) kept next to the forms: not a submission
        sub.status, sub.reason = "ignored", t("reader.ignore_note", "zh")
        sub.issues.append(issue("ignored-file", file=display, **both("detail", "reader.ignore_note")))
        return sub, []
    if not book.sheets and path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        # not a spreadsheet by name nor by content (a shortcut, a log, a partial download): skip it
        sub.status = "ignored"
        sub.reason = t("reader.unknown", "zh") + (f"（{path.suffix}）" if path.suffix else "")
        sub.issues.append(issue("ignored-file", file=display, detail=sub.reason,
                                detail_en=t("reader.unknown", "en") + (f" ({path.suffix})" if path.suffix else "")))
        return sub, []
    sub.format = book.format
    sub.issues.extend(book.issues)
    if sub.rejected:
        sub.reason = book.issues[0].message() if book.issues else ""
        return sub, []
    rec = recognise(book.sheets, display, cat, assume=assume)
    sub.unit = rec.unit
    sub.period = str(rec.period) if rec.period else None
    sub.claims, sub.folder_only = rec.claims, rec.folder_only
    sub.issues.extend(rec.issues)
    if rec.layout is not None and not sub.rejected:
        empty = check_empty(rec.layout, file=display, unit=rec.unit or "")
        if empty is not None:
            sub.issues.append(empty)
        else:
            values, remarks, problems = read_values(rec.layout, ws, file=display, unit=rec.unit or "")
            sub.values, sub.remarks = values, remarks
            sub.issues.extend(problems)
    if sub.rejected:
        sub.reason = next(i.message() for i in sub.issues if i.is_error and i.file_level)
    else:
        sub.status = "read"
    return sub, book.sheets


def _sha_stream(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


# Reading in a pool of processes pays only when there is enough work to cover starting it: measured
# (benchmarks/parallel.py) fork pays from about 50-200 files, spawn (Windows) only above about 400-1000.
FORK_MIN_FILES = 300
SPAWN_MIN_FILES = 3000
_POOL_STATE: dict[str, Any] = {}


def _workers(n_files: int) -> tuple[int, str]:
    """How many processes to read with, and the start method; (1, "") means in this process."""
    import multiprocessing as mp

    forced = os.environ.get("REPORTING_WORKERS")
    cpus = os.cpu_count() or 1
    method = "fork" if "fork" in mp.get_all_start_methods() and os.name == "posix" else "spawn"
    if forced is not None:
        n = max(1, int(forced)) if forced.isdigit() else 1
        return (n, method) if n > 1 else (1, "")
    threshold = FORK_MIN_FILES if method == "fork" else SPAWN_MIN_FILES
    if cpus < 2 or n_files < threshold:
        return 1, ""
    return min(cpus, max(1, n_files // 100)), method


def _pool_init(ws: Workspace, assume: Period | None, cache: bool = False) -> None:
    from reporting.ingest.recognise import Catalogue

    _POOL_STATE.update(ws=ws, cat=Catalogue.build(ws), assume=assume, cache=cache)


def _pool_read(job: tuple[Path, str]) -> tuple[Submission, list[Grid], str | None]:
    """One file read in a worker, with its cache entry encoded here (in parallel, not in the parent)."""
    path, display = job
    sub, grids = read_submission(_POOL_STATE["ws"], _POOL_STATE["cat"], path, display, assume=_POOL_STATE["assume"])
    grids = grids if sub.issues else []  # sheets travel back only where feedback may need them
    text = None
    if _POOL_STATE["cache"] and sub.sha256 and sub.status != "ignored":
        from reporting.ingest.cache import entry_text

        text = entry_text((sub, grids))
    return sub, grids, text


def read_all(ws: Workspace, paths: Iterable[Path], *, assume: Period | None = None,
             progress: Callable[[int, int], None] | None = None,
             use_cache: bool = True) -> tuple[list[Submission], dict[str, list[Grid]]]:
    """Read every file; a cold read of many files uses a process pool, a warm one the cache."""
    from reporting.ingest.cache import ReadCache, cache_enabled
    from reporting.ingest.recognise import Catalogue

    paths = list(paths)
    jobs = list(zip(paths, display_names(paths, ws.inbox), strict=True))
    cache = ReadCache(ws) if use_cache and cache_enabled() else None
    n_workers, method = _workers(len(paths)) if cache is None or not cache.entries else (1, "")
    subs: list[Submission] = []
    sheets: dict[str, list[Grid]] = {}

    def keep(n: int, sub: Submission, grids: list[Grid]) -> None:
        subs.append(sub)
        if grids and sub.issues:  # kept for feedback (as in the cache); for clean files they only hold memory
            sheets[sub.file] = grids
        if progress:
            progress(n, len(paths))

    if n_workers > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(n_workers, mp_context=mp.get_context(method), initializer=_pool_init,
                                 initargs=(ws, assume, cache is not None)) as pool:
            chunk = max(1, len(jobs) // (n_workers * 8))
            for n, (sub, grids, text) in enumerate(pool.map(_pool_read, jobs, chunksize=chunk), 1):
                if cache is not None and text is not None:
                    cache.put_text(sub.sha256, sub.file, str(assume) if assume else "", text)
                keep(n, sub, grids)
    else:
        cat = Catalogue.build(ws)
        for n, (path, display) in enumerate(jobs, 1):
            sub, grids = read_submission(ws, cat, path, display, assume=assume, cache=cache)
            keep(n, sub, grids)
    if cache is not None:
        cache.save()
    return subs, sheets


def ingest(ws: Workspace, period: Period | None = None, *, paths: list[Path] | None = None,
           progress: Callable[[int, int], None] | None = None, lang: str = "zh") -> Ingested:
    """Read the inbox (or ``paths``), choose the period, select and check submissions.

    Without ``period``, the period most units submitted for is compiled; files for later
    periods are listed (other-period), not compiled. The checks across periods run once per
    submission, on copies, so a submission read from the cache is never checked twice.
    """
    began = time.time()
    files = paths if paths is not None else discover(ws.inbox)
    subs, sheets = read_all(ws, files, assume=period, progress=progress)
    if paths is None:
        _mark_scan(ws, began)
    subs = [copy.copy(s) for s in subs]
    for s in subs:
        s.issues = list(s.issues)
    _copies_filed_elsewhere(subs, ws.inbox if paths is not None else None)
    if period is None:
        period = default_period(subs)
    result = Ingested(period, subs, sheets=sheets, unit_names={u.code: u.name for u in ws.units})
    if period is None:
        return result
    sel = select(subs, period, lang)
    for s in subs:
        if s.file in sel.status:
            st, reason, extra = sel.status[s.file]
            s.status, s.reason = st, reason
            if extra is not None:
                s.issues.append(extra)
            elif st == "other-period" and s.period:
                s.issues.append(issue("other-period", file=s.file, unit=s.unit or "",
                                      detail=Period.parse(s.period).label_zh(),
                                      detail_en=Period.parse(s.period).label_en()))
    result.used = sel.used
    validate_used(ws, period, sel.used, _with_inbox(ws, period, files, subs) if paths is not None else subs)
    return result


def _mark_scan(ws: Workspace, began: float) -> None:
    """Every file in inbox/ when this reading began now has its received time in the store."""
    import sqlite3

    from reporting.workspace.store import store_for

    with contextlib.suppress(sqlite3.Error, OSError):  # a read-only or damaged store never stops reading
        store_for(ws.root).mark_scan(began)


def _copies_filed_elsewhere(subs: list[Submission], inbox: Path | None = None) -> None:
    """A file whose folder alone disagrees with it, byte for byte another file of the inbox (November's
    form copied into 2022年12月/ as well): a copy, not a doubt. It is read as what it says, so that
    selection lists it as that file's duplicate; a copy with other figures stays a period-conflict.
    ``inbox``: when only some files were read (``check PATH``), the rest of inbox/ is hashed too."""
    doubtful = {s.sha256 for s in subs if s.folder_only}
    if not doubtful:
        return
    clean = {s.sha256 for s in subs if s.sha256 and not s.folder_only}
    if inbox is not None:
        given = {s.file for s in subs}
        paths = discover(inbox)
        for path, name in zip(paths, display_names(paths, inbox), strict=True):
            if name not in given:
                with contextlib.suppress(OSError):
                    clean.add(hashlib.sha256(path.read_bytes()).hexdigest())
    for s in subs:
        if s.folder_only and s.sha256 in clean:
            s.issues = [i for i in s.issues if i.code != "period-conflict"]
            if not s.rejected:
                s.status, s.reason, s.claims = "read", "", ()


def validate_used(ws: Workspace, period: Period, used: dict[str, Submission], parsed: list[Submission]) -> None:
    """The checks that need the period, once per selected submission: each value against the unit's
    annual target (``off-scale``), then against the unit's last accepted figures of the year."""
    from reporting.ingest.previous import last_accepted
    from reporting.ingest.rules.values import check_against_previous, check_scale

    prev = last_accepted(ws, period, parsed)
    for unit, s in used.items():
        values, off_scale = check_scale(s.values, ws, period, file=s.file, unit=unit)
        values, problems = check_against_previous(values, prev.get(unit), ws, period, file=s.file, unit=unit)
        s.values = values
        s.issues.extend(off_scale + problems)


def _with_inbox(ws: Workspace, period: Period, files: list[Path], subs: list[Submission]) -> list[Submission]:
    """The given files, plus the rest of inbox/ when the previous period must be read from it."""
    from reporting.ingest.previous import previous_needs_inbox

    if not previous_needs_inbox(ws, period):
        return subs
    given = {p.resolve() for p in files}
    rest = [p for p in discover(ws.inbox) if p.resolve() not in given]
    more, _ = read_all(ws, rest)
    return subs + more


def check_files(ws: Workspace, paths: list[Path] | None, period: Period | None, lang: str = "zh") -> Ingested:
    """What ``reporting check`` reports: every file with its issues (default: the whole inbox)."""
    if paths:
        expanded: list[Path] = []
        seen: set[Path] = set()
        for p in paths:
            for f in discover(p) if p.is_dir() else [p]:
                if f.resolve() not in seen:  # the same file named twice is read once
                    seen.add(f.resolve())
                    expanded.append(f)
        paths = expanded
    return ingest(ws, period, paths=paths, lang=lang)


def previous_from_inbox(ws: Workspace, period: Period) -> dict[str, dict[str, float]]:
    """Last month's accepted figures, reading inbox/ only when they were not all published."""
    from reporting.ingest.previous import previous_needs_inbox, previous_values

    parsed = read_all(ws, discover(ws.inbox))[0] if previous_needs_inbox(ws, period) else []
    return previous_values(ws, period, parsed)
