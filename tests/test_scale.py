"""``off-scale``: a figure orders of magnitude above the unit's own annual target is kept out.

The field's commonest wrong number: 元 typed into a 万元 row, in a unit's first month of the
year (no earlier figure to compare with). Each test builds the workbook a unit would send,
reads it through ``ingest`` or the CLI, and asserts codes, cells and numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import found, only

from reporting.cli import cli
from reporting.core.errors import ConfigError
from reporting.core.models import CellValue
from reporting.core.periods import Period
from reporting.ingest.pipeline import ingest
from reporting.ingest.rules.scale import check_scale
from reporting.workspace.config import Workspace, load_workspace

NOV = Period(2022, 11)


def field_form(ws: Workspace, name: str, unit: str, values: dict[str, float]) -> Path:
    """A hand-made form: title, 填报单位, one header row with 计量单位, a row per indicator."""
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "Sheet1"
    sh["A1"] = f"{ws.unit(unit).name}2022年1-11月科技指标完成情况"
    sh["A2"] = f"填报单位：{ws.unit(unit).name}"
    sh.append([])
    sh.append(["序号", "指标名称", "计量单位", "本年累计"])
    for n, ind in enumerate(ws.indicators, 1):
        target = ws.targets_for(2022).unit_target(unit, ind.code) or 1
        sh.append([n, ind.name, ind.unit, values.get(ind.code, round(target * 0.8, ind.decimals))])
    path = ws.inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_yuan_typed_into_a_wan_yuan_row_is_kept_out(ws: Workspace) -> None:
    target = ws.targets_for(2022).unit_target("hutang", "bounty_funds")
    assert target and target > 0
    yuan = round(target * 0.05 * 10_000, 2)  # the unit's real 5 % of target, typed in 元: under the catalogue's max
    field_form(ws, "湖塘镇.xlsx", "hutang", {"bounty_funds": yuan})
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert not found(sub, "implausible-value")
    [problem] = found(sub, "off-scale")
    assert problem.severity == "error" and problem.indicator == "bounty_funds"
    assert problem.sheet == "Sheet1" and problem.cell == f"D{5 + [i.code for i in ws.indicators].index('bounty_funds')}"
    assert dict(problem.params)["times"] == "500"
    assert sub.values["bounty_funds"].excluded and sub.values["bounty_funds"].value is None
    # the unit's other figures are read as sent
    assert not sub.values["tech_sme"].excluded and sub.values["tech_sme"].value is not None


def test_a_value_below_the_factor_is_read(ws: Workspace) -> None:
    target = ws.targets_for(2022).unit_target("hutang", "bounty_funds")
    field_form(ws, "湖塘镇.xlsx", "hutang", {"bounty_funds": round(target * 99.9, 2)})  # far ahead, not off scale
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert not found(sub, "off-scale")
    assert sub.values["bounty_funds"].value == round(target * 99.9, 2)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.floats(min_value=0.01, max_value=1e5), ratio=st.floats(min_value=0, max_value=1e4))
def test_off_scale_exactly_from_the_factor(ws: Workspace, target: float, ratio: float) -> None:
    """Flagged exactly when value >= scale_factor x target; the value is then excluded, else untouched."""
    from dataclasses import replace

    targets = ws.targets_for(2022)
    assert targets is not None
    units = {**targets.units, "hutang": {**targets.units.get("hutang", {}), "tech_sme": target}}
    here = replace(ws, targets={2022: replace(targets, units=units)})
    value = target * ratio
    cv = CellValue("tech_sme", value, value, "S", "D8")
    out, issues = check_scale({"tech_sme": cv}, here, NOV, file="f.xlsx", unit="hutang")
    flagged = value >= ws.settings.scale_factor * target
    assert [i.code for i in issues] == (["off-scale"] if flagged else [])
    assert out["tech_sme"].excluded is flagged
    if not flagged:
        assert out["tech_sme"] is cv


def test_no_target_no_check(ws: Workspace) -> None:
    cv = CellValue("tech_sme", 1e6, 1e6, "S", "D8")
    from dataclasses import replace

    _, issues = check_scale({"tech_sme": cv}, replace(ws, targets={}), NOV, file="f.xlsx", unit="hutang")
    assert issues == []


def _set_factor(ws_dir: Path, value: str) -> None:
    wsf = ws_dir / "templates" / "workspace.toml"
    text = wsf.read_text(encoding="utf-8")
    assert "scale_factor = 100" in text
    wsf.write_text(text.replace("scale_factor = 100", f"scale_factor = {value}"), encoding="utf-8")


def test_scale_factor_zero_turns_the_check_off(ws_dir: Path) -> None:
    _set_factor(ws_dir, "0")
    ws = load_workspace(ws_dir)
    target = ws.targets_for(2022).unit_target("hutang", "bounty_funds")
    field_form(ws, "湖塘镇.xlsx", "hutang", {"bounty_funds": round(target * 200, 2)})
    sub = only(ingest(ws, NOV), "湖塘镇.xlsx")
    assert not found(sub, "off-scale") and sub.values["bounty_funds"].value == round(target * 200, 2)


@pytest.mark.parametrize("bad", ["1", "0.5", "-3", '"x"'])
def test_scale_factor_must_exceed_one_or_be_zero(ws_dir: Path, bad: str) -> None:
    _set_factor(ws_dir, bad)
    with pytest.raises(ConfigError) as exc:
        load_workspace(ws_dir)
    assert any("scale_factor" in p for p in exc.value.problems)


def test_compile_keeps_the_off_scale_figure_out_of_the_bulletin(ws: Workspace) -> None:
    """From the CLI: results.json says pending, the district total leaves the figure out, the
    bulletin holds no cell with it and lists the problem under its code."""
    target = ws.targets_for(2022).unit_target("hutang", "bounty_funds")
    yuan = round(target * 0.05 * 10_000, 2)
    field_form(ws, "湖塘镇.xlsx", "hutang", {"bounty_funds": yuan})
    other = round(ws.targets_for(2022).unit_target("niutang", "bounty_funds") * 0.5, 2)
    field_form(ws, "牛塘镇.xlsx", "niutang", {"bounty_funds": other})
    run = CliRunner().invoke(cli, ["compile", "--workspace", str(ws.root), "--period", "2022-11", "--quiet"])
    assert run.exit_code == 0, run.output
    folder = ws.outbox / "2022-11"
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    [v] = [v for v in results["values"] if v["unit"] == "hutang" and v["indicator"] == "bounty_funds"]
    assert v["actual"] is None and v["status"] == "pending"
    [d] = [d for d in results["district"]["indicators"] if d["code"] == "bounty_funds"]
    assert d["actual"] == pytest.approx(other) and d["units_pending"] == 1
    assert any(i["code"] == "off-scale" and i["unit"] == "hutang" for i in results["issues"])
    wb = openpyxl.load_workbook(folder / results["bulletin_file"], read_only=True)
    numbers = [c for sh in wb.worksheets for row in sh.iter_rows(values_only=True) for c in row
               if isinstance(c, int | float)]
    assert yuan not in numbers
    texts = {c for sh in wb.worksheets for row in sh.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert "off-scale" in texts


def test_checked_once_per_submission_with_the_read_cache(ws: Workspace) -> None:
    target = ws.targets_for(2022).unit_target("hutang", "bounty_funds")
    field_form(ws, "湖塘镇.xlsx", "hutang", {"bounty_funds": round(target * 500, 2)})
    first = ingest(ws, NOV)
    again = ingest(ws, NOV)  # the read cache hands back the same submissions
    for result in (first, again):
        assert len(found(only(result, "湖塘镇.xlsx"), "off-scale")) == 1
        assert only(result, "湖塘镇.xlsx").values["bounty_funds"].excluded
