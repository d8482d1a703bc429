"""The 通报 as a GB/T 9704 Word document: read back with python-docx and checked against results.json.

The sample workspace (the repository's templates/ and inbox/) is copied and compiled once; the
document it writes is opened and its page, fonts (the East-Asian slot of every run), headings, page
number fields, annex sections and tables are checked, its bytes compared across compiles, and its
outline compared with tests/golden/document_outline.txt (UPDATE_GOLDEN=1 rewrites it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

from reporting.cli import cli
from reporting.core.results import District, DistrictIndicator, GroupResult, Results, UnitResult
from reporting.jobs.compile import CompileResult, compile_period
from reporting.render.document import document_filename, write_document
from reporting.render.document.body import title_lines
from reporting.render.document.content import build_content, zh_number
from reporting.render.narrative import fmt_number, fmt_rate
from reporting.workspace.config import load_workspace
from reporting.workspace.config_document import DocumentConfig, DocumentSettings, LightSettings

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "document_outline.txt"
MM = Mm(1)


def _sample_copy(dst: Path) -> Path:
    """The repository's sample workspace (templates and inbox, file times kept) in ``dst``."""
    shutil.copytree(REPO / "templates", dst / "templates")
    shutil.copytree(REPO / "inbox", dst / "inbox")
    return dst


@dataclasses.dataclass
class Sample:
    root: Path
    result: CompileResult
    results: dict[str, Any]
    path: Path

    @property
    def doc(self) -> Any:
        return docx.Document(str(self.path))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    root = _sample_copy(tmp_path_factory.mktemp("document") / "ws")
    result = compile_period(load_workspace(root))
    results = json.loads(result.results_path.read_text(encoding="utf-8"))
    docs = [p for p in result.documents if p.suffix == ".docx"]
    assert len(docs) == 1
    return Sample(root, result, results, docs[0])


def _mm(length: Any) -> float:
    return round(length / MM, 1)


# --------------------------------------------------------------------------- page


def test_file_name_is_the_title(sample: Sample) -> None:
    assert sample.path.name == "关于2022年1-12月全区科技创新重点指标完成情况的通报.docx"
    assert sample.path.parent == sample.result.folder


def test_page_is_a4_with_the_gbt9704_text_block(sample: Sample) -> None:
    s = sample.doc.sections[0]
    assert (_mm(s.page_width), _mm(s.page_height)) == (210.0, 297.0)
    assert _mm(s.top_margin) == 37.0 and _mm(s.left_margin) == 28.0
    assert _mm(s.page_width - s.left_margin - s.right_margin) == 156.0
    assert _mm(s.page_height - s.top_margin - s.bottom_margin) == 225.0
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and int(grid.get(qn("w:linePitch"))) * 22 == pytest.approx(12755, abs=20)
    body = sample.doc.styles["Normal"]
    spacing = body.element.rPr.find(qn("w:spacing"))  # 28 characters of 3号 to the 156 mm line
    assert (16 + int(spacing.get(qn("w:val"))) / 20) * 28 <= 156 / 25.4 * 72
    assert body.paragraph_format.line_spacing.pt == pytest.approx(225 / 25.4 * 72 / 22, abs=0.05)


def _runs(part_element: Any) -> list[Any]:
    return list(part_element.iter(qn("w:r")))


