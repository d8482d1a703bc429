"""Files whose headers lie, built here: each is refused (or read bounded) fast and in little memory.

Safety properties, not speed tests: the bounds (1 s, 100 MB of Python
allocations by tracemalloc) are generous; without the guards each of these
takes gigabytes or never ends.
"""
from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.io.book import Book, read_book
from reporting.io.zipsafe import inflate
from tests.test_reader import biff8, cfb, ods, xlsx_from_sheet_xml

_END, _FREE = 0xFFFFFFFE, 0xFFFFFFFF


def bounded(data: bytes, name: str = "f.xlsx", **kw: object) -> Book:
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        book = read_book(data, name, **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 1.0
    assert peak < 100 * 2**20, peak
    return book


def refused(book: Book, code: str, detail: str | None = None) -> None:
    assert book.sheets == [] and [i.code for i in book.issues] == [code], book.issues
    if detail is not None:
        assert detail in dict(book.issues[0].params)["detail"]


def lying_zip(real: int = 300 * 2**20, declared: int = 1000) -> bytes:
    """One member deflating to ``real`` bytes whose local and central headers say ``declared``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, z.open("xl/workbook.xml", "w", force_zip64=False) as fh:
        chunk = b"\0" * 2**20
        for _ in range(real // 2**20):
            fh.write(chunk)
    data = bytearray(buf.getvalue())
    assert data[:4] == b"PK\x03\x04"
    struct.pack_into("<I", data, 22, declared)  # local header: uncompressed size
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, declared)  # central directory: uncompressed size
    return bytes(data)


def test_zip_member_inflating_beyond_its_header() -> None:
    data = lying_zip()
    assert len(data) < 2**20
    refused(bounded(data), "unreadable-file", "声明的大小")


def test_zip_bomb_by_ratio() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/zeros.bin", b"\0" * (50 * 2**20))
    refused(bounded(buf.getvalue()), "unsafe-file", "压缩比")


@settings(max_examples=40, deadline=None)
@given(declared=st.integers(0, 2**20), real=st.integers(0, 4 * 2**20))
def test_inflate_never_passes_the_declared_size(declared: int, real: int) -> None:
    """Whatever the header says, the output stops within one chunk past it (and is refused)."""
    comp = zlib_raw(b"x" * real)
    produced = 0
    try:
        for chunk in inflate(comp, declared, "p"):
            produced += len(chunk)
    except Exception as exc:  # noqa: BLE001 - the refusal is the point
        assert "声明" in str(getattr(exc, "params", {})) or real <= declared
    assert produced <= declared


def zlib_raw(data: bytes) -> bytes:
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def test_ods_huge_space_run_and_repeats(tmp_path: object) -> None:
    tables = ('<table:table table:name="S">'
              '<table:table-row table:number-rows-repeated="1000000000">'
              '<table:table-cell office:value-type="string" table:number-columns-repeated="1000000000">'
              '<text:p>a<text:s text:c="1000000000"/>b</text:p></table:table-cell>'
              '</table:table-row></table:table>')
    path = ods(tmp_path / "bomb.ods", tables)  # type: ignore[operator]
    book = bounded(path.read_bytes(), "bomb.ods", max_rows=5, max_cols=10)
    g = book.sheets[0]
    assert g.truncated and len(g.rows) == 5 and len(g.rows[0]) == 10
    assert len(g.rows[0][0]) == 32_767 and g.rows[0][0].startswith("a  ")
    # 500 such cells in the window: 16 million characters, more than any form holds
    refused(bounded(path.read_bytes(), "bomb.ods", max_rows=50, max_cols=10), "unsafe-file", "16383500")


def _sheet_of_refs(n: int) -> str:
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c><c r="B{r}"><v>{r}</v></c></row>'
                    for r in range(1, n + 1))
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>')


def test_one_huge_shared_string_in_many_cells(tmp_path: object) -> None:
    """One string of a million characters shown by 400 cells: a small file, 400 million characters
    once the cells are written out anywhere (the cache, a feedback copy). Refused, not read."""
    path = xlsx_from_sheet_xml(tmp_path / "amplify.xlsx", _sheet_of_refs(400), ["甲" * 1_000_000])  # type: ignore[operator]
    assert path.stat().st_size < 200_000
    refused(bounded(path.read_bytes()), "unsafe-file", "13106800")


def test_a_cell_longer_than_excel_allows_is_cut(tmp_path: object) -> None:
    path = xlsx_from_sheet_xml(tmp_path / "long.xlsx", _sheet_of_refs(3), ["乙" * 40_000])  # type: ignore[operator]
    g = bounded(path.read_bytes()).sheets[0]
    assert [len(row[0]) for row in g.rows] == [32_767] * 3 and [row[1] for row in g.rows] == [1, 2, 3]


def _patched(data: bytes, fn) -> bytes:  # noqa: ANN001 - a small local helper
    b = bytearray(data)
    fn(b)
    return bytes(b)


def _fat_sector(data: bytes) -> int:
    return struct.unpack_from("<I", data, 0x4C)[0]


def test_cfb_fat_chain_loops() -> None:
    good = cfb({"Workbook": biff8({(0, 0): 1})})
    fat_off = (_fat_sector(good) + 1) * 512

    def loop(b: bytearray) -> None:
        struct.pack_into("<I", b, fat_off + 4 * 2, 0)  # sector 2 of the Workbook chain points back to 0
        struct.pack_into("<Q", b, 512 + 128 + 120, 2**32 - 1)  # and the stream claims 4 GB
    refused(bounded(_patched(good, loop), "loop.xls"), "unreadable-file")


def test_cfb_difat_loops() -> None:
    good = cfb({"Workbook": biff8({(0, 0): 1})})

    def loop(b: bytearray) -> None:
        # a DIFAT of "millions" of FAT sectors, whose first DIFAT sector points at itself
        struct.pack_into("<I", b, 0x2C, 0x7FFFFFFF)  # number of FAT sectors
        struct.pack_into("<I", b, 0x44, 1)  # first DIFAT sector
        struct.pack_into("<I", b, 0x48, (0x7FFFFFFF - 109 + 126) // 127)  # number of DIFAT sectors
        b[2 * 512:3 * 512] = struct.pack("<128I", *([_fat_sector(good)] * 127 + [1]))
    refused(bounded(_patched(good, loop), "difat.xls"), "unreadable-file")


def test_cfb_directory_chain_repeats() -> None:
    good = cfb({"Workbook": biff8({(0, 0): 1})})
    dir_start = struct.unpack_from("<I", good, 0x30)[0]
    fat_off = (_fat_sector(good) + 1) * 512

    def loop(b: bytearray) -> None:
        struct.pack_into("<I", b, fat_off + 4 * dir_start, dir_start)  # the directory's sector is its own next
    refused(bounded(_patched(good, loop), "dir.xls"), "unreadable-file")


def test_word_with_an_embedded_workbook_is_word() -> None:
    data = cfb({"WordDocument": b"\xec\xa5" + b"\0" * 100, "Workbook": biff8({(0, 0): 1}), "1Table": b""})
    refused(bounded(data, "doc.xls"), "unsupported-format", "Word")


def test_xls_with_filepass() -> None:
    refused(bounded(cfb({"Workbook": biff8({(0, 0): 1}, filepass=True)}), "pw.xls"), "encrypted-file")


def test_xls_declaring_every_cell_reads_the_window() -> None:
    data = cfb({"Workbook": biff8({(0, 0): "名称", (65535, 255): 7}, dims=(65536, 256))})
    g = bounded(data, "huge.xls").sheets[0]
    assert g.truncated and g.rows[0] == ["名称"]


@pytest.mark.parametrize(("declared", "code"), [(0, "unreadable-file"), (10, "unreadable-file"),
                                               (2**31, "unsafe-file")])
def test_lying_sizes_either_way(declared: int, code: str) -> None:
    """Understated: damage, stopped at the claim; overstated: the claim itself is an absurd ratio."""
    refused(bounded(lying_zip(real=8 * 2**20, declared=declared)), code)
