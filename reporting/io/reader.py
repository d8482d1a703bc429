"""Read one submitted file safely into plain grids of cell values.

Only this step touches the input files, and it never writes to them. What a
file is gets decided by its bytes, not its name. Anything that is not a
spreadsheet, is encrypted, damaged, or built to exhaust memory (zip bombs,
XML entity bombs, absurd cell ranges) ends as one file-level issue from the
catalogue; everything else comes back as every sheet (hidden ones too, with
their state) cut to a bounded window of rows and columns.

Two engines exist, ``calamine`` (the default) and ``openpyxl``, and they
must give the same ``Book``. Measured on real files, the libraries cannot be
trusted alone: calamine returns ``''`` for a blank, a formula without a
cached value and an error cell alike, trims string whitespace, and lays
ranges out densely (a 42 KB .xls asks for 1.2 GB); openpyxl keeps
``_xHHHH_`` escapes, ignores the CJK built-in date formats (ids 27-36, 50-58,
used by WPS) and fails on many real files. So:

- .xlsx/.xlsm/.xltx: this module's own streaming parser (expat over the
  sheet XML, bounded by the window) is the reference. It is slow for what a
  form needs (about 2 ms), so each worksheet whose bytes show nothing a
  library would read differently (no formulas, error, date or formula-string
  cells, no trimmed or escaped text, plain references inside the window, no
  date formats in the styles; well-formed as far as our parser would read)
  gets its values from the engine's library: python-calamine (given just the
  checked parts, uncompressed) or openpyxl (read-only). Every other sheet,
  and every case where the library fails, panics or returns something the
  checks did not expect, goes through our parser. Tests read every file
  both ways and through our parser alone, and compare;
- .ods: our own streaming parser in both engines;
- .xls: our own CFB and BIFF record walk decides encryption, sheet states,
  numbers and dates, error cells and the memory a library would need; the
  engine's library (calamine, or xlrd for ``openpyxl``) supplies strings and
  booleans, the other one being the fallback when it fails or would be unsafe;
- .xlsb: python-calamine in both engines (nothing else reads it), with our
  own record walk for error cells and ranges.

The environment variable REPORTING_ENGINE (auto|calamine|openpyxl) chooses
the engine wherever ``read_book`` is called with ``engine="auto"``.
"""
from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import functools
import html
import io
import logging
import math
import os
import posixpath
import re
import stat
import struct
import sys
import warnings
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _xml_fromstring
from defusedxml.ElementTree import iterparse as _xml_iterparse

from reporting.core.cells import a1
from reporting.core.messages import MESSAGES
from reporting.core.models import Issue, issue

log = logging.getLogger(__name__)

ENGINES = ("auto", "calamine", "openpyxl")
ENGINE_VARIABLE = "REPORTING_ENGINE"

# Limits. Generous for real forms (a filled form is a few KB), small enough
# that a hostile file cannot take the machine down.
MAX_UNCOMPRESSED = 200 * 2**20  # all members of a zip, declared sizes
MAX_MEMBERS = 10_000
MAX_RATIO = 100  # uncompressed : compressed, for a member above RATIO_MIN_SIZE
RATIO_MIN_SIZE = 4 * 2**20
CELL_LIMIT = 2_000_000  # cells a library may lay out densely for one file (calamine: ~32 bytes each)
XLRD_LIMIT = 5_000_000  # cell slots xlrd may allocate for one file (ragged rows)
XML_HEAD = 64 * 1024  # the XML prolog (where a DTD would be) must end within this
HEAD = 8192
MAX_DATE_SERIAL = 2_958_466  # 9999-12-31 + 1: beyond it a "date" is just a number

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
                0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
_MEDIA_EXT = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff", ".svg", ".wdp",
              ".jfif", ".webp", ".ico")


# --------------------------------------------------------------------------- contract


@dataclass
class Grid:
    """One sheet cut to the reading window: values by 0-based (row, column).

    ``rows`` is rectangular, just large enough for the last cell with a value,
    error or formula. An error cell or a formula without a cached value holds
    ``None`` in ``rows``; ask ``errors`` and ``formula_no_value`` before
    calling such a cell blank.
    """

    name: str
    state: str  # "visible" | "hidden" | "veryHidden"
    rows: list[list[object]]
    formula_no_value: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    truncated: bool = False  # the sheet has cells beyond the window

    def cell(self, r: int, c: int) -> object:
        """The value at (r, c), ``None`` when blank or outside the window."""
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None


@dataclass
class Book:
    """What reading one file gave: its sheets, or the file-level issue that refused it."""

    file: str
    format: str  # "xlsx" | "xlsm" | "xls" | "ods" | "xlsb" | "" when refused
    sheets: list[Grid]
    issues: list[Issue]


def classify_name(path: Path) -> str | None:
    """Why a file is skipped by its name alone (lock, temporary, hidden, system), or None.

    These are files a clerk never meant to submit: Excel/WPS write ``~$name``
    while a workbook is open, LibreOffice ``.~lock.name#``; Windows and macOS
    drop thumbnails and folder settings next to them.
    """
    name = Path(path).name
    low = name.lower()
    if name.startswith("~$"):
        return _msg("reader.ignore_office_lock")
    if name.startswith(".~lock.") and name.endswith("#"):
        return _msg("reader.ignore_lo_lock")
    if low in ("thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"):
        return _msg("reader.ignore_system")
    if name.startswith("."):
        return _msg("reader.ignore_hidden")
    if name.startswith("~") or low.endswith(".tmp"):
        return _msg("reader.ignore_temp")
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


def read_book(path: Path, display: str, *, max_bytes: int = 20 * 2**20, max_rows: int = 500,
              max_cols: int = 40, engine: str = "auto") -> Book:
    """Read every sheet of ``path`` within the window, or say why not.

    ``engine``: "calamine" or "openpyxl" picks the library an xlsx/xlsm
    sheet's values come from where it reads them exactly as our own parser
    would (see ``_read_xlsx``); "auto" (the default) takes the environment
    variable REPORTING_ENGINE (auto|calamine|openpyxl), else calamine. Both
    engines give the same Book for every file; the variable lets a whole run
    (the ingestion tests, a clerk's batch) go through either.

    Never raises for any input file: library failures, including pyo3 panics
    (``BaseException``), become an ``unreadable-file`` issue. Only
    KeyboardInterrupt and SystemExit pass through. An unknown ``engine``, or
    an unknown REPORTING_ENGINE, is a programming or setup error and raises
    ValueError.
    """
    eng = resolve_engine(engine)
    win = _Window(max(0, int(max_rows)), max(0, int(max_cols)))
    try:
        fmt, sheets = _read(Path(path), max_bytes, win, eng)
        return Book(display, fmt, sheets, [])
    except _Refuse as r:
        return Book(display, "", [], [issue(r.code, file=display, **r.params)])
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        log.debug("reading %s ran out of memory", display, exc_info=True)
        return Book(display, "", [], [issue("unreadable-file", file=display, detail=_msg("reader.memory"))])
    except BaseException:  # noqa: B036 - pyo3 PanicException derives from BaseException
        log.debug("reading %s failed", display, exc_info=True)
        return Book(display, "", [], [issue("unreadable-file", file=display, detail=_msg("reader.unparsable"))])


def resolve_engine(engine: str = "auto") -> str:
    """The engine ``read_book`` uses for ``engine``: "calamine" or "openpyxl".

    "auto" defers to the environment variable REPORTING_ENGINE
    (auto|calamine|openpyxl, any case; unset or empty is auto), and auto
    means calamine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "auto":
        chosen = os.environ.get(ENGINE_VARIABLE, "").strip().lower() or "auto"
        if chosen not in ENGINES:
            raise ValueError(f"unknown engine {chosen!r} in {ENGINE_VARIABLE}; use one of {', '.join(ENGINES)}")
        engine = chosen
    return "calamine" if engine == "auto" else engine


# --------------------------------------------------------------------------- plumbing


@dataclass(frozen=True)
class _Window:
    rows: int
    cols: int

    def has(self, r: int, c: int) -> bool:
        return r < self.rows and c < self.cols


class _Refuse(Exception):
    """Stop reading: the file ends with this file-level issue."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _msg(key: str, **kw: Any) -> str:
    text = MESSAGES[key]["zh"]
    return text.format(**kw) if kw else text


def _unreadable(key: str, **kw: Any) -> _Refuse:
    return _Refuse("unreadable-file", detail=_msg(key, **kw))


def _unsafe(key: str, **kw: Any) -> _Refuse:
    return _Refuse("unsafe-file", detail=_msg(key, **kw))


def _unsupported(key: str) -> _Refuse:
    return _Refuse("unsupported-format", detail=_msg(key))


def _mb(n: int) -> str:
    text = f"{n / 2**20:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _fatal(exc: BaseException) -> bool:
    """Exceptions that must never be swallowed by a fallback."""
    return isinstance(exc, KeyboardInterrupt | SystemExit | _Refuse)


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


def _read(path: Path, max_bytes: int, win: _Window, engine: str) -> tuple[str, list[Grid]]:
    try:
        st = path.stat()
    except (OSError, ValueError) as exc:
        raise _unreadable("reader.io") from exc
    if not stat.S_ISREG(st.st_mode):
        raise _unreadable("reader.io")
    size = st.st_size
    if size > max_bytes:
        raise _Refuse("file-too-large", size_mb=_mb(size), limit_mb=_mb(max_bytes))
    try:
        with path.open("rb") as fh:
            data = fh.read(size + 1)  # not max_bytes + 1: read() sets aside all it is asked for
            if len(data) > size:  # grew while we looked: take what the limit allows
                data += fh.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise _unreadable("reader.io") from exc
    if len(data) > max_bytes:  # grew while we looked
        raise _Refuse("file-too-large", size_mb=_mb(len(data)), limit_mb=_mb(max_bytes))
    kind = sniff(data[:HEAD])
    if kind == "empty":
        raise _unreadable("reader.empty")
    if kind == "ole":
        return _read_ole(data, win, engine)
    if kind == "zip":
        return _read_zip(data, win, engine)
    if kind == "biff":
        return "xls", _xls_xlrd(data, win, None)
    if kind == "xml":
        head = data[:HEAD].decode("utf-8", "replace")
        raise _unsupported("reader.xml2003" if "urn:schemas-microsoft-com:office:spreadsheet" in head
                           else "reader.xml")
    raise _unsupported({"html": "reader.html", "csv": "reader.csv", "text": "reader.text", "pdf": "reader.pdf",
                        "png": "reader.image", "jpeg": "reader.image", "gif": "reader.image",
                        "rtf": "reader.rtf", "archive": "reader.archive"}.get(kind, "reader.unknown"))


# --------------------------------------------------------------------------- values


def _number(v: float) -> int | float:
    """Integral floats become int (calamine returns 42.0 where openpyxl returns 42)."""
    if v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _datelike(v: object) -> object:
    """One shape for dates across libraries: date -> datetime at midnight, rounded to the millisecond."""
    if isinstance(v, dt.datetime):
        return _round_ms(v)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, dt.time):
        full = _round_ms(dt.datetime.combine(dt.date(2000, 1, 1), v))
        return full.time() if full.date() == dt.date(2000, 1, 1) else dt.time(23, 59, 59, 999000)
    if isinstance(v, dt.timedelta):
        return dt.timedelta(milliseconds=round(v.total_seconds() * 1000))
    return v


