"""``reporting history``: the workspace's memory (history.sqlite) — template, import, show, export, rebuild.

A thin layer over :mod:`reporting.jobs.history`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reporting.cli.options import CONTEXT, Env, command, common, echo, echo_json, resolve_units
from reporting.core.errors import EXIT_ERRORS_FOUND
from reporting.core.messages import t


@click.group(name="history", context_settings=CONTEXT)
@click.option("--workspace", "-w", "workspace", type=click.Path(file_okay=False), default=None,
              help="工作区文件夹 (default: $REPORTING_WORKSPACE, else the current directory).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of output (default: workspace's).")
@click.option("--quiet", "-q", is_flag=True, default=None, help="Print only errors.")
@click.option("--verbose", "-v", is_flag=True, default=None, help="Print more detail.")
@click.option("--debug", is_flag=True, default=None, help="Show a traceback on unexpected errors.")
@click.pass_context
def history(ctx: click.Context, workspace: str | None, lang: str | None, quiet: bool | None,
            verbose: bool | None, debug: bool | None) -> None:
    """The workspace's history (history.sqlite): 同比, 本月新增, 报送及时性 come from it.

    \b
    Examples:
      reporting history template --year 2021        # a workbook to fill in for the years before the tool
      reporting history import templates/history/2021.xlsx
      reporting history show --indicator hte_applications --years 2021..2022
      reporting history export --format csv -o 历史数据.csv
    \b
    Back up history.sqlite: it holds the time each file was first received; everything
    else in it is re-created by `reporting history rebuild`.
    """
    env = ctx.ensure_object(Env)
    for name, value in (("workspace", workspace), ("lang", lang), ("quiet", quiet), ("verbose", verbose),
                        ("debug", debug)):
        if value is not None:
            setattr(env, name, value)


def _problems(env: Env, problems: list[str]) -> None:
    if problems:
        echo(t("history.problems", env.language, n=len(problems)), err=True)
        for p in problems:
            echo(f"  - {p}", err=True)


@command(name="template")
@click.option("--year", type=click.IntRange(1990, 2100), required=True, help="The year, e.g. 2021.")
@click.option("--force", is_flag=True, help="Overwrite an existing workbook (its figures are lost).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Where to write it (default: templates/history/YEAR.xlsx).")
@common
def template(env: Env, year: int, force: bool, output: str | None) -> None:
    """Write the protected history workbook: one sheet per indicator, units × months.

    \b
    Example:
      reporting history template --year 2021
    """
    from reporting.jobs.history import write_template

    ws = env.load(with_targets=False)
    path = write_template(ws, year, force=force, path=Path(output) if output else None)
    env.say(t("history.template.done", env.language, path=path))


def _in_workspace(root: Path, source: str) -> Path:
    """A relative SOURCE that does not exist here but does in the workspace (``-w WS history import
    inbox`` from a scheduled task's folder) is the workspace's."""
    path = Path(source)
    if not path.is_absolute() and not path.exists() and (root / path).exists():
        return root / path
    return path


@command(name="import")
@click.argument("sources", nargs=-1, type=click.Path())
@common
def import_(env: Env, sources: tuple[str, ...]) -> None:
    """Fill earlier periods into the store from SOURCES.

    Each source is a history workbook (.xlsx), a results.json, an outbox folder
    (every <period>/results.json in it) or an old inbox folder (read and compiled,
    no bulletin written; nothing in it is changed). Without SOURCES: the workbooks in
    templates/history/ and the published outbox/*/results.json. Exit 1 when some
    cells could not be imported (each is listed with its sheet!cell).

    \b
    Examples:
      reporting history import templates/history/2021.xlsx
      reporting history import outbox
      reporting history import D:\\旧报表\\2021
    """
    from reporting.jobs.history import import_sources

    ws = env.load(with_targets=False)
    summary = import_sources(ws, [_in_workspace(ws.root, s) for s in sources], env.language)
    for line in summary.lines(env.language):
        env.say(line)
    _problems(env, summary.problems)
    if summary.problems:
        sys.exit(EXIT_ERRORS_FOUND)


@command(name="show")
@click.option("--unit", "unit", default=None, help="One unit (code, name or alias); default: the district total.")
@click.option("--indicator", default=None, help="One indicator (code or name): its months down, the years across.")
@click.option("--years", default=None, help="Years, e.g. 2017..2022 or 2022 (default: all, up to six).")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@common
def show(env: Env, unit: str | None, indicator: str | None, years: str | None, as_json: bool) -> None:
    """Print what the store holds: each indicator by year, or one indicator by month.

    \b
    Examples:
      reporting history show
      reporting history show --unit 湖塘镇 --indicator 高新技术企业申报数 --years 2021..2022
    """
    from reporting.jobs.history import history_table, open_history, parse_years, resolve_indicator

    ws = env.load(with_targets=False)
    codes = resolve_units(ws, (unit,) if unit else (), env.language)
    code = codes[0] if codes else None
    ind = resolve_indicator(ws, indicator)
    span = parse_years(years)
    store, problems = open_history(ws, lang=env.language)
    with store:
        table = history_table(ws, store, unit=code, indicator=ind, years=span, lang=env.language)
    _problems(env, problems)
    if as_json:
        echo_json({"title": table.title, "rows": table.data} if table else {"title": "", "rows": []})
    elif table is None:
        env.say(t("history.empty", env.language))
    else:
        env.say(table.text())


@command(name="export")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "parquet"]), default="xlsx", show_default=True,
              help="File format (parquet needs pyarrow).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Output file (default: outbox/history.FORMAT).")
@click.option("--unit", "unit", default=None, help="Only this unit (code, name or alias).")
@click.option("--indicator", default=None, help="Only this indicator (code or name).")
@click.option("--years", default=None, help="Only these years, e.g. 2017..2022.")
@common
def export(env: Env, fmt: str, output: str | None, unit: str | None, indicator: str | None,
           years: str | None) -> None:
    """Write the long table: period, unit, indicator, value, source (and file, sheet, cell).

    \b
    Examples:
      reporting history export
      reporting history export --format csv -o 历史数据.csv --years 2021..2022
    """
    from reporting.jobs.history import export_history, open_history, parse_years, resolve_indicator

    ws = env.load(with_targets=False)
    codes = resolve_units(ws, (unit,) if unit else (), env.language)
    ind = resolve_indicator(ws, indicator)
    span = parse_years(years)
    store, problems = open_history(ws, lang=env.language)
    with store:
        path, n = export_history(ws, store, fmt, Path(output) if output else None,
                                 unit=codes[0] if codes else None, indicator=ind, years=span)
    _problems(env, problems)
    env.say(t("history.export.done", env.language, n=n, path=path))


@command(name="rebuild")
@common
def rebuild(env: Env) -> None:
    """Re-create history.sqlite from the history workbooks, outbox/*/results.json and inbox/.

    The received times (when each file was first seen) are kept: they are the one
    thing that cannot be derived again.

    \b
    Example:
      reporting history rebuild
    """
    from reporting.jobs.history import rebuild_store
    from reporting.workspace.store import store_path

    ws = env.load()
    out, kept = rebuild_store(ws, env.language)
    env.say(t("history.rebuild.done", env.language, path=store_path(ws.root), workbook=len(set(out["workbook"])),
              results=len(out["results"]), inbox=len(out["inbox"]), files=kept))
    _problems(env, out["problems"])
    if out["problems"]:
        sys.exit(EXIT_ERRORS_FOUND)


for _cmd in (template, import_, show, export, rebuild):
    history.add_command(_cmd)

COMMANDS = (history,)
