"""Recognise what a workbook is: which unit, which period, which cell holds which indicator.

The tool's own form says so exactly in its very-hidden ``_meta`` sheet. For
forms that units rebuilt, copied or edited, a fallback finds the header row
and the value column by their labels and matches rows to indicators by
normalised name and the catalogue's aliases; unit and period come from a
填报单位 cell, the title and the file name. Everything inferred is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from reporting import formlayout as fl
from reporting.models import Indicator, Issue, Unit, issue
from reporting.periods import Period
from reporting.textnorm import norm_label

if TYPE_CHECKING:
    from reporting.config import Workspace
    from reporting.reader import Grid

_YEAR_MONTH = re.compile(r"(20\d{2})\s*年\s*(?:1\s*[-—－~～至到]\s*)?(\d{1,2})\s*月")
_RANGE_MONTH = re.compile(r"(?<!\d)1\s*[-—－~～至到]\s*(\d{1,2})\s*月")
_FILE_YM = re.compile(r"(?<!\d)(20\d{2})[-_.年]?(0[1-9]|1[0-2]|[1-9])(?:月|(?!\d))")
_MONTH_ONLY = re.compile(r"(?<!\d)(\d{1,2})\s*月")
_EXCLUDE_VALUE_HEADER = ("上月", "去年", "同期", "目标", "计划", "任务", "序时", "完成率", "比例", "增幅", "增长")
_SKIP_ROW_LABELS = ("填报人", "联系电话", "填报日期", "说明", "注", "审核人", "负责人", "合计", "总计", "备注")


@dataclass
class Catalogue:
    """Matchers built once per run (not per file): label keys for indicators and units."""

    indicators: tuple[Indicator, ...]
    units: tuple[Unit, ...]
    district: str
    ind_keys: dict[str, str] = field(default_factory=dict)  # norm label -> indicator code
    unit_keys: list[tuple[str, str]] = field(default_factory=list)  # (norm label, unit code), longest first

    @classmethod
    def build(cls, ws: Workspace) -> Catalogue:
        cat = cls(ws.indicators, ws.units, ws.settings.district)
        for ind in ws.indicators:
            for label in (ind.name, ind.name_en, *ind.aliases):
                key = norm_label(label)
                if key:
                    cat.ind_keys.setdefault(key, ind.code)
        keys = []
        for u in ws.units:
            for label in (u.name, *u.aliases, u.code):
                key = norm_label(label)
                if key:
                    keys.append((key, u.code))
        cat.unit_keys = sorted(set(keys), key=lambda kv: (-len(kv[0]), kv[0]))
        return cat

    def match_indicator(self, label: object) -> str | None:
        key = norm_label(label)
        if not key:
            return None
        if key in self.ind_keys:
            return self.ind_keys[key]
        # the label may carry extra words: "高新技术企业申报数（累计）" or "其中：瞪羚企业数"
        best = None
        for k, code in self.ind_keys.items():
            if len(k) >= 4 and k in key and (best is None or len(k) > len(best[0])):
                best = (k, code)
        return best[1] if best else None

    def match_unit(self, text: object) -> str | None:
        """The unit whose name or alias appears in ``text`` (longest match wins)."""
        key = norm_label(text)
        if not key:
            return None
        for k, code in self.unit_keys:
            if k == key:
                return code
        for k, code in self.unit_keys:
            if len(k) >= 2 and k in key:
                return code
        return None


@dataclass
class Layout:
    """Where the figures are: the sheet, the row of each indicator, the value and remark columns (0-based)."""

    sheet: Grid
    rows: dict[str, int]
    value_col: int
    remark_col: int | None
    label_col: int
    header_row: int
    unknown_rows: list[tuple[int, str]] = field(default_factory=list)
    duplicate_rows: list[tuple[str, int]] = field(default_factory=list)
    exact: bool = False


@dataclass
class Recognition:
    unit: str | None
    period: Period | None
    layout: Layout | None
    issues: list[Issue]


def read_meta(sheets: list[Grid]) -> dict[str, Any] | None:
    """The tool's own form metadata, if the workbook has a ``_meta`` sheet."""
    meta = next((g for g in sheets if g.name == fl.META_SHEET), None)
    if meta is None:
        return None
    out: dict[str, Any] = {"rows": {}}
    in_rows = False
    for row in meta.rows:
        if not row or row[0] is None:
            continue
        key = str(row[0]).strip()
        value = row[1] if len(row) > 1 else None
        if key == fl.META_ROWS:
            in_rows = True
            continue
        if in_rows:
            try:
                out["rows"][int(float(key))] = str(value).strip()
            except (TypeError, ValueError):
                continue
        else:
            out[key] = "" if value is None else str(value).strip()
    return out


