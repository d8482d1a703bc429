"""Shared fixtures: real workspaces on disk, built the way a user builds them."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporting.workspace.config import Workspace, load_workspace
from reporting.workspace.init import init_workspace

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def ws_dir(tmp_path: Path) -> Path:
    """A fresh workspace made by ``reporting init`` with 2022 targets filled in."""
    from reporting.demo.figures import sample_targets
    from reporting.render.targets_book import write_targets_workbook

    folder = tmp_path / "ws"
    init_workspace(folder)
    ws = load_workspace(folder, with_targets=False)
    unit_targets, district = sample_targets(ws)
    write_targets_workbook(folder / "templates" / "targets" / "2022.xlsx", year=2022,
                           district=ws.settings.district, units=ws.units, indicators=ws.indicators,
                           group_names={g.code: g.name for g in ws.groups},
                           values={**unit_targets, "district": district})
    return folder


@pytest.fixture
def ws(ws_dir: Path) -> Workspace:
    return load_workspace(ws_dir)