def _round_ms(v: dt.datetime) -> dt.datetime:
    """Round to the millisecond, as openpyxl does (10:29:59.9999996 is 10:30)."""
    ms = round(v.microsecond / 1000)
    try:
        return v.replace(microsecond=0) + dt.timedelta(milliseconds=ms)
    except OverflowError:  # the last millisecond of 9999-12-31
        return v.replace(microsecond=999000)


def _is_datelike(v: object) -> bool:
    return isinstance(v, dt.date | dt.time | dt.timedelta)


def _plain(v: object) -> object:
    """A library value in the Grid's value space: '' -> None, integral float -> int, dates unified."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str):
        return v if v != "" else None
    if isinstance(v, float):
        return _number(v) if math.isfinite(v) else None
    if isinstance(v, int):
        return v
    if _is_datelike(v):
        return _datelike(v)
    return str(v)


_X_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(s: str) -> str:
    """OOXML escapes characters XML cannot hold as _xHHHH_ (and a literal "_x" as _x005F_x)."""
    if "_x" not in s:
        return s
    return _X_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), s)


def _make_grid(name: str, state: str, values: dict[tuple[int, int], object], fnv: set[tuple[int, int]],
               errors: dict[tuple[int, int], str], truncated: bool) -> Grid:
    cells = [k for k, v in values.items() if v is not None]
    keys = cells + list(fnv) + list(errors)
    if not keys:
        return Grid(name, state, [], set(fnv), dict(errors), truncated)
    height = max(r for r, _ in keys) + 1
    width = max(c for _, c in keys) + 1
    rows: list[list[object]] = [[None] * width for _ in range(height)]
    for (r, c) in cells:
        rows[r][c] = values[(r, c)]
    for key in list(fnv) + list(errors):
        rows[key[0]][key[1]] = None
    return Grid(name, state, rows, set(fnv), dict(errors), truncated)


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 while a native library runs.

    A Rust panic inside python-calamine is caught as an exception, but Rust
    first prints its message (and maybe a backtrace) straight to fd 2, which
    the clerk would see in the middle of the report.
    """
    try:
        sys.stderr.flush()
        null = _devnull()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@functools.lru_cache(maxsize=1)
def _devnull() -> int:
    """A descriptor on os.devnull, opened once and kept (one open per file read costs more than the rest)."""
    return os.open(os.devnull, os.O_WRONLY)


def _first_success(sources: list[tuple[str, Callable[[], Any]]]) -> Any:
    """Run the sources in order; the first that does not fail wins. All fail: the file is unreadable."""
    for label, fn in sources:
        try:
            with _quiet_stderr():
                return fn()
        except BaseException as exc:  # noqa: B036 - pyo3 panics are BaseException
            if _fatal(exc):
                raise
            log.debug("%s failed", label, exc_info=True)
    raise _unreadable("reader.unparsable")


def _open_calamine(data: bytes) -> Any:
    import python_calamine

    return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))


def _calamine_window(sheet: Any, win: _Window) -> Iterator[tuple[int, int, object]]:
    """Cells of a calamine sheet inside the window, without building more rows than the window."""
    start = sheet.start
    if start is None or win.rows == 0 or win.cols == 0:
        return
    r0, c0 = start
    if r0 >= win.rows or c0 >= win.cols:
        return
    for i, row in enumerate(sheet.to_python(skip_empty_area=True, nrows=win.rows - r0)):
        r = r0 + i
        for j, v in enumerate(row[: max(0, win.cols - c0)]):
            if v != "" and v is not None:
                yield r, c0 + j, v


_VISIBILITY = {"visible": "visible", "hidden": "hidden", "veryhidden": "veryHidden"}


def _calamine_state(meta: Any) -> str:
    return _VISIBILITY.get(str(meta.visible).rsplit(".", 1)[-1].lower(), "visible")


# --------------------------------------------------------------------------- OLE2 (xls, encrypted OOXML)


class _Corrupt(Exception):
    """A structure the reader walks itself is broken."""


