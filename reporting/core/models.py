"""Plain data shared by every step: catalogue entries, units, issues, values.

Frozen dataclasses so that each step is a function from data to data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reporting.core.issuetypes import CATALOGUE, ERROR, FILE


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    name_en: str
    unit: str
    unit_en: str = ""
    kind: str = "ytd"  # "ytd" (year-to-date cumulative) or "stock" (level at period end)
    decimals: int = 0  # 0 = integer indicator
    weight: float = 0.0
    min: float = 0.0
    max: float | None = None
    le: str | None = None
    aliases: tuple[str, ...] = ()
    schedule: tuple[float, ...] | None = None  # 12 cumulative fractions
    rank_by: str = "rate"  # "rate" (完成率) or "growth" (同比增速): what 增速排名 ranks

    @property
    def is_integer(self) -> bool:
        return self.decimals == 0

    def schedule_at(self, month: int) -> float:
        """序时进度: the share of the annual target due by the end of ``month``."""
        if self.schedule:
            return self.schedule[month - 1]
        return month / 12

    def display_name(self, lang: str) -> str:
        return self.name if lang == "zh" or not self.name_en else self.name_en

    def display_unit(self, lang: str) -> str:
        return self.unit if lang == "zh" or not self.unit_en else self.unit_en


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    name_en: str = ""

    def display_name(self, lang: str) -> str:
        return self.name if lang == "zh" or not self.name_en else self.name_en


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    group: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    name_en: str = ""

    def display_name(self, lang: str) -> str:
        return self.name if lang == "zh" or not self.name_en else self.name_en


@dataclass(frozen=True)
class Issue:
    """One problem found in one place. ``params`` fill the message template."""

    code: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    unit: str = ""
    indicator: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def severity(self) -> str:
        return CATALOGUE[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def file_level(self) -> bool:
        return CATALOGUE[self.code].scope == FILE

    def message(self, lang: str = "zh") -> str:
        t = CATALOGUE[self.code]
        template = t.zh if lang == "zh" else t.en
        # a template may name where the issue is ({cell}, {sheet}); its own parameters come first
        params = {"cell": self.cell, "sheet": self.sheet, **dict(self.params)}
        if lang != "zh":  # a parameter given in both languages (``x`` and ``x_en``) shows its English form
            params.update({k[:-3]: v for k, v in params.items() if k.endswith("_en") and v not in ("", None)})
        values = _SafeDict(params)
        try:
            return template.format_map(values)
        except (ValueError, IndexError):  # a hostile detail string cannot break the message
            return template

    @property
    def where(self) -> str:
        """``sheet!A1`` as spreadsheet users write it, or what part of it is known."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.cell

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "unit": self.unit or None,
            "indicator": self.indicator or None,
            "file": self.file or None,
            "sheet": self.sheet or None,
            "cell": self.cell or None,
            "message": self.message(lang),
        }


def issue(code: str, **kw: Any) -> Issue:
    """Build an Issue; keyword arguments other than the location fields become params."""
    loc = {k: kw.pop(k) for k in ("file", "sheet", "cell", "unit", "indicator") if k in kw}
    loc = {k: ("" if v is None else str(v)) for k, v in loc.items()}
    return Issue(code=code, params=tuple(sorted(kw.items())), **loc)


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class CellValue:
    """A number read from a submission, with where it came from."""

    indicator: str
    value: float | None  # None: missing or excluded by an error
    raw: Any = None
    sheet: str = ""
    cell: str = ""
    excluded: bool = False  # a cell-level error: shown as 待核实


@dataclass
class Submission:
    """One file after reading, recognising, normalising and validating."""

    file: str  # path relative to the inbox, with forward slashes
    sha256: str
    mtime: float
    size: int
    format: str = ""
    unit: str | None = None
    period: str | None = None
    values: dict[str, CellValue] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    status: str = "rejected"  # used | superseded | duplicate | rejected | ignored | other-period
    reason: str = ""
    remarks: dict[str, str] = field(default_factory=dict)  # indicator -> 备注 text
    received: float = 0.0  # when the file was received (epoch seconds); the newest of a unit and period wins
    received_source: str = ""  # register (收文登记) | seen (the store saw it arrive) | file (its own time only)
    claims: tuple[str, ...] = ()  # every period its evidence names, when they disagree (period-conflict)
    folder_only: bool = False  # ... and only the folder it was filed in disagrees

    @property
    def rejected(self) -> bool:
        return any(i.is_error and i.file_level for i in self.issues)

    def counts(self) -> tuple[int, int]:
        errors = sum(1 for i in self.issues if i.severity == ERROR)
        warnings = sum(1 for i in self.issues if i.severity == "warning")
        return errors, warnings
