"""A cache of read submissions, keyed by the file's content hash.

Re-running ``compile`` after one unit resubmits should not parse the other
2,000 files again. Entries are keyed by the bytes' sha256, the name the file
was read under (unit and period may come from it) and the assumed period;
the cache file's name carries a fingerprint of the package's own source and
of the configuration that reading depends on, so an entry never outlives a
change to the code or the settings. It lives in
``<workspace>/.reporting-cache/`` and is safe to delete.

The file is JSON, decoded into an allow-list of plain dataclasses: someone
who can write to the workspace can damage the cache (a miss, the file is
read again) but cannot make the tool run code, as a pickle would.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporting.core.results import field_names

if TYPE_CHECKING:
    from reporting.workspace.config import Workspace

FOLDER = ".reporting-cache"
FORMAT = 2
_PACKAGE = Path(__file__).resolve().parent.parent  # reporting/


@functools.cache
def source_hash() -> str:
    """sha256 over the package's own source files: any code change makes a new cache."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
            h.update(path.relative_to(_PACKAGE).as_posix().encode())
            h.update(b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


def fingerprint(ws: Workspace) -> str:
    """What reading depends on: the package's source, the catalogue, units and settings (not targets)."""
    h = hashlib.sha256(f"{FORMAT}|{source_hash()}".encode())
    for name in ("workspace.toml", "indicators.toml"):
        try:
            h.update((ws.templates / name).read_bytes())
        except OSError:
            h.update(b"-")
    return h.hexdigest()[:16]


@functools.cache
def _types() -> dict[str, type]:
    """The dataclasses an entry may hold, by name: nothing else is ever constructed."""
    from reporting.core.models import CellValue, Issue, Submission
    from reporting.io.book import Grid

    return {t.__name__: t for t in (Submission, CellValue, Issue, Grid)}


def entry_text(value: Any) -> str | None:
    """The JSON text of one cache entry, or None when ``value`` holds something the codec refuses."""
    try:
        return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


class _Damaged(ValueError):
    """An entry that does not decode to what the cache writes: treated as a miss."""


_LEAVES = frozenset({type(None), bool, int, float, str})


def encode(value: Any) -> Any:
    """A JSON-ready form of ``value``; containers and dates are tagged so they decode to themselves."""
    tp = type(value)
    if tp in _LEAVES:  # most of an entry: answered by one set lookup (encoding runs once per file read)
        return value
    if tp is list:
        return [encode(v) for v in value]
    if tp is dict:
        return {"$m": [[encode(k), encode(v)] for k, v in value.items()]}
    types = _types()
    name = tp.__name__
    if types.get(name) is tp:
        return {"$c": name, "f": {f: encode(getattr(value, f)) for f in field_names(tp)}}
    return _encode_other(value)


def _encode_other(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$t": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"$s": sorted((encode(v) for v in value), key=json.dumps)}
    if isinstance(value, dict):
        return {"$m": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$tm": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$td": value.total_seconds()}
    raise TypeError(f"the read cache cannot hold a {type(value).__name__}")


def decode(data: Any) -> Any:
    """The inverse of :func:`encode`; anything it did not write raises :class:`_Damaged`."""
    tp = type(data)
    if tp in _LEAVES:
        return data
    if tp is list:
        return [decode(v) for v in data]
    if tp is not dict or len(data) not in (1, 2):
        raise _Damaged("unexpected JSON")
    try:
        if "$c" in data:
            cls = _types()[data["$c"]]
            fields = data["f"]
            if type(fields) is not dict or not fields.keys() <= set(field_names(cls)):
                raise _Damaged("unexpected fields")
            return cls(**{k: decode(v) for k, v in fields.items()})
        if "$m" in data:
            return {decode(k): decode(v) for k, v in data["$m"]}
        if "$t" in data:
            return tuple(decode(v) for v in data["$t"])
        if "$s" in data:
            return {decode(v) for v in data["$s"]}
        if "$dt" in data:
            return dt.datetime.fromisoformat(data["$dt"])
        if "$d" in data:
            return dt.date.fromisoformat(data["$d"])
        if "$tm" in data:
            return dt.time.fromisoformat(data["$tm"])
        if "$td" in data:
            return dt.timedelta(seconds=data["$td"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _Damaged(str(exc)) from exc
    raise _Damaged("unexpected tag")


# A form's entry is a few KB (its grids, kept for feedback, some tens); the reader bounds a book's
# text, and this bounds what any one file can make the cache write.
MAX_ENTRY = 4 * 2**20


class ReadCache:
    """``(Submission, grids)`` per key as JSON text, loaded once and saved once per run."""

    def __init__(self, ws: Workspace) -> None:
        self.folder = ws.root / FOLDER
        self.path = self.folder / f"read-{fingerprint(ws)}.json"
        self.entries: dict[str, str] = {}
        self.used: set[str] = set()
        self.hits = self.misses = 0
        self.dirty = False
        try:
            data = json.loads(self.path.read_bytes())
            if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("entries"), dict):
                self.entries = {k: v for k, v in data["entries"].items() if isinstance(v, str)}
        except (OSError, ValueError, RecursionError):
            self.entries = {}

    @staticmethod
    def _key(sha: str, display: str, assume: str) -> str:
        return json.dumps([sha, display, assume], ensure_ascii=False)

    def get(self, sha: str, display: str, assume: str) -> Any | None:
        key = self._key(sha, display, assume)
        text = self.entries.get(key)
        if text is None:
            self.misses += 1
            return None
        try:
            value = decode(json.loads(text))
        except (ValueError, RecursionError):  # a damaged entry is a miss, never an error
            self.misses += 1
            return None
        self.hits += 1
        self.used.add(key)
        return value

    def put(self, sha: str, display: str, assume: str, value: Any) -> None:
        self.put_text(sha, display, assume, entry_text(value))

    def put_text(self, sha: str, display: str, assume: str, text: str | None) -> None:
        """Store an entry already encoded by :func:`entry_text` (a pool worker encodes its own)."""
        if text is None or len(text) > MAX_ENTRY:
            return  # not cacheable (or absurdly large for a form): read again next time
        key = self._key(sha, display, assume)
        self.entries[key] = text
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
            for old in self.folder.glob("read-*"):
                if old != self.path:
                    old.unlink()
            body = json.dumps({"format": FORMAT, "entries": kept}, ensure_ascii=False, separators=(",", ":"))
            write_bytes(self.path, body.encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written costs time, never correctness


def cache_enabled() -> bool:
    return os.environ.get("REPORTING_CACHE", "1") not in ("0", "no", "off")
