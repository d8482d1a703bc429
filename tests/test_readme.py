"""The README's promises: two Quick start commands, CI running the second, docs in step."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from reporting.core.issuetypes import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _first_block() -> list[str]:
    block = re.search(r"```(?:bash)?\n(.*?)```", README, re.S)
    assert block, "README has no command block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_has_exactly_two_commands() -> None:
    lines = _first_block()
    assert len(lines) == 2
    assert lines[0].endswith("reporting compile")
    assert "pytest" in lines[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _first_block()[1] in ci.splitlines()


def test_cli_reference_is_in_step() -> None:
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "cli_reference.py"), "--check"], cwd=ROOT)
    assert r.returncode == 0, "docs/cli.md is stale: run python scripts/cli_reference.py"


def test_readme_lists_every_issue_code() -> None:
    for code in CATALOGUE:
        assert f"`{code}`" in README, code


def test_readme_images_exist() -> None:
    for src in re.findall(r"(?:\]\(|src=\")(docs/img/[^)\"]+)", README):
        assert (ROOT / src).is_file(), src
