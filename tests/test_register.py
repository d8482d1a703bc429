"""Received times that tell the truth: 收文登记, the store's start, and files older than the store.

A fresh copy of a workspace gives every file today's date. Such a time is the
file's own, not the tool's record: it may show a file on time, never late.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reporting.core.periods import Period
from reporting.demo.make import make_demo
from reporting.ingest.register import load_register, parse_time, register_path, write_register
from reporting.jobs.compile import compile_period
from reporting.workspace.config import load_workspace
from reporting.workspace.init import init_workspace
from reporting.workspace.store import store_path

DEC = Period(2022, 12)


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reg") / "ws"
    init_workspace(root)
    make_demo(root, periods=[Period(2022, 11), DEC])
    return root


def _copy(src: Path, dst: Path, *, register: bool) -> Path:
    shutil.copytree(src, dst)
    if not register:
        register_path(dst).unlink()
    return dst


def _compile(root: Path) -> dict:
    out = compile_period(load_workspace(root), DEC)
    return json.loads(out.results_path.read_text(encoding="utf-8"))


def _touch_all(root: Path, when: dt.datetime) -> None:
    """What a fresh clone or a copy without times does: every file gets one late date."""
    for p in (root / "inbox").rglob("*"):
        if p.is_file():
            os.utime(p, (when.timestamp(), when.timestamp()))


def test_demo_writes_a_register_of_every_file(demo_root: Path) -> None:
    reg = load_register(demo_root)
    assert not reg.problems
    files = {p.relative_to(demo_root / "inbox").as_posix() for p in (demo_root / "inbox").rglob("*")
             if p.is_file() and not p.name.startswith("~$")}
    assert set(reg.by_path) == files
    for name, ts in reg.by_path.items():
        assert dt.datetime.fromtimestamp(ts) == dt.datetime.fromtimestamp(int((demo_root / "inbox" / name).stat().st_mtime))


def test_a_fresh_copy_without_records_is_never_called_late(demo_root: Path, tmp_path: Path) -> None:
    root = _copy(demo_root, tmp_path / "ws", register=False)
    _touch_all(root, dt.datetime(2026, 12, 3, 9, 0))  # years after the deadline
    r = _compile(root)
    assert r["late_units"] == []
    sent = [u for u in r["units"] if u["status"] != "missing"]
    assert sent and {u["timeliness"]["status"] for u in sent} == {"unknown"}
    assert {u["timeliness"]["source"] for u in sent} == {"file"}
    assert all(u["timeliness"]["months"] == 0 and u["timeliness"]["days_late"] == 0 for u in sent)
    book = openpyxl.load_workbook(root / "outbox" / "2022-12" / next(
        p.name for p in (root / "outbox" / "2022-12").glob("*.xlsx")))
    rows = list(book["报送及时性"].iter_rows(values_only=True))
    assert "收到时间未记录" in str(rows[1][0]) and "逾期0个" in str(rows[1][0])
    words = {row[5] for row in rows[3:] if isinstance(row[0], int)}
    assert "未记录" in words and not any(str(w).startswith("逾期") for w in words)


def test_the_register_gives_a_fresh_copy_its_real_times(demo_root: Path, tmp_path: Path) -> None:
    root = _copy(demo_root, tmp_path / "ws", register=True)
    _touch_all(root, dt.datetime(2026, 12, 3, 9, 0))
    r = _compile(root)
    sent = [u for u in r["units"] if u["status"] != "missing"]
    assert {u["timeliness"]["status"] for u in sent} == {"on_time"}
    assert {u["timeliness"]["source"] for u in sent} == {"register"}
    assert all(u["timeliness"]["received"].startswith("2023-01-03T") for u in sent)
    from reporting.core.results import Results

    assert Results.from_json(r).made_on == "2023-01-03"  # 制表日期: the last registered time, not the copy's
    used = [f for f in r["files"] if f["status"] == "used"]
    assert used and all(f["received_source"] == "register" for f in used)


def _kept_records_since(root: Path, started: dt.datetime, scanned: dt.datetime | None = None) -> None:
    """Pretend the store began before the deadline (and last read the whole inbox at ``scanned``)."""
    import sqlite3

    with sqlite3.connect(store_path(root)) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'started'", (str(started.timestamp()),))
        if scanned is not None:
            db.execute("UPDATE meta SET value = ? WHERE key = 'scanned'", (repr(scanned.timestamp()),))


def _recorded_copy(demo_root: Path, tmp_path: Path) -> Path:
    """A copy whose store holds every file and has kept records since before the deadline."""
    root = _copy(demo_root, tmp_path / "ws", register=False)
    compile_period(load_workspace(root), Period(2022, 11))
    _kept_records_since(root, dt.datetime(2022, 12, 1))
    return root


def _hutang(root: Path) -> Path:
    return next(p for p in (root / "inbox" / "2022年12月").iterdir() if p.name.startswith("湖塘镇"))


def _resave(src: Path, dst: Path, when: dt.datetime) -> None:
    """The same form saved again (new bytes), with its modification time set to ``when``."""
    wb = openpyxl.load_workbook(src)
    wb.properties.title = "重报"
    wb.save(dst)
    os.utime(dst, (when.timestamp(), when.timestamp()))


def _timeliness(r: dict, code: str) -> dict:
    return next(u for u in r["units"] if u["code"] == code)["timeliness"]


def test_a_file_the_store_saw_arrive_late_is_late(demo_root: Path, tmp_path: Path) -> None:
    root = _copy(demo_root, tmp_path / "ws", register=False)
    compile_period(load_workspace(root), Period(2022, 11))  # the store now exists
    # it has kept records since before the deadline, and last read the inbox on the 9th at 9:00
    _kept_records_since(root, dt.datetime(2022, 12, 1), dt.datetime(2023, 1, 9, 9, 0))
    late = _hutang(root)
    other = late.with_name("湖塘镇（重报）.xlsx")
    _resave(late, other, dt.datetime(2023, 1, 9, 10, 30))  # the unit's only form arrives on the 9th
    late.unlink()
    r = _compile(root)
    hutang = next(u for u in r["units"] if u["code"] == "hutang")
    assert hutang["file"] == "2022年12月/湖塘镇（重报）.xlsx"
    assert hutang["timeliness"] | {"received": None} == {
        "deadline": "2023-01-05", "received": None, "source": "seen", "status": "late", "days_late": 4,
        "on_time_months": 0, "months": 1} | {k: hutang["timeliness"][k] for k in ("on_time_months", "months")}
    assert hutang["timeliness"]["received"] == "2023-01-09T10:30:00"
    assert r["late_units"] == ["hutang"]


def test_a_correction_sent_after_the_deadline_keeps_an_on_time_report_on_time(
        demo_root: Path, tmp_path: Path) -> None:
    root = _recorded_copy(demo_root, tmp_path)
    first = _compile(root)
    on_time = _timeliness(first, "hutang")
    assert on_time["status"] == "on_time" and on_time["source"] == "seen"
    _kept_records_since(root, dt.datetime(2022, 12, 1), dt.datetime(2023, 1, 9, 9, 0))
    _resave(_hutang(root), _hutang(root).with_name("湖塘镇（重报）.xlsx"), dt.datetime(2023, 1, 9, 10, 30))
    r = _compile(root)
    hutang = next(u for u in r["units"] if u["code"] == "hutang")
    assert hutang["file"] == "2022年12月/湖塘镇（重报）.xlsx"  # the correction's figures are used
    assert _timeliness(r, "hutang") == on_time  # and the unit reported when its first form came
    used = next(f for f in r["files"] if f["file"] == "2022年12月/湖塘镇（重报）.xlsx")
    assert used["received"] == "2023-01-09T10:30:00"  # 报送情况 still says when the correction came
    assert r["late_units"] == []


def test_saving_the_used_form_again_after_the_deadline_does_not_make_it_late(
        demo_root: Path, tmp_path: Path) -> None:
    root = _recorded_copy(demo_root, tmp_path)
    on_time = _timeliness(_compile(root), "hutang")
    assert on_time["status"] == "on_time"
    _kept_records_since(root, dt.datetime(2022, 12, 1), dt.datetime(2023, 1, 9, 9, 0))
    path = _hutang(root)
    before = path.read_bytes()
    _resave(path, path, dt.datetime(2023, 1, 9, 10, 30))  # opened in Excel and saved over itself
    assert path.read_bytes() != before
    r = _compile(root)
    assert _timeliness(r, "hutang") == on_time
    assert _timeliness(_compile(root), "hutang") == on_time  # and the record stands on the next run
    assert r["late_units"] == []


def test_a_form_saved_before_the_last_reading_but_new_to_it_arrived_after_it(
        demo_root: Path, tmp_path: Path) -> None:
    # a correction kept on the unit's computer for a day (its time older than the form in inbox/)
    root = _recorded_copy(demo_root, tmp_path)
    path = _hutang(root)
    sent = dt.datetime.fromtimestamp(int(path.stat().st_mtime))
    _compile(root)
    _kept_records_since(root, dt.datetime(2022, 12, 1), sent + dt.timedelta(hours=2))
    _resave(path, path.with_name("湖塘镇（更正）.xlsx"), sent - dt.timedelta(days=1))
    r = _compile(root)
    hutang = next(u for u in r["units"] if u["code"] == "hutang")
    assert hutang["file"] == "2022年12月/湖塘镇（更正）.xlsx"  # it came last, so it is the one used
    got = next(f for f in r["files"] if f["file"] == "2022年12月/湖塘镇（更正）.xlsx")
    assert got["received"] == (sent + dt.timedelta(hours=2)).isoformat()  # no earlier than that reading
    old = next(f for f in r["files"] if f["file"] == path.relative_to(root / "inbox").as_posix())
    assert old["status"] == "superseded"


def test_register_problems_name_the_cell_and_the_rest_is_used(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "templates").mkdir(parents=True)
    write_register(register_path(root), [("2022年12月/湖塘镇.xlsx", "湖塘镇", dt.datetime(2023, 1, 4, 8, 30)),
                                         ("2022年12月/牛塘镇.xlsx", "牛塘镇", dt.datetime(2023, 1, 3, 9, 0))])
    wb = openpyxl.load_workbook(register_path(root))
    wb.active["C3"] = "上周三"
    wb.active.append(["洛阳镇.xlsx", "洛阳镇", "2023年1月6日 14:05", ""])
    wb.active.append(["inbox\\2023年1月\\雪堰镇.xlsx", "雪堰镇", "2023/1/6 9:05", ""])  # as Explorer copies it
    wb.save(register_path(root))
    reg = load_register(root)
    assert reg.problems == ["收文登记.xlsx 收文登记!C3：“上周三”不是收到时间（2022年12月/牛塘镇.xlsx），"
                            "请填写如 2023-01-03 09:15 的日期时间"]
    assert reg.time_of("2022年12月/湖塘镇.xlsx") == dt.datetime(2023, 1, 4, 8, 30).timestamp()
    assert reg.time_of("2022年12月/牛塘镇.xlsx") is None
    assert reg.time_of("洛阳镇.xlsx") == dt.datetime(2023, 1, 6, 14, 5).timestamp()  # a file directly in inbox/
    assert reg.time_of("2023年1月/洛阳镇.xlsx") is None  # never another folder's file of the same name
    assert reg.time_of("2023年1月/雪堰镇.xlsx") == dt.datetime(2023, 1, 6, 9, 5).timestamp()
    assert load_register(root, "en").problems[0].startswith("收文登记.xlsx 收文登记!C3: '上周三' is not a received time")


def test_a_register_without_its_header_or_unreadable_is_said_and_ignored(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "templates").mkdir(parents=True)
    wb = openpyxl.Workbook()
    wb.active.append(["名称", "时间"])
    wb.save(register_path(root))
    assert load_register(root).problems == ["收文登记.xlsx 中没有“文件”和“收到时间”两列的表头，收文登记未使用"]
    register_path(root).write_bytes(b"PK\x03\x04 not a zip")
    reg = load_register(root)
    assert reg.by_path == {} and reg.problems and reg.problems[0].startswith("收文登记.xlsx 无法读取")


def test_a_registered_name_is_never_another_months_file(tmp_path: Path) -> None:
    """November's 湖塘镇.xlsx registered: December's 湖塘镇.xlsx is not registered by it (it would look on time)."""
    root = tmp_path / "ws"
    (root / "templates").mkdir(parents=True)
    write_register(register_path(root), [("2022年11月/湖塘镇.xlsx", "", dt.datetime(2022, 12, 2)),
                                         ("牛塘镇.xlsx", "", dt.datetime(2022, 12, 3))])
    reg = load_register(root)
    assert reg.time_of("2022年11月/湖塘镇.xlsx") == dt.datetime(2022, 12, 2).timestamp()
    assert reg.time_of("2022年12月/湖塘镇.xlsx") is None
    assert reg.time_of("湖塘镇.xlsx") is None
    assert reg.time_of("牛塘镇.xlsx") is not None and reg.time_of("2022年12月/牛塘镇.xlsx") is None


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)),
       st.sampled_from(["{y}-{m:02d}-{d:02d} {H:02d}:{M:02d}", "{y}/{m}/{d} {H}:{M:02d}",
                        "{y}年{m}月{d}日 {H}:{M:02d}", "{y}.{m}.{d} {H}：{M:02d}", "{y}-{m:02d}-{d:02d}T{H:02d}:{M:02d}:{S:02d}"]))
def test_register_time_text_in_the_ways_clerks_type_it(when: dt.datetime, pattern: str) -> None:
    text = pattern.format(y=when.year, m=when.month, d=when.day, H=when.hour, M=when.minute, S=when.second)
    got = parse_time(text)
    assert got is not None
    assert got.replace(second=0) == when.replace(second=0, microsecond=0)
    assert parse_time(when) == when and parse_time(when.date()) == dt.datetime(when.year, when.month, when.day)


@pytest.mark.parametrize("text", ["上周三", "2023-13-01 09:00", "2023-02-30", "", "9:15", "45000"])
def test_register_time_refuses_what_is_not_a_date(text: str) -> None:
    assert parse_time(text) is None


def test_compile_names_a_bad_register_row_and_goes_on(demo_root: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reporting.cli import cli

    root = _copy(demo_root, tmp_path / "ws", register=True)
    wb = openpyxl.load_workbook(register_path(root))
    wb.active["C2"] = "昨天"
    wb.save(register_path(root))
    result = CliRunner().invoke(cli, ["-w", str(root), "compile", "--period", "2022-12", "--no-docx"])
    assert result.exit_code in (0, 1), result.output
    assert "收文登记.xlsx 收文登记!C2：“昨天”不是收到时间" in result.stderr
    assert (root / "outbox" / "2022-12" / "results.json").is_file()
    checked = CliRunner().invoke(cli, ["-w", str(root), "--lang", "en", "check", "--json"])
    assert "收文登记.xlsx 收文登记!C2: '昨天' is not a received time" in checked.stderr
    assert json.loads(checked.stdout)["period"] == "2022-12"  # stdout stays the JSON


def test_a_store_from_before_schema_4_began_at_its_first_recorded_period(tmp_path: Path) -> None:
    import sqlite3

    from reporting.workspace.store import MIGRATIONS, VERSION, Store

    path = tmp_path / "history.sqlite"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        db.executescript(script)
    db.execute("PRAGMA user_version = 3")
    db.execute("INSERT INTO period VALUES ('2022-11', 'compile', 1670000000.0)")
    db.execute("INSERT INTO period VALUES ('2022-12', 'compile', 1672700000.0)")
    db.execute("INSERT INTO unit_status (period, unit, status, received) VALUES ('2022-11', 'hutang', 'ok', 1.0)")
    db.commit()
    db.close()
    with Store(path) as st:
        assert st.version == VERSION and st.started == 1670000000.0
        assert st.unit_received(2022) == {("2022-11", "hutang"): (1.0, "")}  # older rows: source not known
    with Store(tmp_path / "new.sqlite") as st:
        import time

        assert abs(st.started - time.time()) < 60
