"""A cache of read submissions, keyed by the file's content hash.

Re-running ``compile`` after one unit resubmits should not parse the other
2,000 files again. Entries are keyed by the bytes' sha256, the name the file
was read under (unit and period may come from it), the assumed period, and a
fingerprint of the tool version and the configuration that reading depends
on, so a cache is never trusted across tool versions or configuration
changes. It lives in ``<workspace>/.reporting-cache/`` and is safe to delete.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from typing import TYPE_CHECKING, Any

from reporting import __version__

if TYPE_CHECKING:
    from reporting.workspace.config import Workspace

FOLDER = ".reporting-cache"
FORMAT = 1


def fingerprint(ws: Workspace) -> str:
    """What reading depends on: tool version, engine, catalogue, units, settings (not targets)."""
    h = hashlib.sha256(f"{__version__}|{FORMAT}|{os.environ.get('REPORTING_ENGINE', 'auto')}".encode())
    for name in ("workspace.toml", "indicators.toml"):
        try:
            h.update((ws.templates / name).read_bytes())
        except OSError:
            h.update(b"-")
    return h.hexdigest()[:16]


class ReadCache:
    """Pickled ``(Submission, grids)`` per key, loaded once and saved once per run.

    Pickle is used because the workspace is the clerk's own trusted folder
    (whoever can write it can also edit the configuration); the file name
    carries the fingerprint, so a stale cache is simply not found.
    """

    def __init__(self, ws: Workspace) -> None:
        self.folder = ws.root / FOLDER
        self.path = self.folder / f"read-{fingerprint(ws)}.pickle"
        self.entries: dict[tuple[str, str, str], bytes] = {}
        self.used: set[tuple[str, str, str]] = set()
        self.hits = self.misses = 0
        self.dirty = False
        try:
            with open(self.path, "rb") as fh:
                data = pickle.load(fh)
            if isinstance(data, dict) and data.get("format") == FORMAT:
                self.entries = data["entries"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError,
                ValueError):
            self.entries = {}

    def get(self, sha: str, display: str, assume: str) -> Any | None:
        key = (sha, display, assume)
        blob = self.entries.get(key)
        if blob is None:
            self.misses += 1
            return None
        try:
            value = pickle.loads(blob)
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, never an error
            self.misses += 1
            return None
        self.hits += 1
        self.used.add(key)
        return value

    def put(self, sha: str, display: str, assume: str, value: Any) -> None:
        key = (sha, display, assume)
        self.entries[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write atomically; entries this run did not use are dropped only once they outnumber it.

        (A ``check`` of one file must not evict the whole inbox's entries.)
        """
        if not self.dirty:
            return
        from reporting.workspace.atomic import write_bytes

        kept = self.entries
        if len(kept) > max(2 * len(self.used), 1000):
            kept = {k: v for k, v in self.entries.items() if k in self.used}
        try:
            self.folder.mkdir(exist_ok=True)
            for old in self.folder.glob("read-*.pickle"):
                if old != self.path:
                    old.unlink()
            write_bytes(self.path, pickle.dumps({"format": FORMAT, "entries": kept},
                                                protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a cache that cannot be written costs time, never correctness


def cache_enabled() -> bool:
    return os.environ.get("REPORTING_CACHE", "1") not in ("0", "no", "off")
