"""Cell references as spreadsheet users write them: the one A1 helper.

Positions inside the tool are 0-based (row, col); people read "F7".
"""

from __future__ import annotations


def column_letter(col: int) -> str:
    """0-based column -> letters: 0 -> "A", 26 -> "AA"."""
    if col < 0:
        raise ValueError(f"negative column {col}")
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> "F7", the way spreadsheet users name a cell."""
    if row < 0 or col < 0:
        raise ValueError(f"negative cell position ({row}, {col})")
    return f"{column_letter(col)}{row + 1}"
