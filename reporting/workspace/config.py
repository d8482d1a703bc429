"""Load and check a workspace's configuration: settings, groups, units, catalogue, targets.

Every command loads through :func:`load_workspace`, which checks everything
and raises one :class:`ConfigError` listing every problem with its file and
line (or sheet!cell), so the clerk can fix them all in one pass.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporting.core.errors import ConfigError, Problem, WorkspaceError
from reporting.core.models import Group, Indicator, Unit
from reporting.workspace.config_document import DOCUMENT_KEYS, DocumentConfig, parse_document_settings
from reporting.workspace.targets import Targets

WORKSPACE_TOML = "workspace.toml"
INDICATORS_TOML = "indicators.toml"
DEFAULT_TITLE = "关于{year}年{month}月份全区科技创新重点指标完成情况的通报"
DEFAULT_TITLE_EN = "Key science and technology indicators of {district}, January to {month_name} {year}"
DEFAULT_BULLETIN_NAME = "{district}科技创新重点指标通报_{year}年{month}月"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EMAIL = re.compile(r"^[^@\s;,<>，；]+@[^@\s;,<>，；]+\.[^@\s;,<>，；.]+$")

# The keys each table may have; any other is a typo (reported with a "did you mean").
WORKSPACE_KEYS: dict[str, frozenset[str]] = {
    "": frozenset({"district", "district_en", "city", "title", "title_en", "issuer", "issuer_en", "bulletin_name",
                   "lang", "deadline", "scoring", "limits", "email", "groups", "units", "document", "lights"}),
    **DOCUMENT_KEYS,
    "scoring": frozenset({"cap", "blank", "jump_factor", "scale_factor"}),
    "limits": frozenset({"max_file_mb", "max_rows", "max_cols"}),
    "email": frozenset({"host", "port", "security", "username", "password_env", "password", "from", "from_name",
                        "to", "cc", "reply_to", "deadline", "timeout", "subject", "remind_subject",
                        "feedback_subject"}),
    "groups": frozenset({"code", "name", "name_en"}),
    "units": frozenset({"code", "name", "name_en", "group", "aliases", "emails"}),
}
INDICATOR_KEYS: dict[str, frozenset[str]] = {
    "": frozenset({"indicators"}),
    "indicators": frozenset({"code", "name", "name_en", "unit", "unit_en", "kind", "type", "decimals", "weight",
                             "min", "max", "le", "aliases", "schedule", "rank_by"}),
}


@dataclass(frozen=True)
class EmailSettings:
    host: str = ""
    port: int = 465
    security: str = "ssl"  # ssl | starttls | none
    username: str = ""
    password_env: str = ""
    from_addr: str = ""
    from_name: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: str = ""
    deadline: int = 5  # day of the month that submissions are due
    timeout: float = 30.0
    subject: str = "【通报】{year}年{month}月全区科技创新重点指标完成情况"
    remind_subject: str = "【提醒】请报送{year}年1-{month}月科技创新重点指标"
    feedback_subject: str = "【反馈】{unit}{year}年1-{month}月报表数据问题"


@dataclass(frozen=True)
class Settings:
    district: str = "武进区"
    district_en: str = ""
    city: str = ""
    title: str = DEFAULT_TITLE
    title_en: str = DEFAULT_TITLE_EN
    issuer_en: str = ""
    bulletin_name: str = DEFAULT_BULLETIN_NAME
    issuer: str = ""
    lang: str = "zh"
    cap: float = 1.2
    blank: str = "zero"  # "zero" or "missing"
    max_file_mb: float = 20.0
    max_rows: int = 500
    max_cols: int = 40
    jump_factor: float = 5.0
    scale_factor: float = 100.0  # off-scale: a value this many times the unit's annual target (0: never)
    email: EmailSettings = field(default_factory=EmailSettings)
    document: DocumentConfig = field(default_factory=DocumentConfig)  # [document] and [lights]


@dataclass(frozen=True)
class Workspace:
    root: Path
    settings: Settings
    groups: tuple[Group, ...]
    units: tuple[Unit, ...]
    indicators: tuple[Indicator, ...]
    targets: dict[int, Targets]

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    def period_dir(self, period: object) -> Path:
        return self.outbox / str(period)

    @functools.cached_property
    def _units_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    @functools.cached_property
    def _units_by_group(self) -> dict[str, list[Unit]]:
        out: dict[str, list[Unit]] = {g.code: [] for g in self.groups}
        for u in self.units:
            out.setdefault(u.group, []).append(u)
        return out

    @functools.cached_property
    def unit_order(self) -> dict[str, int]:
        """Position of each unit in the configuration (the order tables list them in)."""
        return {u.code: n for n, u in enumerate(self.units)}

    def unit(self, code: str) -> Unit:
        return self._units_by_code[code]

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def group(self, code: str) -> Group:
        return next(g for g in self.groups if g.code == code)

    def units_in(self, group: str) -> list[Unit]:
        return list(self._units_by_group.get(group, []))

    def targets_for(self, year: int) -> Targets | None:
        return self.targets.get(year)


# --------------------------------------------------------------------------- loading


def find_root(path: str | os.PathLike[str] | None) -> Path:
    """The workspace folder: the argument, else $REPORTING_WORKSPACE, else the current directory."""
    root = Path(path or os.environ.get("REPORTING_WORKSPACE") or ".").expanduser().resolve()
    if not (root / "templates" / WORKSPACE_TOML).is_file():
        raise WorkspaceError(key="config.err.not_workspace", root=root, file=WORKSPACE_TOML)
    return root


def load_workspace(path: str | os.PathLike[str] | None = None, *, with_targets: bool = True) -> Workspace:
    """Load and check the whole configuration; raise ConfigError listing every problem."""
    root = find_root(path)
    problems: list[str] = []
    ws_file = root / "templates" / WORKSPACE_TOML
    ind_file = root / "templates" / INDICATORS_TOML
    ws_data, ws_text = _read_toml(ws_file, problems)
    ind_data, ind_text = _read_toml(ind_file, problems)
    if ws_data is None or ind_data is None:
        raise ConfigError(problems)
    where_ws = _Locator(f"templates/{WORKSPACE_TOML}", ws_text)
    where_ind = _Locator(f"templates/{INDICATORS_TOML}", ind_text)

    _check_keys(ws_data, WORKSPACE_KEYS, where_ws, problems)
    _check_keys(ind_data, INDICATOR_KEYS, where_ind, problems)
    indicators = _parse_indicators(ind_data, where_ind, problems)
    settings = _parse_settings(ws_data, where_ws, problems)
    groups = _parse_groups(ws_data, where_ws, problems)
    units = _parse_units(ws_data, where_ws, {g.code for g in groups}, problems)
    targets: dict[int, Targets] = {}
    if with_targets and not problems:
        from reporting.workspace.targets import read_targets_dir

        targets = read_targets_dir(root / "templates" / "targets", units, indicators, problems)
    if problems:
        raise ConfigError(problems)
    return Workspace(root, settings, groups, units, indicators, targets)


def _read_toml(path: Path, problems: list[str]) -> tuple[dict[str, Any] | None, str]:
    rel = f"templates/{path.name}"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem(rel, "config.err.no_file"))
        return None, ""
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, "config.err.unreadable", detail=exc))
        return None, ""
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(rel, "config.err.toml", detail=exc))
        return None, text


class _Locator:
    """Finds the line of a key or value in a TOML file, for messages (tomllib keeps none)."""

    def __init__(self, name: str, text: str):
        self.name = name
        self.lines = text.splitlines()
        self._tables: dict[str, list[int]] = {}

    def at(self, *needles: str, start: int = 0) -> str:
        line = 0
        if len(needles) == 1 and _KEY.match(needles[0]):
            line = self.key_line(needles[0], start=start)
        line = line or self.line_of(*needles, start=start)
        return f"{self.name}:{line}" if line else self.name

    def key_line(self, key: str, start: int = 0) -> int:
        """1-based line where ``key = ...`` is set (from ``start``, comments skipped), or 0."""
        pattern = re.compile(rf'^\s*(["\']?){re.escape(key)}\1\s*=')
        for i in range(start, len(self.lines)):
            if pattern.match(self.lines[i]):
                return i + 1
        return 0

    def section(self, name: str) -> int:
        """0-based line index of the ``[name]`` header (0 when absent)."""
        for i, line in enumerate(self.lines):
            if line.split("#", 1)[0].strip() == f"[{name}]":
                return i
        return 0

    def line_of(self, *needles: str, start: int = 0) -> int:
        """1-based line of the first line (from ``start``) containing every needle in order of search."""
        first = start
        for needle in needles:
            for i in range(first, len(self.lines)):
                if needle in self.lines[i]:
                    first = i
                    break
            else:
                return 0
        return first + 1

    def table(self, header: str, index: int) -> int:
        """0-based line index of the ``index``-th ``[[header]]`` block (indexed once per header)."""
        if header not in self._tables:
            self._tables[header] = [i for i, line in enumerate(self.lines) if line.strip() == f"[[{header}]]"]
        starts = self._tables[header]
        return starts[index] if index < len(starts) else 0


def _check_keys(data: dict[str, Any], schema: dict[str, frozenset[str]], loc: _Locator,
                problems: list[str]) -> None:
    """Every key that is not a known setting: file:line, and the closest known key."""
    import difflib

    def unknown(table: dict[str, Any], known: frozenset[str], prefix: str, start: int) -> None:
        for key in table:
            if key in known:
                continue
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
            where = loc.at(key, start=start) if loc.key_line(key, start=start) else loc.name
            problems.append(Problem(where, "config.err.unknown_key_hint" if close else "config.err.unknown_key",
                                    key=prefix + key, close=close[0] if close else ""))

    unknown(data, schema[""], "", 0)
    for section, known in schema.items():
        if not section or section not in data:
            continue
        value = data[section]
        if isinstance(value, dict):
            unknown(value, known, f"{section}.", loc.section(section))
        elif isinstance(value, list):
            for n, item in enumerate(value):
                if isinstance(item, dict):
                    unknown(item, known, "", loc.table(section, n))


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _parse_indicators(data: dict[str, Any], loc: _Locator, problems: list[str]) -> tuple[Indicator, ...]:
    raw = data.get("indicators")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(loc.name, "config.err.no_indicators"))
        return ()
    out: list[Indicator] = []
    seen: dict[str, int] = {}
    names: dict[str, str] = {}
    for n, item in enumerate(raw):
        start = loc.table("indicators", n)
        code = str(item.get("code", ""))
        at = loc.at(f'"{code}"', start=start) if code else loc.at("[[indicators]]", start=start)

        label = code or f"#{n + 1}"

        def bad(msg: str, key: str | None = None, at: str = at, start: int = start, label: str = label,
                **kw: object) -> None:
            where = loc.at(key, start=start) if key and loc.line_of(key, start=start) else at
            problems.append(Problem(where, f"config.err.ind.{msg}", label=label, **kw))

        if not _CODE.match(code):
            bad("code")
        elif code in seen:
            bad("code_twice", n=seen[code])
        seen.setdefault(code, n + 1)
        name = str(item.get("name", "")).strip()
        if not name:
            bad("no_name")
        for label in (name, *[str(a) for a in item.get("aliases", [])]):
            key = _norm_label(label)
            if key and key in names and names[key] != code:
                bad("name_twice", name=label, other=names[key])
            names.setdefault(key, code)
        kind = item.get("kind", "ytd")
        if kind not in ("ytd", "stock"):
            bad("kind", "kind", value=kind)
        rank_by = item.get("rank_by", "rate")
        if rank_by not in ("rate", "growth"):
            bad("rank_by", "rank_by", value=rank_by)
            rank_by = "rate"
        typ = item.get("type", "integer")
        decimals = item.get("decimals", 0 if typ == "integer" else 2)
        if typ not in ("integer", "decimal"):
            bad("type", "type", value=typ)
        elif typ == "integer":
            decimals = 0
        elif not isinstance(decimals, int) or not 1 <= decimals <= 6:
            bad("decimals", "decimals")
            decimals = 2
        weight = item.get("weight", 0)
        if not _num(weight) or weight < 0:
            bad("weight", "weight")
            weight = 0
        lo = item.get("min", 0)
        hi = item.get("max")
        if not _num(lo):
            bad("min", "min")
            lo = 0
        if hi is not None and (not _num(hi) or hi < lo):
            bad("max", "max")
            hi = None
        schedule = item.get("schedule")
        if schedule is not None:
            ok = (
                isinstance(schedule, list)
                and len(schedule) == 12
                and all(_num(x) and 0 <= x <= 1 for x in schedule)
                and all(a <= b for a, b in zip(schedule, schedule[1:], strict=False))
                and abs(schedule[-1] - 1) < 1e-9
            )
            if not ok:
                bad("schedule", "schedule")
                schedule = None
        out.append(
            Indicator(
                code=code,
                name=name,
                name_en=str(item.get("name_en", "")),
                unit=str(item.get("unit", "")),
                unit_en=str(item.get("unit_en", "")),
                kind=kind,
                decimals=int(decimals),
                weight=float(weight),
                min=float(lo),
                max=float(hi) if hi is not None else None,
                le=item.get("le"),
                aliases=tuple(str(a) for a in item.get("aliases", [])),
                schedule=tuple(float(x) for x in schedule) if schedule else None,
                rank_by=rank_by,
            )
        )
    codes = {i.code for i in out}
    for n, ind in enumerate(out):
        if ind.le is not None and ind.le not in codes:
            start = loc.table("indicators", n)
            problems.append(Problem(loc.at("le", start=start), "config.err.ind.le_unknown", label=ind.code, value=ind.le))
        elif ind.le == ind.code:
            start = loc.table("indicators", n)
            problems.append(Problem(loc.at("le", start=start), "config.err.ind.le_self", label=ind.code))
    return tuple(out)


def _norm_label(text: str) -> str:
    from reporting.core.textnorm import norm_label

    return norm_label(text)


def _parse_settings(data: dict[str, Any], loc: _Locator, problems: list[str]) -> Settings:
    scoring = data.get("scoring", {}) or {}
    limits = data.get("limits", {}) or {}
    at_scoring, at_limits = loc.section("scoring"), loc.section("limits")
    lang = data.get("lang", "zh")
    if lang not in ("zh", "en"):
        problems.append(Problem(loc.at("lang"), "config.err.lang"))
        lang = "zh"
    cap = scoring.get("cap", 1.2)
    if not _num(cap) or cap < 1:
        problems.append(Problem(loc.at("cap", start=at_scoring), "config.err.cap"))
        cap = 1.2
    blank = scoring.get("blank", "zero")
    if blank not in ("zero", "missing"):
        problems.append(Problem(loc.at("blank", start=at_scoring), "config.err.blank"))
        blank = "zero"
    max_mb = limits.get("max_file_mb", 20)
    if not _num(max_mb) or max_mb <= 0:
        problems.append(Problem(loc.at("max_file_mb", start=at_limits), "config.err.max_file_mb"))
        max_mb = 20
    max_rows = _int_setting(limits, "max_rows", 500, 1, 1_048_576, loc.at("max_rows", start=at_limits), problems)
    max_cols = _int_setting(limits, "max_cols", 40, 1, 16_384, loc.at("max_cols", start=at_limits), problems)
    jump = scoring.get("jump_factor", 5.0)
    if not _num(jump) or jump <= 1:
        problems.append(Problem(loc.at("jump_factor", start=at_scoring), "config.err.number_above",
                                key="scoring.jump_factor", low=1, value=jump))
        jump = 5.0
    scale = scoring.get("scale_factor", 100.0)
    if not _num(scale) or (scale != 0 and scale <= 1):
        problems.append(Problem(loc.at("scale_factor", start=at_scoring), "config.err.scale_factor", value=scale))
        scale = 100.0
    title = str(data.get("title", DEFAULT_TITLE))
    for pattern, key in ((title, "title"), (str(data.get("title_en", DEFAULT_TITLE_EN)), "title_en"),
                         (str(data.get("bulletin_name", DEFAULT_BULLETIN_NAME)), "bulletin_name")):
        try:
            pattern.format(year=2022, month=11, district="x", month_name="November")
        except (KeyError, IndexError, ValueError):
            problems.append(Problem(loc.at(key), "config.err.placeholders", key=key))
    return Settings(
        district=str(data.get("district", "武进区")),
        district_en=str(data.get("district_en", "")),
        city=str(data.get("city", "")),
        title=title,
        title_en=str(data.get("title_en", DEFAULT_TITLE_EN)),
        issuer_en=str(data.get("issuer_en", "")),
        bulletin_name=str(data.get("bulletin_name", DEFAULT_BULLETIN_NAME)),
        issuer=str(data.get("issuer", "")),
        lang=lang,
        cap=float(cap),
        blank=blank,
        max_file_mb=float(max_mb),
        max_rows=max_rows,
        max_cols=max_cols,
        jump_factor=float(jump),
        scale_factor=float(scale),
        email=_parse_email(data.get("email", {}) or {}, loc, problems, data.get("deadline")),
        document=parse_document_settings(data, loc, problems),
    )


def _int_setting(table: dict[str, Any], key: str, default: int, low: int, high: int, where: str,
                 problems: list[str]) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(Problem(where, "config.err.int_range", key=key, low=low, high=high, value=value))
        return default
    return value


def _is_address(text: str) -> bool:
    """``a@x.cn`` or ``名字 <a@x.cn>``: exactly one address."""
    from email.utils import parseaddr

    if text.count("@") != 1:
        return False
    _, addr = parseaddr(text)
    return bool(addr) and _EMAIL.match(addr) is not None


def _addresses(value: Any, key: str, where: str, problems: list[str]) -> tuple[str, ...]:
    """A list of e-mail addresses (one string is taken as a list of one); each checked."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        problems.append(Problem(where, "config.err.email_list", key=key, value=value))
        return ()
    out = []
    for e in items:
        text = str(e).strip()
        if not isinstance(e, str) or not _is_address(text):
            several = isinstance(e, str) and any(c in text for c in ";,；， ") and text.count("@") > 1
            problems.append(Problem(where, "config.err.email_several" if several else "config.err.email_bad",
                                    key=key, value=e))
            continue
        out.append(text)
    return tuple(out)


