"""Assemble ``results.json``: the machine-readable twin of the bulletin (see docs/results.md).

Everything the bulletin shows is computed here, once, from the selected
submissions and the targets; the bulletin and the emails only lay it out.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Any

from reporting import __version__
from reporting.core.periods import Period
from reporting.core.results import (
    District,
    DistrictIndicator,
    FileRecord,
    GroupResult,
    HistoryPoint,
    IssueRecord,
    Results,
    Source,
    Summary,
    UnitResult,
    ValueResult,
)
from reporting.ingest.pipeline import received, submission_dict
from reporting.score import rules as sc

if TYPE_CHECKING:
    from reporting.core.models import CellValue
    from reporting.ingest.pipeline import Ingested
    from reporting.workspace.config import Workspace

SCHEMA = 1


def _r(x: float | None, places: int = 4) -> float | None:
    return None if x is None else round(x, places)


def unit_rates(ws: Workspace, period: Period, values: dict[str, dict[str, float]]) -> dict[str, dict[str, float | None]]:
    """Completion rate per unit and indicator from plain accepted values."""
    targets = ws.targets_for(period.year)
    codes = [ind.code for ind in ws.indicators]
    out: dict[str, dict[str, float | None]] = {}
    for u in ws.units:
        tgts = targets.units.get(u.code, {}) if targets else {}
        vals = values.get(u.code, {})
        out[u.code] = {c: sc.completion_rate(vals.get(c), tgts.get(c)) for c in codes}
    return out


def composite_ranks(ws: Workspace, period: Period, values: dict[str, dict[str, float]],
                    pending: dict[str, set[str]] | None = None,
                    rates: dict[str, dict[str, float | None]] | None = None,
                    ) -> dict[str, tuple[float | None, int | None, bool]]:
    """Composite score and within-group rank for every unit that has values.

    ``pending``: per unit, indicators with a target whose value awaits verification (counted as 0);
    ``rates``: ``unit_rates`` of these values, when the caller has them already.
    """
    weights = {i.code: i.weight for i in ws.indicators}
    rates = unit_rates(ws, period, values) if rates is None else rates
    pending = pending or {}
    scores = {u: (sc.composite_score(rates[u], weights, ws.settings.cap, pending.get(u, ())) if u in values else None)
              for u in rates}
    out: dict[str, tuple[float | None, int | None, bool]] = {}
    for g in ws.groups:
        members = {u.code: scores[u.code] for u in ws.units_in(g.code)}
        ranks = sc.rank_with_ties(members, sc.SCORE_PLACES)
        for code, score in members.items():
            rank, tied = ranks.get(code, (None, False))
            out[code] = (score, rank, tied)
    return out


def pending_values(ws: Workspace, period: Period, used: dict[str, Any]) -> dict[str, set[str]]:
    """Per unit: the indicators with a positive target whose value was excluded by an error (待核实)."""
    targets = ws.targets_for(period.year)
    out: dict[str, set[str]] = {}
    for u, s in used.items():
        for ind in ws.indicators:
            cv = s.values.get(ind.code)
            tgt = targets.unit_target(u, ind.code) if targets else None
            if (cv is None or cv.excluded) and tgt is not None and tgt > 0:
                out.setdefault(u, set()).add(ind.code)
    return out


def previous_composite_ranks(ws: Workspace, period: Period, parsed: list[Any]) -> dict[str, int] | None:
    """Last month's composite ranks: as published, else computed from last month's inbox files."""
    from reporting.ingest.previous import values_for
    from reporting.workspace.published import previous_ranks

    published = previous_ranks(ws, period)
    if published is not None:
        return published
    prev = period.previous()
    if prev is None:
        return None
    values = values_for(ws, prev, parsed)
    if not values:
        return None
    return {u: r for u, (_, r, _) in composite_ranks(ws, prev, values).items() if r is not None}


def build_results(ws: Workspace, ingested: Ingested, lang: str = "zh") -> Results:
    """The whole results dict for ``ingested.period``."""
    from reporting.ingest.previous import district_history

    period = ingested.period
    assert period is not None
    targets = ws.targets_for(period.year)
    used = ingested.used
    accepted: dict[str, dict[str, float]] = {
        u: {k: cv.value for k, cv in s.values.items() if cv.value is not None and not cv.excluded}
        for u, s in used.items()
    }
    rates = unit_rates(ws, period, accepted)
    # rates as shown (0.1%): ranks and statuses compare these, so rates that look equal are equal
    shown_rates = {u: {c: sc.shown(r) for c, r in by_ind.items()} for u, by_ind in rates.items()}
    pending_by_unit = pending_values(ws, period, used)
    composite = composite_ranks(ws, period, accepted, pending_by_unit, rates)
    weights = {i.code: i.weight for i in ws.indicators}
    prev_ranks = previous_composite_ranks(ws, period, ingested.submissions)

    # per indicator ranks within each group
    ind_ranks: dict[tuple[str, str], tuple[int, bool]] = {}
    for g in ws.groups:
        members = [u.code for u in ws.units_in(g.code)]
        for ind in ws.indicators:
            ranked = sc.rank_with_ties({u: shown_rates[u][ind.code] for u in members})
            for u, rt in ranked.items():
                ind_ranks[(u, ind.code)] = rt
    # what each indicator's columns share for the period (asked for 24,000 times at 2,000 units)
    per_ind = [(ind.code, ind.weight, _r(s), sc.shown(s) or 0.0)
               for ind in ws.indicators for s in (ind.schedule_at(period.month),)]

    values_out: list[ValueResult] = []
    unit_rows: list[UnitResult] = []
    for g in ws.groups:
        members = ws.units_in(g.code)
        # ranked units by rank, then units with nothing to score, then units that did not submit
        ordered = sorted(members, key=lambda u: (composite[u.code][1] is None, u.code not in used,
                                                  composite[u.code][1] or 0, ws.unit_order[u.code]))
        for u in ordered:
            sub = used.get(u.code)
            score, rank, tied = composite[u.code]
            on_sched = scored = 0
            unit_targets = targets.units.get(u.code, {}) if targets else {}
            unit_rate, unit_shown = rates[u.code], shown_rates[u.code]
            for code, weight, schedule_r, schedule_shown in per_ind:
                tgt = unit_targets.get(code)
                cv: CellValue | None = sub.values.get(code) if sub else None
                rate = unit_rate[code]
                has_target = tgt is not None and tgt > 0
                if sub is None:
                    status = sc.MISSING
                elif cv is None or cv.excluded:
                    status = sc.PENDING
                elif cv.value is None:
                    status = sc.MISSING
                else:
                    status = sc.status_of(unit_shown[code], schedule_shown, has_target=has_target)
                if has_target and weight > 0 and status not in (sc.MISSING,):
                    scored += 1 if status != sc.PENDING else 0
                    on_sched += status in (sc.COMPLETED, sc.ON_SCHEDULE)
                rk = ind_ranks.get((u.code, code))
                values_out.append(ValueResult(
                    unit=u.code, indicator=code,
                    actual=None if cv is None or cv.excluded else cv.value,
                    target=tgt, rate=_r(rate), schedule=schedule_r, status=status,
                    rank=rk[0] if rk else None, rank_tied=rk[1] if rk else False,
                    remark=sub.remarks.get(code, "") if sub else "",
                    source=Source(file=sub.file, sha256=sub.sha256, sheet=cv.sheet or None,
                                  cell=cv.cell or None) if sub and cv else None,
                ))
            errors, warnings = sub.counts() if sub else (0, 0)
            prev = prev_ranks.get(u.code) if prev_ranks else None
            unit_rows.append(UnitResult(
                code=u.code, name=u.name, name_en=u.name_en, group=u.group,
                status="missing" if sub is None else ("errors" if errors else ("warnings" if warnings else "ok")),
                file=sub.file if sub else None,
                received=received(sub.received or sub.mtime) if sub else None,
                score=_r(score, sc.SCORE_PLACES), rank=rank, rank_tied=tied,
                rank_change=(prev - rank) if (prev is not None and rank is not None) else None,
                previous_rank=prev,
                on_schedule=on_sched if sub else None, scored=scored if sub else None,
                errors=errors, warnings=warnings,
                score_complete=sc.score_complete(pending_by_unit.get(u.code, ()), weights) if sub else True,
            ))

    district_rows: list[DistrictIndicator] = []
    n_used = len(used)
    for ind in ws.indicators:
        schedule = ind.schedule_at(period.month)
        target = targets.district_target(ind.code) if targets else None
        counted = [accepted[u][ind.code] for u in accepted if ind.code in accepted[u]]
        pending = sum(1 for s in used.values() if (cv := s.values.get(ind.code)) is None or cv.excluded)
        actual = round(sum(counted), ind.decimals) if counted else (0.0 if n_used else None)
        rate = sc.completion_rate(actual, target)
        has_target = target is not None and target > 0
        district_rows.append(DistrictIndicator(
            code=ind.code, name=ind.name, name_en=ind.name_en, unit=ind.unit, unit_en=ind.unit_en,
            decimals=ind.decimals, weight=ind.weight, target=target, actual=actual,
            rate=_r(rate), schedule=_r(schedule),
            status=sc.status_of(sc.shown(rate), sc.shown(schedule) or 0.0, has_target=has_target),
            gap=sc.shown_gap(rate, schedule) if has_target else None,
            units_counted=len(counted), units_missing=len(ws.units) - n_used, units_pending=pending,
        ))

    issues = [IssueRecord(**i.to_dict(lang)) for s in ingested.relevant() for i in s.issues if i.severity != "info"]
    files = [FileRecord(**{k: v for k, v in submission_dict(s, lang).items() if k != "issues"})
             for s in ingested.submissions]
    last_day = calendar.monthrange(period.year, period.month)[1]
    scored_inds = [d for d in district_rows if d.weight > 0 and d.target]
    s = ws.settings
    fmt = {"year": period.year, "month": period.month, "district": s.district}
    return Results(
        schema=SCHEMA,
        tool=f"reporting {__version__}",
        period=str(period), year=period.year, month=period.month, lang=lang,
        title=s.title.format(**fmt) if lang == "zh" else s.title_en.format(
            year=period.year, month=period.month, district=s.district_en or s.district,
            month_name=calendar.month_name[period.month]),
        bulletin_file=s.bulletin_name.format(**fmt) + ".xlsx",
        as_of=dt.date(period.year, period.month, last_day).isoformat(),
        schedule=_r(period.month / 12),
        cap=s.cap,
        district=District(name=s.district, name_en=s.district_en, city=s.city, issuer=s.issuer,
                          issuer_en=s.issuer_en, indicators=tuple(district_rows)),
        groups=tuple(GroupResult(code=g.code, name=g.name, name_en=g.name_en) for g in ws.groups),
        units=tuple(unit_rows),
        values=tuple(values_out),
        issues=tuple(issues),
        files=tuple(files),
        history=tuple(HistoryPoint(period=h["period"], indicators=h["indicators"])
                      for h in district_history(ws, period, ingested.submissions)),
        summary=Summary(
            units=len(ws.units), submitted=n_used, missing=len(ws.units) - n_used,
            with_errors=sum(1 for r in unit_rows if r.status == "errors"),
            missing_units=tuple(r.code for r in unit_rows if r.status == "missing"),
            pending_values=sum(1 for v in values_out if v.status == sc.PENDING),
            notes=sum(1 for sub in used.values() for i in sub.issues if i.severity == "info"
                      and i.code in ("value-normalised", "layout-inferred", "unit-inferred", "period-inferred")),
            on_schedule_indicators=sum(1 for d in scored_inds if d.status in (sc.COMPLETED, sc.ON_SCHEDULE)),
            scored_indicators=len(scored_inds),
        ),
    )
