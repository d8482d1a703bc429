"""Workspace and configuration commands: init, config, targets, demo."""

from __future__ import annotations

from pathlib import Path

import click

from reporting.cli.options import Env, command, common, periods_range
from reporting.core.messages import t


@command()
@click.argument("folder", type=click.Path(file_okay=False))
@common
def init(env: Env, folder: str) -> None:
    """Create a workspace in FOLDER: templates/ (default configuration), inbox/, outbox/.

    \b
    Example:
      reporting init ~/通报工作区 && cd ~/通报工作区 && reporting targets --year 2023
    """
    import datetime as _dt

    from reporting.workspace.init import init_workspace

    init_workspace(Path(folder))
    env.say(t("init.done", env.language, path=Path(folder).resolve(), year=_dt.date.today().year))


@command()
@common
def config(env: Env) -> None:
    """Check the whole configuration and print a summary.

    \b
    Example:
      reporting config --workspace /srv/tongbao
    """
    from reporting.render.terminal import config_summary

    ws = env.load()
    env.say(config_summary(ws, env.language))


@command()
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Target year, e.g. 2023.")
@click.option("--force", is_flag=True, help="Overwrite an existing targets workbook (its figures are lost).")
@common
def targets(env: Env, year: int, force: bool) -> None:
    """Write a blank targets workbook templates/targets/YEAR.xlsx for the clerk to fill in.

    \b
    Example:
      reporting targets --year 2023
    """
    from reporting.render.targets_book import write_blank_targets

    ws = env.load(with_targets=False)
    path = write_blank_targets(ws, year, force=force)
    env.say(t("targets.done", env.language, path=path))


@command()
@click.option("--units", "n_units", type=click.IntRange(1, 100000), default=None,
              help="First write a configuration of N synthetic units (for benchmarks).")
@click.option("--periods", default="2022-11..2022-12", show_default=True, help="Period or range, e.g. 2022-01..2022-12.")
@click.option("--seed", type=int, default=2022, show_default=True, help="Random seed (same seed, same files).")
@click.option("--plain", is_flag=True, help="Only clean forms, without the sample mistakes.")
@click.option("--force", is_flag=True, help="Also in a workspace with its own configuration or files in inbox/.")
@common
def demo(env: Env, n_units: int | None, periods: str, seed: int, plain: bool, force: bool) -> None:
    """Fill the workspace's inbox with synthetic, plausible submissions.

    Refuses (exit 2) a workspace that has its own configuration or files in
    inbox/, unless --force.

    \b
    Examples:
      reporting demo                                  # the sample inbox, with typical mistakes
      reporting demo --units 2000 --periods 2022-11 -w /tmp/big
    """
    from reporting.demo.make import make_demo

    period_list = periods_range(periods, env.language)
    report = make_demo(env.workspace, n_units=n_units, periods=period_list, seed=seed, mistakes=not plain,
                       force=force)
    env.say(t("demo.done", env.language, files=report.files, inbox=report.inbox, units=report.units,
              periods=periods))


COMMANDS = (init, config, targets, demo)
