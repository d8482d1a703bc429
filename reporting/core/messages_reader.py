"""The message catalogue's part for reading files: refusals and warnings of reporting.io.

Merged into ``reporting.core.messages`` (which refuses a key defined twice);
each entry is ``{"zh": ..., "en": ...}``.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
BULLETIN_LABELS: dict[str, dict[str, str]] = {}
NARRATIVE_TEXT: dict[str, dict[str, str]] = {}
