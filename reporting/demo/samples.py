"""The sample inbox: the repository's own submissions, with the mistakes units make.

Mistakes that lose a value (a missing unit, a formula without a value,
recognised > applications) are planted in the second-to-last period; the
last period holds only mistakes the tool recovers from, so that its
district totals still equal the published figures.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

from reporting.core import formlayout as fl
from reporting.core.periods import Period
from reporting.demo.figures import figures_for
from reporting.workspace.config import Workspace


def _folder(ws: Workspace, p: Period) -> Path:
    return ws.inbox / f"{p.year}年{p.month}月"


def _stamp(path: Path, p: Period, minutes: int) -> None:
    """Give files plausible, fixed receipt times (a few days after the month ends)."""
    y, m = (p.year + 1, 1) if p.month == 12 else (p.year, p.month + 1)
    when = dt.datetime(y, m, 3, 9, 0) + dt.timedelta(minutes=minutes)
    ts = when.timestamp()
    os.utime(path, (ts, ts))


def _filled_form(ws: Workspace, unit_code: str, p: Period, values: dict[str, float],
                 previous: dict[str, float] | None, edits: dict[str, Any] | None = None) -> Any:
    from reporting.render.forms import build_form

    wb = build_form(ws, ws.unit(unit_code), p, previous)
    sheet = wb[fl.DATA_SHEET]
    for n, ind in enumerate(ws.indicators):
        row = fl.FIRST_DATA_ROW + n
        v = values[ind.code]
        sheet.cell(row, fl.COL_VALUE, int(v) if ind.is_integer else v)
    for code, value in (edits or {}).items():
        n = [i.code for i in ws.indicators].index(code)
        sheet.cell(fl.FIRST_DATA_ROW + n, fl.COL_VALUE).value = value
    sign = fl.FIRST_DATA_ROW + len(ws.indicators) + 1
    for r in range(sign, sign + 4):
        for c in range(1, 8):
            v = sheet.cell(r, c).value
            if isinstance(v, str) and v.startswith("填报人"):
                sheet.cell(r, c + 1, "张敏")
    return wb


def _remark(wb: Any, ws: Workspace, code: str, text: str) -> None:
    n = [i.code for i in ws.indicators].index(code)
    cell = wb[fl.DATA_SHEET].cell(fl.FIRST_DATA_ROW + n, fl.COL_REMARK)
    cell.value = text
    cell.data_type = "s"  # typed as text (as with a leading apostrophe), not a formula


def _hand_made(ws: Workspace, unit_code: str, p: Period, values: dict[str, float], path: Path) -> None:
    """A unit's own layout: other columns, other order, its own wording, an extra row."""
    import openpyxl

    unit = ws.unit(unit_code)
    targets = ws.targets_for(p.year)
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "Sheet1"
    sh["A1"] = f"{unit.name}{p.year}年1-{p.month}月科技创新指标完成情况"
    sh["A2"] = f"填报单位：{unit.name}（盖章）"
    sh.append([])
    sh.append(["序号", "指标", "单位", "全年目标", f"1-{p.month}月累计完成", "完成率", "备注"])
    order = list(reversed(ws.indicators))
    for n, ind in enumerate(order, 1):
        tgt = targets.unit_target(unit_code, ind.code) if targets else None
        v = values[ind.code]
        name = ind.aliases[0] if ind.aliases and n % 2 else ind.name
        rate = f"{v / tgt:.1%}" if tgt else ""
        sh.append([n, f" {name} ", ind.unit, tgt, int(v) if ind.is_integer else v, rate, ""])
        if n == 4:
            sh.append(["", "其中：省级以上研发机构", "个", "", 3, "", "不在目录中"])
    sh.append([])
    sh.append(["", "填报人：李娜", "", "联系电话：0519-86300000"])
    wb.save(path)


def write_sample_inbox(ws: Workspace, periods: list[Period], seed: int = 2022) -> int:
    """Write the sample submissions for ``periods``; return the number of files written."""
    count = 0
    last = periods[-1]
    lossy = periods[-2] if len(periods) > 1 else None
    codes = [u.code for u in ws.units]
    for p in periods:
        folder = _folder(ws, p)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        figures = figures_for(ws, p, seed)
        prev_p = p.previous()
        prev_fig = figures_for(ws, prev_p, seed) if prev_p else {}
        for n, code in enumerate(codes):
            unit = ws.unit(code)
            values = dict(figures[code])
            prev = prev_fig.get(code)
            name = f"{unit.name}.xlsx" if n % 3 else f"{unit.name}-{p.range_zh()}科技指标.xlsx"
            edits: dict[str, Any] = {}
            if p == lossy and code == "jiaze":
                continue  # 嘉泽镇 did not submit
            if p == lossy and code == "luoyang":
                edits["tech_sme"] = f"={int(values['tech_sme']) - 15}+15"  # a formula with no cached value
            if p == lossy and code == "xueyan":
                edits["hte_recognised"] = int(values["hte_applications"]) + 3  # recognised > applications
            if p == lossy and code == "hutang":
                edits["incubators"] = "—"
            if p == last and code == "hutang":
                edits["hte_applications"] = f"{int(values['hte_applications'])}家"
            if p == last and code == "niutang":
                edits["tech_sme"] = str(int(values["tech_sme"])).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            if p == last and code == "wjhtz":
                edits["bounty_funds"] = f"{values['bounty_funds']:,.2f}"
            if p == last and code == "nanxiashu":
                zero = next((i.code for i in ws.indicators if values[i.code] == 0), None)
                if zero:
                    edits[zero] = None  # left blank: read as 0, with a warning
            if p == last and code == "lijia":
                path = folder / f"{unit.name}{p.month}月份报表.xlsx"
                _hand_made(ws, code, p, values, path)
                _stamp(path, p, n * 17)
                count += 1
                continue
            wb = _filled_form(ws, code, p, values, prev, edits)
            if p == lossy and code == "qianhuang":
                _remark(wb, ws, "contest_projects", "=HYPERLINK(\"http://example.org\",\"见附件\")")
                _remark(wb, ws, "rd_centres", "=1+1")
            if p == last and code == "qianhuang":
                wrong = _filled_form(ws, code, p, values, prev, {"tech_sme": int(values["tech_sme"]) - 9})
                first = folder / f"{unit.name}.xlsx"
                wrong.save(first)
                _stamp(first, p, n * 17)
                name = f"{unit.name}（更正）.xlsx"
                count += 1
            path = folder / name
            wb.save(path)
            _stamp(path, p, n * 17 + 60)
            count += 1
            if p == last and code == "xihu":
                copy = folder / f"{unit.name}（重发）.xlsx"
                shutil.copyfile(path, copy)
                _stamp(copy, p, n * 17 + 61)
                count += 1
        if p == last and lossy is not None:
            # 湟里镇 also sends last month's file again
            old = next(iter(sorted(_folder(ws, lossy).glob(f"{ws.unit('huangli').name}*.xlsx"))), None)
            if old is not None:
                again = folder / f"{ws.unit('huangli').name}（上月）.xlsx"
                shutil.copyfile(old, again)
                _stamp(again, p, 5)
                count += 1
            lock = folder / f"~${ws.unit('hutang').name}.xlsx"
            lock.write_bytes(b"\x00" * 162)  # Excel's owner file while the clerk had it open
            count += 1
    return count
