"""The history store (history.sqlite), its workbook, the deadline calendar, and 同比 / 报送及时性 in the bulletin.

Real SQLite files, real workbooks, real compiles; nothing of our own is mocked.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from reporting.core.periods import Period
from reporting.demo.make import make_demo
from reporting.ingest.history_import import read_history_workbook
from reporting.jobs.compile import compile_period
from reporting.jobs.history import import_sources, sync_books
from reporting.render.history_book import write_history_template
from reporting.score.history import growth
from reporting.workspace import calendar as wcal
from reporting.workspace.config import Workspace, load_workspace
from reporting.workspace.store import MIGRATIONS, VERSION, Store, StoredValue, open_store, store_path

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported")


# --------------------------------------------------------------------------- the store


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_new_store_is_migrated_to_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with Store(path) as st:
        assert st.version == VERSION == len(MIGRATIONS)
    assert {"files", "value", "period", "period_file", "unit_status", "issue", "book"} <= _tables(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store(path) as st:  # opening again changes nothing
        assert st.version == VERSION


def test_a_version_1_file_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    db = sqlite3.connect(path)  # the schema as the first release wrote it, by hand
    db.executescript("""
        CREATE TABLE files (sha256 TEXT PRIMARY KEY, first_seen REAL NOT NULL, name TEXT NOT NULL DEFAULT '');
        CREATE TABLE value (period TEXT NOT NULL, unit TEXT NOT NULL, indicator TEXT NOT NULL, value REAL,
            source TEXT NOT NULL DEFAULT 'compile', file TEXT, sha256 TEXT, sheet TEXT, cell TEXT,
            PRIMARY KEY (period, unit, indicator));
        INSERT INTO files VALUES ('abc', 1672707600.0, '湖塘镇.xlsx');
        INSERT INTO value VALUES ('2021-12', 'hutang', 'hte_applications', 48, 'workbook', '2021.xlsx', NULL,
                                  '高新技术企业申报数', 'O4');
        PRAGMA user_version = 1;
    """)
    db.close()
    with Store(path) as st:
        assert st.version == VERSION
        assert st.first_seen_all() == {"abc": 1672707600.0}  # the received time survives
        assert st.period_values("2021-12") == {"hutang": {"hte_applications": 48.0}}
        st.replace_period("2022-12", "compile", [StoredValue("2022-12", "hutang", "hte_applications", 53.0, "compile")],
                          units=[("hutang", "ok", 101.5, 1, "湖塘镇.xlsx", 1672707600.0)])
        assert st.periods() == {"2022-12": "compile"}
        assert st.book_sha("templates/history/2021.xlsx") is None
    assert {"period", "unit_status", "book"} <= _tables(path)


def test_recompiling_a_period_replaces_its_rows_in_one_transaction(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite") as st:
        st.replace_period("2022-11", "compile", [StoredValue("2022-11", "a", "x", 1.0, "compile"),
                                                 StoredValue("2022-11", "b", "x", 2.0, "compile")])
        st.replace_period("2022-11", "compile", [StoredValue("2022-11", "a", "x", 5.0, "compile")])
        assert st.period_values("2022-11") == {"a": {"x": 5.0}}
        with pytest.raises(sqlite3.IntegrityError):  # a failing write leaves the period as it was
            st.replace_period("2022-11", "compile", [StoredValue("2022-11", "a", "x", 9.0, "compile")],
                              units=[("a", None, None, None, None, None)])  # status NOT NULL
        assert st.period_values("2022-11") == {"a": {"x": 5.0}}


def _hammer(path: str, worker: int, rounds: int) -> None:
    with Store(Path(path)) as st:
        for k in range(rounds):
            period = f"2022-{(k % 12) + 1:02d}"
            st.replace_period(period, "compile", [StoredValue(period, f"u{worker}", "x", float(k), "compile")])
            st.first_seen(f"sha-{worker}-{k}", f"f{k}.xlsx")


def test_two_processes_writing_the_same_store(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    open_store(tmp_path).close()
    ctx = multiprocessing.get_context("spawn" if os.name == "nt" else "fork")
    procs = [ctx.Process(target=_hammer, args=(str(path), w, 40)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]  # neither met "database is locked"
    with Store(path) as st:
        assert len(st.first_seen_all()) == 80
        assert len(st.periods()) == 12


def _compile_in_process(root: str, month: int, out: Any) -> None:
    try:
        res = compile_period(load_workspace(root), Period(2022, month), wait=120)
        out.put((month, res.results.period))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        out.put((month, repr(exc)))


@pytest.fixture(scope="module")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample workspace (the demo's inbox, received on the 3rd of the next month) with 2021 history."""
    from reporting.demo.figures import sample_targets
    from reporting.demo.history import sample_history
    from reporting.render.targets_book import write_targets_workbook
    from reporting.workspace.init import init_workspace

    root = tmp_path_factory.mktemp("hist") / "ws"
    init_workspace(root)
    assert 'rank_by = "growth"' in (root / "templates" / "indicators.toml").read_text(encoding="utf-8")  # 科技型中小企业
    ws = load_workspace(root, with_targets=False)
    unit_t, district_t = sample_targets(ws)
    write_targets_workbook(root / "templates" / "targets" / "2022.xlsx", year=2022, district=ws.settings.district,
                           units=ws.units, indicators=ws.indicators, group_names={g.code: g.name for g in ws.groups},
                           values={**unit_t, "district": district_t})
    make_demo(root, periods=[Period(2022, 11), Period(2022, 12)])
    ws = load_workspace(root)
    values = sample_history(ws)
    for p in values.values():  # last year's 揭榜挂帅 was nil: its 同比 is "—"
        for unit in p.values():
            unit["bounty_funds"] = 0.0
    write_history_template(ws, 2021, values=values)
    if store_path(root).exists():  # make_demo's reading made no store rows worth keeping
        store_path(root).unlink()
    return root


