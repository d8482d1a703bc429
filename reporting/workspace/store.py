"""The workspace's memory: ``history.sqlite`` in the workspace root (standard library sqlite3).

One file holds, per period, the accepted values with their provenance, the
files received with the time the tool first saw their bytes, the issues, the
units' statuses, ranks and scores. The schema carries a version
(``PRAGMA user_version``); :data:`MIGRATIONS` bring any older file up to date
when it is opened. Writes run in one transaction each (``BEGIN IMMEDIATE``),
the journal is WAL and a busy timeout makes a second command wait rather
than fail, so two commands at once are safe.

Only ``files.first_seen`` cannot be derived again: everything else is
re-created by ``reporting history rebuild`` from the inbox and the results.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILENAME = "history.sqlite"
BUSY_TIMEOUT_MS = 30_000

# Each entry brings the schema from version i to i + 1. Never edit a released step: append one.
MIGRATIONS: tuple[str, ...] = (
    # 1: values and files
    """
    CREATE TABLE files (
        sha256 TEXT PRIMARY KEY,
        first_seen REAL NOT NULL,
        name TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE value (
        period TEXT NOT NULL,
        unit TEXT NOT NULL,
        indicator TEXT NOT NULL,
        value REAL,
        source TEXT NOT NULL DEFAULT 'compile',
        file TEXT, sha256 TEXT, sheet TEXT, cell TEXT,
        PRIMARY KEY (period, unit, indicator)
    );
    """,
    # 2: what a compile decided about the period
    """
    CREATE TABLE period (
        period TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        recorded REAL NOT NULL
    );
    CREATE TABLE period_file (
        period TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL, unit TEXT,
        status TEXT NOT NULL DEFAULT '', received REAL,
        PRIMARY KEY (period, file)
    );
    CREATE TABLE unit_status (
        period TEXT NOT NULL, unit TEXT NOT NULL, status TEXT NOT NULL,
        score REAL, rank INTEGER, file TEXT, received REAL,
        PRIMARY KEY (period, unit)
    );
    CREATE TABLE issue (
        period TEXT NOT NULL, code TEXT NOT NULL, severity TEXT NOT NULL,
        unit TEXT, indicator TEXT, file TEXT, sheet TEXT, cell TEXT, message TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX issue_period ON issue (period);
    CREATE INDEX value_unit ON value (unit, indicator);
    """,
    # 3: the history workbooks already imported (compile imports a workbook again only when it changed)
    """
    CREATE TABLE book (
        path TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL,
        imported REAL NOT NULL
    );
    """,
    # 4: when the store began keeping received times, and where each unit's received time came from
    # (register: 收文登记; seen: the store saw the bytes arrive; file: only the file's own time, from
    # before the store began, which cannot prove a file late). A store older than this began at its
    # first recorded period.
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO meta (key, value)
        SELECT 'started', CAST(COALESCE(MIN(recorded), (julianday('now') - 2440587.5) * 86400.0) AS TEXT) FROM period;
    ALTER TABLE unit_status ADD COLUMN received_source TEXT NOT NULL DEFAULT '';
    """,
)
VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class StoredValue:
    period: str
    unit: str
    indicator: str
    value: float | None
    source: str
    file: str | None = None
    sha256: str | None = None
    sheet: str | None = None
    cell: str | None = None


class Store:
    """An open history database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.execute("PRAGMA synchronous = NORMAL")
        with contextlib.suppress(sqlite3.OperationalError):
            self.db.execute("PRAGMA journal_mode = WAL")
        self.migrate()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> int:
        """Apply the missing migrations, each in its own transaction; returns the version reached."""
        while True:
            with self.transaction():
                current = self.version
                if current >= VERSION:
                    return current
                for stmt in _statements(MIGRATIONS[current]):
                    self.db.execute(stmt)
                self.db.execute(f"PRAGMA user_version = {current + 1}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (``BEGIN IMMEDIATE``), so writers queue instead of deadlocking.

        Inside another one it is a savepoint: its work stands or falls with the outer transaction
        (compile records a period inside the transaction that commits once the outputs are in place).
        """
        if self.db.in_transaction:
            self.db.execute("SAVEPOINT nested")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK TO nested")
                self.db.execute("RELEASE nested")
                raise
            self.db.execute("RELEASE nested")
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- received times -------------------------------------------------------------------------
    @property
    def started(self) -> float:
        """When this store began keeping received times (epoch seconds)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'started'").fetchone()
        return float(row[0]) if row else 0.0

    def first_seen(self, sha256: str, name: str = "", now: float | None = None) -> float:
        """When the store first saw these bytes (epoch seconds), recording ``now`` if they are new."""
        row = self.db.execute("SELECT first_seen FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        if row is not None:
            return float(row[0])
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO files (sha256, first_seen, name) VALUES (?, ?, ?)",
                       (sha256, time.time() if now is None else now, name))
            return float(db.execute("SELECT first_seen FROM files WHERE sha256 = ?", (sha256,)).fetchone()[0])

    @property
    def last_scan(self) -> float:
        """When the last reading of the whole inbox began (epoch seconds; 0 before any).

        Bytes new to the store were not in the inbox then, so they arrived after it, whatever
        their modification time says (a file kept for days before it was sent, a copy out of a zip).
        """
        row = self.db.execute("SELECT value FROM meta WHERE key = 'scanned'").fetchone()
        return float(row[0]) if row else 0.0

    def mark_scan(self, began: float) -> None:
        """Record that every file of the inbox at ``began`` has been seen (never moves back)."""
        with self.transaction() as db:
            db.execute("INSERT INTO meta (key, value) VALUES ('scanned', ?) ON CONFLICT (key) DO UPDATE"
                       " SET value = excluded.value WHERE CAST(excluded.value AS REAL) > CAST(meta.value AS REAL)",
                       (repr(began),))

    def first_seen_all(self) -> dict[str, float]:
        return {sha: float(t) for sha, t in self.db.execute("SELECT sha256, first_seen FROM files")}

    # -- periods ----------------------------------------------------------------------------------
    def replace_period(self, period: str, source: str, values: Iterable[StoredValue], *,
                       files: Iterable[tuple[Any, ...]] = (), units: Iterable[tuple[Any, ...]] = (),
                       issues: Iterable[tuple[Any, ...]] = ()) -> None:
        """Replace everything recorded for ``period`` in one transaction.

        files: (file, sha256, unit, status, received);
        units: (unit, status, score, rank, file, received[, received_source]);
        issues: (code, severity, unit, indicator, file, sheet, cell, message).
        """
        with self.transaction() as db:
            for table in ("value", "period_file", "unit_status", "issue", "period"):
                db.execute(f"DELETE FROM {table} WHERE period = ?", (period,))
            db.execute("INSERT INTO period (period, source, recorded) VALUES (?, ?, ?)", (period, source, time.time()))
            db.executemany(
                "INSERT OR REPLACE INTO value (period, unit, indicator, value, source, file, sha256, sheet, cell)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(period, v.unit, v.indicator, v.value, v.source, v.file, v.sha256, v.sheet, v.cell) for v in values])
            db.executemany("INSERT OR REPLACE INTO period_file (period, file, sha256, unit, status, received)"
                           " VALUES (?, ?, ?, ?, ?, ?)", [(period, *f) for f in files])
            db.executemany("INSERT OR REPLACE INTO unit_status (period, unit, status, score, rank, file, received,"
                           " received_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [(period, *u[:7], *([""] * (7 - len(u[:7])))) for u in units])
            db.executemany("INSERT INTO issue (period, code, severity, unit, indicator, file, sheet, cell, message)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [(period, *i) for i in issues])

    def delete_period(self, period: str) -> None:
        """Forget one period (a month emptied in the history workbook)."""
        with self.transaction() as db:
            for table in ("value", "period_file", "unit_status", "issue", "period"):
                db.execute(f"DELETE FROM {table} WHERE period = ?", (period,))

    def received_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM files").fetchone()[0])

    def clear_derived(self) -> None:
        """Forget everything but the received times (before a rebuild)."""
        with self.transaction() as db:
            for table in ("value", "period_file", "unit_status", "issue", "period", "book"):
                db.execute(f"DELETE FROM {table}")

    def book_sha(self, path: str) -> str | None:
        """The sha256 of ``path`` (a history workbook) when it was last imported."""
        row = self.db.execute("SELECT sha256 FROM book WHERE path = ?", (path,)).fetchone()
        return None if row is None else str(row[0])

    def set_book(self, path: str, sha256: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO book (path, sha256, imported) VALUES (?, ?, ?)",
                       (path, sha256, time.time()))

    def periods(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT period, source FROM period ORDER BY period"))

    def values(self, *, period: str | None = None, unit: str | None = None, indicator: str | None = None,
               years: tuple[int, int] | None = None) -> list[StoredValue]:
        sql, args = "SELECT period, unit, indicator, value, source, file, sha256, sheet, cell FROM value WHERE 1", []
        for col, val in (("period", period), ("unit", unit), ("indicator", indicator)):
            if val is not None:
                sql += f" AND {col} = ?"
                args.append(val)
        if years is not None:
            sql += " AND period >= ? AND period <= ?"
            args += [f"{years[0]:04d}-01", f"{years[1]:04d}-12"]
        sql += " ORDER BY period, unit, indicator"
        return [StoredValue(*row) for row in self.db.execute(sql, args)]

    def period_values(self, period: str) -> dict[str, dict[str, float]]:
        """unit -> indicator -> value for one period (values that are known)."""
        out: dict[str, dict[str, float]] = {}
        for _p, u, i, v, *_ in self.db.execute(
                "SELECT period, unit, indicator, value FROM value WHERE period = ? AND value IS NOT NULL", (period,)):
            out.setdefault(u, {})[i] = float(v)
        return out

    def unit_reports(self, period: str) -> dict[str, tuple[str | None, float | None, str]]:
        """unit -> (file used, received time, its source) as the last compile of ``period`` recorded them."""
        return {u: (f, r, src) for u, f, r, src in self.db.execute(
            "SELECT unit, file, received, received_source FROM unit_status WHERE period = ?", (period,))}

    def unit_received(self, year: int) -> dict[tuple[str, str], tuple[float | None, str]]:
        """(period, unit) -> (received time, its source) for every unit recorded in ``year``'s periods."""
        return {(p, u): (r, src) for p, u, r, src in self.db.execute(
            "SELECT period, unit, received, received_source FROM unit_status WHERE period >= ? AND period <= ?",
            (f"{year:04d}-01", f"{year:04d}-12"))}


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def store_path(root: Path) -> Path:
    return Path(root) / FILENAME


def open_store(root: Path) -> Store:
    """The workspace's store, created and migrated as needed."""
    return Store(store_path(root))


def existing_store(root: Path) -> Store | None:
    """The store if the workspace has one (reading never creates it)."""
    p = store_path(root)
    return Store(p) if p.exists() else None


_OPEN: dict[tuple[int, str], Store] = {}


def close_stores() -> None:
    """Close every store this process opened (the CLI does so before it exits)."""
    for st in set(_OPEN.values()):
        try:
            st.close()
        except sqlite3.Error:
            pass
    _OPEN.clear()


def store_for(root: Path) -> Store:
    """One open store per process and workspace (readers in a process pool each get their own)."""
    import os

    given = (os.getpid(), str(root))
    st = _OPEN.get(given)  # asked for by the same name before: no resolve (one per file read)
    if st is None:
        key = (os.getpid(), str(Path(root).resolve()))
        st = _OPEN.get(key)
        if st is None:
            st = _OPEN[key] = open_store(root)
        _OPEN[given] = st
    return st
