"""Every file of the shared real-world corpus, under both engines.

None of these is a submission form; each must end read (sheets) or refused
with one file-level issue from the catalogue: never an exception, a hang, or
memory out of proportion to the file. Both engines must give the same Book,
the same as our own parser alone (the libraries switched off), and no file
may change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reporting.core.issuetypes import CATALOGUE, FILE
from reporting.io import reader
from reporting.io.reader import read_book

HERE = Path(__file__).resolve()
CORPUS = next((p for p in (HERE.parents[2] / "shared" / "corpus", HERE.parents[1].parent / "shared" / "corpus")
               if p.is_dir()), None)
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix not in (".tsv", ".md")) if CORPUS else []
ENGINES = ("calamine", "openpyxl")
FILE_CODES = {code for code, t in CATALOGUE.items() if t.scope == FILE}

pytestmark = pytest.mark.skipif(CORPUS is None, reason="the shared corpus is not present")

# What notable files must end as: "read", or the issue code.
EXPECTED = {
    # encrypted: OLE-wrapped OOXML, FILEPASS in .xls (RC4 and XOR), ODS manifest encryption
    "calamine__pass_protected.xlsx": "encrypted-file",
    "pycalamine__password.xlsx": "encrypted-file",
    "excelize__encryptAES.xlsx": "encrypted-file",
    "excelize__encryptSHA1.xlsx": "encrypted-file",
    "poi__protected_passtika.xlsx": "encrypted-file",
    "calamine__issue_385.xls": "encrypted-file",
    "pycalamine__password.xls": "encrypted-file",
    "poi__xor-encryption-abc.xls": "encrypted-file",
    "calamine__pass_protected.ods": "encrypted-file",
    # hostile
    "poi__poc-xmlbomb.xlsx": "unsafe-file",
    "poi__54764.xlsx": "unsafe-file",
    "poi__duplicate-filename.xlsx": "unsafe-file",
    # not spreadsheets, empty, damaged
    "pandas__writertable.odt": "unsupported-format",
    "calamine__too_small.xls": "unsupported-format",
    "openpyxl__null_file.xlsx": "unreadable-file",
    "pycalamine__empty_file.xlsx": "unreadable-file",
    "calamine__issue252.xlsx": "unreadable-file",
    "tealeg__badfile_noWorkbookRels.xlsx": "unreadable-file",
    "tealeg__badfile_noWorksheets.xlsx": "unreadable-file",
    "poi__clusterfuzz-testcase-minimized-POIXSSFFuzzer-5265527465181184.xlsx": "unreadable-file",
    "poi__clusterfuzz-testcase-minimized-POIHSSFFuzzer-5816431116615680.xls": "unreadable-file",
    "calamine__OOM_alloc3.xls": "unreadable-file",
    "poi__Simple.xlsb": "unreadable-file",
    # memory and DoS repros that must read, cheaply
    "poi__51535.xls": "read",
    "poi__SharedFormulaTest.xls": "read",
    "calamine__OOM_alloc.xls": "read",
    "calamine__issue_594_dos.ods": "read",
    "poi__poc-shared-strings.xlsx": "read",
    "calamine__issue_174.xlsx": "read",
    # files one library or the other cannot open
    "calamine__issue_419.xlsx": "read",
    "excelize__CalcChain.xlsx": "read",
    "poi__49609.xlsx": "read",
    "poi__60825.xlsx": "read",
    "poi__picture.xlsx": "read",
    "poi__sample-beta.xlsx": "read",
    "poi__style-alternate-content.xlsx": "read",
    "poi__xlmmacro.xlsm": "read",
    "poi__xlsx-corrupted.xlsx": "read",
    "pandas__test_newlines.ods": "read",
    "xlrd__corrupted_error.xls": "read",
    "xlrd__biff4_no_format_no_window2.xls": "read",
    "calamine__any_sheets.xlsb": "read",
}


def outcome(book) -> str:
    if book.sheets or not book.issues:
        return "read"
    return book.issues[0].code


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file(path: Path) -> None:
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    books = []
    for engine in ENGINES:
        t0 = time.perf_counter()
        book = read_book(path, path.name, engine=engine)
        assert time.perf_counter() - t0 < 10, f"{path.name} took too long with {engine}"
        books.append(book)
        if book.issues:
            assert book.sheets == [] and book.format == ""
            assert len(book.issues) == 1 and book.issues[0].code in FILE_CODES
            assert book.issues[0].is_error
            assert book.issues[0].message("zh") and book.issues[0].message("en")
        else:
            assert book.format in ("xlsx", "xlsm", "xls", "ods", "xlsb")
            for g in book.sheets:
                assert len(g.rows) <= 500 and all(len(row) <= 40 for row in g.rows)
    assert books[0] == books[1], f"engines disagree on {path.name}"
    saved, reader.FAST_XLSX = reader.FAST_XLSX, False
    try:
        ours = read_book(path, path.name)
    finally:
        reader.FAST_XLSX = saved
    assert books[0] == ours, f"the libraries' route differs from our parser on {path.name}"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    if path.name in EXPECTED:
        assert outcome(books[0]) == EXPECTED[path.name]


def test_sheet_states_and_errors() -> None:
    book = read_book(CORPUS / "fastexcel__fixture-sheets-different-visibilities.xlsx", "v")
    assert [(g.name, g.state) for g in book.sheets] == [
        ("Visible", "visible"), ("Hidden", "hidden"), ("VeryHidden", "veryHidden")]
    book = read_book(CORPUS / "calamine__any_sheets.xlsb", "b")
    assert [g.state for g in book.sheets] == ["visible", "hidden", "veryHidden"]
    book = read_book(CORPUS / "xlsxwriter__optimize04.xlsx", "o")
    assert [row[0] for row in book.sheets[0].rows] == ["Foo", "Bar", "abcdefg"]
    book = read_book(CORPUS / "excelize__Book1.xlsx", "e")
    assert book.sheets[1].formula_no_value


def test_whole_corpus_in_bounded_memory_and_time() -> None:
    """All files, both engines, in a fresh interpreter: its peak memory and total time stay small."""
    script = textwrap.dedent(f"""
        import json, resource, sys, time
        from pathlib import Path
        from reporting.io.reader import read_book
        files = [p for p in sorted(Path({str(CORPUS)!r}).iterdir()) if p.suffix not in (".tsv", ".md")]
        t0 = time.perf_counter()
        slowest = (0.0, "")
        for p in files:
            for engine in ("calamine", "openpyxl"):
                t = time.perf_counter()
                read_book(p, p.name, engine=engine)
                slowest = max(slowest, (time.perf_counter() - t, p.name))
        print(json.dumps({{"seconds": time.perf_counter() - t0, "slowest": slowest,
                          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=HERE.parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    assert stats["peak_mb"] < 1024, stats
    assert stats["seconds"] < 30, stats


# Files whose every sheet the libraries read (nothing in them our parser alone must see), per engine.
LIBRARY_ROUTE = {
    "fastexcel__fixture-sheets-different-visibilities.xlsx": "3 of 3",
    "frictionless__merged-cells.xlsx": "1 of 1",
    "xlsxwriter__hide02.xlsx": "3 of 3",
    "xlsxwriter__rich_string01.xlsx": "1 of 1",
    "openpyxl__vba-test.xlsm": "1 of 1",
}


@pytest.mark.parametrize("engine", ENGINES)
def test_library_route_is_taken(engine: str, caplog: pytest.LogCaptureFixture) -> None:
    """The fast route is really used on real files, not only on the tool's own forms."""
    caplog.set_level(logging.DEBUG, logger="reporting.io.reader")
    for name, share in LIBRARY_ROUTE.items():
        caplog.clear()
        read_book(CORPUS / name, name, engine=engine)
        assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("xlsx: ")] == [
            f"xlsx: {share} sheets by {engine}"], name
