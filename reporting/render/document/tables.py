"""The annex tables as real Word tables: the district table, the composite ranking, the lights.

Each on its own landscape page (A4 turned, 237 mm wide), header row repeated on every page, rows
never split, numbers right-aligned, 并列 ranks written out, group rows shaded. The numbers are the
results' own (formatted as the workbook shows them), so the tests can compare them with
results.json cell by cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

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


def _twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


_JC = {"l": "left", "c": "center", "r": "right"}


class _Xml:
    """Table XML written as text and parsed once: python-docx's object API takes about a millisecond a
    cell (it rescans the row for every ``cells`` and the styles for every ``style``), which a ranking
    of a few hundred units would feel. The elements are the ones Word writes, in schema order."""

    def __init__(self, doc: Any, size: float) -> None:
        from xml.sax.saxutils import escape

        self.escape = escape
        self.style = doc.styles[P.STYLE_TABLE].style_id
        half = str(round(size * 2))
        self.sz = f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'

    def fonts(self, east: str) -> str:
        latin = P.LATIN_FONT
        return (f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east}" w:cs="{latin}" '
                'w:hint="eastAsia"/>')

    def cell(self, text: str, width: int, align: str, *, east: str = P.BODY_FONT, fill: str | None = None,
             colour: str | None = None, bold: bool = False, span: int = 1, keep: bool = False,
             upright: bool = True) -> str:
        pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            pr += f'<w:gridSpan w:val="{span}"/>'
        if fill:
            pr += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill.lstrip("#").upper()}"/>'
        if not upright:  # read from the bottom up: long headings over narrow columns
            pr += '<w:textDirection w:val="btLr"/>'
        pr += '<w:vAlign w:val="center"/>'
        rpr = self.fonts(east) + ("<w:b/>" if bold else "")
        if colour:
            rpr += f'<w:color w:val="{colour.lstrip("#").upper()}"/>'
        rpr += self.sz
        body = "<w:br/>".join(f'<w:t xml:space="preserve">{self.escape(line)}</w:t>' for line in text.split("\n"))
        ppr = f'<w:pStyle w:val="{self.style}"/>' + ("<w:keepNext/>" if keep else "") + f'<w:jc w:val="{_JC[align]}"/>'
        return f"<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:pPr>{ppr}</w:pPr><w:r><w:rPr>{rpr}</w:rPr>{body}</w:r></w:p></w:tc>"


def table(doc: Any, cols: list[Col], rows: list[Row], *, size: float = P.SIZE_TABLE,
          margin_mm: float = 1.5, row_pt: float = 20, head_pt: float | None = None) -> Any:
    """A fixed-layout grid with a repeated header row; group rows merge across the table.

    Rows never split across pages; the last two keep with what follows (the note or the legend).
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    x = _Xml(doc, size)
    widths = [_twips(c.width) for c in cols]
    margin = _twips(margin_mm)
    grid_style = doc.styles["Table Grid"].style_id
    height = round(row_pt * 20)
    out = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{grid_style}"/>'
           f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
           f'<w:tblCellMar><w:left w:w="{margin}" w:type="dxa"/><w:right w:w="{margin}" w:type="dxa"/>'
           '</w:tblCellMar><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
           'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>']
    out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
    out.append("</w:tblGrid>")

    def tr(cells: str, header: bool = False) -> str:
        h = round(head_pt * 20) if header and head_pt else height
        pr = f'<w:cantSplit/><w:trHeight w:val="{h}" w:hRule="atLeast"/>' + ("<w:tblHeader/>" if header else "")
        return f"<w:tr><w:trPr>{pr}</w:trPr>{cells}</w:tr>"

    # with head_pt, the headings of all but the first column are turned to read upwards
    out.append(tr("".join(x.cell(c.head, w, "c" if not head_pt or k == 0 else "l", east=P.HEAD1_FONT,
                                 fill=HEAD_FILL, upright=not head_pt or k == 0)
                          for k, (c, w) in enumerate(zip(cols, widths, strict=True))), header=True))
    last = len(rows) - 2
    for n, row in enumerate(rows):
        keep = n >= last
        if isinstance(row, str):
            out.append(tr(x.cell(row, sum(widths), "l", east=P.HEAD1_FONT, fill=GROUP_FILL, span=len(cols),
                                 keep=keep)))
            continue
        out.append(tr("".join(x.cell(cell.text, w, col.align, fill=cell.fill, colour=cell.colour, bold=cell.bold,
                                     keep=keep)
                              for col, cell, w in zip(cols, row, widths, strict=True))))
    out.append("</w:tbl>")
    tbl = parse_xml("".join(out))
    body = doc.element.body
    sect = body.find(qn("w:sectPr"))
    if sect is not None:
        sect.addprevious(tbl)
    else:  # pragma: no cover - python-docx's body always ends with its sectPr
        body.append(tbl)
    return tbl


