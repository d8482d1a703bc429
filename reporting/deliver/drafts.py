"""Drafts: the .eml files in ``outbox/<period>/mail/`` that the clerk opens, checks and sends.

A draft's bytes depend only on the inputs (its Date is fixed), so running
again with the same inputs gives the same files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from reporting.deliver.compose import CHINA_TZ, POLICY
from reporting.workspace.atomic import write_bytes

if TYPE_CHECKING:
    from reporting.core.results import Results
    from reporting.deliver.compose import Outgoing


def write_eml(folder: Path, out: Outgoing) -> Path:
    path = folder / f"{out.stem}.eml"
    folder.mkdir(parents=True, exist_ok=True)
    write_bytes(path, out.msg.as_bytes(policy=POLICY))
    return path


def clean_drafts(folder: Path, kind: str, keep: set[str], units: list[str] | None = None) -> None:
    """Remove drafts of this kind left by an earlier run (a unit that has since submitted).

    With ``units`` (--unit), only those units' drafts are replaced: the others stay.
    """
    if not folder.is_dir():
        return
    pattern = "bulletin.eml" if kind == "bulletin" else f"{kind}-*.eml"
    for path in folder.glob(pattern):
        if units is not None and not any(path.stem.startswith(f"{kind}-{code}-") for code in units):
            continue
        if path.stem not in keep:
            path.unlink(missing_ok=True)


def draft_date(results: Results) -> dt.datetime:
    """A draft's Date: noon (China time) on the period's last day, so identical inputs give identical .eml bytes.

    The real time is used when sending; a draft's date is only a placeholder
    that a mail program replaces when the clerk sends it.
    """
    try:
        day = dt.date.fromisoformat(str(results.as_of))
    except ValueError:
        day = dt.date(int(results.year or 2000), int(results.month or 1), 1)
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=CHINA_TZ)
