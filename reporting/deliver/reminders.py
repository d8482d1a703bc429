"""Reminders: to each unit with no accepted file, its blank form, the deadline and what was received."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from reporting.core.messages import t
from reporting.core.periods import Period
from reporting.deliver.builder import Builder, safe
from reporting.deliver.compose import XLSX, Outgoing, html_page, html_para, html_signature


def reminders(b: Builder) -> list[Outgoing]:
    """To each unit with no accepted submission: its blank form and the deadline."""
    from reporting.render.forms import write_form
    from reporting.workspace.paths import form_path

    lang, r = b.lang, b.results
    outs: list[Outgoing] = []
    deadline = b.deadline_text()
    for ru in r.units:
        if ru.status != "missing":
            continue
        unit = b.unit(ru, "remind")
        if unit is None:
            continue
        path = form_path(b.ws, unit, b.period)
        if not path.is_file():
            write_form(path, b.ws, unit, b.period, b.previous_for(unit.code))
        rejected = [f for f in r.files if _file_unit(f, b) == unit.code and wrong_file(b, f)]
        uname = unit.display_name(lang)
        span = b.period.range_zh() if lang == "zh" else b.period.label_en()
        text = [t("mail.greeting", lang, unit=uname), "",
                t("mail.remind.body", lang, span=span, deadline=deadline)]
        html_blocks = [html_para(t("mail.greeting", lang, unit=uname)),
                       html_para(t("mail.remind.body", lang, span=span, deadline=deadline))]
        for f in rejected:
            name = PurePosixPath(f.file or "").name
            if f.status == "rejected":
                line = t("mail.remind.rejected", lang, file=name, reason=f.reason or f.status)
            else:  # a file of an earlier month, used (or usable) for that month: not "未能采用"
                line = t("mail.remind.earlier_month", lang, file=name, span=span,
                         period=Period.parse(str(f.period)).label(lang))
            text += ["", line]
            html_blocks.append(html_para(line, color="#c00000"))
        tail = t("mail.remind.tail", lang)
        text += ["", tail, "", b.issuer, b.date_text()]
        html_blocks += [html_para(tail, muted=True), html_signature(b.issuer, b.date_text())]
        attachment = t("mail.remind.attachment", lang, unit=unit.name, span=b.period.range_zh())
        subject = b.subject(b.es.remind_subject, unit=unit.name)
        out = b.message(f"remind:{unit.code}", unit.name, f"remind-{unit.code}-{safe(unit.name)}",
                        subject, "\n".join(text), html_page(subject, html_blocks),
                        [(path.read_bytes(), attachment, XLSX)], *b.unit_rcpts(unit))
        if out:
            outs.append(out)
    return outs


def wrong_file(b: Builder, f: Any) -> bool:
    """A file the unit sent in this round that could not be used: rejected, or an earlier month's again.

    Earlier months' files that arrived before this period ended were that
    month's returns: not news, and not "未能采用". A rejected file counts
    when it is for this period, or (its period unknown) arrived after the
    period ended; an older one belonged to an earlier round.
    """
    after_end = _after_end(f, b.period)
    if f.status == "rejected":
        return str(f.period) == str(b.period) if f.period else after_end
    if f.status != "other-period" or not f.period:
        return False
    try:
        return Period.parse(str(f.period)) < b.period and after_end
    except ValueError:
        return False


def _after_end(f: Any, period: Period) -> bool:
    """Received after the last day of ``period`` (when unknown: yes, so nothing received is hidden)."""
    if not f.received:
        return True
    y, m = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return str(f.received)[:10] >= f"{y:04d}-{m:02d}-01"


def _file_unit(f: Any, b: Builder) -> str | None:
    """The file's unit; for a file rejected before its unit was known, the one unit its name names."""
    if f.unit or f.status != "rejected":
        return f.unit
    name = PurePosixPath(str(f.file or "")).name
    named = [u.code for u in b.ws.units if u.name and u.name in name]
    return named[0] if len(named) == 1 else None
