"""User-facing strings of the command line, in Chinese and English.

One catalogue, so that every message a clerk sees can be read and
translated in one place. Issue messages live in ``issuetypes``; bulletin
labels in ``labels``.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "init.done": {"zh": "已创建工作区：{path}\n下一步：编辑 templates/workspace.toml，然后运行 reporting targets --year {year}",
                  "en": "Workspace created: {path}\nNext: edit templates/workspace.toml, then run reporting targets --year {year}"},
    "targets.done": {"zh": "已生成目标表：{path}（黄色单元格填写年度目标）",
                     "en": "Targets workbook written: {path} (fill in the yellow cells)"},
    "config.ok": {"zh": "配置检查通过：{path}", "en": "Configuration OK: {path}"},
    "config.district": {"zh": "地区：{district}    语言：{language}    完成率封顶：{cap:.0%}",
                        "en": "District: {district}    language: {language}    completion cap: {cap:.0%}"},
    "config.group": {"zh": "{group}（{n} 个）：{units}", "en": "{group} ({n}): {units}"},
    "config.indicators": {"zh": "指标 {n} 项（计分 {scored} 项，权重合计 {weights:g}）：",
                          "en": "{n} indicators ({scored} scored, total weight {weights:g}):"},
    "config.targets": {"zh": "目标表年份：{years}", "en": "Target years: {years}"},
    "config.no_targets": {"zh": "尚无目标表：运行 reporting targets --year YYYY 生成",
                          "en": "No targets yet: run reporting targets --year YYYY"},
    "error.prefix": {"zh": "错误：", "en": "Error: "},
    "error.config": {"zh": "配置有 {n} 处问题，请逐项修改后重试：", "en": "The configuration has {n} problem(s); fix each and retry:"},
    "error.bug": {"zh": "内部错误（{kind}）：{detail}。请加 --debug 重新运行，并把输出发给维护人员",
                  "en": "Internal error ({kind}): {detail}. Run again with --debug and send the output to the maintainers"},
    "error.period": {"zh": "报送期格式应为 YYYY-MM，如 2022-11，而不是 {value!r}",
                     "en": "A period is written YYYY-MM, e.g. 2022-11, not {value!r}"},
    "demo.done": {"zh": "已生成 {files} 个示例报表到 {inbox}（{units} 个单位，{periods}）",
                  "en": "Wrote {files} sample submissions to {inbox} ({units} units, {periods})"},
    "forms.done": {"zh": "已生成 {n} 份空白报表：{folder}", "en": "Wrote {n} blank forms to {folder}"},
    # --- forms and feedback (forms.py, feedback.py) ---
    "form.title": {"zh": "{district}科技创新重点指标月报表（{span}）",
                   "en": "{district} key science and technology indicators, monthly form ({span})"},
    "form.unit": {"zh": "填报单位：{unit}", "en": "Reporting unit: {unit}"},
    "form.period": {"zh": "报送期：{span}", "en": "Period: {span}"},
    "form.signer": {"zh": "填报人：", "en": "Filled in by:"},
    "form.phone": {"zh": "联系电话：", "en": "Telephone:"},
    "form.date": {"zh": "填报日期：", "en": "Date:"},
    "form.note": {"zh": "说明：\n1. 只需填写黄色单元格。“本年累计”填写{span}的累计数（期末存量指标填写{month}月末数），"
                        "只填数字，不要填写文字、单位或空格；整数指标填整数。\n"
                        "2. 请勿增删行、修改指标名称或工作表名称。\n"
                        "3. 如有需要说明的情况，请写在“备注”栏。\n"
                        "4. 填好后保存为 .xlsx 文件报送。",
                  "en": "Notes:\n1. Fill in the yellow cells only. Year to date is the total for {span} (stock "
                        "indicators: the level at the end of month {month}); digits only, whole numbers for "
                        "integer indicators.\n2. Do not insert or delete rows or rename indicators or sheets.\n"
                        "3. Explain anything unusual in Remarks.\n4. Save as .xlsx and send it back."},
    "form.no_target": {"zh": "—", "en": "—"},
    "form.prompt_ytd": {"zh": "请填写{span}累计数（{unit}），{kind}", "en": "Year-to-date total for {span} ({unit}), {kind}"},
    "form.prompt_stock": {"zh": "请填写{month}月末数（{unit}），{kind}", "en": "Level at the end of month {month} ({unit}), {kind}"},
    "form.kind_int": {"zh": "整数", "en": "a whole number"},
    "form.kind_dec": {"zh": "最多保留{decimals}位小数", "en": "up to {decimals} decimal places"},
    "form.error_title": {"zh": "输入有误", "en": "Invalid entry"},
    "form.error_int": {"zh": "请填写不小于 {min} 的整数（{unit}），不要填写文字、单位或空格",
                       "en": "Enter a whole number of at least {min} ({unit}), without text, units or spaces"},
    "form.error_dec": {"zh": "请填写不小于 {min} 的数字（{unit}），不要填写文字、单位或空格",
                       "en": "Enter a number of at least {min} ({unit}), without text, units or spaces"},
    "form.footer": {"zh": "第 &P 页，共 &N 页", "en": "Page &P of &N"},
    "feedback.sheet": {"zh": "报送数据", "en": "Submitted data"},
    "feedback.issues_sheet": {"zh": "问题清单", "en": "Issues"},
    "feedback.title": {"zh": "{unit}{span}报表问题反馈", "en": "Problems found in the {span} form of {unit}"},
    "feedback.summary": {"zh": "报送文件：{file}。共发现错误 {errors} 处、警告 {warnings} 处、提示 {infos} 处。"
                               "“位置”指原文件中的工作表和单元格；另一工作表按原位置复制了所报数据，"
                               "标红的单元格必须修改，标橙的请核实，鼠标指向单元格可看说明。"
                               "请在原文件中改正后重新报送整个文件。",
                         "en": "File: {file}. {errors} error(s), {warnings} warning(s), {infos} note(s). "
                               "Location is the sheet and cell in the file you sent; the other sheet copies your "
                               "data at the same cells, errors in red (must be fixed), warnings in orange "
                               "(please check); hover over a cell to read the note. Correct your file and send "
                               "the whole file again."},
    "feedback.truncated": {"zh": "（原表较大，仅复制了前 {rows} 行、{cols} 列。）",
                           "en": " (The sheet is large; only the first {rows} rows and {cols} columns were copied.)"},
    "feedback.col.no": {"zh": "序号", "en": "No."},
    "feedback.col.severity": {"zh": "严重程度", "en": "Severity"},
    "feedback.col.where": {"zh": "位置", "en": "Location"},
    "feedback.col.indicator": {"zh": "指标", "en": "Indicator"},
    "feedback.col.message": {"zh": "问题说明", "en": "Problem"},
    "feedback.severity.error": {"zh": "错误", "en": "Error"},
    "feedback.severity.warning": {"zh": "警告", "en": "Warning"},
    "feedback.severity.info": {"zh": "提示", "en": "Note"},
    "feedback.whole_file": {"zh": "整个文件", "en": "Whole file"},
    "feedback.none": {"zh": "未发现问题，谢谢！", "en": "No problems found. Thank you!"},
    "feedback.unknown_unit": {"zh": "未识别单位", "en": "Unknown unit"},
    "feedback.comment": {"zh": "{severity}：{message}", "en": "{severity}: {message}"},
    # --- reader (reader.py) ---
    # --- bulletin (bulletin.py, narrative.py) ---
    # --- mail (mail.py) ---
    # --- ingest, scoring, compile ---
    "forms.skipped": {"zh": "已存在，未覆盖（加 --force 覆盖）：{path}", "en": "Exists, not overwritten (use --force): {path}"},
}


def t(key: str, lang: str = "zh", /, **kw: object) -> str:
    """The message ``key`` in ``lang`` (falling back to Chinese), formatted with ``kw``."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["zh"]).format(**kw)
