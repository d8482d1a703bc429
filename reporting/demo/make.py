"""``reporting demo``: fill a workspace with sample (or synthetic) submissions and targets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reporting.core.periods import Period
from reporting.demo.figures import sample_targets
from reporting.workspace.config import Workspace, load_workspace


@dataclass(frozen=True)
class DemoReport:
    inbox: Path
    files: int
    units: int


def make_demo(workspace: str | Path | None, *, n_units: int | None = None, periods: list[Period],
              seed: int = 2022, mistakes: bool = True, force: bool = False) -> DemoReport:
    """Write sample submissions (and, when missing, targets) into the workspace's inbox.

    A workspace with its own configuration (not the one ``init`` wrote) or
    with files in inbox/ is refused unless ``force``: the demo would
    overwrite the clerk's work.
    """
    from reporting.workspace.config import find_root

    root = find_root(workspace) if n_units is None else Path(workspace or ".").resolve()
    if not force and _has_own_work(root, synthetic=n_units is not None):
        from reporting.core.errors import WorkspaceError

        raise WorkspaceError(key="demo.refuse", root=root)
    if n_units is not None:
        from reporting.demo.synthetic import write_synthetic_config

        write_synthetic_config(root, n_units, seed)
    ws = load_workspace(root, with_targets=False)
    for year in sorted({p.year for p in periods}):
        path = ws.templates / "targets" / f"{year}.xlsx"
        if not path.exists():
            from reporting.render.targets_book import write_targets_workbook

            unit_t, district_t = sample_targets(ws, seed)
            write_targets_workbook(path, year=year, district=ws.settings.district, units=ws.units,
                                   indicators=ws.indicators, group_names={g.code: g.name for g in ws.groups},
                                   values={**unit_t, "district": district_t})
    ws = load_workspace(root)
    if n_units is not None or not mistakes:
        from reporting.demo.synthetic import write_plain_submissions

        files = write_plain_submissions(ws, periods, seed)
        return DemoReport(ws.inbox, files, len(ws.units))
    from reporting.demo.samples import write_sample_inbox

    files = write_sample_inbox(ws, periods, seed)
    _write_register(ws)
    return DemoReport(ws.inbox, files, len(ws.units))


def _write_register(ws: Workspace) -> None:
    """The sample's 收文登记: each file's receipt time, so a copy of the workspace keeps them."""
    import datetime as dt

    from reporting.ingest.pipeline import discover, display_name
    from reporting.ingest.register import register_path, write_register
    from reporting.io.book import classify_name

    names = sorted(ws.units, key=lambda u: len(u.name), reverse=True)
    rows = []
    for path in discover(ws.inbox):
        if classify_name(path) is not None:
            continue
        unit = next((u.name for u in names if u.name in path.name), "")
        rows.append((display_name(path, ws.inbox), unit, dt.datetime.fromtimestamp(int(path.stat().st_mtime))))
    rows.sort(key=lambda r: (r[2], r[0]))
    write_register(register_path(ws.root), rows)


def _has_own_work(root: Path, *, synthetic: bool) -> bool:
    """Files in inbox/, or (for a synthetic configuration) a configuration other than ``init``'s default."""
    inbox = root / "inbox"
    if inbox.is_dir() and any(p.is_file() for p in inbox.rglob("*")):
        return True
    if not synthetic:
        return False
    from reporting.workspace.config import INDICATORS_TOML, WORKSPACE_TOML
    from reporting.workspace.init import default_file

    for name in (WORKSPACE_TOML, INDICATORS_TOML):
        path = root / "templates" / name
        if path.is_file() and path.read_text(encoding="utf-8-sig") != default_file(name):
            return True
    return False
