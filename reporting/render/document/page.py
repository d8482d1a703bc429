"""The 公文 page and its styles (GB/T 9704-2012): A4, the 156 × 225 mm text block, 22 × 28 grid, fonts.

python-docx writes only the Latin slot of a run's font (``w:ascii``/``w:hAnsi``); Chinese text is
drawn from the East-Asian slot, which without ``w:eastAsia`` falls back to the theme's font (a
Japanese Mincho in python-docx's template). So every style and every run gets all four slots from
:func:`set_fonts`, and the theme references are removed from the document defaults.

Word has no fallback list for a font, but its font table may name an ``altName``: 方正小标宋简体
falls back to 华文中宋/宋体, 仿宋_GB2312 to 仿宋, 楷体_GB2312 to 楷体 on a PC without them.
"""

from __future__ import annotations

from typing import Any

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

# Fonts (East-Asian slot) and their fallbacks (written to the font table as altName).
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEAD1_FONT = "黑体"
HEAD2_FONT = "楷体_GB2312"
NUMBER_FONT = "宋体"  # page numbers: 4号半角宋体
LATIN_FONT = "Times New Roman"
FALLBACKS = {TITLE_FONT: "华文中宋", BODY_FONT: "仿宋", HEAD2_FONT: "楷体", HEAD1_FONT: "SimHei",
             NUMBER_FONT: "SimSun"}

RED = RGBColor(0xFF, 0x00, 0x00)
SIZE_TITLE = 22.0  # 2号
SIZE_BODY = 16.0  # 3号
SIZE_NUMBER = 14.0  # 4号
SIZE_TABLE = 10.5  # 五号
SIZE_MARK = 36.0  # 发文机关标志 (GB/T 9704: no larger than 22 mm × 15 mm a character)

# Geometry (GB/T 9704 §5.2.1): top 37 mm, left 28 mm, text block 156 × 225 mm on A4 210 × 297 mm.
PAGE_W, PAGE_H = 210, 297
TOP, LEFT, BLOCK_W, BLOCK_H = 37, 28, 156, 225
BOTTOM, RIGHT = PAGE_H - TOP - BLOCK_H, PAGE_W - LEFT - BLOCK_W
LINES, CHARS = 22, 28
LINE_PITCH = round(BLOCK_H / 25.4 * 1440 / LINES)  # twips: 579 (28.95 pt)
LINE_PT = LINE_PITCH / 20
CHAR_PITCH_PT = BLOCK_W / 25.4 * 72 / CHARS  # 15.8 pt for 3号 at 28 a line
# 28 characters a line: a 3号 character is 16 pt and the block 442 pt wide, so the text is set 0.25 pt
# tighter. (A character grid, docGrid linesAndChars, would do the same in Word, but LibreOffice then
# gives each glyph wider than the grid's cell two cells: 14 characters a line.)
CHAR_TIGHTEN = -5  # twentieths of a point: 15.75 pt a character, 28 to the line
FOOTER_MM = 21  # page number: its upper edge about 7 mm below the text block

# Annex pages, landscape: the same margins turned a quarter (binding edge on top).
LAND_TOP, LAND_BOTTOM, LAND_LEFT, LAND_RIGHT = 28, 26, 30, 30

STYLE_TITLE, STYLE_H1, STYLE_H2, STYLE_H3 = "Title", "Heading 1", "Heading 2", "Heading 3"
STYLE_BODY = "Normal"
STYLE_MARK, STYLE_NUMBER, STYLE_TO = "GW Mark", "GW Number", "GW Recipients"
STYLE_ANNEX_LIST, STYLE_SIGN, STYLE_DATE = "GW Annex List", "GW Signature", "GW Date"
STYLE_ANNEX_NO, STYLE_ANNEX_TITLE, STYLE_TABLE = "GW Annex Number", "GW Annex Title", "GW Table"
STYLE_NOTE, STYLE_RECORD, STYLE_PAGE = "GW Note", "GW Record", "GW Page Number"


# The schema order of a paragraph's properties: Word refuses a file whose w:pPr children are out of order.
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
              "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
              "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange")


_TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook")
_RPR_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
              "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
              "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
              "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")
_TCPR_ORDER = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
               "textDirection", "tcFitText", "vAlign", "hideMark")


def _put(parent: Any, el: Any, order: tuple[str, ...]) -> Any:
    """Put ``el`` into ``parent`` in schema order, replacing one of the same name."""
    name = el.tag.split("}", 1)[1]
    for old in parent.findall(el.tag):
        parent.remove(old)
    rank = order.index(name)
    for i, child in enumerate(parent):
        other = child.tag.split("}", 1)[1]
        if other in order and order.index(other) > rank:
            parent.insert(i, el)
            return el
    parent.append(el)
    return el


