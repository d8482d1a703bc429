"""The reader on real files built here: openpyxl, xlsxwriter, LibreOffice, and hand-made containers.

Every read goes through ``read``: the file's bytes are read once and given to
``read_book``, and they must not change. Hostile files (bombs, entity expansion,
encryption, damage, disguised formats) must end with the exact issue code,
never an exception.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import resource
import shutil
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.core.cells import a1
from reporting.core.issuetypes import CATALOGUE
from reporting.io.book import Book, Grid, classify_name, read_book, sniff

HERE = Path(__file__).resolve()
CORPUS = next((p for p in (HERE.parents[2] / "shared" / "corpus", HERE.parents[1].parent / "shared" / "corpus")
               if p.is_dir()), None)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read(path: Path, **kw: object) -> Book:
    """read_book on the file's bytes; the file is untouched and the Book keeps its invariants."""
    before = sha256(path)
    book = read_book(path.read_bytes(), path.name, **kw)
    assert sha256(path) == before
    check_invariants(book)
    return book


def check_invariants(book: Book) -> None:
    errors = [i for i in book.issues if i.is_error]
    if errors:
        assert book.sheets == [] and book.format == ""
        assert len(book.issues) == 1 and book.issues[0].file_level
    for g in book.sheets:
        assert g.state in ("visible", "hidden", "veryHidden")
        widths = {len(row) for row in g.rows}
        assert len(widths) <= 1, "rows are rectangular"
        for r, c in set(g.formula_no_value) | set(g.errors):
            assert g.cell(r, c) is None
        for row in g.rows:
            for v in row:
                assert v is None or isinstance(v, str | int | float | bool | dt.datetime | dt.time | dt.timedelta)
                assert not isinstance(v, str) or v != ""
                assert not (isinstance(v, float) and v.is_integer() and abs(v) < 2**53)


def refused(book: Book, code: str) -> dict:
    assert book.sheets == [], book
    assert [i.code for i in book.issues] == [code], book.issues
    assert book.format == ""
    return dict(book.issues[0].params)


def sheet(book: Book, name: str) -> Grid:
    return next(g for g in book.sheets if g.name == name)


# --------------------------------------------------------------------------- builders


def build_form(path: Path) -> Path:
    """A submission as a unit fills it in with Excel-like content, written by openpyxl."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填报表"
    ws["A1"] = "关于2022年1-11月份科技指标报表"
    ws.merge_cells("A1:G1")
    ws["A2"] = "  填报单位：湖塘镇 "
    for i, h in enumerate(["序号", "指标名称", "计量单位", "年度目标", "上月累计", "本年累计", "备注"], start=1):
        ws.cell(3, i, h)
    ws["A4"], ws["B4"], ws["F4"] = 1, "高新技术企业申报数", 12
    ws["A5"], ws["B5"], ws["F5"] = 2, "研发投入", 1.5
    ws["A6"], ws["B6"], ws["F6"] = 3, "技术合同额", "１２家"
    ws["F7"] = "=F4+F5"  # openpyxl writes no cached value
    ws["F8"] = dt.datetime(2022, 11, 30)
    ws["F9"] = dt.date(2022, 1, 5)
    ws["F10"] = dt.time(10, 30)
    ws["F11"] = True
    ws["F12"] = 1234567890123
    ws["F13"] = -3
    ws["G4"] = "第一行\n第二行"
    ws["G5"] = ""
    hidden = wb.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["B2"] = "x"
    meta = wb.create_sheet("_meta")
    meta.sheet_state = "veryHidden"
    meta["A1"], meta["B1"] = "unit", "hutang"
    wb.create_sheet("空表")
    wb.save(path)
    return path


def rewrite_zip(src: Path, dst: Path, replace: dict[str, bytes] | None = None, drop: tuple[str, ...] = (),
                add: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = (replace or {}).get(info.filename, zin.read(info.filename))
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def xlsx_from_sheet_xml(path: Path, sheet_xml: str, shared: list[str] | None = None, styles: str | None = None,
                        sst_xml: str | None = None) -> Path:
    """A minimal but valid xlsx around hand-written sheet XML (and shared strings, styles)."""
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
          '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
          'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats'
          '-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
          '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
          'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
          'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wb_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
               'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
               'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
               '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
               'relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://'
               'schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
               '</Relationships>')
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
           '2006/main">' + "".join(f"<si><t xml:space=\"preserve\">{s}</t></si>" for s in shared or []) + "</sst>")
    if sst_xml is not None:
        sst = sst_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        z.writestr("xl/sharedStrings.xml", sst)
        if styles is not None:
            z.writestr("xl/styles.xml", styles)
    return path


def styles_xml(formats: dict[int, str], xfs: list[int]) -> str:
    """A styles part: custom number formats (id -> code) and the cell formats' numFmtIds."""
    codes = "".join(f'<numFmt numFmtId="{i}" formatCode="{code}"/>' for i, code in formats.items())
    cells = "".join(f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for i in xfs)
    return ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><numFmts count="{len(formats)}">{codes}</numFmts><fonts count="1"><font>'
            '<sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/>'
            '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            f'<cellXfs count="{len(xfs)}">{cells}</cellXfs></styleSheet>')


SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
              'spreadsheetml/2006/main">')

