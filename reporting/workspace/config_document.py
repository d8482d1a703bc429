"""The ``[document]`` and ``[lights]`` tables of workspace.toml: the 通报 as a Word document, traffic lights.

Parsed and checked here (``config`` calls :func:`parse_document_settings`) so that the general
loader stays small. Every problem is one line with file:line, like the rest of the configuration;
unknown keys are caught by ``config``'s key check, which reads :data:`DOCUMENT_KEYS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_DOC_TITLE = "关于{year}年{span}全区科技创新重点指标完成情况的通报"
DEFAULT_DOC_TITLE_EN = "Key science and technology indicators of {district}, {span} {year}"
DEFAULT_NUMBER = "武科〔{year}〕{n}号"
DEFAULT_RECIPIENTS = "各镇人民政府、街道办事处，各开发区管委会"
DEFAULT_REQUIREMENTS = (
    "各地各单位要对照年度目标任务，认真分析指标完成情况，对落后于序时进度的指标，"
    "要查找原因、明确措施、压实责任，确保按期完成全年目标任务。",
    "各地各单位要严格按照报送要求，于每月规定时间前准确、完整报送指标数据，"
    "对本通报中列出的待核实数据，请于下次报送时一并核实更正。",
)
DEFAULT_REQUIREMENTS_EN = (
    "Each unit should compare its figures with the year's targets, find out why any indicator is behind "
    "schedule, and set out the measures and who is responsible, so that the targets are met on time.",
    "Each unit should send complete and accurate returns by the monthly deadline, and check and correct "
    "the values listed here as awaiting verification with its next return.",
)
SECTIONS = ("mark", "overall", "groups", "problems", "requirements", "annex", "record")  # 红黑榜: [lights] honours
SIGN_DATE_RULES = ("deadline", "received", "as_of")
LIGHT_MODES = ("schedule", "average")

DOCUMENT_KEYS: dict[str, frozenset[str]] = {
    "document": frozenset({"enabled", "mark", "number", "serial", "recipients", "cc", "printer", "sign_date",
                           "title", "title_en", "signature", "requirements", "requirements_en", "sections"}),
    "lights": frozenset({"enabled", "mode", "yellow_within", "honours", "honours_units"}),
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class DocumentSettings:
    """What the 通报 document says beside the numbers (GB/T 9704 elements)."""

    enabled: bool = True
    mark: str = ""  # 发文机关标志; empty: the issuer followed by 文件
    number: str = DEFAULT_NUMBER  # 发文字号 pattern: {year} {month} {n}
    serial: int | None = None  # the {n} of the number; None: the month
    recipients: str = DEFAULT_RECIPIENTS  # 主送机关
    cc: str = ""  # 抄送
    printer: str = ""  # 印发机关; empty: the issuer
    sign_date: str = "deadline"  # 签发/成文日期: deadline | received | as_of | YYYY-MM-DD
    title: str = DEFAULT_DOC_TITLE  # {year} {month} {span} {district}
    title_en: str = DEFAULT_DOC_TITLE_EN
    signature: str = ""  # 发文机关署名; empty: the issuer
    requirements: tuple[str, ...] = DEFAULT_REQUIREMENTS  # 四、下步要求, one paragraph per item
    requirements_en: tuple[str, ...] = DEFAULT_REQUIREMENTS_EN
    sections: tuple[str, ...] = SECTIONS


@dataclass(frozen=True)
class LightSettings:
    """指标亮灯: green at or above the reference, yellow within ``yellow_within`` 百分点 below, red further."""

    enabled: bool = True
    mode: str = "schedule"  # schedule: against 序时进度; average: against the group's average rate
    yellow_within: float = 5.0  # 百分点
    honours: bool = False  # 红榜/黑榜 sentences in the document
    honours_units: int = 1  # units named on each list per group


@dataclass(frozen=True)
class DocumentConfig:
    document: DocumentSettings = field(default_factory=DocumentSettings)
    lights: LightSettings = field(default_factory=LightSettings)


def parse_document_settings(data: dict[str, Any], loc: Any, problems: list[str]) -> DocumentConfig:
    """The two tables of ``data`` (the whole workspace.toml), problems appended as file:line lines."""
    from reporting.core.messages import t

    doc = data.get("document", {})
    lights = data.get("lights", {})
    out_doc, out_lights = DocumentSettings(), LightSettings()
    for name, table in (("document", doc), ("lights", lights)):
        if not isinstance(table, dict):
            problems.append(f"{loc.at(name)}: " + t("config.err.doc_table", "zh", key=name))
    if isinstance(doc, dict):
        out_doc = _document(doc, loc, problems)
    if isinstance(lights, dict):
        out_lights = _lights(lights, loc, problems)
    return DocumentConfig(out_doc, out_lights)


def _where(loc: Any, section: str, key: str) -> str:
    return str(loc.at(key, start=loc.section(section)))


def _bad(problems: list[str], loc: Any, section: str, key: str, msg_key: str, **kw: Any) -> None:
    from reporting.core.messages import t

    problems.append(f"{_where(loc, section, key)}: " + t(msg_key, "zh", key=f"{section}.{key}", **kw))


def _text(table: dict[str, Any], key: str, default: str, loc: Any, problems: list[str], section: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        _bad(problems, loc, section, key, "config.err.doc_text", value=value)
        return default
    return value.strip()


def _flag(table: dict[str, Any], key: str, default: bool, loc: Any, problems: list[str], section: str) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        _bad(problems, loc, section, key, "config.err.doc_bool", value=value)
        return default
    return value


def _paragraphs(table: dict[str, Any], key: str, default: tuple[str, ...], loc: Any,
                problems: list[str]) -> tuple[str, ...]:
    value = table.get(key)
    if value is None:
        return default
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        _bad(problems, loc, "document", key, "config.err.doc_paragraphs", value=value)
        return default
    return tuple(p.strip() for x in items for p in x.split("\n") if p.strip())


def _pattern(text: str, key: str, allowed: str, loc: Any, problems: list[str]) -> bool:
    try:
        text.format(year=2022, month=11, n=1, span="1-11月", district="x")
    except (KeyError, IndexError, ValueError):
        _bad(problems, loc, "document", key, "config.err.doc_pattern", allowed=allowed)
        return False
    return True


def _document(table: dict[str, Any], loc: Any, problems: list[str]) -> DocumentSettings:
    from reporting.core.messages import t

    d = DocumentSettings()
    text = {k: _text(table, k, getattr(d, k), loc, problems, "document")
            for k in ("mark", "number", "recipients", "cc", "printer", "sign_date", "title", "title_en", "signature")}
    for key, allowed in (("number", "{year} {month} {n}"), ("title", "{year} {month} {span} {district}"),
                         ("title_en", "{year} {month} {span} {district}")):
        if not _pattern(text[key], key, allowed, loc, problems):
            text[key] = getattr(d, key)
    rule = text["sign_date"]
    if rule not in SIGN_DATE_RULES and not _valid_iso(rule):
        _bad(problems, loc, "document", "sign_date", "config.err.doc_sign_date", value=rule)
        text["sign_date"] = d.sign_date
    serial = table.get("serial")
    if serial is not None and (isinstance(serial, bool) or not isinstance(serial, int) or not 1 <= serial <= 9999):
        _bad(problems, loc, "document", "serial", "config.err.int_range", low=1, high=9999, value=serial)
        serial = None
    sections = table.get("sections", list(d.sections))
    chosen: tuple[str, ...] = d.sections
    if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections):
        _bad(problems, loc, "document", "sections", "config.err.doc_sections", value=sections,
             allowed=", ".join(SECTIONS))
    else:
        unknown = [s for s in sections if s not in SECTIONS]
        if unknown:
            import difflib

            close = difflib.get_close_matches(unknown[0], SECTIONS, n=1, cutoff=0.6)
            _bad(problems, loc, "document", "sections", "config.err.doc_sections", value=unknown[0],
                 allowed=", ".join(SECTIONS))
            if close:
                problems[-1] += t("config.err.did_you_mean", "zh", key=close[0])
        chosen = tuple(s for s in SECTIONS if s in sections)
    return DocumentSettings(
        enabled=_flag(table, "enabled", True, loc, problems, "document"),
        serial=serial,
        requirements=_paragraphs(table, "requirements", d.requirements, loc, problems),
        requirements_en=_paragraphs(table, "requirements_en", d.requirements_en, loc, problems),
        sections=chosen,
        **text,
    )


def _valid_iso(text: str) -> bool:
    import datetime as dt

    if not _ISO_DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _lights(table: dict[str, Any], loc: Any, problems: list[str]) -> LightSettings:
    d = LightSettings()
    mode = table.get("mode", d.mode)
    if mode not in LIGHT_MODES:
        _bad(problems, loc, "lights", "mode", "config.err.lights_mode", value=mode)
        mode = d.mode
    within = table.get("yellow_within", d.yellow_within)
    if isinstance(within, bool) or not isinstance(within, int | float) or not 0 <= within <= 100:
        _bad(problems, loc, "lights", "yellow_within", "config.err.lights_within", value=within)
        within = d.yellow_within
    n = table.get("honours_units", d.honours_units)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10:
        _bad(problems, loc, "lights", "honours_units", "config.err.int_range", low=1, high=10, value=n)
        n = d.honours_units
    return LightSettings(
        enabled=_flag(table, "enabled", d.enabled, loc, problems, "lights"),
        mode=mode,
        yellow_within=float(within),
        honours=_flag(table, "honours", d.honours, loc, problems, "lights"),
        honours_units=n,
    )
