"""The ``reporting`` command: a thin click layer over the library.

Each command parses options, calls one library function and prints its
result. Heavy modules (pandas, openpyxl, xlsxwriter) are imported inside
the commands, so ``reporting --help`` answers at once.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from reporting import __version__
from reporting.core.errors import EXIT_ERRORS_FOUND, EXIT_USAGE, ConfigError, ReportingError
from reporting.core.messages import t

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Env:
    """Options shared by every command; a subcommand's value wins over the group's."""

    def __init__(self) -> None:
        self.workspace: str | None = None
        self.lang: str | None = None
        self.quiet = False
        self.verbose = False
        self.debug = False

    def load(self, *, with_targets: bool = True) -> Any:
        from reporting.workspace.config import load_workspace

        ws = load_workspace(self.workspace, with_targets=with_targets)
        if self.lang is None:
            self.lang = ws.settings.lang
        return ws

    @property
    def language(self) -> str:
        return self.lang or "zh"

    def say(self, text: str) -> None:
        if not self.quiet:
            click.echo(text)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            click.echo(text, err=True)


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add --workspace/--lang/--quiet/--verbose/--debug and turn errors into one line + exit code."""

    @click.option("--workspace", "-w", "workspace", type=click.Path(file_okay=False), envvar="REPORTING_WORKSPACE",
                  default=None, help="工作区文件夹 (default: current directory; env REPORTING_WORKSPACE).")
    @click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of output (default: workspace's).")
    @click.option("--quiet", "-q", is_flag=True, default=None, help="Print only errors.")
    @click.option("--verbose", "-v", is_flag=True, default=None, help="Print more detail.")
    @click.option("--debug", is_flag=True, default=None, help="Show a traceback on unexpected errors.")
    @click.pass_context
    @functools.wraps(f)
    def wrapper(ctx: click.Context, workspace: str | None, lang: str | None, quiet: bool | None,
                verbose: bool | None, debug: bool | None, **kw: Any) -> Any:
        env: Env = ctx.ensure_object(Env)
        for name, value in (("workspace", workspace), ("lang", lang), ("quiet", quiet),
                            ("verbose", verbose), ("debug", debug)):
            if value is not None:
                setattr(env, name, value)
        try:
            return f(env, **kw)
        except ConfigError as exc:
            click.echo(t("error.prefix", env.language) + t("error.config", env.language, n=len(exc.problems)), err=True)
            for p in exc.problems:
                click.echo(f"  - {p}", err=True)
            ctx.exit(EXIT_USAGE)
        except ReportingError as exc:
            click.echo(t("error.prefix", env.language) + exc.message(env.language), err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the last guard: one line unless --debug
            if env.debug:
                traceback.print_exc()
            else:
                click.echo(t("error.bug", env.language, kind=type(exc).__name__, detail=exc), err=True)
            ctx.exit(EXIT_USAGE)

    return wrapper


def _period(value: str | None) -> Any:
    if value is None:
        return None
    from reporting.core.periods import Period

    try:
        return Period.parse(value)
    except ValueError:
        raise click.BadParameter(t("error.period", "zh", value=value)) from None


def _periods_range(value: str) -> list[Any]:
    from reporting.core.periods import Period

    try:
        if ".." in value:
            a, b = (Period.parse(x) for x in value.split("..", 1))
        else:
            a = b = Period.parse(value)
    except ValueError:
        raise click.BadParameter(t("error.period", "zh", value=value)) from None
    out = []
    y, m = a.year, a.month
    while (y, m) <= (b.year, b.month):
        out.append(Period(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="reporting")
@click.option("--workspace", "-w", type=click.Path(file_okay=False), envvar="REPORTING_WORKSPACE", default=None,
              help="工作区文件夹 (default: current directory; env REPORTING_WORKSPACE).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of output (default: workspace's).")
@click.option("--quiet", "-q", is_flag=True, default=False, help="Print only errors.")
@click.option("--verbose", "-v", is_flag=True, default=False, help="Print more detail.")
@click.option("--debug", is_flag=True, default=False, help="Show a traceback on unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None, lang: str | None, quiet: bool, verbose: bool, debug: bool) -> None:
    """月度科技指标通报 — monthly indicator reporting, Excel in and Excel out.

    \b
    The monthly job, from the workspace folder:
      reporting compile            # inbox/ -> outbox/<period>/ bulletin, results.json, feedback
    \b
    Exit codes: 0 done; 1 done but problems found (check, compile --strict, mail);
    2 usage, configuration or workspace error.
    """
    env = ctx.ensure_object(Env)
    env.workspace, env.lang, env.quiet, env.verbose, env.debug = workspace, lang, quiet, verbose, debug


# ----------------------------------------------------------------- workspace and configuration


@cli.command(context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False))
@_common
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


@cli.command(context_settings=CONTEXT)
@_common
def config(env: Env) -> None:
    """Check the whole configuration and print a summary.

    \b
    Example:
      reporting config --workspace /srv/tongbao
    """
    from reporting.render.terminal import config_summary

    ws = env.load()
    env.say(config_summary(ws, env.language))


@cli.command(context_settings=CONTEXT)
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Target year, e.g. 2023.")
@click.option("--force", is_flag=True, help="Overwrite an existing targets workbook (its figures are lost).")
@_common
def targets(env: Env, year: int, force: bool) -> None:
    """Write a blank targets workbook templates/targets/YEAR.xlsx for the clerk to fill in.

    \b
    Example:
      reporting targets --year 2023
    """
    from reporting.render.targets_book import write_blank_targets

    ws = env.load()
    path = write_blank_targets(ws, year, force=force)
    env.say(t("targets.done", env.language, path=path))


@cli.command(context_settings=CONTEXT)
@click.option("--units", "n_units", type=click.IntRange(1, 100000), default=None,
              help="First write a configuration of N synthetic units (for benchmarks).")
@click.option("--periods", default="2022-11..2022-12", show_default=True, help="Period or range, e.g. 2022-01..2022-12.")
@click.option("--seed", type=int, default=2022, show_default=True, help="Random seed (same seed, same files).")
@click.option("--plain", is_flag=True, help="Only clean forms, without the sample mistakes.")
@_common
def demo(env: Env, n_units: int | None, periods: str, seed: int, plain: bool) -> None:
    """Fill the workspace's inbox with synthetic, plausible submissions.

    \b
    Examples:
      reporting demo                                  # the sample inbox, with typical mistakes
      reporting demo --units 2000 --periods 2022-11 -w /tmp/big
    """
    from reporting.demo.make import make_demo

    period_list = _periods_range(periods)
    report = make_demo(env.workspace, n_units=n_units, periods=period_list, seed=seed, mistakes=not plain)
    env.say(t("demo.done", env.language, files=report.files, inbox=report.inbox, units=report.units,
              periods=periods))


# ----------------------------------------------------------------- forms and ingestion


@cli.command(context_settings=CONTEXT)
@click.option("--period", required=True, help="Reporting period, e.g. 2022-11.")
@click.option("--unit", "units", multiple=True, help="Only this unit code (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite forms already in the folder.")
@_common
def forms(env: Env, period: str, units: tuple[str, ...], force: bool) -> None:
    """Write blank forms, one per unit, to outbox/PERIOD/forms/.

    \b
    Example:
      reporting forms --period 2022-11 --unit hutang
    """
    from reporting.ingest.pipeline import previous_from_inbox
    from reporting.render.forms import write_forms

    ws = env.load()
    p = _period(period)
    unknown = [u for u in units if u not in {x.code for x in ws.units}]
    if unknown:
        raise click.BadParameter(f"未知的单位代码：{', '.join(unknown)}", param_hint="--unit")
    written, skipped = write_forms(ws, p, units=list(units) or None, force=force,
                                   previous=previous_from_inbox(ws, p))
    for path in skipped:
        env.say(t("forms.skipped", env.language, path=path))
    env.say(t("forms.done", env.language, n=len(written), folder=ws.period_dir(p) / "forms"))


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--period", default=None, help="Period to assume for files that do not state one.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_common
def check(env: Env, paths: tuple[str, ...], period: str | None, as_json: bool) -> None:
    """Validate submissions (default: everything in inbox/) and print each file's problems.

    Exit 0 when no errors were found, 1 when some were.

    \b
    Examples:
      reporting check
      reporting check inbox/湖塘镇.xlsx --period 2022-11 --json
    """
    from reporting.ingest.pipeline import check_files
    from reporting.render.terminal import check_report_text

    ws = env.load()
    report = check_files(ws, [Path(p) for p in paths] or None, _period(period))
    if as_json:
        click.echo(json.dumps(report.to_dict(env.language), ensure_ascii=False, indent=2))
    else:
        env.say(check_report_text(report, env.language, verbose=env.verbose))
    if report.has_errors:
        sys.exit(EXIT_ERRORS_FOUND)


@cli.command(name="compile", context_settings=CONTEXT)
@click.option("--period", default=None, help="Period to compile (default: the latest found in inbox/).")
@click.option("--strict", is_flag=True, help="Exit 1 when any error was found.")
@click.option("--json", "as_json", is_flag=True, help="Print results.json to stdout.")
@click.option("--open", "open_after", is_flag=True, help="Open the bulletin when done.")
@_common
def compile_(env: Env, period: str | None, strict: bool, as_json: bool, open_after: bool) -> None:
    """Compile inbox/ into outbox/PERIOD/: the bulletin (通报), results.json and feedback.

    \b
    Examples:
      reporting compile
      reporting compile --period 2022-11 --strict --lang en
    """
    from reporting.jobs.compile import compile_period
    from reporting.render.terminal import compile_summary_text

    ws = env.load()
    progress = None if (env.quiet or as_json) else _progress_printer()
    result = compile_period(ws, _period(period), lang=env.language, progress=progress)
    if as_json:
        click.echo(json.dumps(result.results.to_json(), ensure_ascii=False, indent=2))
    else:
        env.say(compile_summary_text(result, env.language))
    if open_after:
        click.launch(str(result.bulletin))
    if strict and result.has_errors:
        sys.exit(EXIT_ERRORS_FOUND)


def _progress_printer() -> Callable[[int, int], None]:
    """Print a progress line on stderr, only for runs long enough to need one."""
    import time

    start = time.monotonic()

    def show(done: int, total: int) -> None:
        if time.monotonic() - start < 1.0 or not sys.stderr.isatty():
            return
        click.echo(f"\r读取 {done}/{total} ...", err=True, nl=done >= total)

    return show


# ----------------------------------------------------------------- email


def _mail_command(kind: str, doc: str) -> Callable[..., Any]:
    @click.option("--period", required=True, help="Reporting period, e.g. 2022-11.")
    @click.option("--to", "to", multiple=True, help="Send to this address instead (repeatable; for tests).")
    @click.option("--send", is_flag=True, help="Send through SMTP (default: only write .eml files).")
    @click.option("--resend", is_flag=True, help="Send again messages already sent.")
    @_common
    def command(env: Env, period: str, to: tuple[str, ...], send: bool, resend: bool) -> None:
        from reporting.deliver.mail import mail_report_text, run_mail

        ws = env.load()
        report = run_mail(ws, kind, _period(period), to=list(to), send=send, resend=resend, lang=env.language)
        env.say(mail_report_text(report, env.language))
        if report.failed:
            sys.exit(EXIT_ERRORS_FOUND)

    command.__doc__ = doc
    return command


cli.command(name="email", context_settings=CONTEXT)(_mail_command("bulletin", """Email the bulletin to the workspace's recipients.

    Without --send, writes .eml files to outbox/PERIOD/mail/ for review.

    \b
    Example:
      reporting email --period 2022-12            # write .eml files
      reporting email --period 2022-12 --send     # send them
    """))
cli.command(name="remind", context_settings=CONTEXT)(_mail_command("remind", """Remind units that have not submitted, with their blank form attached.

    \b
    Example:
      reporting remind --period 2022-12 --send
    """))
cli.command(name="feedback", context_settings=CONTEXT)(_mail_command("feedback", """Send each unit with problems its list of issues and annotated workbook.

    \b
    Example:
      reporting feedback --period 2022-12 --send
    """))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="reporting")
