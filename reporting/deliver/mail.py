"""Email delivery: the bulletin, reminders and feedback, as .eml drafts or over SMTP.

Every message is built first, with deterministic bytes (fixed boundaries,
Message-ID and, for drafts, Date), so a draft can be reviewed and diffed.
Then it is either only written to ``outbox/<period>/mail/`` or sent over one
SMTP connection. Each attempt is recorded in ``mail/sent.json`` per message
key and recipient, so a second ``--send`` sends nothing twice, and after a
refused recipient is fixed only the missing recipient gets the message.

Chinese names must survive Outlook as well as webmail: attachments carry
both the RFC 2231 ``filename*=`` (Content-Disposition) that standards-minded
clients read and the RFC 2047 ``name="=?utf-8?b?...?="`` (Content-Type) that
Outlook reads, as MimeKit and nodemailer write them.

SMTP problems become one line each (which server, what it said, what to
check) in :attr:`MailReport.failed`; the CLI exits 1 when that is non-empty.
Configuration problems found before anything is written raise
:class:`~reporting.core.errors.ReportingError` (exit 2).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import os
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from reporting import __version__
from reporting.core.errors import ReportingError
from reporting.core.messages import t
from reporting.core.results import Results
from reporting.workspace.atomic import write_text

if TYPE_CHECKING:
    from reporting.core.models import Unit
    from reporting.core.periods import Period
    from reporting.workspace.config import EmailSettings, Workspace

KINDS = ("bulletin", "remind", "feedback")
CAFILE_ENV = "REPORTING_SMTP_CAFILE"  # a CA bundle (PEM) for a server with a private or self-signed certificate
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
# refold_source="none": headers we set raw (the attachment's Content-Type with its
# RFC 2047 name) are written as given; every other header is still folded by policy.
POLICY = email_policy.SMTP.clone(refold_source="none")
FONT = "font-family:'Microsoft YaHei','微软雅黑',SimSun,sans-serif;"
_MAX_LINE = 998  # RFC 5322 hard limit on a line, which Outlook enforces
_WORD_BYTES = 45  # 45 bytes -> 60 base64 characters: an encoded-word stays within 75


@dataclass
class MailReport:
    """What one email/remind/feedback run did; ``failed`` non-empty means exit 1."""

    kind: str
    period: str
    written: list[Path] = field(default_factory=list)  # .eml files
    sent: list[dict[str, Any]] = field(default_factory=list)  # key, message_id, to, time, result
    skipped: list[dict[str, Any]] = field(default_factory=list)  # key, to, reason
    failed: list[dict[str, Any]] = field(default_factory=list)  # key, to, reason (one line)
    send: bool = False
    folder: Path | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)  # key, label, subject, to, file
    notes: list[str] = field(default_factory=list)


@dataclass
class _Outgoing:
    key: str
    label: str  # 通报 or the unit's name, for the summary
    stem: str  # .eml file name without suffix
    msg: EmailMessage
    rcpts: list[str]  # envelope recipients (addr-specs), To + Cc + Bcc


# --------------------------------------------------------------------------- entry points


def run_mail(ws: Workspace, kind: str, period: Period, *, to: list[str] | None = None, send: bool = False,
             resend: bool = False, lang: str = "zh", password: str | None = None,
             units: list[str] | None = None, stale_ok: bool = False) -> MailReport:
    """Build the messages of ``kind`` for ``period``; write them as .eml, and send them with ``send``.

    ``to`` replaces every configured recipient (to try a message on oneself);
    ``password`` overrides the environment variable named by ``password_env``;
    ``units`` (codes) limits reminders and feedback to those units. Before
    sending, results.json must be newer than every file in inbox/ (else a
    ReportingError says to compile again), unless ``stale_ok``. Reminders
    need no results.json: before a compile, every unit is reminded.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    es = ws.settings.email
    folder = ws.period_dir(period) / "mail"
    results = _start_of_month(ws, period) if kind == "remind" and not _results_path(ws, period).exists() \
        else _load_results(ws, period, lang)
    report = MailReport(kind=kind, period=str(period), send=send, folder=folder)
    override = [a for a in (to or []) if a.strip()]
    if send:
        _check_send_settings(es, lang)
    secret = _password(es, password, lang) if send else None
    stale = _stale_note(ws, period, lang)
    if stale and send and not stale_ok:
        raise ReportingError(t("mail.err.stale", lang, n=_newer_files(ws, period), period=period))
    report.notes.extend(stale)

    when = dt.datetime.now().astimezone() if send else _draft_date(results)
    builder = _Builder(ws, results, period, lang, override, when, draft=not send)
    outgoing = {"bulletin": builder.bulletin, "remind": builder.reminders, "feedback": builder.feedback}[kind]()
    if units is not None and kind != "bulletin":
        wanted = set(units)
        outgoing = [o for o in outgoing if o.key.split(":", 1)[-1] in wanted]
    report.skipped.extend(builder.skipped)
    for out in outgoing:
        report.messages.append({"key": out.key, "label": out.label, "subject": str(out.msg["Subject"]),
                                "to": list(out.rcpts), "file": folder / f"{out.stem}.eml"})
    if not send:
        _clean_drafts(folder, kind, {o.stem for o in outgoing})
        for out in outgoing:
            report.written.append(_write_eml(folder, out))
        return report
    _send_all(folder, outgoing, es, secret, resend, lang, report)
    return report


