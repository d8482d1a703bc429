"""The message catalogue's part for the history store, its workbook and the history commands.

Merged into ``reporting.core.messages`` (which refuses a key defined twice);
each entry is ``{"zh": ..., "en": ...}``.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- the history workbook (ingest.history_import, render.history_book) ---
    "history.err.exists": {
        "zh": "{path} 已存在，未做改动：如确要重新生成（其中已填的数据将丢失），请加 --force",
        "en": "{path} exists and was left alone: add --force to write it again (the figures in it are lost)"},
    "history.err.unreadable": {
        "zh": "无法读取（{detail}）：请确认这是 reporting history template 生成的历史数据表，并已在 Excel 或 WPS 中正常保存",
        "en": "Cannot be read ({detail}): check that it is a history workbook made by reporting history template, "
              "saved normally in Excel or WPS"},
    "history.err.no_codes": {
        "zh": "第 3 行不是代码行（A3 应为“代码”），此工作表未导入：请用 reporting history template 生成的表填写，勿删改第 3 行",
        "en": "Row 3 is not the code row (A3 should read 代码); sheet not imported: fill in a workbook made by "
              "reporting history template and keep its row 3"},
    "history.err.unknown_indicator": {
        "zh": "未知的指标代码 {code!r}，此工作表未导入：第 3 行 B 列应为 indicators.toml 中的指标代码",
        "en": "Unknown indicator code {code!r}; sheet not imported: B3 must hold an indicator code from "
              "indicators.toml"},
    "history.err.bad_period": {
        "zh": "{value!r} 不是报送期，此列未导入：第 3 行应写作 2021-03 这样的年月",
        "en": "{value!r} is not a period; column not imported: row 3 holds periods written like 2021-03"},
    "history.err.unknown_unit": {
        "zh": "未知的单位 {code!r}，此行未导入：A 列应为 workspace.toml 中的单位代码（或单位名称）",
        "en": "Unknown unit {code!r}; row not imported: column A must hold a unit code (or name) from "
              "workspace.toml"},
    "history.err.not_number": {
        "zh": "{value!r} 不是数字，未导入：请填写数字，未知的留空",
        "en": "{value!r} is not a number; not imported: type a number, or leave it blank when unknown"},
    "history.err.negative": {
        "zh": "{value} 小于 0，未导入：累计值不能为负数",
        "en": "{value} is below 0; not imported: a year-to-date figure cannot be negative"},
    "history.err.kept": {
        "zh": "{period} 已有{source}的记录，历史数据表中该月的数据未导入（以报表汇总的记录为准）",
        "en": "{period} is already recorded from {source}; the workbook's figures for it were not imported "
              "(the compiled returns win)"},
    # --- the history commands (jobs.history, cli.history) ---
    "history.err.no_source": {
        "zh": "{path} 不存在：可导入历史数据表（.xlsx）、results.json、outbox 文件夹或旧的 inbox 文件夹",
        "en": "{path} does not exist: import a history workbook (.xlsx), a results.json, the outbox folder or "
              "an old inbox folder"},
    "history.err.what": {
        "zh": "不知道如何导入 {path}：可导入历史数据表（.xlsx）、results.json、outbox 文件夹或旧的 inbox 文件夹",
        "en": "Do not know how to import {path}: give a history workbook (.xlsx), a results.json, the outbox "
              "folder or an old inbox folder"},
    "history.err.results": {"zh": "{path}：不是可读的 results.json（{detail}）",
                            "en": "{path}: not a readable results.json ({detail})"},
    "history.err.years": {"zh": "--years 应写作 2017..2022（或一个年份 2022），而不是 {value!r}",
                          "en": "--years is written 2017..2022 (or one year, 2022), not {value!r}"},
    "history.err.indicator": {"zh": "未知的指标：{value}（可写指标代码或名称）",
                              "en": "Unknown indicator: {value} (give an indicator's code or name)"},
    "history.err.pyarrow": {
        "zh": "导出 parquet 需要 pyarrow，本机未安装：运行 pip install pyarrow 后重试，或改用 --format xlsx / csv",
        "en": "Writing parquet needs pyarrow, which is not installed: run pip install pyarrow and retry, or use "
              "--format xlsx / csv"},
    "history.err.store": {
        "zh": "无法打开历史库 {path}（{detail}）：请确认文件夹可写；如文件已损坏，将其改名后运行 reporting history rebuild",
        "en": "Cannot open the history store {path} ({detail}): check the folder is writable; if the file is "
              "damaged, rename it and run reporting history rebuild"},
    "history.template.done": {
        "zh": "已生成历史数据表：{path}（每项指标一张表，黄色单元格填写各单位各月末的本年累计值；"
              "保存后运行 reporting compile 或 reporting history import {path}）",
        "en": "History workbook written: {path} (one sheet per indicator; fill in each unit's year-to-date "
              "figure at the end of each month in the yellow cells, then run reporting compile or "
              "reporting history import {path})"},
    "history.import.workbook": {"zh": "历史数据表 {file}：导入 {n} 个月、{values} 个数值",
                                "en": "History workbook {file}: {n} month(s), {values} value(s) imported"},
    "history.import.results": {"zh": "已发布的 results.json：导入 {n} 个月（{periods}）",
                               "en": "Published results.json: {n} month(s) imported ({periods})"},
    "history.import.inbox": {"zh": "报表文件夹 {folder}：汇总并导入 {n} 个月（{periods}），未生成通报",
                             "en": "Folder {folder}: {n} month(s) compiled and imported ({periods}), no bulletin"},
    "history.import.none": {"zh": "没有可导入的数据", "en": "Nothing to import"},
    "history.problems": {"zh": "有 {n} 处问题未导入，请修改后重新导入：",
                         "en": "{n} problem(s), not imported; fix them and import again:"},
    "history.rebuild.done": {
        "zh": "已重建历史库 {path}：历史数据表 {workbook} 个月，results.json {results} 个月，inbox {inbox} 个月；"
              "接收时间 {files} 条保留",
        "en": "History store {path} rebuilt: {workbook} month(s) from history workbooks, {results} from results.json, "
              "{inbox} from the inbox; {files} received time(s) kept"},
    "history.export.done": {"zh": "已导出 {n} 行：{path}", "en": "{n} row(s) exported: {path}"},
    "history.empty": {
        "zh": "历史库中没有符合条件的数据。可运行 reporting history template --year 2021 填写以往年份，"
              "或 reporting history import outbox 导入已发布的结果",
        "en": "The history store holds nothing that matches. Fill in earlier years with reporting history "
              "template --year 2021, or import published results with reporting history import outbox"},
    "history.show.title": {"zh": "{what}（{scope}）", "en": "{what} ({scope})"},
    "history.show.district": {"zh": "全区合计", "en": "district total"},
    "history.show.by_indicator": {"zh": "各项指标 {month} 月末累计", "en": "Each indicator at the end of month {month}"},
    "history.show.by_month": {"zh": "{name}（{unit}）各月末累计", "en": "{name} ({unit}) by month"},
    "history.show.indicator": {"zh": "指标", "en": "Indicator"},
    "history.show.unit": {"zh": "单位", "en": "Unit"},
    "history.show.month": {"zh": "月份", "en": "Month"},
    "history.show.yoy": {"zh": "同比 {year}", "en": "YoY {year}"},
    "history.show.sources": {"zh": "来源：{sources}", "en": "Sources: {sources}"},
    "history.source.compile": {"zh": "报表汇总", "en": "compiled returns"},
    "history.source.results": {"zh": "已发布的 results.json", "en": "published results.json"},
    "history.source.inbox": {"zh": "旧报表文件夹", "en": "an old inbox"},
    "history.source.workbook": {"zh": "历史数据表", "en": "the history workbook"},
    "compile.history_problems": {"zh": "历史数据表有 {n} 处问题（这些数值未导入）：",
                                 "en": "The history workbooks have {n} problem(s) (those values were not imported):"},
    "register.unreadable": {"zh": "{file} 无法读取（{detail}），收文登记未使用",
                            "en": "{file} cannot be read ({detail}); the register was not used"},
    "register.bad_time": {"zh": "{file} {cell}：“{value}”不是收到时间（{name}），请填写如 2023-01-03 09:15 的日期时间",
                          "en": "{file} {cell}: '{value}' is not a received time ({name}); write a date and time "
                                "such as 2023-01-03 09:15"},
    "register.no_header": {"zh": "{file} 中没有“文件”和“收到时间”两列的表头，收文登记未使用",
                           "en": "{file} has no header row with 文件 and 收到时间 columns; the register was not used"},
}

# Labels of the bulletin's history columns and its 报送及时性 sheet.
BULLETIN_LABELS: dict[str, dict[str, str]] = {
    "col.last_year": {"zh": "上年同期", "en": "Last year"},
    "col.yoy": {"zh": "同比增长", "en": "YoY"},
    "col.increment": {"zh": "本月新增", "en": "This month"},
    "col.growth_rank": {"zh": "增速排名", "en": "Growth rank"},
    "ind.header_growth": {"zh": "{name}（{unit}）\n权重 {weight} ｜ 序时进度 {schedule} ｜ 按增速排名",
                          "en": "{name} ({unit})\nweight {weight} | schedule {schedule} | ranked by growth"},
    "yoy_fmt": {"zh": "+0.0%;-0.0%;0.0%", "en": "+0.0%;-0.0%;0.0%"},
    "sheet.timeliness": {"zh": "报送及时性", "en": "Timeliness"},
    "timeliness.title": {"zh": "{period}报送及时性", "en": "Timeliness of returns, {period}"},
    "timeliness.summary": {
        "zh": "本期报送截止时间为{deadline}（次月截止日遇周末或法定节假日顺延至下一个工作日；{calendar}）。"
              "按时报送{on_time}个，逾期{late}个，未报送{missing}个{unknown}。",
        "en": "Returns for this month were due on {deadline} (the configured day of the next month, moved to "
              "the next working day after a weekend or public holiday; {calendar}). On time {on_time}, late {late}, "
              "not submitted {missing}{unknown}."},
    "timeliness.summary_unknown": {"zh": "，收到时间未记录{n}个", "en": ", received time not recorded {n}"},
    "timeliness.calendar_cc": {"zh": "工作日依据 {name} 的节假日安排", "en": "working days from {name}'s holiday schedule"},
    "timeliness.calendar_weekends": {
        "zh": "所用节假日日历未收录{year}年，仅顺延周末",
        "en": "the holiday calendar does not cover {year}, so only weekends are skipped"},
    "timeliness.note": {
        "zh": "说明：接收时间为各单位本月首次报送的时间，此后的更正或重新保存不影响及时性；"
              "时间以收文登记（templates/收文登记.xlsx）所记为准，未登记的为本工具首次收到该文件的时间；"
              "逾期天数按自然日计算。本工具开始记录之前的文件只有文件自身的修改时间，晚于截止时间时不据此认定逾期，"
              "记为“未记录”，请在收文登记中补记。本年按时月数为本年已汇总月份中按时报送的月数。",
        "en": "Notes: the received time is when the unit first reported this month (a later correction or a "
              "file saved again does not change it): the one in the register (templates/收文登记.xlsx), else when "
              "the tool first saw the file; days late are calendar days. A file older than the tool's records has only its "
              "own modification time, which never makes it late: it is shown as not recorded until the register "
              "gives its time. On-time months counts this year's compiled months the unit reported on time."},
    "col.deadline": {"zh": "截止时间", "en": "Due"},
    "col.timeliness": {"zh": "及时性", "en": "Timeliness"},
    "col.on_time_months": {"zh": "本年按时月数", "en": "On time this year"},
    "timeliness.on_time": {"zh": "按时", "en": "On time"},
    "timeliness.late": {"zh": "逾期 {n} 天", "en": "{n} day(s) late"},
    "timeliness.missing": {"zh": "未报送", "en": "Not submitted"},
    "timeliness.unknown": {"zh": "未记录", "en": "Not recorded"},
    "timeliness.months": {"zh": "{k}/{n}", "en": "{k}/{n}"},
    "chart.ytd_yoy": {"zh": "{name}全区累计（本年与上年）", "en": "{name}: district year to date, this year and last"},
    "chart.this_year": {"zh": "{year}年累计", "en": "{year} YTD"},
    "chart.last_year": {"zh": "{year}年累计", "en": "{year} YTD"},
    "chart.schedule_target": {"zh": "序时进度（目标×序时）", "en": "Schedule (target × schedule)"},
    "data.ytd_yoy": {"zh": "图表数据：{name}全区累计（本年与上年）", "en": "Chart data: {name}, district YTD this year and last"},
}

NARRATIVE_TEXT: dict[str, dict[str, str]] = {
    "n.yoy": {"zh": "与上年同期相比，{items}。", "en": "Against the same period last year: {items}."},
    "n.yoy_up": {"zh": "{name}累计{value}{unit}，同比增长{yoy}", "en": "{name} {value} {unit} year to date, up {yoy}"},
    "n.yoy_down": {"zh": "{name}累计{value}{unit}，同比下降{yoy}", "en": "{name} {value} {unit} year to date, down {yoy}"},
    "n.yoy_flat": {"zh": "{name}累计{value}{unit}，与上年同期持平", "en": "{name} {value} {unit} year to date, level with last year"},
    "n.late": {"zh": "逾期报送单位：{units}（共{n}个，本期截止时间为{deadline}）。",
               "en": "Sent late: {units} ({n} in all; this month's returns were due on {deadline})."},
    "n.late_none": {"zh": "已报送单位均在截止时间（{deadline}）前报送。",
                    "en": "Every unit that reported did so by the deadline ({deadline})."},
}
