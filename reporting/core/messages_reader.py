"""The message catalogue's part for reading files: refusals and warnings of reporting.io.

Merged into ``reporting.core.messages`` (which refuses a key defined twice);
each entry is ``{"zh": ..., "en": ...}``.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "reader.zip_lies": {"zh": "{part} 解压后超过其声明的大小（{size_mb} MB）",
                        "en": "{part} inflates beyond the size it declares ({size_mb} MB)"},
    "reader.ods_corrupt": {"zh": "content.xml 的表格结构异常", "en": "the table structure of content.xml is absurd"},
}
BULLETIN_LABELS: dict[str, dict[str, str]] = {}
NARRATIVE_TEXT: dict[str, dict[str, str]] = {}