# --------------------------------------------------------------------------- the three annexes


def district_table(doc: Any, results: Results, lights: LightSettings, lang: str) -> Any:
    inds = results.district.indicators
    with_yoy = any(i.yoy is not None for i in inds)

    def L(key: str) -> str:
        return word(key, lang)

    # widths (mm) of No., indicator, unit, target, actual, rate, schedule, gap, yoy, status: English
    # headings are longer words and its names longer phrases, set a size smaller
    w = [11.5, 62, 20, 23, 23, 19, 19, 19.5, 20, 20] if lang == "zh" else [10, 58, 17, 22, 22, 23, 22, 21, 18, 26]
    if not with_yoy:
        w[1] += w[8]
    cols = [Col(L("col.no"), w[0]), Col(L("col.indicator"), w[1], "l"), Col(L("col.unit"), w[2]),
            Col(L("col.target"), w[3], "r"), Col(L("col.actual"), w[4], "r"), Col(L("col.rate"), w[5], "r"),
            Col(L("col.schedule"), w[6], "r"), Col(tx("gw.col.gap", lang), w[7], "r")]
    if with_yoy:
        cols.append(Col(L("col.yoy"), w[8], "r"))
    cols.append(Col(L("col.status"), w[9]))
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
    return table(doc, cols, rows, size=SIZE_BIG if lang == "zh" else P.SIZE_TABLE, row_pt=24 if lang == "zh" else 20)


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


ANNEX_ENDS = 25  # a group of more than twice this many units is listed by its leading and trailing units


def _trimmed(members: list[UnitResult], lang: str) -> list[UnitResult | str]:
    """The units of a group for an annex table: all of them, or the first and last ``ANNEX_ENDS``
    with one row saying how many are left out (the workbook lists every unit; a document of
    hundreds of pages is printed by nobody)."""
    if len(members) <= 2 * ANNEX_ENDS:
        return list(members)
    skipped = len(members) - 2 * ANNEX_ENDS
    return [*members[:ANNEX_ENDS], tx("gw.table.more", lang, n=skipped), *members[-ANNEX_ENDS:]]


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
        for u in _trimmed(ordered, lang):
            if isinstance(u, str):
                rows.append(u)
                continue
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
    return table(doc, cols, rows, size=SIZE_BIG if lang == "zh" else P.SIZE_TABLE)


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
        for u in _trimmed(members, lang):
            if isinstance(u, str):
                rows.append(u)
                continue
            row = [Cell(display_name(u, lang))]
            for i in inds:
                v = results.value(u.code, i.code)
                row.append(light_cell(lit[u.code][i.code], v.rate if v else None, lang))
            rows.append(row)
    # English names are long phrases over 17 mm columns: turned upwards rather than broken mid-word
    return table(doc, cols, rows, size=9.0, margin_mm=0.8, row_pt=15, head_pt=None if lang == "zh" else 66)


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