# OLE2 compound files, written by hand: version 3, every stream padded to 4096 bytes so
# that no mini stream is needed.
_END, _FREE, _FATSECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def cfb(streams: dict[str, bytes]) -> bytes:
    ss = 512
    items = [(name, data.ljust(max(len(data), 4096), b"\0")) for name, data in streams.items()]
    sectors: list[bytes] = []
    fat: list[int] = []
    starts = []
    for _, data in items:
        n = -(-len(data) // ss)
        start = len(sectors)
        starts.append(start)
        for i in range(n):
            sectors.append(data[i * ss:(i + 1) * ss].ljust(ss, b"\0"))
            fat.append(start + i + 1 if i < n - 1 else _END)
    entries = [("Root Entry", 5, _END, 0, 1 if items else _NOSTREAM, _NOSTREAM)]
    for k, ((name, data), start) in enumerate(zip(items, starts, strict=True)):
        entries.append((name, 2, start, len(data), _NOSTREAM, k + 2 if k + 1 < len(items) else _NOSTREAM))
    dirbytes = b""
    for name, typ, start, size, child, right in entries:
        raw = name.encode("utf-16-le") + b"\0\0"
        dirbytes += (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), typ, 1)
                     + struct.pack("<III", _NOSTREAM, right, child) + b"\0" * 36 + struct.pack("<IQ", start, size))
    dirbytes = dirbytes.ljust(-(-len(dirbytes) // ss) * ss, b"\0")
    dir_start, ndir = len(sectors), len(dirbytes) // ss
    for i in range(ndir):
        sectors.append(dirbytes[i * ss:(i + 1) * ss])
        fat.append(dir_start + i + 1 if i < ndir - 1 else _END)
    nfat = 1
    while len(sectors) + nfat > nfat * (ss // 4):
        nfat += 1
    fat_start = len(sectors)
    fat += [_FATSECT] * nfat
    fat += [_FREE] * (nfat * (ss // 4) - len(fat))
    fatbytes = struct.pack(f"<{len(fat)}I", *fat)
    sectors += [fatbytes[i * ss:(i + 1) * ss] for i in range(nfat)]
    difat = [fat_start + i for i in range(nfat)] + [_FREE] * (109 - nfat)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<9I", 0, nfat, dir_start, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<109I", *difat))
    return header + b"".join(sectors)


def rec(rt: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", rt, len(body)) + body


def biff8(cells: dict[tuple[int, int], object], name: str = "Sheet1", dims: tuple[int, int] | None = None,
          filepass: bool = False, state: int = 0) -> bytes:
    """A minimal BIFF8 workbook stream: one sheet; xf 15 is General, xf 16 a date (built-in format 14)."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    font = struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + struct.pack("<BB", 5, 0) + b"Arial"
    xf = [struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5 if i < 15 else 1, 0x20, 0, 0, 0, 0, 0, 0x20C0) for i in range(16)]
    xf.append(struct.pack("<HHHBBBBIIH", 0, 14, 1, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    head = rec(0x0809, bof) + (rec(0x002F, b"\0" * 6) if filepass else b"") + rec(0x0042, struct.pack("<H", 1200))
    head += b"".join(rec(0x0031, font) for _ in range(5)) + b"".join(rec(0x00E0, x) for x in xf)
    nm = name.encode("utf-16-le")
    offset = len(head) + 4 + 8 + len(nm) + 4
    glob = head + rec(0x0085, struct.pack("<IBBBB", offset, state, 0, len(name), 1) + nm) + rec(0x000A)
    body = rec(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06))
    if dims:
        body += rec(0x0200, struct.pack("<IIHHH", 0, dims[0], 0, dims[1], 0))
    for (r, c), v in cells.items():
        if isinstance(v, str):
            body += rec(0x0204, struct.pack("<HHHHB", r, c, 15, len(v), 1) + v.encode("utf-16-le"))
        elif isinstance(v, tuple):  # (number, xf)
            body += rec(0x0203, struct.pack("<HHHd", r, c, v[1], v[0]))
        elif v == "#DIV/0!":
            pass
        else:
            body += rec(0x0203, struct.pack("<HHHd", r, c, 15, float(v)))
    body += rec(0x0205, struct.pack("<HHHBB", 2, 0, 15, 0x07, 1))  # A3: #DIV/0! error cell
    return glob + body + rec(0x000A)


def ods(path: Path, tables: str, styles: str = "", manifest_extra: str = "") -> Path:
    """An ODS written by hand: content.xml with ``tables`` inside office:spreadsheet."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
          'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f'<office:automatic-styles>{styles}</office:automatic-styles><office:body><office:spreadsheet>'
               f'{tables}</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
                ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                f'manifest:full-path="content.xml" manifest:media-type="text/xml">{manifest_extra}'
                '</manifest:file-entry></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{outdir}/lo-profile",
                    "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    out = outdir / f"{src.stem}.{fmt}"
    assert out.exists()
    return out


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The openpyxl form converted by LibreOffice to .xls and .ods (it recalculates formulas)."""
    if not SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("soffice")
    src = build_form(folder / "form.xlsx")
    return {fmt: soffice_convert(src, fmt, folder) for fmt in ("xls", "ods")}


# --------------------------------------------------------------------------- small functions


def test_a1() -> None:
    assert a1(0, 0) == "A1"
    assert a1(6, 5) == "F7"
    assert a1(0, 25) == "Z1"
    assert a1(0, 26) == "AA1"
    assert a1(1048575, 16383) == "XFD1048576"
    with pytest.raises(ValueError):
        a1(-1, 0)


@pytest.mark.parametrize(("name", "ignored"), [
    ("~$湖塘镇.xlsx", True),
    (".~lock.湖塘镇.xlsx#", True),
    (".hidden.xlsx", True),
    (".DS_Store", True),
    ("Thumbs.db", True),
    ("thumbs.db", True),
    ("desktop.ini", True),
    ("~WRL0001.tmp", True),
    ("湖塘镇.xlsx", False),
    ("湖塘镇 (1).xls", False),
    ("report~final.xlsx", False),
    (".~lock.unfinished", True),  # hidden all the same
])
def test_classify_name(name: str, ignored: bool) -> None:
    reason = classify_name(Path("inbox") / name)
    assert (reason is not None) == ignored
    if reason:
        from reporting.core.messages import MESSAGES
        assert MESSAGES[reason]["zh"] and MESSAGES[reason]["en"]


@pytest.mark.parametrize(("head", "kind"), [
    (b"", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "ole"),
    (b"PK\x03\x04rest", "zip"),
    (b"PK\x05\x06" + b"\0" * 18, "zip"),
    (b"%PDF-1.7\n", "pdf"),
    (b"\x89PNG\r\n\x1a\n....", "png"),
    (b"\xff\xd8\xff\xe0..JFIF", "jpeg"),
    (b"GIF89a....", "gif"),
    (b"{\\rtf1\\ansi", "rtf"),
    (b"\x09\x04\x06\x00\x00\x00\x10\x00", "biff"),
    ("<html><body><table><tr><td>湖塘镇</td></tr></table></body></html>".encode(), "html"),
    (b'\xef\xbb\xbf<!DOCTYPE html>\n<html lang="zh">', "html"),
    (b'<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">',
     "html"),
    (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x", "html"),
    (b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook>', "xml"),
    ("指标名称,本年累计\n高企申报数,12\n".encode("gbk"), "csv"),
    ("指标名称\t本年累计\r\n高企申报数\t12\r\n".encode("utf-16"), "csv"),
    (b"just a note\nnothing tabular here\n", "text"),
    (bytes(range(256)), "unknown"),
])
def test_sniff(head: bytes, kind: str) -> None:
    assert sniff(head) == kind


# --------------------------------------------------------------------------- real workbooks


def test_openpyxl_form(tmp_path: Path) -> None:
    book = read(build_form(tmp_path / "湖塘镇.xlsx"))
    assert book.format == "xlsx" and book.issues == []
    assert [(g.name, g.state) for g in book.sheets] == [
        ("填报表", "visible"), ("隐藏", "hidden"), ("_meta", "veryHidden"), ("空表", "visible")]
    g = sheet(book, "填报表")
    assert g.cell(0, 0) == "关于2022年1-11月份科技指标报表"
    assert g.cell(0, 1) is None  # merged child
    assert g.cell(1, 0) == "  填报单位：湖塘镇 "  # whitespace kept as typed
    assert g.rows[2] == ["序号", "指标名称", "计量单位", "年度目标", "上月累计", "本年累计", "备注"]
    assert g.cell(3, 5) == 12 and isinstance(g.cell(3, 5), int)
    assert g.cell(4, 5) == 1.5
    assert g.cell(5, 5) == "１２家"  # normalising is someone else's job
    assert g.formula_no_value == {(6, 5)} and g.cell(6, 5) is None
    assert a1(6, 5) == "F7"
    assert g.cell(7, 5) == dt.datetime(2022, 11, 30)
    assert g.cell(8, 5) == dt.datetime(2022, 1, 5)
    assert g.cell(9, 5) == dt.time(10, 30)
    assert g.cell(10, 5) is True
    assert g.cell(11, 5) == 1234567890123
    assert g.cell(12, 5) == -3
    assert g.cell(3, 6) == "第一行\n第二行"
    assert g.cell(4, 6) is None
    assert g.errors == {} and g.truncated is False
    assert len(g.rows) == 13 and len(g.rows[0]) == 7
    assert g.cell(500, 500) is None and g.cell(-1, 0) is None
    assert sheet(book, "隐藏").rows == [[None, None], [None, "x"]]
    assert sheet(book, "_meta").rows == [["unit", "hutang"]]
    assert sheet(book, "空表").rows == []


def test_xlsxwriter_workbook(tmp_path: Path) -> None:
    path = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet("数据")
    bold = wb.add_format({"bold": True})
    ws.write_string("A1", "=不是公式")
    ws.write_formula("A2", "=1+1")  # xlsxwriter caches 0
    ws.write_formula("A3", "=1/0", None, "#DIV/0!")
    ws.write_formula("A4", "=B9", None, "")  # an empty cached value
    ws.write_string("A5", "_x0041_ literal")
    ws.write_rich_string("A6", "富", bold, "文本", " plain")
    ws.write_number("A7", 44895, wb.add_format({"num_format": 31}))  # CJK built-in date: 2022年11月30日
    ws.write_number("A8", 44895.5, wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}))
    ws.write_number("A9", 1.25, wb.add_format({"num_format": "[h]:mm"}))
    ws.write_number("A10", 0.5, wb.add_format({"num_format": 20}))  # h:mm
    ws.write_number("A11", 3, wb.add_format({"num_format": "0.00%"}))
    ws.write_boolean("A12", False)
    ws.write_number("A13", -1, wb.add_format({"num_format": 14}))  # a negative "date" stays a number
    ws.write_string("A14", "   ")
    ws.write("C2", 7)
    hid = wb.add_worksheet("hid")
    hid.hide()
    hid.write("A1", 1)
    vh = wb.add_worksheet("vh")
    vh.very_hidden()
    wb.close()
    book = read(path)
    assert book.format == "xlsx"
    assert [(g.name, g.state) for g in book.sheets] == [("数据", "visible"), ("hid", "hidden"), ("vh", "veryHidden")]
    g = book.sheets[0]
    assert g.cell(0, 0) == "=不是公式"
    # XlsxWriter cannot calculate: it caches 0 (or what it is given) and asks for a recalculation on
    # opening (fullCalcOnLoad). Excel then shows 2; a cached figure is no figure anyone saw.
    assert g.cell(1, 0) is None and g.cell(2, 0) is None and g.errors == {}
    assert g.formula_no_value == {(1, 0), (2, 0), (3, 0)}
    assert g.cell(4, 0) == "_x0041_ literal"
    assert g.cell(5, 0) == "富文本 plain"
    assert g.cell(6, 0) == dt.datetime(2022, 11, 30)
    assert g.cell(7, 0) == dt.datetime(2022, 11, 30, 12, 0)
    assert g.cell(8, 0) == dt.timedelta(hours=30)
    assert g.cell(9, 0) == dt.time(12, 0)
    assert g.cell(10, 0) == 3
    assert g.cell(11, 0) is False
    assert g.cell(12, 0) == -1
    assert g.cell(13, 0) == "   "
    assert g.cell(1, 2) == 7
    assert book.sheets[2].rows == []


def test_xlsm(tmp_path: Path) -> None:
    path = tmp_path / "macro.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet().write("B2", "宏")
    wb.add_vba_project(io.BytesIO(b"not a real VBA project"), is_stream=True)
    wb.close()
    book = read(path)
    assert book.format == "xlsm"
    assert book.sheets[0].rows == [[None, None], [None, "宏"]]


def test_error_cells_from_libreoffice_file() -> None:
    if CORPUS is None:
        pytest.skip("corpus not present")
    book = read(CORPUS / "fastexcel__div0.xlsx")
    g = book.sheets[0]
    assert g.errors == {(1, 2): "#DIV/0!"}
    assert g.rows[:3] == [["dividend", "divisor", "quotient"], [42, 0, None], [43, 1, 43]]


def test_hand_written_cells(tmp_path: Path) -> None:
    """Inline strings, cells without references, t="d", booleans, formulas with and without values."""
    xml = (SHEET_HEAD + '<sheetData><row r="2"><c r="B2" t="inlineStr"><is><t xml:space="preserve"> in </t></is></c>'
           '<c t="s"><v>0</v></c><c><f>SUM(A1)</f></c><c><f>1</f><v/></c><c t="str"><f>""</f><v></v></c>'
           '<c t="e"><f>1/0</f><v>#N/A</v></c></row><row><c t="d"><v>2022-11-30T08:00:00</v></c>'
           '<c t="b"><v>1</v></c><c t="n"><v>1E+20</v></c><c s="0"><v>42.0</v></c></row></sheetData></worksheet>')
    book = read(xlsx_from_sheet_xml(tmp_path / "hand.xlsx", xml, ["共享 "]))
    g = book.sheets[0]
    assert g.rows[1][1:3] == [" in ", "共享 "]
    assert g.formula_no_value == {(1, 3), (1, 4)}
    assert g.cell(1, 5) is None and (1, 5) not in g.formula_no_value  # ="" has a cached empty string
    assert g.errors == {(1, 6): "#N/A"}
    assert g.rows[2][:4] == [dt.datetime(2022, 11, 30, 8), True, 1e20, 42]


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_xls_from_libreoffice(converted: dict[str, Path]) -> None:
    book = read(converted["xls"])
    assert book.format == "xls"
    # BIFF8 can say veryHidden, but LibreOffice writes hidden
    assert [(g.name, g.state) for g in book.sheets] == [
        ("填报表", "visible"), ("隐藏", "hidden"), ("_meta", "hidden"), ("空表", "visible")]
    g = sheet(book, "填报表")
    assert g.cell(1, 0) == "  填报单位：湖塘镇 "
    assert g.cell(3, 5) == 12 and g.cell(4, 5) == 1.5 and g.cell(5, 5) == "１２家"
    assert g.cell(6, 5) == 13.5  # LibreOffice computed and cached the formula
    assert g.cell(7, 5) == dt.datetime(2022, 11, 30)
    assert g.cell(9, 5) == dt.time(10, 30)
    assert g.cell(10, 5) is True
    assert g.cell(11, 5) == 1234567890123
    assert sheet(book, "_meta").rows == [["unit", "hutang"]]


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_ods_from_libreoffice(converted: dict[str, Path]) -> None:
    book = read(converted["ods"])
    assert book.format == "ods"
    assert [(g.name, g.state) for g in book.sheets] == [
        ("填报表", "visible"), ("隐藏", "hidden"), ("_meta", "hidden"), ("空表", "visible")]
    g = sheet(book, "填报表")
    assert g.cell(0, 0) == "关于2022年1-11月份科技指标报表"
    assert g.cell(1, 0) == "  填报单位：湖塘镇 "
    assert g.cell(3, 5) == 12 and g.cell(4, 5) == 1.5
    assert g.cell(6, 5) == 13.5
    assert g.cell(7, 5) == dt.datetime(2022, 11, 30)
    assert g.cell(3, 6) == "第一行\n第二行"


def test_xls_hand_built(tmp_path: Path) -> None:
    path = tmp_path / "small.xls"
    path.write_bytes(cfb({"Workbook": biff8({(0, 0): "名称", (0, 1): 42, (1, 1): (44562.0, 16), (1, 0): 2.5},
                                            name="表一", state=1)}))
    book = read(path)
    assert book.format == "xls"
    g = book.sheets[0]
    assert (g.name, g.state, g.truncated) == ("表一", "hidden", False)
    assert g.rows == [["名称", 42], [2.5, dt.datetime(2022, 1, 1)], [None, None]]
    assert g.errors == {(2, 0): "#DIV/0!"}


def test_xls_huge_dimensions_stay_small(tmp_path: Path) -> None:
    """A 10 KB .xls asking for 65536 x 256 cells (calamine would reserve over 500 MB)."""
    path = tmp_path / "huge.xls"
    path.write_bytes(cfb({"Workbook": biff8({(0, 0): "名称", (65535, 255): 7}, dims=(65536, 256))}))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    book = read(path)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200
    g = book.sheets[0]
    assert g.rows == [["名称"], [None], [None]] and g.errors == {(2, 0): "#DIV/0!"} and g.truncated


def test_xls_encrypted_filepass(tmp_path: Path) -> None:
    path = tmp_path / "pw.xls"
    path.write_bytes(cfb({"Workbook": biff8({(0, 0): 1}, filepass=True)}))
    refused(read(path), "encrypted-file")


def test_ods_hand_built(tmp_path: Path) -> None:
    styles = ('<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/>'
              '</style:style><style:style style:name="ta2" style:family="table">'
              '<style:table-properties table:display="false"/></style:style>')
    tables = (
        '<table:table table:name="数据" table:style-name="ta1"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="3"/>b</text:p><text:p>second'
        '<text:line-break/>line<text:tab/>x</text:p></table:table-cell>'
        '<table:table-cell office:value-type="float" office:value="42"/>'
        '<table:table-cell office:value-type="percentage" office:value="0.25"/>'
        '<table:table-cell office:value-type="date" office:date-value="2022-11-30"/>'
        '<table:table-cell office:value-type="date" office:date-value="2022-11-30T10:30:00.5"/>'
        '<table:table-cell office:value-type="time" office:time-value="PT10H30M00S"/>'
        '<table:table-cell office:value-type="time" office:time-value="PT30H"/>'
        '<table:table-cell office:value-type="boolean" office:boolean-value="true"/>'
        '</table:table-row><table:table-row>'
        '<table:table-cell table:formula="of:=[.B1]*2"/>'
        '<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" '
        'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
        '<table:table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell office:value-type="string"><text:p> 空格 </text:p></table:table-cell>'
        '</table:table-row></table:table>'
        '<table:table table:name="隐藏" table:style-name="ta2"><table:table-row>'
        '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="3"/>'
        '</table:table-row></table:table>')
    book = read(ods(tmp_path / "hand.ods", tables, styles))
    assert book.format == "ods"
    assert [(g.name, g.state) for g in book.sheets] == [("数据", "visible"), ("隐藏", "hidden")]
    g = book.sheets[0]
    assert g.rows[0] == ["a   b\nsecond\nline\tx", 42, 0.25, dt.datetime(2022, 11, 30),
                         dt.datetime(2022, 11, 30, 10, 30, 0, 500000), dt.time(10, 30), dt.timedelta(hours=30), True]
    assert g.formula_no_value == {(1, 0)}
    assert g.errors == {(1, 1): "#DIV/0!"}
    assert g.cell(1, 4) == " 空格 "
    assert book.sheets[1].rows == [[1, 1, 1]]


def test_ods_repeat_bomb(tmp_path: Path) -> None:
    """Repeated rows and columns asking for 10^10 cells are counted, never expanded."""
    tables = ('<table:table table:name="S"><table:table-row table:number-rows-repeated="1000000">'
              '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/>'
              '</table:table-row></table:table>')
    t0 = time.perf_counter()
    book = read(ods(tmp_path / "bomb.ods", tables), max_rows=50, max_cols=10)
    assert time.perf_counter() - t0 < 5
    g = book.sheets[0]
    assert g.truncated and len(g.rows) == 50 and g.rows[0] == [1] * 10


def test_window_and_truncation(tmp_path: Path) -> None:
    xml = (SHEET_HEAD + '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c>'
           '<c r="E1"><v>5</v></c></row><row r="3"><c r="B3" s="0"/></row><row r="1048576"><c r="XFD1048576">'
           '<v>9</v></c></row></sheetData></worksheet>')
    path = xlsx_from_sheet_xml(tmp_path / "wide.xlsx", xml)
    g = read(path).sheets[0]
    assert g.rows == [[1, None, None, None, 5]] and g.truncated
    g = read(path, max_rows=2, max_cols=3).sheets[0]
    assert g.rows == [[1]] and g.truncated
    xml = SHEET_HEAD + '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="E1" s="3"/></row></sheetData></worksheet>'
    g = read(xlsx_from_sheet_xml(tmp_path / "styled.xlsx", xml), max_cols=2).sheets[0]
    assert g.rows == [[1]] and not g.truncated  # a styled empty cell is not content


def test_long_sheet_stops_after_window(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    for r in range(30_000):
        ws.write_number(r, 0, r)
    wb.close()
    t0 = time.perf_counter()
    g = read(path).sheets[0]
    assert time.perf_counter() - t0 < 10
    assert len(g.rows) == 500 and g.rows[-1] == [499] and g.truncated


# --------------------------------------------------------------------------- the libraries' route (xlsx)
#
# What the libraries would read differently (formulas, errors, dates, trimmed or escaped text, odd
# markup): our parser, the one path for xlsx, keeps each as the file has it.

PLAIN_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>指标</t></is></c><c r="B1"><v>12</v></c>'
             '<c r="C1" s="0" t="n"><v>1.5</v></c><c r="D1" t="b"><v>1</v></c><c r="E1" t="s"><v>0</v></c>'
             '<c r="F1" s="0"/></row>')
ODD_CELLS = {
    "formula": '<c r="B2"><f>B1*2</f><v>24</v></c>',
    "formula without a value": '<c r="B2"><f>B1*2</f></c>',
    "error": '<c r="B2" t="e"><v>#DIV/0!</v></c>',
    "formula string": '<c r="B2" t="str"><v> x </v></c>',
    "iso date": '<c r="B2" t="d"><v>2022-11-30</v></c>',
    "edge spaces, not preserved": '<c r="B2" t="inlineStr"><is><t> 12家</t></is></c>',
    "edge space as a reference": '<c r="B2" t="inlineStr"><is><t>12家&#10;</t></is></c>',
    "escape": '<c r="B2" t="inlineStr"><is><t>a_x000D_b</t></is></c>',
    "underscore number": '<c r="B2"><v>1_000</v></c>',
    "full-width number": '<c r="B2"><v>１２</v></c>',
    "spaced number": '<c r="B2"><v> 12 </v></c>',
    "boolean word": '<c r="B2" t="b"><v>true</v></c>',
    "inline string as a value": '<c r="B2" t="inlineStr"><v>iv</v></c>',
    "inline string in a number cell": '<c r="B2"><is><t>x</t></is></c>',
    "single quotes": "<c r='B2'><v>7</v></c>",
    "spaced attribute": '<c r="B2" t = "e"><v>#N/A</v></c>',
    "no reference": '<c><v>7</v></c>',
    "outside the window": '<c r="AZ2"><v>7</v></c>',
    "phonetic run": '<c r="B2" t="inlineStr"><is><t>漢</t><rPh sb="0" eb="1"><t>かん</t></rPh></is></c>',
}


def sheet_with(cells: str, extra_rows: str = "") -> str:
    return SHEET_HEAD + f'<sheetData>{PLAIN_ROW}<row r="2">{cells}</row>{extra_rows}</sheetData></worksheet>'


def test_plain_sheet_goes_through_the_library(tmp_path: Path) -> None:
    path = xlsx_from_sheet_xml(tmp_path / "plain.xlsx", sheet_with('<c r="B2"><v>-3</v></c>'), ["共享"])
    book = read(path)
    assert book.sheets[0].rows == [["指标", 12, 1.5, True, "共享"], [None, -3, None, None, None]]


@pytest.mark.parametrize("case", ODD_CELLS)
def test_odd_cells_go_through_our_parser(tmp_path: Path, case: str) -> None:
    path = xlsx_from_sheet_xml(tmp_path / "odd.xlsx", sheet_with(ODD_CELLS[case]), ["共享"])
    book = read(path, max_cols=10)
    assert book.sheets and book.sheets[0].cell(0, 0) == "指标"


def test_what_our_parser_keeps(tmp_path: Path) -> None:
    """The values the libraries would change: kept as the file has them."""
    cells = ('<c r="B2" t="inlineStr"><is><t> 12家</t></is></c><c r="C2"><v>1_000</v></c>'
             '<c r="D2" t="inlineStr"><is><t>a_x000D_b</t></is></c><c r="E2" t="b"><v>true</v></c>'
             '<c r="F2" t="e"><v>#N/A</v></c><c r="G2"><f>1</f></c>')
    g = read(xlsx_from_sheet_xml(tmp_path / "keep.xlsx", sheet_with(cells), ["共享"])).sheets[0]
    assert g.rows[1][1:5] == [" 12家", 1000, "a\rb", True]
    assert g.errors == {(1, 5): "#N/A"} and g.formula_no_value == {(1, 6)}


def test_only_the_odd_sheet_goes_through_our_parser(tmp_path: Path) -> None:
    path = tmp_path / "two.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("填报表").write_formula("A1", "=1+1", None, 2)
    meta = wb.add_worksheet("_meta")
    meta.very_hidden()
    meta.write_row(0, 0, ["unit", "hutang"])
    wb.close()
    book = read(path)
    assert [g.rows for g in book.sheets] == [[[None]], [["unit", "hutang"]]]
    assert book.sheets[0].formula_no_value == {(0, 0)}  # cached 2, but the workbook is to be recalculated


def test_cached_formula_values_stand_without_a_recalculation_request(tmp_path: Path) -> None:
    """Excel, WPS and LibreOffice save the figures they calculated: those are read."""
    xml = (SHEET_HEAD + '<sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>')
    path = xlsx_from_sheet_xml(tmp_path / "excel.xlsx", xml)
    g = read(path).sheets[0]
    assert g.cell(0, 0) == 2 and g.formula_no_value == set()


def test_duplicate_and_unordered_rows(tmp_path: Path) -> None:
    """openpyxl keeps the first of two rows numbered alike (we keep the last): those sheets are ours."""
    rows = '<row r="3"><c r="A3"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row>'
    path = xlsx_from_sheet_xml(tmp_path / "dup.xlsx", sheet_with("", rows), ["共享"])
    assert read(path).sheets[0].cell(2, 0) == 2


@pytest.mark.parametrize(("fmt", "shown"), [
    ({}, None),  # no custom formats, numFmtId 0 and 3
    ({164: "#,##0&quot;元&quot;"}, 44895.5),
    ({164: "[Red]0.00;[Blue]-0.00"}, 44895.5),
    ({164: "yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"}, dt.datetime(2022, 11, 30, 12)),
    ({164: "aaaa yyyy"}, dt.datetime(2022, 11, 30, 12)),  # a weekday and a year: a date (calamine: a number)
    ({164: "a/p"}, 44895.5),  # no day, month, year, hour or second: a number
    ({164: "[h]:mm"}, dt.timedelta(days=44895.5)),
    ({31: "0.00"}, 44895.5),  # a CJK date id redefined by the file: its code decides
])
def test_number_formats(tmp_path: Path, fmt: dict[int, str], shown: object) -> None:
    xfs = [0, 3, *fmt]
    cells = "".join(f'<c r="{a1(1, i)}" s="{i}"><v>44895.5</v></c>' for i in range(len(xfs)))
    path = xlsx_from_sheet_xml(tmp_path / "fmt.xlsx", sheet_with(cells), ["共享"], styles=styles_xml(fmt, xfs))
    g = read(path).sheets[0]
    assert g.cell(1, 0) == 44895.5 and g.cell(1, 1) == 44895.5
    assert g.cell(1, 2) == shown


def test_tool_form(tmp_path: Path, ws: object) -> None:
    """The tool's own form (merged title, validations, very hidden _meta), filled in: no sheet for our parser."""
    from reporting.core import formlayout as fl
    from reporting.core.periods import Period
    from reporting.render.forms import build_form

    wb = build_form(ws, ws.units[0], Period(2022, 11), None)
    sheet = wb[fl.DATA_SHEET]
    for n in range(len(ws.indicators)):
        sheet.cell(fl.FIRST_DATA_ROW + n, 6, 10 + n)
    path = tmp_path / "form.xlsx"
    wb.save(path)
    book = read(path)
    assert [g.state for g in book.sheets] == ["visible", "veryHidden"]


def test_strings_the_libraries_trim_or_skip(tmp_path: Path) -> None:
    """Shared strings with edge spaces (not preserved), escapes or empty items: the whole file is ours."""
    head = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    for items in ("<si><t> 共享</t></si>", "<si><t>a_x000A_b</t></si>", "<si/>", "<sstItem><t>x</t></sstItem>"):
        path = xlsx_from_sheet_xml(tmp_path / "sst.xlsx", sheet_with(""), sst_xml=head + items + "</sst>")
        read(path)
    path = xlsx_from_sheet_xml(tmp_path / "sst.xlsx", sheet_with(""), sst_xml=head + "<si><r><rPr><b/></rPr>"
                               "<t xml:space=\"preserve\"> 共 </t></r><r><t>享</t></r></si></sst>")
    assert read(path).sheets[0].cell(0, 4) == " 共 享"


def test_huge_extent_stays_small(tmp_path: Path) -> None:
    """A1 and XFD1048576: a library would lay out 17 billion cells; the window keeps it with our parser."""
    xml = (SHEET_HEAD + '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576">'
           '<v>2</v></c></row></sheetData></worksheet>')
    path = xlsx_from_sheet_xml(tmp_path / "far.xlsx", xml)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    book = read(path)
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 100
    assert book.sheets[0].rows == [[1]] and book.sheets[0].truncated


def test_malformed_sheet_is_refused_either_way(tmp_path: Path) -> None:
    """Bytes with a valid CRC but not well-formed: our parser refuses them, so the lenient library must not read them."""
    for bad in ('<c r="B2"><v>1</v></c><c r="C2"><v>2</v></C>', '<c r="B2" t="inlineStr"><is><t>\x01</t></is></c>',
                '<c r="B2" t="inlineStr"><is><t>a &amp b</t></is></c>'):
        path = xlsx_from_sheet_xml(tmp_path / "bad.xlsx", sheet_with(bad))
        refused(read(path), "unreadable-file")


def test_damaged_styles_read_as_numbers(tmp_path: Path) -> None:
    """A styles part that is not well-formed counts as absent (as Excel's repair does); one with a DTD refuses."""
    good = styles_xml({164: "yyyy-mm-dd"}, [0, 164])
    cells = '<c r="B2" s="1"><v>44895</v></c>'
    path = xlsx_from_sheet_xml(tmp_path / "s.xlsx", sheet_with(cells), ["共享"], styles=good)
    assert read(path).sheets[0].cell(1, 1) == dt.datetime(2022, 11, 30)
    path = xlsx_from_sheet_xml(tmp_path / "s.xlsx", sheet_with(cells), ["共享"], styles=good.replace("</cellXfs>", ""))
    assert read(path).sheets[0].cell(1, 1) == 44895
    dtd = good.replace("<styleSheet", '<!DOCTYPE s [<!ENTITY a "b">]><styleSheet', 1)
    path = xlsx_from_sheet_xml(tmp_path / "s.xlsx", sheet_with(cells), ["共享"], styles=dtd)
    refused(read(path), "unsafe-file")


def test_unused_parts_are_not_checked(tmp_path: Path) -> None:
    """A damaged (CRC) or DTD-declaring part nothing reads (a theme, document properties) does not stop the file."""
    src = build_form(tmp_path / "f.xlsx")
    path = rewrite_zip(src, tmp_path / "extra.xlsx", add={"docProps/custom.xml": b'<?xml version="1.0"?>'
                       b'<!DOCTYPE x [<!ENTITY a "b">]><Properties/>'})
    assert read(path).sheets == read(src).sheets
    stored = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    data = bytearray(stored.read_bytes())
    at = data.find(b"<a:theme") if b"<a:theme" in data else data.find(b"<cp:coreProperties")
    assert at > 0
    data[at + 1] ^= 0x20  # same size, another byte: only the CRC tells
    stored.write_bytes(bytes(data))
    assert read(stored).sheets == read(src).sheets


def test_zip_with_a_comment(tmp_path: Path) -> None:
    """Archives our own directory reader leaves to zipfile (here: a comment) read the same."""
    src = build_form(tmp_path / "f.xlsx")
    path = tmp_path / "comment.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        zout.comment = b"saved by a mail gateway"
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    assert read(path).sheets == read(src).sheets


# --------------------------------------------------------------------------- refused files


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    path = rewrite_zip(build_form(tmp_path / "f.xlsx"), tmp_path / "bomb.xlsx",
                       add={"xl/media/zeros.bin": b"\0" * (20 * 2**20)})
    assert path.stat().st_size < 2**20
    assert "压缩比" in refused(read(path), "unsafe-file")["detail"]


def test_zip_bomb_total(tmp_path: Path) -> None:
    """Members each below the ratio guard's size, 240 MB together: built streaming, never held in memory."""
    path = tmp_path / "total.xlsx"
    chunk = b"\0" * 2**20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for i in range(60):
            with z.open(f"xl/media/part{i}.bin", "w") as fh:
                for _ in range(4):
                    fh.write(chunk)
    params = refused(read(path), "unsafe-file")
    assert "200" in params["detail"]


def test_too_many_members(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(10_001):
            z.writestr(f"x/{i}", b"")
    refused(read(path), "unsafe-file")


def test_billion_laughs_in_shared_strings(tmp_path: Path) -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
            + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')
    src = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    wb.add_worksheet().write("A1", "shared")
    wb.close()
    with zipfile.ZipFile(src) as z:
        assert "xl/sharedStrings.xml" in z.namelist()
    path = rewrite_zip(src, tmp_path / "lol.xlsx", replace={"xl/sharedStrings.xml": bomb.encode()})
    t0 = time.perf_counter()
    params = refused(read(path), "unsafe-file")
    assert "sharedStrings.xml" in params["detail"]
    assert time.perf_counter() - t0 < 5


def test_dtd_hidden_behind_long_comment(tmp_path: Path) -> None:
    part = ('<?xml version="1.0"?><!--' + "x" * 100_000 + '--><!DOCTYPE x [<!ENTITY a "b">]>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    path = rewrite_zip(build_form(tmp_path / "f.xlsx"), tmp_path / "dtd.xlsx",
                       replace={"xl/workbook.xml": part.encode()})
    refused(read(path), "unsafe-file")


def test_duplicate_members(tmp_path: Path) -> None:
    src = build_form(tmp_path / "f.xlsx")
    path = tmp_path / "dup.xlsx"
    with pytest.warns(UserWarning), zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + "<sheetData/></worksheet>")
    refused(read(path), "unsafe-file")


def test_encrypted_ooxml(tmp_path: Path) -> None:
    path = tmp_path / "pw.xlsx"
    path.write_bytes(cfb({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x01" * 5000}))
    refused(read(path), "encrypted-file")


def test_encrypted_ooxml_from_excelize() -> None:
    if CORPUS is None:
        pytest.skip("corpus not present")
    refused(read(CORPUS / "excelize__encryptAES.xlsx"), "encrypted-file")


def test_encrypted_ods(tmp_path: Path) -> None:
    path = ods(tmp_path / "pw.ods", "", manifest_extra='<manifest:encryption-data manifest:checksum="x"/>')
    refused(read(path), "encrypted-file")


@pytest.mark.parametrize(("streams", "detail"), [
    ({"WordDocument": b"\xec\xa5", "1Table": b""}, "Word"),
    ({"PowerPoint Document": b"\0"}, "PowerPoint"),
    ({"WpsContent": b"\0", "Contents": b"\0"}, "WPS"),
])
def test_other_ole_documents(tmp_path: Path, streams: dict[str, bytes], detail: str) -> None:
    path = tmp_path / "doc.xls"
    path.write_bytes(cfb(streams))
    assert detail in refused(read(path), "unsupported-format")["detail"]


def test_truncated_zip(tmp_path: Path) -> None:
    data = build_form(tmp_path / "f.xlsx").read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(data[: len(data) // 2])
    refused(read(path), "unreadable-file")


def test_crc_error(tmp_path: Path) -> None:
    src = build_form(tmp_path / "f.xlsx")
    path = tmp_path / "crc.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    data = bytearray(path.read_bytes())
    at = data.find(b"<sheetData>")
    data[at + 1] = ord("S")  # same size, different bytes: only the checksum can tell
    path.write_bytes(bytes(data))
    assert "校验" in refused(read(path), "unreadable-file")["detail"]


def test_missing_sheet_part(tmp_path: Path) -> None:
    path = rewrite_zip(build_form(tmp_path / "f.xlsx"), tmp_path / "nosheet.xlsx",
                       drop=("xl/worksheets/sheet1.xml",))
    assert "填报表" in refused(read(path), "unreadable-file")["detail"]


def test_docx_and_odt(tmp_path: Path) -> None:
    docx = tmp_path / "a.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.'
                   'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", "<w:document xmlns:w='urn:w'/>")
    assert "Word" in refused(read(docx), "unsupported-format")["detail"]
    odt = tmp_path / "b.ods"
    with zipfile.ZipFile(odt, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<x/>")
    refused(read(odt), "unsupported-format")
    other = tmp_path / "c.xlsx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "hello")
    refused(read(other), "unsupported-format")


@pytest.mark.parametrize(("name", "data", "detail"), [
    ("wps.xls", '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><body><table><tr><td>湖塘镇</td>'
                "<td>12</td></tr></table></body></html>".encode(), "HTML"),
    ("web.xls", b"\xef\xbb\xbf<!DOCTYPE html><html><head><meta charset='utf-8'></head><body></body></html>", "HTML"),
    ("export.xlsx", "指标名称,本年累计\r\n高企申报数,12\r\n".encode("gbk"), "CSV"),
    ("unicode.xls", "指标名称\t本年累计\r\n高企申报数\t12\r\n".encode("utf-16"), "CSV"),
    ("scan.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    ("photo.xls", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200, "图片"),
    ("old.xml.xls", b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
     "2003"),
    ("notes.xlsx", "请见附件".encode(), "文本"),
])
def test_disguised_files(tmp_path: Path, name: str, data: bytes, detail: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert detail in refused(read(path), "unsupported-format")["detail"]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "0" in refused(read(path), "unreadable-file")["detail"]


def test_file_too_large(tmp_path: Path) -> None:
    path = build_form(tmp_path / "f.xlsx")
    params = refused(read(path, max_bytes=1024), "file-too-large")
    assert set(params) == {"size_mb", "limit_mb"}
    assert params["limit_mb"] == "0" and float(params["size_mb"]) >= 0
    assert "MB" in read_book(path.read_bytes(), "f", max_bytes=1024).issues[0].message("zh")
    params = refused(read_book(b"", "big.xlsx", max_bytes=1024, size=5 * 2**20), "file-too-large")
    assert params["size_mb"] == "5"  # the size on disk, when the caller did not read a file above the limit


def test_messages_render(tmp_path: Path) -> None:
    path = tmp_path / "page.xls"
    path.write_bytes(b"<html><body><table></table></body></html>")
    message = read_book(path.read_bytes(), "page.xls").issues[0].message("zh")
    assert "HTML 网页" in message and ".xlsx" in message


# --------------------------------------------------------------------------- never raises

_KNOWN = {code for code, t in CATALOGUE.items() if t.scope == "file"}


def _never_raises(path: Path) -> None:
    book = read_book(path.read_bytes(), path.name)
    check_invariants(book)
    assert book.sheets or book.issues[0].code in _KNOWN


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                                                              b"\x09\x08\x10\x00\x00\x06\x05\x00"]))
def test_random_bytes(tmp_path: Path, data: bytes, prefix: bytes) -> None:
    path = tmp_path / "random.xlsx"
    path.write_bytes(prefix + data)
    _never_raises(path)


@pytest.fixture(scope="module")
def valid_files(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    folder = tmp_path_factory.mktemp("valid")
    xls = cfb({"Workbook": biff8({(0, 0): "名称", (0, 1): 42, (1, 1): (44562.0, 16)})})
    tables = ('<table:table table:name="S"><table:table-row><table:table-cell office:value-type="float" '
              'office:value="1"/></table:table-row></table:table>')
    return [build_form(folder / "f.xlsx").read_bytes(), xls, ods(folder / "o.ods", tables).read_bytes()]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 2), flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                                               min_size=1, max_size=8), cut=st.floats(0.05, 1))
def test_damaged_files(tmp_path: Path, valid_files: list[bytes], which: int, flips: list[tuple[float, int]],
                       cut: float) -> None:
    data = bytearray(valid_files[which])
    for where, byte in flips:
        data[int(where * len(data))] = byte
    path = tmp_path / ("damaged.xlsx", "damaged.xls", "damaged.ods")[which]
    path.write_bytes(bytes(data[: max(1, int(len(data) * cut))]))
    _never_raises(path)


@pytest.fixture(scope="module")
def form_parts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    path = tmp_path_factory.mktemp("parts") / "f.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("填报表")
    ws.write_row(0, 0, ["指标名称", "本年累计", "日期"])
    ws.write_row(1, 0, ["高企申报数", 12, 44895], None)
    ws.write_formula("B3", "=B2*2", None, 24)
    ws.write_formula("B4", "=1/0", None, "#DIV/0!")
    wb.add_worksheet("_meta").very_hidden()
    wb.close()
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(member=st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/sharedStrings.xml",
                               "xl/styles.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "_rels/.rels"]),
       flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=3)),
                      min_size=1, max_size=6), cut=st.floats(0.3, 1))
def test_damaged_parts(tmp_path: Path, form_parts: dict[str, bytes], member: str,
                       flips: list[tuple[float, bytes]], cut: float) -> None:
    """Damage inside a part with a valid checksum reaches the XML readers themselves."""
    data = bytearray(form_parts[member])
    for where, chunk in flips:
        at = int(where * len(data))
        data[at:at + len(chunk)] = chunk
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in form_parts.items():
            z.writestr(name, bytes(data[: max(1, int(len(data) * cut))]) if name == member else content)
    _never_raises(path)


@pytest.fixture(scope="module")
def plain_forms(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, bytes]]:
    """Forms with nothing our parser alone must see, so damage reaches the libraries' route:
    one by xlsxwriter (shared strings), one by openpyxl (inline strings, merged title, very hidden sheet)."""
    folder = tmp_path_factory.mktemp("plain")
    xw = folder / "xw.xlsx"
    wb = xlsxwriter.Workbook(str(xw))
    sheet = wb.add_worksheet("填报表")
    sheet.write_row(0, 0, ["指标名称", "本年累计", "备注"])
    sheet.write_row(1, 0, ["高企申报数", 12, " 含 2 家 "], wb.add_format({"num_format": "#,##0"}))
    sheet.write_row(2, 0, ["研发投入", 1.5, True])
    meta = wb.add_worksheet("_meta")
    meta.very_hidden()
    meta.write_row(0, 0, ["unit", "hutang"])
    wb.close()
    op = folder / "op.xlsx"
    book = openpyxl.Workbook()
    first = book.active
    first.title = "填报表"
    first["A1"] = "关于2022年1-11月份科技指标报表"
    first.merge_cells("A1:C1")
    first.append(["指标名称", "本年累计", "备注"])
    first.append(["高企申报数", 12, "  第一行\n第二行 "])
    second = book.create_sheet("_meta")
    second.sheet_state = "veryHidden"
    second.append(["unit", "hutang"])
    book.save(op)
    out = []
    for path in (xw, op):
        with zipfile.ZipFile(path) as z:
            out.append({name: z.read(name) for name in z.namelist()})
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 1),
       member=st.sampled_from(["xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                               "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"]),
       flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=3)),
                      min_size=1, max_size=4), cut=st.floats(0.5, 1))
