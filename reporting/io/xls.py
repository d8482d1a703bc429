""".xls (BIFF2-8) through xlrd, on the Workbook stream olefile extracted, bounded by the reading window.

xlrd knows FILEPASS (refused as encrypted), sheet visibility, the 1904 date
system, codepages and error cells. Two things are ours: cells are collected
by a bounded ``put_cell`` (a sheet declaring 65536 x 256 cells costs what
its window holds, and cells beyond it only mark the sheet truncated), and a
number's date-ness follows the project's rule (built-in ids 14-22, 27-36,
45, 47, 50-58 and date-looking codes), not xlrd's (which differs for ids
46 and 71-81).
"""
from __future__ import annotations

import io
import warnings
from typing import Any

import xlrd
from xlrd import book as xlrd_book
from xlrd import sheet as xlrd_sheet
from xlrd.biffh import XL_WORKBOOK_GLOBALS, XLRDError

from reporting.io.common import (
    ERROR_CODES,
    Grid,
    Refuse,
    Window,
    format_kind,
    make_grid,
    numeric,
    plain,
    unreadable,
)

_EMPTY = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
_NUMBERS = (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE)


class _Sheet(xlrd_sheet.Sheet):
    """A sheet that keeps only the cells inside the window (xlrd would allocate every row it is told of)."""

    def __init__(self, book: _Book, position: int, name: str, number: int) -> None:
        self.kept: dict[tuple[int, int], tuple[int, Any, int]] = {}
        self.beyond = False
        self._win = book.window
        super().__init__(book, position, name, number)

    def put_cell_ragged(self, rowx: int, colx: int, ctype: int | None, value: Any, xf_index: int) -> None:
        if ctype in _EMPTY:
            return
        if rowx < self._win.rows and colx < self._win.cols:
            self.kept[(rowx, colx)] = (xlrd.XL_CELL_NUMBER if ctype is None else ctype, value, xf_index)
        else:
            self.beyond = True

    put_cell_unragged = put_cell_ragged


class _Book(xlrd_book.Book):
    """xlrd's Book whose sheets are bounded (xlrd sets its own handlers on this class: override nothing else)."""

    window = Window(0, 0)

    def get_sheet(self, sh_number: int, update_pos: bool = True) -> _Sheet:
        if self._resources_released:
            raise XLRDError("Can't load sheets after releasing resources.")
        if update_pos:
            self._position = self._sh_abs_posn[sh_number]
        self.getbof(xlrd_book.XL_WORKSHEET)
        sh = _Sheet(self, self._position, self._sheet_names[sh_number], sh_number)
        sh.read(self)
        self._sheet_list[sh_number] = sh
        return sh


def _open(stream: bytes, win: Window) -> _Book:
    """xlrd.open_workbook_xls with our Book: the same steps, every sheet loaded through ``get_sheet``."""
    bk = _Book()
    bk.window = win
    try:
        bk.biff2_8_load(file_contents=stream, logfile=io.StringIO(), verbosity=0, use_mmap=False,
                        encoding_override=None, formatting_info=False, on_demand=True, ragged_rows=True)
        version = bk.getbof(XL_WORKBOOK_GLOBALS)
        if not version:
            raise XLRDError("Can't determine file's BIFF version")
        if version not in xlrd_book.SUPPORTED_VERSIONS:
            raise XLRDError("BIFF version not supported")
        bk.biff_version = version
        if version <= 40:
            bk.on_demand = False
            bk.fake_globals_get_sheet()
        elif version == 45:
            bk.on_demand = False
            bk.parse_globals()
        else:
            bk.parse_globals()
            bk._sheet_list = [None for _ in bk._sheet_names]
            bk.get_sheets()
        bk.nsheets = len(bk._sheet_list)
    except BaseException:
        bk.release_resources()
        raise
    return bk


def read_xls(stream: bytes, win: Window) -> list[Grid]:
    """Every worksheet of a BIFF stream, cut to the window."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bk = _open(stream, win)
    except XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise Refuse("encrypted-file") from exc
        raise unreadable("reader.biff_corrupt") from exc
    except (AssertionError, IndexError, KeyError, ValueError, TypeError, UnicodeError, OverflowError,
            ArithmeticError, AttributeError, RecursionError) as exc:
        raise unreadable("reader.biff_corrupt") from exc
    try:
        kinds: dict[int, str | None] = {}
        codes = {fmt.format_key: fmt.format_str for fmt in bk.format_list}  # FORMAT records only
        grids = []
        for sh in bk._sheet_list:
            if not isinstance(sh, _Sheet):
                continue
            values: dict[tuple[int, int], object] = {}
            errors: dict[tuple[int, int], str] = {}
            for key, (ctype, value, xf) in sh.kept.items():
                if ctype == xlrd.XL_CELL_ERROR:
                    errors[key] = ERROR_CODES.get(value, "#N/A")
                elif ctype in _NUMBERS:
                    kind = kinds.get(xf, "?")
                    if kind == "?":
                        kind = kinds[xf] = _xf_kind(bk, xf, codes)
                    values[key] = numeric(float(value), kind, bk.datemode == 1)
                elif ctype == xlrd.XL_CELL_BOOLEAN:
                    values[key] = bool(value)
                elif ctype == xlrd.XL_CELL_TEXT:
                    values[key] = plain(value)
            state = ("visible", "hidden", "veryHidden")[min(max(sh.visibility, 0), 2)]
            grids.append(make_grid(sh.name, state, values, set(), errors, sh.beyond))
        return grids
    finally:
        bk.release_resources()


def _xf_kind(bk: _Book, xf: int, codes: dict[int, str]) -> str | None:
    """"date", "duration" or None for a cell format, by the project's rule on its number format."""
    if not 0 <= xf < len(bk.xf_list):
        return None
    return format_kind(bk.xf_list[xf].format_key, codes)
