"""Does reading the inbox in parallel pay? Serial vs a process pool, by number of files.

    python benchmarks/parallel.py WORKSPACE [--counts 50,200,1000,2000] [--workers 2] [--repeat 3]

Reads the first N files of the workspace's inbox with ``ingest.read_submission``
(read, recognise, validate: the per-file work of a compile) serially, and
with a ``multiprocessing`` pool of ``--workers`` processes using the ``fork``
start method (Linux) and ``spawn`` (Windows' and macOS' default), each
worker returning the Submission with or without its grids (what crossing
the process boundary costs). Pool start-up is included: it is what a
compile would pay. Prints a markdown table with the median of ``--repeat``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path
from typing import Any

_STATE: dict[str, Any] = {}


def _init(root: str) -> None:
    from reporting.ingest.recognise import Catalogue
    from reporting.workspace.config import load_workspace

    ws = load_workspace(root)
    _STATE["ws"] = ws
    _STATE["cat"] = Catalogue.build(ws)


def _read(path: Path, with_grids: bool = True) -> Any:
    from reporting.ingest.pipeline import display_name, read_submission

    ws, cat = _STATE["ws"], _STATE["cat"]
    sub, grids = read_submission(ws, cat, path, display_name(path, ws.inbox))
    return sub, (grids if with_grids else None)


def _read_no_grids(path: Path) -> Any:
    return _read(path, with_grids=False)


def serial(paths: list[Path]) -> float:
    t0 = time.perf_counter()
    for p in paths:
        _read(p)
    return time.perf_counter() - t0


def pooled(root: str, paths: list[Path], method: str, workers: int, with_grids: bool) -> float:
    ctx = mp.get_context(method)
    t0 = time.perf_counter()
    if method == "fork":  # the parent's loaded workspace is inherited
        pool = ctx.Pool(workers)
    else:
        pool = ctx.Pool(workers, initializer=_init, initargs=(root,))
    with pool:
        chunk = max(1, min(64, len(paths) // (workers * 4) or 1))
        fn = _read if with_grids else _read_no_grids
        out = list(pool.imap(fn, paths, chunksize=chunk))
    assert len(out) == len(paths)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workspace", type=Path)
    ap.add_argument("--counts", default="50,200,1000,2000")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-spawn", action="store_true")
    args = ap.parse_args(argv)

    from reporting.ingest.pipeline import discover

    root = str(args.workspace.resolve())
    _init(root)
    all_paths = discover(_STATE["ws"].inbox)
    for p in all_paths[:20]:  # warm imports and the OS file cache
        _read(p)
    rows = [f"| files | serial ms | per file ms | fork x{args.workers} | fork, no grids | spawn x{args.workers} | best speed-up |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for n in [int(x) for x in args.counts.split(",")]:
        paths = all_paths[:n]
        if len(paths) < n:
            break
        s = statistics.median(serial(paths) for _ in range(args.repeat))
        f = statistics.median(pooled(root, paths, "fork", args.workers, True) for _ in range(args.repeat))
        fn = statistics.median(pooled(root, paths, "fork", args.workers, False) for _ in range(args.repeat))
        sp = None
        if not args.no_spawn:
            sp = statistics.median(pooled(root, paths, "spawn", args.workers, True) for _ in range(args.repeat))
        best = min(x for x in (f, fn, sp) if x is not None)
        rows.append(f"| {n} | {s * 1000:.0f} | {s / n * 1000:.2f} | {f * 1000:.0f} | {fn * 1000:.0f} | "
                    f"{'–' if sp is None else f'{sp * 1000:.0f}'} | {s / best:.2f}x |")
        print(rows[-1], file=sys.stderr, flush=True)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
