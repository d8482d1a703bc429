"""Forms and validation commands: forms, check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reporting.cli.options import Env, command, common, echo_json, period_option, resolve_units
from reporting.core.errors import EXIT_ERRORS_FOUND
from reporting.core.messages import t


@command()
@click.option("--period", required=True, help="Reporting period, e.g. 2022-11 (also 2022/11, 202211, 2022年11月).")
@click.option("--unit", "units", multiple=True, help="Only this unit: code, name or alias (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite forms already in the folder.")
@common
def forms(env: Env, period: str, units: tuple[str, ...], force: bool) -> None:
    """Write blank forms, one per unit, to outbox/PERIOD/forms/.

    \b
    Example:
      reporting forms --period 2022-11 --unit 湖塘镇
    """
    from reporting.ingest.pipeline import previous_from_inbox
    from reporting.render.forms import write_forms

    ws = env.load()
    p = period_option(period, env.language)
    codes = resolve_units(ws, units, env.language)
    written, skipped = write_forms(ws, p, units=codes, force=force, previous=previous_from_inbox(ws, p))
    for path in skipped:
        env.say(t("forms.skipped", env.language, path=path))
    env.say(t("forms.done", env.language, n=len(written), folder=ws.period_dir(p) / "forms"))
    from reporting.workspace.targets import targets_notes

    for line in targets_notes(ws, p.year, env.language):  # no targets: the forms show no target column values
        env.say(line)


@command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--period", default=None, help="Period to assume for files that do not state one.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@common
def check(env: Env, paths: tuple[str, ...], period: str | None, as_json: bool) -> None:
    """Validate submissions (default: everything in inbox/) and print each file's problems.

    Exit 0 when no errors were found, 1 when some were (with -q: only the summary line).

    \b
    Examples:
      reporting check
      reporting check inbox/湖塘镇.xlsx --period 2022-11 --json
    """
    from reporting.ingest.pipeline import check_files
    from reporting.render.terminal import check_report_text, check_summary_line

    ws = env.load()
    report = check_files(ws, [Path(p) for p in paths] or None, period_option(period, env.language), env.language)
    if as_json:
        echo_json(report.to_dict(env.language))
    elif env.quiet:
        if report.has_errors:
            from reporting.cli.options import echo

            echo(check_summary_line(report, env.language))
    else:
        env.say(check_report_text(report, env.language, verbose=env.verbose, ws=ws))
    if report.period is not None and not env.quiet:
        from reporting.cli.options import echo
        from reporting.workspace.targets import targets_notes

        for line in targets_notes(ws, report.period.year, env.language):
            echo(line, err=as_json)  # --json keeps stdout to the JSON
    if not env.quiet:
        from reporting.cli.options import echo
        from reporting.ingest.register import load_register

        for line in load_register(ws.root, env.language).problems:  # rows of 收文登记 whose time is not used
            echo(line, err=True)
    if report.has_errors:
        sys.exit(EXIT_ERRORS_FOUND)


COMMANDS = (forms, check)
