"""The 通报 as an official document (公文, GB/T 9704-2012) beside the workbook: ``<title>.docx``.

``content`` makes the words from the results, ``page`` the page and styles, ``body`` lays out the
text, ``tables`` the annex tables (landscape), ``package`` keeps the bytes reproducible, ``pdf``
converts with LibreOffice. Nothing reads a clock: the same results give the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reporting.core.results import Results, as_results
from reporting.workspace.config_document import DocumentConfig

__all__ = ["document_filename", "write_document"]


def document_filename(results: Results | dict[str, Any], config: DocumentConfig | None = None,
                      lang: str = "zh") -> str:
    """``<title>.docx``, the title made safe as a file name."""
    from reporting.render.document.content import document_title
    from reporting.workspace.paths import safe_filename

    results = as_results(results)
    config = config or DocumentConfig()
    district = results.district
    name = district.name_en if lang == "en" and district.name_en else district.name
    return safe_filename(document_title(results, config.document, name, lang)) + ".docx"


def write_document(path: Path, results: Results | dict[str, Any], config: DocumentConfig | None = None,
                   lang: str = "zh") -> Path:
    """Write the document to ``path`` atomically and return the path."""
    import docx

    from reporting.render.bulletin.layout import created_date
    from reporting.render.document import body, package, tables
    from reporting.render.document import page as P
    from reporting.render.document.content import build_content
    from reporting.render.narrative import tx
    from reporting.workspace.atomic import write_bytes

    results = as_results(results)
    config = config or DocumentConfig()
    settings, lights = config.document, config.lights
    content = build_content(results, settings, lights, lang)
    sections = set(settings.sections)

    doc = docx.Document()
    P.setup_styles(doc)
    P.setup_page(doc.sections[0])
    P.page_numbers(doc)
    body.masthead(doc, content, with_mark="mark" in sections)
    body.title(doc, content)
    body.parts(doc, content)
    body.annex_list(doc, content, lang)
    body.signature(doc, content, lang)
    if "annex" in sections:
        annexes = [("district", tables.district_table), ("ranking", tables.ranking_table)]
        if lights.enabled:
            annexes.append(("lights", tables.lights_table))
        for n, ((kind, make), title) in enumerate(zip(annexes, content.annexes, strict=True), 1):
            P.landscape_section(doc)
            body.para(doc, P.STYLE_ANNEX_NO, tx("gw.annex_no", lang, n=n))
            body.para(doc, P.STYLE_ANNEX_TITLE, title)
            make(doc, results, lights, lang)
            if kind == "lights":
                tables.legend(doc, lights, lang)
            elif kind == "ranking":
                body.para(doc, P.STYLE_NOTE, tx("gw.table.note_ranking", lang, cap=f"{results.cap:.0%}"))
    if "record" in sections:
        if "annex" in sections:
            P.portrait_section(doc)
        body.record(doc, content, content.date, lang)
    district = results.district
    package.core_properties(
        doc, title=content.title, subject=content.number, author=district.issuer or district.name,
        keywords=str(results.period), comments=str(results.tool),
        when=created_date(results))
    package.font_table(doc)
    package.settings_chinese(doc)
    write_bytes(Path(path), package.reproducible_bytes(doc))
    return Path(path)


def stage_documents(folder: Path, results: Results, config: DocumentConfig, lang: str = "zh", *,
                    pdf: bool = False) -> tuple[list[str], Exception | None]:
    """Write the document (and, asked for, its PDF) into ``folder`` (compile's staging folder).

    Returns the names written and, when the PDF could not be made, the reason (the .docx stands:
    a PC without LibreOffice still gets the document).
    """
    from reporting.render.document.pdf import PdfFailed, PdfUnavailable, convert_to_pdf

    if not config.document.enabled:
        return [], None
    name = document_filename(results, config, lang)
    write_document(folder / name, results, config, lang)
    names = [name]
    problem: Exception | None = None
    if pdf:
        pdf_name = name[: -len(".docx")] + ".pdf"
        try:
            convert_to_pdf(folder / name, folder / pdf_name)
            names.append(pdf_name)
        except (PdfUnavailable, PdfFailed) as exc:
            problem = exc
    return names, problem


def stale_documents(folder: Path, results: Results, config: DocumentConfig, lang: str, written: list[str]) -> list[Path]:
    """This period's document files that the run did not write (``--no-docx``, no ``--pdf``): an
    earlier compile's, whose numbers may be out of date and must not be mailed with the new bulletin."""
    name = document_filename(results, config, lang)
    candidates = [name, name[: -len(".docx")] + ".pdf"]
    return [folder / n for n in candidates if n not in written and (folder / n).is_file()]
