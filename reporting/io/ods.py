"""ODS, streamed from content.xml by our own reader (cell values in ODS are explicit, typed attributes).

Every expansion the format allows is counted, never carried out beyond a
cap: repeated rows and columns fill only the window (and count at most the
format's own limits), and a cell's text, ``text:s text:c`` space runs
included, stops at 32,767 characters (Excel's limit for one cell).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any
from xml.etree.ElementTree import Element

from reporting.io.common import (
    MAX_CELL_TEXT,
    Grid,
    Refuse,
    Window,
    datelike,
    iso_date,
    make_grid,
    number,
    unreadable,
)
from reporting.io.xmlsafe import attr, iterparse, local, parse
from reporting.io.zipsafe import SafeZip

MAX_ROWS = 1_048_576  # what one repeat may count: the largest sheet any spreadsheet program has
MAX_COLS = 16_384

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_S = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_TX = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CX = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_SKIP = ("annotation", "note", "bookmark", "bookmark-start", "bookmark-end", "change-start", "change-end")


def mimetype(z: SafeZip) -> str:
    """The ODF media type: the mimetype member, else the manifest's entry for the package root."""
    if z.has("mimetype"):
        found = z.read("mimetype")[:200].decode("ascii", "replace").strip()
        if found.startswith("application/vnd.oasis.opendocument") or not z.has("META-INF/manifest.xml"):
            return found
    root = parse(z.read("META-INF/manifest.xml"), z.name("META-INF/manifest.xml"))
    for el in root.iter():
        if local(el.tag) == "file-entry" and attr(el, "full-path") == "/":
            return attr(el, "media-type") or ""
    return ""


def read_ods(z: SafeZip, win: Window) -> list[Grid]:
    """Every table of content.xml, hidden ones with their state, cut to the window."""
    if z.has("META-INF/manifest.xml") and b"encryption-data" in z.read("META-INF/manifest.xml"):
        raise Refuse("encrypted-file")
    if not z.has("content.xml"):
        raise unreadable("reader.no_workbook")
    hidden: set[str] = set()
    grids: list[Grid] = []
    stack: list[Element] = []
    table_depth = 0
    sheet: dict[str, Any] = {}
    row_cells: dict[int, tuple[str, Any]] = {}
    col = 0
    with z.source("content.xml") as fh:
        for event, el in iterparse(fh, z.name("content.xml"), ("start", "end")):
            tag = local(el.tag)
            if event == "start":
                stack.append(el)
                if tag == "table":
                    table_depth += 1
                    if table_depth == 1:
                        style = el.get(_T + "style-name")
                        sheet = {"name": el.get(_T + "name") or f"Sheet{len(grids) + 1}",
                                 "state": "hidden" if style in hidden else "visible",
                                 "row": 0, "values": {}, "fnv": set(), "errors": {}, "truncated": False}
                elif tag == "table-row" and table_depth == 1:
                    row_cells, col = {}, 0
                continue
            stack.pop()
            parent = stack[-1] if stack else None
            if tag == "style" and el.get(_S + "family") == "table":
                for ch in el:
                    if local(ch.tag) == "table-properties" and ch.get(_T + "display") == "false":
                        hidden.add(el.get(_S + "name") or "")
            elif tag in ("table-cell", "covered-table-cell") and table_depth == 1:
                rep = count(el.get(_T + "number-columns-repeated"), MAX_COLS)
                if col < win.cols:  # a cell beyond the window is only looked at for content
                    kind = _cell(el)  # a covered (merged-away) cell can still hold a value, as in xlsx
                    if kind is not None:
                        for c in range(col, min(col + rep, win.cols)):
                            row_cells[c] = kind
                        if col + rep > win.cols:
                            sheet["truncated"] = True
                elif not sheet["truncated"] and _cell(el) is not None:
                    sheet["truncated"] = True
                col = min(col + rep, MAX_COLS)
                el.clear()
            elif tag == "table-row" and table_depth == 1:
                rep = count(el.get(_T + "number-rows-repeated"), MAX_ROWS)
                r0 = sheet["row"]
                if row_cells:
                    if r0 + rep > win.rows:
                        sheet["truncated"] = True
                    for r in range(r0, min(r0 + rep, win.rows)):
                        for c, (kind, raw) in row_cells.items():
                            if kind == "f":
                                sheet["fnv"].add((r, c))
                            elif kind == "e":
                                sheet["errors"][(r, c)] = raw
                            else:
                                sheet["values"][(r, c)] = raw
                sheet["row"] = min(r0 + rep, MAX_ROWS)
                el.clear()
                if parent is not None:
                    parent.clear()
            elif tag == "table":
                if table_depth == 1:
                    grids.append(make_grid(sheet["name"], sheet["state"], sheet["values"], sheet["fnv"],
                                           sheet["errors"], sheet["truncated"]))
                    el.clear()
                table_depth -= 1
    return grids