class _Cfb:
    """A small, bounded reader of OLE2 compound files: directory names and stream bytes.

    Our own, so that what a file is (encrypted OOXML, Word, WPS, xls) and the
    BIFF records are known before any library allocates anything.
    """

    END = 0xFFFFFFFE

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(_OLE_MAGIC):
            raise _Corrupt("header")
        major, bom, shift, mshift = struct.unpack_from("<HHHH", data, 0x1A)
        if bom != 0xFFFE or shift not in (9, 12) or mshift != 6:
            raise _Corrupt("header fields")
        self.data = data
        self.ss = 1 << shift
        self.nsect = max(0, -(-(len(data) - self.ss) // self.ss))
        (nfat, dir_start, _tx, cutoff, minifat_start, _nminifat, difat_start,
         ndifat) = struct.unpack_from("<8I", data, 0x2C)
        self.cutoff = cutoff or 4096
        sids = list(struct.unpack_from("<109I", data, 0x4C))
        per = self.ss // 4 - 1
        sid, hops = difat_start, 0
        while sid < self.nsect and hops <= min(ndifat, self.nsect):
            vals = struct.unpack_from(f"<{per + 1}I", self._sector(sid))
            sids.extend(vals[:per])
            sid = vals[per]
            hops += 1
        fat = array("I")
        for s in sids[: max(nfat, 0) or len(sids)]:
            if s < self.nsect:
                fat.frombytes(self._sector(s))
        if sys.byteorder == "big":
            fat.byteswap()
        self.fat = fat
        dirdata = self._read_chain(dir_start, self.fat, self._sector)
        self.entries: list[tuple[str, int, int, int]] = []
        for i in range(len(dirdata) // 128):
            e = dirdata[i * 128:(i + 1) * 128]
            nlen = struct.unpack_from("<H", e, 64)[0]
            typ = e[66]
            start = struct.unpack_from("<I", e, 116)[0]
            size = struct.unpack_from("<Q", e, 120)[0]
            if major == 3:
                size &= 0xFFFFFFFF
            name = e[: max(0, min(nlen, 64) - 2)].decode("utf-16-le", "replace")
            self.entries.append((name, typ, start, size))
        if not self.entries or self.entries[0][1] != 5:
            raise _Corrupt("no root entry")
        self._minifat_start = minifat_start
        self._mini: tuple[bytes, array] | None = None

    def _sector(self, sid: int) -> bytes:
        off = (sid + 1) * self.ss
        b = self.data[off:off + self.ss]
        if not b:
            raise _Corrupt("sector past end of file")
        return b if len(b) == self.ss else b + b"\0" * (self.ss - len(b))

    def _read_chain(self, start: int, fat: array, sector: Callable[[int], bytes]) -> bytes:
        parts = []
        sid = start
        while sid != self.END:
            if sid >= len(fat) or len(parts) > len(fat):
                raise _Corrupt("broken sector chain")
            parts.append(sector(sid))
            sid = fat[sid]
        return b"".join(parts)

    def names(self) -> list[str]:
        return [name for name, typ, _, _ in self.entries if typ in (1, 2)]

    def stream(self, wanted: str) -> bytes | None:
        for name, typ, start, size in self.entries:
            if typ == 2 and name.lower() == wanted.lower():
                if size < self.cutoff:
                    mini, minifat = self._ministream()
                    data = self._read_chain(start, minifat, lambda s, m=mini: m[s * 64:(s + 1) * 64])
                else:
                    data = self._read_chain(start, self.fat, self._sector)
                return data[:size]
        return None

    def _ministream(self) -> tuple[bytes, array]:
        if self._mini is None:
            _, _, root_start, root_size = self.entries[0]
            mini = self._read_chain(root_start, self.fat, self._sector)[:root_size]
            minifat = array("I")
            minifat.frombytes(self._read_chain(self._minifat_start, self.fat, self._sector))
            if sys.byteorder == "big":
                minifat.byteswap()
            self._mini = (mini, minifat)
        return self._mini


@dataclass
class _BiffSheet:
    name: str | None
    state: str
    truncated: bool = False
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    numbers: dict[tuple[int, int], tuple[float, int]] = field(default_factory=dict)  # (value, XF index)
    dense: int = 0  # what calamine reserves and lays out for this sheet
    ragged: int = 0  # cell slots xlrd allocates (ragged rows)


@dataclass
class _BiffScan:
    encrypted: bool = False
    biff8: bool = True
    is_1904: bool = False
    xf_kinds: list[str | None] = field(default_factory=list)  # per XF: "date" | "duration" | None
    sheets: list[_BiffSheet] = field(default_factory=list)

    @property
    def dense(self) -> int:
        return sum(s.dense for s in self.sheets)

    @property
    def ragged(self) -> int:
        return sum(s.ragged for s in self.sheets)


# BIFF5/8 cell records: type -> has a value
_BIFF_CELLS = {0x0203: True, 0x027E: True, 0x00FD: True, 0x0204: True, 0x00D6: True, 0x0205: True,
               0x0006: True, 0x0201: False}


def _scan_biff(stream: bytes, win: _Window) -> _BiffScan:
    """Walk the BIFF5/8 records ourselves, before any library allocates anything.

    Gives: encryption (FILEPASS), sheet states, the date system, number
    formats, and per sheet the numbers and error cells in the window, whether
    cells lie beyond it, and how much a library would allocate.
    """
    n = len(stream)
    if n < 8 or struct.unpack_from("<H", stream, 0)[0] != 0x0809:
        raise _Corrupt("no BOF")
    vers = struct.unpack_from("<H", stream, 4)[0]
    biff8 = vers == 0x0600 or (vers != 0x0500 and struct.unpack_from("<H", stream, 2)[0] >= 16)
    scan = _BiffScan(biff8=biff8)
    codepage = "cp1252"
    bounds: list[tuple[int, int, str | None]] = []
    codes: dict[int, str] = {}
    xf_formats: list[int] = []
    pos = 0
    while pos + 4 <= n:
        rt, ln = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        rec = stream[body:body + ln]
        if rt == 0x002F:  # FILEPASS: everything after it is encrypted
            scan.encrypted = True
            return scan
        if rt == 0x0042 and ln >= 2:  # CODEPAGE
            cp = struct.unpack_from("<H", rec)[0]
            codepage = {1200: "utf-16-le", 32768: "mac_roman", 367: "ascii"}.get(cp, f"cp{cp}")
        elif rt == 0x0022 and ln >= 2:  # DATEMODE
            scan.is_1904 = struct.unpack_from("<H", rec)[0] == 1
        elif rt == 0x041E and ln >= 3:  # FORMAT
            code = _biff_string(rec[2:], biff8, codepage, wide_len=True)
            if code is not None:
                codes[struct.unpack_from("<H", rec)[0]] = code
        elif rt == 0x00E0 and ln >= 4:  # XF
            xf_formats.append(struct.unpack_from("<H", rec, 2)[0])
        elif rt == 0x0085 and ln >= 7:  # BOUNDSHEET
            off, hs, dtype = struct.unpack_from("<IBB", rec)
            if dtype == 0:
                bounds.append((off, hs & 3, _biff_string(rec[6:], biff8, codepage, wide_len=False)))
        elif rt == 0x000A:
            break
        pos = body + ln
    scan.xf_kinds = [_format_kind(f, codes) for f in xf_formats]
    for off, hs, name in bounds:
        sheet = _BiffSheet(name, ("visible", "hidden", "veryHidden", "visible")[hs])
        scan.sheets.append(sheet)
        if 0 <= off < n:
            _scan_biff_sheet(stream, off, biff8, win, sheet)
    return scan


def _biff_string(b: bytes, biff8: bool, codepage: str, wide_len: bool) -> str | None:
    """A BIFF string: BIFF8 Unicode (8- or 16-bit length, flags, chars), BIFF5 bytes in the codepage."""
    try:
        if not biff8:
            return b[1:1 + b[0]].decode(codepage, "replace")
        cch, off = (struct.unpack_from("<H", b)[0], 2) if wide_len else (b[0], 1)
        flags = b[off]
        off += 1
        if flags & 0x08:  # rich text: run count
            off += 2
        if flags & 0x04:  # extended (phonetic) data: its size
            off += 4
        if flags & 1:
            return b[off:off + cch * 2].decode("utf-16-le", "replace")
        return b[off:off + cch].decode("latin-1")
    except (IndexError, LookupError, struct.error):
        return None


def _rk(v: int) -> float:
    """An RK number: a 30-bit integer or the top 30 bits of a double, optionally divided by 100."""
    if v & 2:
        x = float(v >> 2)
    else:
        x = struct.unpack("<d", struct.pack("<Q", (v & 0xFFFFFFFC) << 32))[0]
    return x / 100 if v & 1 else x


def _scan_biff_sheet(stream: bytes, pos: int, biff8: bool, win: _Window, sheet: _BiffSheet) -> None:
    n = len(stream)
    depth = 0
    minr = minc = 1 << 30
    maxr = maxc = -1
    row_width: dict[int, int] = {}
    dims = 0
    while pos + 4 <= n:
        rt, ln = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        pos = body + ln
        if rt in (0x0809, 0x0409, 0x0209, 0x0009):
            depth += 1
            continue
        if rt == 0x000A:
            depth -= 1
            if depth <= 0:
                break
            continue
        if depth != 1 or ln < 6 or pos > n:
            continue
        if rt == 0x0200 and ln >= 8:  # DIMENSIONS: calamine reserves rows x cols from it
            if biff8 and ln >= 14:
                r1, r2, c1, c2 = struct.unpack_from("<IIHH", stream, body)
            else:
                r1, r2, c1, c2 = struct.unpack_from("<HHHH", stream, body)
            dims = max(0, r2 - r1) * max(0, c2 - c1)
            continue
        if rt in _BIFF_CELLS:
            r, c = struct.unpack_from("<HH", stream, body)
            last = c
            value = _BIFF_CELLS[rt]
        elif rt in (0x00BD, 0x00BE):  # MULRK, MULBLANK
            r, c = struct.unpack_from("<HH", stream, body)
            count = (ln - 6) // (6 if rt == 0x00BD else 2)
            last = c + max(0, count - 1)
            value = rt == 0x00BD
        else:
            continue
        minr, maxr = min(minr, r), max(maxr, r)
        minc, maxc = min(minc, c), max(maxc, last)
        if not value:
            continue
        if last + 1 > row_width.get(r, 0):
            row_width[r] = last + 1
        if not win.has(r, last):
            sheet.truncated = True
        if not win.has(r, c):
            continue
        if rt == 0x0203 and ln >= 14:  # NUMBER
            xf, number = struct.unpack_from("<Hd", stream, body + 4)
            sheet.numbers[(r, c)] = (number, xf)
        elif rt == 0x027E and ln >= 10:  # RK
            xf, rk = struct.unpack_from("<Hi", stream, body + 4)
            sheet.numbers[(r, c)] = (_rk(rk), xf)
        elif rt == 0x00BD:
            for k in range(last - c + 1):
                if win.has(r, c + k):
                    xf, rk = struct.unpack_from("<Hi", stream, body + 4 + 6 * k)
                    sheet.numbers[(r, c + k)] = (_rk(rk), xf)
        elif rt == 0x0205 and ln >= 8 and stream[body + 7] == 1:  # BOOLERR holding an error
            sheet.errors[(r, c)] = _ERROR_CODES.get(stream[body + 6], "#N/A")
        elif rt == 0x0006 and ln >= 14:  # FORMULA: its cached result
            xf = struct.unpack_from("<H", stream, body + 4)[0]
            if stream[body + 12:body + 14] != b"\xff\xff":
                sheet.numbers[(r, c)] = (struct.unpack_from("<d", stream, body + 6)[0], xf)
            elif stream[body + 6] == 2:
                sheet.errors[(r, c)] = _ERROR_CODES.get(stream[body + 8], "#N/A")
    if maxr >= 0:
        sheet.dense = dims + (maxr - minr + 1) * (maxc - minc + 1)
    else:
        sheet.dense = dims
    sheet.ragged = sum(row_width.values())


def _read_ole(data: bytes, win: _Window, engine: str) -> tuple[str, list[Grid]]:
    try:
        cfb = _Cfb(data)
        names = {name.lower() for name in cfb.names()}
        if {"encryptioninfo", "encryptedpackage"} & names:
            raise _Refuse("encrypted-file")
        book_name = "workbook" if "workbook" in names else "book" if "book" in names else None
        if book_name is None:
            if "worddocument" in names:
                raise _unsupported("reader.word")
            if "powerpoint document" in names:
                raise _unsupported("reader.powerpoint")
            raise _unsupported("reader.ole_other")
        stream = cfb.stream(book_name)
        if stream is None:
            raise _unsupported("reader.ole_other")
    except (_Corrupt, struct.error, IndexError, ValueError, MemoryError) as exc:
        raise _unreadable("reader.ole_corrupt") from exc
    try:
        scan = _scan_biff(stream, win)
    except (_Corrupt, struct.error, IndexError) as exc:
        raise _unreadable("reader.biff_corrupt") from exc
    if scan.encrypted:
        raise _Refuse("encrypted-file")
    use_calamine = scan.dense <= CELL_LIMIT
    use_xlrd = scan.ragged <= XLRD_LIMIT
    sources: list[tuple[str, Callable[[], list[Grid]]]] = []
    if use_calamine:
        sources.append(("calamine", lambda: _xls_calamine(data, win, scan)))
    if use_xlrd:
        sources.append(("xlrd", lambda: _xls_xlrd(data, win, scan)))
    if not sources:
        raise _unsafe("reader.cells", n=max(scan.dense, scan.ragged))
    # xlrd first for the openpyxl engine, and in both engines where calamine reads differently:
    # BIFF5 byte strings (xlrd honours the codepage) and files with both a Book and a Workbook stream.
    if engine == "openpyxl" or not scan.biff8 or {"book", "workbook"} <= names:
        sources.reverse()
    return "xls", _first_success(sources)


def _match_biff(scan: _BiffScan | None, index: int, name: str) -> _BiffSheet | None:
    if scan is None:
        return None
    for s in scan.sheets:
        if s.name == name:
            return s
    return scan.sheets[index] if index < len(scan.sheets) else None


def _xls_grid(name: str, state: str, values: dict[tuple[int, int], object], scan: _BiffScan | None,
              info: _BiffSheet | None, errors: dict[tuple[int, int], str], truncated: bool) -> Grid:
    """One .xls sheet: the library's strings and booleans; numbers, dates, errors, state from our scan."""
    if scan is not None and info is not None:
        state, errors, truncated = info.state, dict(info.errors), info.truncated
        for key, (number, xf) in info.numbers.items():
            kind = scan.xf_kinds[xf] if xf < len(scan.xf_kinds) else None
            values[key] = _numeric(number, kind, scan.is_1904) if math.isfinite(number) else None
    for key in errors:
        values.pop(key, None)
    return _make_grid(name, state, values, set(), errors, truncated)


def _xls_calamine(data: bytes, win: _Window, scan: _BiffScan) -> list[Grid]:
    book = _open_calamine(data)
    try:
        grids = []
        worksheets = [m for m in book.sheets_metadata if "work" in str(m.typ).lower()]
        for i, meta in enumerate(worksheets):
            sheet = book.get_sheet_by_name(meta.name)
            values = {(r, c): _plain(v) for r, c, v in _calamine_window(sheet, win)}
            info = _match_biff(scan, i, meta.name)
            grids.append(_xls_grid(meta.name, _calamine_state(meta), values, scan, info, {}, False))
        return grids
    finally:
        book.close()


def _xls_xlrd(data: bytes, win: _Window, scan: _BiffScan | None) -> list[Grid]:
    """.xls through xlrd (also the only reader of bare BIFF2-4 streams, where there is no scan)."""
    import xlrd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True, logfile=io.StringIO())
    try:
        grids = []
        empty = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
        for i in range(book.nsheets):
            sh = book.sheet_by_index(i)
            info = _match_biff(scan, i, sh.name)
            values: dict[tuple[int, int], object] = {}
            errors: dict[tuple[int, int], str] = {}
            truncated = False
            for r in range(sh.nrows):
                types = sh.row_types(r)
                if r >= win.rows:
                    if info is not None or truncated:
                        break
                    truncated = any(t not in empty for t in types)
                    continue
                if info is None and not truncated:
                    truncated = any(t not in empty for t in types[win.cols:])
                width = min(len(types), win.cols)
                for c, (t, v) in enumerate(zip(types[:width], sh.row_values(r, 0, width), strict=True)):
                    if t == xlrd.XL_CELL_ERROR:
                        errors[(r, c)] = xlrd.biffh.error_text_from_code.get(v, "#N/A")
                    else:
                        values[(r, c)] = _xlrd_value(t, v, book.datemode)
            state = ("visible", "hidden", "veryHidden")[min(max(sh.visibility, 0), 2)]
            grids.append(_xls_grid(sh.name, state, values, scan, info, errors, truncated))
            book.unload_sheet(i)
        return grids
    finally:
        book.release_resources()


def _xlrd_value(t: int, v: Any, datemode: int) -> object:
    import xlrd

    if t in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if t == xlrd.XL_CELL_TEXT:
        return v if v != "" else None
    if t == xlrd.XL_CELL_BOOLEAN:
        return bool(v)
    if t == xlrd.XL_CELL_NUMBER:
        return _plain(float(v))
    if t == xlrd.XL_CELL_DATE:
        return _serial_to_date(float(v), datemode == 1)
    return None


def _serial_to_date(v: float, is_1904: bool) -> object:
    """An Excel date serial as calamine and openpyxl give it: time below 1, else datetime."""
    if not (0 <= v < MAX_DATE_SERIAL) or not math.isfinite(v):
        return _number(v)
    if 0 <= v < 1:
        secs = round(v * 86400 * 1000) / 1000
        full = dt.datetime(2000, 1, 1) + dt.timedelta(seconds=secs)
        return _datelike(full.time()) if full.day == 1 else dt.time(23, 59, 59, 999000)
    epoch = dt.datetime(1904, 1, 1) if is_1904 else dt.datetime(1899, 12, 30)
    if not is_1904 and v < 60:
        v += 1  # Excel's phantom 1900-02-29
    return _round_ms(epoch + dt.timedelta(days=v))


# --------------------------------------------------------------------------- zip containers

IN_MEMORY = 16 * 2**20  # a part up to this size is read once, checked and kept; a larger one is streamed


def _xmlish(key: str) -> bool:
    """Parts that are (or may be) XML, whose prolog must not declare a DTD."""
    return key.endswith((".xml", ".rels", ".vml")) or "." not in posixpath.basename(key)


class _Entry:
    """A zip member as zipfile would describe it (the fields this module uses)."""

    __slots__ = ("filename", "orig_filename", "flag_bits", "compress_type", "CRC", "compress_size", "file_size",
                 "header_offset", "index")

    def __init__(self, name: str, flags: int, method: int, crc: int, csize: int, size: int, offset: int,
                 index: int) -> None:
        self.filename = self.orig_filename = name
        self.flag_bits, self.compress_type, self.CRC = flags, method, crc
        self.compress_size, self.file_size, self.header_offset, self.index = csize, size, offset, index


def _directory(data: bytes) -> list[_Entry] | None:
    """The central directory of a plain zip (no comment, no ZIP64, nothing before it), or None.

    zipfile's own reading costs more than the rest of a form's reading. This
    takes only archives where zipfile would read exactly the same and
    leaves every other one (and every oddity) to zipfile.
    """
    n = len(data)
    if n < 64 or data[-22:-18] != b"PK\x05\x06" or data[-2:] != b"\0\0" or data[-42:-38] == b"PK\x06\x07":
        return None
    size_cd, offset_cd = struct.unpack_from("<LL", data, n - 10)
    if offset_cd + size_cd != n - 22:
        return None
    entries = []
    pos, end = offset_cd, offset_cd + size_cd
    unpack = struct.unpack_from
    while pos < end:
        if pos + 46 > end or data[pos:pos + 4] != b"PK\x01\x02":
            return None
        (version, flags, method, crc, csize, size, nlen, xlen, clen,
         offset) = unpack("<6xHHH4xLLLHHH8xL", data, pos)
        if xlen or version > 63 or pos + 46 + nlen + clen > end:
            return None
        raw = data[pos + 46:pos + 46 + nlen]
        try:
            name = raw.decode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            return None
        if "\0" in name:
            return None
        entries.append(_Entry(name, flags, method, crc, csize, size, offset, len(entries)))
        pos += 46 + nlen + clen
    return entries if pos == end else None


class _Zip:
    """A zip opened from bytes, with part names normalised and looked up case-insensitively.

    A part is checked when it is first used: its CRC and size, and for an XML
    part that its prolog declares no DTD. xlsx reading uses (and so checks)
    only the parts it reads; the other containers check every part up front
    with ``verify``.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._zf: zipfile.ZipFile | None = None
        infos: list[Any] | None = _directory(data)
        if infos is None:
            try:
                infos = self.zf.infolist()
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, struct.error, EOFError) as exc:
                raise _unreadable("reader.zip_corrupt") from exc
        if len(infos) > MAX_MEMBERS:
            raise _unsafe("reader.zip_members", n=len(infos), limit=MAX_MEMBERS)
        total = 0
        self.parts: dict[str, Any] = {}
        for info in infos:
            name = info.filename.replace("\\", "/").lstrip("/")
            total += info.file_size
            if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _unsafe("reader.zip_ratio", part=name, ratio=info.file_size // max(info.compress_size, 1))
            if name.endswith("/"):
                continue
            key = name.lower()
            if key in self.parts:
                raise _unsafe("reader.zip_duplicate", part=name)
            self.parts[key] = info
        if total > MAX_UNCOMPRESSED:
            raise _unsafe("reader.zip_total", size_mb=_mb(total), limit_mb=_mb(MAX_UNCOMPRESSED))
        if any(info.flag_bits & 1 for info in infos):
            raise _Refuse("encrypted-file")
        self._bytes: dict[str, bytes] = {}
        self._checked: set[str] = set()
        self._elements: dict[str, list[tuple[str, dict[str, str]]]] = {}
        self.memo: dict[str, Any] = {}  # what the package's structure parts say, worked out once

    @property
    def zf(self) -> zipfile.ZipFile:
        """zipfile's view of the archive, opened when a member needs its reader."""
        if self._zf is None:
            self._zf = zipfile.ZipFile(io.BytesIO(self.data))
        return self._zf

    def _info(self, info: Any) -> zipfile.ZipInfo:
        return self.zf.infolist()[info.index] if isinstance(info, _Entry) else info

    def has(self, name: str | None) -> bool:
        return bool(name) and name.lower() in self.parts

    def name(self, name: str) -> str:
        return self.parts[name.lower()].filename.replace("\\", "/")

    def size(self, name: str) -> int:
        return self.parts[name.lower()].file_size

    def read(self, name: str, shared: bool = True) -> bytes:
        """A whole part, checked (and kept: every reader of it gets the same bytes).

        ``shared``: a part many files have byte for byte (structure, styles),
        whose inflating is remembered across files; not for a sheet.
        """
        key = name.lower()
        data = self._bytes.get(key)
        if data is None:
            info = self.parts[key]
            data = self._inflate(info, shared)
            if data is None:
                data = self._stream(key, info, keep=True)
            elif _xmlish(key) and _declares_dtd(data[:XML_HEAD]):
                raise _unsafe("reader.xml_dtd", part=info.filename)
            self._bytes[key] = data
            self._checked.add(key)
        return data

    def check(self, name: str, shared: bool = True) -> None:
        """Check a part without keeping it when it is large."""
        key = name.lower()
        if key in self._checked:
            return
        info = self.parts[key]
        if info.file_size <= IN_MEMORY:
            self.read(name, shared)
        else:
            self._stream(key, info, keep=False)
            self._checked.add(key)

    def source(self, name: str) -> Any:
        """A checked part as a binary stream: from memory when it was read whole."""
        self.check(name)
        data = self._bytes.get(name.lower())
        return io.BytesIO(data) if data is not None else self.zf.open(self._info(self.parts[name.lower()]))

    def verify(self) -> None:
        """Check every non-media part: CRC errors surface, and no part may declare a DTD."""
        for key, info in self.parts.items():
            if key.endswith(_MEDIA_EXT) or key in self._checked:
                continue
            self._stream(key, info, keep=False)
            self._checked.add(key)

    def _inflate(self, info: Any, shared: bool) -> bytes | None:
        """A member's bytes straight from the local entry, or None when anything is unusual.

        zipfile's reader costs more than the inflating itself for the small
        parts of a form; ``_stream`` (zipfile) decides every case this one
        does not vouch for, so the outcome is zipfile's either way.
        """
        data, off = self.data, info.header_offset
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x61:
            return None
        if data[off:off + 4] != b"PK\x03\x04" or len(data) < off + 30:
            return None
        flags = struct.unpack_from("<H", data, off + 6)[0]
        nlen, xlen = struct.unpack_from("<HH", data, off + 26)
        if (flags ^ info.flag_bits) & 0x800:
            return None
        try:
            raw_name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        except UnicodeEncodeError:
            return None
        if data[off + 30:off + 30 + nlen] != raw_name:
            return None
        start = off + 30 + nlen + xlen
        raw = data[start:start + info.compress_size]
        if len(raw) != info.compress_size:
            return None
        seen = (info.compress_type, info.CRC, info.file_size)
        shared = shared and info.file_size <= _SHARED_MAX
        if shared:
            known = _INFLATED.get(raw)
            if known is not None and known[0] == seen:
                return known[1]
        packed = raw
        if info.compress_type == zipfile.ZIP_DEFLATED:
            try:
                raw = zlib.decompress(raw, -15, max(info.file_size, 1))
            except zlib.error:
                return None
        if len(raw) != info.file_size or zlib.crc32(raw) != info.CRC:
            return None
        if shared:
            _INFLATED.put(packed, (seen, raw))
        return raw

    def _stream(self, key: str, info: zipfile.ZipInfo, keep: bool) -> bytes:
        """Read a member through zipfile: the DTD check on its head, then the CRC at its end."""
        chunks = []
        try:
            with self.zf.open(self._info(info)) as fh:
                head = fh.read(XML_HEAD)
                if _xmlish(key) and _declares_dtd(head):
                    raise _unsafe("reader.xml_dtd", part=info.filename)
                if keep:
                    chunks.append(head)
                while chunk := fh.read(2**20):
                    if keep:
                        chunks.append(chunk)
        except zipfile.BadZipFile as exc:
            raise _unreadable("reader.crc", part=info.filename) from exc
        except (NotImplementedError, OSError, EOFError, zlib.error, ValueError) as exc:
            raise _unreadable("reader.zip_corrupt") from exc
        return b"".join(chunks)

    def elements(self, name: str) -> list[tuple[str, dict[str, str]]]:
        """Every element of a small XML part in document order: (local name, attributes).

        One bare expat pass (no tree), DTDs refused; a parse error makes the
        part unreadable. Used for the package's structure (content types,
        relationships, the workbook), which every engine reads the same way.
        """
        from xml.parsers.expat import ExpatError

        key = name.lower()
        found = self._elements.get(key)
        if found is None:
            data = self.read(name)
            found = _KNOWN.get(data)
            if found is None:
                found = []
                parser = _expat(self.name(name))
                parser.StartElementHandler = lambda tag, attrs: found.append((tag.rpartition(" ")[2], attrs))
                try:
                    parser.Parse(data, True)
                except ExpatError as exc:
                    raise _unreadable("reader.xml_corrupt", part=self.name(name)) from exc
                _KNOWN.put(data, found)
            self._elements[key] = found
        return found


class _Memo(dict):
    """Results of pure functions of a part's bytes, kept for the process (bounded).

    The forms of one workspace share their structure parts byte for byte
    (content types, relationships, workbook, styles), so each is parsed once
    per run. The key is the bytes themselves: no other part can reuse a result.
    """

    def __init__(self, entries: int, max_bytes: int) -> None:
        super().__init__()
        self.entries = entries
        self.max_bytes = max_bytes

    def put(self, data: bytes, value: Any) -> None:
        if len(data) <= self.max_bytes:
            if len(self) >= self.entries:
                self.clear()
            self[data] = value


_SHARED_MAX = 64 * 1024  # parts up to this size (inflated) may be remembered
_INFLATED = _Memo(256, 16 * 1024)  # a deflated member -> ((method, CRC, size), its bytes): same input, same output
_KNOWN = _Memo(256, 64 * 1024)  # bytes of a structure part -> its elements
_TYPES = _Memo(64, 64 * 1024)  # bytes of [Content_Types].xml -> _content_types
_RELS = _Memo(256, 64 * 1024)  # bytes of a relationships part -> {folder: _rels}
_SHEETS = _Memo(64, 64 * 1024)  # bytes of a workbook part -> its sheet entries and date system
_PLAIN_STYLES = _Memo(64, 256 * 1024)  # bytes of a styles part -> _styles_gate's answer


_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_PROLOG_BYTES = re.compile(rb"(?:[ \t\r\n]+|<\?.*?\?>|<!--.*?-->)*", re.S)


def _declares_dtd(head: bytes) -> bool:
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


def _parse_xml(z: _Zip, name: str) -> Element:
    try:
        return _xml_fromstring(z.read(name), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _unsafe("reader.xml_dtd", part=z.name(name)) from exc
    except ParseError as exc:
        raise _unreadable("reader.xml_corrupt", part=z.name(name)) from exc


@functools.lru_cache(maxsize=4096)
def _local(tag: Any) -> str:
    """Local name of a tag or attribute ("{ns}c" -> "c"): prefixes and namespaces vary between writers."""
    if not isinstance(tag, str):
        return ""
    tag = tag.rsplit("}", 1)[-1]
    return tag.rsplit(":", 1)[-1]


def _attr(el: Element, local: str) -> str | None:
    """An attribute by local name, whatever its namespace."""
    if local in el.attrib:
        return el.attrib[local]
    for key, value in el.attrib.items():
        if _local(key) == local:
            return value
    return None


def _attr_any(attrs: dict[str, str], local: str) -> str | None:
    """``_attr`` for the attributes expat gives ("uri local" keys)."""
    if local in attrs:
        return attrs[local]
    for key, value in attrs.items():
        if key.rpartition(" ")[2] == local:
            return value
    return None


def _read_zip(data: bytes, win: _Window, engine: str) -> tuple[str, list[Grid]]:
    """Zip containers: ODS, xlsx/xlsm/xltx, xlsb (see _read_xlsx for the engines' part)."""
    z = _Zip(data)
    if not z.parts:
        raise _unreadable("reader.no_workbook")
    if z.has("mimetype") or (z.has("content.xml") and z.has("META-INF/manifest.xml")):
        z.verify()
        mimetype = _odf_mimetype(z)
        if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
            return "ods", _read_ods(z, win)
        if mimetype.startswith("application/vnd.oasis.opendocument"):
            raise _unsupported("reader.odf_other")
    main = _main_part(z)
    if main is None:
        z.verify()
        if z.has("word/document.xml"):
            raise _unsupported("reader.word")
        if z.has("ppt/presentation.xml"):
            raise _unsupported("reader.powerpoint")
        raise _unsupported("reader.zip_other")
    part, ctype = main
    low_ct = ctype.lower()
    if "wordprocessingml" in low_ct or "presentationml" in low_ct:
        z.verify()
        raise _unsupported("reader.word" if "wordprocessingml" in low_ct else "reader.powerpoint")
    if part.lower().endswith(".bin") or "binary" in low_ct:
        z.verify()
        return "xlsb", _read_xlsb(data, z, part, win)
    if "spreadsheetml" not in low_ct and "ms-excel" not in low_ct and not part.lower().endswith("workbook.xml"):
        z.verify()
        raise _unsupported("reader.zip_other")
    fmt = "xlsm" if "macroenabled" in low_ct else "xlsx"
    return fmt, _read_xlsx(z, part, win, engine)


# --------------------------------------------------------------------------- OOXML packages


def _odf_mimetype(z: _Zip) -> str:
    """The ODF media type: the mimetype member, else the manifest's entry for the package root."""
    if z.has("mimetype"):
        mimetype = z.read("mimetype")[:200].decode("ascii", "replace").strip()
        if mimetype.startswith("application/vnd.oasis.opendocument") or not z.has("META-INF/manifest.xml"):
            return mimetype
    root = _parse_xml(z, "META-INF/manifest.xml")
    for el in root.iter():
        if _local(el.tag) == "file-entry" and _attr(el, "full-path") == "/":
            return _attr(el, "media-type") or ""
    return ""


@dataclass(frozen=True)
class _Rel:
    type: str
    part: str  # the target as a part name
    target: str  # the target as written (unquoted, forward slashes)


def _rels(z: _Zip, source: str, strict: bool = False) -> dict[str, _Rel]:
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
    z.check(rels_name)
    data = z.read(rels_name)
    known = _RELS.get(data)
    if known is not None and folder in known:
        z.memo[rels_name] = known[folder]
        return known[folder]
    try:
        elements = z.elements(rels_name)
    except _Refuse as r:
        if r.code == "unsafe-file" or strict:
            raise
        return {}
    out: dict[str, _Rel] = {}
    z.memo[rels_name] = out
    if known is None:
        known = {}
        _RELS.put(data, known)
    known[folder] = out
    for tag, attrs in elements:
        if tag != "Relationship" or (_attr_any(attrs, "TargetMode") or "").lower() == "external":
            continue
        rid, rtype, target = attrs.get("Id"), attrs.get("Type") or "", attrs.get("Target")
        if not rid or not target:
            continue
        target = unquote(target.replace("\\", "/"))
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rid] = _Rel(rtype, name.lstrip("/"), target)
    return out


def _content_types(z: _Zip) -> dict[str, str]:
    if not z.has("[Content_Types].xml"):
        return {}
    found = z.memo.get("[Content_Types].xml")
    if found is not None:
        return found
    z.check("[Content_Types].xml")
    data = z.read("[Content_Types].xml")
    known = _TYPES.get(data)
    if known is not None:
        z.memo["[Content_Types].xml"] = known
        return known
    try:
        elements = z.elements("[Content_Types].xml")
    except _Refuse as r:
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


def _main_part(z: _Zip) -> tuple[str, str] | None:
    """The package's main document and its content type."""
    types = _content_types(z)
    candidates = [rel.part for rel in _rels(z, "").values() if rel.type.endswith("/officeDocument")]
    candidates += ["xl/workbook.xml", "xl/workbook.bin", "workbook.xml"]
    for part in candidates:
        if z.has(part):
            ctype = types.get(part.lower()) or types.get("*." + part.rsplit(".", 1)[-1].lower(), "")
            return part, ctype
    return None


@dataclass
class _SheetRef:
    name: str
    state: str
    kind: str  # "worksheet" | "chartsheet" | "other"
    part: str | None
    target: str = ""  # the relationship's target as written


def _workbook_sheets(z: _Zip, main: str, binary: bool) -> tuple[list[_SheetRef], bool]:
    """The workbook's sheets in order (name, state, kind, part) and whether it uses the 1904 date system."""
    rels = _rels(z, main, strict=True)
    entries: list[tuple[str, str, str | None]] = []
    is_1904 = False
    if binary:
        entries = _xlsb_bundles(z.read(main))
    else:
        data = z.read(main)
        known = _SHEETS.get(data)
        if known is None:
            for tag, attrs in z.elements(main):
                if tag == "sheet" and attrs.get("name") is not None:
                    entries.append((attrs.get("name", ""), attrs.get("state") or "visible", _attr_any(attrs, "id")))
                elif tag == "workbookPr":
                    is_1904 = (attrs.get("date1904") or "").strip().lower() in ("1", "true")
            _SHEETS.put(data, (entries, is_1904))
        else:
            entries, is_1904 = known
    rels_part = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
    if entries and not rels and not z.has(rels_part):
        raise _unreadable("reader.sheet_missing", sheet=entries[0][0])
    refs = []
    for name, state, rid in entries:
        rel = rels.get(rid or "")
        if rel is None:
            kind = "other"  # a dangling reference: there is no part to read
        elif rel.type.endswith("/worksheet"):
            kind = "worksheet"
        elif rel.type.endswith("/chartsheet"):
            kind = "chartsheet"
        else:
            kind = "other"  # dialog and macro sheets hold no cell data of interest
        if kind == "worksheet" and rel is not None and not z.has(rel.part):
            raise _unreadable("reader.sheet_missing", sheet=name)
        refs.append(_SheetRef(name, _VISIBILITY.get(state.lower(), "visible"), kind,
                              rel.part if rel else None, rel.target if rel else ""))
    if refs and all(ref.part is None for ref in refs):  # not one sheet can be found: damage, not design
        raise _unreadable("reader.sheet_missing", sheet=refs[0].name)
    return refs, is_1904


@dataclass
class _Scan:
    """What a sheet's own records say about the cells in the window."""

    cells: dict[tuple[int, int], tuple[str, Any]] = field(default_factory=dict)
    truncated: bool = False
    area: int = 0  # the dense extent a library would lay out (xlsb)


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def _parse_ref(ref: str | None) -> tuple[int, int] | None:
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


def _iterparse(z: _Zip, part: str, events: tuple[str, ...]) -> Iterator[tuple[str, Element]]:
    """Stream a part's XML. DTDs are refused; a parse error means the part is damaged."""
    try:
        with z.source(part) as fh:
            yield from _xml_iterparse(fh, events=events, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _unsafe("reader.xml_dtd", part=z.name(part)) from exc
    except ParseError as exc:
        raise _unreadable("reader.xml_corrupt", part=z.name(part)) from exc


class _Stop(Exception):
    """Raised from a parser callback: nothing more is needed from this part."""


def _expat(unsafe_part: str) -> Any:
    """A bare expat parser (fast: no tree) that refuses DTDs and entity declarations."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: Any) -> None:
        raise _unsafe("reader.xml_dtd", part=unsafe_part)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _scan_xlsx_sheet(z: _Zip, part: str, win: _Window) -> _Scan:
    """Stream a worksheet's XML: kind and raw value of each cell in the window.

    A bare expat pass (no element tree), stopped at the first cell with
    content below the window, so memory and time stay bounded whatever the
    sheet's stated or real size.
    """
    from xml.parsers.expat import ExpatError

    scan = _Scan()
    row, col = -1, -1
    cell: list[Any] | None = None  # [r, t, s, has_formula, v text parts, inline text parts]
    sink: list[str] | None = None
    in_inline = False
    phonetic = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, col, cell, sink, in_inline, phonetic
        tag = name.rpartition(" ")[2]
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
        nonlocal col, cell, sink, in_inline, phonetic
        tag = name.rpartition(" ")[2]
        if tag in ("v", "t"):
            sink = None
        elif tag == "rPh":
            phonetic -= 1
        elif tag == "is":
            in_inline = False
        elif tag == "c" and cell is not None:
            ref, t, style, has_f, v, inline = cell
            cell = None
            pos = _parse_ref(ref)
            if pos is None:
                if ref:
                    return  # an invalid reference (e.g. row 0): no cell anyone can see
                pos = (row, col + 1)
            r, c = pos
            col = c
            if r < 0:
                return
            kind = _cell_kind(t, has_f, None if v is None else "".join(v),
                              None if inline is None else "".join(inline), style)
            if kind is None:
                return
            if win.has(r, c):
                scan.cells[(r, c)] = kind
            else:
                scan.truncated = True
                if r >= win.rows:
                    raise _Stop
        elif tag == "sheetData":
            raise _Stop

    def chars(data: str) -> None:
        if sink is not None:
            sink.append(data)

    parser = _expat(z.name(part))
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        with z.source(part) as fh:
            parser.ParseFile(fh)
    except _Stop:
        pass
    except ExpatError as exc:
        raise _unreadable("reader.xml_corrupt", part=z.name(part)) from exc
    return scan


def _cell_kind(t: str, has_formula: bool, vtext: str | None, inline: str | None,
               style: str | None) -> tuple[str, Any] | None:
    """(kind, raw) of one <c>, None when it holds nothing.

    Kinds: s (shared string index), str (text), n ((number, style index)),
    b (bool), d (ISO date text), e (error text), f (formula without a value).
    """
    if t == "inlineStr" or (inline is not None and t not in ("s", "e")):
        if inline is not None:
            return "str", _unescape(inline)
        if vtext:
            return "str", _unescape(vtext)
        return ("f", None) if has_formula else None
    if t == "str" and vtext is not None:  # a formula's cached text, possibly ""
        return "str", _unescape(vtext)
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
        number = float(vtext)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    try:
        index = int(style or 0)
    except ValueError:
        index = 0
    return "n", (number, index)


def _rich_text(el: Element) -> str:
    """Plain text of a string item: all <t> runs, without phonetic (<rPh>) runs."""
    parts = []
    for ch in el:
        name = _local(ch.tag)
        if name == "t":
            parts.append(ch.text or "")
        elif name == "r":
            for t in ch:
                if _local(t.tag) == "t":
                    parts.append(t.text or "")
    return "".join(parts)


def _read_sst(z: _Zip, part: str | None, needed: set[int]) -> dict[int, str]:
    """The shared strings the window uses, streamed (a sharedStrings part can be large)."""
    found: dict[int, str] = {}
    if not part or not z.has(part) or not needed:
        return found
    idx = 0
    last = max(needed)
    container: Element | None = None
    for event, el in _iterparse(z, part, ("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "sst":
                container = el
            continue
        if tag in ("si", "sstItem"):  # sstItem: Excel 2007 beta files
            if idx in needed:
                found[idx] = _unescape(_rich_text(el))
            idx += 1
            el.clear()
            if container is not None:
                container.clear()
            if idx > last:
                break
    return found


# Built-in number formats that show dates or times (27-36 and 50-58 are the CJK-locale
# date formats WPS and Chinese Excel use without writing their codes), and the elapsed one.
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)])
_DURATION_FORMAT_IDS = frozenset([46])


def _format_kind(fmt_id: int, codes: dict[int, str]) -> str | None:
    """"date", "duration" or None for a number format (by id, or by its code when the file defines one)."""
    code = codes.get(fmt_id)
    if code is None:
        if fmt_id in _DATE_FORMAT_IDS:
            return "date"
        return "duration" if fmt_id in _DURATION_FORMAT_IDS else None
    s = re.sub(r'"[^"]*"', "", code)
    s = re.sub(r"\\.|_.|\*.", "", s)
    s = s.split(";", 1)[0]
    if re.search(r"\[(?:h+|m+|s+)\]", s, re.I):
        return "duration"
    s = re.sub(r"\[[^\]]*\]", "", s)
    if s.strip().lower() == "general":
        return None
    return "date" if re.search(r"[dmyhs]", s, re.I) else None


@functools.lru_cache(maxsize=1024)
def _code_kind(code: str) -> str | None:
    """``_format_kind`` of a format code, whatever its id."""
    return _format_kind(-1, {-1: code})


def _numeric(v: float, kind: str | None, is_1904: bool) -> object:
    """A stored number as the sheet shows it: a date/time, a duration, or the number."""
    if kind == "date":
        return _serial_to_date(v, is_1904)
    if kind == "duration" and math.isfinite(v) and abs(v) < MAX_DATE_SERIAL:
        return _datelike(dt.timedelta(days=v))
    return _number(v)


def _xlsx_styles(z: _Zip, part: str | None) -> list[str | None]:
    """Per cell style (xf) index: what its number format makes of a number.

    A styles part that is not well-formed counts as absent (numbers are read
    without their formats), as Excel's repair does; one that declares a DTD
    still refuses the file.
    """
    if not part or not z.has(part):
        return []
    try:
        root = _parse_xml(z, part)
    except _Refuse as r:
        if r.code == "unsafe-file" or r.params.get("detail") != _msg("reader.xml_corrupt", part=z.name(part)):
            raise
        log.debug("%s is not well-formed: numbers are read without their formats", part)
        return []
    codes: dict[int, str] = {}
    cell_xfs = None
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "numFmt":
            try:
                codes[int(el.get("numFmtId") or "")] = el.get("formatCode") or ""
            except ValueError:
                continue
        elif tag == "cellXfs" and cell_xfs is None:
            cell_xfs = el
    kinds: list[str | None] = []
    for child in cell_xfs if cell_xfs is not None else []:
        xf = child if _local(child.tag) == "xf" else next(
            (x for x in child.iter() if x is not child and _local(x.tag) == "xf"), None)
        if xf is None:
            continue
        try:
            kinds.append(_format_kind(int(xf.get("numFmtId") or 0), codes))
        except ValueError:
            kinds.append(None)
    return kinds


# Tests and diagnosis can switch the library paths off: every xlsx sheet then goes
# through our own parser (the reference the fast paths must agree with).
FAST_XLSX = True
FAST_PART = 4 * 2**20  # sheets and shared strings above this size are left to our streaming parser


def _read_xlsx(z: _Zip, main: str, win: _Window, engine: str) -> list[Grid]:
    """xlsx/xlsm/xltx: the engine's library where it reads exactly what our own parser would, else our parser.

    Our parser (expat over the package's XML, streaming, bounded by the
    window) is the reference: it tells blanks from formulas without a cached
    value and from error cells, keeps string whitespace, knows the CJK
    built-in date formats. It is also slow (about 2 ms for a form), so each
    worksheet whose bytes show nothing a library would read differently
    (see ``_sheet_gate``) gets its values from the engine's library
    (python-calamine, or openpyxl read-only), and only the others are parsed
    here. Both routes give the same Grid; the tests prove it on every file.

    Parts are checked (CRC, DTD) as they are used: the content types, the
    relationships, the workbook, styles, shared strings and worksheets.
    Parts nothing reads (themes, drawings, document properties) are not.
    """
    refs, is_1904 = _workbook_sheets(z, main, binary=False)
    wb_rels = _rels(z, main)

    def related(suffix: str, fallback: str) -> tuple[str | None, _Rel | None]:
        rel = next((r for r in wb_rels.values() if r.type.endswith(suffix) and z.has(r.part)), None)
        if rel is not None:
            return rel.part, rel
        return (fallback if z.has(fallback) else None), None

    styles_part, _ = related("/styles", "xl/styles.xml")
    sst_part, sst_rel = related("/sharedStrings", "xl/sharedStrings.xml")
    sheets = [ref for ref in refs if ref.kind == "worksheet" and ref.part]
    if styles_part:
        z.check(styles_part)
    for part in (sst_part, *(ref.part for ref in sheets)):
        if part:
            z.check(part, shared=False)
    grids: dict[int, Grid] = {}
    if FAST_XLSX and sheets:
        grids = _xlsx_fast(z, main, sheets, styles_part, sst_part, sst_rel, win, engine)
    rest = [ref for ref in sheets if id(ref) not in grids]
    if rest:
        grids.update(_xlsx_full(z, rest, styles_part, sst_part, is_1904, win))
        log.debug("xlsx: %d of %d sheets by our parser", len(rest), len(sheets))
    return [grids[id(ref)] for ref in sheets]


def _xlsx_full(z: _Zip, refs: list[_SheetRef], styles_part: str | None, sst_part: str | None, is_1904: bool,
               win: _Window) -> dict[int, Grid]:
    """Our own parser for these worksheets."""
    scans = {id(ref): _scan_xlsx_sheet(z, ref.part or "", win) for ref in refs}
    needed = {raw for scan in scans.values() for kind, raw in scan.cells.values() if kind == "s"}
    strings = _read_sst(z, sst_part, needed)
    styles: list[str | None] | None = None
    grids = {}
    for ref in refs:
        scan = scans[id(ref)]
        values: dict[tuple[int, int], object] = {}
        fnv: set[tuple[int, int]] = set()
        errors: dict[tuple[int, int], str] = {}
        for key, (kind, raw) in scan.cells.items():
            if kind == "s":
                values[key] = _plain(strings.get(raw))
            elif kind == "str":
                values[key] = _plain(raw)
            elif kind == "b":
                values[key] = raw
            elif kind == "e":
                errors[key] = raw
            elif kind == "f":
                fnv.add(key)
            elif kind == "d":
                values[key] = _iso_date(raw)
            else:
                if styles is None:
                    styles = _xlsx_styles(z, styles_part)
                number, style = raw
                values[key] = _numeric(number, styles[style] if style < len(styles) else None, is_1904)
        grids[id(ref)] = _make_grid(ref.name, ref.state, values, fnv, errors, scan.truncated)
    return grids


# --------------------------------------------------------------------------- xlsx through a library
#
# The gates below look at a part's bytes for anything the engine's library
# would read differently from our parser, or that our parser would refuse.
# They are conservative: whatever they do not vouch for goes to our parser.
# Measured differences they guard against (python-calamine 0.9 / calamine 0.37,
# openpyxl 3.1): formula cells and error cells (the libraries give '' or None,
# or the error text); t="d" and t="str" cells; calamine trims leading and
# trailing spaces, tabs and newlines of a <t> without xml:space="preserve"
# (also those written as character references) and drops a value given as
# <v> in an inline-string cell; neither agrees with us on "1_000" or "１２" in
# a number cell, or on booleans other than 0/1; _xHHHH_ escapes outside the
# plain range; openpyxl goes by namespaces and row elements where we go by
# local names and cell references; and date detection differs from ours in
# corners (for example "aaaa yyyy", "a/p"), so a workbook whose styles have any
# date or time format goes to our parser altogether (calamine is not even
# given the styles: every number stays a number). Fuzzing damaged forms and
# random texts and numbers against both libraries found no other difference.

_RICH = rb"b|i|u|strike|sz|color|rFont|family|charset|scheme|vertAlign|outline|shadow|condense|extend"
_NUMBER = rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_EDGE = rb"[ \t\r\n]"
# A run of text: calamine trims the edges of a <t> without xml:space="preserve" (after turning character
# references into characters), so such a <t> must have no edge spaces and no character references.
_TEXT = (rb"(?:<t>(?!" + _EDGE + rb")[^<&]*(?:&(?:amp|lt|gt|quot|apos);[^<&]*)*(?<!" + _EDGE + rb")</t>"
         rb"|<t xml:space=\"preserve\">[^<]*</t>|<t/>)")
_RUN = (rb"<r>(?:<rPr>(?:<(?:" + _RICH + rb")(?: [A-Za-z]+=\"[^\"<]*\")* ?/>)*</rPr>)?" + _TEXT + rb"</r>")
_MORE = rb'(?: (?:cm|vm|ph)="[0-9]+")* ?'
# A cell as the usual writers write one, holding a number, a shared string index, 0 or 1, or an inline
# string; after its reference (c r="A1").
_CELL_REST = (rb'"(?: s="[0-9]+")?'
              rb'(?:(?: t="n")?' + _MORE + rb'(?:/>|>(?:<v>' + _NUMBER + rb'</v>)?</c>)'
              rb'| t="inlineStr"' + _MORE + rb'><is>(?:' + _TEXT + rb'|' + _RUN + rb')*</is></c>'
              rb'| t="s"' + _MORE + rb'><v>[0-9]+</v></c>'
              rb'| t="b"' + _MORE + rb'><v>[01]</v></c>)')


def _upto(n: int) -> str:
    """A regex for the decimal numbers 1..n (no leading zeros); n >= 1."""
    s = str(n)
    alts = [f"[1-9][0-9]{{0,{len(s) - 2}}}"] if len(s) > 1 else []
    for i, ch in enumerate(s):
        low = 1 if i == 0 else 0
        if int(ch) - 1 >= low:
            alts.append(f"{s[:i]}[{low}-{int(ch) - 1}]" + "[0-9]" * (len(s) - i - 1))
    return "(?:" + "|".join([*alts, s]) + ")"


def _columns_upto(n: int) -> str:
    """A regex for the column names A.. up to column n (1-based); n >= 1."""
    name = a1(0, n - 1)[:-1]
    alts = [f"[A-Z]{{1,{len(name) - 1}}}"] if len(name) > 1 else []
    for i, ch in enumerate(name):
        if ch > "A":
            alts.append(f"{name[:i]}[A-{chr(ord(ch) - 1)}]" + "[A-Z]" * (len(name) - i - 1))
    return "(?:" + "|".join([*alts, name]) + ")"


@functools.lru_cache(maxsize=16)
def _odd_cells(rows: int, cols: int) -> re.Pattern[bytes]:
    """Any cell but a usual one (``_CELL_REST``) inside the window: formulas, errors, dates, formula strings,
    odd attributes or values, text with edge spaces, cells outside the window or without a plain reference."""
    if rows < 1 or cols < 1:
        return re.compile(rb"<c[\s/>]")
    ref = (_columns_upto(min(cols, 16384)) + _upto(min(rows, 1048576))).encode()
    return re.compile(rb"<c(?=[\s/>])(?! r=\"" + ref + _CELL_REST + rb")")


_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_ESCAPE = re.compile(rb"_x")
_SI = (rb">(?:" + _TEXT + rb"|" + _RUN + rb"|<rPh(?: [A-Za-z]+=\"[^\"<]*\")* ?>" + _TEXT
       + rb"</rPh>|<phoneticPr(?: [A-Za-z]+=\"[^\"<]*\")* ?/>)*</si>")
_SST_ODD = re.compile(rb"<si(?=[\s/>])(?!" + _SI + rb")|:si[\s/>]|sstItem|_x")
_ROW_OR_CELL = re.compile(rb"<row(?: r=\"([0-9]+)\")?[\s/>]|<c r=\"([A-Z]{1,3})([1-9][0-9]{0,6})\"")
_NOT_UTF8 = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*[\"'](?!utf-?8[\"'])", re.I)
_NUMFMT_ID = re.compile(rb"numFmtId\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_NUMFMT = re.compile(rb"<(?:[\w.-]+:)?numFmt\s([^>]*)>")
_FORMAT_CODE = re.compile(rb"(?:^|\s)formatCode\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _utf8(data: bytes) -> bool:
    """The part is UTF-8 (what the byte checks read), not UTF-16 or another declared encoding."""
    head = data[:4]
    return not (head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in head or _NOT_UTF8.match(data[:200]))


def _sheet_gate(z: _Zip, part: str, win: _Window, engine: str) -> int | None:
    """How many cells a worksheet has when the engine's library may read it, else None.

    Yes when: the part is plain UTF-8 and well-formed as far as our parser
    would read it (to </sheetData>); every cell is one the library reads as
    we do (``_odd_cells``) with a plain A1 reference inside the window, so
    the library builds no more than the window and nothing is truncated; for
    openpyxl, rows and cells come in order, once each (it places cells by
    their row element, and keeps the first of two rows with one number).
    """
    from xml.parsers.expat import ExpatError

    if z.size(part) > FAST_PART:
        return None
    data = z.read(part)
    if not _utf8(data):
        return None
    at = data.find(b"sheetData")
    if at < 1 or data[at - 1] != 0x3C:  # the first mention is our <sheetData start tag, unprefixed
        return None
    opened = data.find(b">", at)
    if opened < 0:
        return None
    body = opened + 1
    if data[opened - 1] == 0x2F:  # <sheetData/>
        stop = end = body
    else:
        stop = data.find(b"</sheetData>", body)
        if stop < 0:
            return None
        end = stop + len(b"</sheetData>")
    if data.find(b"<!", 0, body) >= 0 or data.find(b"<?", 5, body) >= 0:  # something could hide <sheetData
        return None
    if (_odd_cells(win.rows, win.cols).search(data, body, stop) or _PREFIXED_CELL.search(data, body, stop)
            or _ESCAPE.search(data, body, stop)):
        return None
    cells = data.find(b"<c ", body, stop) >= 0
    if engine == "openpyxl":  # it goes by namespaces (we and calamine by local names) and by row order
        root = data.find(b"<worksheet")
        close = data.find(b">", root)
        if (root < 0 or data.find(_MAIN_NS, root, close) < 0 or data.find(b"xmlns", close, stop) >= 0
                or (cells and not _in_order(data, body, stop))):
            return None
    parser = _expat(z.name(part))
    try:
        parser.Parse(data[:end], False)  # well-formed as far as our parser reads
    except ExpatError:
        return None
    return int(cells)


def _in_order(data: bytes, start: int, stop: int) -> bool:
    """Rows numbered and ascending, each cell in its own row, columns ascending."""
    row = col = 0
    for r, letters, number in _ROW_OR_CELL.findall(data, start, stop):
        if not letters:
            if not r or int(r) <= row:
                return False
            row, col = int(r), 0
            continue
        if int(number) != row:
            return False
        c = 0
        for ch in letters:
            c = c * 26 + ch - 64
        if c <= col:
            return False
        col = c
    return True


def _sst_gate(z: _Zip, part: str) -> bool:
    """Shared strings a library reads as we do: plain UTF-8, well-formed, usual items (``_SST_ODD``)."""
    from xml.parsers.expat import ExpatError

    if z.size(part) > FAST_PART:
        return False
    data = z.read(part)
    if not _utf8(data) or _SST_ODD.search(data):
        return False
    parser = _expat(z.name(part))
    try:
        parser.Parse(data, True)
    except ExpatError:
        return False
    return True


def _styles_gate(z: _Zip, part: str) -> bool:
    """No number format in the styles is a date, time or duration to us (so every number stays a number).

    Looks at every numFmtId anywhere in the part and at every format code
    defined, which is more than our parser uses: a superset, so a yes is safe.
    A part our parser cannot parse counts as absent there, which also leaves
    every number a number.
    """
    data = z.read(part)
    known = _PLAIN_STYLES.get(data)
    if known is None:
        known = _no_dates(data)
        _PLAIN_STYLES.put(data, known)
    return known


def _no_dates(data: bytes) -> bool:
    if not _utf8(data):
        return False
    codes: dict[int, list[str]] = {}
    for attrs in _NUMFMT.findall(data):
        ident = _NUMFMT_ID.search(attrs)
        code = _FORMAT_CODE.search(attrs)
        if ident is None:
            continue
        raw = ident.group(1) if ident.group(1) is not None else ident.group(2)
        if not raw.strip().isdigit():
            return False
        if code is not None:
            text = (code.group(1) if code.group(1) is not None else code.group(2)).decode("utf-8", "replace")
            codes.setdefault(int(raw), []).extend((text, html.unescape(text)))
    for raw in {a or b for a, b in _NUMFMT_ID.findall(data)}:
        if not raw.strip().isdigit():
            return False
        ident = int(raw)
        if ident in _DATE_FORMAT_IDS or ident in _DURATION_FORMAT_IDS:
            return False
        if any(_code_kind(code) is not None for code in codes.get(ident, ())):
            return False
    return True


def _xlsx_fast(z: _Zip, main: str, sheets: list[_SheetRef], styles_part: str | None, sst_part: str | None,
               sst_rel: _Rel | None, win: _Window, engine: str) -> dict[int, Grid]:
    """The worksheets the engine's library reads exactly as our parser would: their Grids, by id(ref)."""
    # The package laid out as every writer does it, so the library finds the parts we checked.
    if main != "xl/workbook.xml" or z.name(main) != main or len({ref.name for ref in sheets}) != len(sheets):
        return {}
    if sst_part is not None and (sst_part != "xl/sharedStrings.xml" or z.name(sst_part) != sst_part
                                 or sst_rel is None or not _sst_gate(z, sst_part)):
        return {}
    types = _content_types(z)
    if any(ctype.endswith("sharedStrings+xml") and name != "xl/sharedstrings.xml" for name, ctype in types.items()):
        return {}
    if styles_part is not None and not _styles_gate(z, styles_part):
        return {}
    counts = {}
    for ref in sheets:
        part = ref.part or ""
        if (z.name(part) != part or not part.startswith("xl/worksheets/")
                or ref.target not in (part, "/" + part, part[3:])):
            continue
        n = _sheet_gate(z, part, win, engine)
        if n is not None:
            counts[id(ref)] = n
    todo = [ref for ref in sheets if counts.get(id(ref))]
    values: dict[int, list[list[object]]] = {id(ref): [] for ref in sheets if id(ref) in counts}
    if todo:
        try:
            with _quiet_stderr():
                if engine == "calamine":
                    parts = ["[Content_Types].xml", "_rels/.rels", main, "xl/_rels/workbook.xml.rels", sst_part,
                             *(ref.part for ref in todo)]
                    found = _calamine_values(_stored(z, [p for p in parts if p and z.has(p)]), todo, win)
                else:
                    found = _openpyxl_values(z.data, todo, win)
        except BaseException as exc:  # noqa: B036 - pyo3 panics are BaseException
            if _fatal(exc):
                raise
            log.debug("%s failed on the workbook; our parser reads it", engine, exc_info=True)
            return {}
        for ref in todo:
            got = found.get(id(ref))
            if got is None:
                del values[id(ref)]
            else:
                values[id(ref)] = got
    log.debug("xlsx: %d of %d sheets by %s", len(values), len(sheets), engine)
    return {id(ref): Grid(ref.name, ref.state, values[id(ref)]) for ref in sheets if id(ref) in values}


def _stored(z: _Zip, names: list[str]) -> bytes:
    """A new, uncompressed package of these (checked) parts, for python-calamine.

    The library then reads exactly the bytes the gates looked at, under the
    same names, and neither inflates them again nor parses what plays no
    part in the values (styles: the gates allow no date formats, so every
    number is a number; themes, properties, drawings).
    """
    local, central = [], []
    offset = 0
    for name in names:
        data = z.read(name)
        info = z.parts[name.lower()]
        raw = z.name(name).encode("utf-8")
        head = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 0, 0, 0x21, info.CRC, len(data), len(data),
                           len(raw), 0)
        local += (head, raw, data)
        central += (struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, 0, 0, 0x21, info.CRC, len(data),
                                len(data), len(raw), 0, 0, 0, 0, 0, offset), raw)
        offset += len(head) + len(raw) + len(data)
    directory = b"".join(central)
    return b"".join((*local, directory, struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(names), len(names),
                                                    len(directory), offset, 0)))


