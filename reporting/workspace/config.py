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

from reporting.core.errors import ConfigError, WorkspaceError
from reporting.core.messages import t
from reporting.core.models import Group, Indicator, Unit
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
                   "lang", "deadline", "scoring", "limits", "email", "groups", "units"}),
    "scoring": frozenset({"cap", "blank", "jump_factor"}),
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
    email: EmailSettings = field(default_factory=EmailSettings)


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
        raise WorkspaceError(
            f"{root} 不是工作区：缺少 templates/{WORKSPACE_TOML}。"
            f"请用 --workspace 指定工作区，或先运行 reporting init {root}"
        )
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
        problems.append(f"{rel}: 文件不存在，请从 reporting init 生成的工作区复制一份")
        return None, ""
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{rel}: 无法读取（{exc}），请以 UTF-8 编码保存")
        return None, ""
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{rel}: TOML 格式错误：{exc}")
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
            hint = t("config.err.did_you_mean", "zh", key=close[0]) if close else ""
            problems.append(f"{where}: " + t("config.err.unknown_key", "zh", key=prefix + key) + hint)

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
        problems.append(f"{loc.name}: 没有定义任何指标（需要 [[indicators]] 表）")
        return ()
    out: list[Indicator] = []
    seen: dict[str, int] = {}
    names: dict[str, str] = {}
    for n, item in enumerate(raw):
        start = loc.table("indicators", n)
        code = str(item.get("code", ""))
        at = loc.at(f'"{code}"', start=start) if code else loc.at("[[indicators]]", start=start)

        label = code or f"#{n + 1}"

        def bad(msg: str, key: str | None = None, at: str = at, start: int = start, label: str = label) -> None:
            where = loc.at(key, start=start) if key and loc.line_of(key, start=start) else at
            problems.append(f"{where}: 指标 {label}：{msg}")

        if not _CODE.match(code):
            bad("code 必须是小写字母、数字和下划线，且以字母开头")
        elif code in seen:
            bad(f"指标代码重复（第 {seen[code]} 个指标已使用）")
        seen.setdefault(code, n + 1)
        name = str(item.get("name", "")).strip()
        if not name:
            bad("缺少 name（中文名称）")
        for label in (name, *[str(a) for a in item.get("aliases", [])]):
            key = _norm_label(label)
            if key and key in names and names[key] != code:
                bad(f"名称或别名“{label}”与指标 {names[key]} 重复")
            names.setdefault(key, code)
        kind = item.get("kind", "ytd")
        if kind not in ("ytd", "stock"):
            bad(f"kind 只能是 ytd 或 stock，而不是 {kind!r}", "kind")
        rank_by = item.get("rank_by", "rate")
        if rank_by not in ("rate", "growth"):
            bad(f"rank_by 只能是 rate 或 growth，而不是 {rank_by!r}", "rank_by")
            rank_by = "rate"
        typ = item.get("type", "integer")
        decimals = item.get("decimals", 0 if typ == "integer" else 2)
        if typ not in ("integer", "decimal"):
            bad(f"type 只能是 integer 或 decimal，而不是 {typ!r}", "type")
        elif typ == "integer":
            decimals = 0
        elif not isinstance(decimals, int) or not 1 <= decimals <= 6:
            bad("decimals 必须是 1 到 6 的整数", "decimals")
            decimals = 2
        weight = item.get("weight", 0)
        if not _num(weight) or weight < 0:
            bad("weight 必须是不小于 0 的数", "weight")
            weight = 0
        lo = item.get("min", 0)
        hi = item.get("max")
        if not _num(lo):
            bad("min 必须是数", "min")
            lo = 0
        if hi is not None and (not _num(hi) or hi < lo):
            bad("max 必须是不小于 min 的数", "max")
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
                bad("schedule 必须是 12 个不递减、介于 0 和 1 之间、最后一个为 1 的累计比例", "schedule")
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
            problems.append(f"{loc.at('le', start=start)}: 指标 {ind.code}：le 指向不存在的指标代码 {ind.le!r}")
        elif ind.le == ind.code:
            start = loc.table("indicators", n)
            problems.append(f"{loc.at('le', start=start)}: 指标 {ind.code}：le 不能指向自身")
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
        problems.append(f"{loc.at('lang')}: lang 只能是 zh 或 en")
        lang = "zh"
    cap = scoring.get("cap", 1.2)
    if not _num(cap) or cap < 1:
        problems.append(f"{loc.at('cap', start=at_scoring)}: scoring.cap（完成率封顶）必须是不小于 1 的数，如 1.2")
        cap = 1.2
    blank = scoring.get("blank", "zero")
    if blank not in ("zero", "missing"):
        problems.append(f"{loc.at('blank', start=at_scoring)}: scoring.blank 只能是 zero（空白按 0）或 missing（空白按缺报）")
        blank = "zero"
    max_mb = limits.get("max_file_mb", 20)
    if not _num(max_mb) or max_mb <= 0:
        problems.append(f"{loc.at('max_file_mb', start=at_limits)}: limits.max_file_mb 必须是正数")
        max_mb = 20
    max_rows = _int_setting(limits, "max_rows", 500, 1, 1_048_576, loc.at("max_rows", start=at_limits), problems)
    max_cols = _int_setting(limits, "max_cols", 40, 1, 16_384, loc.at("max_cols", start=at_limits), problems)
    jump = scoring.get("jump_factor", 5.0)
    if not _num(jump) or jump <= 1:
        problems.append(f"{loc.at('jump_factor', start=at_scoring)}: "
                        + t("config.err.number_above", "zh", key="scoring.jump_factor", low=1, value=jump))
        jump = 5.0
    title = str(data.get("title", DEFAULT_TITLE))
    for pattern, key in ((title, "title"), (str(data.get("title_en", DEFAULT_TITLE_EN)), "title_en"),
                         (str(data.get("bulletin_name", DEFAULT_BULLETIN_NAME)), "bulletin_name")):
        try:
            pattern.format(year=2022, month=11, district="x", month_name="November")
        except (KeyError, IndexError, ValueError):
            problems.append(f"{loc.at(key)}: {key} 只能使用 {{year}} {{month}} {{district}} 占位符")
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
        email=_parse_email(data.get("email", {}) or {}, loc, problems, data.get("deadline")),
    )