def _parse_email(data: dict[str, Any], loc: _Locator, problems: list[str],
                 top_deadline: Any = None) -> EmailSettings:
    start = loc.section("email")

    def at(key: str) -> str:
        return loc.at(key, start=start)

    security = data.get("security", "ssl")
    if security not in ("ssl", "starttls", "none"):
        problems.append(Problem(at("security"), "config.err.security"))
        security = "ssl"
    default_port = {"ssl": 465, "starttls": 587, "none": 25}[security]
    port = data.get("port", default_port)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        problems.append(Problem(at("port"), "config.err.int_range", key="email.port", low=1, high=65535, value=port))
        port = default_port
    if "password" in data:
        problems.append(Problem(at("password"), "config.err.password"))
    # the day of the next month that forms are due: top-level ``deadline`` (or, as before, email.deadline)
    deadline = top_deadline if top_deadline is not None else data.get("deadline", 5)
    where = loc.at("deadline") if top_deadline is not None else at("deadline")
    if isinstance(deadline, bool) or not isinstance(deadline, int) or not 1 <= deadline <= 28:
        problems.append(Problem(where, "config.err.deadline", value=deadline))
        deadline = 5
    timeout = data.get("timeout", 30)
    if not _num(timeout) or timeout <= 0:
        problems.append(Problem(at("timeout"), "config.err.number_above", key="email.timeout", low=0, value=timeout))
        timeout = 30
    from_addr = str(data.get("from", "")).strip()
    if from_addr and not _is_address(from_addr):
        problems.append(Problem(at("from"), "config.err.email_bad", key="email.from", value=from_addr))
    reply_to = str(data.get("reply_to", "")).strip()
    if reply_to and not _is_address(reply_to):
        problems.append(Problem(at("reply_to"), "config.err.email_bad", key="email.reply_to", value=reply_to))
    to = _addresses(data.get("to", []), "email.to", at("to"), problems)
    cc = _addresses(data.get("cc", []), "email.cc", at("cc"), problems)
    defaults = EmailSettings()
    return EmailSettings(
        host=str(data.get("host", "")),
        port=port,
        security=security,
        username=str(data.get("username", "")),
        password_env=str(data.get("password_env", "")),
        from_addr=from_addr,
        from_name=str(data.get("from_name", "")),
        to=to,
        cc=cc,
        reply_to=reply_to,
        deadline=deadline,
        timeout=float(timeout),
        subject=str(data.get("subject", defaults.subject)),
        remind_subject=str(data.get("remind_subject", defaults.remind_subject)),
        feedback_subject=str(data.get("feedback_subject", defaults.feedback_subject)),
    )