def put_ppr(ppr: Any, el: Any) -> Any:
    """Into a paragraph's properties (w:pPr), in schema order."""
    return _put(ppr, el, _PPR_ORDER)


def put_tblpr(tblpr: Any, el: Any) -> Any:
    """Into a table's properties (w:tblPr), in schema order."""
    return _put(tblpr, el, _TBLPR_ORDER)


def put_tcpr(tcpr: Any, el: Any) -> Any:
    """Into a cell's properties (w:tcPr), in schema order."""
    return _put(tcpr, el, _TCPR_ORDER)


def set_fonts(el: Any, east: str, latin: str = LATIN_FONT) -> None:
    """Write all four font slots of a run or style (``el`` has ``get_or_add_rPr``), East-Asian explicit."""
    rpr = el.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def run(paragraph: Any, text: str, east: str, *, size: float | None = None, bold: bool | None = None,
        colour: RGBColor | None = None, latin: str = LATIN_FONT) -> Any:
    """A run with its East-Asian font set (and the Latin one, for digits and 'x')."""
    r = paragraph.add_run(text)
    set_fonts(r._r, east, latin)
    if size is not None:
        r.font.size = Pt(size)
    if bold is not None:
        r.font.bold = bold
    if colour is not None:
        r.font.color.rgb = colour
    return r


def _paragraph_style(doc: Any, name: str, east: str, size: float, *, bold: bool = False,
                     align: Any = None, first_chars: float = 0, left_chars: float = 0, right_chars: float = 0,
                     line: float | None = LINE_PT, keep: bool = False, outline: int | None = None,
                     colour: RGBColor | None = None, base: str | None = STYLE_BODY) -> Any:
    styles = doc.styles
    try:
        st = styles[name]
    except KeyError:
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base and name != base:
        st.base_style = styles[base]
    st.quick_style = True
    rpr = st.element.get_or_add_rPr()
    for child in list(rpr):  # the template's theme colours, fonts and sizes
        rpr.remove(child)
    set_fonts(st.element, east)
    st.font.size = Pt(size)
    st.font.bold = bold
    st.font.italic = False
    st.font.color.rgb = colour or RGBColor(0, 0, 0)
    if size == SIZE_BODY:
        tight = OxmlElement("w:spacing")
        tight.set(qn("w:val"), str(CHAR_TIGHTEN))
        _put(rpr, tight, _RPR_ORDER)
    ppr = st.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:pBdr")):  # the template's Title has a blue rule under it
        ppr.remove(old)
    pf = st.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing = Pt(line)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.keep_with_next = keep
    pf.widow_control = True
    _indent(st.element.get_or_add_pPr(), size, first_chars, left_chars, right_chars)
    if outline is not None:
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(outline))
        put_ppr(st.element.get_or_add_pPr(), lvl)
    return st


def _indent(ppr: Any, size: float, first: float, left: float, right: float) -> None:
    """Indents in characters (Word's *Chars attributes) with the twips LibreOffice reads beside them."""
    for old in ppr.findall(qn("w:ind")):
        ppr.remove(old)
    ind = OxmlElement("w:ind")
    if not (first or left or right):  # explicit zeros: the body style's 2-character indent is not inherited
        for attr in ("left", "leftChars", "right", "rightChars", "firstLine", "firstLineChars"):
            ind.set(qn(f"w:{attr}"), "0")
        put_ppr(ppr, ind)
        return

    def put(name: str, chars: float) -> None:
        ind.set(qn(f"w:{name}"), str(round(chars * size * 20)))
        ind.set(qn(f"w:{name}Chars"), str(round(chars * 100)))

    if left:
        put("left", left)
    if right:
        put("right", right)
    if first > 0:
        put("firstLine", first)
    elif first < 0:
        put("hanging", -first)
    else:  # explicit: not the body style's two characters
        put("firstLine", 0)
    put_ppr(ppr, ind)


def indent_chars(paragraph: Any, size: float, first: float = 0, left: float = 0, right: float = 0) -> None:
    """Direct indents on one paragraph, in characters of ``size`` (fractions for Latin text)."""
    _indent(paragraph._p.get_or_add_pPr(), size, first, left, right)


