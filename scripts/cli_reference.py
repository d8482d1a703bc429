"""Generate docs/cli.md, the command reference, from the commands' own --help.

Run ``python scripts/cli_reference.py`` after changing a command;
tests/test_readme.py fails when the file is out of step.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent


def render() -> str:
    from reporting.cli import cli

    runner = CliRunner()
    parts = ["# Command reference", "",
             "Generated from `reporting --help` by `scripts/cli_reference.py`; do not edit by hand.", ""]
    import click

    subcommands = [[name, sub] for name, cmd in cli.commands.items() if isinstance(cmd, click.Group)
                   for sub in cmd.commands]
    for args in sorted([[], *[[name] for name in cli.commands], *subcommands],
                       key=lambda a: (list(cli.commands).index(a[0]) if a else -1, len(a), a)):
        out = runner.invoke(cli, [*args, "--help"], prog_name="reporting", terminal_width=100).output
        parts += [f"## reporting {' '.join(args)}".rstrip(), "", "```text", out.rstrip(), "```", ""]
    return "\n".join(parts)


def main() -> int:
    target = ROOT / "docs" / "cli.md"
    text = render()
    if "--check" in sys.argv:
        return 0 if target.exists() and target.read_text(encoding="utf-8") == text else 1
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
