"""The message catalogue's part for mail, reminders and feedback delivery.

Merged into ``reporting.core.messages`` (which refuses a key defined twice);
each entry is ``{"zh": ..., "en": ...}``.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
BULLETIN_LABELS: dict[str, dict[str, str]] = {}
NARRATIVE_TEXT: dict[str, dict[str, str]] = {}

MESSAGES.update({
    # targets workbooks (reporting.workspace.targets): read on every command, named on forms, check and compile
    "targets.warn.missing": {
        "zh": "没有 {year} 年的目标表：不计算完成率和排名（运行 reporting targets --year {year} 生成并填写 templates/targets/{year}.xlsx）",
        "en": "No targets workbook for {year}: completion rates and rankings are not computed "
              "(run reporting targets --year {year} and fill in templates/targets/{year}.xlsx)"},
    "targets.warn.other_format": {
        "zh": "{file} 不是 .xlsx 格式，未读取：请用 Excel 或 WPS 打开，“另存为” Excel 工作簿（.xlsx），文件名 {year}.xlsx",
        "en": "{file} is not an .xlsx workbook and was not read: open it in Excel or WPS and "
              "“Save As” an Excel workbook (.xlsx) named {year}.xlsx"},
    "targets.info.text_number": {
        "zh": "{where}：目标值“{text}”是文本，已按数字 {value} 读取",
        "en": "{where}: the target “{text}” is text; read as the number {value}"},
    "targets.err.formula": {
        "zh": "公式没有计算结果（文件未在 Excel 中保存过），请在 Excel 中打开并保存，或直接填写数字",
        "en": "the formula has no calculated value (the file was never saved by Excel); "
              "open and save it in Excel, or type the number"},
    "targets.err.error_value": {"zh": "单元格的值是错误值 {value}（公式出错），请更正公式或直接填写数字",
                                "en": "the cell holds the error value {value} (a formula failed); fix the formula or type the number"},
    "targets.err.unreadable": {"zh": "无法读取目标表（{detail}），请用 Excel 另存为 .xlsx",
                               "en": "cannot read the targets workbook ({detail}); save it as .xlsx in Excel"},
    "targets.err.no_codes": {"zh": "找不到“{label}”行，请用 reporting targets 重新生成目标表",
                             "en": "no “{label}” row (indicator codes); write the workbook again with reporting targets"},
    "targets.err.indicator": {"zh": "未知的指标代码 {code!r}", "en": "unknown indicator code {code!r}"},
    "targets.err.unit": {"zh": "未知的单位代码 {code!r}（见 workspace.toml 的 [[units]]）",
                         "en": "unknown unit code {code!r} (see [[units]] in workspace.toml)"},
    "targets.err.negative": {"zh": "目标值不能为负数（{value}）", "en": "a target cannot be negative ({value})"},
    "targets.err.not_a_number": {"zh": "目标值必须是数字，而不是 {value!r}",
                                 "en": "a target must be a number, not {value!r}"},
    "targets.err.exists": {"zh": "{path} 已存在，未覆盖。确需重新生成（将清空已填目标）请加 --force",
                           "en": "{path} exists and was not overwritten; to write it again (the targets in it are lost) add --force"},
})
MESSAGES["targets.warning"] = {"zh": "注意：{text}", "en": "Warning: {text}"}

MESSAGES.update({
    # remind before any compile (reporting.deliver.inputs)
    "mail.note.no_results": {
        "zh": "本期尚未汇总（没有 results.json）：提醒全部 {n} 个单位",
        "en": "{period} has not been compiled (no results.json): all {n} units are reminded"},
    "mail.note.no_results_inbox": {
        "zh": "；inbox/ 中已有报表，如只提醒未报送的单位，请先运行 reporting compile --period {period}",
        "en": "; inbox/ already holds files: to remind only the units that have not sent, "
              "run reporting compile --period {period} first"},
})
MESSAGES["mail.report.changed"] = {"zh": "（内容有更新，再次发送）", "en": " (content changed since it was sent: sent again)"}
MESSAGES["mail.remind.earlier_month"] = {
    "zh": "已收到的文件“{file}”是{period}的报表，不是{span}的：请报送{span}的报表。",
    "en": "The file “{file}” we received is the return for {period}, not for {span}: please send the return for {span}."}
MESSAGES["mail.bulletin.document"] = {"zh": "通报正式文件见附件：{file}", "en": "The bulletin as a document is attached: {file}"}
MESSAGES.update({
    "mail.report.none_units": {"zh": "所选单位没有需要发送的{kind}", "en": "No {kind} for the units chosen with --unit"},
    "mail.kind.remind": {"zh": "提醒", "en": "reminder"},
    "mail.kind.feedback": {"zh": "反馈", "en": "feedback"},
    "mail.kind.bulletin": {"zh": "通报", "en": "bulletin"},
})
MESSAGES["targets.warn.other_name"] = {
    "zh": "{file} 未读取：目标表的文件名须为 {year}.xlsx，请改名",
    "en": "{file} was not read: the targets workbook must be named {year}.xlsx; rename it"}