class _NotPlain(Exception):
    """A library gave a date or time where our parser may give a number (date formats differ in corners)."""


def _plain_rows(rows: Any, top: int, lead: int, keep: int) -> list[list[object]]:
    """A library's rows in the Grid's value space and shape: ``top`` blank rows and ``lead`` blank columns
    first, at most ``keep`` values a row, cut to the last row and column holding a value, rectangular.

    '' -> None, integral float -> int, non-finite float -> None, int via float
    (openpyxl gives int for "42", as float("42") would be for us); a date,
    time or duration raises _NotPlain: the gates keep dates out, so the
    library's idea of a date format differs from ours there.
    """
    exact, inf = _EXACT, _INF
    out: list[list[object]] = [[] for _ in range(top)]
    height = width = 0
    for row in rows:
        new: list[object] = [None] * lead
        add = new.append
        for v in row if len(row) <= keep else row[:keep]:
            kind = v.__class__
            if kind is str:
                add(v or None)
            elif kind is float:
                if v.is_integer():
                    add(int(v) if -exact < v < exact else v)
                else:
                    add(None if v != v or v in (inf, -inf) else v)
            elif v is None or kind is bool:
                add(v)
            elif kind is int:
                add(_number(float(v)))
            elif isinstance(v, str):
                add(str(v) or None)
            else:
                raise _NotPlain
        out.append(new)
        last = len(new) - 1
        while last >= 0 and new[last] is None:
            last -= 1
        if last >= 0:
            height = len(out)
            if last >= width:
                width = last + 1
    return [row[:width] if len(row) >= width else row + [None] * (width - len(row)) for row in out[:height]]


