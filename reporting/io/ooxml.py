"""The structure of an OOXML package (xlsx, xlsm, xlsb): content types, relationships, the workbook's sheets.

Read from the package's small XML parts by one bare expat pass each, and
remembered across files by their bytes (the forms of one workspace share them).
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import unquote

from reporting.io.common import Refuse, unreadable
from reporting.io.xmlsafe import attr_any
from reporting.io.zipsafe import Memo, SafeZip

VISIBILITY = {"visible": "visible", "hidden": "hidden", "veryhidden": "veryHidden"}

_TYPES = Memo(64, 64 * 1024)  # bytes of [Content_Types].xml -> content_types
_RELS = Memo(256, 64 * 1024)  # bytes of a relationships part -> {folder: rels}
_SHEETS = Memo(64, 64 * 1024)  # bytes of a workbook part -> its sheet entries, date system, recalculation


@dataclass(frozen=True)
class Rel:
    type: str
    part: str  # the target as a part name
    target: str  # the target as written (unquoted, forward slashes)


@dataclass
class SheetRef:
    name: str
    state: str
    kind: str  # "worksheet" | "chartsheet" | "other"
    part: str | None
    target: str = ""  # the relationship's target as written


def rels(z: SafeZip, source: str, strict: bool = False) -> dict[str, Rel]:
    """Relationships of a part: id -> relationship (type, target part name, target as written).

    ``strict``: a relationships part that exists but cannot be parsed makes the
    file unreadable (the workbook's own, without which sheets would vanish
    silently); otherwise it counts as absent (the package's, which has fallbacks).
    A damaged (CRC) or unsafe part is never passed over.
    """
    folder, base = posixpath.split(source)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if not z.has(rels_name):
        return {}
    found = z.memo.get(rels_name)
    if found is not None:
        return found
    data = z.read(rels_name)
    known = _RELS.get(data)
    if known is not None and folder in known:
        z.memo[rels_name] = known[folder]
        return known[folder]
    try:
        elements = z.elements(rels_name)
    except Refuse as r:
        if r.code == "unsafe-file" or strict:
            raise
        return {}
    out: dict[str, Rel] = {}
    z.memo[rels_name] = out
    if known is None:
        known = {}
        _RELS.put(data, known)
    known[folder] = out
    for tag, attrs in elements:
        if tag != "Relationship" or (attr_any(attrs, "TargetMode") or "").lower() == "external":
            continue
        rid, rtype, target = attrs.get("Id"), attrs.get("Type") or "", attrs.get("Target")
        if not rid or not target:
            continue
        target = unquote(target.replace("\\", "/"))
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rid] = Rel(rtype, name.lstrip("/"), target)
    return out


def content_types(z: SafeZip) -> dict[str, str]:
    """Part name (lower case) or "*.ext" -> content type; an unparsable part counts as absent."""
    if not z.has("[Content_Types].xml"):
        return {}
    found = z.memo.get("[Content_Types].xml")
    if found is not None:
        return found
    data = z.read("[Content_Types].xml")
    known = _TYPES.get(data)
    if known is not None:
        z.memo["[Content_Types].xml"] = known
        return known
    try:
        elements = z.elements("[Content_Types].xml")
    except Refuse as r:
        if r.code == "unsafe-file":
            raise
        return {}
    out: dict[str, str] = {}
    z.memo["[Content_Types].xml"] = out
    _TYPES.put(data, out)
    for tag, attrs in elements:
        if tag == "Override" and attrs.get("PartName"):
            out[attrs.get("PartName", "").lstrip("/").lower()] = attrs.get("ContentType") or ""
        elif tag == "Default" and attrs.get("Extension"):
            out["*." + attrs.get("Extension", "").lower()] = attrs.get("ContentType") or ""
    return out


def main_part(z: SafeZip) -> tuple[str, str] | None:
    """The package's main document and its content type."""
    types = content_types(z)
    candidates = [rel.part for rel in rels(z, "").values() if rel.type.endswith("/officeDocument")]
    candidates += ["xl/workbook.xml", "xl/workbook.bin", "workbook.xml"]
    for part in candidates:
        if z.has(part):
            ctype = types.get(part.lower()) or types.get("*." + part.rsplit(".", 1)[-1].lower(), "")
            return part, ctype
    return None


def xml_sheet_entries(z: SafeZip, main: str) -> tuple[list[tuple[str, str, str | None]], bool, bool]:
    """What workbook.xml says for reading its sheets: the <sheet> entries (name, state, relationship
    id), whether dates count from 1904, and whether it asks for every formula to be calculated on
    opening (``<calcPr fullCalcOnLoad="1"/>``).

    Programs that cannot calculate (XlsxWriter, openpyxl) ask for that, and cache 0 or nothing:
    Excel shows the calculated figures, a reader of the file would see zeros. Excel, WPS and
    LibreOffice save the values they calculated and do not ask.
    """
    data = z.read(main)
    known = _SHEETS.get(data)
    if known is not None:
        return known
    entries: list[tuple[str, str, str | None]] = []
    is_1904 = recalc = False
    for tag, attrs in z.elements(main):
        if tag == "sheet" and attrs.get("name") is not None:
            entries.append((attrs.get("name", ""), attrs.get("state") or "visible", attr_any(attrs, "id")))
        elif tag == "workbookPr":
            is_1904 = (attrs.get("date1904") or "").strip().lower() in ("1", "true")
        elif tag == "calcPr":
            recalc = (attrs.get("fullCalcOnLoad") or "").strip().lower() in ("1", "true")
    _SHEETS.put(data, (entries, is_1904, recalc))
    return entries, is_1904, recalc


def sheet_refs(z: SafeZip, main: str, entries: list[tuple[str, str, str | None]]) -> list[SheetRef]:
    """The workbook's sheets in order, each with its kind and part; a missing worksheet part is damage."""
    wb_rels = rels(z, main, strict=True)
    rels_part = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
    if entries and not wb_rels and not z.has(rels_part):
        raise unreadable("reader.sheet_missing", sheet=entries[0][0])
    refs = []
    for name, state, rid in entries:
        rel = wb_rels.get(rid or "")
        if rel is None:
            kind = "other"  # a dangling reference: there is no part to read
        elif rel.type.endswith("/worksheet"):
            kind = "worksheet"
        elif rel.type.endswith("/chartsheet"):
            kind = "chartsheet"
        else:
            kind = "other"  # dialog and macro sheets hold no cell data of interest
        if kind == "worksheet" and rel is not None and not z.has(rel.part):
            raise unreadable("reader.sheet_missing", sheet=name)
        refs.append(SheetRef(name, VISIBILITY.get(state.lower(), "visible"), kind,
                             rel.part if rel else None, rel.target if rel else ""))
    if refs and all(ref.part is None for ref in refs):  # not one sheet can be found: damage, not design
        raise unreadable("reader.sheet_missing", sheet=refs[0].name)
    return refs
