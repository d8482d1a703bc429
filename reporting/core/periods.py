"""Reporting periods: a year and a month, written ``2022-11``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PERIOD = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if not 1900 <= self.year <= 2999:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY-MM``; raise ValueError with a readable message otherwise."""
        m = _PERIOD.match(text or "")
        if not m:
            raise ValueError(f"not a period (expected YYYY-MM, e.g. 2022-11): {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def previous(self) -> Period | None:
        """The previous period of the same year, or None in January (YTD restarts)."""
        return Period(self.year, self.month - 1) if self.month > 1 else None

    def months_of_year(self) -> list[Period]:
        """January up to and including this period."""
        return [Period(self.year, m) for m in range(1, self.month + 1)]

    def label_zh(self) -> str:
        return f"{self.year}年{self.month}月"

    def range_zh(self) -> str:
        """The year-to-date span as units write it, e.g. ``2022年1-11月``."""
        return f"{self.year}年1-{self.month}月" if self.month > 1 else f"{self.year}年1月"

    def label_en(self) -> str:
        import calendar

        return f"{calendar.month_name[self.month]} {self.year}"

    def label(self, lang: str) -> str:
        return self.label_zh() if lang == "zh" else self.label_en()
