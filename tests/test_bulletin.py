"""The bulletin workbook and its narrative, built from a results dict shaped as docs/results.md.

Real files only: the workbook is written with xlsxwriter, read back with
openpyxl and, where LibreOffice is installed, converted to PDF.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import random
import re
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from reporting.core.textnorm import display_width
from reporting.render.bulletin import write_bulletin
from reporting.render.bulletin.registry import sheet_names
from reporting.render.narrative import district_table_text, narrative

# openpyxl does not read the data-bar extension xlsxwriter writes; it says so, harmlessly
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

GROUPS = [("town", "镇", "Towns"), ("zone", "开发区（街道）", "Zones and streets")]
UNITS = [
    ("hutang", "湖塘镇", "town"), ("niutang", "牛塘镇", "town"), ("luoyang", "洛阳镇", "town"),
    ("xueyan", "雪堰镇", "town"), ("qianhuang", "前黄镇", "town"), ("lijia", "礼嘉镇", "town"),
    ("jiaze", "嘉泽镇", "town"), ("huangli", "湟里镇", "town"),
    ("hitech", "武进国家高新区", "zone"), ("xitaihu", "西太湖科技产业园", "zone"),
    ("greenbuild", "武进绿建区", "zone"), ("nanxiashu", "南夏墅街道", "zone"), ("xihu", "西湖街道", "zone"),
]
# code, name, name_en, unit, unit_en, decimals, weight
INDICATORS = [
    ("hte_applications", "高新技术企业申报数", "High-tech enterprise applications", "家", "firms", 0, 20.0),
    ("hte_recognised", "高新技术企业认定数", "High-tech enterprises recognised", "家", "firms", 0, 10.0),
    ("hte_pool", "高新技术企业培育入库数", "High-tech enterprise incubation pool", "家", "firms", 0, 10.0),
    ("tech_sme", "科技型中小企业备案数", "Tech SMEs registered", "家", "firms", 0, 15.0),
    ("gazelle", "瞪羚企业数", "Gazelle enterprises", "家", "firms", 0, 5.0),
    ("incubators", "新增省级以上孵化器和众创空间", "New provincial+ incubators and maker spaces", "个", "sites", 0, 5.0),
    ("incubation_area", "新增孵化面积", "New incubation floor area", "万平方米", "10k m²", 2, 5.0),
    ("rd_centres", "新建市级以上工程技术研究中心", "New municipal+ engineering research centres", "个", "centres", 0, 10.0),
    ("talent_projects", "国家级人才项目", "National talent projects", "项", "projects", 0, 10.0),
    ("intl_projects", "国际合作项目申报数", "International cooperation project applications", "项", "projects", 0, 5.0),
    ("contest_projects", "创新创业大赛参赛项目数", "Innovation contest entries", "项", "entries", 0, 5.0),
    ("bounty_funds", "揭榜挂帅项目金额", "Open-competition project funds", "万元", "10k yuan", 2, 0.0),
]
MONTH = 11
CAP = 1.2
MISSING = "jiaze"
PENDING = ("hutang", "tech_sme")
REMARKS = {("niutang", "hte_applications"): "=1+1",
           ("luoyang", "gazelle"): '=HYPERLINK("http://x","y")',
           ("hitech", "incubation_area"): "含孵化器改扩建面积"}


def _schedule(code: str, month: int) -> float:
    if code == "hte_recognised":
        return [0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.05, 0.1, 0.2, 0.5, 0.8, 1.0][month - 1]
    return round(month / 12, 4)


def _status(rate: float | None, schedule: float, target: float | None) -> str:
    if target is None or not target:
        return "no_target"
    assert rate is not None
    if rate >= 1:
        return "completed"
    return "on_schedule" if rate >= schedule else "behind"


def _competition_rank(items: list[tuple[str, float]]) -> dict[str, tuple[int, bool]]:
    """Rank 1,2,2,4 by descending value; the bool says tied."""
    out: dict[str, tuple[int, bool]] = {}
    for code, v in items:
        rank = 1 + sum(1 for _, w in items if w > v)
        tied = sum(1 for _, w in items if w == v) > 1
        out[code] = (rank, tied)
    return out


def make_results() -> dict[str, Any]:
    """A realistic results dict (docs/results.md) for 13 units, 2 groups, 12 indicators, November 2022.

    Built by a small scorer of its own, so numbers are consistent: rates are
    actual/target, statuses follow the schedule, ranks are competition ranks
    within each group, and the district totals leave out the missing unit
    and the pending value.
    """
    rnd = random.Random(2022)
    sched_default = round(MONTH / 12, 4)
    unit_group = {c: g for c, _, g in UNITS}
    # targets and actuals per unit
    targets: dict[tuple[str, str], float | None] = {}
    actuals: dict[tuple[str, str], float | None] = {}
    for ucode, _, group in UNITS:
        for code, *_rest, decimals, _w in INDICATORS:
            base = {"town": 40, "zone": 70}[group] * rnd.uniform(0.5, 1.6)
            if code == "incubators":
                base = rnd.choice([1, 2, 3])
            target = round(base, decimals) if decimals else float(round(base))
            factor = rnd.choice([0.55, 0.7, 0.85, 0.95, 1.0, 1.05, 1.2, 1.4, 2.5])
            actual = round(target * factor, decimals) if decimals else float(round(target * factor))
            targets[(ucode, code)] = target
            actuals[(ucode, code)] = actual
    # a unit with no target for one indicator, and identical returns for two streets (a composite tie)
    targets[("xihu", "intl_projects")] = None
    for code, *_ in INDICATORS:
        targets[("xihu", code)] = targets[("nanxiashu", code)]
        actuals[("xihu", code)] = actuals[("nanxiashu", code)]
    actuals[("xihu", "intl_projects")] = 3.0
    targets[("xihu", "intl_projects")] = None
    actuals[("nanxiashu", "intl_projects")] = 3.0
    targets[("nanxiashu", "intl_projects")] = None
    # a tie within one indicator's rank among towns
    targets[("luoyang", "gazelle")] = targets[("niutang", "gazelle")] = 20.0
    actuals[("luoyang", "gazelle")] = actuals[("niutang", "gazelle")] = 18.0
    # 高企认定 is far behind in most towns (a seasonal indicator behind its 80% schedule)
    for ucode, _, group in UNITS:
        if group == "town" and ucode != "hutang":
            t = targets[(ucode, "hte_recognised")] or 0
            actuals[(ucode, "hte_recognised")] = float(round(t * 0.45))

    values: list[dict[str, Any]] = []
    rates: dict[tuple[str, str], float | None] = {}
    for ucode, uname, _ in UNITS:
        for code, *_ in INDICATORS:
            sched = _schedule(code, MONTH)
            target = targets[(ucode, code)]
            actual: float | None = actuals[(ucode, code)]
            if ucode == MISSING:
                actual, rate, status = None, None, "missing"
            elif (ucode, code) == PENDING:
                actual, rate, status = None, None, "pending"
            else:
                rate = round(actual / target, 4) if target else None
                status = _status(rate, sched, target)
            rates[(ucode, code)] = rate
            src_file = None if ucode == MISSING else f"{uname}.xlsx"
            values.append({
                "unit": ucode, "indicator": code, "actual": actual, "target": target, "rate": rate,
                "schedule": sched, "status": status, "rank": None, "rank_tied": False,
                "remark": REMARKS.get((ucode, code), ""),
                "source": None if src_file is None else {
                    "file": src_file, "sha256": "0" * 64, "sheet": "填报表",
                    "cell": f"F{4 + [c for c, *_ in INDICATORS].index(code)}"},
            })
    # ranks per indicator within groups (by rate; by actual when there is no target)
    for code, *_ in INDICATORS:
        for g, _, _ in GROUPS:
            items = []
            for v in values:
                if v["indicator"] != code or unit_group[v["unit"]] != g or v["status"] in ("missing", "pending"):
                    continue
                items.append((v["unit"], v["rate"] if v["rate"] is not None else -1.0))
            ranks = _competition_rank(items)
            for v in values:
                if v["indicator"] == code and v["unit"] in ranks:
                    v["rank"], v["rank_tied"] = ranks[v["unit"]]
    # composite score: weighted capped rates over scored indicators (pending counts as 0)
    weights = {code: w for code, *_r, w in INDICATORS}
    scores: dict[str, float | None] = {}
    on_sched: dict[str, int] = {}
    scored_n: dict[str, int] = {}
    for ucode, _, _ in UNITS:
        if ucode == MISSING:
            scores[ucode] = None
            continue
        num = den = 0.0
        on = n = 0
        for v in values:
            if v["unit"] != ucode or weights[v["indicator"]] <= 0 or v["target"] is None:
                continue
            w = weights[v["indicator"]]
            n += 1
            den += w
            num += w * min(v["rate"] or 0.0, CAP)
            on += v["status"] in ("completed", "on_schedule")
        scores[ucode] = round(num / den * 100, 2)
        on_sched[ucode] = on
        scored_n[ucode] = n
    previous = {"hutang": 3, "niutang": 1, "luoyang": 2, "xueyan": 4, "qianhuang": 6, "lijia": 5,
                "huangli": 7, "hitech": 1, "xitaihu": 3, "greenbuild": 2, "nanxiashu": 4}  # xihu: new, unknown
    units: list[dict[str, Any]] = []
    for g, _, _ in GROUPS:
        members = [(c, n) for c, n, gg in UNITS if gg == g]
        ranks = _competition_rank([(c, scores[c]) for c, _ in members if scores[c] is not None])
        ordered = sorted(members, key=lambda m: (m[0] not in ranks, ranks.get(m[0], (99, False))[0]))
        for ucode, uname in ordered:
            missing = ucode == MISSING
            rank, tied = ranks.get(ucode, (None, False))
            prev = previous.get(ucode)
            errors = 1 if ucode == "hutang" else 0
            warnings = {"hutang": 1, "lijia": 2, "xitaihu": 1}.get(ucode, 0)
            units.append({
                "code": ucode, "name": uname, "name_en": "Hutang" if ucode == "hutang" else "", "group": g,
                "status": "missing" if missing else ("errors" if errors else ("warnings" if warnings else "ok")),
                "file": None if missing else (f"11月/{uname}.xlsx" if ucode == "hutang" else f"{uname}.xlsx"),
                "received": None if missing else f"2022-12-0{1 + len(uname) % 5}T09:{10 + len(units):02d}:00",
                "score": scores[ucode], "rank": rank, "rank_tied": tied,
                "rank_change": None if (missing or prev is None) else prev - rank,
                "previous_rank": prev, "on_schedule": on_sched.get(ucode, 0), "scored": scored_n.get(ucode, 0),
                "errors": errors, "warnings": warnings,
            })
    order = [u["code"] for u in units]
    values.sort(key=lambda v: (order.index(v["unit"]), [c for c, *_ in INDICATORS].index(v["indicator"])))

    district_inds = []
    for code, name, name_en, unit, unit_en, decimals, weight in INDICATORS:
        sched = _schedule(code, MONTH)
        counted = [v for v in values if v["indicator"] == code and v["actual"] is not None]
        target = sum(targets[(u, code)] or 0 for u, _, _ in UNITS)
        actual = round(sum(v["actual"] for v in counted), decimals)
        rate = round(actual / target, 4)
        district_inds.append({
            "code": code, "name": name, "name_en": name_en, "unit": unit, "unit_en": unit_en,
            "decimals": decimals, "weight": weight, "target": target, "actual": actual, "rate": rate,
            "schedule": sched, "status": _status(rate, sched, target), "gap": round(rate - sched, 4),
            "units_counted": len(counted), "units_missing": 1,
            "units_pending": sum(1 for v in values if v["indicator"] == code and v["status"] == "pending"),
        })
    history = []
    for m in range(1, MONTH + 1):
        history.append({"period": f"2022-{m:02d}", "indicators": {
            i["code"]: round(i["actual"] * (m / MONTH) ** 1.2, i["decimals"]) for i in district_inds}})
    issues = [
        {"code": "not-a-number", "severity": "error", "unit": "hutang", "indicator": "tech_sme",
         "file": "11月/湖塘镇.xlsx", "sheet": "填报表", "cell": "F7", "message": "“约12”不是数值，请只填写数字"},
        {"code": "unit-suffix", "severity": "warning", "unit": "hutang", "indicator": "hte_pool",
         "file": "11月/湖塘镇.xlsx", "sheet": "填报表", "cell": "F6", "message": "“12家”已按 12 读取，请只填写数字"},
        {"code": "ytd-decreased", "severity": "warning", "unit": "lijia", "indicator": "gazelle",
         "file": "礼嘉镇.xlsx", "sheet": "填报表", "cell": "F8",
         "message": "本年累计（9）小于上月累计（11），请核实是否填成了当月数"},
        {"code": "remark-formula", "severity": "warning", "unit": "lijia", "indicator": "hte_applications",
         "file": "礼嘉镇.xlsx", "sheet": "填报表", "cell": "G4", "message": '=HYPERLINK("http://x","y")'},
        {"code": "formula-no-value", "severity": "warning", "unit": "xitaihu", "indicator": "incubation_area",
         "file": "西太湖科技产业园.xlsx", "sheet": "Sheet1", "cell": "C10",
         "message": "单元格是公式但没有计算结果，请在 Excel 中打开并保存后重新报送"},
        {"code": "unknown-unit", "severity": "error", "unit": None, "indicator": None,
         "file": "新建 Microsoft Excel 工作表.xlsx", "sheet": None, "cell": None,
         "message": "无法识别报送单位，请在文件名或表头注明单位名称"},
        {"code": "period-inferred", "severity": "info", "unit": "niutang", "indicator": None,
         "file": "牛塘镇.xlsx", "sheet": "填报表", "cell": "B2", "message": "报送期按表头“2022年11月”识别"},
    ]
    files = []
    for u in units:
        if u["file"]:
            files.append({"file": u["file"], "sha256": "1" * 64, "unit": u["code"], "period": "2022-11",
                          "status": "used", "reason": "", "received": u["received"], "errors": u["errors"],
                          "warnings": u["warnings"]})
    files += [
        {"file": "湖塘镇（旧）.xlsx", "sha256": "2" * 64, "unit": "hutang", "period": "2022-11", "status": "superseded",
         "reason": "同一单位有更晚的报送文件（11月/湖塘镇.xlsx）", "received": "2022-12-01T08:00:00", "errors": 2, "warnings": 0},
        {"file": "牛塘镇 - 副本.xlsx", "sha256": "1" * 64, "unit": "niutang", "period": "2022-11", "status": "duplicate",
         "reason": "与“牛塘镇.xlsx”内容相同", "received": "2022-12-02T10:00:00", "errors": 0, "warnings": 0},
        {"file": "新建 Microsoft Excel 工作表.xlsx", "sha256": "3" * 64, "unit": None, "period": None,
         "status": "rejected", "reason": "无法识别报送单位", "received": "2022-12-02T11:30:00", "errors": 1, "warnings": 0},
        {"file": "洛阳镇10月.xlsx", "sha256": "4" * 64, "unit": "luoyang", "period": "2022-10",
         "status": "other-period", "reason": "报送期为2022年10月，不是本期", "received": "2022-11-03T09:00:00",
         "errors": 0, "warnings": 0},
        {"file": "说明.docx", "sha256": "5" * 64, "unit": None, "period": None, "status": "ignored",
         "reason": "不是电子表格", "received": "2022-12-01T08:30:00", "errors": 0, "warnings": 0},
    ]
    scored_inds = [i for i in district_inds if i["weight"] > 0 and i["status"] != "no_target"]
    return {
        "schema": 1, "tool": "reporting 0.1.0", "period": "2022-11", "year": 2022, "month": MONTH, "lang": "zh",
        "title": "关于2022年11月份全区科技创新重点指标完成情况的通报",
        "bulletin_file": "武进区科技创新重点指标通报_2022年11月.xlsx", "as_of": "2022-11-30",
        "schedule": sched_default, "cap": CAP,
        "district": {"name": "武进区", "city": "常州市", "issuer": "武进区科学技术局", "indicators": district_inds},
        "groups": [{"code": c, "name": n, "name_en": e} for c, n, e in GROUPS],
        "units": units, "values": values, "issues": issues, "files": files, "history": history,
        "summary": {"units": len(UNITS), "submitted": len(UNITS) - 1, "missing": 1,
                    "with_errors": sum(1 for u in units if u["status"] == "errors"), "missing_units": [MISSING],
                    "pending_values": 1,
                    "on_schedule_indicators": sum(1 for i in scored_inds if i["status"] in ("completed", "on_schedule")),
                    "scored_indicators": len(scored_inds)},
    }


# --------------------------------------------------------------------------- helpers

ZH_SHEETS = ["通报", "综合排名", "分项指标", "指标亮灯", "图表", "报送情况", "报送及时性", "数据问题"]
EN_SHEETS = ["Bulletin", "Ranking", "Indicators", "Lights", "Charts", "Submissions", "Timeliness", "Data issues"]


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return make_results()


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, results: dict[str, Any]) -> Path:
    path = tmp_path_factory.mktemp("bulletin") / results["bulletin_file"]
    write_bulletin(path, results)
    return path


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return list(ws.iter_rows(values_only=True))


def _sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")}


# --------------------------------------------------------------------------- structure


def test_six_sheets_in_order_zh_and_en(book: Path, results: dict[str, Any], tmp_path: Path) -> None:
    assert openpyxl.load_workbook(book).sheetnames == ZH_SHEETS
    assert sheet_names("zh") == ZH_SHEETS and sheet_names("en") == EN_SHEETS
    en = tmp_path / "en.xlsx"
    write_bulletin(en, results, "en")
    wb = openpyxl.load_workbook(en)
    assert wb.sheetnames == EN_SHEETS
    # English names where the results give them, Chinese where name_en is empty
    names = [r[1] for r in _rows(wb["Ranking"]) if r[1]]
    assert "Hutang" in names and "牛塘镇" in names


def test_bulletin_sheet_numbers_equal_results(book: Path, results: dict[str, Any]) -> None:
    ws = openpyxl.load_workbook(book)["通报"]
    assert ws["A1"].value == results["title"]
    assert "2022年11月30日" in ws["A2"].value
    assert ws["E2"].value == pytest.approx(results["schedule"])
    assert ws["E2"].number_format == "0.0%"
    rows = {r[0]: r for r in _rows(ws) if r[0]}
    header = rows["指标"]
    assert header[:8] == ("指标", "计量单位", "年度目标", "累计完成", "完成率", "序时进度", "状态", "较序时\n（百分点）")
    status_zh = {"completed": "已完成", "on_schedule": "达到序时", "behind": "落后序时", "no_target": "无目标"}
    for ind in results["district"]["indicators"]:
        row = rows[ind["name"]]
        assert row[1] == ind["unit"]
        assert row[2] == pytest.approx(ind["target"])
        assert row[3] == pytest.approx(ind["actual"])
        assert row[4] == pytest.approx(ind["rate"])
        assert row[5] == pytest.approx(ind["schedule"])
        assert row[6] == status_zh[ind["status"]]
        assert row[7] == pytest.approx(ind["gap"] * 100)  # 百分点
    # number formats: thousands separators with the indicator's decimals, rates and gaps
    by_name = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    r_area = by_name["新增孵化面积"]
    assert ws.cell(r_area, 3).number_format == "#,##0.00"
    assert ws.cell(by_name["瞪羚企业数"], 3).number_format == "#,##0"
    assert ws.cell(r_area, 5).number_format == "0.0%"
    assert ws.cell(r_area, 8).number_format == "+0.0;-0.0;0.0"
    # issuer lines, dated by the last file received for the period (from the inputs, never the clock)
    texts = [c for r in _rows(ws) for c in r if isinstance(c, str)]
    assert "制表单位：武进区科学技术局" in texts
    last = max(f["received"] for f in results["files"] if f["received"] and f["period"] == "2022-11")
    assert last.startswith("2022-12-05")  # later than the period's last day, 2022-11-30
    assert "制表日期：2022年12月5日" in texts
    assert "数据来源：各镇、开发区（街道）报送数据，详见“报送情况”“数据问题”工作表" in texts
    # the narrative is on the sheet
    for para in narrative(results):
        assert any(para in t for t in texts)


def test_ranking_sheet_equals_results(book: Path, results: dict[str, Any]) -> None:
    ws = openpyxl.load_workbook(book)["综合排名"]
    seen: list[str] = []
    for r in range(1, ws.max_row + 1):
        name = ws.cell(r, 2).value
        unit = next((u for u in results["units"] if u["name"] == name), None)
        if unit is None:
            continue
        seen.append(unit["code"])
        rank, score, change = ws.cell(r, 1), ws.cell(r, 3), ws.cell(r, 5)
        if unit["status"] == "missing":
            assert rank.value == "—" and score.value == "—"
            assert ws.cell(r, 7).value == "未报送"
            continue
        assert rank.value == unit["rank"]
        assert ("并列" in rank.number_format) == unit["rank_tied"]
        assert score.value == pytest.approx(unit["score"])
        assert ws.cell(r, 6).value == f"{unit['on_schedule']}/{unit['scored']}"
        if unit["rank_change"] is None:
            assert change.value == "—"
        else:
            assert change.value == unit["rank_change"]
            assert change.number_format == '"↑"0;"↓"0;"持平"'
    assert seen == [u["code"] for u in results["units"]]  # groups in order, missing units last
    groups = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert groups.index("镇") < groups.index("开发区（街道）")


def test_indicator_sheet_values_and_markers(book: Path, results: dict[str, Any]) -> None:
    ws = openpyxl.load_workbook(book)["分项指标"]
    rows = _rows(ws)
    # the first band holds the first indicator: 年度目标 | 累计完成 | 完成率 | 排名 in columns B..E
    first = results["district"]["indicators"][0]["code"]
    for u in results["units"]:
        v = next(x for x in results["values"] if x["unit"] == u["code"] and x["indicator"] == first)
        row = next(r for r in rows if r[0] == u["name"])
        assert row[1] == pytest.approx(v["target"])
        if v["status"] == "missing":
            assert row[2] == "未报送" and row[3] == "—" and row[4] == "—"
        else:
            assert row[2] == pytest.approx(v["actual"])
            assert row[3] == pytest.approx(v["rate"])
            assert row[4] == v["rank"]
    cells = [c for r in rows for c in r]
    assert "待核实" in cells
    assert cells.count("未报送") == len(results["district"]["indicators"])
    # behind-schedule rates are filled light red, completed ones green
    fills = {}
    for row in ws.iter_rows():
        for c in row:
            if c.number_format == "0.0%" and isinstance(c.value, float):
                fills.setdefault(c.fill.fgColor.rgb, 0)
                fills[c.fill.fgColor.rgb] += 1
    assert "FFFFC7CE" in fills and "FFC6EFCE" in fills


def test_submissions_and_issues_sheets(book: Path, results: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(book)
    sub = [c for r in _rows(wb["报送情况"]) for c in r if c is not None]
    earlier = [f for f in results["files"] if f["status"] == "other-period" and f["period"] < "2022-11"]
    assert earlier  # the fixture has a file of October
    for f in results["files"]:
        assert (f["file"] in sub) == (f not in earlier)  # earlier months' files: one summary line instead
    assert f"另有较早月份的文件 {len(earlier)} 个（2022-10 {len(earlier)} 个），已在各该月通报中列出，未纳入本期。" in sub
    for word in ("采用", "已被更新文件替代", "重复文件", "拒收", "已忽略", "未报送"):
        assert word in sub
    ws = wb["数据问题"]
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A3:")
    rows = _rows(ws)
    assert rows[2][:7] == ("序号", "单位", "文件", "位置", "指标", "严重程度", "问题说明")
    body = rows[3:]
    assert len(body) == len(results["issues"])
    first = body[0]
    assert first[1] == "湖塘镇" and first[3] == "填报表!F7" and first[4] == "科技型中小企业备案数"
    assert first[5] == "错误" and first[6] == results["issues"][0]["message"]


def test_charts_are_native_over_cells_with_cjk_fonts(book: Path) -> None:
    with zipfile.ZipFile(book) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = [z.read(n).decode("utf-8") for n in charts]
    assert len(charts) == 4 + 2 + 1  # key indicators, one score chart per group, the trend
    for x in xml:
        assert "<c:f>图表!$" in x or "<c:f>'图表'!$" in x  # data lives in cells of the 图表 sheet
        assert 'typeface="宋体"' in x
    assert sum("<c:lineChart>" in x and "<c:barChart>" in x for x in xml) == 4  # columns + schedule line


def test_no_trend_chart_without_history(results: dict[str, Any], tmp_path: Path) -> None:
    r = copy.deepcopy(results)
    r["history"] = []
    path = tmp_path / "b.xlsx"
    write_bulletin(path, r)
    with zipfile.ZipFile(path) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 6


# --------------------------------------------------------------------------- safety and reproducibility


def test_byte_identical_on_two_writes(results: dict[str, Any], tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_bulletin(a, results)
    write_bulletin(b, copy.deepcopy(results))
    assert a.read_bytes() == b.read_bytes()
    first = a.read_bytes()
    write_bulletin(a, results)  # over an existing file
    assert a.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.xlsx"]  # no temporary files left
    props = openpyxl.load_workbook(a).properties
    assert props.created == dt.datetime(2022, 11, 30, 0, 0)
    assert props.title == results["title"]


def test_strings_from_submissions_stay_strings(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value in ("=1+1", '=HYPERLINK("http://x","y")'):
                    found.setdefault(c.value, []).append(c)
    assert set(found) == {"=1+1", '=HYPERLINK("http://x","y")'}
    for cells in found.values():
        assert all(c.data_type == "s" for c in cells)
    for name, xml in _sheet_xml(book).items():
        assert "<f>" not in xml and "<f " not in xml, name
        assert "<hyperlink" not in xml, name


def test_failed_write_leaves_previous_file(results: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "b.xlsx"
    write_bulletin(path, results)
    before = path.read_bytes()
    broken = copy.deepcopy(results)
    broken["district"]["indicators"][0]["decimals"] = "two"
    with pytest.raises(ValueError):
        write_bulletin(path, broken)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["b.xlsx"]


def test_minimal_results_still_write(tmp_path: Path) -> None:
    """One group, everyone missing, no files, issues or history: a bulletin that says so."""
    r = make_results()
    r["groups"] = r["groups"][:1]
    r["units"] = [dict(u, status="missing", score=None, rank=None, rank_change=None, file=None, received=None)
                  for u in r["units"] if u["group"] == "town"]
    r["values"] = [dict(v, actual=None, rate=None, rank=None, status="missing")
                   for v in r["values"] if v["unit"] in {u["code"] for u in r["units"]}]
    r["issues"], r["files"], r["history"] = [], [], []
    path = tmp_path / "min.xlsx"
    write_bulletin(path, r)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ZH_SHEETS
    assert "本期未发现数据问题。" in [c for row in _rows(wb["数据问题"]) for c in row]


# --------------------------------------------------------------------------- print


def test_print_setup(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert ps.orientation == "landscape", ws.title
        assert int(ps.paperSize) == 9, ws.title
        if ws.title in ("分项指标", "报送情况"):  # an explicit scale, so that its planned page breaks hold in every application
            assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
            assert 10 <= int(ps.scale) <= 100
        else:
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert int(ps.fitToWidth or 1) == 1, ws.title  # OOXML's default is 1, which xlsxwriter leaves out
        assert "关于2022年11月份" in ws.oddHeader.center.text, ws.title
        assert ws.oddHeader.center.font.startswith("黑体"), ws.title
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", ws.title
        if ws.title == "通报":
            # the whole 通报 fits one page at a readable scale; its header repeats only for long tables
            assert int(ps.fitToHeight if ps.fitToHeight is not None else 1) == 1  # 1 is the default
        else:
            if ws.title not in ("分项指标", "报送情况"):
                assert int(ps.fitToHeight) == 0, ws.title
            assert ws.print_title_rows, ws.title
        if ws.title != "图表":
            assert ws.freeze_panes, ws.title


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_to_pdf(book: Path, tmp_path: Path) -> None:
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    out = tmp_path / "pdf"
    cmd = [_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
           "--outdir", str(out), str(book)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    pdf = out / (book.stem + ".pdf")
    assert pdf.exists()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 6  # at least one page per sheet


# --------------------------------------------------------------------------- scale


def _city(results: dict[str, Any], copies: int) -> dict[str, Any]:
    """``results`` with every town copied ``copies`` times under new codes and names: a city-sized group.

    The zones stay as they are (a small group next to a large one). The copies keep their
    returns, ranks and statuses, so the missing town is missing ``copies`` times.
    """
    r = copy.deepcopy(results)
    towns = [u for u in r["units"] if u["group"] == "town"]
    zones = [u for u in r["units"] if u["group"] != "town"]
    values: dict[str, list[dict[str, Any]]] = {}
    for v in r["values"]:
        values.setdefault(v["unit"], []).append(v)
    units, vals, files = [], [], []
    for k in range(copies):
        for u in towns:
            code = f"{u['code']}{k:03d}"
            units.append(dict(u, code=code, name=f"{u['name']}{k:03d}",
                              file=u["file"] and f"{u['name']}{k:03d}.xlsx"))
            vals += [dict(v, unit=code) for v in values[u["code"]]]
            if u["file"]:
                files.append({"file": f"{u['name']}{k:03d}.xlsx", "sha256": "1" * 64, "unit": code,
                              "period": "2022-11", "status": "used", "reason": "", "received": u["received"],
                              "errors": u["errors"], "warnings": u["warnings"]})
    r["units"] = units + zones
    r["values"] = vals + [v for u in zones for v in values[u["code"]]]
    r["files"] = files + [f for f in r["files"] if f["unit"] in {u["code"] for u in zones}]
    return r


def _chart_categories(path: Path) -> dict[str, int]:
    """Title of each chart -> number of its categories (rows of its category range)."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for n in sorted(n for n in z.namelist() if n.startswith("xl/charts/chart")):
            xml = z.read(n).decode("utf-8")
            title = re.search(r"<a:t>([^<]*)</a:t>", xml).group(1)  # type: ignore[union-attr]
            first, last = re.search(r"<c:cat>.*?<c:f>[^<]*?\$(\d+):\$A\$(\d+)</c:f>", xml).groups()  # type: ignore[union-attr]
            out[title] = int(last) - int(first) + 1
    return out