def test_two_compiles_at_once_both_recorded(sample_root: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(sample_root, root)
    ctx = multiprocessing.get_context("spawn" if os.name == "nt" else "fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_compile_in_process, args=(str(root), m, out)) for m in (11, 12)]
    for p in procs:
        p.start()
    got = dict(out.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(60)
    assert got == {11: "2022-11", 12: "2022-12"}
    with Store(store_path(root)) as st:
        periods = st.periods()
        assert periods["2022-11"] == periods["2022-12"] == "compile"
        assert sum(1 for p, s in periods.items() if p.startswith("2021") and s == "workbook") == 12
        assert st.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --------------------------------------------------------------------------- the history workbook


def test_history_workbook_errors_name_sheet_and_cell(ws: Workspace, tmp_path: Path) -> None:
    path = write_history_template(ws, 2021, path=tmp_path / "2021.xlsx")
    wb = openpyxl.load_workbook(path)
    first, second = wb.worksheets[0], wb.worksheets[1]
    first["D4"] = 12           # hutang, 2021-01: imported
    first["E4"] = "约15"       # text in a number cell
    first["A5"] = "nowhere"    # an unknown unit
    first["F5"] = 3
    first["G6"] = -2           # negative
    second["B3"] = "no_such"   # an unknown indicator: the sheet is left out
    second["D4"] = 7
    wb.save(path)
    by_period, problems = read_history_workbook(ws, path)
    texts = [p.text() for p in problems]
    name = first.title
    assert any(f"{name}!E4" in x and "'约15' 不是数字" in x for x in texts), texts
    assert any(f"{name}!A5" in x and "未知的单位 'nowhere'" in x for x in texts), texts
    assert any(f"{name}!G6" in x and "小于 0" in x for x in texts), texts
    assert any(f"{second.title}!B3" in x and "未知的指标代码 'no_such'" in x for x in texts), texts
    assert all(x.startswith("2021.xlsx ") for x in texts)
    assert [(v.unit, v.indicator, v.value, v.cell) for v in by_period["2021-01"]] == [
        ("hutang", first["B3"].value, 12.0, "D4")]
    assert "2021-02" not in by_period
    en = [p.text("en") for p in problems]
    assert any("is not a number" in x for x in en)


def test_import_keeps_compiled_months_and_forgets_emptied_ones(sample_root: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(sample_root, root)
    ws = load_workspace(root)
    book = ws.templates / "history" / "2021.xlsx"
    with open_store(root) as st:
        assert sync_books(ws, st) == []
        assert len([p for p in st.periods() if p.startswith("2021")]) == 12
        assert sync_books(ws, st) == []  # unchanged bytes: not read again
        st.replace_period("2021-06", "compile", [StoredValue("2021-06", "hutang", "hte_applications", 1.0, "compile")])
    wb = openpyxl.load_workbook(book)
    for sh in wb.worksheets:  # December emptied on every sheet
        for r in range(4, 4 + len(ws.units)):
            sh.cell(r, 15).value = None
    wb.save(book)
    summary = import_sources(ws, [book])
    assert any("2021-06" in p and "报表汇总" in p for p in summary.problems)
    with open_store(root) as st:
        periods = st.periods()
        assert "2021-12" not in periods and periods["2021-06"] == "compile"
        assert st.period_values("2021-06") == {"hutang": {"hte_applications": 1.0}}


# --------------------------------------------------------------------------- the deadline


def test_a_deadline_on_national_day_moves_to_the_next_working_day() -> None:
    assert wcal.knows_holidays(2023)
    # September's forms due on 1 October 2023: the National Day holiday runs to the 6th; the 7th
    # (a Saturday) is a make-up working day (调休)
    assert wcal.deadline(2023, 9, 1) == dt.date(2023, 10, 7)
    assert wcal.deadline(2023, 3, 1) == dt.date(2023, 4, 3)  # Saturday 1 April -> Monday
    assert wcal.deadline(2022, 12, 5) == dt.date(2023, 1, 5)  # a Thursday stays
    assert wcal.calendar_name(2023).startswith("chinese-calendar ")


def test_without_the_holiday_calendar_only_weekends_move() -> None:
    assert not wcal.knows_holidays(2150)
    assert wcal.calendar_name(2150) == "weekends"
    assert wcal.deadline(2150, 2, 1) == dt.date(2150, 3, 2)  # 1 March 2150 is a Sunday


def test_days_late_are_calendar_days() -> None:
    due = dt.date(2023, 1, 5)
    assert wcal.days_late(dt.datetime(2023, 1, 5, 23, 59), due) == 0
    assert wcal.days_late(dt.datetime(2023, 1, 9, 8, 0), due) == 4


def test_growth_is_none_when_last_year_is_zero_or_absent() -> None:
    assert growth(611, 544) == pytest.approx(0.1232)
    assert growth(5, 0) is None and growth(5, None) is None and growth(None, 3) is None
    assert growth(90, 100) == pytest.approx(-0.1)


# --------------------------------------------------------------------------- in the bulletin and results.json


@pytest.fixture(scope="module")
def compiled(sample_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Path]:
    import shutil

    root = tmp_path_factory.mktemp("compiled") / "ws"
    shutil.copytree(sample_root, root)
    ws = load_workspace(root)
    late = next(p for p in (ws.inbox / "2022年12月").iterdir() if p.name.startswith("湖塘镇"))
    ts = dt.datetime(2023, 1, 9, 10, 30).timestamp()  # four days after the deadline
    os.utime(late, (ts, ts))
    _register(root, f"2022年12月/{late.name}", dt.datetime(2023, 1, 9, 10, 30))  # the clerk's 收文登记 says so
    compile_period(ws, Period(2022, 11))
    out = compile_period(ws, Period(2022, 12))
    return out.bulletin, json.loads(out.results_path.read_text(encoding="utf-8")), root


def _register(root: Path, name: str, when: dt.datetime) -> None:
    """Set one file's received time in the workspace's 收文登记 (templates/收文登记.xlsx), as a clerk would."""
    from reporting.ingest.register import register_path

    path = register_path(root)
    wb = openpyxl.load_workbook(path)
    sh = wb.active
    row = next((r for r in sh.iter_rows(min_row=2) if r[0].value == name), None)
    if row is None:
        sh.append([name, "", when, ""])
    else:
        row[2].value = when
    wb.save(path)


def test_results_carry_yoy_increment_and_timeliness(compiled: tuple[Path, dict[str, Any], Path]) -> None:
    _, r, _ = compiled
    d = {x["code"]: x for x in r["district"]["indicators"]}
    assert d["hte_applications"]["actual"] == 611 and d["hte_applications"]["last_year"] == 544
    assert d["hte_applications"]["yoy"] == pytest.approx(0.1232)
    assert d["hte_applications"]["last_year_source"] == "workbook"
    assert d["bounty_funds"]["last_year"] == 0 and d["bounty_funds"]["yoy"] is None
    # 嘉泽镇 reported in December, not in November: the district's two totals are not comparable
    assert d["hte_applications"]["increment"] is None and d["hte_applications"]["increment_not_comparable"] == 1
    assert r["deadline"] == "2023-01-05" and r["calendar"].startswith("chinese-calendar")
    units = {u["code"]: u for u in r["units"]}
    assert r["late_units"] == ["hutang"]
    assert units["hutang"]["timeliness"]["status"] == "late" and units["hutang"]["timeliness"]["days_late"] == 4
    on_time = [u for u in r["units"] if u["status"] != "missing" and u["code"] != "hutang"]
    assert on_time and all(u["timeliness"]["status"] == "on_time" for u in on_time)
    assert len(r["last_year_history"]) == 12
    assert any(v["growth_rank"] for v in r["values"] if v["indicator"] == "tech_sme")


def _sheet_rows(book: Path, name: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(book)[name].iter_rows(values_only=True))


def test_bulletin_shows_yoy_on_the_notice(compiled: tuple[Path, dict[str, Any], Path]) -> None:
    book, r, _ = compiled
    ws = openpyxl.load_workbook(book)["通报"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(x for x in rows if x[0] == "指标")
    assert list(head[8:]) == ["本月新增", "上年同期", "同比增长", "说明"]
    by_name = {x[0]: (i, x) for i, x in enumerate(rows, 1) if x[0]}
    i, row = by_name["高新技术企业申报数"]
    assert row[9] == 544 and row[10] == pytest.approx(0.1232)
    assert ws.cell(i, 11).number_format == "+0.0%;-0.0%;0.0%"
    assert by_name["揭榜挂帅项目金额"][1][10] == "—"  # last year 0: no growth rate
    texts = [c for x in rows for c in x if isinstance(c, str)]
    assert any("高新技术企业申报数累计611家，同比增长12.3%" in x for x in texts)
    assert any("逾期报送单位：湖塘镇（共1个" in x for x in texts)


def test_bulletin_indicator_sheet_has_history_and_growth_rank(compiled: tuple[Path, dict[str, Any], Path]) -> None:
    book, r, _ = compiled
    rows = _sheet_rows(book, "分项指标")
    subs = [x for x in rows if x[1] == "年度目标"]
    assert subs and list(subs[0][1:8]) == ["年度目标", "累计完成", "完成率", "排名", "本月新增", "上年同期", "同比增长"]
    assert any("增速排名" in x for x in subs)  # 科技型中小企业备案数 is ranked by growth in the sample
    v = next(x for x in r["values"] if x["unit"] == "hutang" and x["indicator"] == "hte_applications")
    row = next(x for x in rows if x[0] == "湖塘镇")
    assert row[6] == pytest.approx(v["last_year"]) and row[7] == pytest.approx(v["yoy"])


def test_bulletin_timeliness_sheet(compiled: tuple[Path, dict[str, Any], Path]) -> None:
    book, r, _ = compiled
    rows = _sheet_rows(book, "报送及时性")
    assert rows[0][0] == "2022年12月报送及时性"
    assert "2023年1月5日" in rows[1][0] and "chinese-calendar" in rows[1][0]
    assert rows[2] == ("序号", "单位", "类别", "接收时间", "截止时间", "及时性", "本年按时月数")
    by_name = {x[1]: x for x in rows[3:] if x[1]}
    assert by_name["湖塘镇"][5] == "逾期 4 天"
    assert by_name["湖塘镇"][3] == dt.datetime(2023, 1, 9, 10, 30)
    assert by_name["湖塘镇"][4] == dt.datetime(2023, 1, 5)
    missing = [u["name"] for u in r["units"] if u["status"] == "missing"]
    for name in missing:
        assert by_name[name][5] == "未报送"
    ok = [u for u in r["units"] if u["status"] != "missing" and u["code"] != "hutang"]
    assert all(by_name[u["name"]][5] == "按时" for u in ok)
    assert by_name["湖塘镇"][6] == "1/2"  # November on time, December late


def test_bulletin_chart_data_this_year_against_last(compiled: tuple[Path, dict[str, Any], Path]) -> None:
    book, r, _ = compiled
    rows = _sheet_rows(book, "图表")
    head = next(i for i, x in enumerate(rows) if x[1] == "2022年累计")
    assert rows[head][2] == "2021年累计"
    months = rows[head + 1: head + 13]
    assert months[11][1] == 611 and months[11][2] == 544
    assert months[0][1] is None  # January 2022 is not in the sample's inbox
    assert months[0][2] is not None and months[11][3] == pytest.approx(600)  # target × 12/12
    with zipfile.ZipFile(book) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert any("高新技术企业申报数全区累计（本年与上年）" in c for c in charts)


def test_district_changes_compare_the_same_units(sample_root: Path, tmp_path: Path) -> None:
    """The sample's 嘉泽镇 did not report in November. Once it is left out of December too, both months
    count the same twelve units: the district's 本月新增 is the sum of the units' own. A unit that reported
    in November but not in December (牛塘镇) makes December − November (本月新增) and December against last
    year (同比) mix two sets of units: neither is given, and the notice says why."""
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(sample_root, root)
    ws = load_workspace(root)
    compile_period(ws, Period(2022, 11))

    def december_file(prefix: str) -> Path:
        return next(p for p in (ws.inbox / "2022年12月").iterdir() if p.name.startswith(prefix))

    december_file("嘉泽镇").unlink()
    same = compile_period(ws, Period(2022, 12)).results
    checked = 0
    for d in same.district.indicators:
        if d.actual is not None and d.code != "bounty_funds":
            units_sum = sum(v.increment for v in same.values if v.indicator == d.code and v.increment is not None)
            pending = d.units_pending  # a value to verify in one month is a unit counted in one only
            assert d.increment_not_comparable or d.increment == pytest.approx(units_sum), d.code
            checked += int(d.increment is not None and not pending)
    assert checked >= 8
    december_file("牛塘镇").unlink()
    out = compile_period(ws, Period(2022, 12))
    d = {x.code: x for x in out.results.district.indicators}
    hte = d["hte_applications"]
    assert hte.units_missing == 2 and hte.actual is not None
    assert (hte.increment, hte.increment_not_comparable) == (None, 1)
    assert hte.last_year is not None and hte.yoy is None and hte.yoy_not_comparable == 2
    notes = [row[-1] for row in _sheet_rows(out.bulletin, "通报") if row and row[0] == hte.name]
    assert notes and "本月新增不可比" in notes[0] and "同比不可比" in notes[0]