def test_every_run_sets_its_east_asian_font(sample: Sample) -> None:
    d = sample.doc
    parts = [d.element.body] + [s.footer._element for s in d.sections] + [s.even_page_footer._element
                                                                          for s in d.sections]
    runs = [r for p in parts for r in _runs(p)]
    assert len(runs) > 300
    for r in runs:
        fonts = r.find(qn("w:rPr")).find(qn("w:rFonts"))
        text = "".join(t.text or "" for t in r.iter(qn("w:t")))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), text
        assert fonts.get(qn("w:ascii")), text
    east = {r.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in runs}
    assert {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"} <= east
    # styles and document defaults name the East-Asian font too (no theme font left)
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and fonts.get(qn("w:eastAsiaTheme")) is None
    table = zipfile.ZipFile(sample.path).read("word/fontTable.xml").decode("utf-8")
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="华文中宋"/>' in table
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in table


def _east(style: Any) -> str:
    return str(style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")))


def test_headings_and_title_styles(sample: Sample) -> None:
    d = sample.doc
    st = d.styles
    assert (_east(st["Title"]), st["Title"].font.size.pt) == ("方正小标宋简体", 22.0)
    assert (_east(st["Normal"]), st["Normal"].font.size.pt) == ("仿宋_GB2312", 16.0)
    assert _east(st["Heading 1"]) == "黑体" and not st["Heading 1"].font.bold
    assert _east(st["Heading 2"]) == "楷体_GB2312"
    assert _east(st["Heading 3"]) == "仿宋_GB2312" and st["Heading 3"].font.bold
    by_style: dict[str, list[str]] = {}
    for p in d.paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style["Heading 1"] == ["一、总体情况", "二、各板块完成情况", "三、存在的问题", "四、下步要求"]
    assert by_style["Heading 2"][:2] == ["（一）镇", "（二）开发区（街道）"]
    assert all(t[0].isdigit() and t[1] == "." for t in by_style["Heading 3"])
    for p in d.paragraphs:  # the 1. lead is bold, the text after it is not
        if p.style.name == "Heading 3":
            assert p.runs[0].bold is True and all(r.bold is False for r in p.runs[1:])
    assert by_style["GW Mark"] == ["武进区科学技术局文件"]
    assert by_style["GW Number"] == ["武科〔2022〕12号"]
    assert by_style["Title"] == ["关于2022年1-12月全区科技创新\n重点指标完成情况的通报"]  # a 梯形 of two lines
    assert by_style["GW Recipients"] == ["各镇人民政府、街道办事处，各开发区管委会："]
    assert by_style["GW Signature"] == ["武进区科学技术局", "2023年1月5日"]  # the deadline: no leading zeros


def test_page_numbers_are_fields_odd_right_even_left(sample: Sample) -> None:
    d = sample.doc
    assert d.settings.odd_and_even_pages_header_footer
    assert d.settings.element.find(qn("w:evenAndOddHeaders")) is not None
    s = d.sections[0]
    for footer, align in ((s.footer, WD_ALIGN_PARAGRAPH.RIGHT), (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        instr = [t.text.strip() for t in p._p.iter(qn("w:instrText"))]
        kinds = [f.get(qn("w:fldCharType")) for f in p._p.iter(qn("w:fldChar"))]
        assert instr == ["PAGE"] and kinds == ["begin", "separate", "end"]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.alignment == align
        assert p.runs[0].font.size is None and p.style.font.size.pt == 14.0  # 4号
    for later in d.sections[1:]:  # the annex and 版记 pages keep the same footers
        assert later.footer.is_linked_to_previous and later.even_page_footer.is_linked_to_previous


def test_annexes_are_landscape_sections_and_the_record_ends_portrait(sample: Sample) -> None:
    sections = sample.doc.sections
    assert len(sections) == 5  # text, three annexes, 版记
    for s in sections[1:4]:
        assert s.orientation == WD_ORIENT.LANDSCAPE and s.page_width > s.page_height
        assert (_mm(s.page_width), _mm(s.page_height)) == (297.0, 210.0)
    assert sections[4].orientation == WD_ORIENT.PORTRAIT
    texts = [p.text for p in sample.doc.paragraphs]
    assert texts.count("附件1") == texts.count("附件2") == texts.count("附件3") == 1
    record = [p for p in sample.doc.paragraphs if p.style.name == "GW Record"]
    assert record and record[-1].text.endswith("2023年1月5日印发")
    assert record[-1]._p.pPr.find(qn("w:framePr")).get(qn("w:yAlign")) == "bottom"
    borders = record[-1]._p.pPr.find(qn("w:pBdr"))
    assert borders.find(qn("w:bottom")) is not None


# --------------------------------------------------------------------------- tables against results.json


def _cells(table: Any) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _align(cell: Any) -> Any:
    return cell.paragraphs[0].alignment


def test_district_table_matches_results(sample: Sample) -> None:
    table = sample.doc.tables[0]
    rows = _cells(table)
    inds = sample.results["district"]["indicators"]
    assert rows[0][:3] == ["序号", "指标", "计量单位"]
    assert len(rows) == len(inds) + 1
    for row, ind in zip(rows[1:], inds, strict=True):
        d = ind["decimals"]
        assert row[1] == ind["name"]
        assert row[3] == fmt_number(ind["target"], d) and row[4] == fmt_number(ind["actual"], d)
        assert row[5] == fmt_rate(ind["rate"]) and row[6] == fmt_rate(ind["schedule"])
    assert [r[4] for r in rows[1:]] == ["611", "435", "306", "1,191", "47", "5", "35.80", "64", "42", "29", "139",
                                        "4,240.00"]
    for c in (3, 4, 5, 6, 7):  # numbers right-aligned
        assert all(_align(row.cells[c]) == WD_ALIGN_PARAGRAPH.RIGHT for row in table.rows[1:])
    header = table.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None  # repeated on each page


def test_ranking_table_matches_results(sample: Sample) -> None:
    rows = _cells(sample.doc.tables[1])
    units = {u["name"]: u for u in sample.results["units"]}
    seen = 0
    for row in rows[1:]:
        if len(set(row)) == 1:  # a group row, merged across
            assert row[0] in {g["name"] for g in sample.results["groups"]}
            continue
        u = units[row[1]]
        seen += 1
        assert row[0] == (f"并列{u['rank']}" if u["rank_tied"] else str(u["rank"]))
        assert row[2] == f"{u['score']:.2f}"
        assert row[5] == f"{u['on_schedule']}/{u['scored']}"
    assert seen == len(units)


def test_lights_table_colours_every_value(sample: Sample) -> None:
    table = sample.doc.tables[2]
    rows = _cells(table)
    assert len(rows[0]) == 1 + len(sample.results["district"]["indicators"])
    marks = [c for row in rows[1:] for c in row[1:] if c.startswith("●")]
    assert len(marks) > 100
    fills = {tc.find(qn("w:tcPr")).find(qn("w:shd")).get(qn("w:fill"))
             for tc in table._tbl.iter(qn("w:tc")) if tc.find(qn("w:tcPr")).find(qn("w:shd")) is not None}
    assert {"C6EFCE", "FFC7CE", "FFEB9C"} <= fills  # green, red and yellow all occur in the sample


def test_tied_ranks_are_written_out(tmp_path: Path) -> None:
    ind = DistrictIndicator(code="x", name="指标甲", unit="家", target=10.0, actual=9.0, rate=0.9, schedule=0.75,
                            status="on_schedule", weight=10.0)
    units = (UnitResult(code="a", name="甲镇", group="g", status="ok", score=95.0, rank=1, rank_tied=True, scored=1,
                        on_schedule=1),
             UnitResult(code="b", name="乙镇", group="g", status="ok", score=95.0, rank=1, rank_tied=True, scored=1,
                        on_schedule=1),
             UnitResult(code="c", name="丙镇", group="g", status="missing"))
    r = Results(period="2023-03", year=2023, month=3, as_of="2023-03-31", deadline="2023-04-06",
                district=District(name="测试区", issuer="测试区科学技术局", indicators=(ind,)),
                groups=(GroupResult(code="g", name="镇"),), units=units)
    path = write_document(tmp_path / "t.docx", r)
    d = docx.Document(str(path))
    ranking = _cells(d.tables[1])
    assert ["并列1", "甲镇"] == ranking[2][:2] and ["并列1", "乙镇"] == ranking[3][:2]
    assert ranking[4][:3] == ["—", "丙镇", "—"]
    text = "\n".join(p.text for p in d.paragraphs)
    assert "甲镇（95.00分，并列第1）" in text
    assert "丙镇共1个单位本期未报送数据" in text
    assert d.paragraphs[0].text == "测试区科学技术局文件"
    assert "2023年4月6日" in text and "2023年04月" not in text


def test_a_large_group_is_listed_by_its_ends(tmp_path: Path) -> None:
    ind = DistrictIndicator(code="x", name="指标甲", unit="家", target=100.0, actual=90.0, rate=0.9, schedule=0.75,
                            status="on_schedule", weight=10.0)
    units = tuple(UnitResult(code=f"u{n:03}", name=f"单位{n:03}", group="g", status="ok", score=100.0 - n / 10,
                             rank=n + 1, scored=1, on_schedule=1) for n in range(70))
    r = Results(period="2023-03", year=2023, month=3, as_of="2023-03-31",
                district=District(name="测试区", issuer="测试局", indicators=(ind,)),
                groups=(GroupResult(code="g", name="镇"),), units=units)
    d = docx.Document(str(write_document(tmp_path / "t.docx", r)))
    for k, table in enumerate(d.tables[1:3]):  # the ranking (name in column 2) and the lights (column 1)
        rows = _cells(table)
        names = [row[1 - k] for row in rows[2:]]
        assert len(rows) == 1 + 1 + 25 + 1 + 25
        assert rows[27][0] == "……（其余20个单位从略，详见通报工作簿）"
        assert names[0] == "单位000" and names[-1] == "单位069"


# --------------------------------------------------------------------------- bytes, outline


def test_same_inputs_same_bytes(sample: Sample, tmp_path: Path) -> None:
    first = hashlib.sha256(sample.path.read_bytes()).hexdigest()
    root = tmp_path / "ws"
    shutil.copytree(sample.root, root)
    again = compile_period(load_workspace(root))
    doc = next(p for p in again.documents if p.suffix == ".docx")
    assert hashlib.sha256(doc.read_bytes()).hexdigest() == first
    with zipfile.ZipFile(doc) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "docProps/thumbnail.jpeg" not in z.namelist()
    cp = docx.Document(str(doc)).core_properties
    assert cp.created.date().isoformat() == sample.results["as_of"] == "2022-12-31"
    assert cp.modified == cp.created and cp.last_printed == cp.created
    assert cp.title == "关于2022年1-12月全区科技创新重点指标完成情况的通报" and cp.author == "武进区科学技术局"


def outline(path: Path) -> list[str]:
    """Style and the first characters of each paragraph, then each table's shape and header: the
    document's structure without the figures that change with the data."""
    d = docx.Document(str(path))
    lines = []
    for block in d.element.body.iterchildren():
        if block.tag == qn("w:p"):
            style = block.pPr.pStyle.val if block.pPr is not None and block.pPr.pStyle is not None else "Normal"
            text = "".join(t.text or "" for t in block.iter(qn("w:t")))
            sect = " [section]" if block.pPr is not None and block.pPr.sectPr is not None else ""
            lines.append(f"{style}|{text[:8]}{sect}")
        elif block.tag == qn("w:tbl"):
            rows = block.findall(qn("w:tr"))
            head = ["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in rows[0].findall(qn("w:tc"))]
            lines.append(f"table {len(rows)}x{len(head)}|{'/'.join(head)}")
    return lines


def test_outline_matches_the_golden_file(sample: Sample) -> None:
    got = outline(sample.path)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text("\n".join(got) + "\n", encoding="utf-8")
    assert got == GOLDEN.read_text(encoding="utf-8").splitlines()


# --------------------------------------------------------------------------- command line, settings


def _invoke(root: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["compile", "--workspace", str(root), *args], env=env)


def test_no_docx_writes_none_and_removes_an_old_one(sample: Sample, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(sample.root, root)
    folder = root / "outbox" / "2022-12"
    assert (folder / sample.path.name).is_file()
    result = _invoke(root, "--no-docx", "--quiet")
    assert result.exit_code == 0, result.output
    assert not list(folder.glob("*.docx"))  # a stale document would be mailed with new numbers
    assert (folder / "results.json").is_file()
    result = _invoke(root)
    assert result.exit_code == 0 and "公文：" in result.output
    assert (folder / sample.path.name).is_file()


def test_pdf_without_libreoffice_is_one_line_and_keeps_the_docx(sample: Sample, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(sample.root, root)
    result = _invoke(root, "--pdf", "--quiet", env={"REPORTING_SOFFICE": str(tmp_path / "no-soffice")})
    assert result.exit_code == 0
    assert result.stderr.strip() == "未找到 LibreOffice（soffice），未生成 PDF；安装 LibreOffice 后加 --pdf 重新运行"
    folder = root / "outbox" / "2022-12"
    assert (folder / sample.path.name).is_file() and not list(folder.glob("*.pdf"))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_pdf_with_libreoffice(sample: Sample, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(sample.root, root)
    result = _invoke(root, "--pdf")
    assert result.exit_code == 0, result.output
    pdf = root / "outbox" / "2022-12" / sample.path.name.replace(".docx", ".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and "PDF：" in result.output
    assert not list(pdf.parent.glob(".tmp-*"))
    result = _invoke(root, "--quiet")  # a later compile without --pdf removes the now stale PDF
    assert result.exit_code == 0 and not pdf.exists()


def _with_toml(sample: Sample, tmp_path: Path, extra: str) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(sample.root, root)
    toml = root / "templates" / "workspace.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return root


def test_document_settings_change_the_document(sample: Sample, tmp_path: Path) -> None:
    root = _with_toml(sample, tmp_path, """
[document]
number = "武科发〔{year}〕{n}号"
serial = 3
cc = "区委办公室，区政府办公室"
sign_date = "2023-01-10"
title = "{district}{year}年{span}科技创新指标通报"
requirements = ["第一段要求。", "第二段要求。"]
sections = ["overall", "groups", "problems", "requirements", "record"]

[lights]
honours = true
""")
    result = _invoke(root, "--quiet")
    assert result.exit_code == 0, result.output
    path = root / "outbox" / "2022-12" / "武进区2022年1-12月科技创新指标通报.docx"
    d = docx.Document(str(path))
    texts = [p.text for p in d.paragraphs]
    assert "武科发〔2022〕3号" in texts and "武进区科学技术局文件" not in texts  # no mark section
    assert "第一段要求。" in texts and "第二段要求。" in texts
    assert "2023年1月10日" in texts and d.tables == [] and len(d.sections) == 1  # no annexes
    assert any(t.startswith("红榜：镇中，") and "项排名第一" in t for t in texts)
    assert any(t.startswith("黑榜：") for t in texts)
    assert "抄送：区委办公室，区政府办公室" in texts
    cc, issued = [p for p in d.paragraphs if p.style.name == "GW Record"]
    frames = [p._p.pPr.find(qn("w:framePr")) for p in (cc, issued)]
    assert frames[1].get(qn("w:yAlign")) == "bottom"  # at the foot of the page, 抄送 just above it
    assert 0 < int(frames[0].get(qn("w:y"))) < round(225 / 25.4 * 1440)
    assert cc._p.pPr.find(qn("w:pBdr")).find(qn("w:top")).get(qn("w:sz")) == "8"  # 0.35 mm, then 0.25 mm
    assert issued._p.pPr.find(qn("w:pBdr")).find(qn("w:top")).get(qn("w:sz")) == "4"


@pytest.mark.parametrize(("extra", "message"), [
    ('[document]\nnumbr = "x"\n', "未知的设置项 document.numbr（是不是 number？）"),
    ('[document]\nsign_date = "tomorrow"\n', "document.sign_date 只能是 deadline"),
    ('[document]\nsections = ["anex"]\n', "（是不是 annex？）"),
    ('[document]\ntitle = "关于{yeer}"\n', "document.title 只能使用 {year} {month} {span} {district} 占位符"),
    ('[lights]\nmode = "avg"\n', "lights.mode 只能是 schedule"),
    ('[lights]\nyellow_within = -1\n', "lights.yellow_within（黄灯范围，百分点）必须是 0 到 100 的数"),
    ('[lights]\nhonours = "yes"\n', "lights.honours 只能是 true 或 false"),
])
def test_bad_settings_name_file_and_line(sample: Sample, tmp_path: Path, extra: str, message: str) -> None:
    root = _with_toml(sample, tmp_path, extra)
    lines = (root / "templates" / "workspace.toml").read_text(encoding="utf-8").splitlines()
    line = len(lines)  # the bad key is the file's last line
    result = CliRunner().invoke(cli, ["config", "--workspace", str(root)])
    assert result.exit_code == 2
    assert f"templates/workspace.toml:{line}: " in result.output and message in result.output


def test_english_document(sample: Sample, tmp_path: Path) -> None:
    cfg = DocumentConfig()
    path = write_document(tmp_path / document_filename(sample.results, cfg, "en"), sample.results, cfg, "en")
    assert path.name == "Key science and technology indicators of Wujin District, January to December 2022.docx"
    d = docx.Document(str(path))
    heads = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert heads == ["1. Overall", "2. By group", "3. Problems", "4. Next steps"]
    assert all(r.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in _runs(d.element.body))


def test_words_helpers() -> None:
    assert [zh_number(n) for n in (1, 10, 11, 20, 23)] == ["一", "十", "十一", "二十", "二十三"]
    assert title_lines("关于2022年1-12月全区科技创新重点指标完成情况的通报", 20) == [
        "关于2022年1-12月全区科技创新", "重点指标完成情况的通报"]
    assert title_lines("关于2022年3月情况的通报", 20) == ["关于2022年3月情况的通报"]


def test_content_without_history_or_lights(sample: Sample) -> None:
    r = Results.from_json(sample.results)
    plain = dataclasses.replace(r, district=dataclasses.replace(r.district, indicators=tuple(
        dataclasses.replace(i, yoy=None) for i in r.district.indicators)))
    content = build_content(plain, DocumentSettings(), LightSettings(enabled=False), "zh")
    text = "\n".join(t for _, t in content.parts)
    assert "同比" not in text and "亮红灯" not in text
    assert len(content.annexes) == 2
    with_yoy = build_content(r, DocumentSettings(), LightSettings(), "zh")
    assert "同比增长" in "\n".join(t for _, t in with_yoy.parts)


def test_workbook_lights_sheet_agrees_with_the_document(sample: Sample) -> None:
    import openpyxl

    from reporting.score.lights import unit_lights

    wb = openpyxl.load_workbook(sample.result.bulletin)
    ws = wb["指标亮灯"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
    r = Results.from_json(sample.results)
    lit = unit_lights(r, LightSettings())
    names = {u.name: u.code for u in r.units}
    inds = [i.code for i in r.district.indicators]
    fills = {"green": "FFC6EFCE", "yellow": "FFFFEB9C", "red": "FFFFC7CE"}
    checked = 0
    for row in ws.iter_rows(min_row=5):
        code = names.get(row[0].value)
        if code is None:
            continue
        for cell, ind in zip(row[1:1 + len(inds)], inds, strict=True):
            light = lit[code][ind]
            if light.colour == "grey":
                assert cell.value == "—"
                continue
            assert cell.value.startswith("●") and cell.fill.fgColor.rgb == fills[light.colour]
            checked += 1
        assert row[1 + len(inds)].value.count("/") == 2  # green/yellow/red counts
    assert checked > 100
    legend = [ws.cell(3, c).value for c in range(2, 5)]
    assert legend == ["● 绿灯", "● 黄灯", "● 红灯"]