def test_large_groups_chart_leading_and_trailing_units(results: dict[str, Any], tmp_path: Path) -> None:
    """200 towns (175 submitted) and 5 zones: a town chart shows 15 + … + 15, the zones stay complete."""
    r = _city(results, 25)
    path = tmp_path / "city.xlsx"
    write_bulletin(path, r)
    cats = _chart_categories(path)
    assert len(cats) == 4 + 2 + 1
    rate = {t: n for t, n in cats.items() if "完成率（单位" in t}
    assert len(rate) == 4
    for title, n in rate.items():
        assert title.endswith("完成率（单位超过40个的组列前15名和后15名）"), title
        assert n == 15 + 1 + 15 + 5  # leading, the ellipsis, trailing towns; every zone
    assert cats["镇综合得分（前15名和后15名）"] == 31
    assert cats["开发区（街道）综合得分"] == 5
    wb = openpyxl.load_workbook(path)
    charts_sheet = [c for row in _rows(wb["图表"]) for c in row if c is not None]
    assert "…" in charts_sheet
    assert any("单位超过40个的组只列前15名和后15名" in str(c) for c in charts_sheet)
    # the data sheets stay complete
    names = {u["name"] for u in r["units"]}
    for sheet in ("综合排名", "分项指标", "报送情况"):
        shown = {c for row in _rows(wb[sheet]) for c in row if isinstance(c, str)}
        assert names <= shown, sheet
    body = [row for row in _rows(wb["分项指标"]) if row[0] in names]
    remarks = sum(1 for v in r["values"] if v["remark"])
    assert len(body) == len(r["units"]) * 4 + remarks  # four bands of three indicators, then the remarks
    # the best town by 高企申报 completion leads its chart data; the worst ends it
    submitted = [u["code"] for u in r["units"] if u["group"] == "town" and u["status"] != "missing"]
    town_rates = [v["rate"] for v in r["values"] if v["indicator"] == "hte_applications" and v["unit"] in submitted
                  and v["rate"] is not None]
    data = _rows(wb["图表"])
    head = next(i for i, row in enumerate(data) if row[0] == "单位" and row[1] == "高新技术企业申报数")
    assert data[head + 2][1] == pytest.approx(max(town_rates))
    assert data[head + 2 + 15][0] == "…"
    assert data[head + 2 + 30][1] == pytest.approx(min(town_rates))
    # the summary and the narrative name the first 20 missing towns and say how many there are
    summary = _rows(wb["报送情况"])[1][0]
    assert "未报送25个（嘉泽镇000、" in summary and "嘉泽镇019等）" in summary and "嘉泽镇020" not in summary
    text = "\n".join(narrative(r))
    assert "嘉泽镇019等（共25个）" in text and "嘉泽镇020" not in text
    # and the same results give the same bytes at this size too
    again = tmp_path / "again.xlsx"
    write_bulletin(again, copy.deepcopy(r))
    assert again.read_bytes() == path.read_bytes()