_EXACT = float(2**53)
_INF = math.inf


def _calamine_values(data: bytes, refs: list[_SheetRef], win: _Window) -> dict[int, list[list[object]]]:
    book = _open_calamine(data)
    try:
        worksheets = {m.name for m in book.sheets_metadata if "work" in str(m.typ).lower()}
        out: dict[int, list[list[object]]] = {}
        for ref in refs:
            if ref.name not in worksheets:
                continue
            sheet = book.get_sheet_by_name(ref.name)
            start = sheet.start
            if start is None:
                out[id(ref)] = []
                continue
            r0, c0 = start
            if r0 >= win.rows or c0 >= win.cols:
                continue  # the gates keep these out: let our parser decide
            try:
                out[id(ref)] = _plain_rows(sheet.to_python(skip_empty_area=True, nrows=win.rows - r0), r0, c0,
                                           win.cols - c0)
            except _NotPlain:
                continue
        return out
    finally:
        book.close()


def _openpyxl_values(data: bytes, refs: list[_SheetRef], win: _Window) -> dict[int, list[list[object]]]:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False,
                                      keep_vba=False)
        try:
            out: dict[int, list[list[object]]] = {}
            names = set(book.sheetnames)
            for ref in refs:
                if ref.name not in names:
                    continue
                sheet = book[ref.name]
                if not hasattr(sheet, "iter_rows"):
                    continue
                try:
                    out[id(ref)] = _plain_rows(sheet.iter_rows(min_row=1, max_row=win.rows, min_col=1,
                                                               max_col=win.cols, values_only=True), 0, 0, win.cols)
                except _NotPlain:
                    continue
            return out
        finally:
            book.close()


