"""``reporting demo``: fill a workspace with sample (or synthetic) submissions and targets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reporting.core.periods import Period
from reporting.demo.figures import sample_targets
from reporting.workspace.config import load_workspace


@dataclass(frozen=True)
class DemoReport:
    inbox: Path
    files: int
    units: int


def make_demo(workspace: str | Path | None, *, n_units: int | None = None, periods: list[Period],
              seed: int = 2022, mistakes: bool = True) -> DemoReport:
    """Write sample submissions (and, when missing, targets) into the workspace's inbox."""
    from reporting.workspace.config import find_root

    root = find_root(workspace) if n_units is None else Path(workspace or ".").resolve()
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
    return DemoReport(ws.inbox, files, len(ws.units))
