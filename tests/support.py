"""Helpers shared by the ingestion tests: find one file's submission, its issues and values, and
build a unit's hand-made form with one or more value columns."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from reporting.core.models import Issue, Submission
from reporting.ingest.pipeline import Ingested
from reporting.workspace.config import Workspace


def only(result: Ingested, name: str) -> Submission:
    subs = [s for s in result.submissions if s.file == name]
    assert len(subs) == 1, [s.file for s in result.submissions]
    return subs[0]


def found(sub: Submission, code: str) -> list[Issue]:
    return [i for i in sub.issues if i.code == code]


def one(sub: Submission, code: str) -> Issue:
    hits = found(sub, code)
    assert len(hits) == 1, [(i.code, i.where, i.message()) for i in sub.issues]
    return hits[0]


def values(sub: Submission) -> dict[str, float | None]:
    return {k: cv.value for k, cv in sub.values.items()}


def figures(ws: Workspace, plus: float = 0) -> dict[str, float]:
    """A figure per indicator that passes every catalogue rule, ``plus`` apart from another column's."""
    out = {ind.code: 30 + n + plus for n, ind in enumerate(ws.indicators)}
    out["hte_recognised"] = 12 + plus / 10  # never above the applications (a catalogue le rule)
    return out


def column_form(ws: Workspace, name: str, heads: list[str], columns: list[dict[str, float]], title: str) -> Path:
    """湖塘镇's form as units make it: a title, a 填报单位 line, then 指标名称 and one column per head."""
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "Sheet1"
    sh.append([title])
    sh.append(["填报单位：湖塘镇"])
    sh.append(["指标名称", *heads])
    for ind in ws.indicators:
        sh.append([ind.name, *(col[ind.code] for col in columns)])
    path = ws.inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
