"""The blank form: written for real, read back with openpyxl, and opened in LibreOffice."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from reporting.core import formlayout as fl
from reporting.core.errors import ReportingError
from reporting.core.periods import Period
from reporting.core.textnorm import display_width
from reporting.render.forms import build_form, write_form, write_forms
from reporting.workspace.config import Workspace
from reporting.workspace.paths import form_path, safe_filename

NOV = Period(2022, 11)


def _form(ws: Workspace, tmp_path: Path, unit: str = "hutang", period: Period = NOV,
          previous: dict[str, float] | None = None) -> tuple[Path, openpyxl.Workbook]:
    path = tmp_path / "form.xlsx"
    write_form(path, ws, ws.unit(unit), period, previous)
    return path, openpyxl.load_workbook(path)


def _data_rows(ws: Workspace) -> range:
    return range(fl.FIRST_DATA_ROW, fl.FIRST_DATA_ROW + len(ws.indicators))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_title_info_and_headers(ws: Workspace, tmp_path: Path) -> None:
    _, wb = _form(ws, tmp_path)
    assert wb.sheetnames[0] == fl.DATA_SHEET
    assert wb.active.title == fl.DATA_SHEET
    sh = wb[fl.DATA_SHEET]
    assert sh["A1"].value == "武进区科技创新重点指标月报表（2022年1-11月）"
    assert sh["A2"].value == "填报单位：湖塘镇"  # label and name in one cell, for the fallback reader
    assert "2022年1-11月" in sh["E2"].value
    merged = {str(r) for r in sh.merged_cells.ranges}
    assert {"A1:G1", "A2:D2", "E2:G2"} <= merged
    assert [sh.cell(fl.HEADER_ROW, c).value for c in range(1, 8)] == fl.HEADERS
    for n, (r, ind) in enumerate(zip(_data_rows(ws), ws.indicators, strict=True), 1):
        assert sh.cell(r, 1).value == n
        assert sh.cell(r, fl.COL_NAME).value == ind.name
        assert sh.cell(r, 3).value == ind.unit
        assert sh.cell(r, fl.COL_VALUE).value is None
        assert sh.cell(r, fl.COL_REMARK).value is None
    below = [sh.cell(r, c).value for r in range(fl.FIRST_DATA_ROW + len(ws.indicators), sh.max_row + 1)
             for c in range(1, 8)]
    text = " ".join(str(v) for v in below if v)
    for label in ("填报人", "联系电话", "填报日期", "说明"):
        assert label in text
    assert sh.cell(fl.FIRST_DATA_ROW + len(ws.indicators), 1).value is None  # one empty row below the table


def test_meta_sheet_is_very_hidden_and_maps_rows(ws: Workspace, tmp_path: Path) -> None:
    _, wb = _form(ws, tmp_path)
    meta = wb[fl.META_SHEET]
    assert meta.sheet_state == "veryHidden"
    pairs = [(meta.cell(r, 1).value, meta.cell(r, 2).value) for r in range(1, meta.max_row + 1)]
    keys = dict(pairs[: [k for k, _ in pairs].index(fl.META_ROWS)])
    assert keys == {fl.META_VERSION: fl.FORM_VERSION, fl.META_DISTRICT: "武进区", fl.META_UNIT: "hutang",
                    fl.META_UNIT_NAME: "湖塘镇", fl.META_PERIOD: "2022-11"}
    rows = pairs[[k for k, _ in pairs].index(fl.META_ROWS) + 1:]
    assert [code for _, code in rows] == [i.code for i in ws.indicators]
    assert [r for r, _ in rows] == list(_data_rows(ws))
    sh = wb[fl.DATA_SHEET]
    for r, code in rows:
        assert isinstance(r, int)
        assert sh.cell(r, fl.COL_NAME).value == ws.indicator(code).name


def test_targets_and_previous_filled(ws: Workspace, tmp_path: Path) -> None:
    targets = ws.targets_for(2022)
    assert targets is not None
    previous = {ind.code: (7.25 if not ind.is_integer else 9) for ind in ws.indicators[:-1]}  # the last: none
    _, wb = _form(ws, tmp_path, previous=previous)
    sh = wb[fl.DATA_SHEET]
    for r, ind in zip(_data_rows(ws), ws.indicators, strict=True):
        want = targets.unit_target("hutang", ind.code)
        got = sh.cell(r, fl.COL_TARGET).value
        if want is None:
            assert got == "—"
        else:
            assert got == pytest.approx(want)
        assert sh.cell(r, fl.COL_TARGET).number_format == ("#,##0" if ind.is_integer else "#,##0.00")
        prev = sh.cell(r, fl.COL_PREVIOUS).value
        assert prev == previous.get(ind.code)
        if ind.is_integer and prev is not None:
            assert isinstance(prev, int)  # shown as 9, never 9.0


def test_no_targets_for_the_year_and_january(ws: Workspace, tmp_path: Path) -> None:
    _, wb = _form(ws, tmp_path, period=Period(2031, 1))
    sh = wb[fl.DATA_SHEET]
    assert sh["A1"].value.endswith("（2031年1月）")
    for r in _data_rows(ws):
        assert sh.cell(r, fl.COL_TARGET).value is None
        assert sh.cell(r, fl.COL_PREVIOUS).value is None
    prompts = [dv.prompt for dv in sh.data_validations.dataValidation]
    assert all("1月" in p and "1-1月" not in p for p in prompts)


def test_protection_without_password_and_only_inputs_unlocked(ws: Workspace, tmp_path: Path) -> None:
    path, wb = _form(ws, tmp_path)
    sh = wb[fl.DATA_SHEET]
    assert sh.protection.sheet is True
    assert not sh.protection.password
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    tag = re.search(r"<sheetProtection[^>]*>", xml)
    assert tag and "password" not in tag.group(0).lower() and "hashValue" not in tag.group(0)
    unlocked = {c.coordinate for row in sh.iter_rows() for c in row if c.protection.locked is False}
    expected = {f"{col}{r}" for r in _data_rows(ws) for col in ("F", "G")}
    last = fl.FIRST_DATA_ROW + len(ws.indicators) - 1
    signature_rows = [r for r in range(last + 1, sh.max_row + 1)
                      if str(sh.cell(r, fl.COL_NAME).value or "").startswith(("填报人", "联系电话", "填报日期"))]
    assert len(signature_rows) == 3
    expected |= {f"{col}{r}" for r in signature_rows for col in ("C", "D")}
    assert unlocked == expected
    for r in _data_rows(ws):
        assert sh.cell(r, fl.COL_VALUE).fill.fgColor.rgb.endswith("FFF9E5")
        assert sh.cell(r, fl.COL_NAME).fill.fill_type is None


def test_data_validation_per_value_cell(ws: Workspace, tmp_path: Path) -> None:
    _, wb = _form(ws, tmp_path)
    sh = wb[fl.DATA_SHEET]
    dvs = sh.data_validations.dataValidation
    covered: set[str] = set()
    for dv in dvs:
        covered |= {f"{_col(c)}{r}" for rng in dv.sqref.ranges for r, c in rng.cells}
    assert covered == {f"F{r}" for r in _data_rows(ws)}
    for r, ind in zip(_data_rows(ws), ws.indicators, strict=True):
        (dv,) = [d for d in dvs if f"F{r}" in d.sqref]
        assert dv.type == ("whole" if ind.is_integer else "decimal")
        assert dv.operator == "greaterThanOrEqual"
        assert dv.formula1 == "0"
        assert dv.allow_blank
        assert dv.showInputMessage and dv.showErrorMessage
        assert dv.promptTitle and len(dv.promptTitle) <= 32
        assert "1-11月" in dv.prompt and ind.unit in dv.prompt
        assert ("整数" in dv.prompt) == ind.is_integer
        assert dv.errorTitle and dv.error and ind.unit in dv.error
        assert sh.cell(r, fl.COL_VALUE).number_format == ("#,##0" if ind.is_integer else "#,##0." + "0" * ind.decimals)


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def test_print_setup_fonts_widths_and_properties(ws: Workspace, tmp_path: Path) -> None:
    _, wb = _form(ws, tmp_path)
    sh = wb[fl.DATA_SHEET]
    assert sh.freeze_panes == "A4"
    assert sh.page_setup.paperSize == 9  # A4
    assert sh.page_setup.orientation == "portrait"
    assert sh.page_setup.fitToWidth == 1 and sh.page_setup.fitToHeight == 0
    assert sh.sheet_properties.pageSetUpPr.fitToPage
    assert sh.print_options.horizontalCentered
    assert sh.print_title_rows == "$1:$3"
    assert sh.page_margins.left <= 0.75
    assert sh["A1"].font.name == "黑体" and sh["A1"].font.sz == 16 and sh["A1"].font.b
    assert sh["B3"].font.name == "黑体"
    assert sh["B4"].font.name == "宋体" and sh["B4"].font.sz == 11
    widest = max(display_width(i.name) for i in ws.indicators)
    assert sh.column_dimensions["B"].width >= widest
    for r in _data_rows(ws):
        assert sh.row_dimensions[r].height >= 20
    assert wb.properties.title == sh["A1"].value
    assert wb.properties.creator == (ws.settings.issuer or ws.settings.district)


def test_build_form_returns_workbook(ws: Workspace) -> None:
    wb = build_form(ws, ws.unit("niutang"), NOV)
    assert wb[fl.DATA_SHEET]["A2"].value == "填报单位：牛塘镇"
    assert wb[fl.META_SHEET]["B3"].value == "niutang"


def test_write_forms_skips_existing_unless_forced(ws: Workspace) -> None:
    written, skipped = write_forms(ws, NOV)
    assert skipped == []
    assert written == [form_path(ws, u, NOV) for u in ws.units]
    assert all(p.parent == ws.period_dir(NOV) / "forms" for p in written)
    assert form_path(ws, ws.unit("hutang"), NOV).name == "湖塘镇_2022年11月.xlsx"  # returned files do not collide
    assert not list((ws.period_dir(NOV) / "forms").glob(".tmp-*"))

    # a unit's person fills in their form where it lies; a second run must not wipe it
    path = form_path(ws, ws.unit("hutang"), NOV)
    wb = openpyxl.load_workbook(path)
    wb[fl.DATA_SHEET]["F4"] = 42
    wb.save(path)
    before = _sha(path)
    written, skipped = write_forms(ws, NOV)
    assert written == [] and len(skipped) == len(ws.units)
    assert _sha(path) == before

    written, skipped = write_forms(ws, NOV, units=["hutang"], force=True,
                                   previous={"hutang": {ws.indicators[0].code: 40}})
    assert written == [path] and skipped == []
    sh = openpyxl.load_workbook(path)[fl.DATA_SHEET]
    assert sh["F4"].value is None
    assert sh["E4"].value == 40


def test_write_forms_unknown_unit(ws: Workspace) -> None:
    with pytest.raises(ReportingError, match="nowhere"):
        write_forms(ws, NOV, units=["nowhere"])
    assert not (ws.period_dir(NOV) / "forms").exists()


def test_safe_filename() -> None:
    assert safe_filename("湖塘镇") == "湖塘镇"
    assert safe_filename('a/b:c*?"<>|') == "a_b_c______"
    assert safe_filename("...") == "_"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_form_opens_in_libreoffice(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "湖塘镇.xlsx"
    write_form(path, ws, ws.unit("hutang"), NOV, {i.code: 1 for i in ws.indicators})
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: parallel runs do not fight over one
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    pdf = (out / "湖塘镇.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages == 1  # the whole form fits one A4 page


def test_big_figures_get_wide_enough_columns(ws: Workspace, tmp_path: Path) -> None:
    """A column narrower than its number shows ### in Excel: widths follow the figures."""
    previous = {i.code: 123456789.5 if not i.is_integer else 987654321 for i in ws.indicators}
    _, wb = _form(ws, tmp_path, previous=previous)
    sh = wb[fl.DATA_SHEET]
    for r in _data_rows(ws):
        shown = f"{sh.cell(r, fl.COL_PREVIOUS).value:,.2f}"
        assert sh.column_dimensions["E"].width >= display_width(shown) + 1


def test_form_file_name_carries_the_period_and_parses_back(ws: object) -> None:
    """``湖塘镇_2023年3月.xlsx``: the name is a piece of period evidence, in the clerk's own writing."""
    import re

    from reporting.core.periods import Period

    for period in (Period(2023, 3), Period(2022, 11)):
        name = form_path(ws, ws.unit("hutang"), period).stem  # type: ignore[attr-defined]
        unit, _, said = name.partition("_")
        assert unit == "湖塘镇"
        m = re.fullmatch(r"(\d{4})年(\d{1,2})月", said)
        assert m and Period(int(m[1]), int(m[2])) == period
