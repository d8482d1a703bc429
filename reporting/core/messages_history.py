"""The message catalogue's part for the history store, its workbook and the history commands.

Merged into ``reporting.core.messages`` (which refuses a key defined twice);
each entry is ``{"zh": ..., "en": ...}``.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
BULLETIN_LABELS: dict[str, dict[str, str]] = {}
NARRATIVE_TEXT: dict[str, dict[str, str]] = {}