def mail_report_text(report: MailReport, lang: str = "zh") -> str:
    """The summary the CLI prints: what was written or sent, skipped, and who did not get it."""
    lines: list[str] = []
    if not report.messages and not report.skipped and not report.failed:
        lines.append(t(f"mail.report.none_{report.kind}", lang))
    elif not report.send:
        lines.append(t("mail.report.written", lang, n=len(report.written), folder=report.folder))
        for m in report.messages:
            lines.append(t("mail.report.message", lang, file=Path(m["file"]).name, label=m["label"],
                           to=_short_list(m["to"], lang)))
        if report.written:
            lines.append(t("mail.report.hint_send", lang))
    elif report.sent:
        lines.append(t("mail.report.sent", lang, n=len(report.sent)))
        for s in report.sent:
            lines.append(t("mail.report.sent_item", lang, key=s["key"], to=_short_list(s["to"], lang)))
    elif not report.failed:
        lines.append(t("mail.report.nothing", lang))
    if report.skipped:
        lines.append(t("mail.report.skipped_head", lang, n=len(report.skipped)))
        lines += [t("mail.report.skipped", lang, key=s["key"], reason=s["reason"]) for s in report.skipped]
    if report.failed:
        lines.append(t("mail.report.failed", lang, n=len(report.failed)))
        by_reason: dict[str, list[str]] = {}
        for f in report.failed:
            who = t("mail.report.who", lang, key=f["key"], to=", ".join(f["to"])) if f["to"] else f["key"]
            by_reason.setdefault(f["reason"], []).append(who)
        for reason, whos in by_reason.items():
            lines.append(t("mail.report.failed_item", lang, who="; ".join(whos), reason=reason))
    lines.extend(report.notes)
    return "\n".join(lines)


def attach(msg: EmailMessage, data: bytes, filename: str, mime: str) -> None:
    """Attach ``data`` so that every client shows ``filename``, Chinese included.

    Python writes a non-ASCII name only as RFC 2231 ``filename*=`` on
    Content-Disposition, which Outlook ignores (it shows ATT00001.dat); so the
    part also gets ``name="=?utf-8?b?...?="`` (RFC 2047) on Content-Type. The
    message must be serialised with a policy whose ``refold_source`` is
    "none" (:data:`POLICY`), or the raw header is refolded and mangled.
    """
    filename = re.sub(r"[\x00-\x1f\x7f]", "_", filename)  # a name is data: no header injection
    maintype, _, subtype = mime.partition("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    part = msg.get_payload()[-1]  # add_attachment made msg multipart/mixed and appended the part
    ctype = f"{maintype}/{subtype or 'octet-stream'}"
    disposition = _rfc2231_disposition(filename)
    keep = [(k, v) for k, v in part.raw_items()
            if k.lower() not in ("content-type", "mime-version") and not (disposition and k.lower() == "content-disposition")]
    for name in {k for k, _ in part.raw_items()}:
        del part[name]
    if _is_ascii(filename) and '"' not in filename and "\\" not in filename:
        part.set_raw("Content-Type", f'{ctype};\r\n name="{filename}"')
    else:
        part.set_raw("Content-Type", f'{ctype};\r\n name="{_rfc2047(filename)}"')
    for k, v in keep:
        part.set_raw(k, v)
    if disposition:
        part.set_raw("Content-Disposition", disposition)


# --------------------------------------------------------------------------- encodings


def _is_ascii(text: str) -> bool:
    return all(ord(c) < 128 for c in text)


def _rfc2047(text: str) -> str:
    """Base64 encoded-words, split on whole characters, one per folded line."""
    words: list[str] = []
    chunk = b""
    for ch in text:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > _WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += b
    if chunk:
        words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words)


def _rfc2231_disposition(filename: str) -> str | None:
    """``attachment; filename*=utf-8''...`` in one piece when it fits a line.

    Python would split even a short Chinese name into ``filename*0*=`` ...
    continuations, which fewer clients read than the unsplit form. A name too
    long for one 998-character line is left to Python's continuations (None).
    """
    if _is_ascii(filename):
        return None
    from urllib.parse import quote

    value = f" filename*=utf-8''{quote(filename, safe='')}"
    return f"attachment;\r\n{value}" if len(value) <= _MAX_LINE else None


def _address(text: str, where: str, lang: str) -> Address:
    """Parse ``"张三 <a@b.cn>"`` or ``a@b.cn`` into an Address (display names encoded per RFC 2047)."""
    name, addr = parseaddr(text)
    if not addr or "@" not in addr or not _is_ascii(addr) or " " in addr:
        raise ReportingError(t("mail.err.address", lang, address=text, where=where))
    local, _, domain = addr.rpartition("@")
    try:
        return Address(display_name=name, username=local, domain=domain)
    except (ValueError, TypeError) as exc:
        raise ReportingError(t("mail.err.address", lang, address=text, where=where)) from exc


def _unit_addresses(unit: Unit, lang: str) -> list[Address]:
    where = f"templates/workspace.toml [[units]] {unit.code}"
    out: list[Address] = []
    for e in unit.emails:
        a = _address(e, where, lang)
        out.append(Address(display_name=a.display_name or unit.name, addr_spec=a.addr_spec))
    return out


