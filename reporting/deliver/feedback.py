"""Feedback: to each unit whose accepted file has errors or warnings, the list and its annotated workbook."""

from __future__ import annotations

from pathlib import PurePosixPath

from reporting.core.messages import t
from reporting.deliver.builder import Builder, safe
from reporting.deliver.compose import XLSX, Outgoing, html_page, html_para, html_signature


def feedback(b: Builder) -> list[Outgoing]:
    """To each unit whose accepted file has errors or warnings: the list and its annotated workbook.

    Only the issues of the file used count: a superseded or duplicate file's
    notes (the unit sent a correction) would only confuse the unit.
    """
    lang, r = b.lang, b.results
    outs: list[Outgoing] = []
    for ru in r.units:
        if ru.status not in ("warnings", "errors"):
            continue
        unit = b.unit(ru, "feedback")
        if unit is None:
            continue
        used = ru.file
        issues = [i for i in r.issues if i.unit == unit.code
                  and i.severity in ("error", "warning") and i.file in (used, None)]
        issues.sort(key=lambda i: i.severity != "error")
        errors = [i for i in issues if i.severity == "error"]
        warnings = [i for i in issues if i.severity == "warning"]
        uname = unit.display_name(lang)
        span = b.period.range_zh() if lang == "zh" else b.period.label_en()
        which = "both" if errors and warnings else ("errors" if errors else "warnings")
        intro = t(f"mail.feedback.body_{which}", lang, span=span, file=PurePosixPath(used or "").name,
                  errors=len(errors), warnings=len(warnings))
        text = [t("mail.greeting", lang, unit=uname), "", intro, ""]
        for label_key, group in (("mail.feedback.errors", errors), ("mail.feedback.warnings", warnings)):
            if group:
                text.append(t(label_key, lang, n=len(group)))
                text += [f"  {n}. {b.issue_line(i)}" for n, i in enumerate(group, 1)]
                text.append("")
        wb = b.dir / "feedback" / f"{safe(unit.name)}.xlsx"
        attachments = []
        if wb.is_file():
            attachments.append((wb.read_bytes(), t("mail.feedback.attachment", lang, unit=unit.name,
                                                   span=b.period.range_zh()), XLSX))
        tail = t(f"mail.feedback.tail_{'errors' if errors else 'warnings'}", lang)
        if attachments:
            tail = t("mail.feedback.attached", lang) + tail
        text += [tail, "", b.issuer, b.date_text()]
        html_blocks = [html_para(t("mail.greeting", lang, unit=uname)), html_para(intro), b.issues_table_html(issues),
                       html_para(tail, muted=True), html_signature(b.issuer, b.date_text())]
        subject = b.subject(b.es.feedback_subject, unit=unit.name)
        out = b.message(f"feedback:{unit.code}", unit.name, f"feedback-{unit.code}-{safe(unit.name)}",
                        subject, "\n".join(text), html_page(subject, html_blocks), attachments,
                        *b.unit_rcpts(unit))
        if out:
            outs.append(out)
    return outs

# -- helpers
