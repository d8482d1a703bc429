"""Helpers shared by the ingestion tests: find one file's submission and its issues."""

from __future__ import annotations

from reporting.core.models import Issue, Submission
from reporting.ingest.pipeline import Ingested


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