def test_groups_up_to_the_limit_are_charted_whole(results: dict[str, Any], tmp_path: Path) -> None:
    r = _city(results, 5)  # 40 towns, 35 submitted: every one charted, titles as for a district
    path = tmp_path / "town.xlsx"
    write_bulletin(path, r)
    cats = _chart_categories(path)
    assert cats["镇综合得分"] == 35
    assert cats["高新技术企业申报数完成率"] == 35 + 5
    assert not any("前15名" in t for t in cats)


def test_value_columns_fit_the_widest_number(results: dict[str, Any], tmp_path: Path) -> None:
    """Widths come from each column's extremes: a large total in one cell widens the value columns."""
    r = copy.deepcopy(results)
    v = next(v for v in r["values"] if v["indicator"] == "incubation_area" and v["target"] is not None)
    v["target"] = 1234567.891  # shown 1,234,567.89: 12 columns, + 2 of padding
    path = tmp_path / "wide.xlsx"
    write_bulletin(path, r)
    cols = re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', _sheet_xml(path)["xl/worksheets/sheet3.xml"])
    widths = {int(c): float(w) for lo, hi, w in cols for c in range(int(lo), int(hi) + 1)}
    assert {widths[c] for c in range(2, 14)} == {14.7109375}  # 14, as Excel stores it with its padding


