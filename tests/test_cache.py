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
    assert list((sample / FOLDER).glob("read-*.json"))
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
    for f in (sample / FOLDER).glob("read-*.json"):
        f.write_bytes(b"{not json")
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


def test_cache_is_json_and_a_hostile_entry_is_only_a_miss(sample: Path) -> None:
    """Someone who can write to the workspace can spoil the cache, never make the tool run code."""
    plain = _results(sample)
    ws = load_workspace(sample)
    path = ReadCache(ws).path
    data = json.loads(path.read_bytes())  # plain JSON, readable by anyone
    assert data["format"] == 2 and data["entries"]
    hostile = [
        {"$c": "Popen", "f": {"args": ["touch", str(sample / "pwned")]}},  # not an allowed type
        {"$c": "Submission", "f": {"file": "x", "__class__": "y"}},  # unknown field
        {"$m": "not pairs"},
        {"$dt": "yesterday"},
        ["a", {"$t": 5}],
        {"$c": "Submission"},
    ]
    keys = list(data["entries"])
    for i, key in enumerate(keys):
        data["entries"][key] = json.dumps(hostile[i % len(hostile)])
    path.write_text(json.dumps(data), encoding="utf-8")
    cache = ReadCache(ws)
    assert all(cache.get(*json.loads(k)) is None for k in keys)
    assert cache.misses == len(keys) and cache.hits == 0
    assert _results(sample) == plain
    assert not (sample / "pwned").exists()


def test_entries_round_trip_every_kind_of_cell() -> None:
    """Dates, times, error cells and formula-without-value cells come back as they were read."""
    import datetime as dt

    from reporting.core.models import CellValue, Submission, issue
    from reporting.ingest.cache import _types, decode, encode

    Grid = _types()["Grid"]
    grid = Grid(name="表1", state="hidden",
                rows=[[None, "单位", 1, 2.5, True], [dt.datetime(2022, 12, 31, 8, 30), dt.date(2022, 1, 5),
                                                      dt.time(9, 15), dt.timedelta(hours=3), "#DIV/0!"]],
                formula_no_value={(0, 2)}, errors={(1, 4): "#DIV/0!"}, truncated=True)
    sub = Submission(file="a/湖塘镇.xlsx", sha256="ab" * 32, mtime=1.5, size=10, format="xlsx", unit="HT",
                     period="2022-12", values={"gq": CellValue("gq", 3.0, raw="3家", sheet="表1", cell="C5")},
                     issues=[issue("unknown-row", file="a", sheet="表1", cell="B9", text="其中", n=2)],
                     status="used", remarks={"gq": "说明"}, received=2.25)
    value = (sub, [grid])
    back = decode(json.loads(json.dumps(encode(value))))
    assert back == value
    assert isinstance(back[1][0].formula_no_value, set) and isinstance(back[0].issues[0].params, tuple)


def test_cache_key_follows_the_package_source(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change to the tool's code (not only its version number) makes a new cache."""
    import reporting.ingest.cache as cache

    ws = load_workspace(sample)
    before = ReadCache(ws).path
    monkeypatch.setattr(cache, "source_hash", lambda: "0" * 64)
    assert ReadCache(ws).path != before


def test_no_file_makes_the_cache_write_more_than_a_few_megabytes(ws_dir: Path) -> None:
    """A small file whose cells all show one huge shared string is refused by the reader, so its
    entry is small; and an entry too large for any form is not stored at all."""
    from tests.test_hostile import _sheet_of_refs
    from tests.test_reader import xlsx_from_sheet_xml

    xlsx_from_sheet_xml(ws_dir / "inbox" / "amplify.xlsx", _sheet_of_refs(400), ["甲" * 1_000_000])
    ws = load_workspace(ws_dir)
    subs, _ = read_all(ws, discover(ws.inbox))
    assert [i.code for s in subs if s.file == "amplify.xlsx" for i in s.issues] == ["unsafe-file"]
    assert sum(p.stat().st_size for p in (ws_dir / FOLDER).iterdir()) < 100_000
    cache = ReadCache(ws)
    cache.put_text("0" * 64, "big.xlsx", "", "x" * (5 * 2**20))
    cache.put_text("1" * 64, "small.xlsx", "", json.dumps({"ok": 1}))
    assert len(cache.entries) == len(ReadCache(ws).entries) + 1