# --------------------------------------------------------------------------- inputs


def _load_results(ws: Workspace, period: Period, lang: str) -> Results:
    path = ws.period_dir(period) / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportingError(t("mail.err.no_results", lang, path=path, period=period)) from None
    except (OSError, ValueError) as exc:
        raise ReportingError(t("mail.err.bad_results", lang, path=path, detail=exc, period=period)) from None
    if not isinstance(data, dict) or data.get("period") not in (None, str(period)):
        raise ReportingError(t("mail.err.bad_results", lang, path=path, detail="period", period=period))
    try:
        return Results.from_json(data)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ReportingError(t("mail.err.bad_results", lang, path=path, detail=exc, period=period)) from None


def _password(es: EmailSettings, given: str | None, lang: str) -> str | None:
    """The SMTP password (an authorisation code for QQ/163): argument, else the named env variable."""
    if not es.username:
        return None
    if given is not None:
        return given
    if not es.password_env:
        raise ReportingError(t("mail.err.no_password_env", lang))
    value = os.environ.get(es.password_env)
    if not value:
        raise ReportingError(t("mail.err.no_password", lang, env=es.password_env, user=es.username))
    return value


def _check_send_settings(es: EmailSettings, lang: str) -> None:
    missing = [k for k, v in (("host", es.host), ("from", es.from_addr)) if not v]
    if missing:
        raise ReportingError(t("mail.err.settings", lang, keys="、".join(missing) if lang == "zh" else ", ".join(missing)))
    if es.security == "none" and es.username and es.host not in ("localhost", "127.0.0.1", "::1"):
        raise ReportingError(t("mail.err.plain_login", lang, host=es.host))


def _results_path(ws: Workspace, period: Period) -> Path:
    return ws.period_dir(period) / "results.json"


def _start_of_month(ws: Workspace, period: Period) -> Results:
    """Results before any compile: every unit missing, nothing received (reminders at the start of the month)."""
    import calendar

    last = calendar.monthrange(period.year, period.month)[1]
    return Results.from_json({
        "period": str(period), "year": period.year, "month": period.month, "lang": ws.settings.lang,
        "as_of": dt.date(period.year, period.month, last).isoformat(),
        "district": {"name": ws.settings.district, "issuer": ws.settings.issuer},
        "groups": [{"code": g.code, "name": g.name, "name_en": g.name_en} for g in ws.groups],
        "units": [{"code": u.code, "name": u.name, "name_en": u.name_en, "group": u.group, "status": "missing"}
                  for u in ws.units],
    })


def _stale_note(ws: Workspace, period: Period, lang: str) -> list[str]:
    """Warn when inbox/ holds files newer than results.json: a reminder could chase a unit that just sent."""
    newer = _newer_files(ws, period)
    return [t("mail.note.stale", lang, n=newer, period=period)] if newer else []


def _newer_files(ws: Workspace, period: Period) -> int:
    """How many files in inbox/ are newer than results.json (0 when there is no results.json)."""
    try:
        stamp = _results_path(ws, period).stat().st_mtime
    except OSError:
        return 0
    newer = 0
    for root, _dirs, files in os.walk(ws.inbox):
        for name in files:
            try:
                if os.stat(os.path.join(root, name)).st_mtime > stamp + 1:
                    newer += 1
            except OSError:
                continue
    return newer


def _draft_date(results: Results) -> dt.datetime:
    """A draft's Date: noon (China time) on the period's last day, so identical inputs give identical .eml bytes.

    The real time is used when sending; a draft's date is only a placeholder
    that a mail program replaces when the clerk sends it.
    """
    try:
        day = dt.date.fromisoformat(str(results.as_of))
    except ValueError:
        day = dt.date(int(results.year or 2000), int(results.month or 1), 1)
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=CHINA_TZ)


# --------------------------------------------------------------------------- building