# --------------------------------------------------------------------------- words


def test_narrative_mentions_missing_pending_and_behind(results: dict[str, Any]) -> None:
    text = "\n".join(narrative(results))
    assert "嘉泽镇" in text and "未报送" in text
    assert "全区合计数未包含上述1个单位的数据" in text
    assert "高新技术企业认定数（完成率75.9%" in text  # behind schedule, with the gap
    assert "落后序时4.1个百分点" in text
    assert "创新创业大赛参赛项目数" in text
    assert "待核实" in text and "湖塘镇“科技型中小企业备案数”" in text
    assert "南夏墅街道（并列第1名）" in text  # a tie named as such
    assert "11项指标有9项达到序时进度（其中4项已完成年度目标）" in text
    en = "\n".join(narrative(results, "en"))
    assert "Not submitted: 嘉泽镇" in en and "High-tech enterprises recognised (75.9%, 4.1 points behind)" in en


def test_narrative_without_problems(results: dict[str, Any]) -> None:
    r = copy.deepcopy(results)
    for u in r["units"]:
        u["status"] = "ok"
    for v in r["values"]:
        v["status"] = "on_schedule" if v["status"] in ("pending", "missing", "behind") else v["status"]
    for i in r["district"]["indicators"]:
        i["status"] = "on_schedule" if i["status"] == "behind" else i["status"]
    text = "\n".join(narrative(r))
    assert "各单位均已报送本期数据。" in text
    assert "各项指标均达到序时进度。" in text
    assert "待核实" not in text


