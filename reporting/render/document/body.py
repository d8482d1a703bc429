"""The 公文 text laid out: 版头 (mark, 发文字号, red line), title, 主送, the parts, 附件说明, 署名 and 日期, 版记.

Positions follow GB/T 9704-2012 §7: the mark 35 mm below the top of the text block, the number two
lines below it with the red separator 4 mm under it, the title two lines below the separator, the
recipients one line below the title; the signature one line below the text (or the annex list),
two characters in from the right, the date on the next line starting two characters to the right
of the signature; the 版记 at the foot of the last page between full-width lines.
"""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from reporting.render.document import page as P
from reporting.render.document.content import K_BODY, K_H1, K_H2, K_H3, Content, text_chars
from reporting.render.narrative import tx


def para(doc: Any, style: str, text: str = "", east: str | None = None, **kw: Any) -> Any:
    """A paragraph of ``style`` with one run (its fonts set), or empty."""
    p = doc.add_paragraph(style=doc.styles[style])
    if text:
        P.run(p, text, east or _style_font(doc, style), **kw)
    return p


def _style_font(doc: Any, style: str) -> str:
    fonts = doc.styles[style].element.rPr.find(qn("w:rFonts"))
    return str(fonts.get(qn("w:eastAsia")))


def blank(doc: Any, n: int = 1) -> None:
    """Empty body lines (GB/T 9704 counts its distances in lines)."""
    for _ in range(n):
        para(doc, P.STYLE_BODY)


def masthead(doc: Any, content: Content, with_mark: bool) -> None:
    """版头: 发文机关标志 in red, 发文字号, and the red separator line (or just the number)."""
    if with_mark:
        p = para(doc, P.STYLE_MARK, content.mark, colour=P.RED)
        # the block already starts 37 mm down; the mark's upper edge at 35 mm below it
        p.paragraph_format.space_before = Pt(max(0.0, 35 / 25.4 * 72 - P.SIZE_MARK * 0.25))
        _fit_mark(p, content.mark)
        blank(doc, 1)
    p = para(doc, P.STYLE_NUMBER, content.number)
    if with_mark:
        P.border(p, "bottom", size=12, colour="FF0000", space=11)  # 4 mm below the number
    blank(doc, 2 if with_mark else 1)


def _fit_mark(p: Any, mark: str) -> None:
    """Narrow the mark's characters when it would overflow the 156 mm block (long names of bureaus)."""
    chars = text_chars(mark)
    width_pt = P.BLOCK_W / 25.4 * 72
    if chars * P.SIZE_MARK > width_pt:
        size = max(20.0, width_pt / chars - 0.5)
        for r in p.runs:
            r.font.size = Pt(size)


_TITLE_BREAKS = "于年月区县市局新标况的"  # a title line may end after one of these (not inside a word)


def title_lines(text: str, per_line: float) -> list[str]:
    """The title in lines for a 梯形: the first line no shorter than the next, each within the block.

    Breaks only after the characters in ``_TITLE_BREAKS``, choosing the most even split; a title
    that fits stays one line, one that has no good break is left to the word processor.
    """
    width = text_chars(text)
    if width <= per_line:
        return [text]
    best: tuple[float, int] | None = None
    for i in range(1, len(text)):
        if text[i - 1] not in _TITLE_BREAKS:
            continue
        w1, w2 = text_chars(text[:i]), text_chars(text[i:])
        if w1 < w2 or w1 > per_line or w2 > per_line:
            continue
        if best is None or w1 - w2 < best[0]:
            best = (w1 - w2, i)
    if best is None:
        return [text]
    return [text[: best[1]], text[best[1]:]]


def title(doc: Any, content: Content) -> None:
    p = para(doc, P.STYLE_TITLE)
    per_line = P.BLOCK_W / 25.4 * 72 / P.SIZE_TITLE
    for n, line in enumerate(title_lines(content.title, per_line)):
        r = P.run(p, line, P.TITLE_FONT)
        if n:
            r._r.insert(r._r.index(r._r.find(qn("w:t"))), OxmlElement("w:br"))
    blank(doc, 1)
    if content.recipients:
        para(doc, P.STYLE_TO, content.recipients)


def parts(doc: Any, content: Content) -> None:
    para(doc, P.STYLE_BODY, content.opening)
    pending_h3: str | None = None
    for kind, text in content.parts:
        if kind == K_H1:
            para(doc, P.STYLE_H1, text)
        elif kind == K_H2:
            para(doc, P.STYLE_H2, text)
        elif kind == K_H3:
            pending_h3 = text
        elif kind == K_BODY:
            if pending_h3 is not None:  # 1. runs in: the bold lead, then the text in the same paragraph
                p = para(doc, P.STYLE_H3, pending_h3, bold=True)
                P.run(p, text, P.BODY_FONT, bold=False)
                p.paragraph_format.keep_with_next = False
                pending_h3 = None
            else:
                para(doc, P.STYLE_BODY, text)
    if pending_h3 is not None:
        para(doc, P.STYLE_H3, pending_h3, bold=True)


