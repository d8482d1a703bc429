"""Email delivery: the bulletin, reminders and feedback, as .eml drafts or over SMTP.

Every message is built first, with deterministic bytes, so a draft can be
reviewed and diffed (:mod:`~reporting.deliver.compose`). Then it is either
only written to ``outbox/<period>/mail/`` (:mod:`~reporting.deliver.drafts`)
or sent over one SMTP connection (:mod:`~reporting.deliver.smtp`). Each
attempt is recorded in ``mail/sent.json`` (:mod:`~reporting.deliver.log`) per
message key and recipient, so a second ``--send`` sends nothing twice.

Configuration problems found before anything is written or sent raise
:class:`~reporting.core.errors.ReportingError` (exit 2); SMTP problems are one
line each in :attr:`MailReport.failed` (exit 1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporting.core.errors import ReportingError
from reporting.core.messages import t
from reporting.deliver.builder import Builder
from reporting.deliver.drafts import clean_drafts, draft_date, write_eml
from reporting.deliver.feedback import feedback
from reporting.deliver.inputs import (
    load_results,
    newer_files,
    no_results_note,
    results_path,
    start_of_month,
)
from reporting.deliver.reminders import reminders
from reporting.deliver.smtp import check_send_settings, send_all, smtp_password
from reporting.workspace.targets import targets_issues

if TYPE_CHECKING:
    from reporting.core.periods import Period
    from reporting.workspace.config import Workspace

KINDS = ("bulletin", "remind", "feedback")


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
    units: list[str] | None = None  # --unit: only these units' messages were built


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
    report = MailReport(kind=kind, period=str(period), send=send, folder=folder)
    compiled = results_path(ws, period).exists()
    if kind == "remind" and not compiled:  # the start of the month: nobody has sent yet
        results = start_of_month(ws, period)
        report.notes.extend(no_results_note(ws, period, lang))
    else:
        results = load_results(ws, period, lang)
    if kind == "remind":  # reminders carry forms: without the year's targets they show none
        report.notes.extend(t("targets.warning", lang, text=i.message)
                            for i in targets_issues(ws, period.year, lang) if i.severity == "warning")
    override = [a for a in (to or []) if a.strip()]
    if send:
        check_send_settings(es, lang)
    secret = smtp_password(es, password, lang) if send else None
    newer = newer_files(ws, period, {f.file for f in results.files} if compiled else None)
    if newer and send and not stale_ok:
        raise ReportingError(t("mail.err.stale", lang, n=newer, period=period))
    if newer:
        report.notes.append(t("mail.note.stale", lang, n=newer, period=period))

    when = dt.datetime.now().astimezone() if send else draft_date(results)
    units = units if kind != "bulletin" else None
    report.units = units
    builder = Builder(ws, results, period, lang, override, when, draft=not send, units=units)
    outgoing = builder.bulletin() if kind == "bulletin" else (reminders if kind == "remind" else feedback)(builder)
    report.skipped.extend(builder.skipped)
    for out in outgoing:
        report.messages.append({"key": out.key, "label": out.label, "subject": str(out.msg["Subject"]),
                                "to": list(out.rcpts), "file": folder / f"{out.stem}.eml"})
    if not send:
        clean_drafts(folder, kind, {o.stem for o in outgoing}, units)
        for out in outgoing:
            report.written.append(write_eml(folder, out))
        return report
    send_all(folder, outgoing, es, secret, resend, lang, report)
    return report


def mail_report_text(report: MailReport, lang: str = "zh") -> str:
    """The summary the CLI prints: what was written or sent, skipped, and who did not get it."""
    lines: list[str] = []
    if not report.messages and not report.skipped and not report.failed:
        key = "mail.report.none_units" if report.units is not None and report.kind != "bulletin" else \
            f"mail.report.none_{report.kind}"
        lines.append(t(key, lang, kind=t(f"mail.kind.{report.kind}", lang)))
    elif not report.send:
        lines.append(t("mail.report.written", lang, n=len(report.written), folder=report.folder))
        for m in report.messages:
            lines.append(t("mail.report.message", lang, file=Path(m["file"]).name, label=m["label"],
                           to=short_list(m["to"], lang)))
        if report.written:
            lines.append(t("mail.report.hint_send", lang))
    elif report.sent:
        lines.append(t("mail.report.sent", lang, n=len(report.sent)))
        for s in report.sent:
            lines.append(t("mail.report.sent_item", lang, key=s["key"], to=short_list(s["to"], lang))
                         + (t("mail.report.changed", lang) if s.get("changed") else ""))
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


def short_list(items: list[str], lang: str, limit: int = 3) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return t("mail.report.more", lang, first=", ".join(items[:limit]), n=len(items))