def _parse_groups(data: dict[str, Any], loc: _Locator, problems: list[str]) -> tuple[Group, ...]:
    raw = data.get("groups")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(loc.name, "config.err.no_groups"))
        return ()
    out: list[Group] = []
    for n, item in enumerate(raw):
        code = str(item.get("code", ""))
        at = loc.at(f'"{code}"', start=loc.table("groups", n))
        if not _CODE.match(code):
            problems.append(Problem(at, "config.err.group_code", value=code))
        elif any(g.code == code for g in out):
            problems.append(Problem(at, "config.err.group_twice", code=code))
        out.append(Group(code, str(item.get("name", code)), str(item.get("name_en", ""))))
    return tuple(out)


def _parse_units(data: dict[str, Any], loc: _Locator, groups: set[str], problems: list[str]) -> tuple[Unit, ...]:
    raw = data.get("units")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(loc.name, "config.err.no_units"))
        return ()
    out: list[Unit] = []
    names: dict[str, str] = {}
    seen_codes: set[str] = set()
    for n, item in enumerate(raw):
        start = loc.table("units", n)
        code = str(item.get("code", ""))
        at = loc.at(f'"{code}"', start=start) if code else loc.at("[[units]]", start=start)
        if not _CODE.match(code):
            problems.append(Problem(at, "config.err.unit_code", value=code))
        elif code in seen_codes:
            problems.append(Problem(at, "config.err.unit_twice", code=code))
        seen_codes.add(code)
        name = str(item.get("name", "")).strip()
        if not name:
            problems.append(Problem(at, "config.err.unit_no_name", code=code))
        group = str(item.get("group", ""))
        if group not in groups:
            problems.append(Problem(loc.at("group", start=start), "config.err.unit_group", code=code, value=group,
                                    choices="、".join(sorted(groups)), choices_en=", ".join(sorted(groups))))
        aliases = tuple(str(a) for a in item.get("aliases", []))
        for label in (name, *aliases):
            key = _norm_label(label)
            if not key:
                continue
            if key in names and names[key] != code:
                problems.append(Problem(loc.at(label, start=start), "config.err.unit_name_twice", code=code, name=label,
                                        other=names[key]))
            names.setdefault(key, code)
        emails = _addresses(item.get("emails", []), f"{code}.emails", loc.at("emails", start=start), problems)
        out.append(Unit(code, name, group, aliases, emails, str(item.get("name_en", ""))))
    return tuple(out)