def _iso_date(text: str) -> object:
    """A t="d" cell: ISO 8601 date, date-time or time."""
    t = text.strip()
    for parse in (dt.datetime.fromisoformat, dt.time.fromisoformat):
        try:
            v = parse(t)
        except ValueError:
            continue
        if v.tzinfo is not None:
            v = v.replace(tzinfo=None)
        return _datelike(v)
    return t or None


# --------------------------------------------------------------------------- xlsb


def _brt_records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """BIFF12 records: (type, body offset, body size)."""
    pos, n = 0, len(data)
    while pos < n:
        b = data[pos]
        pos += 1
        rt = b & 0x7F
        if b & 0x80:
            rt |= (data[pos] & 0x7F) << 7
            pos += 1
        size, shift = 0, 0
        for _ in range(4):
            b = data[pos]
            pos += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if pos + size > n:
            raise _Corrupt("record past end")
        yield rt, pos, size
        pos += size


def _xlsb_bundles(data: bytes) -> list[tuple[str, str, str | None]]:
    """BrtBundleSh records of workbook.bin: (name, state, relationship id)."""
    out = []
    for rt, pos, size in _brt_records(data):
        if rt == 0x9C and size >= 12:
            hs = struct.unpack_from("<I", data, pos)[0]
            cch = struct.unpack_from("<I", data, pos + 8)[0]
            off = pos + 12
            rid = None
            if cch != 0xFFFFFFFF:
                rid = data[off:off + cch * 2].decode("utf-16-le", "replace")
                off += cch * 2
            ncch = struct.unpack_from("<I", data, off)[0]
            name = data[off + 4:off + 4 + ncch * 2].decode("utf-16-le", "replace")
            if not re.fullmatch(r"[\w.-]*", rid or "") or not name or any(ch < " " or ch == "\ufffd" for ch in name):
                raise _Corrupt("sheet record")
            out.append((name, ("visible", "hidden", "veryHidden")[hs] if hs < 3 else "visible", rid))
        elif rt == 0x90:  # BrtEndBundleShs
            break
    return out


