"""Where things live in a workspace: period folders, forms, feedback, targets; safe file names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reporting.core.models import Unit
    from reporting.core.periods import Period
    from reporting.workspace.config import Workspace

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_filename(name: str) -> str:
    """A file name that Windows and POSIX both accept; unit names are display text, not paths."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip().rstrip(".")
    return cleaned or "_"


def form_path(ws: Workspace, unit: Unit, period: Period) -> Path:
    """Where the blank form for ``unit`` goes: ``outbox/<period>/forms/<unit name>_<2023年3月>.xlsx``.

    The period in the name keeps returned files of different months from
    colliding in inbox/, and is one of the period's pieces of evidence.
    """
    return ws.period_dir(period) / "forms" / f"{safe_filename(unit.name)}_{period.label_zh()}.xlsx"


def feedback_path(ws: Workspace, period: Period | str, unit: Unit) -> Path:
    """Where ``unit``'s feedback workbook goes: ``outbox/<period>/feedback/<unit name>.xlsx``."""
    return ws.period_dir(period) / "feedback" / f"{safe_filename(unit.name)}.xlsx"


def targets_path(ws: Workspace, year: int) -> Path:
    """The clerk's targets workbook for ``year``."""
    return ws.templates / "targets" / f"{year}.xlsx"
