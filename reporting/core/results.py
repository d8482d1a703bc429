"""The results of one compile as typed data: the model behind ``results.json``.

``score`` builds a :class:`Results`; every renderer and the mail read it;
``to_json`` writes exactly the shape documented in docs/results.md (field
order is key order), and ``from_json`` reads a published results.json back,
tolerating keys it does not know (a newer tool) and filling keys an older
file lacks with their defaults. Frozen, so no renderer can change a number
another one shows.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


class _Json:
    """Mixin: dataclass <-> plain JSON values, following the type hints."""

    def to_json(self) -> dict[str, Any]:
        return {name: _dump(getattr(self, name)) for name in field_names(type(self))}

    @classmethod
    def from_json(cls: type[T], data: Any) -> T:
        return _load(cls, data)


_LEAVES = frozenset({str, int, float, bool, type(None)})


def _dump(v: Any) -> Any:
    if type(v) in _LEAVES:  # most of a results tree: answered before any isinstance
        return v
    if isinstance(v, _Json):
        return v.to_json()
    if isinstance(v, tuple | list):
        return [_dump(x) for x in v]
    if isinstance(v, dict):
        return {k: _dump(x) for k, x in v.items()}
    return v


@functools.cache
def field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names in order (asked for per record: 54,000 times per results.json)."""
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.cache
def _field_set(cls: type) -> frozenset[str]:
    return frozenset(field_names(cls))


def evolve(obj: T, **changes: Any) -> T:
    """``dataclasses.replace`` for these records, without running ``__init__`` again.

    The records have no ``__post_init__``; the copy keeps the field order (and
    so results.json's key order). with_history replaces 24,000 values at 2,000
    units: 0.3 s through ``replace``, 0.03 s this way.
    """
    if not _field_set(type(obj)).issuperset(changes):
        unknown = set(changes) - _field_set(type(obj))
        raise TypeError(f"{type(obj).__name__} has no field {', '.join(sorted(unknown))}")
    new = object.__new__(type(obj))
    state = dict(obj.__dict__)
    state.update(changes)
    object.__setattr__(new, "__dict__", state)
    return new


def json_chunks(data: dict[str, Any]) -> typing.Iterator[str]:
    """results.json's text: objects opened two levels deep, each record of a list on a line of its own.

    Readable and diff-able (one value, unit or issue per line), and written by the json module's C
    encoder (``indent`` would use the pure-Python one: 0.8 s more at 2,000 units), a chunk at a time.
    """
    import json

    def emit(value: Any, pad: str, depth: int) -> typing.Iterator[str]:
        if depth < 2 and isinstance(value, dict) and value:
            yield "{\n"
            last = len(value) - 1
            for i, (k, v) in enumerate(value.items()):
                yield f"{pad}  {json.dumps(k, ensure_ascii=False)}: "
                yield from emit(v, pad + "  ", depth + 1)
                yield ",\n" if i < last else "\n"
            yield pad + "}"
        elif depth < 3 and isinstance(value, list) and value:
            yield "[\n"
            last = len(value) - 1
            for i, item in enumerate(value):
                yield f"{pad}  {json.dumps(item, ensure_ascii=False)}" + (",\n" if i < last else "\n")
            yield pad + "]"
        else:
            yield json.dumps(value, ensure_ascii=False)

    yield from emit(data, "", 0)
    yield "\n"


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(tp: Any, data: Any) -> Any:
    return _loader(tp)(data)


def _identity(data: Any) -> Any:
    return data


def _as_float(data: Any) -> Any:
    return float(data) if isinstance(data, int) and not isinstance(data, bool) else data


@functools.cache
def _loader(tp: Any) -> typing.Callable[[Any], Any]:
    """A function reading JSON into ``tp``, built once per type (a results.json holds ~10^5 records)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            return _identity
        inner = _loader(args[0])
        return lambda data: None if data is None else inner(data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        plan = [(f.name, _loader(hints[f.name])) for f in dataclasses.fields(tp)]

        def load(data: Any) -> Any:
            if not isinstance(data, dict):
                data = {}
            return tp(**{name: fn(data[name]) for name, fn in plan if name in data})
        return load
    if origin is tuple:
        item = _loader(typing.get_args(tp)[0])
        return lambda data: tuple(item(x) for x in data or ())
    if origin is dict:
        value = _loader(typing.get_args(tp)[1])
        return lambda data: {k: value(x) for k, x in (data or {}).items()}
    if tp is float:
        return _as_float
    return _identity


@dataclass(frozen=True)
class Source(_Json):
    """Where a number came from: the file (path in inbox/), the hash of the bytes parsed, the cell."""

    file: str = ""
    sha256: str = ""
    sheet: str | None = None
    cell: str | None = None


@dataclass(frozen=True)
class DistrictIndicator(_Json):
    code: str = ""
    name: str = ""
    name_en: str = ""
    unit: str = ""
    unit_en: str = ""
    decimals: int = 0
    weight: float = 0.0
    target: float | None = None
    actual: float | None = None
    rate: float | None = None
    schedule: float | None = None
    status: str = ""
    gap: float | None = None
    units_counted: int = 0
    units_missing: int = 0
    units_pending: int = 0
    rank_by: str = "rate"  # what 增速排名 ranks: "rate" or "growth"
    last_year: float | None = None  # 上年同期 (the same month last year)
    last_year_source: str | None = None  # compile | results | inbox | workbook
    yoy: float | None = None  # 同比增长, a fraction (0.123 = +12.3%); None when last year is missing or 0
    increment: float | None = None  # 本月新增 = this YTD − last month's YTD (ytd indicators)
    # units counted in one month but not the other: 本月新增 (against last month) and 同比 (against
    # last year) compare the same units or are not given (None)
    increment_not_comparable: int = 0
    yoy_not_comparable: int = 0


@dataclass(frozen=True)
class District(_Json):
    name: str = ""
    name_en: str = ""
    city: str = ""
    issuer: str = ""
    issuer_en: str = ""
    indicators: tuple[DistrictIndicator, ...] = ()


@dataclass(frozen=True)
class GroupResult(_Json):
    code: str = ""
    name: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class Timeliness(_Json):
    """报送及时性: this period's received time against the deadline."""

    deadline: str = ""  # ISO date: the workspace's deadline day, moved to the next working day
    received: str | None = None
    source: str = ""  # how ``received`` is known: register (收文登记) | seen (by the store) | file (its own time)
    status: str = "missing"  # on_time | late | missing | unknown (only the file's own time, after the deadline)
    days_late: int = 0
    on_time_months: int = 0  # this year's months (to this one) received on time
    months: int = 0  # this year's months counted


