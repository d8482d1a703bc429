"""The bulletin's worksheets with a faster ``<sheetData>``: the same bytes, a row at a time.

XlsxWriter writes each cell through four calls (the A1 reference, the attribute list, its
escaping, one file write): about 6 µs a cell, over a second for the 200,000 cells of a
2,000-unit bulletin. :class:`FastRowsWorksheet` writes the cells that tables hold (numbers,
dates, strings, formatted blanks) as one joined string per row, with each format's ``s``
attribute and each column's letters looked up once; any other kind of cell (a formula, a
boolean, a rich string, a comment's row) goes through XlsxWriter's own code, unchanged.

What it relies on is XlsxWriter's internal table (``table[row][col]`` of named tuples) and
its ``_write_rows``; ``tests/test_sheetdata.py`` writes the same workbooks through both and
compares every part byte for byte, so an XlsxWriter release that changes either fails there,
not in a meeting.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellNumberTuple, CellStringTuple, Worksheet

# The cell kinds written here, by the name of XlsxWriter's named tuple.
_NUMBER = frozenset({"Number", "Datetime"})
_INFINITIES = (float("inf"), float("-inf"))


class FastRowsWorksheet(Worksheet):
    """An XlsxWriter worksheet whose cell loop writes each row as one string (same output).

    ``write_number`` and ``write_string`` store a cell given by row and column in one call
    instead of three (the A1 decorator, the undecorated method, the bounds check); anything
    else (A1 notation, out of bounds, NaN, a very long string) goes to XlsxWriter's own.
    """

    def _plain(self, row: Any, col: Any, args: tuple[Any, ...], kw: dict[str, Any]) -> bool:
        """A call the fast paths take: row and column as ints, then the value and at most a format."""
        return type(row) is int and type(col) is int and 0 < len(args) <= 2 and not kw and not self.constant_memory

    def write_number(self, row: Any, col: Any, *args: Any, **kw: Any) -> int:
        if (not self._plain(row, col, args, kw) or type(args[0]) not in (float, int)
                or args[0] != args[0] or args[0] in _INFINITIES):
            return super().write_number(row, col, *args, **kw)
        if not self._grow(row, col):
            return -1
        self.table[row][col] = CellNumberTuple(args[0], args[1] if len(args) > 1 else None)
        return 0

    def write_string(self, row: Any, col: Any, *args: Any, **kw: Any) -> int:
        if not self._plain(row, col, args, kw) or type(args[0]) is not str or len(args[0]) > self.xls_strmax // 2:
            return super().write_string(row, col, *args, **kw)
        if not self._grow(row, col):
            return -1
        index = self.str_table._get_shared_string_index(args[0])
        self.table[row][col] = CellStringTuple(index, args[1] if len(args) > 1 else None)
        return 0

    def _grow(self, row: int, col: int) -> bool:
        """XlsxWriter's bounds check and dimensions, for a cell that is not in constant_memory mode."""
        if row < 0 or col < 0 or row >= self.xls_rowmax or col >= self.xls_colmax:
            return False
        if self.dim_rowmin is None or row < self.dim_rowmin:
            self.dim_rowmin = row
        if self.dim_rowmax is None or row > self.dim_rowmax:
            self.dim_rowmax = row
        if self.dim_colmin is None or col < self.dim_colmin:
            self.dim_colmin = col
        if self.dim_colmax is None or col > self.dim_colmax:
            self.dim_colmax = col
        return True

    def _calculate_spans(self) -> None:
        """The ``spans`` of each block of 16 rows, from each row's first and last column."""
        if self.constant_memory or self.comments:
            super()._calculate_spans()
            return
        blocks: dict[int, list[int]] = {}
        for row, cells in self.table.items():
            if not cells:
                continue
            lo, hi = min(cells), max(cells)
            block = blocks.get(row // 16)
            if block is None:
                blocks[row // 16] = [lo, hi]
            else:
                if lo < block[0]:
                    block[0] = lo
                if hi > block[1]:
                    block[1] = hi
        self.row_spans = {b: f"{lo + 1}:{hi + 1}" for b, (lo, hi) in blocks.items()}

    def _write_rows(self) -> None:
        if self.constant_memory or self.comments:  # not the bulletin's case: XlsxWriter's own loop
            super()._write_rows()
            return
        self._calculate_spans()
        table = self.table
        row_info = self.row_info
        col_info = self.col_info
        spans = self.row_spans
        write = self.fh.write
        letters: dict[int, str] = {}
        styles: dict[int, str] = {}

        def style(fmt: Any) -> str:
            key = id(fmt)
            s = styles.get(key)
            if s is None:
                s = styles[key] = f' s="{fmt._get_xf_index()}"'
            return s

        def fallback(row: int, col: int) -> str:
            """The ``s`` attribute of a cell without a format: its row's, else its column's."""
            info = row_info.get(row)
            if info is not None and info.row_format:
                return style(info.row_format)
            column = col_info.get(col)
            if column is not None and column.column_format is not None:
                return style(column.column_format)
            return ""

        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row)
            info = row_info.get(row)
            if not cells:
                if info is not None:  # a row with attributes only
                    self._write_empty_row(row, spans.get(row // 16), info)
                continue
            self._write_row(row, spans.get(row // 16), info)
            number = str(row + 1)
            parts: list[str] = []
            for col in sorted(cells):
                cell = cells[col]
                kind = type(cell).__name__
                if kind not in _NUMBER and kind != "String" and kind != "Blank":
                    write("".join(parts))
                    parts = []
                    self._write_cell(row, col, cell)
                    continue
                ref = letters.get(col)
                if ref is None:
                    ref = letters[col] = xl_col_to_name(col)
                fmt = cell.format
                s = style(fmt) if fmt else fallback(row, col)
                if kind == "String":
                    parts.append(f'<c r="{ref}{number}"{s} t="s"><v>{cell.string}</v></c>')
                elif kind == "Blank":
                    parts.append(f'<c r="{ref}{number}"{s}/>')
                else:
                    parts.append(f'<c r="{ref}{number}"{s}><v>{cell.number:.16G}</v></c>')
            parts.append("</row>")
            write("".join(parts))
