"""Text helpers for Chinese labels: matching keys and display widths.

Units type labels with full-width characters, stray spaces and different
brackets; matching compares a normalised key. Column widths need the
display width, where a CJK character takes two columns.
"""

from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[\s\u3000（）()\[\]【】〔〕<>《》「」『』:：,，、.。·•\-—_*＊#№]+")
# row numbering such as "1、" "2." "三、" "（一）" "(2)"; a bare leading numeral is part of the name (三星级, 5G)
_LEADING_NUMBER = re.compile(r"^(?:[(（](?:\d+|[一二三四五六七八九十]+)[)）]|(?:\d+|[一二三四五六七八九十]+)[、.．)）])")


def norm_label(text: object) -> str:
    """A key for comparing labels: NFKC, no spaces, brackets or punctuation, lower case."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = _LEADING_NUMBER.sub("", s)
    return _DROP.sub("", s).lower()


def display_width(text: object) -> int:
    """Columns the text needs in a spreadsheet: East Asian wide/full-width characters count 2."""
    width = 0
    for ch in str(text if text is not None else ""):
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def column_width(values: list[object], minimum: float = 6, maximum: float = 60, padding: float = 2) -> float:
    """An Excel column width that fits the widest line of the given values."""
    widest = 0
    for v in values:
        for line in str(v if v is not None else "").splitlines() or [""]:
            widest = max(widest, display_width(line))
    return max(minimum, min(maximum, widest + padding))