class _Builder:
    """Builds the messages of one run from results.json and the workspace."""

    def __init__(self, ws: Workspace, results: Results, period: Period, lang: str,
                 override: list[str], when: dt.datetime, *, draft: bool):
        self.ws, self.results, self.period, self.lang = ws, results, period, lang
        self.es = ws.settings.email
        self.override = [_address(a, "--to", lang) for a in override]
        self.when, self.draft = when, draft
        self.dir = ws.period_dir(period)
        self.skipped: list[dict[str, Any]] = []
        self.issuer = str(results.district.issuer or ws.settings.issuer or self.es.from_name)
        self.ind_names = {i.code: i.name_en if lang != "zh" and i.name_en else i.name
                          for i in results.district.indicators}
        self.units_known = {u.code: u for u in ws.units}
        self._previous: dict[str, dict[str, float]] | None = None

    # -- the three kinds

    def bulletin(self) -> list[_Outgoing]:
        """One message: To the configured recipients, the units' contacts in Bcc (no reply-all storms)."""
        from reporting.render.narrative import district_table_text, narrative

        r, lang = self.results, self.lang
        name = str(r.bulletin_file or "")
        path = self.dir / name
        if not name or not path.is_file():
            raise ReportingError(t("mail.err.no_bulletin", lang, path=path, period=self.period))
        data = path.read_bytes()
        paras = [p for p in narrative(r, lang) if p]
        table_text = district_table_text(r, lang)
        title = str(r.title or self.ws.settings.title)

        text = [title, ""]
        for p in paras:
            text += [p, ""]
        text += [table_text.rstrip("\n"), ""]
        text += [t("mail.bulletin.attached", lang, file=name), "", self.issuer, self._date_text()]

        blocks = [_h(title)] + [_p(p) for p in paras]
        blocks.append(self._district_table_html())
        blocks.append(_p(t("mail.bulletin.attached", lang, file=name), muted=True))
        blocks.append(_signature(self.issuer, self._date_text()))

        if self.override:
            to, cc, bcc = self.override, [], []
        else:
            where = "templates/workspace.toml [email]"
            to = [_address(a, f"{where} to", lang) for a in self.es.to]
            cc = [_address(a, f"{where} cc", lang) for a in self.es.cc]
            bcc = [a for u in self.ws.units for a in _unit_addresses(u, lang)]
            if not to and self.es.from_addr:  # the usual etiquette: to oneself, everyone else hidden
                to = [_address(self.es.from_addr, f"{where} from", lang)]
        subject = self._subject(self.es.subject)
        out = self._message("bulletin", t("mail.label.bulletin", lang), "bulletin", subject,
                            "\n".join(text), _page(title, blocks), [(data, name, XLSX)], to, cc, bcc)
        return [out] if out else []

    def reminders(self) -> list[_Outgoing]:
        """To each unit with no accepted submission: its blank form and the deadline."""
        from reporting.render.forms import write_form
        from reporting.workspace.paths import form_path

        lang, r = self.lang, self.results
        outs: list[_Outgoing] = []
        deadline = self._deadline_text()
        for ru in r.units:
            if ru.status != "missing":
                continue
            unit = self._unit(ru, "remind")
            if unit is None:
                continue
            path = form_path(self.ws, unit, self.period)
            if not path.is_file():
                write_form(path, self.ws, unit, self.period, self._previous_for(unit.code))
            rejected = [f for f in r.files if f.unit == unit.code and self._wrong_file(f)]
            uname = unit.display_name(lang)
            span = self.period.range_zh() if lang == "zh" else self.period.label_en()
            text = [t("mail.greeting", lang, unit=uname), "",
                    t("mail.remind.body", lang, span=span, deadline=deadline)]
            html_blocks = [_p(t("mail.greeting", lang, unit=uname)),
                           _p(t("mail.remind.body", lang, span=span, deadline=deadline))]
            for f in rejected:
                name = PurePosixPath(f.file or "").name
                if f.status == "rejected":
                    line = t("mail.remind.rejected", lang, file=name, reason=f.reason or f.status)
                else:  # a file of an earlier month, used (or usable) for that month: not "未能采用"
                    line = t("mail.remind.earlier", lang, file=name, period=f.period or "", span=span)
                text += ["", line]
                html_blocks.append(_p(line, color="#c00000"))
            tail = t("mail.remind.tail", lang)
            text += ["", tail, "", self.issuer, self._date_text()]
            html_blocks += [_p(tail, muted=True), _signature(self.issuer, self._date_text())]
            attachment = t("mail.remind.attachment", lang, unit=unit.name, span=self.period.range_zh())
            subject = self._subject(self.es.remind_subject, unit=unit.name)
            out = self._message(f"remind:{unit.code}", unit.name, f"remind-{unit.code}-{_safe(unit.name)}",
                                subject, "\n".join(text), _page(subject, html_blocks),
                                [(path.read_bytes(), attachment, XLSX)], *self._unit_rcpts(unit))
            if out:
                outs.append(out)
        return outs

    def feedback(self) -> list[_Outgoing]:
        """To each unit whose accepted file has errors or warnings: the list and its annotated workbook.

        Only the issues of the file used count: a superseded or duplicate file's
        notes (the unit sent a correction) would only confuse the unit.
        """
        lang, r = self.lang, self.results
        outs: list[_Outgoing] = []
        for ru in r.units:
            if ru.status not in ("warnings", "errors"):
                continue
            unit = self._unit(ru, "feedback")
            if unit is None:
                continue
            used = ru.file
            issues = [i for i in r.issues if i.unit == unit.code
                      and i.severity in ("error", "warning") and i.file in (used, None)]
            issues.sort(key=lambda i: i.severity != "error")
            errors = [i for i in issues if i.severity == "error"]
            warnings = [i for i in issues if i.severity == "warning"]
            uname = unit.display_name(lang)
            span = self.period.range_zh() if lang == "zh" else self.period.label_en()
            which = "both" if errors and warnings else ("errors" if errors else "warnings")
            intro = t(f"mail.feedback.body_{which}", lang, span=span, file=PurePosixPath(used or "").name,
                      errors=len(errors), warnings=len(warnings))
            text = [t("mail.greeting", lang, unit=uname), "", intro, ""]
            for label_key, group in (("mail.feedback.errors", errors), ("mail.feedback.warnings", warnings)):
                if group:
                    text.append(t(label_key, lang, n=len(group)))
                    text += [f"  {n}. {self._issue_line(i)}" for n, i in enumerate(group, 1)]
                    text.append("")
            wb = self.dir / "feedback" / f"{_safe(unit.name)}.xlsx"
            attachments = []
            if wb.is_file():
                attachments.append((wb.read_bytes(), t("mail.feedback.attachment", lang, unit=unit.name,
                                                       span=self.period.range_zh()), XLSX))
            tail = t(f"mail.feedback.tail_{'errors' if errors else 'warnings'}", lang)
            if attachments:
                tail = t("mail.feedback.attached", lang) + tail
            text += [tail, "", self.issuer, self._date_text()]
            html_blocks = [_p(t("mail.greeting", lang, unit=uname)), _p(intro), self._issues_table_html(issues),
                           _p(tail, muted=True), _signature(self.issuer, self._date_text())]
            subject = self._subject(self.es.feedback_subject, unit=unit.name)
            out = self._message(f"feedback:{unit.code}", unit.name, f"feedback-{unit.code}-{_safe(unit.name)}",
                                subject, "\n".join(text), _page(subject, html_blocks), attachments,
                                *self._unit_rcpts(unit))
            if out:
                outs.append(out)
        return outs

    # -- helpers

    def _unit(self, ru: dict[str, Any], kind: str) -> Unit | None:
        unit = self.units_known.get(str(ru.code))
        if unit is None:
            self.skipped.append({"key": f"{kind}:{ru.code}", "to": [],
                                 "reason": t("mail.skip.unknown_unit", self.lang, unit=ru.name or ru.code)})
        return unit

    def _wrong_file(self, f: dict[str, Any]) -> bool:
        """A file the unit sent for this period that could not be used: rejected, or an earlier month's again."""
        if f.status == "rejected":
            return True
        return f.status == "other-period" and str(f.period or "9999") < str(self.period)

    def _unit_rcpts(self, unit: Unit) -> tuple[list[Address], list[Address], list[Address]]:
        if self.override:
            return self.override, [], []
        return _unit_addresses(unit, self.lang), [], []

    def _previous_for(self, code: str) -> dict[str, float] | None:
        if self._previous is None:
            from reporting.ingest.pipeline import previous_from_inbox

            self._previous = previous_from_inbox(self.ws, self.period)
        return self._previous.get(code)

    def _subject(self, pattern: str, unit: str = "") -> str:
        values = _SafeDict(year=self.period.year, month=self.period.month, unit=unit, period=str(self.period),
                           district=self.ws.settings.district)
        try:
            return pattern.format_map(values)
        except (ValueError, IndexError):
            return pattern

    def _date_text(self) -> str:
        day = self.when.date() if not self.draft else _draft_date(self.results).date()
        return f"{day.year}年{day.month}月{day.day}日" if self.lang == "zh" else day.isoformat()

    def _deadline_text(self) -> str:
        y, m = (self.period.year + 1, 1) if self.period.month == 12 else (self.period.year, self.period.month + 1)
        day = dt.date(y, m, self.es.deadline)
        return f"{day.year}年{day.month}月{day.day}日" if self.lang == "zh" else day.isoformat()

    def _issue_line(self, i: dict[str, Any]) -> str:
        where = "!".join(x for x in (i.sheet, i.cell) if x)
        ind = self.ind_names.get(str(i.indicator), "") if i.indicator else ""
        head = " ".join(x for x in (where, ind) if x)
        sep = "：" if self.lang == "zh" else ": "
        return f"{head}{sep}{i.message}" if head else str(i.message)

    def _issues_table_html(self, issues: list[dict[str, Any]]) -> str:
        lang = self.lang
        from reporting.render.narrative import tx

        head = [t("mail.col.severity", lang), t("mail.col.where", lang), tx("col.indicator", lang),
                t("mail.col.problem", lang)]
        rows = []
        for i in issues:
            sev = i.severity
            color = "#c00000" if sev == "error" else "#9c5700"
            rows.append([(t(f"mail.severity.{sev}", lang), color),
                         ("!".join(x for x in (i.sheet, i.cell) if x), None),
                         (self.ind_names.get(str(i.indicator), ""), None),
                         (str(i.message), None)])
        return _table(head, rows, align=["center", "left", "left", "left"])

    def _district_table_html(self) -> str:
        """The district table as HTML, in the words and formats of narrative.district_table_text."""
        from reporting.render.narrative import (
            display_name,
            display_unit,
            fmt_gap,
            fmt_number,
            fmt_rate,
            status_label,
            tx,
        )

        lang = self.lang
        head = [tx(f"col.{k}", lang) for k in ("indicator", "unit", "target", "actual", "rate", "schedule",
                                                "status", "gap")]
        rows = []
        for i in self.results.district.indicators:
            dec = int(i.decimals or 0)
            status = str(i.status or "")
            color = {"behind": "#c00000", "completed": "#2e7d32"}.get(status)
            rows.append([(display_name(i, lang), None), (display_unit(i, lang), None),
                         (fmt_number(i.target, dec), None), (fmt_number(i.actual, dec), None),
                         (fmt_rate(i.rate), color), (fmt_rate(i.schedule), None),
                         (status_label(status, lang), color), (fmt_gap(i.gap), color)])
        return _table(head, rows, align=["left", "center", "right", "right", "right", "right", "center", "right"])

    def _message(self, key: str, label: str, stem: str, subject: str, text: str, html_body: str,
                 attachments: list[tuple[bytes, str, str]], to: list[Address], cc: list[Address],
                 bcc: list[Address]) -> _Outgoing | None:
        to, cc, bcc = _dedupe(to, cc, bcc)
        rcpts = [a.addr_spec for a in (*to, *cc, *bcc)]
        if not rcpts:
            self.skipped.append({"key": key, "to": [], "reason": t("mail.skip.no_address", self.lang, unit=label)})
            return None
        msg = EmailMessage(policy=POLICY)
        msg["Subject"] = " ".join(subject.split())  # a pattern or unit name with a line break cannot break the header
        if self.es.from_addr:
            msg["From"] = Address(display_name=self.es.from_name,
                                  addr_spec=_address(self.es.from_addr, "[email] from", self.lang).addr_spec)
        if to:
            msg["To"] = to
        if cc:
            msg["Cc"] = cc
        if bcc:
            msg["Bcc"] = bcc  # kept in the draft for the clerk; removed before SMTP
        if self.es.reply_to:
            msg["Reply-To"] = _address(self.es.reply_to, "[email] reply_to", self.lang)
        digest = hashlib.sha256()
        for piece in (key, subject, text, html_body, *(n for _, n, _ in attachments)):
            digest.update(piece.encode("utf-8") + b"\0")
        for data, _, _ in attachments:
            digest.update(hashlib.sha256(data).digest())
        h = digest.hexdigest()[:16]
        domain = self.es.from_addr.rpartition("@")[2] if "@" in self.es.from_addr else "localhost"
        slug = re.sub(r"[^A-Za-z0-9_.-]", ".", key)
        msg["Date"] = format_datetime(self.when)
        msg["Message-ID"] = f"<reporting.{self.period}.{slug}.{h}@{domain}>"
        msg["X-Mailer"] = f"reporting {__version__}"
        if self.draft:
            msg["X-Unsent"] = "1"  # Outlook opens such an .eml as a new message, ready to send
        msg.set_content(text + "\n", subtype="plain", charset="utf-8", cte="base64")
        msg.add_alternative(html_body, subtype="html", charset="utf-8", cte="base64")
        for data, name, mime in attachments:
            attach(msg, data, name, mime)
        for n, part in enumerate(msg.walk()):
            if part.is_multipart():
                part.set_boundary(f"=_reporting_{h}_{n}")  # "=_" never occurs in base64 bodies
        return _Outgoing(key, label, stem, msg, rcpts)


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _dedupe(*lists: list[Address]) -> tuple[list[Address], ...]:
    seen: set[str] = set()
    out: list[list[Address]] = []
    for items in lists:
        kept = []
        for a in items:
            if a.addr_spec.lower() not in seen:
                seen.add(a.addr_spec.lower())
                kept.append(a)
        out.append(kept)
    return tuple(out)


