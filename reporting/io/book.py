"""Read one submitted file's bytes safely into plain grids of cell values.

The caller reads the file from disk once and passes its bytes (so the sha256
it records is of exactly what was parsed); nothing here touches the disk.
What a file is gets decided by its bytes, not its name. Anything that is not
a spreadsheet, is encrypted, damaged, or built to exhaust memory (zip bombs,
lying headers, XML entity bombs, looping compound-file chains, absurd cell
ranges) ends as one file-level issue from the catalogue; everything else
comes back as every sheet (hidden ones too, with their state) cut to a
bounded window of rows and columns.

One module per format does the reading: ``xlsx`` (our own streaming parser),
``xls`` (xlrd on the stream ``cfb`` extracts with olefile), ``ods`` (our own),
``xlsb`` (calamine behind our own record walk), over the bounded containers
``zipsafe`` and ``cfb``.
"""
from __future__ import annotations

import codecs
import logging
import re
import struct
from pathlib import Path

from reporting.core.models import issue
from reporting.io import cfb, ods, xls, xlsb, xlsx
from reporting.io.common import (
    MAX_BOOK_TEXT,
    Book,
    Grid,
    Refuse,
    Window,
    details,
    mb,
    text_size,
    unreadable,
    unsafe,
    unsupported,
)
from reporting.io.ooxml import main_part
from reporting.io.zipsafe import SafeZip

log = logging.getLogger(__name__)

HEAD = 8192
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

__all__ = ["Book", "Grid", "classify_name", "read_book", "sniff"]


def classify_name(path: Path | str) -> str | None:
    """The catalogue key of why a file is skipped by its name alone (lock, temporary, hidden, system), or None.

    These are files a clerk never meant to submit: Excel/WPS write ``~$name``
    while a workbook is open, LibreOffice ``.~lock.name#``; Windows and macOS
    drop thumbnails and folder settings next to them.
    """
    name = Path(path).name
    low = name.lower()
    if name.startswith("~$"):
        return "reader.ignore_office_lock"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "reader.ignore_lo_lock"
    if low in ("thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"):
        return "reader.ignore_system"
    if name.startswith("."):
        return "reader.ignore_hidden"
    if name.startswith("~") or low.endswith(".tmp"):
        return "reader.ignore_temp"
    return None


def sniff(head: bytes) -> str:
    """What the first bytes of a file say it is, whatever its name.

    Returns one of "empty", "ole", "zip", "biff" (a bare BIFF2-5 stream),
    "pdf", "png", "jpeg", "gif", "rtf", "archive", "html", "xml", "csv",
    "text", "unknown".
    """
    if not head:
        return "empty"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        return "archive"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if len(head) >= 8:
        rt, ln = struct.unpack_from("<HH", head, 0)
        if rt in (0x0009, 0x0209, 0x0409, 0x0809) and 4 <= ln <= 20:
            return "biff"
    text = _as_text(head)
    if text is None:
        return "unknown"
    s = text.lstrip("\ufeff \t\r\n").lower()
    if s.startswith("mime-version:") or "multipart/related" in s[:2000]:
        return "html"  # MHTML: Excel's "single file web page", often named .xls
    if s.startswith("<?xml"):
        return "html" if re.search(r"<html[\s>]", s[:4000]) else "xml"
    if s.startswith("<") and re.search(r"<(!doctype html|html|head|body|table|meta|style|title|div)[\s>]", s[:4000]):
        return "html"
    if _looks_csv(text):
        return "csv"
    return "text"


def read_book(data: bytes, name: str, *, max_bytes: int = 20 * 2**20, max_rows: int = 500,
              max_cols: int = 40, size: int | None = None) -> Book:
    """Every sheet of a file's ``data`` within the window, or the one issue saying why not.

    ``name`` is how issues name the file. ``size``: the file's size on disk
    when the caller did not read it whole because it is above ``max_bytes``.
    Never raises for any input: library failures, including pyo3 panics
    (``BaseException``), become an ``unreadable-file`` issue. Only
    KeyboardInterrupt and SystemExit pass through.
    """
    win = Window(max(0, int(max_rows)), max(0, int(max_cols)))
    try:
        total = max(len(data), size or 0)
        if total > max_bytes:
            raise Refuse("file-too-large", size_mb=mb(total), limit_mb=mb(max_bytes))
        fmt, sheets = _read(bytes(data), win)
        chars = text_size(sheets)
        if chars > MAX_BOOK_TEXT:
            raise unsafe("reader.text_total", chars=chars, limit=MAX_BOOK_TEXT)
        return Book(name, fmt, sheets, [])
    except Refuse as r:
        return Book(name, "", [], [issue(r.code, file=name, **r.params)])
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        log.debug("reading %s ran out of memory", name, exc_info=True)
        return Book(name, "", [], [issue("unreadable-file", file=name, **details("reader.memory"))])
    except BaseException:  # noqa: B036 - pyo3 PanicException derives from BaseException
        log.debug("reading %s failed", name, exc_info=True)
        return Book(name, "", [], [issue("unreadable-file", file=name, **details("reader.unparsable"))])


