"""xlsb: python-calamine for the values (nothing else reads BIFF12), behind our own bounded record walk.

Before calamine allocates anything, our walk of each sheet's records finds
the error cells in the window, whether cells lie beyond it, and the dense
extent calamine would lay out; a workbook asking for an absurd extent is
refused. A calamine failure or panic ends as one unreadable-file issue.
"""
from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import re
import struct
import sys
from collections.abc import Iterator
from typing import Any

from reporting.io.common import ERROR_CODES, Grid, Refuse, Window, make_grid, plain, unreadable, unsafe
from reporting.io.ooxml import VISIBILITY, sheet_refs
from reporting.io.zipsafe import SafeZip

log = logging.getLogger(__name__)

CELL_LIMIT = 4_000_000  # cells calamine may lay out densely for one file (about 32 bytes each)


class Corrupt(Exception):
    """A record structure our walk reads is broken."""


def brt_records(data: bytes) -> Iterator[tuple[int, int, int]]:
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
            raise Corrupt("record past end")
        yield rt, pos, size
        pos += size


def bundles(data: bytes) -> list[tuple[str, str, str | None]]:
    """BrtBundleSh records of workbook.bin: (name, state, relationship id)."""
    out = []
    for rt, pos, size in brt_records(data):
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
                raise Corrupt("sheet record")
            out.append((name, ("visible", "hidden", "veryHidden")[hs] if hs < 3 else "visible", rid))
        elif rt == 0x90:  # BrtEndBundleShs
            break
    return out


def _scan_sheet(data: bytes, win: Window) -> tuple[dict[tuple[int, int], str], bool, int]:
    """Error cells in the window, truncation, and the dense extent calamine builds."""
    errors: dict[tuple[int, int], str] = {}
    truncated = False
    row = 0
    minr = minc = 1 << 40
    maxr = maxc = -1
    for rt, pos, size in brt_records(data):
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
            truncated = True
            continue
        if rt in (0x03, 0x0B) and size >= 9:  # BrtCellError, BrtFmlaError
            errors[(row, col)] = ERROR_CODES.get(data[pos + 8], "#N/A")
    area = (maxr - minr + 1) * (maxc - minc + 1) if maxr >= 0 else 0
    return errors, truncated, area


def read_xlsb(data: bytes, z: SafeZip, main: str, win: Window) -> list[Grid]:
    """Every worksheet of an xlsb: calamine's values, our walk's errors and truncation."""
    try:
        refs = sheet_refs(z, main, bundles(z.read(main)))
        scans = {ref.name: _scan_sheet(z.read(ref.part), win)
                 for ref in refs if ref.kind == "worksheet" and ref.part}
    except (Corrupt, struct.error, IndexError, UnicodeDecodeError) as exc:
        raise unreadable("reader.biff_corrupt") from exc
    area = sum(s[2] for s in scans.values())
    if area > CELL_LIMIT:
        raise unsafe("reader.cells", n=area)
    try:
        with _quiet_stderr():
            return _via_calamine(data, scans, win)
    except BaseException as exc:  # noqa: B036 - pyo3 panics are BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit | Refuse):
            raise
        log.debug("calamine failed on an xlsb", exc_info=True)
        raise unreadable("reader.unparsable") from exc


def _via_calamine(data: bytes, scans: dict[str, tuple[dict[tuple[int, int], str], bool, int]],
                  win: Window) -> list[Grid]:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        grids = []
        for meta in book.sheets_metadata:
            if "work" not in str(meta.typ).lower() or meta.name not in scans:
                continue
            errors, truncated, _ = scans[meta.name]
            values = {(r, c): plain(v) for r, c, v in _window(book.get_sheet_by_name(meta.name), win)}
            state = VISIBILITY.get(str(meta.visible).rsplit(".", 1)[-1].lower(), "visible")
            grids.append(make_grid(meta.name, state, values, set(), errors, truncated))
        return grids
    finally:
        book.close()


def _window(sheet: Any, win: Window) -> Iterator[tuple[int, int, object]]:
    """Cells of a calamine sheet inside the window, without building more rows than the window."""
    start = sheet.start
    if start is None or win.rows == 0 or win.cols == 0:
        return
    r0, c0 = start
    if r0 >= win.rows or c0 >= win.cols:
        return
    for i, row in enumerate(sheet.to_python(skip_empty_area=True, nrows=win.rows - r0)):
        for j, v in enumerate(row[: max(0, win.cols - c0)]):
            if v != "" and v is not None:
                yield r0 + i, c0 + j, v


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 while calamine runs: a Rust panic prints straight to it."""
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
    """A descriptor on os.devnull, opened once and kept."""
    return os.open(os.devnull, os.O_WRONLY)