def _scan_xlsb_sheet(data: bytes, win: _Window) -> _Scan:
    """BIFF12 cell records: errors in the window, truncation, the dense extent calamine builds."""
    scan = _Scan()
    row = 0
    minr = minc = 1 << 40
    maxr = maxc = -1
    for rt, pos, size in _brt_records(data):
        if rt == 0x00 and size >= 4:  # BrtRowHdr
            row = struct.unpack_from("<I", data, pos)[0]
            continue
        if rt == 0x92:  # BrtEndSheetData
            break
        if not (2 <= rt <= 11 or rt == 62) or size < 8:
            continue
        col = struct.unpack_from("<I", data, pos)[0]
        minr, maxr, minc, maxc = min(minr, row), max(maxr, row), min(minc, col), max(maxc, col)
        if not win.has(row, col):
            scan.truncated = True
            continue
        if rt in (0x03, 0x0B) and size >= 9:  # BrtCellError, BrtFmlaError
            scan.cells[(row, col)] = ("e", _ERROR_CODES.get(data[pos + 8], "#N/A"))
    if maxr >= 0:
        scan.area = (maxr - minr + 1) * (maxc - minc + 1)
    return scan


def _read_xlsb(data: bytes, z: _Zip, main: str, win: _Window) -> list[Grid]:
    """xlsb: python-calamine for values in both engines (nothing else here reads it); our scan for errors."""
    try:
        refs, _ = _workbook_sheets(z, main, binary=True)
        scans = {}
        for ref in refs:
            if ref.kind == "worksheet" and ref.part:
                scans[ref.name] = _scan_xlsb_sheet(z.read(ref.part), win)
    except (_Corrupt, struct.error, IndexError, UnicodeDecodeError) as exc:
        raise _unreadable("reader.biff_corrupt") from exc
    if sum(s.area for s in scans.values()) > 2 * CELL_LIMIT:  # no other xlsb reader to fall back on
        raise _unsafe("reader.cells", n=sum(s.area for s in scans.values()))

    def via_calamine() -> list[Grid]:
        book = _open_calamine(data)
        try:
            grids = []
            for meta in book.sheets_metadata:
                if "work" not in str(meta.typ).lower() or meta.name not in scans:
                    continue
                scan = scans[meta.name]
                sheet = book.get_sheet_by_name(meta.name)
                values = {(r, c): _plain(v) for r, c, v in _calamine_window(sheet, win)}
                errors = {k: raw for k, (kind, raw) in scan.cells.items() if kind == "e"}
                for key in errors:
                    values.pop(key, None)
                grids.append(_make_grid(meta.name, _calamine_state(meta), values, set(), errors, scan.truncated))
            return grids
        finally:
            book.close()

    return _first_success([("calamine", via_calamine)])


