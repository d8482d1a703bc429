"""Recognise what a workbook is: which unit, which period, which cell holds which indicator.

The tool's own form says so exactly in its very-hidden ``_meta`` sheet. For
forms that units rebuilt, copied or edited, a fallback finds the header row
and the value column by their labels and matches rows to indicators by
normalised name and the catalogue's aliases; unit and period come from a
填报单位 cell, the title and the file name. Everything inferred is reported.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from reporting.core import formlayout as fl
from reporting.core.models import Indicator, Issue, Unit, issue
from reporting.core.periods import Period
from reporting.core.textnorm import norm_label
from reporting.ingest.evidence import Found, period_evidence, year_alone, year_in_cells
from reporting.ingest.layout import Layout
from reporting.ingest.periodtext import sheet_period, year_in_text

if TYPE_CHECKING:
    from reporting.io.book import Grid
    from reporting.workspace.config import Workspace

_SEAL = re.compile(r"^[(（]\s*(?:盖章|公章|签章|签字)\s*[)）]")
# a bracketed item number before a row label: "（一）", "(2)", "【3】"
_NUMBERING = re.compile(r"^\s*[(（\[【〔]\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）\]】〕]\s*")
# what a 填报单位 cell or a file name may hold besides the unit's name (text already through norm_label)
_UNIT_NOISE = re.compile(
    r"[一-鿿]{2,3}?省|人民政府|政府|管委会|管理委员会|办事处|党工委|"
    r"科技创新局|科技和人才局|科学技术局|科技局|科技办|科技科|科技站|经发局|经济发展局|经发办|经济服务中心|"
    r"党政办|办公室|统计站|财政所|盖章|公章|签章|签字|"
    r"[0-9〇零一二三四五六七八九十]+|年|月|份|底|度|日|号|"
    r"科技创新|科技|创新|重点|主要|指标|统计|报表|月报|季报|报送|上报|完成情况|情况|数据|汇总|填报|"
    r"附件|附表|样表|模板|格式|扫描件|扫描|电子版|台账|进展|进度|报告|材料|反馈|回执|核对|审核|确认|初稿|草稿|稿|工作|"
    r"第|期|季|上半|下半|半年|"
    r"累计|本年|全年|至|到|表|更正|更新|修改|修订|修正|更改|调整|重发|重报|补报|补发|再发|最终|最新|终版|定稿|正式|新|版|副本|复制|final|copy|v|"
    r"[a-z]+(?=$)")
# what a row label may hold besides an indicator's name (text through norm_label): 其中, 累计, 本年, a
# footnote mark or a period; a measure word (家, 个, 万元) only when it is the indicator's own unit
_LABEL_NOISE = re.compile(r"其中|累计|本年|今年|当年|年度|实际|完成|合计数|总数|数量|数|的|"
                          r"[0-9①-⑳]+|年|月|份|注|[*※△▲]")
_NAME_KEYS = frozenset(norm_label(h) for h in fl.NAME_HEADERS)  # 指标名称, 指标, 项目 … as label keys
_MONEY_WORDS = re.compile(r"(?:资金|金额|经费|总额|投入)+")
_SKIP_ROW_LABELS = ("填报人", "联系电话", "填报日期", "说明", "注", "审核人", "负责人", "合计", "总计", "备注")


@dataclass
class Catalogue:
    """Matchers built once per run (not per file): label keys for indicators and units."""

    indicators: tuple[Indicator, ...]
    units: tuple[Unit, ...]
    district: str
    city: str = ""
    ind_keys: dict[str, str] = field(default_factory=dict)  # norm label -> indicator code
    unit_keys: list[tuple[str, str]] = field(default_factory=list)  # (norm label, unit code), longest first
    _unit_keys_map: dict[str, str] | None = field(default=None, repr=False)
    _longest_unit_key: int = field(default=0, repr=False)
    _noise: re.Pattern[str] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, ws: Workspace) -> Catalogue:
        cat = cls(ws.indicators, ws.units, ws.settings.district, ws.settings.city)
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
        return self.match_indicator_how(label)[0]

    def match_indicator_how(self, label: object) -> tuple[str | None, bool]:
        """The indicator a row label names: its name or an alias, whatever the spacing, brackets,
        full-width characters or numbering ("1、", "（一）"); or the longest one the label contains."""
        if isinstance(label, str):
            label = _NUMBERING.sub("", label)
        key = norm_label(label)
        if not key:
            return None, False
        if key in self.ind_keys:
            return self.ind_keys[key], True
        # the label may carry extra words: "高新技术企业申报数（累计）" or "其中：瞪羚企业数"
        best = None
        for k, code in self.ind_keys.items():
            if len(k) >= 4 and k in key and (best is None or len(k) > len(best[0])):
                best = (k, code)
        if best is None:
            return None, False
        # only words that leave the meaning as it is: "拟申报高新技术企业数", "新增孵化面积目标",
        # "国家级人才项目（上年）", "揭榜挂帅项目个数" and "新增孵化面积（平方米）" are other figures.
        # The longest name found first, then the same indicator's shorter ones ("高新技术企业申报数量":
        # 申报数 leaves 量, 申报 leaves 数量); another indicator's name never.
        code = best[1]
        measure = self._measures[code]
        for k in sorted((k for k, c in self.ind_keys.items() if c == code and len(k) >= 4 and k in key),
                        key=len, reverse=True):
            rest = _LABEL_NOISE.sub("", key.replace(k, "", 1))
            if not rest or rest == measure or ("元" in measure and _MONEY_WORDS.fullmatch(rest)):
                return code, False
        return None, False

    @functools.cached_property
    def _measures(self) -> dict[str, str]:
        """Indicator code -> its unit of measure as a label key ("家", "万元")."""
        return {i.code: norm_label(i.unit) for i in self.indicators}

    @functools.cached_property
    def unit_names(self) -> dict[str, str]:
        """Unit code -> name, built once per run (per file it costs O(units): quadratic over an inbox)."""
        return {u.code: u.name for u in self.units}

    @functools.cached_property
    def unit_names_en(self) -> dict[str, str]:
        """Unit code -> English name (the Chinese one where the workspace gives none)."""
        return {u.code: u.display_name("en") for u in self.units}

    def _unit_index(self) -> dict[str, str]:
        if self._unit_keys_map is None:
            self._unit_keys_map = {}
            for k, code in self.unit_keys:
                self._unit_keys_map.setdefault(k, code)
            self._longest_unit_key = max((len(k) for k in self._unit_keys_map), default=0)
        return self._unit_keys_map

    def match_unit(self, text: object) -> str | None:
        """The unit whose name, alias or code is, or appears in, ``text``; None when none or two units do."""
        codes, rest = self.units_named(text)
        if len(codes) != 1:
            return None  # none, or two different units named: do not guess
        if not self.only_noise(rest):
            # "武进高新区南区", "湖塘街道", "常州国家高新区", "前黄镇寨桥片区": a name inside a longer,
            # different name is another place (a sub-area, another district's zone), not this unit
            return None
        return codes[0]

    def units_named(self, text: object) -> tuple[list[str], str]:
        """The units whose names appear in ``text`` (in order of first appearance) and what is left of it.

        Every name found, longest first; a name inside a longer one found there ("高新区" in
        "武进国家高新区") does not count on its own. Substrings are looked up rather than every name
        searched for, so the cost does not grow with the number of units.
        """
        key = norm_label(text)
        if not key:
            return [], ""
        index = self._unit_index()
        if key in index:
            return [index[key]], ""
        key = key[:120]
        spans: list[tuple[int, int]] = []
        found: list[tuple[int, str]] = []
        for size in range(min(len(key), self._longest_unit_key), 1, -1):
            for start in range(len(key) - size + 1):
                code = index.get(key[start:start + size])
                if code is None or any(a <= start and start + size <= b for a, b in spans):
                    continue
                spans.append((start, start + size))
                found.append((start, code))
        codes = list(dict.fromkeys(code for _, code in sorted(found)))
        rest = "".join(ch for i, ch in enumerate(key) if not any(a <= i < b for a, b in spans))
        return codes, rest

    def only_noise(self, rest: str) -> bool:
        """True when what a text holds besides a unit's name says nothing about which unit it is:
        the workspace's district and city, a province, the unit's offices (人民政府, 管委会, 科技局), a seal,
        the period, and the words of a report's or a file's name (附件1, 报表, 更正, 最终版, 扫描件)."""
        return not self.beyond_noise(rest)

    def beyond_noise(self, rest: str) -> str:
        """What is left of ``rest`` once the words ``only_noise`` allows are taken out."""
        for pattern in (self._district_noise(), _UNIT_NOISE):
            if not rest:
                break
            rest = pattern.sub("", rest)
        return rest

    def _district_noise(self) -> re.Pattern[str]:
        if self._noise is None:
            district, city = norm_label(self.district), norm_label(self.city)
            names = {district, district.removesuffix("区"), city, city.removesuffix("市")} - {""}
            self._noise = re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))) or "(?!)")
        return self._noise


def _unit_unknown(cat: Catalogue, stem: str, cell_text: str | None, lang: str) -> str:
    """Why no unit was found: what the 填报单位 cell said, and the units the file name does name
    with the words that kept them from counting (湖塘镇_横表: 横表 may name a sub-area), or the two
    units it names at once."""
    from reporting.core.messages import t

    said = t("recognise.unit_cell_said", lang, text=cell_text) if cell_text else ""
    codes, rest = cat.units_named(stem)
    names = cat.unit_names if lang == "zh" else cat.unit_names_en
    quoted = "、".join(f"“{names[c]}”" for c in codes) if lang == "zh" else ", ".join(names[c] for c in codes)
    if len(codes) > 1:
        return t("recognise.unit_name_several", lang, units=quoted, said=said)
    if codes:
        return t("recognise.unit_name_more", lang, unit=quoted, rest=cat.beyond_noise(rest), said=said)
    return t("recognise.unit_unknown", lang, said=said)


@dataclass
class TableProblem:
    """A table that was found but cannot be read safely: the issue code and its typed params."""

    code: str
    sheet: str
    cell: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Recognition:
    unit: str | None
    period: Period | None
    layout: Layout | None
    issues: list[Issue]
    conflict: bool = False  # the unit's or period's own evidence disagrees: it may replace nothing
    claims: tuple[str, ...] = ()  # the periods disagreeing evidence names (listed in each of those periods)
    folder_only: bool = False  # only the folder disagrees with the rest


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
    """Find unit, period and layout; weigh the evidence for each (see README, "How the tool decides").

    Inferences are info; independent evidence that disagrees is a file-level error
    (``unit-conflict``, ``period-conflict``) that keeps the file out and lets it replace nothing.
    """
    from reporting.core.messages import both, t

    issues: list[Issue] = []
    meta = read_meta(sheets)
    visible = [g for g in sheets if g.name != fl.META_SHEET]
    layout = _layout_from_meta(visible, meta, cat) if meta else None
    inferred = layout is None
    problems: list[TableProblem] = []
    stem = PurePath(display).stem
    if layout is None:
        year = assume.year if assume else (year_in_text(stem, bare=True) or year_in_cells(visible, None))
        layout = find_layout(visible, cat, assume, problems, year_hint=year)
    conflict = False
    names = cat.unit_names

    # unit: metadata, then a 填报单位 cell, then the file name
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
    at_cell = {"sheet": unit_cell.sheet, "cell": unit_cell.cell} if unit_cell else {}
    if unit is None:
        details = {lang: _unit_unknown(cat, stem, unit_cell.text if unit_cell else None, lang) for lang in ("zh", "en")}
        issues.append(issue("unknown-unit", file=display, **at_cell, detail=details["zh"], detail_en=details["en"]))
    else:
        source = candidates[0][0]
        if source != "meta":
            issues.append(issue("unit-inferred", file=display, unit=unit, **(at_cell if source == "cell" else {}),
                                unit_name=names[unit], unit_name_en=cat.unit_names_en[unit],
                                source=t(_quoted(source), "zh"),
                                source_en=t(_quoted(source), "en")))
        shown = {"zh": names, "en": cat.unit_names_en}
        said_items = {lang: [t("evidence.item", lang, source=t(f"evidence.{s_}", lang), where="", value=shown[lang][c])
                             for s_, c in candidates] for lang in ("zh", "en")}
        # a 填报单位 cell naming a place that is no configured unit ("湖塘街道", "武进高新区南区") is evidence too
        stray = None
        if unit_cell and not unit_cell.value and not cat.only_noise(norm_label(unit_cell.text)):
            stray = unit_cell.text
        if stray:
            for lang in ("zh", "en"):
                said_items[lang].insert(1 if candidates[0][0] == "meta" else 0, t(
                    "evidence.item", lang, source=t("evidence.cell", lang), where="", value=stray))
        if stray or any(c != unit for _, c in candidates):
            # pieces that disagree: a neighbour's form reused, or a file named for another unit. Which
            # unit's figures these are cannot be told, so the file is used for none and replaces nothing.
            conflict = True
            issues.append(issue("unit-conflict", file=display, unit=unit, **at_cell,
                                evidence=t("list.comma", "zh").join(said_items["zh"]),
                                evidence_en=t("list.comma", "en").join(said_items["en"])))

    for pr in problems:
        if pr.code in ("ambiguous-column", "month-or-ytd") or (layout is None and pr.code in ("ambiguous-sheet", "no-matching-rows")):
            issues.append(issue(pr.code, file=display, sheet=pr.sheet, cell=pr.cell, unit=unit or "", **pr.params))
    if inferred and layout is not None:
        issues.insert(0, issue("layout-inferred", file=display, sheet=layout.sheet.name, unit=unit or "",
                               cell=_a1(layout.header_row, layout.value_col),
                               **both("detail", "recognise.layout", sheet=layout.sheet.name, n=len(layout.rows),
                                      col=_col_letter(layout.value_col))))
    if meta and meta.get(fl.META_DISTRICT) and meta[fl.META_DISTRICT] != cat.district:
        issues.append(issue("other-district", file=display, unit=unit or "", detail=meta[fl.META_DISTRICT]))

    # period: every independent piece of evidence; they must agree
    evidence = period_evidence(visible, meta, layout, display, assume)
    stated = [e for e in evidence if not e.year_only]  # a year alone can confirm or contradict, not name a month
    period = stated[0].value if stated else None
    if period is None:
        if assume is not None:
            period = assume
            issues.append(issue("period-assumed", file=display, unit=unit or "", detail=str(assume)))
        else:
            issues.append(issue("unknown-period", file=display, unit=unit or ""))
    else:
        first = stated[0]
        if any(not e.agrees(period) for e in evidence):
            conflict = True
            # the first cell that says something: the one to correct
            at_first = next(({"sheet": e.sheet, "cell": e.cell} for e in evidence if e.cell), {})
            listed = {lang: t("list.semi", lang).join(t("evidence.item", lang, source=t(f"evidence.{e.source}", lang),
                                        where=t("evidence.where", lang, where=e.where()) if e.where() else "",
                                        value=e.label(lang))
                                      for e in evidence) for lang in ("zh", "en")}
            issues.append(issue("period-conflict", file=display, unit=unit or "", **at_first,
                                evidence=listed["zh"], evidence_en=listed["en"]))
        elif first.source != "meta":
            at_first = {"sheet": first.sheet, "cell": first.cell} if first.cell else {}
            issues.append(issue("period-inferred", file=display, unit=unit or "", **at_first,
                                detail=t("recognise.period_from", "zh", period=str(period),
                                         source=t(f"evidence.{first.source}", "zh")),
                                detail_en=t("recognise.period_from", "en", period=str(period),
                                            source=t(f"evidence.{first.source}", "en"))))
    year = period.year if period else None
    if layout is not None and not layout.exact and len([g for g in visible if sheet_period(g.name, year)]) > 1:
        sp = sheet_period(layout.sheet.name, period.year if period else None)
        if sp is not None:
            issues.append(issue("sheet-chosen", file=display, sheet=layout.sheet.name, unit=unit or "",
                                period=str(sp)))
    if layout is not None and layout.second_table is not None:
        layout = _second_table(layout, period, display, unit or "", issues)
    if layout is None and not any(i.code in ("ambiguous-column", "month-or-ytd", "ambiguous-sheet", "no-matching-rows",
                                             "ambiguous-table") for i in issues):
        issues.append(issue("no-data-table", file=display, unit=unit or ""))
    claims = tuple(sorted({str(e.value) for e in stated})) if len({e.value for e in stated}) > 1 else ()
    folder_only = bool(claims) and len({e.value for e in stated if e.source != "folder"}) == 1
    return Recognition(unit, period, layout, issues, conflict, claims, folder_only)


def _second_table(layout: Layout, period: Period | None, display: str, unit: str, issues: list[Issue]) -> Layout | None:
    """Another table below this one (its header again): read this one only when the other is dated
    another period (2021年 under this year's); else which holds the figures cannot be told."""
    from reporting.ingest.periodtext import period_from_text

    second = layout.second_table
    assert second is not None
    last_row = max(layout.rows.values(), default=layout.header_row)
    texts = [v for row in layout.sheet.rows[last_row + 1:second + 2] for v in row if isinstance(v, str)]
    other: tuple[str, str] | None = None  # (zh, en)
    for text in texts:
        p = period_from_text(text, period.year if period else None)
        if p is not None and period is not None and p != period:
            other = (p.label_zh(), p.label_en())
            break
        y = year_alone(text)
        if p is None and y is not None and period is not None and y != period.year:
            other = (f"{y}年", str(y))
            break
    where = {"file": display, "sheet": layout.sheet.name, "cell": _a1(second, layout.label_col), "unit": unit}
    if other is None:
        issues.append(issue("ambiguous-table", **where, row=second + 1, header=_a1(layout.header_row, layout.value_col)))
        return None
    issues.append(issue("second-table", **where, row=second + 1, other=other[0], other_en=other[1],
                        header=_a1(layout.header_row, layout.value_col)))
    return layout


def _quoted(source: str) -> str:
    return "evidence.cell_quoted" if source == "cell" else f"evidence.{source}"


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


def find_layout(sheets: list[Grid], cat: Catalogue, want: Period | None = None,
                problems: list[TableProblem] | None = None, *, year_hint: int | None = None) -> Layout | None:
    """Find the table by its header: an indicator-name column and a year-to-date column.

    A workbook with one full table per sheet is read at the sheet of ``want`` (or, without one,
    the latest month named), one with a sheet per year (2021年 | 2022年) at the period's year (else
    the latest); several full tables that no sheet name tells apart give an
    ``ambiguous-sheet`` problem and no layout. Problems found on the way are appended to ``problems``.
    """
    problems = [] if problems is None else problems
    ordered = [g for g in sheets if g.state == "visible"] + [g for g in sheets if g.state != "visible"]
    found: list[Layout] = []
    for sheet in ordered:
        layout = _layout_in_sheet(sheet, cat, problems)
        if layout:
            found.append(layout)
    if not found:
        return None
    full = [lay for lay in found if len(lay.rows) * 2 >= max(2, len(cat.indicators))]
    if len(full) <= 1:
        return max(found, key=lambda lay: len(lay.rows))
    by_period = {lay.sheet.name: sheet_period(lay.sheet.name, want.year if want else year_hint) for lay in full}
    if all(by_period.values()):
        periods = [p for p in by_period.values() if p is not None]
        # without a period asked for, the latest month filled in: a workbook for the whole year has
        # its later months' sheets ready and blank ("12月" in November)
        filled = [by_period[lay.sheet.name] for lay in full if _has_figures(lay)]
        target = want if want in periods else (max(filled or periods) if want is None else None)
        chosen = [lay for lay in full if by_period[lay.sheet.name] == target]
        if len(chosen) == 1:
            return chosen[0]
        if target is None and want is not None:
            # no sheet for the period compiled: the latest, so the file is listed under its own period
            latest = max(periods)
            chosen = [lay for lay in full if by_period[lay.sheet.name] == latest]
            if len(chosen) == 1:
                return chosen[0]
    by_year = {lay.sheet.name: year_alone(lay.sheet.name) for lay in full}
    years = [y for y in by_year.values() if y is not None]
    if len(years) == len(full) and len(set(years)) == len(years):
        # a sheet per year (2021年 | 2022年): the period's year, else the latest, so the file is listed
        # under its own period; the chosen sheet's title and name are then weighed as evidence
        target_year = want.year if want is not None and want.year in years else max(years)
        return next(lay for lay in full if by_year[lay.sheet.name] == target_year)
    problems.append(TableProblem("ambiguous-sheet", "", "", {"sheets": _sep().join(lay.sheet.name for lay in full)}))
    return None


def _has_figures(layout: Layout) -> bool:
    """Some indicator row of the table holds a figure (or a formula) in its value column."""
    sheet = layout.sheet
    return any(sheet.cell(r, layout.value_col) not in (None, "") or (r, layout.value_col) in sheet.formula_no_value
               for r in layout.rows.values())


def _sep() -> str:
    from reporting.core.messages import t

    return t("list.sep", "zh")


def _layout_in_sheet(sheet: Grid, cat: Catalogue, problems: list[TableProblem]) -> Layout | None:
    from reporting.core.cells import a1
    from reporting.ingest.headers import (
        WEAK,
        header_at,
        measure_column,
        single_month_title,
        tier,
        unit_in_header,
    )

    for r in range(min(40, len(sheet.rows))):
        head = header_at(sheet.rows, r)
        if head is None:
            continue
        below_from = head.last + 1
        # the label column: the one with most indicator matches below the header
        counts: dict[int, int] = {}
        for below in sheet.rows[below_from:below_from + 80]:
            for c, v in enumerate(below):
                if isinstance(v, str) and cat.match_indicator(v):
                    counts[c] = counts.get(c, 0) + 1
        named = any(norm_label(v) in _NAME_KEYS for v in head.labels)
        if head.ambiguous is not None:
            if counts or named:
                c1, c2 = head.ambiguous
                problems.append(TableProblem("ambiguous-column", sheet.name, a1(head.first, c1), {
                    "label": head.labels[c1], "other_cell": a1(head.first, c2), "other_label": head.labels[c2]}))
            continue
        value_col = head.value_col
        assert value_col is not None
        counts.pop(value_col, None)
        if not counts:
            if named:
                problems.append(TableProblem("no-matching-rows", sheet.name, a1(head.first, value_col)))
            continue
        label_col = max(counts, key=lambda c: (counts[c], -c))
        keys = head.keys
        remark_col = next((c for c, k in enumerate(keys) if k in ("备注", "说明", "备注说明")), None)
        measure_col = measure_column(head.labels)
        layout = Layout(sheet, {}, value_col, remark_col, label_col, head.first, measure_col=measure_col,
                        header_measure=unit_in_header(head.labels[value_col]), header_last=head.last)
        _match_rows(layout, cat, below_from)
        if not layout.rows:
            continue
        if tier(head.labels[value_col]) == WEAK:
            title = next((str(v) for above in sheet.rows[:head.first] for v in above
                          if isinstance(v, str) and single_month_title(v)), None)
            if title is not None:  # 完成 under "11月份": the month's own figure as likely as the year's
                problems.append(TableProblem("month-or-ytd", sheet.name, a1(head.first, value_col), {
                    "label": head.labels[value_col], "title": title.strip()[:60]}))
                return None
        return layout
    return None


def _match_rows(layout: Layout, cat: Catalogue, start: int) -> None:
    """Rows to indicators: an exact name or alias beats a partial match, a main row beats a sub-item
    (其中/含/包括, or indented); a partial match on a sub-item is never the indicator."""
    sheet = layout.sheet
    best: dict[str, tuple[int, int]] = {}  # code -> (priority, row)
    dup: list[tuple[str, int]] = []
    unknown: list[tuple[int, str]] = []
    blank_run = 0
    for rr in range(start, len(sheet.rows)):
        label = sheet.cell(rr, layout.label_col)
        if rr > start and isinstance(label, str) and norm_label(label) in _NAME_KEYS:
            if _names_again(sheet, layout.label_col, rr + 1, cat, set(best)):
                # the header again over indicators already read: another table (last year's, a copy)
                # starts here; its rows are no second opinion on this table's
                layout.second_table = rr
                break
            continue  # the header repeated over the table's next rows (a second printed page)
        if label is None or str(label).strip() == "":
            blank_run += 1
            if blank_run > 5 and best:
                break
            continue
        blank_run = 0
        text = str(label)
        sub = is_sub_item(text)
        code, exact = cat.match_indicator_how(_SUB_PREFIX.sub("", text.strip()) if sub else text)
        if code is None or (sub and not exact):
            stripped = text.strip()
            value = sheet.cell(rr, layout.value_col)
            if (code is None and value not in (None, "") and not is_footer(stripped)
                    and not any(stripped.startswith(s) for s in _SKIP_ROW_LABELS)):
                unknown.append((rr, stripped[:40]))
            continue
        priority = (0 if sub else 2) + (1 if exact else 0)
        held = best.get(code)
        if held is None:
            best[code] = (priority, rr)
        elif priority > held[0]:
            if held[0] >= 2:
                dup.append((code, held[1]))
            best[code] = (priority, rr)
        elif priority >= 2 and held[0] >= 2:
            dup.append((code, rr))
    layout.rows = {code: rr for code, (_, rr) in best.items()}
    layout.unknown_rows = unknown
    layout.duplicate_rows = dup


def _names_again(sheet: Grid, label_col: int, start: int, cat: Catalogue, seen: set[str]) -> bool:
    """Whether the rows from ``start`` (up to the next run of blank rows) name an indicator in ``seen``."""
    blank_run = 0
    for rr in range(start, min(len(sheet.rows), start + 200)):
        label = sheet.cell(rr, label_col)
        if label is None or str(label).strip() == "":
            blank_run += 1
            if blank_run > 5:
                return False
            continue
        blank_run = 0
        if cat.match_indicator(label) in seen:
            return True
    return False


_SUB_PREFIX = re.compile(r"^\s*[(（]?\s*(?:其中|含|包括)\s*[)）]?\s*[:：,，、]?\s*")
_FOOTER = ("单位负责人", "负责人", "填表人", "填报人", "审核人", "统计负责人", "报出日期", "填报日期", "制表日期",
           "制表人", "联系电话", "联系人", "注", "说明", "备注", "合计", "小计", "总计")


def is_sub_item(label: str) -> bool:
    """A 其中/含/包括 row, or one indented (leading spaces) under the row above: never the main indicator."""
    if _SUB_PREFIX.match(label) and _SUB_PREFIX.match(label).end() > 0:  # type: ignore[union-attr]
        return True
    return bool(re.match(r"^[ \u3000]{2,}\S", label))


def is_footer(label: str) -> bool:
    """A signature line, a date line, a note or a total: not an indicator and not an unknown row."""
    key = unicodedata.normalize("NFKC", label).strip()
    return any(key.startswith(w) for w in _FOOTER)


def _unit_from_cells(sheets: list[Grid], cat: Catalogue) -> Found | None:
    """The unit named in a 填报单位 cell ("填报单位：湖塘镇") or in a cell to its right.

    The first cell that names a known unit wins; failing that, the first text found
    after such a label is returned (value None) so that the clerk can be told what it said.
    """
    from reporting.core.cells import a1

    unknown: Found | None = None
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
                after = _SEAL.sub("", after).strip()
                at = c
                if not after:
                    at = next((cc for cc in range(c + 1, min(c + 4, len(row)))
                               if isinstance(row[cc], str) and row[cc].strip()), -1)
                    after = str(row[at]).strip() if at >= 0 else ""
                if not after:
                    continue
                got = Found(cat.match_unit(after), after, sheet.name, a1(r, at))
                if got.value:
                    return got
                unknown = unknown or got
    return unknown