def setup_styles(doc: Any) -> None:
    """Document defaults without theme fonts, and every style the document uses."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    for el in rpr.findall(qn("w:sz")) + rpr.findall(qn("w:szCs")):
        el.set(qn("w:val"), str(int(SIZE_BODY * 2)))
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr):
        ppr.remove(child)
    C, L, R = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph_style(doc, STYLE_BODY, BODY_FONT, SIZE_BODY, first_chars=2, base=None)
    _paragraph_style(doc, STYLE_TITLE, TITLE_FONT, SIZE_TITLE, align=C, line=LINE_PT * 1.2, keep=True)
    _paragraph_style(doc, STYLE_H1, HEAD1_FONT, SIZE_BODY, first_chars=2, keep=True, outline=0)
    _paragraph_style(doc, STYLE_H2, HEAD2_FONT, SIZE_BODY, first_chars=2, keep=True, outline=1)
    _paragraph_style(doc, STYLE_H3, BODY_FONT, SIZE_BODY, bold=True, first_chars=2, keep=True, outline=2)
    _paragraph_style(doc, STYLE_MARK, TITLE_FONT, SIZE_MARK, align=C, line=SIZE_MARK * 1.25, colour=RED)
    _paragraph_style(doc, STYLE_NUMBER, BODY_FONT, SIZE_BODY, align=C)
    _paragraph_style(doc, STYLE_TO, BODY_FONT, SIZE_BODY, align=L)
    _paragraph_style(doc, STYLE_ANNEX_LIST, BODY_FONT, SIZE_BODY, align=L)
    _paragraph_style(doc, STYLE_SIGN, BODY_FONT, SIZE_BODY, align=R)
    _paragraph_style(doc, STYLE_DATE, BODY_FONT, SIZE_BODY, align=R, right_chars=4)
    _paragraph_style(doc, STYLE_ANNEX_NO, HEAD1_FONT, SIZE_BODY, align=L, keep=True)
    _paragraph_style(doc, STYLE_ANNEX_TITLE, TITLE_FONT, SIZE_TITLE * 0.82, align=C, keep=True, line=LINE_PT * 1.1)
    _paragraph_style(doc, STYLE_TABLE, BODY_FONT, SIZE_TABLE, align=C, line=None)
    _paragraph_style(doc, STYLE_NOTE, BODY_FONT, 12.0, align=L, line=None)
    _paragraph_style(doc, STYLE_RECORD, BODY_FONT, 14.0, align=L, line=None, left_chars=1, right_chars=1)
    _paragraph_style(doc, STYLE_PAGE, NUMBER_FONT, SIZE_NUMBER, align=R, line=None)
    for name in (STYLE_TABLE, STYLE_NOTE, STYLE_RECORD, STYLE_PAGE):
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        put_ppr(doc.styles[name].element.get_or_add_pPr(), snap)


def setup_page(section: Any) -> None:
    """A4 portrait, GB/T 9704 margins, the 22 × 28 grid."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(TOP), Mm(BOTTOM)
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
    section.header_distance, section.footer_distance = Mm(15), Mm(FOOTER_MM)
    section.gutter = 0
    _grid(section, "lines", LINE_PITCH)


def landscape_section(doc: Any) -> Any:
    """A new landscape section on a new page (the annex tables), footers as the document's."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(PAGE_H), Mm(PAGE_W)
    section.top_margin, section.bottom_margin = Mm(LAND_TOP), Mm(LAND_BOTTOM)
    section.left_margin, section.right_margin = Mm(LAND_LEFT), Mm(LAND_RIGHT)
    section.footer_distance = Mm(12)
    _grid(section, "default", 0)
    return section


def portrait_section(doc: Any) -> Any:
    """A new portrait section on a new page (the 版记 page after landscape annexes)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    setup_page(section)
    return section


def _grid(section: Any, kind: str, pitch: int) -> None:
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), kind)
    if pitch:
        grid.set(qn("w:linePitch"), str(pitch))
    sect.append(grid)


def page_numbers(doc: Any) -> None:
    """"— 1 —" in 4号 宋体: odd pages at the right, even pages at the left, a character in from the edge."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.style = doc.styles[STYLE_PAGE]
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            indent_chars(p, SIZE_NUMBER, right=1)
        else:
            indent_chars(p, SIZE_NUMBER, left=1)
        run(p, "— ", NUMBER_FONT)
        _field(p, "PAGE")
        run(p, " —", NUMBER_FONT)


def _field(paragraph: Any, code: str) -> None:
    """A complex field (begin, instruction, separate, a placeholder result, end), each run with its fonts."""
    for kind, text in (("begin", None), (None, f" {code} "), ("separate", None), (None, "1"), ("end", None)):
        r = run(paragraph, "", NUMBER_FONT)
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            r._r.append(fc)
        elif text.strip() == code:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._r.append(instr)
        else:
            r.text = text


def border(paragraph: Any, side: str, *, size: int, colour: str = "000000", space: int = 1) -> None:
    """A line above or below a paragraph (the red separator under 发文字号, the 版记 lines)."""
    ppr = paragraph._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = put_ppr(ppr, OxmlElement("w:pBdr"))
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:space"), str(space))
    el.set(qn("w:color"), colour)
    bdr.append(el)
