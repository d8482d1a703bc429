"""Atomic output: write to a temporary file beside the target, then rename.

An interrupted run therefore leaves the last good output in place. The
workspace lock keeps two compiles of one workspace from interleaving.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from reporting.core.errors import ReportingError


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it over the target on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    if os.name != "nt":  # mkstemp makes 0600 files; outputs go to shared folders, so honour the umask
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


class LockBusy(ReportingError):
    """Another run holds the workspace lock."""


@contextlib.contextmanager
def workspace_lock(folder: Path, *, wait: float = 0.0) -> Iterator[None]:
    """An exclusive lock on ``folder/.lock`` that works on Windows (msvcrt) and POSIX (fcntl).

    The OS releases it when the process ends, so a crashed run never leaves
    a stale lock behind.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
    fh = open(path, "a+b")  # noqa: SIM115 - held for the lifetime of the lock
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                _try_lock(fh)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise LockBusy(key="lock.busy", path=path) from None
                time.sleep(0.2)
        yield
    finally:
        with contextlib.suppress(OSError):
            _unlock(fh)
        fh.close()


def _try_lock(fh: object) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        fh.seek(0)  # type: ignore[attr-defined]
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[attr-defined]


def _unlock(fh: object) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        fh.seek(0)  # type: ignore[attr-defined]
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)  # type: ignore[attr-defined]
