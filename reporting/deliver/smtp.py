"""Sending over one SMTP connection, with every failure explained in one line.

SMTP problems become one line each (which server, what it said, what to
check) in the run's report; the CLI exits 1 when there is any. Each attempt
is recorded in the send log (:mod:`reporting.deliver.log`) after each
message, so an interrupted run still knows what went out.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import smtplib
import socket
import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporting.core.errors import ReportingError
from reporting.core.messages import t
from reporting.deliver.compose import POLICY, Outgoing
from reporting.deliver.drafts import write_eml
from reporting.deliver.log import attachments_digest, delivered_to, load_sent, save_sent

if TYPE_CHECKING:
    from email.message import EmailMessage

    from reporting.deliver.mail import MailReport
    from reporting.workspace.config import EmailSettings

CAFILE_ENV = "REPORTING_SMTP_CAFILE"  # a CA bundle (PEM) for a server with a private or self-signed certificate


def smtp_password(es: EmailSettings, given: str | None, lang: str) -> str | None:
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


def check_send_settings(es: EmailSettings, lang: str) -> None:
    missing = [k for k, v in (("host", es.host), ("from", es.from_addr)) if not v]
    if missing:
        raise ReportingError(t("mail.err.settings", lang, keys="、".join(missing) if lang == "zh" else ", ".join(missing)))
    if es.security == "none" and es.username and es.host not in ("localhost", "127.0.0.1", "::1"):
        raise ReportingError(t("mail.err.plain_login", lang, host=es.host))


class SendFailure(Exception):
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


class Connection:
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
            raise SendFailure(self.broken)
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
                        raise SendFailure(t("mail.err.no_starttls", self.lang, where=self.where))
                    smtp.starttls(context=_tls_context())
                    smtp.ehlo()
            if es.username:
                smtp.login(es.username, self.password or "")
        except SendFailure as exc:
            self._close(smtp)
            self.broken = exc.reason
            raise
        except Exception as exc:  # noqa: BLE001 - every cause becomes one explained line
            self._close(smtp)
            self.broken = self.explain(exc, connecting=True)
            raise SendFailure(self.broken) from None
        self.smtp = smtp
        return smtp

    def send(self, from_addr: str, rcpts: list[str], data: bytes) -> dict[str, str]:
        """Send; return refused recipients (address -> reason). Raise SendFailure for the whole message."""
        smtp = self.open()
        try:
            refused = smtp.sendmail(from_addr, rcpts, data)
        except smtplib.SMTPRecipientsRefused as exc:
            return {a: _reply_pair(v) for a, v in exc.recipients.items()}
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise SendFailure(self.explain(exc), fatal=False) from None
        except Exception as exc:  # noqa: BLE001 - a dropped or timed-out session: reconnect for the next one
            reason = self.explain(exc)
            self._close(self.smtp)
            self.smtp = None
            raise SendFailure(reason, fatal=False) from None
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


def send_all(folder: Path, outgoing: list[Outgoing], es: EmailSettings, password: str | None,
              resend: bool, lang: str, report: MailReport) -> None:
    """Send each message to the recipients that have not had it yet, recording every attempt."""
    sent_path = folder / "sent.json"
    log = load_sent(sent_path, lang)
    log.setdefault("period", report.period)
    conn = Connection(es, password, lang)
    try:
        for out in outgoing:
            # feedback and reminders whose content changed go again; a bulletin only with --resend
            content = out.digest if out.key != "bulletin" else ""
            digest = attachments_digest(out.msg) if out.key.startswith("feedback:") else ""
            done = {} if resend else delivered_to(log, out.key, content, digest)
            pending = [a for a in out.rcpts if a.lower() not in done]
            changed = not resend and any(a.lower() in delivered_to(log, out.key) for a in pending)
            if not pending:
                when = max(done.values(), default="")
                report.skipped.append({"key": out.key, "to": list(out.rcpts),
                                       "reason": t("mail.skip.already", lang, time=when[:16].replace("T", " "))})
                continue
            msg = _without_bcc(out.msg)  # Bcc recipients are in the envelope only
            data = msg.as_bytes(policy=POLICY)
            report.written.append(write_eml(folder, Outgoing(out.key, out.label, out.stem, msg, out.rcpts)))
            now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            record: dict[str, Any] = {"key": out.key, "message_id": str(msg["Message-ID"]),
                                      "subject": str(msg["Subject"]), "to": pending, "time": now}
            if content:
                record["content"] = content
            if digest:
                record["digest"] = digest
            try:
                refused = conn.send(es.from_addr, pending, data)
            except SendFailure as exc:
                record.update(delivered=[], refused={}, result="failed", reason=exc.reason)
                report.failed.append({"key": out.key, "to": pending, "reason": exc.reason})
            else:
                delivered = [a for a in pending if a not in refused]
                result = "sent" if not refused else ("partial" if delivered else "failed")
                record.update(delivered=delivered, refused=refused, result=result)
                if delivered:
                    report.sent.append({"key": out.key, "message_id": record["message_id"], "to": delivered,
                                        "time": now, "result": result, "changed": changed})
                for addr, why in refused.items():
                    report.failed.append({"key": out.key, "to": [addr],
                                          "reason": t("mail.err.rcpt", lang, address=addr, reply=why)})
            log["messages"].append(record)
            save_sent(sent_path, log)  # after each message: an interrupted run still knows what went out
    finally:
        conn.close()


def _without_bcc(msg: EmailMessage) -> EmailMessage:
    """The message as it went out: the copy kept in mail/ has no Bcc header, like a Sent folder's."""
    m = copy.deepcopy(msg)
    del m["Bcc"]
    return m
