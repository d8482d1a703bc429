"""Select one submission per unit and period: identical bytes count once, the newest wins.

The losers stay listed (superseded, duplicate, other-period) so that 报送情况
can say which file was used and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from reporting.core.models import Issue, Submission, issue
from reporting.core.periods import Period


@dataclass
class Selection:
    used: dict[str, Submission]
    status: dict[str, tuple[str, str, Issue | None]]  # file -> (status, reason, issue to add)


def select(subs: list[Submission], period: Period) -> Selection:
    """One submission per unit: identical bytes count once; the newest (by second, then name) wins."""
    target = str(period)
    status: dict[str, tuple[str, str, Issue | None]] = {}
    candidates = [s for s in subs if readable(s) and s.period == target]
    first_by_hash: dict[str, Submission] = {}
    unique: list[Submission] = []
    for s in sorted(candidates, key=lambda s: (int(s.mtime), s.file)):  # the first received copy is kept
        kept = first_by_hash.get(s.sha256)
        if kept is not None:
            status[s.file] = ("duplicate", f"同 {kept.file}",
                              issue("duplicate-file", file=s.file, unit=s.unit or "", detail=kept.file))
            continue
        first_by_hash[s.sha256] = s
        unique.append(s)
    by_unit: dict[str, list[Submission]] = {}
    for s in unique:
        by_unit.setdefault(s.unit or "", []).append(s)
    used: dict[str, Submission] = {}
    for unit, group in by_unit.items():
        group.sort(key=lambda s: (int(s.mtime), s.file))
        winner = group[-1]
        used[unit] = winner
        status[winner.file] = ("used", "", None)
        for older in group[:-1]:
            status[older.file] = ("superseded", f"由 {winner.file} 取代",
                                  issue("superseded", file=older.file, unit=unit, detail=winner.file))
    for s in subs:
        if s.file in status:
            continue
        if readable(s):
            status[s.file] = ("other-period", f"{s.period} 的报表", None)
        elif s.status != "ignored" and s.period and s.period != target:
            status[s.file] = ("other-period", f"{s.period} 的报表（未通过检查）", None)
    return Selection(used, status)


def readable(s: Submission) -> bool:
    """Read, recognised and not rejected: a candidate for its period (whatever another period's selection said)."""
    return s.status != "ignored" and s.period is not None and s.unit is not None and not s.rejected


def latest_period(subs: list[Submission]) -> Period | None:
    periods = [Period.parse(s.period) for s in subs if readable(s)]
    return max(periods) if periods else None
