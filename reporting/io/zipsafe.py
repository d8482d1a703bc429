"""Zip containers (xlsx, xlsm, xlsb, ods) on the standard library's ``zipfile``, inflated with bounds.

``zipfile`` reads the central directory; every member is then inflated by
``zlib.decompressobj`` in chunks, counting the bytes actually produced: a
member whose header understates its size is stopped as soon as it passes
what it declared (never inflated whole), and the declared sizes themselves
are held to a total, a ratio and a member count before anything is inflated.
A part is checked when first used: its size, its CRC, and for an XML part
that its prolog declares no DTD.
"""
from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from reporting.io.common import Refuse, mb, unreadable, unsafe
from reporting.io.xmlsafe import XML_HEAD, declares_dtd, expat

# Generous for real forms (a filled form is a few KB), small enough that a hostile file cannot
# take the machine down.
MAX_UNCOMPRESSED = 200 * 2**20  # all members of a zip, declared sizes
MAX_MEMBERS = 10_000
MAX_RATIO = 100  # uncompressed : compressed, for a member above RATIO_MIN_SIZE
RATIO_MIN_SIZE = 4 * 2**20
IN_MEMORY = 16 * 2**20  # a part up to this size is inflated once and kept; a larger one is streamed
IN_CHUNK = 64 * 1024  # compressed bytes given to the inflater at a time
OUT_CHUNK = 1 * 2**20  # the most one inflater call may produce
MEDIA_EXT = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff", ".svg", ".wdp",
             ".jfif", ".webp", ".ico")


def xmlish(key: str) -> bool:
    """Parts that are (or may be) XML, whose prolog must not declare a DTD."""
    return key.endswith((".xml", ".rels", ".vml")) or "." not in posixpath.basename(key)


class Memo(dict):
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
_INFLATED = Memo(256, 16 * 1024)  # compressed bytes -> ((method, CRC, size), inflated): same input, same output
_ELEMENTS = Memo(256, 64 * 1024)  # bytes of a structure part -> its elements


def inflate(raw: bytes | memoryview, declared: int, part: str) -> Iterator[bytes]:
    """Raw deflate data in chunks, stopping the moment the output passes ``declared`` bytes.

    Memory stays at one input and one output chunk whatever the data says;
    a stream that ends early (or never ends) is damage.
    """
    dec = zlib.decompressobj(-15)
    produced = 0
    pos, n = 0, len(raw)
    buf: bytes | memoryview = b""
    while True:
        if not buf:
            if pos >= n:
                break
            buf = raw[pos:pos + IN_CHUNK]
            pos += IN_CHUNK
        try:
            out = dec.decompress(buf, OUT_CHUNK)
        except zlib.error as exc:
            raise unreadable("reader.zip_corrupt") from exc
        buf = dec.unconsumed_tail
        if out:
            produced += len(out)
            if produced > declared:
                raise unreadable("reader.zip_lies", part=part, size_mb=mb(declared))
            yield out
        if dec.eof:
            return
    if not dec.eof:
        raise unreadable("reader.zip_corrupt")