def _safe(name: str) -> str:
    from reporting.workspace.paths import safe_filename

    return safe_filename(name)


def _short_list(items: list[str], lang: str, limit: int = 3) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return t("mail.report.more", lang, first=", ".join(items[:limit]), n=len(items))


# --------------------------------------------------------------------------- HTML (inline styles only)

_CELL = f"{FONT}font-size:13px;border:1px solid #bfbfbf;padding:4px 8px;"


def _page(title: str, blocks: list[str]) -> str:
    """A table-based page with inline styles: Outlook (Word engine) drops <style> and most CSS layout."""
    body = "\n".join(f'<tr><td style="{FONT}padding:6px 0;">{b}</td></tr>' for b in blocks)
    return (
        "<!DOCTYPE html>\n<html><head>"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>\n"
        f'<body style="margin:0;padding:12px;background:#ffffff;{FONT}font-size:14px;color:#222222;">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="max-width:760px;border-collapse:collapse;">\n{body}\n</table>\n</body></html>\n'
    )


def _h(text: str) -> str:
    return f'<div style="{FONT}font-size:18px;font-weight:bold;color:#1f3864;line-height:1.5;">{html.escape(text)}</div>'


def _p(text: str, *, muted: bool = False, color: str | None = None) -> str:
    c = color or ("#666666" if muted else "#222222")
    body = "<br>".join(html.escape(line) for line in text.split("\n"))
    return f'<div style="{FONT}font-size:14px;line-height:1.7;color:{c};">{body}</div>'


