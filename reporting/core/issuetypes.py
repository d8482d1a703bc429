"""The catalogue of problem types: stable code, severity, message templates.

Kept as data in one place (as frictionless-py keeps its error types), so that
messages are consistent, translatable and documented. Codes are an API:
scripts read them from ``results.json`` and ``check --json``; never rename one.

Severity decides what happens: a file-level ``error`` rejects the file, a
cell-level ``error`` excludes that value (shown as 待核实), a ``warning`` never
blocks, ``info`` records what the tool inferred or changed.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"

FILE = "file"
CELL = "cell"


@dataclass(frozen=True)
class IssueType:
    code: str
    severity: str
    scope: str  # FILE (rejects the file when an error) or CELL (excludes one value)
    zh: str
    en: str
    description: str


_TYPES = [
    # --- the file as a whole -------------------------------------------------
    IssueType("unsupported-format", ERROR, FILE,
              "不支持的文件格式（{detail}），请另存为 .xlsx 后重新报送",
              "Unsupported file format ({detail}); save it as .xlsx and send it again",
              "The bytes are not a spreadsheet the tool reads (WPS .et, PDF, Word, image, HTML, CSV ...)."),
    IssueType("unreadable-file", ERROR, FILE,
              "文件已损坏或不完整，无法读取（{detail}），请重新保存后报送",
              "The file is damaged or incomplete and cannot be read ({detail}); save it again and resend",
              "A truncated, corrupt or otherwise unreadable spreadsheet."),
    IssueType("encrypted-file", ERROR, FILE,
              "文件设置了密码，无法读取，请取消密码后重新报送",
              "The file is password-protected; remove the password and send it again",
              "An encrypted OOXML (OLE container) or password-protected ODS file."),
    IssueType("file-too-large", ERROR, FILE,
              "文件过大（{size_mb} MB，上限 {limit_mb} MB），请只保留报表后重新报送",
              "The file is too large ({size_mb} MB, limit {limit_mb} MB); keep only the form and resend",
              "The file exceeds the workspace's size limit ([limits] max_file_mb)."),
    IssueType("unsafe-file", ERROR, FILE,
              "文件结构异常，已拒绝读取（{detail}），请用 Excel 或 WPS 重新保存后报送",
              "The file has an unsafe structure and was refused ({detail}); save it again in Excel or WPS and resend",
              "A zip bomb, an absurd compression ratio, or an XML entity attack."),
    IssueType("no-data-table", ERROR, FILE,
              "未找到指标数据表（需要“指标名称”列和“本年累计”列），请使用统一下发的报表",
              "No indicator table found (an indicator-name column and a year-to-date column are needed); use the form the bureau sent",
              "No sheet has a header row with an indicator column and a value column."),
    IssueType("unknown-unit", ERROR, FILE,
              "无法识别报送单位{detail}，请在“填报单位”处填写单位全称",
              "Cannot tell which unit sent this file{detail}; fill in the unit's full name in the reporting-unit cell",
              "Neither the form's metadata, a 填报单位 cell nor the file name names a known unit."),
    IssueType("unknown-period", ERROR, FILE,
              "无法识别报送期（年月），请在标题中注明，如“2022年1-11月”",
              "Cannot tell the reporting period; state it in the title, e.g. “2022, January–November”",
              "No period in the metadata, the title or the file name, and none given with --period."),
    IssueType("other-district", ERROR, FILE,
              "该报表属于“{detail}”，不是本区的报表",
              "This form belongs to {detail}, not to this workspace",
              "The form's metadata names another district."),
    IssueType("duplicate-file", WARNING, FILE,
              "与 {detail} 内容完全相同，已忽略",
              "Byte-for-byte the same as {detail}; ignored",
              "The same bytes were received twice; only one copy is read."),
    IssueType("superseded", WARNING, FILE,
              "同一单位同一报送期有更新的文件 {detail}，本文件未采用",
              "A newer file from the same unit for the same period ({detail}) is used instead",
              "An older submission of the same unit and period (the newest by received time wins), or one whose period was only assumed while another states it."),
    IssueType("ambiguous-submission", ERROR, FILE,
              "同一单位同一报送期还有内容不同的文件 {detail}，接收时间相同（{when}），无法判断哪一个是最新的，均未采用：请删除不用的文件（或在收文登记中写明接收时间）后重新运行",
              "Another file of the same unit and period with other contents ({detail}) was received at the same time ({when}); which is the latest cannot be told, so neither is used: remove the one not meant (or give their received times in the register, templates/收文登记.xlsx) and run again",
              "Two different files of one unit and period received in the same second: none is chosen by name."),
    IssueType("other-period", INFO, FILE,
              "该文件为 {detail} 的报表，不属于本期",
              "This file reports {detail}, not the period being compiled",
              "A file of another period (e.g. last month's file sent again)."),
    IssueType("ignored-file", INFO, FILE,
              "已跳过：{detail}",
              "Skipped: {detail}",
              "Lock, temporary, hidden or system files, and files that are not spreadsheets by name."),
    # --- what was inferred ----------------------------------------------------
    IssueType("unit-inferred", INFO, FILE,
              "报送单位识别为“{unit_name}”（依据{source}）",
              "Unit recognised as {unit_name} (from {source_en})",
              "The unit came from a 填报单位 cell or the file name, not the form's metadata."),
    IssueType("period-inferred", INFO, FILE,
              "报送期识别为 {detail}",
              "Period recognised as {detail}",
              "The period came from the title or the file name, not the form's metadata."),
    IssueType("layout-inferred", INFO, FILE,
              "非统一报表格式，已按表头识别：{detail}",
              "Not the bureau's form; the table was recognised from its header: {detail}",
              "The fallback reader matched rows and columns by their labels."),
    IssueType("period-assumed", WARNING, FILE,
              "文件中未写明报送期，按 {detail} 处理",
              "The file does not state its period; taken as {detail}",
              "No period could be read, and the one given with --period was assumed."),
    IssueType("period-mismatch", WARNING, FILE,
              "报送期不一致：{detail}",
              "The period is stated inconsistently: {detail}",
              "Kept for old results: disagreeing periods are now a period-conflict error."),
    IssueType("unit-mismatch", WARNING, FILE,
              "报送单位不一致：{detail}",
              "The unit is stated inconsistently: {detail}",
              "Kept for old results: disagreeing units are now a unit-conflict error."),
    IssueType("period-conflict", ERROR, FILE,
              "报送期证据互相矛盾：{evidence}；本文件未采用，请核实后重新报送",
              "The evidence for the period disagrees: {evidence_en}; the file is not used, check it and resend",
              "Independent evidence (metadata, title, date cell, sheet, file or folder name) names different periods."),
    IssueType("unit-conflict", ERROR, FILE,
              "报送单位证据互相矛盾：{evidence}；可能套用了其他单位的报表或文件名有误，本文件未采用：请核实是哪个单位的报表，改正文件名或请该单位用本单位的报表重新报送",
              "The evidence for the unit disagrees: {evidence_en}; perhaps another unit's form reused or a wrong file name, so the file is not used: check whose figures these are, then correct the file name or ask the unit to resend on its own form",
              "The metadata, the 填报单位 cell and the file name do not all name the same unit (or the cell names a place that is no configured unit)."),
    IssueType("ambiguous-column", ERROR, FILE,
              "无法确定本年累计列：{cell} “{label}”与 {other_cell} “{other_label}”均可能是，请只保留一列本年累计",
              "Cannot tell the year-to-date column: {cell} {label!r} and {other_cell} {other_label!r} could both be it",
              "Two header columns qualify as this year's cumulative figure; none is chosen."),
    IssueType("month-or-ytd", ERROR, FILE,
              "无法确定 {cell} “{label}”是当月数还是本年累计数：表头上方的“{title}”只写了一个月份；"
              "请在表头写明“1-N月累计”，或改用区里下发的报表",
              "Cannot tell whether {cell} {label!r} is the month's own figure or the year to date: {title!r} above "
              "the header names one month only; write 1-N月累计 in the header, or use the district's form",
              "A value column headed only 完成 / 实际 under a title that names a single month (11月份): the "
              "figures may be that month's own, so none is read."),
    IssueType("ambiguous-sheet", ERROR, FILE,
              "多个工作表（{sheets}）都有完整的指标表，无法确定采用哪一个，请只保留本期的表",
              "Several sheets ({sheets}) each hold a full table; cannot tell which to use, keep only this period's",
              "Several sheets hold a full indicator table and none can be chosen by its period."),
    IssueType("sheet-chosen", INFO, FILE,
              "工作簿按月分表，已读取 {sheet} 表（{period}）",
              "One sheet per month; the sheet {sheet} ({period}) was read",
              "A workbook with one table per month: the sheet of the period being compiled is read."),
    IssueType("no-matching-rows", ERROR, FILE,
              "找到指标表（{cell}），但没有一行与指标目录中的指标名称相符，请使用统一下发的指标名称",
              "A table was found ({cell}) but no row matches an indicator of the catalogue; use the bureau's names",
              "A header with an indicator column and a year-to-date column exists but no row label matches."),
    IssueType("empty-form", ERROR, FILE,
              "报表的本年累计数值全部为空，视为未报送，请填写后重新报送",
              "Every year-to-date cell of the form is blank; treated as not submitted, fill it in and resend",
              "A returned form whose value cells are all blank is not a submission."),
    # --- rows -------------------------------------------------------------------
    IssueType("missing-indicator", ERROR, CELL,
              "缺少指标“{indicator_name}”，请补充该行后重新报送",
              "The indicator {indicator_name} is missing; add its row and resend",
              "A catalogue indicator has no row in the file."),
    IssueType("unknown-row", WARNING, CELL,
              "无法识别的指标行“{detail}”，已忽略",
              "Row {detail} is not a known indicator and was ignored",
              "A row with a value whose label matches no indicator name or alias."),
    IssueType("duplicate-row", WARNING, CELL,
              "指标“{indicator_name}”出现多次（数值相同），采用 {detail} 处",
              "The indicator {indicator_name} appears more than once (with the same figure); {detail} is used",
              "Two rows match the same indicator and hold the same figure."),
    IssueType("conflicting-rows", ERROR, CELL,
              "指标“{indicator_name}”出现在两行且数值不同（{detail} 为 {value}，{other_cell} 为 {other_value}），无法确定采用哪一个，本项未计入：请删除多余的一行后重新报送",
              "The indicator {indicator_name} is on two rows with different figures ({detail}: {value}, {other_cell}: {other_value}); which is meant cannot be told, so it is left out: delete the extra row and resend",
              "Two rows match the same indicator with different figures (a stale or hidden row, a correction appended below); the value stays out."),
    # --- values -----------------------------------------------------------------
    IssueType("formula-without-value", ERROR, CELL,
              "该单元格是公式但没有计算结果，请用 Excel 或 WPS 打开文件、保存后重新报送",
              "The cell holds a formula with no computed value; open the file in Excel or WPS, save it, and send it again",
              "Files written by programs carry formulas without cached values."),
    IssueType("formula-error", ERROR, CELL,
              "公式计算出错（{detail}），请检查公式后重新报送",
              "The formula gives an error ({detail}); fix the formula and resend",
              "The cell's cached value is an Excel error such as #DIV/0! or #REF!."),
    IssueType("not-a-number", ERROR, CELL,
              "“{detail}”不是数值，请只填写数字",
              "{detail!r} is not a number; enter digits only",
              "Text that cannot be read as a number (约12, 12-15, 见附件 ...)."),
    IssueType("not-an-integer", ERROR, CELL,
              "“{detail}”不是整数，该指标应填写整数（{measure}）",
              "{detail} is not a whole number; this indicator counts whole {measure}",
              "A fractional value for an integer indicator."),
    IssueType("too-many-decimals", WARNING, CELL,
              "“{detail}”的小数位数超过 {decimals} 位，已四舍五入",
              "{detail} has more than {decimals} decimal places and was rounded",
              "A decimal indicator with more places than the catalogue allows."),
    IssueType("negative-value", ERROR, CELL,
              "数值 {detail} 为负数，请核实",
              "The value {detail} is negative; please check it",
              "Year-to-date figures cannot be below the indicator's minimum (0 by default)."),
    IssueType("implausible-value", ERROR, CELL,
              "数值 {detail} 超过合理上限 {max}，请核实",
              "The value {detail} is above the plausible maximum {max}; please check it",
              "Above the indicator's max in the catalogue."),
    IssueType("exceeds-related", ERROR, CELL,
              "“{indicator_name}”({detail}) 不应大于“{other_name}”({other_value})，请核实",
              "{indicator_name} ({detail}) must not exceed {other_name} ({other_value}); please check",
              "A catalogue `le` rule was broken (e.g. recognised > applications)."),
    IssueType("ytd-decreased", ERROR, CELL,
              "本年累计 {detail} 小于{previous_period}累计 {previous}，累计数不应减少，请核实",
              "The year-to-date figure {detail} is below {previous_period_en}'s {previous}; cumulative figures cannot fall",
              "A year-to-date figure below the unit's last accepted figure of the same year (a missed month is skipped)."),
    IssueType("unusual-jump", WARNING, CELL,
              "本月新增 {increase} 远高于该单位此前月均 {average}，请确认",
              "This month's increase {increase} is far above the unit's monthly average {average}; please confirm",
              "A monthly increase above jump_factor (> 1) times the unit's own monthly average, and above the average."),
    IssueType("unit-converted", INFO, CELL,
              "{cell} 的计量单位为“{measure}”，已换算为“{expected}”（{raw} → {value}）",
              "The unit in {cell} is {measure!r}; converted to {expected!r} ({raw} -> {value})",
              "A known conversion (元→万元, 平方米→万平方米) was applied."),
    IssueType("measure-conflict", ERROR, CELL,
              "{cell} 的计量单位为“{measure}”，而数值列表头（{header_cell}）写的是“{header}”，两者矛盾，本项未计入：请改正其中之一后重新报送",
              "The unit in {cell} is {measure!r} but the value column's header ({header_cell}) says {header!r}; they contradict each other, so the value is left out: correct one and resend",
              "The 计量单位 column and the value column's header name units that are not the same (万元 and 元)."),
    IssueType("unit-mismatch-measure", ERROR, CELL,
              "{cell} 的计量单位为“{measure}”，指标要求“{expected}”，请核实",
              "The unit in {cell} is {measure!r}; the indicator is counted in {expected!r}; please check",
              "The file's unit of measure is unknown or contradicts the catalogue's."),
    IssueType("blank-as-zero", WARNING, CELL,
              "未填写，按 0 计算；如有数据请补报",
              "Blank, counted as 0; resend if there is a figure",
              "A blank value cell when the workspace's blank policy is 'zero'."),
    IssueType("blank-as-missing", WARNING, CELL,
              "未填写，按缺报处理，请补报",
              "Blank, treated as not reported; please send the figure",
              "A blank value cell when the workspace's blank policy is 'missing'."),
    IssueType("dash-as-zero", WARNING, CELL,
              "“{detail}”按 0 计算，如有数据请补报",
              "{detail!r} was read as 0; resend if there is a figure",
              "Placeholders such as —, -, 无, / read as zero."),
    IssueType("value-normalised", INFO, CELL,
              "“{detail}”已按 {value} 读取",
              "{detail!r} was read as {value}",
              "Thousands separators, full-width digits, spaces, a trailing unit, numbers stored as text."),
    IssueType("no-targets", WARNING, FILE,
              "没有 {detail} 年的目标表：不计算完成率和排名", "No targets workbook for {detail}: no rates or rankings",
              "No templates/targets/YEAR.xlsx for the period's year (or one saved as .xls/.et); nothing is blocked."),
]

CATALOGUE: dict[str, IssueType] = {t.code: t for t in _TYPES}


def issue_type(code: str) -> IssueType:
    """Return the type for ``code``; an unknown code is a programming error."""
    return CATALOGUE[code]
