"""The monthly job: compile."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from reporting.cli.options import Env, command, common, echo, echo_json, period_option
from reporting.core.errors import EXIT_ERRORS_FOUND
from reporting.core.messages import t


@command(name="compile")
@click.option("--period", default=None, help="Period to compile (default: the latest found in inbox/).")
@click.option("--strict", is_flag=True, help="Exit 1 when any error was found.")
@click.option("--json", "as_json", is_flag=True, help="Print results.json to stdout.")
@click.option("--open", "open_after", is_flag=True, help="Open the bulletin when done.")
@click.option("--no-docx", "no_docx", is_flag=True, help="Do not write the 通报 Word document (公文).")
@click.option("--pdf", is_flag=True, help="Also write the document as PDF (needs LibreOffice).")
@common
def compile_(env: Env, period: str | None, strict: bool, as_json: bool, open_after: bool, no_docx: bool,
             pdf: bool) -> None:
    """Compile inbox/ into outbox/PERIOD/: the bulletin (通报), results.json and feedback.

    \b
    Examples:
      reporting compile
      reporting compile --period 2022-11 --strict --lang en
      reporting compile --pdf
    """
    from reporting.jobs.compile import compile_period
    from reporting.render.terminal import compile_summary_text

    ws = env.load()
    progress = None if (env.quiet or as_json) else progress_printer(env.language)
    result = compile_period(ws, period_option(period, env.language), lang=env.language, progress=progress,
                            docx=not no_docx, pdf=pdf and not no_docx)
    if as_json:
        echo_json(result.results.to_json())
    else:
        env.say(compile_summary_text(result, env.language))
        for doc in result.documents:
            env.say(t("document.pdf" if doc.suffix == ".pdf" else "document.done", env.language, path=doc))
    if result.pdf_problem is not None:
        echo(result.pdf_problem.message(env.language), err=True)  # type: ignore[attr-defined]
    if result.history_problems:  # cells of templates/history/*.xlsx that were not imported
        lines = [t("compile.history_problems", env.language, n=len(result.history_problems))]
        echo("\n  - ".join(lines + result.history_problems), err=True)
    for line in result.register_problems:  # rows of templates/收文登记.xlsx whose time was not used
        echo(line, err=True)
    if open_after:
        click.launch(str(result.bulletin))
    if strict and result.has_errors:
        sys.exit(EXIT_ERRORS_FOUND)


def progress_printer(lang: str = "zh") -> Callable[[int, int], None]:
    """Print a progress line on stderr, only for runs long enough to need one."""
    import time

    start = time.monotonic()

    def show(done: int, total: int) -> None:
        if time.monotonic() - start < 1.0 or not sys.stderr.isatty():
            return
        echo("\r" + t("progress.reading", lang, done=done, total=total), err=True, nl=done >= total)

    return show


COMMANDS = (compile_,)