def _signature(issuer: str, date: str) -> str:
    return (f'<div style="{FONT}font-size:14px;line-height:1.7;color:#222222;text-align:right;">'
            f"{html.escape(issuer)}<br>{html.escape(date)}</div>")


def _table(head: list[str], rows: list[list[tuple[str, str | None]]], align: list[str]) -> str:
    th = "".join(f'<th style="{_CELL}background:#d9e1f2;font-weight:bold;text-align:center;" bgcolor="#d9e1f2">'
                 f"{html.escape(h)}</th>" for h in head)
    trs = []
    for n, row in enumerate(rows):
        bg = "#f5f7fb" if n % 2 else "#ffffff"
        tds = "".join(
            f'<td style="{_CELL}text-align:{a};{f"color:{c};" if c else ""}" bgcolor="{bg}">{html.escape(str(v))}</td>'
            for (v, c), a in zip(row, align, strict=False))
        trs.append(f"<tr>{tds}</tr>")
    return ('<table cellpadding="4" cellspacing="0" border="1" width="100%" '
            f'style="border-collapse:collapse;border:1px solid #bfbfbf;">\n<tr>{th}</tr>\n' + "\n".join(trs) + "\n</table>")


# --------------------------------------------------------------------------- files


def _write_eml(folder: Path, out: _Outgoing) -> Path:
    path = folder / f"{out.stem}.eml"
    folder.mkdir(parents=True, exist_ok=True)
    from reporting.workspace.atomic import write_bytes

    write_bytes(path, out.msg.as_bytes(policy=POLICY))
    return path


