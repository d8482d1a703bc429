"""``reporting compile``: inbox/ in, outbox/<period>/ out.

Reads and validates with the ingestion machinery, scores, and writes the
bulletin, results.json and feedback workbooks. Everything is first made in
a staging folder and moved into place only when all of it succeeded, so an
interrupted run leaves the last good output in place; a lock keeps two
compiles of one workspace from interleaving.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporting.atomic import workspace_lock
from reporting.errors import NothingToDo
from reporting.periods import Period

if TYPE_CHECKING:
    from reporting.config import Workspace
    from reporting.ingest import Ingested


@dataclass
class CompileResult:
    period: Period
    results: dict[str, Any]
    folder: Path
    bulletin: Path
    results_path: Path
    feedback: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(i["severity"] == "error" for i in self.results["issues"])


def results_json(results: dict[str, Any]) -> str:
    return json.dumps(results, ensure_ascii=False, indent=2) + "\n"


def compile_period(ws: Workspace, period: Period | None = None, *, lang: str = "zh",
                   progress: Callable[[int, int], None] | None = None, wait: float = 0.0) -> CompileResult:
    """Compile one period (default: the latest found in inbox/) into outbox/<period>/."""
    import time

    from reporting.ingest import ingest
    from reporting.results import build_results

    timings: dict[str, float] = {}
    with workspace_lock(ws.outbox, wait=wait):
        t0 = time.perf_counter()
        ingested = ingest(ws, period, progress=progress)
        timings["read"] = time.perf_counter() - t0
        if ingested.period is None:
            raise NothingToDo(f"{ws.inbox} 中没有可识别的报表，无可汇总的内容。请先把各单位报表放入 inbox/ 文件夹，"
                              "或用 --period 指定报送期")
        if not ingested.used:
            raise NothingToDo(f"{ingested.period} 没有任何单位的有效报表，无可汇总的内容。"
                              "运行 reporting check 查看各文件的问题")
        t0 = time.perf_counter()
        results = build_results(ws, ingested, lang)
        timings["score"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = _write_outputs(ws, ingested, results, lang)
        timings["render"] = time.perf_counter() - t0
        out.timings = timings
        return out


def _write_outputs(ws: Workspace, ingested: Ingested, results: dict[str, Any], lang: str) -> CompileResult:
    from reporting.bulletin import write_bulletin
    from reporting.feedback import write_feedback
    from reporting.forms import safe_filename

    period = ingested.period
    assert period is not None
    folder = ws.period_dir(period)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=ws.outbox))
    try:
        names: list[str] = []
        write_bulletin(staging / results["bulletin_file"], results, lang)
        names.append(results["bulletin_file"])
        (staging / "results.json").write_text(results_json(results), encoding="utf-8")
        names.append("results.json")
        (staging / "feedback").mkdir()
        units_with_issues = {u["code"] for u in results["units"] if u["status"] in ("errors", "warnings")}
        for code in sorted(units_with_issues):
            sub = ingested.used[code]
            unit = ws.unit(code)
            rel = f"feedback/{safe_filename(unit.name)}.xlsx"
            write_feedback(staging / rel, ws, sub, ingested.sheets.get(sub.file), lang)
            names.append(rel)
        # all made: move into place, each file atomically
        old_feedback = folder / "feedback"
        if old_feedback.is_dir():
            for stale in old_feedback.glob("*.xlsx"):
                if f"feedback/{stale.name}" not in names:
                    stale.unlink()
        for rel in names:
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return CompileResult(
        period=period, results=results, folder=folder, bulletin=folder / results["bulletin_file"],
        results_path=folder / "results.json",
        feedback=[folder / n for n in names if n.startswith("feedback/")],
    )
