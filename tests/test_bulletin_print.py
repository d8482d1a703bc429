"""The bulletin as LibreOffice prints it, for a district larger than one page a table.

Built from a synthetic 40-unit workspace (the demo's own forms, compiled for real), converted
to PDF with LibreOffice, and read back page by page with pdftotext.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reporting.core.periods import Period
from reporting.demo.make import make_demo
from reporting.jobs.compile import compile_period
from reporting.workspace.config import load_workspace

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                reason="LibreOffice and poppler-utils are needed")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    from reporting.demo.history import sample_history
    from reporting.render.history_book import write_history_template

    root = tmp_path_factory.mktemp("print") / "ws"
    make_demo(root, n_units=40, periods=[Period(2022, 10), Period(2022, 11)])
    ws = load_workspace(root)  # with 2021 history: 同比 columns on 通报 and 分项指标, the 报送及时性 sheet
    write_history_template(ws, 2021, values=sample_history(ws, month=11))
    out = compile_period(ws, Period(2022, 11))
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out.folder), str(out.bulletin)], capture_output=True, timeout=240, check=True)
    return _pages(out.bulletin.with_suffix(".pdf"))


def test_every_indicator_page_starts_with_its_band_header(pages: list[str]) -> None:
    band_pages = [p for p in pages if "各单位分项指标完成情况" in p]
    assert len(band_pages) >= 4  # 40 units x 4 bands do not fit on one page each
    for n, page in enumerate(band_pages):
        lines = [x for x in page.splitlines() if x.strip()]
        body = lines[:8]
        # the header (单位 | 年度目标 累计完成 完成率 排名) comes before any unit's row on every page
        head_at = next(i for i, x in enumerate(lines) if "年度目标" in x)
        first_unit = next(i for i, x in enumerate(lines) if "示例" in x)
        assert head_at < first_unit, (n, body)
        if n > 0 and "（续）" not in page:
            # a page without a continued band starts a new band: its first header is a band's first
            assert "权重" in page


def test_no_page_of_indicators_is_only_a_title(pages: list[str]) -> None:
    band_pages = [p for p in pages if "各单位分项指标完成情况" in p]
    assert all(sum("示例" in x for x in p.splitlines()) >= 5 for p in band_pages)


def test_issuer_lines_stay_on_the_first_page(pages: list[str]) -> None:
    assert "制表单位" in pages[0] and "数据来源" in pages[0]


def test_submissions_header_repeats_and_earlier_months_are_one_line(pages: list[str]) -> None:
    sub_pages = [p for p in pages if "2022年11月报送情况" in p]
    assert len(sub_pages) >= 2  # 40 units and 80 files do not fit one page
    for page in sub_pages:
        lines = [x for x in page.splitlines() if x.strip()]
        head_at = next(i for i, x in enumerate(lines) if "序号" in x)
        first_unit = next((i for i, x in enumerate(lines) if "示例" in x), len(lines))
        assert head_at < first_unit
    text = "\n".join(sub_pages)
    assert "另有较早月份的文件 40 个（2022-10 40 个）" in text
    assert "2022年11月/" in text and "2022年10月/" not in text  # October's files are not listed one by one


def test_notice_with_history_columns_stays_one_page(pages: list[str]) -> None:
    first = pages[0]
    for word in ("本月新增", "上年同期", "同比增长", "说明", "高新技术企业申报数", "揭榜挂帅项目金额", "制表单位"):
        assert word in first, word
    assert "同比增长" in first and "%" in first.split("同比增长", 1)[1]
    assert "各单位科技创新重点指标综合排名" in pages[1]


def test_indicator_bands_with_history_keep_their_headers(pages: list[str]) -> None:
    band_pages = [p for p in pages if "各单位分项指标完成情况" in p]
    for page in band_pages:
        lines = [x for x in page.splitlines() if x.strip()]
        head_at = next(i for i, x in enumerate(lines) if "年度目标" in x and "累计完成" in x)
        assert "同比增长" in lines[head_at] and "本月新增" in lines[head_at]
        first_unit = next(i for i, x in enumerate(lines) if "示例" in x)
        assert head_at < first_unit


def test_timeliness_pages_repeat_their_header(pages: list[str]) -> None:
    t_pages = [p for p in pages if "2022年11月报送及时性" in p]
    assert t_pages
    assert "截止时间为2022年12月5日" in t_pages[0] and "chinese-calendar" in t_pages[0]
    for page in t_pages:
        lines = [x for x in page.splitlines() if x.strip()]
        head_at = next(i for i, x in enumerate(lines) if "序号" in x and "及时性" in x)
        first_unit = next((i for i, x in enumerate(lines) if "示例" in x), len(lines))
        assert head_at < first_unit
    text = "\n".join(t_pages)
    assert len(t_pages) >= 2  # 40 units: the table runs onto a second page, its header repeated
    assert text.count("按时 ") >= 40  # every row printed; the demo stamps its forms before the deadline