# --------------------------------------------------------------------------- ODS

_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_NS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_NS_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_S = f"{{{_NS_STYLE}}}"
_TX = f"{{{_NS_TEXT}}}"
_CX = f"{{{_NS_CALCEXT}}}"
_T = f"{{{_NS_TABLE}}}"
_O = f"{{{_NS_OFFICE}}}"
_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _read_ods(z: _Zip, win: _Window) -> list[Grid]:
    """ODS, streamed from content.xml by our own reader in both engines.

    Cell values in ODS are explicit (typed attributes), so no library is
    needed; and repeated rows/columns are counted, never expanded beyond the
    window, which defuses files asking for 10^10 cells.
    """
    if z.has("META-INF/manifest.xml") and b"encryption-data" in z.read("META-INF/manifest.xml"):
        raise _Refuse("encrypted-file")
    if not z.has("content.xml"):
        raise _unreadable("reader.no_workbook")
    hidden: set[str] = set()
    grids: list[Grid] = []
    stack: list[Element] = []
    table_depth = 0
    sheet: dict[str, Any] = {}
    row_cells: dict[int, tuple[str, Any]] = {}
    col = 0
    for event, el in _iterparse(z, "content.xml", ("start", "end")):
        tag = _local(el.tag)
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
                if _local(ch.tag) == "table-properties" and ch.get(_T + "display") == "false":
                    hidden.add(el.get(_S + "name") or "")
        elif tag in ("table-cell", "covered-table-cell") and table_depth == 1:
            rep = _count(el.get(_T + "number-columns-repeated"))
            kind = _ods_cell(el)  # a covered (merged-away) cell can still hold a value, as in xlsx
            if kind is not None:
                for c in range(col, min(col + rep, win.cols)):
                    row_cells[c] = kind
                if col + rep > win.cols:
                    sheet["truncated"] = True
            col += rep
            el.clear()
        elif tag == "table-row" and table_depth == 1:
            rep = _count(el.get(_T + "number-rows-repeated"))
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
            sheet["row"] = r0 + rep
            el.clear()
            if parent is not None:
                parent.clear()
        elif tag == "table":
            if table_depth == 1:
                grids.append(_make_grid(sheet["name"], sheet["state"], sheet["values"], sheet["fnv"],
                                        sheet["errors"], sheet["truncated"]))
                el.clear()
            table_depth -= 1
    return grids


def _count(text: str | None) -> int:
    try:
        return max(1, int(text)) if text else 1
    except ValueError:
        return 1


def _ods_cell(el: Element) -> tuple[str, Any] | None:
    """(kind, value) of an ODS cell: v (value), f (formula without value), e (error); None when empty."""
    vtype = el.get(_O + "value-type")
    formula = el.get(_T + "formula")
    if el.get(_CX + "value-type") == "error":
        return "e", _odf_text(el).strip() or "#N/A"
    if vtype is None:
        if formula is not None:
            return "f", None
        text = _odf_text(el)
        return ("v", text) if text else None
    value: object = None
    if vtype in ("float", "percentage", "currency"):
        try:
            number = float(el.get(_O + "value") or "")
            value = _number(number) if math.isfinite(number) else None
        except ValueError:
            value = _odf_text(el) or None
    elif vtype == "date":
        value = _iso_date(el.get(_O + "date-value") or "")
    elif vtype == "time":
        value = _ods_duration(el.get(_O + "time-value") or "")
    elif vtype == "boolean":
        value = (el.get(_O + "boolean-value") or "").strip().lower() == "true"
    elif vtype == "string":
        value = el.get(_O + "string-value")
        if value is None:
            value = _odf_text(el)
    else:
        value = _odf_text(el)
    if value is None or value == "":
        return ("f", None) if formula is not None and vtype != "string" else None
    return "v", value


def _ods_duration(text: str) -> object:
    """office:time-value (PT10H30M00S): a time of day below 24 hours, else a duration."""
    m = _DURATION.match(text.strip())
    if not m:
        return text or None
    neg, days, hours, minutes, seconds = m.groups()
    try:
        td = dt.timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                          seconds=float(seconds or 0))
    except (OverflowError, ValueError):
        return text
    if neg:
        td = -td
    if dt.timedelta(0) <= td < dt.timedelta(days=1):
        return _datelike((dt.datetime(2000, 1, 1) + td).time())
    return _datelike(td)


def _odf_text(cell: Element) -> str:
    """A cell's text as shown: paragraphs joined by newlines; text:s, text:tab, text:line-break expanded."""
    paras = [_odf_inline(p) for p in cell if _local(p.tag) in ("p", "h")]
    return "\n".join(paras)


def _odf_inline(el: Element) -> str:
    parts = [el.text or ""]
    for ch in el:
        name = _local(ch.tag)
        if name == "s":
            parts.append(" " * _count(ch.get(_TX + "c")))
        elif name == "tab":
            parts.append("\t")
        elif name == "line-break":
            parts.append("\n")
        elif name not in ("annotation", "note", "bookmark", "bookmark-start", "bookmark-end",
                          "change-start", "change-end"):
            parts.append(_odf_inline(ch))
        parts.append(ch.tail or "")
    return "".join(parts)
