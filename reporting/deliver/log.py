"""The send log, ``mail/sent.json``: who got which message, so a second ``--send`` sends nothing twice.

Records are kept per message key and recipient: after a refused recipient is
fixed, only that recipient gets the message.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporting.core.errors import ReportingError
from reporting.core.messages import t
from reporting.workspace.atomic import write_text

if TYPE_CHECKING:
    from email.message import EmailMessage


def load_sent(path: Path, lang: str) -> dict[str, Any]:
    if not path.exists():
        return {"schema": 1, "messages": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise ValueError("no messages list")
        return data
    except (OSError, ValueError) as exc:
        raise ReportingError(t("mail.err.sent_json", lang, path=path, detail=exc)) from None


def save_sent(path: Path, log: dict[str, Any]) -> None:
    write_text(path, json.dumps(log, ensure_ascii=False, indent=2) + "\n")


def attachments_digest(msg: EmailMessage) -> str:
    """A fingerprint of a message's attachments, as send logs before ``content`` recorded it."""
    h = hashlib.sha256()
    for part in msg.walk():
        if part.get_filename():
            h.update(part.get_payload(decode=True) or b"")
    return h.hexdigest()[:16]


def delivered_to(log: dict[str, Any], key: str, content: str = "", legacy: str = "") -> dict[str, str]:
    """Recipients that already got message ``key`` as it is now: address (lower case) -> time.

    ``content`` is the hash of what the recipient reads (:attr:`Outgoing.digest`,
    kept as ``content`` in each record): feedback that changed since it was
    sent is not "already sent". Records written before that hash was kept are
    compared by their attachments' hash (``legacy``, the record's ``digest``).
    """
    out: dict[str, str] = {}
    for rec in log["messages"]:
        if rec.get("key") != key:
            continue
        if content and "content" in rec and rec["content"] != content:
            continue
        if legacy and "content" not in rec and rec.get("digest", legacy) != legacy:
            continue
        for a in rec.get("delivered", []):
            out.setdefault(str(a).lower(), str(rec.get("time", "")))
    return out
