"""Every file of the shared real-world corpus.

None of these is a submission form; each must end read (sheets) or refused
with one file-level issue from the catalogue: never an exception, a hang, or
memory out of proportion to the file; and no file may change.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reporting.core.issuetypes import CATALOGUE, FILE
from reporting.io.book import read_book

HERE = Path(__file__).resolve()
CORPUS = next((p for p in (HERE.parents[2] / "shared" / "corpus", HERE.parents[1].parent / "shared" / "corpus")
               if p.is_dir()), None)
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix not in (".tsv", ".md")) if CORPUS else []
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
    "poi__poc-shared-strings.xlsx": "unsafe-file",  # one 1 MB string shown by 12,000 cells
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
    data = path.read_bytes()
    before = hashlib.sha256(data).hexdigest()
    t0 = time.perf_counter()
    book = read_book(data, path.name)
    assert time.perf_counter() - t0 < 10, f"{path.name} took too long"
    if book.issues:
        assert book.sheets == [] and book.format == ""
        assert len(book.issues) == 1 and book.issues[0].code in FILE_CODES
        assert book.issues[0].is_error
        assert book.issues[0].message("zh") and book.issues[0].message("en")
    else:
        assert book.format in ("xlsx", "xlsm", "xls", "ods", "xlsb")
        for g in book.sheets:
            assert len(g.rows) <= 500 and all(len(row) <= 40 for row in g.rows)
    assert read_book(data, path.name) == book, f"a second reading of {path.name} differs"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    if path.name in EXPECTED:
        assert outcome(book) == EXPECTED[path.name]


def read(name: str):
    return read_book((CORPUS / name).read_bytes(), name)


def test_sheet_states_and_errors() -> None:
    book = read("fastexcel__fixture-sheets-different-visibilities.xlsx")
    assert [(g.name, g.state) for g in book.sheets] == [
        ("Visible", "visible"), ("Hidden", "hidden"), ("VeryHidden", "veryHidden")]
    book = read("calamine__any_sheets.xlsb")
    assert [g.state for g in book.sheets] == ["visible", "hidden", "veryHidden"]
    book = read("xlsxwriter__optimize04.xlsx")
    assert [row[0] for row in book.sheets[0].rows] == ["Foo", "Bar", "abcdefg"]
    book = read("excelize__Book1.xlsx")
    assert book.sheets[1].formula_no_value


def test_whole_corpus_in_bounded_memory_and_time() -> None:
    """All files in a fresh interpreter: its peak memory and total time stay small."""
    script = textwrap.dedent(f"""
        import json, resource, sys, time
        from pathlib import Path
        from reporting.io.book import read_book
        files = [p for p in sorted(Path({str(CORPUS)!r}).iterdir()) if p.suffix not in (".tsv", ".md")]
        t0 = time.perf_counter()
        slowest = (0.0, "")
        for p in files:
            t = time.perf_counter()
            read_book(p.read_bytes(), p.name)
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
