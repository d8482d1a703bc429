"""Start-up cost per command: ``python -X importtime`` totals, and which heavy libraries got imported.

    python benchmarks/importtime.py [--workspace WS] [--runs 5] [--top 8]

Runs each command ``--runs`` times as ``python -X importtime -c "from
reporting.cli import main; main()" ARGS`` (what the ``reporting`` console
script does) and reports, for the run with the median wall time: the wall
time, the total import time (sum of every module's own time), whether
pandas, numpy, openpyxl, xlsxwriter and python_calamine were imported, the
top-level imports by cumulative time, and the import time by package.

Commands: ``reporting --help``, ``reporting --version``, ``reporting check
<one form>`` and ``reporting compile`` in WS (default: a 20-unit workspace
made under benchmarks/out/w20 if missing).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEAVY = ["pandas", "numpy", "openpyxl", "xlsxwriter", "python_calamine", "defusedxml", "xlrd"]
ENTRY = "import sys; sys.argv[0] = 'reporting'; from reporting.cli import main; main()"
_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


@dataclass
class Imports:
    wall: float
    total_ms: float  # sum of self times
    top: list[tuple[str, float]]  # top-level imports, cumulative ms
    by_package: dict[str, float]  # root package -> sum of self ms
    modules: set[str]


def parse(stderr: str, wall: float) -> Imports:
    top: list[tuple[str, float]] = []
    by_pkg: dict[str, float] = defaultdict(float)
    modules: set[str] = set()
    total = 0
    for line in stderr.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        self_us, cum_us, indent, name = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        total += self_us
        modules.add(name)
        by_pkg[name.split(".")[0]] += self_us / 1000
        if len(indent) <= 1:  # "| name": imported by the command itself, not by another module
            top.append((name, cum_us / 1000))
    top.sort(key=lambda kv: -kv[1])
    return Imports(wall, total / 1000, top, dict(by_pkg), modules)


def run_once(cmd: list[str], cwd: Path) -> Imports:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        tail = "\n".join(line for line in proc.stderr.splitlines() if not line.startswith("import time:"))
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {tail[-2000:]}")
    return parse(proc.stderr, wall)


def measure(cmd: list[str], cwd: Path, runs: int) -> Imports:
    results = sorted((run_once(cmd, cwd) for _ in range(runs)), key=lambda r: r.wall)
    return results[len(results) // 2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path, default=None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--top", type=int, default=8)
    args = ap.parse_args(argv)

    base = [sys.executable, "-X", "importtime", "-c", ENTRY]
    ws = args.workspace
    if ws is None:
        ws = HERE / "out" / "w20"
        if not (ws / "templates").exists():
            subprocess.run([sys.executable, "-m", "reporting", "demo", "--units", "20", "--periods", "2022-11", "-w", str(ws)], check=True,
                           capture_output=True)
    one = next(iter(sorted((ws / "inbox").rglob("*.xlsx"))))
    commands = [
        ("reporting --help", [*base, "--help"]),
        ("reporting --version", [*base, "--version"]),
        ("reporting check <one form>", [*base, "check", "-w", str(ws), str(one)]),
        ("reporting compile", [*base, "compile", "-w", str(ws), "-q"]),
    ]
    rows = []
    details = []
    for label, cmd in commands:
        r = measure(cmd, ws, args.runs)
        flags = " | ".join("yes" if any(m == h or m.startswith(h + ".") for m in r.modules) else "–" for h in HEAVY)
        rows.append(f"| `{label}` | {r.wall * 1000:.0f} | {r.total_ms:.0f} | {flags} |")
        top = ", ".join(f"{n} {ms:.0f}" for n, ms in r.top[: args.top])
        pkgs = ", ".join(f"{n} {ms:.0f}" for n, ms in sorted(r.by_package.items(), key=lambda kv: -kv[1])[: args.top])
        details.append(f"- `{label}`: top-level imports (cumulative ms): {top}\n  by package (own ms): {pkgs}")
    out = "\n".join([
        f"Import time per command (median of {args.runs} runs by wall time; python -X importtime, "
        "total = sum of every module's own import time):",
        "",
        "| command | wall ms | imports ms | " + " | ".join(HEAVY) + " |",
        "|---|---:|---:|" + "---|" * len(HEAVY),
        *rows,
        "",
        *details,
    ])
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
