"""The bulletin's faster cell loop writes exactly what XlsxWriter's own loop writes.

Each test builds the same workbook twice, once with XlsxWriter's Worksheet and once with
FastRowsWorksheet, and compares every part of the two files byte for byte.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter.worksheet import Worksheet

from reporting.render.bulletin.sheetdata import FastRowsWorksheet


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _both(tmp_path: Path, build: Callable[[Any, Any], None], **options: Any) -> tuple[dict, dict]:
    out = []
    for cls in (Worksheet, FastRowsWorksheet):
        path = tmp_path / f"{cls.__name__}.xlsx"
        wb = xlsxwriter.Workbook(str(path), options)
        wb.set_properties({"created": dt.datetime(2022, 12, 1)})
        wb.worksheet_class = cls
        build(wb, wb.add_worksheet("表一"))
        wb.close()
        out.append(_parts(path))
    return out[0], out[1]


def test_every_kind_of_cell_and_row_is_written_the_same(tmp_path: Path) -> None:
    def build(wb: Any, ws: Any) -> None:
        bold = wb.add_format({"bold": True, "border": 1})
        rate = wb.add_format({"num_format": "0.0%", "bg_color": "#FFC7CE"})
        when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        ws.set_column(4, 4, 12, rate)                    # a column format for unformatted cells
        ws.set_row(3, 30, bold)                          # a row format and a height
        ws.set_row(40, 24)                               # a row with attributes only
        ws.set_default_row(18)
        ws.merge_range(0, 0, 0, 5, "武进区科技创新重点指标通报", bold)
        ws.write_string(1, 0, "湖塘镇 & <高新区>", bold)
        ws.write_number(1, 1, 1234.5, rate)
        ws.write_number(1, 2, 1e-20)
        ws.write_number(1, 3, 123456789012345678)
        ws.write_number(1, 4, -0.125)                    # takes the column's format
        ws.write_blank(2, 1, None, bold)
        ws.write_datetime(2, 2, dt.datetime(2022, 12, 5, 9, 30), when)
        ws.write_string(3, 0, "")                        # takes the row's format
        ws.write_number(3, 2, 7)
        ws.write_formula(5, 0, "=SUM(B2:C2)", bold, 1234.5)
        ws.write_boolean(5, 1, True)
        ws.write_rich_string(5, 2, "高", bold, "新", "技术")
        ws.write_string(5, 3, "after the formula")
        for r in range(6, 60):                           # enough rows for several span blocks
            ws.write_number(r, r % 7, r * 1.5)
            ws.write_string(r, 8 + r % 3, f"单位{r}")

    ours, theirs = _both(tmp_path, build)
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name] == theirs[name], name


def test_cells_the_fast_calls_hand_on_are_stored_as_xlsxwriter_stores_them(tmp_path: Path) -> None:
    returned: list[list[Any]] = []

    def build(wb: Any, ws: Any) -> None:
        bold = wb.add_format({"bold": True})
        got = []
        got.append(ws.write_number("B3", 4.5, bold))          # A1 notation
        got.append(ws.write_string("C3", "甲", cell_format=bold))
        got.append(ws.write_number(2, 4, 7, cell_format=bold))
        got.append(ws.write_number(-1, 0, 1.0))               # out of bounds
        got.append(ws.write_string(0, 20000, "x"))
        got.append(ws.write_number(1_048_576, 0, 1.0))
        got.append(ws.write_number(4, 0, float("nan")))       # an error cell (nan_inf_to_errors)
        got.append(ws.write_number(4, 1, float("-inf")))
        got.append(ws.write_number(4, 2, True))
        got.append(ws.write_string(5, 0, "长" * 40000))        # truncated, returns -2
        got.append(ws.write_string(6, 0, "字", None))
        got.append(ws.write_number(6, 1, 3))
        returned.append(got)

    ours, theirs = _both(tmp_path, build, nan_inf_to_errors=True)
    assert returned[0] == returned[1]
    assert -1 in returned[0] and -2 in returned[0]
    assert ours == theirs


def test_comments_and_constant_memory_take_xlsxwriter_s_own_loop(tmp_path: Path) -> None:
    def build(wb: Any, ws: Any) -> None:
        for r in range(20):
            ws.write_number(r, 0, r)
            ws.write_string(r, 1, f"第{r}行")
        ws.write_comment(3, 3, "备注")

    ours, theirs = _both(tmp_path, build)
    assert ours == theirs
    ours, theirs = _both(tmp_path, build, constant_memory=True)
    assert ours == theirs


_cell = st.one_of(
    st.tuples(st.just("n"), st.floats(allow_nan=False, allow_infinity=False)),
    st.tuples(st.just("s"), st.text(max_size=8)),
    st.tuples(st.just("b"), st.none()),
    st.tuples(st.just("d"), st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1))),
    st.tuples(st.just("f"), st.integers(0, 9)),
)
_grid = st.dictionaries(st.tuples(st.integers(0, 40), st.integers(0, 30)),
                        st.tuples(_cell, st.integers(0, 2)), max_size=60)


@settings(max_examples=40, deadline=None)
@given(grid=_grid)
def test_any_grid_of_cells_is_written_the_same(tmp_path_factory: Any, grid: dict) -> None:
    tmp = tmp_path_factory.mktemp("grid")

    def build(wb: Any, ws: Any) -> None:
        formats = [None, wb.add_format({"bold": True}), wb.add_format({"num_format": "0.00"})]
        ws.set_row(5, 25, formats[1])
        for (r, c), ((kind, value), f) in grid.items():
            fmt = formats[f]
            if kind == "n":
                ws.write_number(r, c, value, fmt)
            elif kind == "s":
                ws.write_string(r, c, value, fmt)
            elif kind == "b":
                ws.write_blank(r, c, value, fmt)
            elif kind == "d":
                ws.write_datetime(r, c, value, formats[2])
            else:
                ws.write_formula(r, c, f"=A1+{value}", fmt, value)

    ours, theirs = _both(tmp, build)
    assert ours == theirs