def recognise(sheets: list[Grid], display: str, cat: Catalogue, *, assume: Period | None = None) -> Recognition:
    """Find unit, period and layout; report inferences (info) and contradictions (warnings)."""
    issues: list[Issue] = []
    meta = read_meta(sheets)
    visible = [g for g in sheets if g.name != fl.META_SHEET]
    layout = _layout_from_meta(visible, meta, cat) if meta else None
    if layout is None:
        layout = find_layout(visible, cat)
        if layout is not None:
            found = len(layout.rows)
            issues.append(issue("layout-inferred", file=display, sheet=layout.sheet.name,
                                detail=f"{layout.sheet.name} 表，{found} 项指标，数值列 "
                                       f"{_col_letter(layout.value_col)}"))
    if meta and meta.get(fl.META_DISTRICT) and meta[fl.META_DISTRICT] != cat.district:
        issues.append(issue("other-district", file=display, detail=meta[fl.META_DISTRICT]))

    # unit: metadata, then a 填报单位 cell, then the file name
    stem = PurePath(display).stem
    candidates: list[tuple[str, str]] = []
    if meta and meta.get(fl.META_UNIT) in {u.code for u in cat.units}:
        candidates.append(("meta", meta[fl.META_UNIT]))
    cell_unit, cell_ref = _unit_from_cells(visible, cat)
    if cell_unit:
        candidates.append(("cell", cell_unit))
    name_unit = cat.match_unit(stem)
    if name_unit:
        candidates.append(("name", name_unit))
    unit = candidates[0][1] if candidates else None
    names = {u.code: u.name for u in cat.units}
    if unit is None:
        detail = f"（文件名与“填报单位”均未写明已知单位{'；填报单位：' + cell_ref if cell_ref else ''}）"
        issues.append(issue("unknown-unit", file=display, detail=detail))
    else:
        if candidates[0][0] != "meta":
            how = {"cell": "“填报单位”", "name": "文件名"}[candidates[0][0]]
            issues.append(issue("unit-inferred", file=display, unit=unit, detail=f"{names[unit]}（依据{how}）"))
        others = {c for _, c in candidates if c != unit}
        if others:
            said = "；".join(f"{ {'meta': '表单信息', 'cell': '填报单位', 'name': '文件名'}[s]}为 {names[c]}"
                            for s, c in candidates)
            issues.append(issue("unit-mismatch", file=display, unit=unit, detail=f"{said}，按 {names[unit]} 处理"))

    # period: metadata, then the title, then the file name
    pcands: list[tuple[str, Period]] = []
    if meta and meta.get(fl.META_PERIOD):
        try:
            pcands.append(("meta", Period.parse(meta[fl.META_PERIOD])))
        except ValueError:
            pass
    title_p = _period_from_cells(visible, layout, pcands[0][1].year if pcands else (assume.year if assume else None))
    if title_p:
        pcands.append(("title", title_p))
    year_hint = pcands[0][1].year if pcands else (assume.year if assume else None)
    name_p = period_from_text(stem, year_hint)
    if name_p:
        pcands.append(("name", name_p))
    elif not pcands:  # the folder the clerk filed it in, as a last resort
        folder_p = period_from_text(str(PurePath(display).parent), year_hint)
        if folder_p:
            pcands.append(("folder", folder_p))
    period = pcands[0][1] if pcands else None
    where = {"meta": "表单信息", "title": "标题", "name": "文件名", "folder": "所在文件夹"}
    if period is None:
        if assume is not None:
            period = assume
            issues.append(issue("period-assumed", file=display, unit=unit or "", detail=str(assume)))
        else:
            issues.append(issue("unknown-period", file=display, unit=unit or ""))
    else:
        if pcands[0][0] != "meta":
            issues.append(issue("period-inferred", file=display, unit=unit or "",
                                detail=f"{period}（依据{where[pcands[0][0]]}）"))
        if any(p != period for _, p in pcands):
            said = "，".join(f"{where[s]}为 {p.year}年{p.month}月" for s, p in pcands)
            issues.append(issue("period-mismatch", file=display, unit=unit or "", detail=f"{said}；按 {period} 处理"))
    if layout is None:
        issues.append(issue("no-data-table", file=display, unit=unit or ""))
    return Recognition(unit, period, layout, issues)


def _col_letter(col: int) -> str:
    from reporting.reader import a1

    return re.sub(r"\d+", "", a1(0, col))


def _layout_from_meta(sheets: list[Grid], meta: dict[str, Any], cat: Catalogue) -> Layout | None:
    """Use the metadata's row map when the labels on the data sheet still agree with it."""
    sheet = next((g for g in sheets if g.name == fl.DATA_SHEET), None)
    rows_map: dict[int, str] = meta.get("rows", {})
    if sheet is None or not rows_map:
        return None
    known = {i.code for i in cat.indicators}
    rows: dict[str, int] = {}
    for excel_row, code in rows_map.items():
        if code not in known:
            return None
        r = excel_row - 1
        label = sheet.cell(r, fl.COL_NAME - 1)
        if cat.match_indicator(label) != code:
            return None  # rows were inserted, moved or relabelled: read it by its labels instead
        rows[code] = r
    return Layout(sheet, rows, fl.COL_VALUE - 1, fl.COL_REMARK - 1, fl.COL_NAME - 1, fl.HEADER_ROW - 1, exact=True)


