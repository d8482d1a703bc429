"""A cold 2,000-unit compile of this checkout against an earlier commit's, in one run on one machine.

    python benchmarks/against.py dda7464              # the commit issue 9 was filed against
    python benchmarks/against.py dda7464 --units 200 --runs 5

"No slower than today" cannot be judged from figures taken on other days: this
machine's speed has varied by a factor of 2.7 (the unchanged baseline took
19.5 s one day and 52 s another). So both versions run here, alternately:

- the earlier commit is checked out with ``git worktree`` into ``benchmarks/out/rev-<commit>``
  with its own virtual environment (``pip install -e .``), and makes its own
  workspace with its own ``reporting demo`` (forms are what that version writes);
- each run starts without a read cache (cold), the two versions taking turns so
  that a slow minute of the machine falls on both;
- the naive baseline (``benchmarks/baseline.py``) runs once on each inbox;
- with ``--also`` (e.g. ``--also=--no-docx``), this checkout also runs with those
  options, taking turns with the other two: work that later issues added (the
  通报 .docx, 2026-11) can then be told apart from the house's own cost.

Prints the medians, the CPU time of each compile and the ratios. Nothing is
committed from the worktree; ``git worktree remove`` it when done.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import HERE, PERIOD, ROOT, check, measure


def cpu_of(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system of the command and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = check(measure(cmd), " ".join(cmd[:2]))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return run.wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def checkout(rev: str) -> Path:
    """The commit in its own worktree with its own venv: the ``reporting`` command of that version."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout.strip()
    tree = HERE / "out" / f"rev-{sha}"
    exe = tree / ".venv" / "bin" / "reporting"
    if not exe.exists():
        if not tree.exists():
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha], cwd=ROOT, check=True)
        subprocess.run([sys.executable, "-m", "venv", str(tree / ".venv")], check=True)
        subprocess.run([str(tree / ".venv" / "bin" / "pip"), "install", "-q", "-e", str(tree)], check=True)
    return exe


def workspace(exe: Path, ws: Path, units: int) -> Path:
    if not (ws / "inbox").exists():
        shutil.rmtree(ws, ignore_errors=True)
        check(measure([str(exe), "demo", "--units", str(units), "--periods", PERIOD, "-w", str(ws)]), "demo")
    return ws


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the earlier commit (e.g. dda7464)")
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--also", default="", help="options for a third series of this checkout (e.g. --no-docx)")
    args = ap.parse_args()

    old_exe = checkout(args.rev)
    new_exe = Path(sys.executable).with_name("reporting")
    if not new_exe.exists():
        raise SystemExit(f"{new_exe} not found: run from the project's venv (pip install -e .)")
    wss = {"earlier": workspace(old_exe, old_exe.parents[2] / f"w{args.units}", args.units),
           "this": workspace(new_exe, HERE / "out" / f"w{args.units}-against", args.units)}
    exes = {"earlier": old_exe, "this": new_exe}
    extra_args = {"earlier": [], "this": []}
    if args.also:
        name = f"this {args.also}"
        exes[name], wss[name], extra_args[name] = new_exe, wss["this"], args.also.split()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in exes}
    for name in exes:  # warm-up: the OS file cache, and outbox/ written once
        check(measure([str(exes[name]), "compile", "-w", str(wss[name]), "-q", *extra_args[name]]), f"{name} warm-up")
    for _ in range(args.runs):
        for name in exes:
            shutil.rmtree(wss[name] / ".reporting-cache", ignore_errors=True)
            times[name].append(cpu_of([str(exes[name]), "compile", "-w", str(wss[name]), "-q", *extra_args[name]]))
    base = {}
    if not args.no_baseline:
        for name, ws in wss.items():
            with tempfile.TemporaryDirectory() as tmp:
                base[name] = check(measure([sys.executable, str(HERE / "baseline.py"), str(ws / "inbox"),
                                            str(Path(tmp) / "baseline.xlsx")]), "baseline").wall
    print(f"{args.units} units, cold, {args.runs} runs each, alternating; median wall (CPU)")
    earlier = statistics.median(w for w, _ in times["earlier"])
    for name in exes:
        wall = statistics.median(w for w, _ in times[name])
        cpu = statistics.median(c for _, c in times[name])
        ws_base = base.get("this" if name.startswith("this") else name)
        extra = f"; baseline {ws_base:.2f} s, {ws_base / wall:.1f}x" if ws_base else ""
        print(f"  {name:8s} {wall:6.2f} s ({cpu:.2f} s CPU){extra}")
        if name != "earlier":
            ratio = wall / earlier
            print(f"    {name} / earlier: {ratio:.2f} ({'no slower' if ratio <= 1.0 else 'slower'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
