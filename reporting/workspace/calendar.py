"""Working days and the submission deadline.

Forms for month M are due on the workspace's ``deadline`` day of month M+1;
a deadline on a weekend or a public holiday moves to the next working day.
Public holidays and the make-up working days (调休) come from the maintained
``chinese-calendar`` package, which knows the State Council's schedule for the
years it was released with; outside those years (or without the package)
only weekends are skipped, and :func:`calendar_name` says so.
"""

from __future__ import annotations

import datetime as dt
import functools


@functools.cache
def _cc():  # type: ignore[no-untyped-def]
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - declared dependency
        return None
    return chinese_calendar


def is_working_day(day: dt.date) -> bool:
    cc = _cc()
    if cc is not None:
        try:
            return bool(cc.is_workday(day))
        except NotImplementedError:  # a year the package does not know yet
            pass
    return day.weekday() < 5


def knows_holidays(year: int) -> bool:
    cc = _cc()
    if cc is None:
        return False
    try:
        cc.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def calendar_name(year: int) -> str:
    """``chinese-calendar <version>`` when its holidays are used for ``year``, else ``weekends``."""
    if knows_holidays(year):
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"chinese-calendar {version('chinese-calendar')}"
        except PackageNotFoundError:  # pragma: no cover
            return "chinese-calendar"
    return "weekends"


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def deadline(year: int, month: int, day: int) -> dt.date:
    """The day forms for ``year``-``month`` are due: ``day`` of the next month, or the next working day."""
    y, m = (year + 1, 1) if month == 12 else (year, month + 1)
    return next_working_day(dt.date(y, m, day))


def days_late(received: dt.datetime, due: dt.date) -> int:
    """Calendar days after the deadline day (0 = received on or before it)."""
    return max(0, (received.date() - due).days)
