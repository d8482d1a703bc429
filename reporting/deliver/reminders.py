"""Reminders: to each unit with no accepted file, its blank form, the deadline and what was received."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from reporting.core.messages import t
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
        rejected = [f for f in r.files if f.unit == unit.code and wrong_file(b, f)]
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
                line = t("mail.remind.earlier", lang, file=name, period=f.period or "", span=span)
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
    """A file the unit sent for this period that could not be used: rejected, or an earlier month's again."""
    if f.status == "rejected":
        return True
    return f.status == "other-period" and str(f.period or "9999") < str(b.period)
