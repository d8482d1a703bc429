"""Building one message: headers, plain and HTML bodies, attachments whose Chinese names survive Outlook.

Every message is built with deterministic bytes (boundaries and Message-ID
come from a hash of its content), so a draft can be reviewed and diffed.
Chinese names must survive Outlook as well as webmail: attachments carry
both the RFC 2231 ``filename*=`` (Content-Disposition) that standards-minded
clients read and the RFC 2047 ``name="=?utf-8?b?...?="`` (Content-Type) that
Outlook reads, as MimeKit and nodemailer write them. The HTML uses inline
styles only: Outlook (the Word engine) drops <style> and most CSS layout.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING

from reporting import __version__
from reporting.core.errors import ReportingError
from reporting.core.messages import t

if TYPE_CHECKING:
    from reporting.core.models import Unit
    from reporting.workspace.config import EmailSettings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")
# refold_source="none": headers we set raw (the attachment's Content-Type with its
# RFC 2047 name) are written as given; every other header is still folded by policy.
POLICY = email_policy.SMTP.clone(refold_source="none")
FONT = "font-family:'Microsoft YaHei','微软雅黑',SimSun,sans-serif;"
_MAX_LINE = 998  # RFC 5322 hard limit on a line, which Outlook enforces
_WORD_BYTES = 45  # 45 bytes -> 60 base64 characters: an encoded-word stays within 75


@dataclass
class Outgoing:
    """One built message: its send-log key, its label in the summary, its .eml name and its envelope."""

    key: str
    label: str  # 通报 or the unit's name, for the summary
    stem: str  # .eml file name without suffix
    msg: EmailMessage
    rcpts: list[str]  # envelope recipients (addr-specs), To + Cc + Bcc
    digest: str = ""  # what the recipient reads, without the date: changed content is new content


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
    if is_ascii(filename) and '"' not in filename and "\\" not in filename:
        part.set_raw("Content-Type", f'{ctype};\r\n name="{filename}"')
    else:
        part.set_raw("Content-Type", f'{ctype};\r\n name="{_rfc2047(filename)}"')
    for k, v in keep:
        part.set_raw(k, v)
    if disposition:
        part.set_raw("Content-Disposition", disposition)


# --------------------------------------------------------------------------- encodings


def is_ascii(text: str) -> bool:
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
    if is_ascii(filename):
        return None
    from urllib.parse import quote

    value = f" filename*=utf-8''{quote(filename, safe='')}"
    return f"attachment;\r\n{value}" if len(value) <= _MAX_LINE else None


def address(text: str, where: str, lang: str) -> Address:
    """Parse ``"张三 <a@b.cn>"`` or ``a@b.cn`` into an Address (display names encoded per RFC 2047)."""
    name, addr = parseaddr(text)
    if not addr or "@" not in addr or not is_ascii(addr) or " " in addr:
        raise ReportingError(t("mail.err.address", lang, address=text, where=where))
    local, _, domain = addr.rpartition("@")
    try:
        return Address(display_name=name, username=local, domain=domain)
    except (ValueError, TypeError) as exc:
        raise ReportingError(t("mail.err.address", lang, address=text, where=where)) from exc


def unit_addresses(unit: Unit, lang: str) -> list[Address]:
    where = f"templates/workspace.toml [[units]] {unit.code}"
    out: list[Address] = []
    for e in unit.emails:
        a = address(e, where, lang)
        out.append(Address(display_name=a.display_name or unit.name, addr_spec=a.addr_spec))
    return out


def dedupe(*lists: list[Address]) -> tuple[list[Address], ...]:
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


def build_message(es: EmailSettings, lang: str, *, key: str, subject: str, text: str, html_body: str,
                  attachments: list[tuple[bytes, str, str]], to: list[Address], cc: list[Address],
                  bcc: list[Address], when: dt.datetime, id_prefix: str, draft: bool) -> EmailMessage:
    """The message, with Message-ID and MIME boundaries from a hash of its content (reproducible bytes)."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = " ".join(subject.split())  # a pattern or unit name with a line break cannot break the header
    if es.from_addr:
        msg["From"] = Address(display_name=es.from_name,
                              addr_spec=address(es.from_addr, "[email] from", lang).addr_spec)
    if to:
        msg["To"] = to
    if cc:
        msg["Cc"] = cc
    if bcc:
        msg["Bcc"] = bcc  # kept in the draft for the clerk; removed before SMTP
    if es.reply_to:
        msg["Reply-To"] = address(es.reply_to, "[email] reply_to", lang)
    digest = hashlib.sha256()
    for piece in (key, subject, text, html_body, *(n for _, n, _ in attachments)):
        digest.update(piece.encode("utf-8") + b"\0")
    for data, _, _ in attachments:
        digest.update(hashlib.sha256(data).digest())
    h = digest.hexdigest()[:16]
    domain = es.from_addr.rpartition("@")[2] if "@" in es.from_addr else "localhost"
    slug = re.sub(r"[^A-Za-z0-9_.-]", ".", key)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<reporting.{id_prefix}.{slug}.{h}@{domain}>"
    msg["X-Mailer"] = f"reporting {__version__}"
    if draft:
        msg["X-Unsent"] = "1"  # Outlook opens such an .eml as a new message, ready to send
    msg.set_content(text + "\n", subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(html_body, subtype="html", charset="utf-8", cte="base64")
    for data, name, mime in attachments:
        attach(msg, data, name, mime)
    for n, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_reporting_{h}_{n}")  # "=_" never occurs in base64 bodies
    return msg


def content_digest(key: str, subject: str, text: str, attachments: list[tuple[bytes, str, str]]) -> str:
    """A fingerprint of what the recipient reads (the caller leaves the date out): the send log keeps it."""
    h = hashlib.sha256()
    for piece in (key, subject, text, *(n for _, n, _ in attachments)):
        h.update(piece.encode("utf-8") + b"\0")
    for data, _, _ in attachments:
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------- HTML (inline styles only)

_CELL = f"{FONT}font-size:13px;border:1px solid #bfbfbf;padding:4px 8px;"


def html_page(title: str, blocks: list[str]) -> str:
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


def html_heading(text: str) -> str:
    return f'<div style="{FONT}font-size:18px;font-weight:bold;color:#1f3864;line-height:1.5;">{html.escape(text)}</div>'


def html_para(text: str, *, muted: bool = False, color: str | None = None) -> str:
    c = color or ("#666666" if muted else "#222222")
    body = "<br>".join(html.escape(line) for line in text.split("\n"))
    return f'<div style="{FONT}font-size:14px;line-height:1.7;color:{c};">{body}</div>'


def html_signature(issuer: str, date: str) -> str:
    return (f'<div style="{FONT}font-size:14px;line-height:1.7;color:#222222;text-align:right;">'
            f"{html.escape(issuer)}<br>{html.escape(date)}</div>")


def html_table(head: list[str], rows: list[list[tuple[str, str | None]]], align: list[str]) -> str:
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
