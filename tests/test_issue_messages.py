"""The wording of issue messages, checked once, here, in both languages.

The ingestion tests (test_ingest.py, test_recognise.py) assert an issue's
code, its location and its parameters, so that rewording a message breaks
no rule test. What a clerk actually reads is checked here: each issue built
from the parameters those tests assert, rendered in Chinese and in English.
Parameters that are themselves phrases of the message catalogue are built
with ``t``/``both`` from their keys, so their wording is checked here too.
"""

from __future__ import annotations

from string import Formatter
from typing import Any

import pytest

from reporting.core.issuetypes import CATALOGUE
from reporting.core.messages import both, t
from reporting.core.models import Issue
from reporting.core.periods import Period


def _params(**kw: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(kw.items())


def _said(source: str, value: str, lang: str) -> str:
    return t("evidence.item", lang, source=t(f"evidence.{source}", lang), where="", value=value)


def _period_from(period: str, source: str) -> dict[str, str]:
    return {"detail": t("recognise.period_from", "zh", period=period, source=t(f"evidence.{source}", "zh")),
            "detail_en": t("recognise.period_from", "en", period=period, source=t(f"evidence.{source}", "en"))}


_UNIT_CELL_SAID = {
    "detail": t("recognise.unit_unknown", "zh", said=t("recognise.unit_cell_said", "zh", text="科技办")),
    "detail_en": t("recognise.unit_unknown", "en", said=t("recognise.unit_cell_said", "en", text="科技办"))}
_MISMATCH = {
    "detail": t("recognise.taken_as", "zh", said="，".join([_said("cell", "湖塘镇", "zh"), _said("name", "牛塘镇", "zh")]),
                value="湖塘镇"),
    "detail_en": t("recognise.taken_as", "en",
                   said=", ".join([_said("cell", "湖塘镇", "en"), _said("name", "牛塘镇", "en")]), value="Hutang Town")}
_OCT = Period(2022, 10)

# (code, params, Chinese, English): the parameters are those test_ingest / test_recognise assert for the case
MESSAGES: list[tuple[str, tuple[tuple[str, Any], ...], str, str]] = [
    # --- the file as a whole
    ("unsupported-format", _params(detail=t("reader.pdf", "zh"), detail_en=t("reader.pdf", "en")),
     "不支持的文件格式（PDF 文档），请另存为 .xlsx 后重新报送",
     f"Unsupported file format ({t('reader.pdf', 'en')}); save it as .xlsx and send it again"),
    ("no-data-table", (),
     "未找到指标数据表（需要“指标名称”列和“本年累计”列），请使用统一下发的报表",
     "No indicator table found (an indicator-name column and a year-to-date column are needed); "
     "use the form the bureau sent"),
    ("unknown-unit", _params(**_UNIT_CELL_SAID),
     "无法识别报送单位（文件名与“填报单位”均未写明已知单位；填报单位：科技办），请在“填报单位”处填写单位全称",
     "Cannot tell which unit sent this file (neither the file name nor the reporting-unit cell names a known unit; "
     "reporting unit: 科技办); fill in the unit's full name in the reporting-unit cell"),
    ("unknown-period", (),
     "无法识别报送期（年月），请在标题中注明，如“2022年1-11月”",
     "Cannot tell the reporting period; state it in the title, e.g. “2022, January–November”"),
    ("other-district", _params(detail="新北区"),
     "该报表属于“新北区”，不是本区的报表",
     "This form belongs to 新北区, not to this workspace"),
    ("duplicate-file", _params(detail="西湖街道.xlsx"),
     "与 西湖街道.xlsx 内容完全相同，已忽略",
     "Byte-for-byte the same as 西湖街道.xlsx; ignored"),
    ("superseded", _params(detail="湖塘镇.xlsx"),
     "同一单位同一报送期有更新的文件 湖塘镇.xlsx，本文件未采用",
     "A newer file from the same unit for the same period (湖塘镇.xlsx) is used instead"),
    ("other-period", _params(detail=_OCT.label_zh(), detail_en=_OCT.label_en()),
     "该文件为 2022年10月 的报表，不属于本期",
     "This file reports October 2022, not the period being compiled"),
    ("ignored-file", _params(**both("detail", "reader.ignore_office_lock")),
     "已跳过：Excel/WPS 临时锁文件",
     "Skipped: Excel/WPS lock file"),
    # --- what was inferred
    ("unit-inferred", _params(**both("source", "evidence.cell_quoted"), unit_name="西太湖科技产业园",
                              unit_name_en="West Taihu Lake S&T Industrial Park"),
     "报送单位识别为“西太湖科技产业园”（依据“填报单位”）",
     "Unit recognised as West Taihu Lake S&T Industrial Park (from the reporting-unit cell)"),
    ("unit-inferred", _params(**both("source", "evidence.name"), unit_name="武进绿建区",
                              unit_name_en="Wujin Green Building Zone"),
     "报送单位识别为“武进绿建区”（依据文件名）",
     "Unit recognised as Wujin Green Building Zone (from the file name)"),
    ("period-inferred", _params(**_period_from("2022-11", "name")),
     "报送期识别为 2022-11（依据文件名）",
     "Period recognised as 2022-11 (from the file name)"),
    ("period-inferred", _params(**_period_from("2022-10", "title")),
     "报送期识别为 2022-10（依据标题）",
     "Period recognised as 2022-10 (from the title)"),
    ("period-inferred", _params(**_period_from("2022-11", "folder")),
     "报送期识别为 2022-11（依据所在文件夹）",
     "Period recognised as 2022-11 (from the folder)"),
    ("layout-inferred", _params(**both("detail", "recognise.layout", sheet="Sheet1", n=12, col="A")),
     "非统一报表格式，已按表头识别：Sheet1 表，12 项指标，数值列 A",
     "Not the bureau's form; the table was recognised from its header: sheet Sheet1, 12 indicators, values in column A"),
    ("period-assumed", _params(detail="2022-11"),
     "文件中未写明报送期，按 2022-11 处理",
     "The file does not state its period; taken as 2022-11"),
    ("unit-mismatch", _params(**_MISMATCH),
     "报送单位不一致：填报单位为 湖塘镇，文件名为 牛塘镇；按 湖塘镇 处理",
     "The unit is stated inconsistently: the reporting-unit cell says 湖塘镇, the file name says 牛塘镇; "
     "taken as Hutang Town"),
    # --- rows
    ("missing-indicator", _params(indicator_name="瞪羚企业数", indicator_name_en="Gazelle enterprises"),
     "缺少指标“瞪羚企业数”，请补充该行后重新报送",
     "The indicator Gazelle enterprises is missing; add its row and resend"),
    ("unknown-row", _params(detail="其中：省级研发机构"),
     "无法识别的指标行“其中：省级研发机构”，已忽略",
     "Row 其中：省级研发机构 is not a known indicator and was ignored"),
    # --- values
    ("value-normalised", _params(detail="1,234", value="1234"),
     "“1,234”已按 1234 读取",
     "'1,234' was read as 1234"),
    ("value-normalised", _params(detail="35.80万平方米", value="35.8"),
     "“35.80万平方米”已按 35.8 读取",
     "'35.80万平方米' was read as 35.8"),
    ("dash-as-zero", _params(detail="—"),
     "“—”按 0 计算，如有数据请补报",
     "'—' was read as 0; resend if there is a figure"),
    ("not-a-number", _params(detail="约12"),
     "“约12”不是数值，请只填写数字",
     "'约12' is not a number; enter digits only"),
    ("not-an-integer", _params(detail="3.5个", measure="个", measure_en="sites"),
     "“3.5个”不是整数，该指标应填写整数（个）",
     "3.5个 is not a whole number; this indicator counts whole sites"),
    ("negative-value", _params(detail="-1.50"),
     "数值 -1.50 为负数，请核实",
     "The value -1.50 is negative; please check it"),
    ("implausible-value", _params(detail="6,000", max="5,000"),
     "数值 6,000 超过合理上限 5,000，请核实",
     "The value 6,000 is above the plausible maximum 5,000; please check it"),
    ("formula-without-value", (),
     "该单元格是公式但没有计算结果，请用 Excel 或 WPS 打开文件、保存后重新报送",
     "The cell holds a formula with no computed value; open the file in Excel or WPS, save it, and send it again"),
    ("formula-error", _params(detail="#DIV/0!"),
     "公式计算出错（#DIV/0!），请检查公式后重新报送",
     "The formula gives an error (#DIV/0!); fix the formula and resend"),
    ("exceeds-related", _params(detail="25", indicator_name="高新技术企业认定数",
                                indicator_name_en="High-tech enterprises recognised", other_value="20",
                                other_name="高新技术企业申报数", other_name_en="High-tech enterprise applications"),
     "“高新技术企业认定数”(25) 不应大于“高新技术企业申报数”(20)，请核实",
     "High-tech enterprises recognised (25) must not exceed High-tech enterprise applications (20); please check"),
    ("ytd-decreased", _params(detail="45", previous="50", **both("previous_period", "trend.last_month")),
     "本年累计 45 小于上月累计 50，累计数不应减少，请核实",
     "The year-to-date figure 45 is below last month's 50; cumulative figures cannot fall"),
    ("unusual-jump", _params(increase="40", average="2"),
     "本月新增 40 远高于该单位此前月均 2，请确认",
     "This month's increase 40 is far above the unit's monthly average 2; please confirm"),
]


@pytest.mark.parametrize(("code", "params", "zh", "en"), MESSAGES,
                         ids=[f"{m[0]}-{n}" for n, m in enumerate(MESSAGES)])
def test_issue_message_wording(code: str, params: tuple[tuple[str, Any], ...], zh: str, en: str) -> None:
    issue = Issue(code, file="湖塘镇.xlsx", sheet="填报表", cell="F7", params=params)
    assert issue.message("zh") == zh
    assert issue.message() == zh  # Chinese first
    assert issue.message("en") == en


# (message key, Chinese, English): the Submission.reason texts test_ingest now asserts through their keys
REASONS = [
    ("select.superseded", {"file": "湖塘镇.xlsx"}, "由 湖塘镇.xlsx 取代", "replaced by 湖塘镇.xlsx"),
    ("select.other_period", {"period": "2022-10"}, "2022-10 的报表", "a form for 2022-10"),
    ("select.later_period", {"n": 1, "period": "2022-11"}, "已收到 1 份 2022-11 报表，未纳入本期",
     "1 form(s) for 2022-11 received, not in this compile"),
    ("reader.ignore_office_lock", {}, "Excel/WPS 临时锁文件", "Excel/WPS lock file"),
    ("reader.ignore_lo_lock", {}, "LibreOffice 锁文件", "LibreOffice lock file"),
    ("reader.ignore_hidden", {}, "隐藏文件", "hidden file"),
    ("reader.ignore_system", {}, "系统文件", "system file"),
    ("reader.ignore_temp", {}, "临时文件", "temporary file"),
    ("reader.unknown", {}, "无法识别的文件类型", "unrecognised file type"),
]


@pytest.mark.parametrize(("key", "params", "zh", "en"), REASONS, ids=[r[0] for r in REASONS])
def test_reason_wording(key: str, params: dict[str, Any], zh: str, en: str) -> None:
    assert (t(key, "zh", **params), t(key, "en", **params)) == (zh, en)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def test_every_catalogue_entry_uses_the_same_placeholders_in_both_languages() -> None:
    """A parameter the Chinese shows must reach the English message too, and the other way round.

    The English template may name a parameter's English form (``{evidence_en}`` for
    ``{evidence}``): ``Issue.message`` passes both, so the two count as one name.
    The Chinese template never names an ``_en`` form.
    """
    differ = {}
    for code, entry in CATALOGUE.items():
        zh, en = _fields(entry.zh), _fields(entry.en)
        assert all(name.isidentifier() for name in zh | en), (code, zh, en)  # no positional {} fields
        assert not any(name.endswith("_en") for name in zh), (code, zh)
        assert zh == {name.removesuffix("_en") for name in en}, (code, entry.zh, entry.en)
        if zh != en:
            differ[code] = en - zh
    # the English-form names in use today (a new one is fine: add it here after checking the issue passes it)
    assert differ == {"unit-inferred": {"source_en"}, "period-conflict": {"evidence_en"},
                      "unit-conflict": {"evidence_en"}, "ytd-decreased": {"previous_period_en"}}


def test_the_table_reaches_every_code_the_ingestion_tests_stopped_quoting() -> None:
    """Every code whose wording test_ingest / test_recognise used to quote is rendered above."""
    quoted = {"unit-mismatch", "unknown-row", "missing-indicator", "layout-inferred", "no-data-table",
              "unit-inferred", "unknown-unit", "period-inferred", "unknown-period", "period-assumed",
              "other-district", "value-normalised", "dash-as-zero", "not-a-number", "not-an-integer",
              "negative-value", "implausible-value", "formula-without-value", "formula-error", "exceeds-related",
              "ytd-decreased", "unusual-jump", "superseded", "duplicate-file", "other-period", "ignored-file",
              "unsupported-format"}
    assert quoted <= set(CATALOGUE)
    assert {m[0] for m in MESSAGES} == quoted