def test_damaged_parts_of_plain_forms(tmp_path: Path, plain_forms: list[dict[str, bytes]], which: int, member: str,
                                      flips: list[tuple[float, bytes]], cut: float) -> None:
    """Damage with a valid checksum in the parts of plain forms: one clear issue or the sheets, never an exception."""
    parts = plain_forms[which]
    if member not in parts:
        member = "xl/worksheets/sheet1.xml"
    data = bytearray(parts[member])
    for where, chunk in flips:
        at = int(where * len(data))
        data[at:at + len(chunk)] = chunk
    path = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, bytes(data[: max(1, int(len(data) * cut))]) if name == member else content)
    _never_raises(path)


def test_plain_forms_read(tmp_path: Path, plain_forms: list[dict[str, bytes]]) -> None:
    for n, parts in enumerate(plain_forms):
        path = tmp_path / f"plain{n}.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in parts.items():
                z.writestr(name, content)
        book = read(path)
        assert book.sheets[1].rows == [["unit", "hutang"]]


@pytest.mark.parametrize(("data", "code"), [
    (b"<html><body><table></table></body></html>", "unsupported-format"),  # a web page saved as .xls
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "unsupported-format"),
    (b"PK\x03\x04" + b"\0" * 60, "unreadable-file"),  # a damaged zip
])
def test_refusals_read_in_english_without_chinese(data: bytes, code: str) -> None:
    import re

    issue = read_book(data, "form.xlsx").issues[0]
    assert issue.code == code
    params = dict(issue.params)
    assert params["detail_en"] and params["detail"] != params["detail_en"]
    assert not re.search(r"[\u4e00-\u9fff]", issue.message("en")), issue.message("en")
