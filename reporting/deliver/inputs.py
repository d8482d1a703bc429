"""What a mail run reads: results.json (or, for reminders before a compile, every unit missing)."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from reporting.core.errors import ReportingError
from reporting.core.messages import t
from reporting.core.results import Results

if TYPE_CHECKING:
    from reporting.core.periods import Period
    from reporting.workspace.config import Workspace


def load_results(ws: Workspace, period: Period, lang: str) -> Results:
    path = ws.period_dir(period) / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportingError(t("mail.err.no_results", lang, path=path, period=period)) from None
    except (OSError, ValueError) as exc:
        raise ReportingError(t("mail.err.bad_results", lang, path=path, detail=exc, period=period)) from None
    if not isinstance(data, dict) or data.get("period") not in (None, str(period)):
        raise ReportingError(t("mail.err.bad_results", lang, path=path, detail="period", period=period))
    try:
        return Results.from_json(data)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ReportingError(t("mail.err.bad_results", lang, path=path, detail=exc, period=period)) from None


def results_path(ws: Workspace, period: Period) -> Path:
    return ws.period_dir(period) / "results.json"


def start_of_month(ws: Workspace, period: Period) -> Results:
    """Results before any compile: every unit missing, nothing received (reminders at the start of the month)."""
    last = calendar.monthrange(period.year, period.month)[1]
    return Results.from_json({
        "period": str(period), "year": period.year, "month": period.month, "lang": ws.settings.lang,
        "as_of": dt.date(period.year, period.month, last).isoformat(),
        "district": {"name": ws.settings.district, "issuer": ws.settings.issuer},
        "groups": [{"code": g.code, "name": g.name, "name_en": g.name_en} for g in ws.groups],
        "units": [{"code": u.code, "name": u.name, "name_en": u.name_en, "group": u.group, "status": "missing"}
                  for u in ws.units],
    })


def no_results_note(ws: Workspace, period: Period, lang: str) -> list[str]:
    """Reminders before a compile go to every unit: say so, and, when inbox/ has files, how to remind fewer."""
    note = t("mail.note.no_results", lang, n=len(ws.units), period=period)
    if any(_counts(path) for path in _inbox_files(ws)):
        note += t("mail.note.no_results_inbox", lang, period=period)
    return [note]


def newer_files(ws: Workspace, period: Period, known: set[str] | None = None) -> int:
    """How many files in inbox/ arrived after results.json was written (0 when there is none).

    A file counts by the later of its modification and its change time: a
    file saved from a mail program or copied with its original (older)
    modification time still arrived after the compile. A file that keeps both
    (moved on the same Windows drive) is still new when results.json does not
    list it (``known``: the compile's file names, relative to inbox/). Lock
    files, hidden files and the clerk's notes (.txt, .md) do not count.
    """
    try:
        stamp = results_path(ws, period).stat().st_mtime
    except OSError:
        return 0
    newer = 0
    for path in _inbox_files(ws):
        if not _counts(path):
            continue
        try:
            st = path.stat()
        except OSError:
            continue
        unknown = known is not None and _relative(path, ws.inbox) not in known
        if unknown or max(st.st_mtime, st.st_ctime) > stamp + 1:
            newer += 1
    return newer


def _inbox_files(ws: Workspace) -> list[Path]:
    out: list[Path] = []
    for root, dirs, files in os.walk(ws.inbox):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        out += [Path(root) / name for name in files]
    return out


def _relative(path: Path, inbox: Path) -> str:
    try:
        return path.relative_to(inbox).as_posix()
    except ValueError:
        return path.as_posix()


def _counts(path: Path) -> bool:
    """A file that compile would read as a possible submission (not a lock, hidden or note file)."""
    from reporting.io.book import classify_name

    return classify_name(path) is None and path.suffix.lower() not in (".txt", ".md")
