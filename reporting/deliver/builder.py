"""The messages of one run, built from results.json and the workspace: the bulletin, and shared helpers.

Reminders and feedback are built in :mod:`reporting.deliver.reminders` and
:mod:`reporting.deliver.feedback` with the same :class:`Builder`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporting.core.errors import ReportingError
from reporting.core.messages import t
from reporting.deliver.compose import (
    DOCX,
    PDF,
    XLSX,
    Outgoing,
    address,
    build_message,
    content_digest,
    dedupe,
    html_heading,
    html_page,
    html_para,
    html_signature,
    html_table,
    unit_addresses,
)
from reporting.deliver.drafts import draft_date

if TYPE_CHECKING:
    from email.headerregistry import Address

    from reporting.core.models import Unit
    from reporting.core.periods import Period
    from reporting.core.results import Results
    from reporting.workspace.config import Workspace


class Builder:
    """Builds the messages of one run from results.json and the workspace."""

    def __init__(self, ws: Workspace, results: Results, period: Period, lang: str,
                 override: list[str], when: dt.datetime, *, draft: bool, units: list[str] | None = None):
        self.ws, self.results, self.period, self.lang = ws, results, period, lang
        self.wanted = set(units) if units is not None else None  # --unit: only these units' messages
        self.es = ws.settings.email
        self.override = [address(a, "--to", lang) for a in override]
        self.when, self.draft = when, draft
        self.dir = ws.period_dir(period)
        self.skipped: list[dict[str, Any]] = []
        self.issuer = str(results.district.issuer or ws.settings.issuer or self.es.from_name)
        self.ind_names = {i.code: i.name_en if lang != "zh" and i.name_en else i.name
                          for i in results.district.indicators}
        self.units_known = {u.code: u for u in ws.units}
        self._previous: dict[str, dict[str, float]] | None = None

    # -- the bulletin (reminders and feedback: their own modules)

    def bulletin(self) -> list[Outgoing]:
        """One message: To the configured recipients, the units' contacts in Bcc (no reply-all storms)."""
        from reporting.render.narrative import district_table_text, narrative

        r, lang = self.results, self.lang
        name = str(r.bulletin_file or "")
        path = self.dir / name
        if not name or not path.is_file():
            raise ReportingError(t("mail.err.no_bulletin", lang, path=path, period=self.period))
        data = path.read_bytes()
        document = bulletin_document(self.dir)
        paras = [p for p in narrative(r, lang) if p]
        table_text = district_table_text(r, lang)
        title = str(r.title or self.ws.settings.title)

        text = [title, ""]
        for p in paras:
            text += [p, ""]
        text += [table_text.rstrip("\n"), ""]
        attached = t("mail.bulletin.attached", lang, file=name)
        if document is not None:
            attached += "\n" + t("mail.bulletin.document", lang, file=document.name)
        text += [attached, "", self.issuer, self.date_text()]

        blocks = [html_heading(title)] + [html_para(p) for p in paras]
        blocks.append(self.district_table_html())
        blocks.append(html_para(attached, muted=True))
        blocks.append(html_signature(self.issuer, self.date_text()))

        if self.override:
            to, cc, bcc = self.override, [], []
        else:
            where = "templates/workspace.toml [email]"
            to = [address(a, f"{where} to", lang) for a in self.es.to]
            cc = [address(a, f"{where} cc", lang) for a in self.es.cc]
            bcc = [a for u in self.ws.units for a in unit_addresses(u, lang)]
            if not to and self.es.from_addr:  # the usual etiquette: to oneself, everyone else hidden
                to = [address(self.es.from_addr, f"{where} from", lang)]
        subject = self.subject(self.es.subject)
        attachments = [(data, name, XLSX)]
        if document is not None:
            attachments.append((document.read_bytes(), document.name, PDF if document.suffix.lower() == ".pdf" else DOCX))
        out = self.message("bulletin", t("mail.label.bulletin", lang), "bulletin", subject,
                           "\n".join(text), html_page(title, blocks), attachments, to, cc, bcc)
        return [out] if out else []

    # -- helpers

    def unit(self, ru: dict[str, Any], kind: str) -> Unit | None:
        """The configured unit of a results row; None for a unit left out by --unit or no longer configured."""
        if self.wanted is not None and str(ru.code) not in self.wanted:
            return None
        unit = self.units_known.get(str(ru.code))
        if unit is None:
            self.skipped.append({"key": f"{kind}:{ru.code}", "to": [],
                                 "reason": t("mail.skip.unknown_unit", self.lang, unit=ru.name or ru.code)})
        return unit

    def unit_rcpts(self, unit: Unit) -> tuple[list[Address], list[Address], list[Address]]:
        if self.override:
            return self.override, [], []
        return unit_addresses(unit, self.lang), [], []

    def previous_for(self, code: str) -> dict[str, float] | None:
        if self._previous is None:
            from reporting.ingest.pipeline import previous_from_inbox

            self._previous = previous_from_inbox(self.ws, self.period)
        return self._previous.get(code)

    def subject(self, pattern: str, unit: str = "") -> str:
        values = SafeDict(year=self.period.year, month=self.period.month, unit=unit, period=str(self.period),
                           district=self.ws.settings.district)
        try:
            return pattern.format_map(values)
        except (ValueError, IndexError):
            return pattern

    def date_text(self) -> str:
        day = self.when.date() if not self.draft else draft_date(self.results).date()
        return f"{day.year}年{day.month}月{day.day}日" if self.lang == "zh" else day.isoformat()

    def deadline_text(self) -> str:
        """The due day as timeliness counts it: ``deadline`` of the next month, or the next working day."""
        from reporting.workspace.calendar import deadline

        day = deadline(self.period.year, self.period.month, self.es.deadline)
        return f"{day.year}年{day.month}月{day.day}日" if self.lang == "zh" else day.isoformat()

    def issue_line(self, i: dict[str, Any]) -> str:
        where = "!".join(x for x in (i.sheet, i.cell) if x)
        ind = self.ind_names.get(str(i.indicator), "") if i.indicator else ""
        head = " ".join(x for x in (where, ind) if x)
        sep = "：" if self.lang == "zh" else ": "
        return f"{head}{sep}{i.message}" if head else str(i.message)

    def issues_table_html(self, issues: list[dict[str, Any]]) -> str:
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
        return html_table(head, rows, align=["center", "left", "left", "left"])

    def district_table_html(self) -> str:
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
        return html_table(head, rows, align=["left", "center", "right", "right", "right", "right", "center", "right"])

    def message(self, key: str, label: str, stem: str, subject: str, text: str, html_body: str,
                attachments: list[tuple[bytes, str, str]], to: list[Address], cc: list[Address],
                bcc: list[Address]) -> Outgoing | None:
        """The message to ``to``/``cc``/``bcc``; None (and a skip noted) when there is nobody to send it to."""
        to, cc, bcc = dedupe(to, cc, bcc)
        rcpts = [a.addr_spec for a in (*to, *cc, *bcc)]
        if not rcpts:
            self.skipped.append({"key": key, "to": [], "reason": t("mail.skip.no_address", self.lang, unit=label)})
            return None
        msg = build_message(self.es, self.lang, key=key, subject=subject, text=text, html_body=html_body,
                            attachments=attachments, to=to, cc=cc, bcc=bcc, when=self.when,
                            id_prefix=str(self.period), draft=self.draft)
        stable = text.replace(self.date_text(), "")  # the signature's date is not new content
        return Outgoing(key, label, stem, msg, rcpts, content_digest(key, subject, stable, attachments))


def bulletin_document(folder: Path) -> Path | None:
    """The 通报 as a document beside the workbook in ``outbox/<period>/``: its .pdf, else its .docx.

    Found by the files in the period folder (not in feedback/, forms/ or
    mail/), so the mail needs nothing from the writer but the file. A PDF
    older than its .docx (the document was written again, the PDF not yet
    converted) is stale: the .docx goes instead. With several documents, the
    newest.
    """
    try:
        found = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".pdf", ".docx")
                 and not p.name.startswith(("~$", ".", "feedback"))]
    except OSError:
        return None
    if not found:
        return None
    newest = max(found, key=lambda p: (p.stat().st_mtime, p.suffix.lower() == ".pdf", p.name))
    pdf, docx = newest.with_suffix(".pdf"), newest.with_suffix(".docx")
    if pdf.is_file() and (not docx.is_file() or pdf.stat().st_mtime >= docx.stat().st_mtime - 1):
        return pdf
    return docx if docx.is_file() else newest


class SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def safe(name: str) -> str:
    from reporting.workspace.paths import safe_filename

    return safe_filename(name)