@dataclass(frozen=True)
class UnitResult(_Json):
    code: str = ""
    name: str = ""
    name_en: str = ""
    group: str = ""
    status: str = "missing"  # ok | warnings | errors | missing
    file: str | None = None
    received: str | None = None
    score: float | None = None
    rank: int | None = None
    rank_tied: bool = False
    rank_change: int | None = None
    previous_rank: int | None = None
    on_schedule: int | None = None
    scored: int | None = None
    errors: int = 0
    warnings: int = 0
    score_complete: bool = True  # False: a value awaiting verification (待核实) was counted as 0
    timeliness: Timeliness | None = None


@dataclass(frozen=True)
class ValueResult(_Json):
    unit: str = ""
    indicator: str = ""
    actual: float | None = None
    target: float | None = None
    rate: float | None = None
    schedule: float | None = None
    status: str = "missing"
    rank: int | None = None
    rank_tied: bool = False
    remark: str = ""
    source: Source | None = None
    last_year: float | None = None
    last_year_source: str | None = None
    yoy: float | None = None
    increment: float | None = None
    growth_rank: int | None = None  # within the group, by yoy, for indicators with rank_by = "growth"


@dataclass(frozen=True)
class IssueRecord(_Json):
    code: str = ""
    severity: str = ""
    unit: str | None = None
    indicator: str | None = None
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    message: str = ""


@dataclass(frozen=True)
class FileRecord(_Json):
    file: str = ""
    sha256: str = ""
    unit: str | None = None
    period: str | None = None
    status: str = ""
    reason: str = ""
    received: str | None = None
    received_source: str | None = None  # register | seen | file
    format: str = ""
    errors: int = 0
    warnings: int = 0


@dataclass(frozen=True)
class HistoryPoint(_Json):
    """The district's year-to-date totals at the end of an earlier month."""

    period: str = ""
    indicators: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary(_Json):
    units: int = 0
    submitted: int = 0
    missing: int = 0
    with_errors: int = 0
    missing_units: tuple[str, ...] = ()
    pending_values: int = 0
    on_schedule_indicators: int = 0
    scored_indicators: int = 0
    notes: int = 0  # values or layouts recognised or corrected automatically


@dataclass(frozen=True)
class Results(_Json):
    """Everything the bulletin, the document and the mail show for one period."""

    schema: int = 1
    tool: str = ""
    period: str = ""
    year: int = 0
    month: int = 0
    lang: str = "zh"
    title: str = ""
    bulletin_file: str = ""
    as_of: str = ""
    schedule: float | None = None
    cap: float = 1.2
    district: District = field(default_factory=District)
    groups: tuple[GroupResult, ...] = ()
    units: tuple[UnitResult, ...] = ()
    values: tuple[ValueResult, ...] = ()
    issues: tuple[IssueRecord, ...] = ()
    files: tuple[FileRecord, ...] = ()
    history: tuple[HistoryPoint, ...] = ()
    summary: Summary = field(default_factory=Summary)
    deadline: str = ""  # ISO date this period's forms were due
    calendar: str = ""  # how working days were decided: "chinese-calendar x.y" or "weekends"
    last_year_history: tuple[HistoryPoint, ...] = ()  # last year's district YTD totals by month
    late_units: tuple[str, ...] = ()

    @functools.cached_property
    def unit_by_code(self) -> dict[str, UnitResult]:
        return {u.code: u for u in self.units}

    @functools.cached_property
    def values_by_unit(self) -> dict[str, dict[str, ValueResult]]:
        """Values by unit, then indicator."""
        out: dict[str, dict[str, ValueResult]] = {}
        for v in self.values:
            out.setdefault(v.unit, {})[v.indicator] = v
        return out

    def value(self, unit: str, indicator: str) -> ValueResult | None:
        return self.values_by_unit.get(unit, {}).get(indicator)

    @property
    def made_on(self) -> str:
        """The bulletin's 制表日期: the day the last file of this period was received (from the
        inputs, so the bytes stay reproducible; no clock is read), else the period's last day."""
        mine = [f for f in self.files if f.received and f.period == self.period]
        # times the tool knows (收文登记, or seen by the store) before a file's own time (a fresh copy's)
        times = [f.received for f in mine if f.received_source in ("register", "seen")] or \
            [f.received for f in mine]
        return max(times)[:10] if times else self.as_of

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def as_results(data: Results | dict[str, Any]) -> Results:
    """The typed results, from either the model itself or a results.json dict (as read from disk)."""
    return data if isinstance(data, Results) else Results.from_json(data)