def _clean_drafts(folder: Path, kind: str, keep: set[str]) -> None:
    """Remove drafts of this kind left by an earlier run (a unit that has since submitted)."""
    if not folder.is_dir():
        return
    pattern = "bulletin.eml" if kind == "bulletin" else f"{kind}-*.eml"
    for path in folder.glob(pattern):
        if path.stem not in keep:
            path.unlink(missing_ok=True)


def _load_sent(path: Path, lang: str) -> dict[str, Any]:
    if not path.exists():
        return {"schema": 1, "messages": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise ValueError("no messages list")
        return data
    except (OSError, ValueError) as exc:
        raise ReportingError(t("mail.err.sent_json", lang, path=path, detail=exc)) from None


def _save_sent(path: Path, log: dict[str, Any]) -> None:
    write_text(path, json.dumps(log, ensure_ascii=False, indent=2) + "\n")


def _digest(msg: EmailMessage) -> str:
    """A fingerprint of a message's attachments: feedback whose workbook changed is new feedback."""
    import hashlib

    h = hashlib.sha256()
    for part in msg.walk():
        if part.get_filename():
            h.update(part.get_payload(decode=True) or b"")
    return h.hexdigest()[:16]


def _delivered(log: dict[str, Any], key: str, digest: str = "") -> dict[str, str]:
    """Recipients that already got message ``key`` (with the same ``digest``): address (lower case) -> time."""
    out: dict[str, str] = {}
    for rec in log["messages"]:
        if rec.get("key") == key and (not digest or rec.get("digest", digest) == digest):
            for a in rec.get("delivered", []):
                out.setdefault(str(a).lower(), str(rec.get("time", "")))
    return out


# --------------------------------------------------------------------------- SMTP


class _SendFailure(Exception):
    """A failure explained in one line; ``fatal`` means the connection cannot be used again."""

    def __init__(self, reason: str, fatal: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.fatal = fatal


def _tls_context() -> ssl.SSLContext:
    """Verification stays on; REPORTING_SMTP_CAFILE adds a CA for a private or self-signed server certificate."""
    cafile = os.environ.get(CAFILE_ENV) or None
    return ssl.create_default_context(cafile=cafile)


def _reply(exc: smtplib.SMTPResponseException) -> str:
    err = exc.smtp_error
    text = err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err)
    return " ".join(f"{exc.smtp_code} {text}".split())


class _Connection:
    """One SMTP session for the whole run, opened on first use; a failure to open is remembered."""

    def __init__(self, es: EmailSettings, password: str | None, lang: str):
        self.es, self.password, self.lang = es, password, lang
        self.smtp: smtplib.SMTP | None = None
        self.broken: str | None = None

    @property
    def where(self) -> str:
        return f"{self.es.host}:{self.es.port}"

    def open(self) -> smtplib.SMTP:
        if self.broken:
            raise _SendFailure(self.broken)
        if self.smtp is not None:
            return self.smtp
        es, smtp = self.es, None
        try:
            if es.security == "ssl":
                smtp = smtplib.SMTP_SSL(es.host, es.port, timeout=es.timeout, context=_tls_context())
            else:
                smtp = smtplib.SMTP(es.host, es.port, timeout=es.timeout)
                if es.security == "starttls":
                    smtp.ehlo()
                    if not smtp.has_extn("starttls"):
                        raise _SendFailure(t("mail.err.no_starttls", self.lang, where=self.where))
                    smtp.starttls(context=_tls_context())
                    smtp.ehlo()
            if es.username:
                smtp.login(es.username, self.password or "")
        except _SendFailure as exc:
            self._close(smtp)
            self.broken = exc.reason
            raise
        except Exception as exc:  # noqa: BLE001 - every cause becomes one explained line
            self._close(smtp)
            self.broken = self.explain(exc, connecting=True)
            raise _SendFailure(self.broken) from None
        self.smtp = smtp
        return smtp

    def send(self, from_addr: str, rcpts: list[str], data: bytes) -> dict[str, str]:
        """Send; return refused recipients (address -> reason). Raise _SendFailure for the whole message."""
        smtp = self.open()
        try:
            refused = smtp.sendmail(from_addr, rcpts, data)
        except smtplib.SMTPRecipientsRefused as exc:
            return {a: _reply_pair(v) for a, v in exc.recipients.items()}
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise _SendFailure(self.explain(exc), fatal=False) from None
        except Exception as exc:  # noqa: BLE001 - a dropped or timed-out session: reconnect for the next one
            reason = self.explain(exc)
            self._close(self.smtp)
            self.smtp = None
            raise _SendFailure(reason, fatal=False) from None
        return {a: _reply_pair(v) for a, v in refused.items()}

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except Exception:  # noqa: BLE001 - already sent; a rude goodbye changes nothing
                self._close(self.smtp)
            self.smtp = None

    @staticmethod
    def _close(smtp: smtplib.SMTP | None) -> None:
        if smtp is not None:
            try:
                smtp.close()
            except Exception:  # noqa: BLE001
                pass

    def explain(self, exc: BaseException, *, connecting: bool = False) -> str:
        """One line: which server, what it said, what to check."""
        es, lang = self.es, self.lang
        kw: dict[str, Any] = {"where": self.where, "host": es.host, "security": es.security,
                              "timeout": f"{es.timeout:g}", "env": es.password_env or "password_env",
                              "user": es.username, "sender": es.from_addr}
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            line = t("mail.err.auth", lang, reply=_reply(exc), **kw)
            if es.host.lower().endswith(("office365.com", "outlook.com")):
                line += t("mail.hint.microsoft", lang)  # 535 5.7.139 / 5.7.3: SMTP AUTH is off for the tenant or mailbox
            return line
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return t("mail.err.no_auth", lang, detail=str(exc), **kw)
        if isinstance(exc, smtplib.SMTPSenderRefused):
            return t("mail.err.sender", lang, reply=_reply(exc), **kw)
        if isinstance(exc, smtplib.SMTPDataError):
            return t("mail.err.data", lang, reply=_reply(exc), **kw)
        if isinstance(exc, smtplib.SMTPConnectError):
            return t("mail.err.greeting", lang, reply=_reply(exc), **kw)
        if isinstance(exc, smtplib.SMTPResponseException):
            return t("mail.err.reply", lang, reply=_reply(exc), **kw)
        if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, TimeoutError):
            exc = exc.__context__  # smtplib reports a read timeout as a disconnection
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            key = "mail.err.disconnected_connect" if connecting else "mail.err.disconnected"
            return t(key, lang, detail=str(exc) or "-", **kw)
        if isinstance(exc, ssl.SSLCertVerificationError):
            return t("mail.err.cert", lang, detail=exc.verify_message or str(exc), cafile=CAFILE_ENV, **kw)
        if isinstance(exc, ssl.SSLError):
            return t("mail.err.tls", lang, detail=exc.reason or str(exc), **kw)
        if isinstance(exc, TimeoutError | socket.timeout):
            return t("mail.err.timeout" if connecting else "mail.err.timeout_send", lang, **kw)
        if isinstance(exc, socket.gaierror):
            return t("mail.err.dns", lang, **kw)
        if isinstance(exc, ConnectionRefusedError):
            return t("mail.err.refused", lang, **kw)
        if isinstance(exc, UnicodeEncodeError):
            return t("mail.err.encoding", lang, **kw)
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return t("mail.err.connect", lang, detail=" ".join(str(detail).split()), **kw)


