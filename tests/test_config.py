"""Configuration loading: every problem reported at once, with its file and line or cell."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reporting.cli import cli
from reporting.core.errors import ConfigError, WorkspaceError
from reporting.render.targets_book import write_blank_targets
from reporting.workspace.config import load_workspace
from reporting.workspace.init import init_workspace


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line(path: Path, needle: str, nth: int = 1) -> int:
    seen = 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == nth:
                return n
    raise AssertionError(needle)


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_workspace(folder)
    return exc.value.problems


def test_default_workspace_loads(ws_dir: Path) -> None:
    ws = load_workspace(ws_dir)
    assert ws.settings.district == "武进区"
    assert len(ws.units) == 13 and len(ws.indicators) == 12
    assert [g.code for g in ws.groups] == ["town", "zone"]
    assert ws.indicator("hte_recognised").le == "hte_applications"
    assert ws.indicator("hte_recognised").schedule_at(11) == 0.8
    assert ws.indicator("tech_sme").schedule_at(11) == pytest.approx(11 / 12)
    assert ws.indicator("incubation_area").decimals == 2
    assert ws.indicator("bounty_funds").weight == 0
    assert 2022 in ws.targets


def test_repository_templates_equal_packaged_defaults() -> None:
    repo = Path(__file__).resolve().parent.parent
    for name in ("workspace.toml", "indicators.toml"):
        assert (repo / "templates" / name).read_text(encoding="utf-8") == \
            (repo / "reporting" / "defaults" / name).read_text(encoding="utf-8")


def test_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="不是工作区"):
        load_workspace(tmp_path)


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    init_workspace(tmp_path / "w")
    with pytest.raises(WorkspaceError, match="已存在"):
        init_workspace(tmp_path / "w")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "w")])
    assert result.exit_code == 2
    assert "已存在" in result.output and "Traceback" not in result.output


def test_unknown_le_code(ws_dir: Path) -> None:
    toml = ws_dir / "templates" / "indicators.toml"
    _edit(toml, 'le = "hte_applications"', 'le = "hte_apps"')
    line = _line(toml, 'le = "hte_apps"')
    assert _problems(ws_dir) == [
        f"templates/indicators.toml:{line}: 指标 hte_recognised：le 指向不存在的指标代码 'hte_apps'"]


def test_duplicate_unit_code_and_alias(ws_dir: Path) -> None:
    toml = ws_dir / "templates" / "workspace.toml"
    _edit(toml, 'code = "niutang"', 'code = "hutang"')
    _edit(toml, 'aliases = ["洛阳"]', 'aliases = ["湖塘"]')
    problems = _problems(ws_dir)
    dup_line = _line(toml, 'code = "hutang"', 2)
    alias_line = _line(toml, 'aliases = ["湖塘"]', 2)
    assert f"templates/workspace.toml:{dup_line}: 单位代码重复：hutang" in problems
    assert f"templates/workspace.toml:{alias_line}: 单位 luoyang：名称或别名“湖塘”与单位 hutang 重复" in problems


def test_unit_in_missing_group(ws_dir: Path) -> None:
    toml = ws_dir / "templates" / "workspace.toml"
    _edit(toml, 'name_en = "Xihu Subdistrict"\ngroup = "zone"', 'name_en = "Xihu Subdistrict"\ngroup = "street"')
    line = _line(toml, 'group = "street"')
    assert _problems(ws_dir) == [
        f"templates/workspace.toml:{line}: 单位 xihu：分组 'street' 不存在（可选：town、zone）"]


@pytest.mark.parametrize("schedule", [
    "[0.1, 0.2, 0.3]",
    "[0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.05, 0.1, 0.2, 0.5, 0.8, 0.9]",
    "[0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.05, 0.1, 0.2, 0.5, 0.4, 1.0]",
])
def test_bad_schedule(ws_dir: Path, schedule: str) -> None:
    toml = ws_dir / "templates" / "indicators.toml"
    _edit(toml, "schedule = [0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.05, 0.1, 0.2, 0.5, 0.8, 1.0]", f"schedule = {schedule}")
    line = _line(toml, "schedule = [")
    assert _problems(ws_dir) == [
        f"templates/indicators.toml:{line}: 指标 hte_recognised：schedule 必须是 12 个不递减、介于 0 和 1 之间、最后一个为 1 的累计比例"]


def test_negative_and_non_numeric_targets(ws_dir: Path) -> None:
    path = ws_dir / "templates" / "targets" / "2022.xlsx"
    wb = openpyxl.load_workbook(path)
    sh = wb["年度目标"]
    sh["D4"] = -5
    sh["E5"] = "约50"
    sh["A6"] = "nowhere"
    wb.save(path)
    problems = _problems(ws_dir)
    assert "templates/targets/2022.xlsx 年度目标!D4: 目标值不能为负数（-5）" in problems
    assert "templates/targets/2022.xlsx 年度目标!E5: 目标值必须是数字，而不是 '约50'" in problems
    assert "templates/targets/2022.xlsx 年度目标!A6: 未知的单位代码 'nowhere'（见 workspace.toml 的 [[units]]）" in problems


def test_unknown_indicator_code_in_targets(ws_dir: Path) -> None:
    path = ws_dir / "templates" / "targets" / "2022.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["年度目标"]["E3"] = "hte_recog"
    wb.save(path)
    assert _problems(ws_dir) == ["templates/targets/2022.xlsx 年度目标!E3: 未知的指标代码 'hte_recog'"]


def test_all_problems_reported_at_once(ws_dir: Path) -> None:
    ind = ws_dir / "templates" / "indicators.toml"
    wsf = ws_dir / "templates" / "workspace.toml"
    _edit(ind, 'le = "hte_applications"', 'le = "nope"')
    _edit(ind, "weight = 20", "weight = -1")
    _edit(wsf, "cap = 1.2", "cap = 0.5")
    _edit(wsf, 'security = "ssl"', 'security = "tls"')
    problems = _problems(ws_dir)
    assert len(problems) == 4
    assert any("weight 必须是不小于 0 的数" in p and re.match(r"templates/indicators.toml:\d+:", p) for p in problems)
    assert any("scoring.cap" in p for p in problems)
    assert any("email.security" in p for p in problems)


def test_password_in_file_is_refused(ws_dir: Path) -> None:
    _edit(ws_dir / "templates" / "workspace.toml", 'username = ""', 'username = ""\npassword = "secret"')
    (problem,) = _problems(ws_dir)
    assert "不要把密码写在配置文件里" in problem


def test_toml_syntax_error(ws_dir: Path) -> None:
    _edit(ws_dir / "templates" / "workspace.toml", 'district = "武进区"', 'district = "武进区')
    (problem,) = _problems(ws_dir)
    assert problem.startswith("templates/workspace.toml: TOML 格式错误")


def test_cli_config_errors_exit_2_without_traceback(ws_dir: Path) -> None:
    _edit(ws_dir / "templates" / "indicators.toml", 'le = "hte_applications"', 'le = "nope"')
    result = CliRunner().invoke(cli, ["--workspace", str(ws_dir), "config"])
    assert result.exit_code == 2
    assert "配置有 1 处问题" in result.output
    assert "le 指向不存在的指标代码 'nope'" in result.output
    assert "Traceback" not in result.output


def test_cli_init_targets_config(tmp_path: Path) -> None:
    runner = CliRunner()
    w = str(tmp_path / "w")
    assert runner.invoke(cli, ["init", w]).exit_code == 0
    r = runner.invoke(cli, ["--workspace", w, "targets", "--year", "2023"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["--workspace", w, "targets", "--year", "2023"])
    assert r.exit_code == 2 and "--force" in r.output
    r = runner.invoke(cli, ["config", "--workspace", w])
    assert r.exit_code == 0, r.output
    assert "目标表年份：2023" in r.output and "湖塘镇(hutang)" in r.output
    r = runner.invoke(cli, ["config", "--workspace", w, "--lang", "en"])
    assert "Configuration OK" in r.output


def test_blank_targets_workbook_is_protected_except_inputs(ws_dir: Path) -> None:
    ws = load_workspace(ws_dir)
    path = write_blank_targets(ws, 2023)
    sh = openpyxl.load_workbook(path)["年度目标"]
    assert sh.protection.sheet is True
    assert sh["D4"].protection.locked is False and sh["D4"].value is None
    assert sh["B4"].protection.locked is True
    assert sh["A3"].value == "指标代码" and sh["D3"].value == "hte_applications"
    assert sh.page_setup.orientation == "landscape"
    assert load_workspace(ws_dir).targets[2023].district_target("tech_sme") is None


def test_district_target_blank_means_sum(ws: object) -> None:
    from reporting.workspace.config import Targets

    t = Targets(2022, {"a": {"x": 3.0}, "b": {"x": 4.0, "y": None}}, {"x": None, "y": None})
    assert t.district_target("x") == 7.0
    assert t.district_target("y") is None
    t2 = Targets(2022, {"a": {"x": 3.0}}, {"x": 10.0})
    assert t2.district_target("x") == 10.0


def test_help_does_not_import_pandas() -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import reporting.cli"],
                         capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if "|" in line}
    assert "pandas" not in imported and "openpyxl" not in imported
    r = subprocess.run([sys.executable, "-m", "reporting", "--help"], capture_output=True, text=True, check=True)
    assert "compile" in r.stdout


def test_every_command_has_help_with_example() -> None:
    runner = CliRunner()
    for name in cli.commands:
        r = runner.invoke(cli, [name, "--help"])
        assert r.exit_code == 0, name
        assert "Example" in r.output, name
        for opt in ("--workspace", "--lang", "--quiet", "--verbose", "--debug"):
            assert opt in r.output, (name, opt)


# --------------------------------------------------------------------------- issue 11: keys, types, lines


@pytest.mark.parametrize(("file", "old", "new", "typo", "meant"), [
    ("workspace.toml", 'district = "武进区"', 'distrct = "武进区"', "distrct", "district"),
    ("workspace.toml", "max_rows = 500", "max_row = 500", "limits.max_row", "max_rows"),
    ("workspace.toml", 'name = "湖塘镇"', 'nme = "湖塘镇"', "nme", "name"),
    ("indicators.toml", "weight = ", "wieght = ", "wieght", "weight"),
])
def test_unknown_keys_name_the_line_and_the_key_meant(ws_dir: Path, file: str, old: str, new: str, typo: str,
                                                       meant: str) -> None:
    path = ws_dir / "templates" / file
    _edit(path, old, new)
    line = _line(path, new)
    problems = [p for p in _problems(ws_dir) if "未知的设置项" in p]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"templates/{file}:{line}: ")
    assert typo in problems[0] and meant in problems[0].split(typo, 1)[1]


@pytest.mark.parametrize(("old", "new", "key"), [
    ("max_rows = 500", 'max_rows = "五百"', "max_rows"),
    ("max_cols = 40", "max_cols = 0", "max_cols"),
    ("jump_factor = 5.0", "jump_factor = 0", "jump_factor"),
    ("port = 465", 'port = "8025"', "port"),
    ("deadline = 5 ", "deadline = 31 ", "deadline"),
    ('to = []', 'to = ["leader.example.org"]', "to"),
    ('to = []', 'to = ["a@example.org; b@example.org"]', "to"),
    ('emails = ["hutang@example.org"]', 'emails = ["hutang@example.org; x@example.org"]', "emails"),
    ('emails = ["hutang@example.org"]', 'emails = ["湖塘镇"]', "emails"),
])
def test_values_are_type_and_range_checked_on_their_own_line(ws_dir: Path, old: str, new: str, key: str) -> None:
    path = ws_dir / "templates" / "workspace.toml"
    _edit(path, old, new)
    line = _line(path, new)
    (problem,) = _problems(ws_dir)
    assert problem.startswith(f"templates/workspace.toml:{line}: "), problem
    assert key in problem


def test_top_level_deadline_is_read_and_checked(ws_dir: Path) -> None:
    path = ws_dir / "templates" / "workspace.toml"
    _edit(path, 'lang = "zh"', 'lang = "zh"\ndeadline = 10')
    assert load_workspace(ws_dir).settings.email.deadline == 10
    _edit(path, "deadline = 10", 'deadline = "十号"')
    (problem,) = _problems(ws_dir)
    assert problem.startswith(f"templates/workspace.toml:{_line(path, '十号')}: ")


def test_addresses_with_display_names_are_accepted(ws_dir: Path) -> None:
    path = ws_dir / "templates" / "workspace.toml"
    _edit(path, "to = []", 'to = ["张局长 <leader@example.org>", "office@example.org"]')
    assert load_workspace(ws_dir).settings.email.to == ("张局长 <leader@example.org>", "office@example.org")


def test_problems_in_english_on_request(ws_dir: Path) -> None:
    """``--lang en`` shows every configuration problem in English: codes and parameters, not Chinese text."""
    toml = ws_dir / "templates" / "workspace.toml"
    _edit(toml, 'name_en = "Xihu Subdistrict"\ngroup = "zone"', 'name_en = "Xihu Subdistrict"\ngroup = "street"')
    _edit(toml, "cap = 1.2 ", "cap = 0.5 ")
    ind = ws_dir / "templates" / "indicators.toml"
    _edit(ind, 'type = "integer"', 'type = "integer"\nkind = "monthly"')
    problems = _problems(ws_dir)
    assert {p.key for p in problems} == {"config.err.unit_group", "config.err.cap", "config.err.ind.kind"}
    group = next(p for p in problems if p.key == "config.err.unit_group")
    assert group.params["code"] == "xihu" and group.params["value"] == "street"
    r = CliRunner().invoke(cli, ["-w", str(ws_dir), "--lang", "en", "config"])
    assert r.exit_code == 2
    text = r.output
    assert "there is no group 'street' (choose from: town, zone)" in text
    assert "kind must be ytd or stock, not 'monthly'" in text
    assert "completion cap" in text
    assert not re.search(r"[\u4e00-\u9fff]", text), text
