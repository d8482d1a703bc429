"""The layout of the tool's own submission form, shared by the writer and the reader.

The form's very-hidden ``_meta`` sheet makes reading back exact: column A
holds keys, column B values. Rows after ``rows`` map each table row number
of the data sheet to an indicator code.
"""

from __future__ import annotations

FORM_VERSION = "1"
DATA_SHEET = "填报表"
META_SHEET = "_meta"

# Column headers of the data table, in order (column A..G).
HEADERS = ["序号", "指标名称", "计量单位", "年度目标", "上月累计", "本年累计", "备注"]
HEADERS_EN = ["No.", "Indicator", "Unit", "Annual target", "Last month YTD", "Year to date", "Remarks"]
COL_NAME = 2  # B
COL_TARGET = 4  # D
COL_PREVIOUS = 5  # E
COL_VALUE = 6  # F
COL_REMARK = 7  # G

TITLE_ROW = 1
INFO_ROW = 2  # 填报单位 / 报送期
HEADER_ROW = 3
FIRST_DATA_ROW = 4

# _meta keys (column A) -> values (column B)
META_VERSION = "form_version"
META_DISTRICT = "district"
META_UNIT = "unit"
META_UNIT_NAME = "unit_name"
META_PERIOD = "period"
META_ROWS = "rows"  # after this key: one line per table row: A = row number, B = indicator code

# Header words the fallback reader looks for.
NAME_HEADERS = ["指标名称", "指标", "项目", "名称", "指标项"]
VALUE_HEADERS = ["本年累计", "累计完成", "本年累计完成", "累计数", "累计", "完成数", "完成情况", "完成", "本期累计", "实际完成"]
UNIT_LABELS = ["填报单位", "报送单位", "单位名称", "填表单位"]
