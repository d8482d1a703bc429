"""XML inside packages, read so that no DTD or entity declaration is ever honoured.

Every XML part goes through expat with DTDs refused (``expat``) or through
defusedxml (``iterparse``, ``parse``); ``declares_dtd`` looks at a part's
prolog before any parser sees it, so a refusal names the part.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _xml_fromstring
from defusedxml.ElementTree import iterparse as _xml_iterparse

from reporting.io.common import unreadable, unsafe

XML_HEAD = 64 * 1024  # the XML prolog (where a DTD would be) must end within this

_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_PROLOG_BYTES = re.compile(rb"(?:[ \t\r\n]+|<\?.*?\?>|<!--.*?-->)*", re.S)


def declares_dtd(head: bytes) -> bool:
    """True when an XML part declares a DTD or entities before its root (or its prolog is too long to check).

    Only the prolog is looked at (a DTD can be nowhere else; markup like it
    after the root's start makes the part malformed, which every parser
    refuses): in UTF-8, an anchored scan that stops at the root's start.
    """
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = head.decode("utf-16", "ignore")
        else:
            text = head.decode("utf-16-le" if head[:1] == b"<" else "utf-16-be", "ignore")
        if "<!ENTITY" in text:
            return True
        m = _PROLOG.match(text)
        rest = text[m.end():] if m else text
        return rest.startswith("<!") or (not rest and len(head) >= XML_HEAD)
    end = _PROLOG_BYTES.match(head, 3 if head.startswith(b"\xef\xbb\xbf") else 0).end()
    return head.startswith(b"<!", end) or (end >= len(head) and len(head) >= XML_HEAD)


def expat(unsafe_part: str) -> Any:
    """A bare expat parser (fast: no tree) that refuses DTDs and entity declarations."""
    from xml.parsers import expat as _expat

    parser = _expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.SetParamEntityParsing(_expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: Any) -> None:
        raise unsafe("reader.xml_dtd", part=unsafe_part)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def parse(data: bytes, part: str) -> Element:
    """A small part as an element tree; a DTD is unsafe, a parse error damage."""
    try:
        return _xml_fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise unsafe("reader.xml_dtd", part=part) from exc
    except ParseError as exc:
        raise unreadable("reader.xml_corrupt", part=part) from exc


def iterparse(source: Any, part: str, events: tuple[str, ...]) -> Iterator[tuple[str, Element]]:
    """Stream a part's XML. DTDs are refused; a parse error means the part is damaged."""
    try:
        yield from _xml_iterparse(source, events=events, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise unsafe("reader.xml_dtd", part=part) from exc
    except ParseError as exc:
        raise unreadable("reader.xml_corrupt", part=part) from exc


@functools.lru_cache(maxsize=4096)
def local(tag: Any) -> str:
    """Local name of a tag or attribute ("{ns}c" -> "c"): prefixes and namespaces vary between writers."""
    if not isinstance(tag, str):
        return ""
    tag = tag.rsplit("}", 1)[-1]
    return tag.rsplit(":", 1)[-1]


def attr(el: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace."""
    if name in el.attrib:
        return el.attrib[name]
    for key, value in el.attrib.items():
        if local(key) == name:
            return value
    return None


def attr_any(attrs: dict[str, str], name: str) -> str | None:
    """``attr`` for the attributes expat gives ("uri local" keys)."""
    if name in attrs:
        return attrs[name]
    for key, value in attrs.items():
        if key.rpartition(" ")[2] == name:
            return value
    return None
