"""Synthetic workspaces of any size, for benchmarks and scale tests.

``reporting demo --units N`` writes a configuration of N units in two
groups (the default catalogue), targets, and clean submissions made
through the tool's own form.
"""

from __future__ import annotations

from pathlib import Path

from reporting.config import Workspace
from reporting.periods import Period


def write_synthetic_config(root: Path, n_units: int, seed: int = 2022) -> None:
    """A workspace with ``n_units`` units: 60% towns, 40% zones, codes u00001..."""
    from reporting.workspace import default_file

    root.mkdir(parents=True, exist_ok=True)
    for sub in ("templates/targets", "inbox", "outbox"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    base = default_file("workspace.toml")
    head = base.split("[[groups]]", 1)[0]
    lines = [head.rstrip(), "",
             '[[groups]]', 'code = "town"', 'name = "镇"', 'name_en = "Towns"', "",
             '[[groups]]', 'code = "zone"', 'name = "开发区（街道）"', 'name_en = "Zones and streets"', ""]
    n_towns = max(1, round(n_units * 0.6)) if n_units > 1 else 1
    for i in range(1, n_units + 1):
        group = "town" if i <= n_towns else "zone"
        label = "镇" if group == "town" else "园区"
        lines += ["[[units]]", f'code = "u{i:05d}"', f'name = "示例{label}{i:05d}"', f'group = "{group}"',
                  f'emails = ["u{i:05d}@example.org"]', ""]
    (root / "templates" / "workspace.toml").write_text("\n".join(lines), encoding="utf-8")
    (root / "templates" / "indicators.toml").write_text(default_file("indicators.toml"), encoding="utf-8")
    for old in (root / "templates" / "targets").glob("*.xlsx"):
        old.unlink()


def write_plain_submissions(ws: Workspace, periods: list[Period], seed: int = 2022) -> int:
    """One clean form per unit and period, in inbox/<year>年<month>月/."""
    from reporting.demo import figures_for
    from reporting.samples import _filled_form, _folder

    count = 0
    for p in periods:
        folder = _folder(ws, p)
        folder.mkdir(parents=True, exist_ok=True)
        figures = figures_for(ws, p, seed)
        prev_p = p.previous()
        prev = figures_for(ws, prev_p, seed) if prev_p else {}
        for u in ws.units:
            wb = _filled_form(ws, u.code, p, figures[u.code], prev.get(u.code))
            wb.save(folder / f"{u.name}.xlsx")
            count += 1
    return count