def annex_list(doc: Any, content: Content, lang: str) -> None:
    """附件说明: one line below the text, two characters in, later items aligned under the first title."""
    if not content.annexes:
        return
    # the last paragraph of the text goes with them: no page with the signature and no text (§7.3.5)
    last = doc.paragraphs[-1] if doc.paragraphs else None
    if last is not None:
        last.paragraph_format.keep_with_next = True
    para(doc, P.STYLE_BODY).paragraph_format.keep_with_next = True
    lead = tx("gw.annex", lang)
    items = [tx("gw.annex_item", lang, n=n, title=t) if len(content.annexes) > 1 else t
             for n, t in enumerate(content.annexes, 1)]
    width = text_chars(lead)
    for n, item in enumerate(items):  # every title starts under the first, a wrapped line too
        p = para(doc, P.STYLE_ANNEX_LIST)
        P.indent_chars(p, P.SIZE_BODY, left=2 + width, first=-width if n == 0 else 0)
        P.run(p, (lead if n == 0 else "") + item, P.BODY_FONT)
        p.paragraph_format.keep_with_next = True  # the list stays together, and with the signature


def signature(doc: Any, content: Content, lang: str = "zh") -> None:
    """署名 two characters in from the right; the date below, starting two characters further right
    (in English both simply end two characters in)."""
    for _ in range(2 if content.annexes else 1):
        para(doc, P.STYLE_BODY).paragraph_format.keep_with_next = True
    sig_w, date_w = text_chars(content.signature), text_chars(content.date)
    sig_right = 2.0
    date_right = max(0.0, sig_right + sig_w - 2 - date_w) if lang == "zh" else sig_right
    for text, right in ((content.signature, sig_right), (content.date, date_right)):
        p = para(doc, P.STYLE_SIGN, text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.keep_with_next = True
        P.indent_chars(p, P.SIZE_BODY, right=right)
    p.paragraph_format.keep_with_next = False


RECORD_LINE_PT = 22.0  # 版记 in 4号 (14 pt) on exact lines, so that its frames' heights are known
RECORD_PAD_PT = 2.0


def record(doc: Any, content: Content, date_text: str, lang: str) -> None:
    """版记 at the foot of the page: 抄送, then 印发机关 and 印发日期, between full-width lines.

    Each part is one framed paragraph (``w:framePr``) anchored to the text block: 印发 at its
    bottom, 抄送 just above it (its height known from the exact line spacing). Word and LibreOffice
    both place such frames there whatever precedes them (LibreOffice 7 puts several paragraphs of one
    frame, and floating tables, at the top instead). First and last lines 0.35 mm, the line between
    0.25 mm (GB/T 9704 §10.1).
    """
    printed = tx("gw.record.printed", lang, date=date_text)
    per_line = (P.BLOCK_W / 25.4 * 72 - 2 * 14) / 14  # 4号 characters a line, a character in at each side
    one_line = text_chars(content.printer) + text_chars(printed) + 2 <= per_line
    issued_lines = 1 if one_line else 2
    issued_h = issued_lines * RECORD_LINE_PT + 2 * RECORD_PAD_PT
    block_h = P.BLOCK_H / 25.4 * 72
    if content.cc:
        import math

        cc_lines = max(1, math.ceil(text_chars(content.cc) / (per_line - 3)))
        cc_h = cc_lines * RECORD_LINE_PT + 2 * RECORD_PAD_PT
        p = _record_paragraph(doc, y_pt=block_h - issued_h - cc_h - 1)
        P.border(p, "top", size=8, space=1)
        lead = text_chars(tx("gw.record.cc", lang, cc=""))  # a wrapped line starts under the first name
        P.indent_chars(p, 14.0, left=1 + lead, first=-lead, right=1)
        P.run(p, content.cc, P.BODY_FONT)
    p = _record_paragraph(doc, y_pt=None)
    P.border(p, "top", size=4 if content.cc else 8, space=1)
    P.border(p, "bottom", size=8, space=1)
    # 印发机关 at the left, 印发日期 at the right (a right tab), on one line when they fit
    tabs = OxmlElement("w:tabs")
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:pos"), str(round(P.BLOCK_W / 25.4 * 1440 - 2 * 14 * 20)))
    tabs.append(tab)
    P.put_ppr(p._p.get_or_add_pPr(), tabs)
    P.run(p, content.printer, P.BODY_FONT)
    r = P.run(p, "\t" + printed, P.BODY_FONT)
    if not one_line:
        r._r.insert(r._r.index(r._r.find(qn("w:t"))), OxmlElement("w:br"))


def _record_paragraph(doc: Any, y_pt: float | None) -> Any:
    """A 版记 paragraph in its own frame: at the bottom of the block, or ``y_pt`` below its top."""
    p = para(doc, P.STYLE_RECORD)
    frame = OxmlElement("w:framePr")
    attrs = [("w", str(round(P.BLOCK_W / 25.4 * 1440))), ("hSpace", "0"), ("vSpace", "0"), ("wrap", "around"),
             ("vAnchor", "margin"), ("hAnchor", "margin"), ("xAlign", "center")]
    attrs.append(("yAlign", "bottom") if y_pt is None else ("y", str(round(y_pt * 20))))
    for k, v in attrs:
        frame.set(qn(f"w:{k}"), v)
    P.put_ppr(p._p.get_or_add_pPr(), frame)
    pf = p.paragraph_format
    pf.space_before = Pt(RECORD_PAD_PT)
    pf.space_after = Pt(RECORD_PAD_PT)
    pf.line_spacing = Pt(RECORD_LINE_PT)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    return p