def _read(data: bytes, win: Window) -> tuple[str, list[Grid]]:
    kind = sniff(data[:HEAD])
    if kind == "empty":
        raise unreadable("reader.empty")
    if kind == "ole":
        return "xls", xls.read_xls(cfb.workbook_stream(data), win)
    if kind == "zip":
        return _read_zip(data, win)
    if kind == "biff":
        return "xls", xls.read_xls(data, win)
    if kind == "xml":
        head = data[:HEAD].decode("utf-8", "replace")
        raise unsupported("reader.xml2003" if "urn:schemas-microsoft-com:office:spreadsheet" in head
                          else "reader.xml")
    raise unsupported({"html": "reader.html", "csv": "reader.csv", "text": "reader.text", "pdf": "reader.pdf",
                       "png": "reader.image", "jpeg": "reader.image", "gif": "reader.image",
                       "rtf": "reader.rtf", "archive": "reader.archive"}.get(kind, "reader.unknown"))


def _read_zip(data: bytes, win: Window) -> tuple[str, list[Grid]]:
    """Zip containers: ODS, xlsx/xlsm/xltx, xlsb; any other package is named and refused."""
    z = SafeZip(data)
    if not z.parts:
        raise unreadable("reader.no_workbook")
    if z.has("mimetype") or (z.has("content.xml") and z.has("META-INF/manifest.xml")):
        z.verify()
        mimetype = ods.mimetype(z)
        if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
            return "ods", ods.read_ods(z, win)
        if mimetype.startswith("application/vnd.oasis.opendocument"):
            raise unsupported("reader.odf_other")
    main = main_part(z)
    if main is None:
        z.verify()
        if z.has("word/document.xml"):
            raise unsupported("reader.word")
        if z.has("ppt/presentation.xml"):
            raise unsupported("reader.powerpoint")
        raise unsupported("reader.zip_other")
    part, ctype = main
    low_ct = ctype.lower()
    if "wordprocessingml" in low_ct or "presentationml" in low_ct:
        z.verify()
        raise unsupported("reader.word" if "wordprocessingml" in low_ct else "reader.powerpoint")
    if part.lower().endswith(".bin") or "binary" in low_ct:
        z.verify()
        return "xlsb", xlsb.read_xlsb(data, z, part, win)
    if "spreadsheetml" not in low_ct and "ms-excel" not in low_ct and not part.lower().endswith("workbook.xml"):
        z.verify()
        raise unsupported("reader.zip_other")
    fmt = "xlsm" if "macroenabled" in low_ct else "xlsx"
    return fmt, xlsx.read_xlsx(z, part, win)


def _as_text(head: bytes) -> str | None:
    """Decode a file head as text if it plausibly is text (UTF-8/16, GB18030), else None."""
    enc = None
    body = head
    for bom, name in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            enc, body = name, head[len(bom):]
            break
    if enc is None and len(head) >= 4:
        if head[1] == 0 and head[3] == 0 and head[0] != 0:
            enc = "utf-16-le"
        elif head[0] == 0 and head[2] == 0 and head[1] != 0:
            enc = "utf-16-be"
    candidates = [enc] if enc else ["utf-8", "gb18030"]
    for name in candidates:
        try:
            text = codecs.getincrementaldecoder(name)().decode(body, final=False)
        except UnicodeDecodeError:
            continue
        if not text:
            return None
        bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f\v")
        if bad <= len(text) // 100:
            return text
        return None
    return None


def _looks_csv(text: str) -> bool:
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    if not lines:
        return False
    for sep in (",", "\t", ";", "|"):
        if sum(1 for ln in lines if sep in ln) * 2 >= len(lines):
            return True
    return False