def count(text: str | None, cap: int) -> int:
    """A repeat count: at least 1, at most ``cap``; anything unreadable counts once."""
    if not text:
        return 1
    text = text.strip()
    if not text.isdigit():
        return 1
    if len(text) > 12:
        return cap
    return min(max(1, int(text)), cap)


def _cell(el: Element) -> tuple[str, Any] | None:
    """(kind, value) of an ODS cell: v (value), f (formula without value), e (error); None when empty."""
    vtype = el.get(_O + "value-type")
    formula = el.get(_T + "formula")
    if el.get(_CX + "value-type") == "error":
        return "e", text(el).strip() or "#N/A"
    if vtype is None:
        if formula is not None:
            return "f", None
        shown = text(el)
        return ("v", shown) if shown else None
    value: object = None
    if vtype in ("float", "percentage", "currency"):
        try:
            v = float(el.get(_O + "value") or "")
            value = number(v) if math.isfinite(v) else None
        except ValueError:
            value = text(el) or None
    elif vtype == "date":
        value = iso_date(el.get(_O + "date-value") or "")
    elif vtype == "time":
        value = _duration(el.get(_O + "time-value") or "")
    elif vtype == "boolean":
        value = (el.get(_O + "boolean-value") or "").strip().lower() == "true"
    elif vtype == "string":
        value = el.get(_O + "string-value")
        if value is None:
            value = text(el)
        else:
            value = value[:MAX_CELL_TEXT]
    else:
        value = text(el)
    if value is None or value == "":
        return ("f", None) if formula is not None and vtype != "string" else None
    return "v", value


def _duration(value: str) -> object:
    """office:time-value (PT10H30M00S): a time of day below 24 hours, else a duration."""
    m = _DURATION.match(value.strip())
    if not m:
        return value or None
    neg, days, hours, minutes, seconds = m.groups()
    try:
        td = dt.timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                          seconds=float(seconds or 0))
    except (OverflowError, ValueError):
        return value
    if neg:
        td = -td
    if dt.timedelta(0) <= td < dt.timedelta(days=1):
        return datelike((dt.datetime(2000, 1, 1) + td).time())
    return datelike(td)


class _Text:
    """A cell's text being built, that stops growing at MAX_CELL_TEXT characters."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.left = MAX_CELL_TEXT

    def add(self, s: str) -> None:
        if self.left > 0 and s:
            s = s[: self.left]
            self.parts.append(s)
            self.left -= len(s)

    def spaces(self, n: int) -> None:
        self.add(" " * min(n, max(self.left, 0)))


def text(cell: Element) -> str:
    """A cell's text as shown: paragraphs joined by newlines; text:s, text:tab, text:line-break expanded."""
    out = _Text()
    first = True
    for p in cell:
        if local(p.tag) in ("p", "h"):
            if not first:
                out.add("\n")
            first = False
            _inline(p, out, 0)
    return "".join(out.parts)


def _inline(el: Element, out: _Text, depth: int) -> None:
    out.add(el.text or "")
    for ch in el:
        if out.left <= 0:
            return
        name = local(ch.tag)
        if name == "s":
            out.spaces(count(ch.get(_TX + "c"), MAX_CELL_TEXT))
        elif name == "tab":
            out.add("\t")
        elif name == "line-break":
            out.add("\n")
        elif name not in _SKIP and depth < 100:
            _inline(ch, out, depth + 1)
        out.add(ch.tail or "")
