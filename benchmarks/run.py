"""Benchmark ``reporting compile`` on synthetic workspaces against a naive pandas baseline.

    python benchmarks/run.py --sizes 20,200,2000 --runs 3
    python benchmarks/run.py --sizes 2000,20000 --runs 3 --baseline-runs 1
    python benchmarks/run.py --big            # adds 20000 to the sizes

For each size N it makes (once; ``--regen`` to remake) a workspace
``benchmarks/out/wN`` with ``reporting demo --units N --periods 2022-11``,
then, in the same run:

- ``reporting compile`` as a subprocess, ``--runs`` times after one warm-up
  run: wall time, and the peak RSS of that process alone (``os.wait4`` on the
  child, so runs and other children do not mix). With a content-hash cache
  in the workspace (``--cache-dir``), every run starts without it ("cold")
  and, when a run leaves one behind, the same number of "warm" runs follow;
- per-stage times (load, discover, read, recognise, validate, select, score,
  render) from ``benchmarks/stages.py``, which times the library's own
  functions in-process (median of ``--runs``);
- the naive baseline ``benchmarks/baseline.py`` (pandas.read_excel every file,
  concat, groupby-rank, to_excel), ``--baseline-runs`` times;

and, with ``--sample`` (on by default), the 13-unit sample inbox (two periods,
with its planted mistakes) made with ``reporting init`` + ``reporting demo``.
Prints markdown tables and writes them, with the machine described, to
``benchmarks/results.md`` (``--results``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PERIOD = "2022-11"
STAGES = ["load", "discover", "read", "read_other", "recognise", "validate", "select", "score", "render"]

# The targets (2-core machine).
TARGET_WALL_2000 = 3.0
TARGET_RSS_2000_MB = 400
TARGET_RATIO = 10
TARGET_READ_MS = 0.5
TARGET_SAMPLE_S = 1.5
# issue 9 (the house): a cold 2,000-unit compile no slower than when it was filed, and >= 8x the baseline
HOUSE_WALL_2000 = 3.46
HOUSE_RATIO = 8


# --------------------------------------------------------------------------- running a child


@dataclass
class Run:
    wall: float
    rss_mb: float | None
    rc: int
    stdout: str
    stderr: str


def reporting_cmd() -> list[str]:
    """The console script the clerk runs, else ``python -m reporting``."""
    exe = shutil.which("reporting")
    return [exe] if exe else [sys.executable, "-m", "reporting"]


def measure(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` once: wall time and the peak RSS of that child alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            # Linux reports kilobytes, macOS bytes
            rss = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
        else:  # Windows: no per-child rusage
            proc.wait()
            wall = time.perf_counter() - t0
            rss = None
        out.seek(0)
        err.seek(0)
        return Run(wall, rss, proc.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"))


def check(run: Run, what: str) -> Run:
    if run.rc not in (0, 1):
        sys.stderr.write(f"{what} failed (exit {run.rc}):\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}\n")
        raise SystemExit(2)
    return run


# --------------------------------------------------------------------------- workspaces


def make_workspace(out: Path, units: int | None, regen: bool) -> tuple[Path, float | None]:
    """``out/wN`` (or ``out/sample``): made once, reused while its marker says it is complete."""
    ws = out / (f"w{units}" if units else "sample")
    marker = ws / ".bench.json"
    if ws.exists() and marker.exists() and not regen:
        return ws, json.loads(marker.read_text()).get("generate_s")
    if ws.exists():
        shutil.rmtree(ws)
    ws.parent.mkdir(parents=True, exist_ok=True)
    print(f"making {ws} ...", file=sys.stderr, flush=True)
    if units:
        run = check(measure([*reporting_cmd(), "demo", "--units", str(units), "--periods", PERIOD, "-w", str(ws)]),
                    f"demo --units {units}")
    else:
        check(measure([*reporting_cmd(), "init", str(ws)]), "init")
        run = check(measure([*reporting_cmd(), "demo", "-w", str(ws)]), "demo")
    marker.write_text(json.dumps({"units": units, "generate_s": run.wall}))
    return ws, run.wall


def inbox_stats(ws: Path) -> tuple[int, float]:
    files = [p for p in (ws / "inbox").rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files) / 2**20


# --------------------------------------------------------------------------- one workload


@dataclass
class Result:
    label: str
    units: int
    files: int
    inbox_mb: float
    generate_s: float | None
    cold: list[Run] = field(default_factory=list)
    warm: list[Run] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    stage_total: float | None = None
    baseline: list[Run] = field(default_factory=list)


def clear_cache(ws: Path, cache_dir: str) -> bool:
    path = ws / cache_dir
    existed = path.exists()
    if existed:
        shutil.rmtree(path)
    return existed


def bench(label: str, ws: Path, units: int, generate_s: float | None, args: argparse.Namespace) -> Result:
    files, mb = inbox_stats(ws)
    res = Result(label, units, files, mb, generate_s)
    runs = args.runs if files < 10000 else args.big_runs
    compile_cmd = [*reporting_cmd(), "compile", "-w", str(ws), "-q"]
    print(f"[{label}] {files} files, {mb:.1f} MB: compile x{runs} ...", file=sys.stderr, flush=True)
    check(measure(compile_cmd), "compile (warm-up)")  # warms the OS file cache and writes outbox once
    for _ in range(runs):
        clear_cache(ws, args.cache_dir)
        res.cold.append(check(measure(compile_cmd), "compile"))
    if (ws / args.cache_dir).exists():  # the last run left a cache: measure with it
        for _ in range(runs):
            res.warm.append(check(measure(compile_cmd), "compile (cache)"))
    if not args.no_stages:
        staged = []
        for _ in range(runs):
            clear_cache(ws, args.cache_dir)
            r = check(measure([sys.executable, str(HERE / "stages.py"), str(ws), "--json"]), "stages")
            staged.append(json.loads(r.stdout.strip().splitlines()[-1]))
        for k in {k for r in staged for k in r["stages"]}:
            res.stages[k] = statistics.median(r["stages"].get(k, 0.0) for r in staged)
        res.stage_total = statistics.median(r["total"] for r in staged)
    nb = args.baseline_runs if args.baseline_runs is not None else runs
    if not args.no_baseline and nb > 0:
        print(f"[{label}] baseline x{nb} ...", file=sys.stderr, flush=True)
        out_xlsx = ws / "baseline.xlsx"
        for _ in range(nb):
            res.baseline.append(check(measure([sys.executable, str(HERE / "baseline.py"), str(ws / "inbox"),
                                               str(out_xlsx)]), "baseline"))
    return res


# --------------------------------------------------------------------------- report


def med(runs: list[Run]) -> float | None:
    return statistics.median(r.wall for r in runs) if runs else None


def spread(runs: list[Run]) -> float:
    """Half the range: the median ± this covers every run."""
    return (max(r.wall for r in runs) - min(r.wall for r in runs)) / 2 if len(runs) > 1 else 0.0


def peak(runs: list[Run]) -> float | None:
    vals = [r.rss_mb for r in runs if r.rss_mb is not None]
    return max(vals) if vals else None


def fmt_s(x: float | None, runs: list[Run] | None = None) -> str:
    if x is None:
        return "–"
    return f"{x:.2f} ± {spread(runs):.2f}" if runs and len(runs) > 1 else f"{x:.2f}"


def per_file_ms(res: Result) -> float | None:
    """Reading, recognising and validating, amortised per file (in-process stage times)."""
    if not res.stages or not res.files:
        return None
    work = sum(res.stages.get(k, 0.0) for k in ("discover", "read", "read_other", "recognise", "validate"))
    return work / res.files * 1000


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 2**20:.0f} GB RAM"
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    versions = []
    for mod in ("openpyxl", "xlsxwriter", "pandas", "python_calamine", "click"):
        try:
            from importlib.metadata import version

            versions.append(f"{mod} {version(mod.replace('_', '-'))}")
        except Exception:  # noqa: BLE001
            pass
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip() or "?"
    return (f"{cpu}, {cores} cores available{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {', '.join(versions)}; reporting at {commit}")


def tables(results: list[Result]) -> str:
    lines = ["| workload | files | inbox MB | compile median ± spread (s) | peak RSS MB | "
             "with cache (s) | read+validate ms/file | baseline (s) | baseline peak MB | ours/baseline |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        ours, base = med(r.cold), med(r.baseline)
        ratio = f"{ours / base:.2f} ({base / ours:.1f}x faster)" if ours and base else "–"
        pf = per_file_ms(r)
        lines.append(f"| {r.label} | {r.files} | {r.inbox_mb:.1f} | {fmt_s(ours, r.cold)} | "
                     f"{peak(r.cold) or 0:.0f} | {fmt_s(med(r.warm), r.warm)} | "
                     f"{'–' if pf is None else f'{pf:.2f}'} | {fmt_s(base, r.baseline)} | "
                     f"{'–' if peak(r.baseline) is None else f'{peak(r.baseline):.0f}'} | {ratio} |")
    out = "\n".join(lines)
    if any(r.stages for r in results):
        head = "| workload | in-process total | " + " | ".join(STAGES) + " | of which bulletin | of which targets |"
        rows = [head, "|---|" + "---:|" * (len(STAGES) + 3)]
        for r in results:
            if not r.stages:
                continue
            cells = [f"{r.stages.get(k, 0.0) * 1000:.0f}" for k in STAGES]
            rows.append(f"| {r.label} | {r.stage_total * 1000:.0f} | " + " | ".join(cells)
                        + f" | {r.stages.get('bulletin', 0.0) * 1000:.0f} | {r.stages.get('targets', 0.0) * 1000:.0f} |")
        out += "\n\nPer-stage times, ms (in-process, median; `load` includes `targets`, `render` includes the bulletin):\n\n"
        out += "\n".join(rows)
    gen = [r for r in results if r.generate_s is not None]
    if gen:
        out += "\n\nWorkspace generation (`reporting demo`), s: " + ", ".join(
            f"{r.label} {r.generate_s:.1f}" for r in gen)
    return out


def verdicts(results: list[Result]) -> str:
    out = []
    for r in results:
        ours, base = med(r.cold), med(r.baseline)
        if r.units == 2000:
            out.append(f"- 2000 units: {ours:.2f} s (target < {TARGET_WALL_2000} s) "
                       f"{'met' if ours < TARGET_WALL_2000 else 'NOT met'}; peak {peak(r.cold):.0f} MB "
                       f"(target < {TARGET_RSS_2000_MB}) "
                       f"{'met' if (peak(r.cold) or 0) < TARGET_RSS_2000_MB else 'NOT met'}")
            pf = per_file_ms(r)
            if pf is not None:
                out.append(f"- read+validate per file at 2000: {pf:.2f} ms (target <= {TARGET_READ_MS}) "
                           f"{'met' if pf <= TARGET_READ_MS else 'NOT met'}")
            if base:
                out.append(f"- vs baseline at 2000: {base / ours:.1f}x faster (target >= {TARGET_RATIO}x) "
                           f"{'met' if base / ours >= TARGET_RATIO else 'NOT met'}")
                out.append(f"- issue 9: {ours:.2f} s at 2000 (no slower than {HOUSE_WALL_2000} s) "
                           f"{'met' if ours <= HOUSE_WALL_2000 else 'NOT met'}; {base / ours:.1f}x the baseline "
                           f"(>= {HOUSE_RATIO}x) {'met' if base / ours >= HOUSE_RATIO else 'NOT met'}")
        if r.label.startswith("sample"):
            out.append(f"- 13-unit sample: {ours:.2f} s (target < {TARGET_SAMPLE_S} s) "
                       f"{'met' if ours < TARGET_SAMPLE_S else 'NOT met'}")
    big = sorted((r for r in results if r.units >= 200 and r.cold), key=lambda r: r.units)
    if len(big) >= 2:
        a, b = big[0], big[-1]
        growth = (peak(b.cold) or 0) / max(peak(a.cold) or 1, 1)
        out.append(f"- memory {a.label} -> {b.label}: x{growth:.1f} for x{b.inbox_mb / max(a.inbox_mb, 1e-9):.0f} input")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="20,200,2000", help="comma-separated unit counts (default 20,200,2000)")
    ap.add_argument("--big", action="store_true", help="also 20000 units")
    ap.add_argument("--runs", type=int, default=3, help="timed compile runs per size (default 3)")
    ap.add_argument("--big-runs", type=int, default=1, help="timed runs from 10000 files on (default 1)")
    ap.add_argument("--baseline-runs", type=int, default=None,
                    help="baseline runs per size (default: as many as compile runs; 0 skips)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--no-stages", action="store_true")
    ap.add_argument("--no-sample", dest="sample", action="store_false", help="skip the 13-unit sample inbox")
    ap.add_argument("--regen", action="store_true", help="remake the workspaces")
    ap.add_argument("--out", type=Path, default=HERE / "out", help="where workspaces go (default benchmarks/out)")
    ap.add_argument("--cache-dir", default=".reporting-cache",
                    help="the workspace's parse cache, removed before each cold run (default .reporting-cache)")
    ap.add_argument("--results", type=Path, default=HERE / "results.md", help="markdown report to write")
    args = ap.parse_args(argv)

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.big and 20000 not in sizes:
        sizes.append(20000)
    results: list[Result] = []
    if args.sample:
        ws, gen = make_workspace(args.out, None, args.regen)
        results.append(bench("sample (13 units, 2 months)", ws, 13, gen, args))
    for n in sizes:
        ws, gen = make_workspace(args.out, n, args.regen)
        results.append(bench(f"{n} units", ws, n, gen, args))

    cmd = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    report = "\n\n".join([
        "# Benchmark results",
        f"Machine: {machine()}.",
        f"Run {dt.datetime.now().isoformat(timespec='minutes')} with `{cmd.strip()}` "
        f"({args.runs} timed runs each, {args.big_runs} from 10000 files, after one warm-up; "
        "median ± half the range; peak RSS is the "
        "largest of the timed runs, measured per child process with wait4).",
        tables(results),
        "Against the issue's targets:\n\n" + verdicts(results),
    ]) + "\n"
    print(report)
    args.results.write_text(report, encoding="utf-8")
    print(f"written {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
