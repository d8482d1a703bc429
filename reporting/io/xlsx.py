"""xlsx/xlsm/xltx: the project's own streaming parser, the one path for every worksheet.

A bare expat pass over each worksheet (no tree), stopped at the first cell
with content below the window, so memory and time stay bounded whatever the
sheet's stated or real size. It tells a blank from a formula without a cached
value and from an error cell, keeps string whitespace as typed, knows the CJK
built-in date formats (ids 27-36, 50-58), and refuses DTDs.

Parts are checked (size, CRC, DTD) as they are used: the content types, the
relationships, the workbook, styles, shared strings and worksheets. Parts
nothing reads (themes, drawings, document properties) are not.
"""
from __future__ import annotations

import functools
import logging
import math
import re
from typing import Any
from xml.etree.ElementTree import Element

from reporting.io.common import (
    Grid,
    Refuse,
    Window,
    details,
    format_kind,
    iso_date,
    make_grid,
    msg,
    numeric,
    plain,
)
from reporting.io.ooxml import SheetRef, rels, sheet_refs, xml_sheet_entries
from reporting.io.xmlsafe import expat, iterparse, local, parse
from reporting.io.zipsafe import Memo, SafeZip

log = logging.getLogger(__name__)

_STYLES = Memo(64, 256 * 1024)  # bytes of a styles part -> per-xf kinds
_X_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


class _Stop(Exception):
    """Raised from a parser callback: nothing more is needed from this part."""


def unescape(s: str) -> str:
    """OOXML escapes characters XML cannot hold as _xHHHH_ (and a literal "_x" as _x005F_x)."""
    if "_x" not in s:
        return s
    return _X_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), s)


@functools.lru_cache(maxsize=8192)  # the same few hundred references recur in every form
def parse_ref(ref: str | None) -> tuple[int, int] | None:
    """"B7" -> (6, 1); None for anything that is not a plain A1 reference."""
    if not ref:
        return None
    m = _REF.match(ref)
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    row = int(m.group(2))
    if row < 1:
        return None
    return row - 1, col - 1


def read_xlsx(z: SafeZip, main: str, win: Window) -> list[Grid]:
    """Every worksheet of the package, through our parser, in workbook order."""
    entries, is_1904, stale = xml_sheet_entries(z, main)  # stale: cached formula results are no figures
    refs = sheet_refs(z, main, entries)
    wb_rels = rels(z, main)

    def related(suffix: str, fallback: str) -> str | None:
        rel = next((r for r in wb_rels.values() if r.type.endswith(suffix) and z.has(r.part)), None)
        if rel is not None:
            return rel.part
        return fallback if z.has(fallback) else None

    styles_part = related("/styles", "xl/styles.xml")
    sst_part = related("/sharedStrings", "xl/sharedStrings.xml")
    sheets = [ref for ref in refs if ref.kind == "worksheet" and ref.part]
    if styles_part:
        z.check(styles_part)
    for part in (sst_part, *(ref.part for ref in sheets)):
        if part:
            z.check(part, shared=False)
    scans = [_scan_sheet(z, ref.part or "", win, stale) for ref in sheets]
    needed = {raw for cells, _ in scans for kind, raw in cells.values() if kind == "s"}
    strings = _read_sst(z, sst_part, needed)
    styles: list[str | None] | None = None
    grids = []
    for ref, (cells, truncated) in zip(sheets, scans, strict=True):
        values: dict[tuple[int, int], object] = {}
        fnv: set[tuple[int, int]] = set()
        errors: dict[tuple[int, int], str] = {}
        for key, (kind, raw) in cells.items():
            if kind == "s":
                values[key] = plain(strings.get(raw))
            elif kind == "str":
                values[key] = raw or None
            elif kind == "b":
                values[key] = raw
            elif kind == "e":
                errors[key] = raw
            elif kind == "f":
                fnv.add(key)
            elif kind == "d":
                values[key] = iso_date(raw)
            else:
                if styles is None:
                    styles = _styles(z, styles_part)
                value, style = raw
                values[key] = numeric(value, styles[style] if style < len(styles) else None, is_1904)
        grids.append(make_grid(ref.name, ref.state, values, fnv, errors, truncated))
    return grids


_LOCAL: dict[str, str] = {}  # expat's "namespace local" names -> local, filled as names are met


def _local(name: str) -> str:
    tag = name.rpartition(" ")[2]
    if len(_LOCAL) < 4096:  # bounded: a hostile part may use any number of names
        _LOCAL[name] = tag
    return tag


