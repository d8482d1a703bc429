"""The read cache: unchanged bytes are not parsed again, and a cache never changes a result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reporting.core.periods import Period
from reporting.ingest.cache import FOLDER, ReadCache
from reporting.ingest.pipeline import discover, read_all
from reporting.jobs.compile import compile_period, results_json
from reporting.workspace.config import load_workspace

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def sample(ws_dir: Path) -> Path:
    shutil.rmtree(ws_dir / "inbox")
    shutil.copytree(REPO / "inbox", ws_dir / "inbox")
    return ws_dir


def _results(folder: Path) -> str:
    ws = load_workspace(folder)
    return results_json(compile_period(ws, Period(2022, 12)).results)


def test_second_run_reads_from_cache_with_identical_results(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _results(sample)
    assert list((sample / FOLDER).glob("read-*.pickle"))
    ws = load_workspace(sample)
    calls: list[str] = []
    import reporting.ingest.pipeline as ingest

    real = ingest._interpret
    monkeypatch.setattr(ingest, "_interpret", lambda *a, **k: calls.append(a[3]) or real(*a, **k))
    assert _results(sample) == first
    assert calls == [], "no file should have been parsed again"
    # one file changes: only it is parsed again
    target = next(p for p in discover(ws.inbox) if p.name.startswith("牛塘镇") and "12月" in str(p))
    data = target.read_bytes()
    shutil.copyfile(REPO / "inbox" / "2022年12月" / "湖塘镇-2022年1-12月科技指标.xlsx", target)
    _results(sample)
    assert calls == [target.relative_to(ws.inbox).as_posix()]
    target.write_bytes(data)


def test_cache_off_and_damaged_cache_give_the_same_results(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTING_CACHE", "0")
    plain = _results(sample)
    assert not (sample / FOLDER).exists()
    monkeypatch.delenv("REPORTING_CACHE")
    assert _results(sample) == plain
    for f in (sample / FOLDER).glob("*.pickle"):
        f.write_bytes(b"not a pickle")
    assert _results(sample) == plain


def test_configuration_change_invalidates(sample: Path) -> None:
    ws = load_workspace(sample)
    before = ReadCache(ws).path
    toml = sample / "templates" / "workspace.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('blank = "zero"', 'blank = "missing"'), encoding="utf-8")
    ws2 = load_workspace(sample)
    assert ReadCache(ws2).path != before
    subs, _ = read_all(ws2, discover(ws2.inbox))
    blank = [i for s in subs for i in s.issues if i.code.startswith("blank-as")]
    assert blank and all(i.code == "blank-as-missing" for i in blank)
    data = json.loads(_results(sample))
    assert data["period"] == "2022-12"


def test_process_pool_gives_the_same_results(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTING_CACHE", "0")
    serial = _results(sample)
    monkeypatch.setenv("REPORTING_WORKERS", "2")
    assert _results(sample) == serial
    # a cold run with the cache on fills the cache from the workers
    monkeypatch.delenv("REPORTING_CACHE")
    assert _results(sample) == serial
    ws = load_workspace(sample)
    assert len(ReadCache(ws).entries) >= 28
