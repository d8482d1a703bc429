"""The annex tables as real Word tables: the district table, the composite ranking, the lights.

Each on its own landscape page (A4 turned, 237 mm wide), header row repeated on every page, rows
never split, numbers right-aligned, 并列 ranks written out, group rows shaded. The numbers are the
results' own (formatted as the workbook shows them), so the tests can compare them with
results.json cell by cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reporting.core.results import Results, UnitResult
from reporting.render.bulletin.layout import (
    AMBER_FILL,
    AMBER_FONT,
    GREEN_FILL,
    GREEN_FONT,
    GROUP_FILL,
    HEAD_FILL,
    RED_FILL,
    RED_FONT,
    label,
)
from reporting.render.document import page as P
from reporting.render.narrative import (
    DASH,
    display_name,
    display_unit,
    fmt_gap,
    fmt_number,
    fmt_rate,
    status_label,
    tx,
)
from reporting.score.lights import GREEN, GREY, RED, YELLOW, Light, light_counts, unit_lights
from reporting.workspace.config_document import LightSettings

SIZE_BIG = 12.0  # 小四: the district table and the ranking, which have room for it
LAND_W = P.PAGE_H - P.LAND_LEFT - P.LAND_RIGHT  # 237 mm
MARK = "●"
LIGHT_LOOK = {GREEN: (GREEN_FILL, GREEN_FONT), YELLOW: (AMBER_FILL, AMBER_FONT), RED: (RED_FILL, RED_FONT),
              GREY: (None, "#7F7F7F")}
_ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}


@dataclass(frozen=True)
class Col:
    head: str
    width: float  # mm
    align: str = "c"  # l | c | r


@dataclass(frozen=True)
class Cell:
    text: str
    fill: str | None = None
    colour: str | None = None
    bold: bool = False


Row = list[Cell] | str  # a str: a group row across the table


def word(key: str, lang: str) -> str:
    """A column heading from the bulletin's labels or the narrative's words, on one line."""
    from reporting.core.messages import BULLETIN_LABELS

    text = label(key, lang) if key in BULLETIN_LABELS else tx(key, lang)
    return text.replace("\n", "")


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _shade(cell: Any, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.lstrip("#").upper())
    P.put_tcpr(cell._tc.get_or_add_tcPr(), shd)


def _write(doc: Any, cell: Any, text: str, align: str, *, size: float, bold: bool = False,
           colour: str | None = None, east: str = P.BODY_FONT) -> None:
    p = cell.paragraphs[0]
    p._p.style = _table_style_id(doc)  # by id: python-docx's by-name look-up scans every style each time
    p.alignment = _ALIGN[align]
    for n, line in enumerate(text.split("\n")):
        r = P.run(p, line, east, size=size, bold=bold, colour=_rgb(colour) if colour else None)
        if n:
            r._r.insert(r._r.index(r._r.find(qn("w:t"))), OxmlElement("w:br"))
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _table_style_id(doc: Any) -> str:
    sid = getattr(doc, "_gw_table_style", None)
    if sid is None:
        sid = doc._gw_table_style = doc.styles[P.STYLE_TABLE].style_id
    return str(sid)


def table(doc: Any, cols: list[Col], rows: list[Row], *, size: float = P.SIZE_TABLE,
          margin_mm: float = 1.5, row_pt: float = 20) -> Any:
    """A fixed-layout grid with a repeated header row; group rows merge across the table."""
    t = doc.add_table(rows=1, cols=len(cols))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    P.put_tblpr(t._tbl.tblPr, layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(round(margin_mm / 25.4 * 1440)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    P.put_tblpr(t._tbl.tblPr, margins)
    head = t.rows[0]
    _row_props(head, row_pt, header=True)
    head_cells = head.cells
    for c, col in enumerate(cols):
        t.columns[c].width = Mm(col.width)
        cell = head_cells[c]
        cell.width = Mm(col.width)
        _write(doc, cell, col.head, "c", size=size, bold=False, east=P.HEAD1_FONT)
        _shade(cell, HEAD_FILL)
    for row in rows:
        r = t.add_row()
        _row_props(r, row_pt)
        cells = r.cells
        for c, col in enumerate(cols):
            cells[c].width = Mm(col.width)
        if isinstance(row, str):
            merged = cells[0].merge(cells[-1])
            _write(doc, merged, row, "l", size=size, east=P.HEAD1_FONT)
            _shade(merged, GROUP_FILL)
            continue
        for c, (col, cell) in enumerate(zip(cols, row, strict=True)):
            _write(doc, cells[c], cell.text, col.align, size=size, bold=cell.bold, colour=cell.colour)
            if cell.fill:
                _shade(cells[c], cell.fill)
    for tr in t._tbl.findall(qn("w:tr"))[-2:]:  # the last rows stay on the page of the note under them
        for p in tr.iter(qn("w:p")):
            P.put_ppr(p.get_or_add_pPr(), OxmlElement("w:keepNext"))
    return t


def _row_props(row: Any, row_pt: float, header: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    no_split = OxmlElement("w:cantSplit")
    trpr.append(no_split)
    if header:
        trpr.append(OxmlElement("w:tblHeader"))
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(round(row_pt * 20)))  # twips, at least
    height.set(qn("w:hRule"), "atLeast")
    trpr.append(height)


# --------------------------------------------------------------------------- the three annexes


def district_table(doc: Any, results: Results, lights: LightSettings, lang: str) -> Any:
    inds = results.district.indicators
    with_yoy = any(i.yoy is not None for i in inds)

    def L(key: str) -> str:
        return word(key, lang)

    cols = [Col(L("col.no"), 12), Col(L("col.indicator"), 61 if with_yoy else 81, "l"), Col(L("col.unit"), 20),
            Col(L("col.target"), 23, "r"), Col(L("col.actual"), 23, "r"), Col(L("col.rate"), 19, "r"),
            Col(L("col.schedule"), 19, "r"), Col(tx("gw.col.gap", lang), 20, "r")]
    if with_yoy:
        cols.append(Col(L("col.yoy"), 20, "r"))
    cols.append(Col(L("col.status"), 20))
    rows: list[Row] = []
    for n, i in enumerate(inds, 1):
        d = int(i.decimals or 0)
        fill, colour = _status_look(i.status)
        row = [Cell(str(n)), Cell(display_name(i, lang)), Cell(display_unit(i, lang)), Cell(fmt_number(i.target, d)),
               Cell(fmt_number(i.actual, d)), Cell(fmt_rate(i.rate)), Cell(fmt_rate(i.schedule)),
               Cell(fmt_gap(i.gap))]
        if with_yoy:
            row.append(Cell(_signed_rate(i.yoy)))
        row.append(Cell(status_label(i.status, lang), fill, colour))
        rows.append(row)
    return table(doc, cols, rows, size=SIZE_BIG, row_pt=24)


def _signed_rate(value: float | None) -> str:
    if value is None:
        return DASH
    text = fmt_rate(abs(value))
    return ("-" if value < 0 and text != "0.0%" else "+" if value > 0 and text != "0.0%" else "") + text


def _status_look(status: str) -> tuple[str | None, str | None]:
    if status == "behind":
        return RED_FILL, RED_FONT
    if status == "completed":
        return GREEN_FILL, GREEN_FONT
    return None, None


def rank_text(u: UnitResult, lang: str) -> str:
    """``3`` or ``并列3``: a tie is written out, as the meeting reads it."""
    if u.rank is None:
        return DASH
    return tx("gw.col.tied", lang, rank=u.rank) if u.rank_tied else str(u.rank)


def _change_text(u: UnitResult) -> str:
    if u.rank_change is None or u.rank is None:
        return DASH
    if u.rank_change > 0:
        return f"↑{u.rank_change}"
    if u.rank_change < 0:
        return f"↓{-u.rank_change}"
    return "—"


def ranking_table(doc: Any, results: Results, lights: LightSettings, lang: str) -> Any:

    def L(key: str) -> str:
        return word(key, lang)

    cols = [Col(L("col.rank"), 17), Col(L("col.unit_name"), 54, "l"), Col(L("col.score"), 24, "r"),
            Col(L("col.prev_rank"), 22), Col(L("col.change"), 20), Col(tx("gw.col.on_schedule", lang), 28)]
    if lights.enabled:
        cols.append(Col(tx("gw.col.lights", lang), 30))
    cols.append(Col(L("col.submission"), 42 if lights.enabled else 72))
    lit = unit_lights(results, lights) if lights.enabled else {}
    rows: list[Row] = []
    from reporting.render.bulletin.context import Ctx, submission_text

    ctx = Ctx.build(results, lang)
    for g in results.groups:
        members = [u for u in results.units if u.group == g.code]
        if not members:
            continue
        rows.append(display_name(g, lang))
        ordered = sorted((u for u in members if u.rank is not None), key=lambda u: u.rank or 0)
        ordered += [u for u in members if u.rank is None]
        for u in ordered:
            row = [Cell(rank_text(u, lang)), Cell(display_name(u, lang)),
                   Cell(f"{u.score:.2f}" if u.score is not None else DASH),
                   Cell(str(u.previous_rank) if u.previous_rank is not None else DASH), Cell(_change_text(u)),
                   Cell(f"{u.on_schedule or 0}/{u.scored}" if u.scored and u.status != "missing" else DASH)]
            if lights.enabled:
                c = light_counts(lit.get(u.code, {}))
                row.append(Cell(f"{c[GREEN]}/{c[YELLOW]}/{c[RED]}"))
            look = RED_FONT if u.status in ("missing", "errors") else None
            row.append(Cell(submission_text(u, ctx), None, look))
            rows.append(row)
    return table(doc, cols, rows, size=SIZE_BIG)


def light_cell(light: Light, rate: float | None, lang: str) -> Cell:
    """● and the rate, coloured and shaded by the light; 未报 for a missing value; a dash for grey."""
    fill, colour = LIGHT_LOOK[light.colour]
    if light.reason == "missing":
        text = f"{MARK} {label('unit.missing', lang)}"
    elif light.colour == GREY:
        return Cell(DASH, None, colour)
    else:
        text = f"{MARK} {fmt_rate(rate)}" if rate is not None else MARK
    return Cell(text, fill, colour)


def lights_table(doc: Any, results: Results, lights: LightSettings, lang: str) -> Any:
    inds = list(results.district.indicators)
    name_w = 34.0
    each = (LAND_W - name_w) / max(1, len(inds))
    cols = [Col(label("col.unit_name", lang), name_w, "l")] + [Col(display_name(i, lang), each) for i in inds]
    lit = unit_lights(results, lights)
    rows: list[Row] = []
    for g in results.groups:
        members = [u for u in results.units if u.group == g.code]
        if not members:
            continue
        rows.append(display_name(g, lang))
        for u in members:
            row = [Cell(display_name(u, lang))]
            for i in inds:
                v = results.value(u.code, i.code)
                row.append(light_cell(lit[u.code][i.code], v.rate if v else None, lang))
            rows.append(row)
    return table(doc, cols, rows, size=9.0, margin_mm=0.8, row_pt=15)


def legend(doc: Any, lights: LightSettings, lang: str) -> None:
    """The key to the colours under the lights table."""
    key = "lights.note_schedule" if lights.mode == "schedule" else "lights.note_average"
    p = doc.add_paragraph(style=doc.styles[P.STYLE_NOTE])
    p.paragraph_format.space_before = Pt(6)
    P.run(p, label("lights.legend", lang) + ("：" if lang == "zh" else ": "), P.BODY_FONT)
    for colour in (GREEN, YELLOW, RED):
        P.run(p, MARK, P.BODY_FONT, colour=_rgb(LIGHT_LOOK[colour][1]))
        P.run(p, label(f"lights.{colour}", lang) + "  ", P.BODY_FONT)
    P.run(p, label(key, lang, n=f"{lights.yellow_within:g}"), P.BODY_FONT)