def _scan_sheet(z: SafeZip, part: str, win: Window,
                stale: bool = False) -> tuple[dict[tuple[int, int], tuple[str, Any]], bool]:
    """The kind and raw value of each cell of a worksheet inside the window, and whether any lies beyond.

    ``stale``: the workbook is to be recalculated on opening, so a formula's cached value is no
    figure anyone saw: the cell reads as a formula without a value.
    """
    from xml.parsers.expat import ExpatError

    found: dict[tuple[int, int], tuple[str, Any]] = {}
    truncated = False
    row, col = -1, -1
    cell: list[Any] | None = None  # [r, t, s, has_formula, v text parts, inline text parts]
    sink: list[str] | None = None
    in_inline = False
    phonetic = 0
    rows, cols = win.rows, win.cols

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, col, cell, sink, in_inline, phonetic
        tag = _LOCAL.get(name) or _local(name)
        if cell is not None:
            if tag == "f":
                cell[3] = True
            elif tag == "v":
                cell[4] = sink = []
            elif tag == "is":
                cell[5] = []
                in_inline = True
            elif tag == "rPh":
                phonetic += 1
            elif tag == "t" and in_inline and not phonetic:
                sink = cell[5]
        elif tag == "c":
            cell = [attrs.get("r"), attrs.get("t") or "n", attrs.get("s"), False, None, None]
        elif tag == "row":
            r = attrs.get("r")
            row = int(r) - 1 if r and r.isdigit() else row + 1
            col = -1

    def end(name: str) -> None:
        nonlocal col, cell, sink, in_inline, phonetic, truncated
        tag = _LOCAL.get(name) or _local(name)
        if tag in ("v", "t"):
            sink = None
        elif tag == "rPh":
            phonetic -= 1
        elif tag == "is":
            in_inline = False
        elif tag == "c" and cell is not None:
            ref, t, style, has_f, v, inline = cell
            cell = None
            pos = parse_ref(ref)
            if pos is None:
                if ref:
                    return  # an invalid reference (e.g. row 0): no cell anyone can see
                pos = (row, col + 1)
            r, c = pos
            col = c
            if r < 0:
                return
            kind = ("f", None) if stale and has_f else cell_kind(
                t, has_f, None if v is None else "".join(v), None if inline is None else "".join(inline), style)
            if kind is None:
                return
            if r < rows and c < cols:
                found[pos] = kind
            else:
                truncated = True
                if r >= rows:
                    raise _Stop
        elif tag == "sheetData":
            raise _Stop

    def chars(data: str) -> None:
        if sink is not None:
            sink.append(data)

    parser = expat(z.name(part))
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        with z.source(part) as fh:
            parser.ParseFile(fh)
    except _Stop:
        pass
    except ExpatError as exc:
        raise Refuse("unreadable-file", **details("reader.xml_corrupt", part=z.name(part))) from exc
    return found, truncated


def cell_kind(t: str, has_formula: bool, vtext: str | None, inline: str | None,
              style: str | None) -> tuple[str, Any] | None:
    """(kind, raw) of one <c>, None when it holds nothing.

    Kinds: s (shared string index), str (text), n ((number, style index)),
    b (bool), d (ISO date text), e (error text), f (formula without a value).
    """
    if t == "inlineStr" or (inline is not None and t not in ("s", "e")):
        if inline is not None:
            return "str", unescape(inline)
        if vtext:
            return "str", unescape(vtext)
        return ("f", None) if has_formula else None
    if t == "str" and vtext is not None:  # a formula's cached text, possibly ""
        return "str", unescape(vtext)
    if not vtext:
        return ("f", None) if has_formula else None
    if t == "s":
        try:
            return "s", int(vtext.strip())
        except ValueError:
            return None
    if t == "b":
        return "b", vtext.strip().lower() in ("1", "true")
    if t == "e":
        return "e", vtext.strip()
    if t == "d":
        return "d", vtext.strip()
    try:
        value = float(vtext)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    try:
        index = int(style or 0)
    except ValueError:
        index = 0
    return "n", (value, index)


def _rich_text(el: Element) -> str:
    """Plain text of a string item: all <t> runs, without phonetic (<rPh>) runs."""
    parts = []
    for ch in el:
        name = local(ch.tag)
        if name == "t":
            parts.append(ch.text or "")
        elif name == "r":
            for t in ch:
                if local(t.tag) == "t":
                    parts.append(t.text or "")
    return "".join(parts)


def _read_sst(z: SafeZip, part: str | None, needed: set[int]) -> dict[int, str]:
    """The shared strings the window uses, streamed (a sharedStrings part can be large)."""
    found: dict[int, str] = {}
    if not part or not z.has(part) or not needed:
        return found
    idx = 0
    last = max(needed)
    container: Element | None = None
    with z.source(part) as fh:
        for event, el in iterparse(fh, z.name(part), ("start", "end")):
            tag = local(el.tag)
            if event == "start":
                if tag == "sst":
                    container = el
                continue
            if tag in ("si", "sstItem"):  # sstItem: Excel 2007 beta files
                if idx in needed:
                    found[idx] = unescape(_rich_text(el))
                idx += 1
                el.clear()
                if container is not None:
                    container.clear()
                if idx > last:
                    break
    return found


def _styles(z: SafeZip, part: str | None) -> list[str | None]:
    """Per cell style (xf) index: what its number format makes of a number.

    A styles part that is not well-formed counts as absent (numbers are read
    without their formats), as Excel's repair does; one that declares a DTD
    still refuses the file.
    """
    if not part or not z.has(part):
        return []
    data = z.read(part)
    known = _STYLES.get(data)
    if known is not None:
        return known
    try:
        root = parse(data, z.name(part))
    except Refuse as r:
        if r.code == "unsafe-file" or r.params.get("detail") != msg("reader.xml_corrupt", part=z.name(part)):
            raise
        log.debug("%s is not well-formed: numbers are read without their formats", part)
        return []
    codes: dict[int, str] = {}
    cell_xfs = None
    for el in root.iter():
        tag = local(el.tag)
        if tag == "numFmt":
            try:
                codes[int(el.get("numFmtId") or "")] = el.get("formatCode") or ""
            except ValueError:
                continue
        elif tag == "cellXfs" and cell_xfs is None:
            cell_xfs = el
    kinds: list[str | None] = []
    for child in cell_xfs if cell_xfs is not None else []:
        xf = child if local(child.tag) == "xf" else next(
            (x for x in child.iter() if x is not child and local(x.tag) == "xf"), None)
        if xf is None:
            continue
        try:
            kinds.append(format_kind(int(xf.get("numFmtId") or 0), codes))
        except ValueError:
            kinds.append(None)
    _STYLES.put(data, kinds)
    return kinds


__all__ = ["SheetRef", "cell_kind", "parse_ref", "read_xlsx", "unescape"]
