"""The value rules, one module per family (each declares the issue codes it may raise):

- ``cells``: each value cell (normalise, unit of measure, range);
- ``relations``: indicators of the same file (``le``);
- ``form``: the form as a whole (``empty-form``);
- ``scale``: each value against the unit's annual target (``off-scale``);
- ``trend``: across periods (``ytd-decreased``, ``unusual-jump``).

This module keeps the names other code imports.
"""

from __future__ import annotations

from reporting.ingest.rules.cells import read_values
from reporting.ingest.rules.form import check_empty
from reporting.ingest.rules.relations import check_relations
from reporting.ingest.rules.scale import check_scale
from reporting.ingest.rules.trend import check_against_previous

__all__ = ["read_values", "check_empty", "check_relations", "check_scale", "check_against_previous"]
