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