def _int_setting(table: dict[str, Any], key: str, default: int, low: int, high: int, where: str,
                 problems: list[str]) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(f"{where}: " + t("config.err.int_range", "zh", key=key, low=low, high=high, value=value))
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
        problems.append(f"{where}: " + t("config.err.email_list", "zh", key=key, value=value))
        return ()
    out = []
    for e in items:
        text = str(e).strip()
        if not isinstance(e, str) or not _is_address(text):
            several = isinstance(e, str) and any(c in text for c in ";,；， ") and text.count("@") > 1
            problems.append(f"{where}: " + t("config.err.email_several" if several else "config.err.email_bad",
                                             "zh", key=key, value=e))
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
        problems.append(f"{at('security')}: email.security 只能是 ssl、starttls 或 none")
        security = "ssl"
    default_port = {"ssl": 465, "starttls": 587, "none": 25}[security]
    port = data.get("port", default_port)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        problems.append(f"{at('port')}: email.port 必须是 1 到 65535 的整数（不加引号），而不是 {port!r}")
        port = default_port
    if "password" in data:
        problems.append(
            f"{at('password')}: 不要把密码写在配置文件里；请设置环境变量，并在 password_env 中写它的名字"
        )
    # the day of the next month that forms are due: top-level ``deadline`` (or, as before, email.deadline)
    deadline = top_deadline if top_deadline is not None else data.get("deadline", 5)
    where = loc.at("deadline") if top_deadline is not None else at("deadline")
    if isinstance(deadline, bool) or not isinstance(deadline, int) or not 1 <= deadline <= 28:
        problems.append(f"{where}: " + t("config.err.deadline", "zh", value=deadline))
        deadline = 5
    timeout = data.get("timeout", 30)
    if not _num(timeout) or timeout <= 0:
        problems.append(f"{at('timeout')}: " + t("config.err.number_above", "zh", key="email.timeout", low=0,
                                                 value=timeout))
        timeout = 30
    from_addr = str(data.get("from", "")).strip()
    if from_addr and not _is_address(from_addr):
        problems.append(f"{at('from')}: " + t("config.err.email_bad", "zh", key="email.from", value=from_addr))
    reply_to = str(data.get("reply_to", "")).strip()
    if reply_to and not _is_address(reply_to):
        problems.append(f"{at('reply_to')}: " + t("config.err.email_bad", "zh", key="email.reply_to", value=reply_to))
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
        problems.append(f"{loc.name}: 没有定义分组（需要 [[groups]] 表，如 镇、开发区）")
        return ()
    out: list[Group] = []
    for n, item in enumerate(raw):
        code = str(item.get("code", ""))
        at = loc.at(f'"{code}"', start=loc.table("groups", n))
        if not _CODE.match(code):
            problems.append(f"{at}: 分组 code 必须是小写字母、数字和下划线：{code!r}")
        elif any(g.code == code for g in out):
            problems.append(f"{at}: 分组代码重复：{code}")
        out.append(Group(code, str(item.get("name", code)), str(item.get("name_en", ""))))
    return tuple(out)


def _parse_units(data: dict[str, Any], loc: _Locator, groups: set[str], problems: list[str]) -> tuple[Unit, ...]:
    raw = data.get("units")
    if not isinstance(raw, list) or not raw:
        problems.append(f"{loc.name}: 没有定义报送单位（需要 [[units]] 表）")
        return ()
    out: list[Unit] = []
    names: dict[str, str] = {}
    seen_codes: set[str] = set()
    for n, item in enumerate(raw):
        start = loc.table("units", n)
        code = str(item.get("code", ""))
        at = loc.at(f'"{code}"', start=start) if code else loc.at("[[units]]", start=start)
        if not _CODE.match(code):
            problems.append(f"{at}: 单位 code 必须是小写字母、数字和下划线，且以字母开头：{code!r}")
        elif code in seen_codes:
            problems.append(f"{at}: 单位代码重复：{code}")
        seen_codes.add(code)
        name = str(item.get("name", "")).strip()
        if not name:
            problems.append(f"{at}: 单位 {code}：缺少 name")
        group = str(item.get("group", ""))
        if group not in groups:
            problems.append(f"{loc.at('group', start=start)}: 单位 {code}：分组 {group!r} 不存在（可选：{'、'.join(sorted(groups))}）")
        aliases = tuple(str(a) for a in item.get("aliases", []))
        for label in (name, *aliases):
            key = _norm_label(label)
            if not key:
                continue
            if key in names and names[key] != code:
                problems.append(f"{loc.at(label, start=start)}: 单位 {code}：名称或别名“{label}”与单位 {names[key]} 重复")
            names.setdefault(key, code)
        emails = _addresses(item.get("emails", []), f"{code}.emails", loc.at("emails", start=start), problems)
        out.append(Unit(code, name, group, aliases, emails, str(item.get("name_en", ""))))
    return tuple(out)
