"""Select one submission per unit and period: identical bytes count once, the newest received wins.

Only a file whose own unit and period evidence is free of conflict is a
candidate (a conflict is a file-level error, so the file is rejected and
replaces nothing). The losers stay listed (superseded, duplicate,
other-period) so that 报送情况 can say which file was used and why.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from reporting.core.messages import t
from reporting.core.models import Issue, Submission, issue
from reporting.core.periods import Period


@dataclass
class Selection:
    used: dict[str, Submission]
    status: dict[str, tuple[str, str, Issue | None]]  # file -> (status, reason, issue to add)


def received_at(s: Submission) -> float:
    """When the file was received: the pipeline's ``received`` (falls back to the modification time)."""
    return s.received or s.mtime


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(int(ts)).isoformat(sep=" ") if ts else "—"


def order_key(s: Submission) -> tuple[int, int, str]:
    """Received time to the second, then the modification time (files first seen together); the name
    only keeps the order stable (two files alike on both are ambiguous, never chosen by name)."""
    return int(received_at(s)), int(s.mtime), s.file


def select(subs: list[Submission], period: Period, lang: str = "zh") -> Selection:
    """One submission per unit: identical bytes count once; the newest received (by second, then modified) wins."""
    target = str(period)
    status: dict[str, tuple[str, str, Issue | None]] = {}
    candidates = [s for s in subs if readable(s) and s.period == target]
    first_by_hash: dict[str, Submission] = {}
    unique: list[Submission] = []
    for s in sorted(candidates, key=order_key):  # the first received copy is kept
        kept = first_by_hash.get(s.sha256)
        if kept is not None:
            status[s.file] = ("duplicate", t("select.duplicate", lang, file=kept.file),
                              issue("duplicate-file", file=s.file, unit=s.unit or "", detail=kept.file))
            continue
        first_by_hash[s.sha256] = s
        unique.append(s)
    by_unit: dict[str, list[Submission]] = {}
    for s in unique:
        by_unit.setdefault(s.unit or "", []).append(s)
    used: dict[str, Submission] = {}
    for unit, group in by_unit.items():
        # a file whose period was only assumed (--period, nothing in it says which month) never
        # replaces one that states the period, however late it came
        group.sort(key=lambda s: (*_rank(s), s.file))
        winner = group[-1]
        tied = [s for s in group if _rank(s) == _rank(winner)]
        if len(tied) > 1:
            # different forms of one unit received in the same second: which is the correction
            # cannot be told from the times, and the file name is no evidence
            for s in tied:
                others = t("list.sep", lang).join(o.file for o in tied if o is not s)
                status[s.file] = ("rejected", "", issue("ambiguous-submission", file=s.file, unit=unit,
                                                        detail=others, when=_when(received_at(s))))
            for older in group[:-len(tied)]:
                status[older.file] = ("superseded", t("select.superseded", lang, file=tied[-1].file),
                                      issue("superseded", file=older.file, unit=unit, detail=tied[-1].file))
            continue
        used[unit] = winner
        reason = ""
        if len(group) > 1:
            runner = group[-2]
            if assumed(runner) and not assumed(winner):
                reason = t("select.won_stated", lang)
            elif int(received_at(runner)) != int(received_at(winner)):
                reason = t("select.won", lang, when=_when(received_at(winner)))
            else:  # received together, modified apart (a tie on both is ambiguous-submission, above)
                reason = t("select.won_mtime", lang, when=_when(winner.mtime))
            reason += t("select.over", lang, files=t("list.sep", lang).join(o.file for o in group[:-1]))
        status[winner.file] = ("used", reason, None)
        for older in group[:-1]:
            status[older.file] = ("superseded", t("select.superseded", lang, file=winner.file),
                                  issue("superseded", file=older.file, unit=unit, detail=winner.file))
    later = later_periods(subs, period)
    for s in subs:
        if s.file in status:
            continue
        if readable(s):
            p = Period.parse(s.period or "")
            reason = (t("select.later_period", lang, n=later[s.period or ""], period=s.period) if p > period
                      else t("select.other_period", lang, period=s.period))
            status[s.file] = ("other-period", reason, None)
        elif s.status != "ignored" and s.period and s.period != target and target not in s.claims:
            # (a file whose evidence disagrees and names this period too is listed here, rejected)
            status[s.file] = ("other-period", t("select.other_period_bad", lang, period=s.period), None)
    return Selection(used, status)


def _rank(s: Submission) -> tuple[bool, int, int]:
    """What orders a unit's files, without the name: stated period, received second, modified second."""
    return not assumed(s), int(received_at(s)), int(s.mtime)


def assumed(s: Submission) -> bool:
    """The file's period is the one the compile was asked for, not one the file states."""
    return any(i.code == "period-assumed" for i in s.issues)


def readable(s: Submission) -> bool:
    """Read, recognised and not rejected: a candidate for its period (whatever another period's selection said)."""
    return s.status != "ignored" and s.period is not None and s.unit is not None and not s.rejected


def later_periods(subs: list[Submission], period: Period) -> dict[str, int]:
    """Readable files for periods after ``period``: period -> number of files (listed, not compiled)."""
    return dict(Counter(s.period for s in subs if readable(s) and s.period and Period.parse(s.period) > period))


def default_period(subs: list[Submission]) -> Period | None:
    """The period most units submitted for (ties: the later); later files are listed, not compiled."""
    units: dict[str, set[str]] = {}
    for s in subs:
        if readable(s) and s.period:
            units.setdefault(s.period, set()).add(s.unit or "")
    if not units:
        return None
    best = max(units, key=lambda p: (len(units[p]), p))
    return Period.parse(best)


def latest_period(subs: list[Submission]) -> Period | None:
    """The latest period any readable file is for."""
    periods = [Period.parse(s.period) for s in subs if readable(s) and s.period]
    return max(periods) if periods else None
