"""The ``reporting`` command: a thin click layer over the library.

Each command parses options, calls one library function and prints its
result. Heavy modules (pandas, openpyxl, xlsxwriter) are imported inside
the commands, so ``reporting --help`` answers at once.

The shared options live in :mod:`reporting.cli.options`; each command group
is one module with a ``COMMANDS`` tuple, registered below with one line.
"""

from __future__ import annotations

import click

from reporting import __version__
from reporting.cli import check as _check
from reporting.cli import compile as _compile
from reporting.cli import history as _history
from reporting.cli import mail as _mail
from reporting.cli import setup as _setup
from reporting.cli.options import CONTEXT, ClerkGroup, Env


@click.group(cls=ClerkGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="reporting")
@click.option("--workspace", "-w", type=click.Path(file_okay=False), default=None,
              help="工作区文件夹 (default: $REPORTING_WORKSPACE, else the current directory).")
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


def register(*modules: object) -> None:
    """Add every command of each module's ``COMMANDS`` to ``reporting``."""
    for module in modules:
        for cmd in module.COMMANDS:  # type: ignore[attr-defined]
            cli.add_command(cmd)


register(_setup, _check, _compile, _mail, _history)


def main() -> None:
    """Console-script entry point: run the command, then leave without the interpreter's teardown.

    After a 2,000-unit compile, freeing its million objects one by one took a quarter of a
    second once the last line was printed. What a normal exit does that matters is done first
    (history stores closed, so their WAL is checkpointed into history.sqlite; the exit handlers
    of logging and multiprocessing; output flushed); an unexpected exception still ends the
    ordinary way, with its traceback.
    """
    try:
        cli(prog_name="reporting")
    except SystemExit as exc:
        code = exc.code
    else:  # pragma: no cover - click's standalone mode always ends with SystemExit
        code = 0
    leave(code)


def leave(code: object) -> None:
    """Exit with ``code`` (as ``sys.exit`` takes it) once the process's own state is safely put away."""
    import atexit
    import os
    import sys
    import threading

    from reporting.workspace.store import close_stores

    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if threading.active_count() > 1:  # a thread still running must be joined: the ordinary exit
        sys.exit(status)
    close_stores()
    atexit._run_exitfuncs()  # the handlers a normal exit runs (logging, multiprocessing)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head): nothing more can be said there
            pass
    os._exit(status)
