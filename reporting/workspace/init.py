"""Create workspaces: ``reporting init`` and ``reporting targets``."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from reporting.core.errors import WorkspaceError
from reporting.workspace.config import INDICATORS_TOML, WORKSPACE_TOML


def default_file(name: str) -> str:
    """The text of a default configuration file shipped with the package."""
    return resources.files("reporting").joinpath("defaults", name).read_text(encoding="utf-8")


def init_workspace(folder: Path) -> list[Path]:
    """Create templates/ (default configuration), inbox/ and outbox/ in ``folder``.

    Refuses to overwrite an existing configuration: that is the clerk's work.
    """
    folder = Path(folder)
    templates = folder / "templates"
    for name in (WORKSPACE_TOML, INDICATORS_TOML):
        if (templates / name).exists():
            raise WorkspaceError(key="init.err.exists", path=templates / name)
    created: list[Path] = []
    for sub in ("templates/targets", "inbox", "outbox"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        created.append(folder / sub)
    for name in (WORKSPACE_TOML, INDICATORS_TOML):
        path = templates / name
        path.write_text(default_file(name), encoding="utf-8")
        created.append(path)
    return created


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, dirs_exist_ok=True)