def find_layout(sheets: list[Grid], cat: Catalogue) -> Layout | None:
    """Find the table by its header: an indicator-name column and a year-to-date column."""
    best: Layout | None = None
    ordered = [g for g in sheets if g.state == "visible"] + [g for g in sheets if g.state != "visible"]
    for sheet in ordered:
        layout = _layout_in_sheet(sheet, cat)
        if layout and (best is None or len(layout.rows) > len(best.rows)):
            best = layout
        if best and len(best.rows) == len(cat.indicators):
            break
    return best


def _value_column(header: list[object]) -> int | None:
    scored: list[tuple[int, int]] = []
    if sum(1 for v in header if v not in (None, "")) < 2:
        return None  # a title line, not a header row
    for c, v in enumerate(header):
        key = norm_label(v)
        if not key or len(key) > 12 or any(x in key for x in _EXCLUDE_VALUE_HEADER):
            continue
        for rank, word in enumerate(fl.VALUE_HEADERS):
            if word in key:
                scored.append((rank, c))
                break
        else:
            if re.search(r"1\d{0,2}月累计|\d+月份?累计|累计完成|本年", key):
                scored.append((len(fl.VALUE_HEADERS), c))
    return min(scored)[1] if scored else None


def _layout_in_sheet(sheet: Grid, cat: Catalogue) -> Layout | None:
    for r, row in enumerate(sheet.rows[:40]):
        value_col = _value_column(row)
        if value_col is None:
            continue
        # the label column: the one (left of or anywhere) with most indicator matches below the header
        counts: dict[int, int] = {}
        for below in sheet.rows[r + 1:r + 80]:
            for c, v in enumerate(below):
                if c != value_col and isinstance(v, str) and cat.match_indicator(v):
                    counts[c] = counts.get(c, 0) + 1
        if not counts:
            continue
        label_col = max(counts, key=lambda c: (counts[c], -c))
        remark_col = next((c for c, v in enumerate(row) if norm_label(v) in ("备注", "说明", "备注说明")), None)
        rows: dict[str, int] = {}
        unknown: list[tuple[int, str]] = []
        dup: list[tuple[str, int]] = []
        blank_run = 0
        for rr in range(r + 1, len(sheet.rows)):
            label = sheet.cell(rr, label_col)
            if label is None or str(label).strip() == "":
                blank_run += 1
                if blank_run > 5 and rows:
                    break
                continue
            blank_run = 0
            code = cat.match_indicator(label)
            if code is None:
                text = str(label).strip()
                value = sheet.cell(rr, value_col)
                if value not in (None, "") and not any(text.startswith(s) for s in _SKIP_ROW_LABELS):
                    unknown.append((rr, text[:40]))
                continue
            if code in rows:
                dup.append((code, rr))
                continue
            rows[code] = rr
        if rows:
            return Layout(sheet, rows, value_col, remark_col, label_col, r, unknown, dup)
    return None


def _unit_from_cells(sheets: list[Grid], cat: Catalogue) -> tuple[str | None, str]:
    """A unit named in a 填报单位 cell ("填报单位：湖塘镇") or the cell to its right."""
    for sheet in sheets:
        for row in sheet.rows[:15]:
            for c, v in enumerate(row):
                if not isinstance(v, str):
                    continue
                text = v.strip()
                label = next((lab for lab in fl.UNIT_LABELS if lab in text), None)
                if label is None:
                    continue
                after = re.split(r"[:：]", text.split(label, 1)[1], maxsplit=1)[-1].strip()
                after = re.split(r"\s{2,}|报送期|填报日期|日期", after)[0]
                if after:
                    return cat.match_unit(after), after
                for nxt in row[c + 1:c + 4]:
                    if isinstance(nxt, str) and nxt.strip():
                        return cat.match_unit(nxt), nxt.strip()
    return None, ""


def _period_from_cells(sheets: list[Grid], layout: Layout | None, year_hint: int | None) -> Period | None:
    """The period written in the title or a 报送期 cell above the table."""
    for sheet in ([layout.sheet] if layout else []) + [s for s in sheets if layout is None or s is not layout.sheet]:
        limit = (layout.header_row if layout and sheet is layout.sheet else 10) + 1
        for row in sheet.rows[:limit]:
            for v in row:
                if isinstance(v, str):
                    p = period_from_text(v, year_hint, allow_bare_month=False)
                    if p:
                        return p
    return None


def period_from_text(text: str, year_hint: int | None = None, *, allow_bare_month: bool = True) -> Period | None:
    """``2022年11月``, ``2022年1-11月``, ``202211``, ``2022-11``; ``1-11月`` or ``11月`` with a known year."""
    s = str(text)
    m = _YEAR_MONTH.search(s)
    if m and 1 <= int(m.group(2)) <= 12:
        return Period(int(m.group(1)), int(m.group(2)))
    m = _FILE_YM.search(s)
    if m:
        return Period(int(m.group(1)), int(m.group(2)))
    if year_hint:
        m = _RANGE_MONTH.search(s)
        if m and 1 <= int(m.group(1)) <= 12:
            return Period(year_hint, int(m.group(1)))
        if allow_bare_month:
            m = _MONTH_ONLY.search(s)
            if m and 1 <= int(m.group(1)) <= 12:
                return Period(year_hint, int(m.group(1)))
    return None