def _reply_pair(value: Any) -> str:
    if isinstance(value, tuple) and len(value) == 2:
        code, msg = value
        text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
        return " ".join(f"{code} {text}".split())
    return str(value)


def _send_all(folder: Path, outgoing: list[_Outgoing], es: EmailSettings, password: str | None,
              resend: bool, lang: str, report: MailReport) -> None:
    """Send each message to the recipients that have not had it yet, recording every attempt."""
    sent_path = folder / "sent.json"
    log = _load_sent(sent_path, lang)
    log.setdefault("period", report.period)
    conn = _Connection(es, password, lang)
    try:
        for out in outgoing:
            digest = _digest(out.msg) if out.key.startswith("feedback:") else ""
            done = {} if resend else _delivered(log, out.key, digest)
            pending = [a for a in out.rcpts if a.lower() not in done]
            if not pending:
                when = max(done.values(), default="")
                report.skipped.append({"key": out.key, "to": list(out.rcpts),
                                       "reason": t("mail.skip.already", lang, time=when[:16].replace("T", " "))})
                continue
            msg = _without_bcc(out.msg)  # Bcc recipients are in the envelope only
            data = msg.as_bytes(policy=POLICY)
            report.written.append(_write_eml(folder, _Outgoing(out.key, out.label, out.stem, msg, out.rcpts)))
            now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            record: dict[str, Any] = {"key": out.key, "message_id": str(msg["Message-ID"]),
                                      "subject": str(msg["Subject"]), "to": pending, "time": now}
            if digest:
                record["digest"] = digest
            try:
                refused = conn.send(es.from_addr, pending, data)
            except _SendFailure as exc:
                record.update(delivered=[], refused={}, result="failed", reason=exc.reason)
                report.failed.append({"key": out.key, "to": pending, "reason": exc.reason})
            else:
                delivered = [a for a in pending if a not in refused]
                result = "sent" if not refused else ("partial" if delivered else "failed")
                record.update(delivered=delivered, refused=refused, result=result)
                if delivered:
                    report.sent.append({"key": out.key, "message_id": record["message_id"], "to": delivered,
                                        "time": now, "result": result})
                for addr, why in refused.items():
                    report.failed.append({"key": out.key, "to": [addr],
                                          "reason": t("mail.err.rcpt", lang, address=addr, reply=why)})
            log["messages"].append(record)
            _save_sent(sent_path, log)  # after each message: an interrupted run still knows what went out
    finally:
        conn.close()


def _without_bcc(msg: EmailMessage) -> EmailMessage:
    """The message as it went out: the copy kept in mail/ has no Bcc header, like a Sent folder's."""
    import copy

    m = copy.deepcopy(msg)
    del m["Bcc"]
    return m
