"""The bulletin of a large district written in a child process beside the rest of compile.

Real processes and real workbooks: the child's bulletin must be byte for byte
the one a single process writes, a child that fails must be redone (and so
reported) by the parent, and a run that fails elsewhere must not leave the
child writing.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest

from reporting.core.periods import Period
from reporting.core.results import ValueResult, evolve
from reporting.demo.make import make_demo
from reporting.jobs.background import MIN_UNITS, Job, beside, forking_allowed
from reporting.jobs.compile import compile_period
from reporting.workspace.config import load_workspace

needs_fork = pytest.mark.skipif(not forking_allowed(), reason="no fork here (or one core)")


def _write_pid(path: Path, fail_in_child_of: int | None = None) -> None:
    if fail_in_child_of is not None and os.getpid() != fail_in_child_of:
        raise RuntimeError("only the child fails")
    path.write_text(str(os.getpid()), encoding="utf-8")


@needs_fork
def test_a_large_bulletin_from_a_child_is_the_one_a_single_process_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "ws"
    make_demo(root, n_units=MIN_UNITS + 10, periods=[Period(2022, 11)])
    beside_run = compile_period(load_workspace(root), Period(2022, 11), docx=False)
    first = beside_run.bulletin.read_bytes()
    monkeypatch.setenv("REPORTING_WORKERS", "1")  # no pool, no child
    assert not forking_allowed()
    alone = compile_period(load_workspace(root), Period(2022, 11), docx=False)
    assert alone.bulletin.read_bytes() == first
    assert len(beside_run.results.units) == MIN_UNITS + 10


@needs_fork
def test_work_that_fails_in_the_child_is_redone_by_the_parent(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    job = Job(_write_pid, (out,), {"fail_in_child_of": os.getpid()}, parallel=True)
    assert job.in_child
    job.wait()
    assert out.read_text(encoding="utf-8") == str(os.getpid())  # written here, after the child failed


@needs_fork
def test_work_that_fails_everywhere_raises_its_own_error_in_the_parent(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), beside(_write_pid, tmp_path / "no" / "such" / "dir.txt", parallel=True):
        pass


@needs_fork
def test_a_child_succeeding_is_not_redone(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    with beside(_write_pid, out, parallel=True) as job:
        assert job.in_child
    assert out.read_text(encoding="utf-8") != str(os.getpid())


def _slow_write(path: Path) -> None:
    time.sleep(3)
    path.write_text("late", encoding="utf-8")


@needs_fork
def test_a_failure_in_the_block_stops_the_child(tmp_path: Path) -> None:
    out = tmp_path / "late.txt"
    t0 = time.monotonic()
    with pytest.raises(KeyError), beside(_slow_write, out, parallel=True):
        raise KeyError("the document failed")
    assert time.monotonic() - t0 < 2.5
    time.sleep(0.1)
    assert not out.exists()


def test_without_parallel_the_work_is_done_at_once(tmp_path: Path) -> None:
    out = tmp_path / "now.txt"
    with beside(_write_pid, out, parallel=False) as job:
        assert not job.in_child
        assert out.read_text(encoding="utf-8") == str(os.getpid())


def test_evolve_is_dataclasses_replace_without_init() -> None:
    v = ValueResult(unit="U1", indicator="gq_sb", actual=12.0, target=10.0)
    changed = evolve(v, yoy=0.25, increment=3.0)
    assert changed == dataclasses.replace(v, yoy=0.25, increment=3.0)
    assert list(changed.to_json()) == list(v.to_json())  # key order kept
    assert v.yoy is None  # the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.yoy = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError, match="no field"):
        evolve(v, nonsense=1)


def _hang_in_child(path: Path, parent: int) -> None:
    if os.getpid() != parent:
        time.sleep(60)
    path.write_text(str(os.getpid()), encoding="utf-8")


@needs_fork
def test_a_child_that_hangs_is_stopped_and_its_work_done_here(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    t0 = time.monotonic()
    job = Job(_hang_in_child, (out, os.getpid()), {}, parallel=True, limit=0.5)
    job.wait()
    assert time.monotonic() - t0 < 10
    assert out.read_text(encoding="utf-8") == str(os.getpid())
