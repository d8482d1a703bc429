"""Checks on the form as a whole: a returned form with every value cell blank is not a submission."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reporting.core.models import Issue, issue

if TYPE_CHECKING:
    from reporting.ingest.layout import Layout

CODES = ("empty-form",)


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def check_empty(layout: Layout, *, file: str, unit: str) -> Issue | None:
    """``empty-form`` (file-level error) when every indicator's value cell is blank.

    Only blanks count: a form of zeros is an answer (a small unit early in the year has none),
    so it is read, and the blank policy and other rules apply to it as to any form.
    Error cells and formulas without a value are not blank (they are problems of their own).
    """
    sheet = layout.sheet
    if not layout.rows:
        return None
    for r in layout.rows.values():
        at = (r, layout.value_col)
        if not _blank(sheet.cell(*at)) or at in sheet.errors or at in sheet.formula_no_value:
            return None
    from reporting.core.cells import a1

    first = min(layout.rows.values())
    return issue("empty-form", file=file, sheet=sheet.name, cell=a1(first, layout.value_col), unit=unit)