class SafeZip:
    """A zip opened from bytes, with part names normalised and looked up case-insensitively."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, struct.error, EOFError,
                NotImplementedError, UnicodeDecodeError) as exc:
            raise unreadable("reader.zip_corrupt") from exc
        if len(infos) > MAX_MEMBERS:
            raise unsafe("reader.zip_members", n=len(infos), limit=MAX_MEMBERS)
        total = 0
        self.parts: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename.replace("\\", "/").lstrip("/")
            total += info.file_size
            if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise unsafe("reader.zip_ratio", part=name, ratio=info.file_size // max(info.compress_size, 1))
            if name.endswith("/"):
                continue
            key = name.lower()
            if key in self.parts:
                raise unsafe("reader.zip_duplicate", part=name)
            self.parts[key] = info
        if total > MAX_UNCOMPRESSED:
            raise unsafe("reader.zip_total", size_mb=mb(total), limit_mb=mb(MAX_UNCOMPRESSED))
        if any(info.flag_bits & 1 for info in infos):
            raise Refuse("encrypted-file")
        self._bytes: dict[str, bytes] = {}
        self._checked: set[str] = set()
        self._elements: dict[str, list[tuple[str, dict[str, str]]]] = {}
        self.memo: dict[str, Any] = {}  # what the package's structure parts say, worked out once

    def has(self, name: str | None) -> bool:
        return bool(name) and name.lower() in self.parts

    def name(self, name: str) -> str:
        return self.parts[name.lower()].filename.replace("\\", "/")

    def size(self, name: str) -> int:
        return self.parts[name.lower()].file_size

    # ----------------------------------------------------------------- inflating

    def _raw(self, info: zipfile.ZipInfo) -> memoryview:
        """The member's compressed bytes, found through its local header."""
        data, off = self.data, info.header_offset
        if off < 0 or len(data) < off + 30 or data[off:off + 4] != b"PK\x03\x04":
            raise unreadable("reader.zip_corrupt")
        nlen, xlen = struct.unpack_from("<HH", data, off + 26)
        start = off + 30 + nlen + xlen
        raw = memoryview(data)[start:start + info.compress_size]
        if len(raw) != info.compress_size:
            raise unreadable("reader.zip_corrupt")
        return raw

    def chunks(self, key: str) -> Iterator[bytes]:
        """A member's bytes in chunks: never more than it declares, its CRC checked at the end."""
        info = self.parts[key]
        part = info.filename
        crc, produced = 0, 0
        if info.compress_type == zipfile.ZIP_STORED:
            raw = self._raw(info)
            if len(raw) > info.file_size:
                raise unreadable("reader.zip_lies", part=part, size_mb=mb(info.file_size))
            source: Iterator[bytes] = (bytes(raw[i:i + OUT_CHUNK]) for i in range(0, len(raw), OUT_CHUNK))
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            source = inflate(self._raw(info), info.file_size, part)
        else:
            source = self._other(info)
        for chunk in source:
            produced += len(chunk)
            crc = zlib.crc32(chunk, crc)
            yield chunk
        if produced != info.file_size or crc != info.CRC:
            raise unreadable("reader.crc", part=part)

    def _other(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """bzip2/lzma members (Excel never writes them) through zipfile, which stops at the declared size."""
        try:
            with self.zf.open(info) as fh:
                while chunk := fh.read(OUT_CHUNK):
                    yield chunk
        except zipfile.BadZipFile as exc:
            raise unreadable("reader.crc", part=info.filename) from exc
        except (NotImplementedError, OSError, EOFError, zlib.error, ValueError, RuntimeError) as exc:
            raise unreadable("reader.zip_corrupt") from exc

    def _inflate_whole(self, key: str, shared: bool) -> bytes:
        info = self.parts[key]
        packed = None
        seen = (info.compress_type, info.CRC, info.file_size)
        if shared and info.file_size <= _SHARED_MAX and info.compress_type == zipfile.ZIP_DEFLATED:
            packed = bytes(self._raw(info))
            known = _INFLATED.get(packed)
            if known is not None and known[0] == seen:
                return known[1]
        data = b"".join(self.chunks(key))
        if packed is not None:
            _INFLATED.put(packed, (seen, data))
        return data

    # ----------------------------------------------------------------- parts

    def read(self, name: str, shared: bool = True) -> bytes:
        """A whole part, checked (and kept: every reader of it gets the same bytes).

        ``shared``: a part many files have byte for byte (structure, styles),
        whose inflating is remembered across files; not for a sheet.
        """
        key = name.lower()
        data = self._bytes.get(key)
        if data is None:
            data = self._inflate_whole(key, shared)
            if xmlish(key) and declares_dtd(data[:XML_HEAD]):
                raise unsafe("reader.xml_dtd", part=self.parts[key].filename)
            self._bytes[key] = data
            self._checked.add(key)
        return data

    def check(self, name: str, shared: bool = True) -> None:
        """Check a part (size, CRC, DTD) without keeping it when it is large."""
        key = name.lower()
        if key in self._checked:
            return
        if self.parts[key].file_size <= IN_MEMORY:
            self.read(name, shared)
        else:
            self._stream_check(key)

    def _stream_check(self, key: str) -> None:
        head = b""
        for chunk in self.chunks(key):
            if len(head) < XML_HEAD:
                head += chunk[:XML_HEAD - len(head)]
                if len(head) >= XML_HEAD and xmlish(key) and declares_dtd(head):
                    raise unsafe("reader.xml_dtd", part=self.parts[key].filename)
        if xmlish(key) and declares_dtd(head):
            raise unsafe("reader.xml_dtd", part=self.parts[key].filename)
        self._checked.add(key)

    def source(self, name: str) -> Any:
        """A checked part as a binary stream: from memory when it was read whole, else inflated again."""
        self.check(name)
        key = name.lower()
        data = self._bytes.get(key)
        if data is not None:
            return io.BytesIO(data)
        return io.BufferedReader(_ChunkReader(self.chunks(key)), OUT_CHUNK)

    def verify(self) -> None:
        """Check every non-media part: CRC errors surface, and no part may declare a DTD."""
        for key in self.parts:
            if key.endswith(MEDIA_EXT) or key in self._checked:
                continue
            self._stream_check(key)

    def elements(self, name: str) -> list[tuple[str, dict[str, str]]]:
        """Every element of a small XML part in document order: (local name, attributes).

        One bare expat pass (no tree), DTDs refused; a parse error makes the
        part unreadable. Used for the package's structure (content types,
        relationships, the workbook).
        """
        from xml.parsers.expat import ExpatError

        key = name.lower()
        found = self._elements.get(key)
        if found is None:
            data = self.read(name)
            found = _ELEMENTS.get(data)
            if found is None:
                found = []
                parser = expat(self.name(name))
                parser.StartElementHandler = lambda tag, attrs: found.append((tag.rpartition(" ")[2], attrs))
                try:
                    parser.Parse(data, True)
                except ExpatError as exc:
                    raise unreadable("reader.xml_corrupt", part=self.name(name)) from exc
                _ELEMENTS.put(data, found)
            self._elements[key] = found
        return found


class _ChunkReader(io.RawIOBase):
    """A raw stream over a generator of chunks (a large part, parsed as it is inflated)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._left:
            self._left = next(self._chunks, b"")
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]
        return n
