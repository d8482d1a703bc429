"""Per-stage times of one in-process ``compile``, by timing the library's own functions.

    python benchmarks/stages.py WORKSPACE [--json] [--profile OUT.prof] [--top 30]

Wraps the functions each stage goes through (module attributes, so the
library needs no instrumentation of its own) and runs
``compile_period(load_workspace(WORKSPACE))`` once. Stages:

- ``load``: load_workspace (settings, units, catalogue) of which ``targets``
  is reading templates/targets/*.xlsx
- ``discover``: walking inbox/
- ``read``: book.read_book; ``read_other`` is the rest of reading a file
  (stat, read bytes, sha256, name classification)
- ``recognise``: recognise.recognise (unit, period, layout)
- ``validate``: validate.read_values + validate.check_against_previous
- ``select``: ingest.select, history.previous_values
- ``score``: results.build_results
- ``render``: writing bulletin, results.json and feedback (``bulletin``,
  ``feedback`` are parts of it). From 200 units the bulletin is written in a
  child process while this one writes the rest; its time is then measured by
  writing it again in-process after the compile.

With a reading pool (300 files or more), the per-file stages run in the
workers: ``read_other`` is then the whole of reading, and read, recognise and
validate show 0.

Nested timings are not subtracted from their parents except where named
``*_other``. ``--profile`` writes a cProfile of the same run and prints the
top functions by cumulative and internal time.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIMES: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)

# (module, attribute, stage)
HOOKS = [
    ("reporting.workspace.config", "load_workspace", "load"),
    ("reporting.workspace.targets", "read_targets_dir", "targets"),
    ("reporting.ingest.pipeline", "discover", "discover"),
    ("reporting.ingest.pipeline", "read_all", "read_all"),
    ("reporting.io.book", "read_book", "read"),
    ("reporting.ingest.recognise", "recognise", "recognise"),
    ("reporting.ingest.rules.values", "read_values", "validate_values"),
    ("reporting.ingest.rules.values", "check_against_previous", "validate_previous"),
    ("reporting.ingest.pipeline", "select", "select"),
    ("reporting.ingest.previous", "previous_values", "select"),
    ("reporting.score.results", "build_results", "score"),
    ("reporting.jobs.compile", "_write_outputs", "render"),
    ("reporting.render.bulletin.workbook", "write_bulletin", "bulletin"),
    ("reporting.render.feedback", "write_feedback", "feedback"),
]


def _timed(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kw)
        finally:
            TIMES[stage] += time.perf_counter() - t0
            CALLS[stage] += 1

    return wrapper


def install() -> None:
    for mod_name, attr, stage in HOOKS:
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        fn = getattr(mod, attr, None)
        if fn is None:
            continue
        setattr(mod, attr, _timed(stage, fn))


def run(workspace: Path) -> dict[str, Any]:
    t_start = time.perf_counter()
    import reporting.jobs.compile as compiler
    import reporting.workspace.config as config

    install()
    t_imported = time.perf_counter()
    ws = config.load_workspace(workspace)
    result = compiler.compile_period(ws, lang=ws.settings.lang)
    total = time.perf_counter() - t_start
    files = len(result.results.files)
    if not CALLS.get("bulletin"):
        # a large bulletin is written in a child process beside the rest of render (not seen by the
        # hooks): written again here, in this process, to give its time
        import tempfile

        from reporting.render.bulletin.workbook import write_bulletin

        with tempfile.TemporaryDirectory() as tmp:
            write_bulletin(Path(tmp) / "b.xlsx", result.results, ws.settings.lang, lights=ws.settings.document.lights)
    st = dict(TIMES)
    read_all = st.pop("read_all", 0.0)
    st["read_other"] = max(0.0, read_all - st.get("read", 0) - st.get("recognise", 0) - st.get("validate_values", 0))
    st["validate"] = st.pop("validate_values", 0.0) + st.pop("validate_previous", 0.0)
    return {
        "workspace": str(workspace),
        "files": files,
        "total": total,
        "imports": t_imported - t_start,
        "stages": st,
        "calls": dict(CALLS),
        "compile_timings": result.timings,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workspace", type=Path)
    ap.add_argument("--json", action="store_true", help="print the timings as one JSON object")
    ap.add_argument("--profile", type=Path, help="also write a cProfile of the run here")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args(argv)

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        out = run(args.workspace)
        prof.disable()
        prof.dump_stats(args.profile)
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    else:
        out = run(args.workspace)
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{out['workspace']}: {out['files']} files, {out['total']:.3f} s in-process")
        for k, v in sorted(out["stages"].items(), key=lambda kv: -kv[1]):
            print(f"  {k:<12} {v * 1000:9.1f} ms  ({out['calls'].get(k, '')} calls)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
