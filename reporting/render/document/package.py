"""The .docx package made reproducible and Chinese: fixed dates, fixed zip times, a font table with fallbacks.

python-docx stamps ``created``/``modified`` with the clock and the zip entries with the local
time, and its template's core properties name python-docx; its font table and theme expect a
Japanese East-Asian font. Here the properties come from the period (as the workbook's do), each
zip entry gets one fixed time and the same compression, and the font table lists the 公文 fonts
with an ``altName`` for the PC that lacks them. Same results, same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from reporting.render.document import page as P

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can hold: nothing to read from it
_DROP = ("docProps/thumbnail.jpeg",)  # python-docx's template preview: a blank page that is not this document

_FONT = (
    '<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="02010609060101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
)


def core_properties(doc: Any, *, title: str, subject: str, author: str, keywords: str, comments: str,
                    when: dt.datetime) -> None:
    cp = doc.core_properties
    cp.title = title
    cp.subject = subject
    cp.author = author
    cp.last_modified_by = author
    cp.keywords = keywords
    cp.comments = comments
    cp.category = ""
    cp.revision = 1
    cp.created = when
    cp.modified = when
    cp.last_printed = when


def font_table(doc: Any) -> None:
    """Add the 公文 fonts to word/fontTable.xml, each with its fallback as ``altName``."""
    part = next((p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:  # pragma: no cover - python-docx's template always has one
        return
    xml = part.blob.decode("utf-8")
    families = {P.TITLE_FONT: "roman", P.BODY_FONT: "modern", P.HEAD1_FONT: "modern", P.HEAD2_FONT: "modern",
                P.NUMBER_FONT: "roman"}
    extra = "".join(_FONT.format(name=name, alt=P.FALLBACKS[name], family=families[name])
                    for name in families if f'w:name="{name}"' not in xml)
    xml = xml.replace("</w:fonts>", extra + "</w:fonts>")
    part._blob = xml.encode("utf-8")


def settings_chinese(doc: Any) -> None:
    """The theme's East-Asian language: zh-CN (python-docx's template says ja-JP)."""
    from docx.oxml.ns import qn

    lang = doc.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def reproducible_bytes(doc: Any) -> bytes:
    """The document saved, then re-zipped with fixed entry times, in the same order."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        dropped = set(_DROP)
        for info in src.infolist():
            if info.filename in dropped:
                continue
            data = src.read(info.filename)
            if info.filename == "_rels/.rels" or info.filename == "[Content_Types].xml":
                data = _without_thumbnail(data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def _without_thumbnail(data: bytes) -> bytes:
    """Drop the thumbnail's relationship and content-type override along with the file."""
    import re

    text = data.decode("utf-8")
    text = re.sub(r'<Relationship [^>]*Target="docProps/thumbnail\.jpeg"[^>]*/>', "", text)
    text = re.sub(r'<Override [^>]*PartName="/docProps/thumbnail\.jpeg"[^>]*/>', "", text)
    return text.encode("utf-8")
