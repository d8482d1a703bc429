"""The results with the look-ups every sheet needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reporting.core.results import (
    DistrictIndicator,
    GroupResult,
    Results,
    UnitResult,
    ValueResult,
)
from reporting.core.textnorm import display_width
from reporting.render.bulletin.layout import label
from reporting.render.narrative import (
    DASH,
    display_name,
)

# --------------------------------------------------------------------------- context

NO_VALUES: dict[str, ValueResult] = {}
NO_VALUE = ValueResult(status="")  # no value at all: not even "missing"


@dataclass
class Ctx:
    """The results with the look-ups every sheet needs (dicts: no list scans per unit or value)."""

    results: Results
    lang: str
    indicators: list[DistrictIndicator] = field(default_factory=list)
    groups: list[GroupResult] = field(default_factory=list)
    units: list[UnitResult] = field(default_factory=list)
    unit_by_code: dict[str, UnitResult] = field(default_factory=dict)
    ind_by_code: dict[str, DistrictIndicator] = field(default_factory=dict)
    # values by unit, then indicator: one small dict per unit rather than a tuple key per value
    values: dict[str, dict[str, ValueResult]] = field(default_factory=dict)
    members: dict[str, list[UnitResult]] = field(default_factory=dict)
    _widths: dict[str, int] = field(default_factory=dict)
    lights: Any = None  # the [lights] settings (LightSettings) for the 指标亮灯 sheet; None: the defaults

    @classmethod
    def build(cls, results: Results, lang: str) -> Ctx:
        ctx = cls(results=results, lang=lang)
        ctx.indicators = list(results.district.indicators)
        ctx.units = list(results.units)
        ctx.groups = list(results.groups)
        known = {g.code for g in ctx.groups}
        for u in ctx.units:  # a unit whose group is not declared still gets a heading
            if u.group not in known:
                known.add(u.group)
                ctx.groups.append(GroupResult(code=u.group, name=str(u.group or DASH)))
        ctx.unit_by_code = dict(results.unit_by_code)
        ctx.ind_by_code = {i.code: i for i in ctx.indicators}
        ctx.values = results.values_by_unit
        members: dict[str, list[UnitResult]] = {g.code: [] for g in ctx.groups}
        for u in ctx.units:
            members[u.group].append(u)
        ctx.members = members
        return ctx

    def L(self, key: str, **kw: object) -> str:
        return label(key, self.lang, **kw)

    @property
    def title(self) -> str:
        return str(self.results.title or "")

    @property
    def period_text(self) -> str:
        y, m = self.results.year, self.results.month
        if self.lang == "en" or not y or not m:
            return str(self.results.period or "")
        return f"{y}年{m}月"

    def units_in(self, group: str | None) -> list[dict[str, Any]]:
        return self.members.get(group, [])

    def value(self, unit: str, indicator: str) -> dict[str, Any]:
        """The value of ``unit`` for ``indicator`` (an empty dict when there is none)."""
        return self.values.get(unit, NO_VALUES).get(indicator, NO_VALUE)

    def unit_name(self, code: str | None) -> str:
        if code is None:
            return self.L("unit.unknown")
        return display_name(self.unit_by_code.get(code), self.lang, str(code))

    def ind_name(self, code: str | None) -> str:
        if code is None:
            return ""
        return display_name(self.ind_by_code.get(code), self.lang, str(code))

    def text_width(self, text: str) -> int:
        """Display width of the widest line of ``text`` (cached: names and words recur on every sheet)."""
        w = self._widths.get(text)
        if w is None:
            lines = text.splitlines()
            w = max(len(x) if x.isascii() else display_width(x) for x in lines) if lines else 0
            self._widths[text] = w
        return w



def submission_text(u: UnitResult, ctx: Ctx) -> str:
    st = u.status
    if st == "missing":
        return ctx.L("unit.missing")
    if st == "errors":
        return ctx.L("unit.errors", e=u.errors or 0)
    if st == "warnings":
        return ctx.L("unit.warnings", w=u.warnings or 0)
    return ctx.L("unit.ok")
