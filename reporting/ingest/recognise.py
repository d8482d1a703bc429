"""Recognise what a workbook is: which unit, which period, which cell holds which indicator.

The tool's own form says so exactly in its very-hidden ``_meta`` sheet. For
forms that units rebuilt, copied or edited, a fallback finds the header row
and the value column by their labels and matches rows to indicators by
normalised name and the catalogue's aliases; unit and period come from a
填报单位 cell, the title and the file name. Everything inferred is reported.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from reporting.core import formlayout as fl
from reporting.core.models import Indicator, Issue, Unit, issue
from reporting.core.periods import Period
from reporting.core.textnorm import norm_label

if TYPE_CHECKING:
    from reporting.io.reader import Grid
    from reporting.workspace.config import Workspace

# Periods as units write them. Text is NFKC-normalised first (full-width digits and dashes).
# "2022年11月", "2022年1-11月", "2022年度1-11月", "2022年01-11月", "2022年1月至11月"
_DASH = r"[-—–－~～至到]"
_YEAR_MONTH = re.compile(r"(20\d{2})\s*年度?\s*(?:0?1\s*月?份?\s*" + _DASH + r"\s*)?(\d{1,2})\s*月")
# "1-11月", "1月-11月", "1至11月"
_RANGE_MONTH = re.compile(r"(?<!\d)0?1\s*月?份?\s*" + _DASH + r"\s*(\d{1,2})\s*月")
# file names: "202211", "2022-11", "2022.11", "2022_11", "2022/11", "2022年11"
_FILE_YM = re.compile(r"(?<!\d)(20\d{2})[-_./年]?(0[1-9]|1[0-2]|[1-9])(?:月|(?!\d))")
_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*年")
_BARE_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_MONTH_ONLY = re.compile(r"(?<!\d)(\d{1,2})\s*月")
# what follows a month when the text is a date ("2022年12月5日", "2022-12-05"), not a period
_DAY_AFTER_MONTH = re.compile(r"\s*(\d{1,2})\s*[日号]")
_DAY_AFTER_NUMBER = re.compile(r"[-./](\d{1,2})(?!\d)")
# cells that hold a date, not the period ("填报日期：2022年12月5日")
_DATE_LABELS = ("填报日期", "填表日期", "报送日期", "制表日期", "报送时间", "填报时间")
_EXCLUDE_VALUE_HEADER = ("上月", "去年", "上年", "同期", "目标", "计划", "任务", "序时", "完成率", "比例", "增幅", "增长",
                         "占比")
_MONTHLY_HEADER = ("本月", "当月")  # a month's own figure, not the year to date (unless it says 累计)
# a bracketed item number before a row label: "（一）", "(2)", "【3】"
_NUMBERING = re.compile(r"^\s*[(（\[【〔]\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）\]】〕]\s*")
_SKIP_ROW_LABELS = ("填报人", "联系电话", "填报日期", "说明", "注", "审核人", "负责人", "合计", "总计", "备注")


@dataclass
class Catalogue:
    """Matchers built once per run (not per file): label keys for indicators and units."""

    indicators: tuple[Indicator, ...]
    units: tuple[Unit, ...]
    district: str
    ind_keys: dict[str, str] = field(default_factory=dict)  # norm label -> indicator code
    unit_keys: list[tuple[str, str]] = field(default_factory=list)  # (norm label, unit code), longest first
    _unit_keys_map: dict[str, str] | None = field(default=None, repr=False)
    _longest_unit_key: int = field(default=0, repr=False)

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
        """The indicator a row label names: its name or an alias, whatever the spacing, brackets,
        full-width characters or numbering ("1、", "（一）"); or the longest one the label contains."""
        if isinstance(label, str):
            label = _NUMBERING.sub("", label)
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

    @functools.cached_property
    def unit_names(self) -> dict[str, str]:
        """Unit code -> name, built once per run (per file it costs O(units): quadratic over an inbox)."""
        return {u.code: u.name for u in self.units}

    def _unit_index(self) -> dict[str, str]:
        if self._unit_keys_map is None:
            self._unit_keys_map = {}
            for k, code in self.unit_keys:
                self._unit_keys_map.setdefault(k, code)
            self._longest_unit_key = max((len(k) for k in self._unit_keys_map), default=0)
        return self._unit_keys_map

    def match_unit(self, text: object) -> str | None:
        """The unit whose name, alias or code is, or appears in, ``text``; None when none or two units do."""
        key = norm_label(text)
        if not key:
            return None
        index = self._unit_index()
        if key in index:
            return index[key]
        # every name found in the text, longest first; a name inside a longer one found there
        # ("高新区" in "武进国家高新区") does not count on its own. Substrings are looked up
        # rather than every name searched for, so the cost does not grow with the number of units.
        key = key[:120]
        spans: list[tuple[int, int]] = []
        codes: set[str] = set()
        for size in range(min(len(key), self._longest_unit_key), 1, -1):
            for start in range(len(key) - size + 1):
                code = index.get(key[start:start + size])
                if code is None or any(a <= start and start + size <= b for a, b in spans):
                    continue
                spans.append((start, start + size))
                codes.add(code)
        return codes.pop() if len(codes) == 1 else None  # two different units named: do not guess


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
    inferred = layout is None
    if layout is None:
        layout = find_layout(visible, cat)

    # unit: metadata, then a 填报单位 cell, then the file name
    stem = PurePath(display).stem
    candidates: list[tuple[str, str]] = []
    if meta and meta.get(fl.META_UNIT) in cat.unit_names:
        candidates.append(("meta", meta[fl.META_UNIT]))
    unit_cell = _unit_from_cells(visible, cat)
    if unit_cell and unit_cell.value:
        candidates.append(("cell", unit_cell.value))
    name_unit = cat.match_unit(stem)
    if name_unit:
        candidates.append(("name", name_unit))
    unit = candidates[0][1] if candidates else None
    names = cat.unit_names
    at_cell = {"sheet": unit_cell.sheet, "cell": unit_cell.cell} if unit_cell else {}
    if unit is None:
        said = f"；填报单位：{unit_cell.text}" if unit_cell else ""
        issues.append(issue("unknown-unit", file=display, **at_cell,
                            detail=f"（文件名与“填报单位”均未写明已知单位{said}）"))
    else:
        source = candidates[0][0]
        if source != "meta":
            how = {"cell": ("“填报单位”", "the 填报单位 cell"), "name": ("文件名", "the file name")}[source]
            issues.append(issue("unit-inferred", file=display, unit=unit, **(at_cell if source == "cell" else {}),
                                unit_name=names[unit], source=how[0], source_en=how[1]))
        if any(c != unit for _, c in candidates):
            said = "，".join(f"{ {'meta': '表单信息', 'cell': '填报单位', 'name': '文件名'}[s]}为 {names[c]}"
                            for s, c in candidates)
            issues.append(issue("unit-mismatch", file=display, unit=unit, **at_cell,
                                detail=f"{said}；按 {names[unit]} 处理"))

    if inferred and layout is not None:
        issues.insert(0, issue("layout-inferred", file=display, sheet=layout.sheet.name, unit=unit or "",
                               cell=_a1(layout.header_row, layout.value_col),
                               detail=f"{layout.sheet.name} 表，{len(layout.rows)} 项指标，数值列 "
                                      f"{_col_letter(layout.value_col)}"))
    if meta and meta.get(fl.META_DISTRICT) and meta[fl.META_DISTRICT] != cat.district:
        issues.append(issue("other-district", file=display, unit=unit or "", detail=meta[fl.META_DISTRICT]))

    # period: metadata, then the title, then the file name (then the folder). A month written
    # without its year ("1-11月", "11月") takes the year stated elsewhere, else the --period's.
    pcands: list[tuple[str, Period]] = []
    meta_p = None
    if meta and meta.get(fl.META_PERIOD):
        try:
            meta_p = Period.parse(meta[fl.META_PERIOD])
            pcands.append(("meta", meta_p))
        except ValueError:
            pass
    folder_text = str(PurePath(display).parent)
    year_hint = _year_hint(meta_p, visible, layout, stem, folder_text) or (assume.year if assume else None)
    title = _period_from_cells(visible, layout, year_hint)
    if title:
        pcands.append(("title", title.value))
    name_p = period_from_text(stem, year_hint)
    if name_p:
        pcands.append(("name", name_p))
    elif not pcands:  # the folder the clerk filed it in, as a last resort
        folder_p = period_from_text(folder_text, year_hint)
        if folder_p:
            pcands.append(("folder", folder_p))
    period = pcands[0][1] if pcands else None
    where = {"meta": "表单信息", "title": "标题", "name": "文件名", "folder": "所在文件夹"}
    at_title = {"sheet": title.sheet, "cell": title.cell} if title else {}
    if period is None:
        if assume is not None:
            period = assume
            issues.append(issue("period-assumed", file=display, unit=unit or "", detail=str(assume)))
        else:
            issues.append(issue("unknown-period", file=display, unit=unit or ""))
    else:
        source = pcands[0][0]
        if source != "meta":
            issues.append(issue("period-inferred", file=display, unit=unit or "",
                                **(at_title if source == "title" else {}),
                                detail=f"{period}（依据{where[source]}）"))
        if any(p != period for _, p in pcands):
            said = "，".join(f"{where[s]}为 {p.year}年{p.month}月" for s, p in pcands)
            issues.append(issue("period-mismatch", file=display, unit=unit or "", **at_title,
                                detail=f"{said}；按 {period} 处理"))
    if layout is None:
        issues.append(issue("no-data-table", file=display, unit=unit or ""))
    return Recognition(unit, period, layout, issues)


def _year_hint(meta_p: Period | None, sheets: list[Grid], layout: Layout | None, stem: str,
               folder: str) -> int | None:
    """The year for a month written without one: from a full period anywhere (metadata, title,
    file name, folder), else from a year written alone ("2022年度", "湖塘镇-2022.xlsx")."""
    if meta_p:
        return meta_p.year
    title = _period_from_cells(sheets, layout, None)
    for p in (title.value if title else None, period_from_text(stem), period_from_text(folder)):
        if p:
            return p.year
    return _year_in_cells(sheets, layout) or year_in_text(stem, bare=True) or year_in_text(folder, bare=True)


def _a1(row: int, col: int) -> str:
    from reporting.core.cells import a1

    return a1(row, col)


def _col_letter(col: int) -> str:
    from reporting.core.cells import column_letter

    return column_letter(col)


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
    # the columns must still be where the form put them (a unit may insert or delete one)
    header = fl.HEADER_ROW - 1
    for col in (fl.COL_NAME, fl.COL_VALUE, fl.COL_REMARK):
        if norm_label(sheet.cell(header, col - 1)) != norm_label(fl.HEADERS[col - 1]):
            return None
    return Layout(sheet, rows, fl.COL_VALUE - 1, fl.COL_REMARK - 1, fl.COL_NAME - 1, header, exact=True)


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
        if any(x in key for x in _MONTHLY_HEADER) and "累计" not in key:
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


@dataclass(frozen=True)
class _Found:
    """Something read from a cell, with the cell it was read from."""

    value: Any
    text: str
    sheet: str
    cell: str


def _unit_from_cells(sheets: list[Grid], cat: Catalogue) -> _Found | None:
    """The unit named in a 填报单位 cell ("填报单位：湖塘镇") or in a cell to its right.

    The first cell that names a known unit wins; failing that, the first text found
    after such a label is returned (value None) so that the clerk can be told what it said.
    """
    from reporting.core.cells import a1

    unknown: _Found | None = None
    for sheet in sheets:
        for r, row in enumerate(sheet.rows[:15]):
            for c, v in enumerate(row):
                if not isinstance(v, str):
                    continue
                text = v.strip()
                label = next((lab for lab in fl.UNIT_LABELS if lab in text), None)
                if label is None:
                    continue
                after = re.split(r"[:：]", text.split(label, 1)[1], maxsplit=1)[-1].strip()
                after = re.split(r"\s{2,}|报送期|填报日期|日期", after)[0].strip()
                at = c
                if not after:
                    at = next((cc for cc in range(c + 1, min(c + 4, len(row)))
                               if isinstance(row[cc], str) and row[cc].strip()), -1)
                    after = str(row[at]).strip() if at >= 0 else ""
                if not after:
                    continue
                got = _Found(cat.match_unit(after), after, sheet.name, a1(r, at))
                if got.value:
                    return got
                unknown = unknown or got
    return unknown


def _title_cells(sheets: list[Grid], layout: Layout | None) -> Iterator[tuple[Grid, int, int, str]]:
    """Text cells above the table (or in the first rows of the other sheets): title, 报送期 line."""
    for sheet in ([layout.sheet] if layout else []) + [s for s in sheets if layout is None or s is not layout.sheet]:
        limit = (layout.header_row if layout and sheet is layout.sheet else 10) + 1
        for r, row in enumerate(sheet.rows[:limit]):
            for c, v in enumerate(row):
                if isinstance(v, str):
                    yield sheet, r, c, _before_date_label(v)


def _period_from_cells(sheets: list[Grid], layout: Layout | None, year_hint: int | None) -> _Found | None:
    """The period written in the title or a 报送期 cell above the table."""
    from reporting.core.cells import a1

    for sheet, r, c, text in _title_cells(sheets, layout):
        p = period_from_text(text, year_hint, allow_bare_month=False)
        if p:
            return _Found(p, text, sheet.name, a1(r, c))
    return None


def _year_in_cells(sheets: list[Grid], layout: Layout | None) -> int | None:
    """A year written above the table without its month ("2022年度科技指标")."""
    for _, _, _, text in _title_cells(sheets, layout):
        y = year_in_text(text)
        if y:
            return y
    return None


def year_in_text(text: str, *, bare: bool = False) -> int | None:
    """A year written as ``2022年`` (or, with ``bare``, as ``2022`` alone, as in file names)."""
    m = (_BARE_YEAR if bare else _YEAR).search(unicodedata.normalize("NFKC", str(text)))
    return int(m.group(1)) if m else None


def _before_date_label(text: str) -> str:
    """The text up to a 填报日期-like label: what follows is the day the form was filled in."""
    for label in _DATE_LABELS:
        text = text.split(label, 1)[0]
    return text


def period_from_text(text: str, year_hint: int | None = None, *, allow_bare_month: bool = True) -> Period | None:
    """``2022年11月``, ``2022年1-11月``, ``202211``, ``2022-11``; ``1-11月`` or ``11月`` with a known year.

    Full-width digits and dashes count as their ASCII forms. A date ("2022年12月5日",
    "2022-12-05") is the day a form was filled in, not a period, unless it is the
    last day of its month ("截至2022年11月30日").
    """
    s = unicodedata.normalize("NFKC", str(text))
    for m in _YEAR_MONTH.finditer(s):
        p = _period(int(m.group(1)), int(m.group(2)), s, m.end(), _DAY_AFTER_MONTH)
        if p:
            return p
    for m in _FILE_YM.finditer(s):
        after = _DAY_AFTER_MONTH if m.group(0).endswith("月") else _DAY_AFTER_NUMBER
        p = _period(int(m.group(1)), int(m.group(2)), s, m.end(), after)
        if p:
            return p
    own_year = _YEAR.search(s)  # "2022年度科技指标（1-11月）": the text's own year comes first
    year_hint = int(own_year.group(1)) if own_year else year_hint
    if year_hint:
        for m in _RANGE_MONTH.finditer(s):
            p = _period(year_hint, int(m.group(1)), s, m.end(), _DAY_AFTER_MONTH)
            if p:
                return p
        if allow_bare_month:
            for m in _MONTH_ONLY.finditer(s):
                p = _period(year_hint, int(m.group(1)), s, m.end(), _DAY_AFTER_MONTH)
                if p:
                    return p
    return None


def _period(year: int, month: int, text: str, end: int, day_after: re.Pattern[str]) -> Period | None:
    """The period (year, month), or None when it is no month or a date that does not end the month."""
    if not 1 <= month <= 12:
        return None
    day = day_after.match(text, end)
    if day and int(day.group(1)) != calendar.monthrange(year, month)[1]:
        return None
    return Period(year, month)
