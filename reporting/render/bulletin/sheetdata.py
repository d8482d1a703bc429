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
from xlsxwriter.worksheet import Worksheet

# The cell kinds written here, by the name of XlsxWriter's named tuple.
_NUMBER = frozenset({"Number", "Datetime"})


class FastRowsWorksheet(Worksheet):
    """An XlsxWriter worksheet whose cell loop writes each row as one string (same output)."""

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