def test_long_lists_of_units_end_with_and_others(results: dict[str, Any]) -> None:
    r = _city(results, 20)  # exactly 20 missing towns: all named
    text = "\n".join(narrative(r))
    assert "嘉泽镇019（共20个）" in text and "等（共" not in text
    r = _city(results, 21)
    text = "\n".join(narrative(r))
    assert "嘉泽镇019等（共21个）" in text and "嘉泽镇020" not in text
    en = "\n".join(narrative(r, "en"))
    assert "嘉泽镇019 and others (21 in all)" in en


def test_leading_and_trailing_never_overlap(results: dict[str, Any]) -> None:
    text = narrative(results)
    zones = next(p for p in text if p.startswith("开发区（街道）"))
    top, bottom = zones.split("；")
    assert "武进国家高新区" in top and "武进国家高新区" not in bottom  # 5 ranked units: 3 leading, 2 trailing


def test_district_table_text_aligns_cjk(results: dict[str, Any]) -> None:
    text = district_table_text(results)
    lines = text.splitlines()
    assert len({display_width(line) for line in lines}) == 1  # every line ends at the same column
    assert lines[0].startswith("指标")
    for ind in results["district"]["indicators"]:
        assert any(line.startswith(ind["name"]) for line in lines)
    assert "750.26" in text and "137.3%" in text and "-4.1" in text
    # columns line up: the rate column ends at the same display column on every data row
    ends = {display_width(line[: line.index("%") + 1]) for line in lines[2:]}
    assert len(ends) == 1
    assert "High-tech enterprise applications" in district_table_text(results, "en")


def test_long_file_names_wrap_instead_of_being_cut(tmp_path: Path) -> None:
    r = make_results()
    long = "2022年11月/" + "湖塘镇关于报送2022年1-11月份科技创新重点指标完成情况的函（含附件及说明材料）" * 2 + ".xlsx"
    r["files"][0]["file"] = long
    path = tmp_path / "b.xlsx"
    write_bulletin(path, r)
    ws = openpyxl.load_workbook(path)["报送情况"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == long)
    assert cell.alignment.wrap_text
    assert ws.column_dimensions[cell.column_letter].width <= 46  # the column stays printable ...
    assert ws.row_dimensions[cell.row].height >= 2.5 * 18  # ... and the row grows to show its three lines
