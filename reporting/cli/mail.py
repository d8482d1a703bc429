"""Email commands: email (the bulletin), remind, feedback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from reporting.cli.options import Env, command, common, period_option, resolve_units
from reporting.core.errors import EXIT_ERRORS_FOUND


def _mail_command(kind: str, name: str, doc: str) -> click.Command:
    @click.option("--period", required=True, help="Reporting period, e.g. 2022-11.")
    @click.option("--to", "to", multiple=True, help="Send to this address instead (repeatable; for tests).")
    @click.option("--send", is_flag=True, help="Send through SMTP (default: only write .eml files).")
    @click.option("--resend", is_flag=True, help="Send again messages already sent.")
    @click.option("--stale-ok", is_flag=True, help="Send even when inbox/ has files newer than results.json.")
    @common
    def run(env: Env, period: str, to: tuple[str, ...], send: bool, resend: bool, stale_ok: bool,
            units: tuple[str, ...] = ()) -> None:
        from reporting.deliver.mail import mail_report_text, run_mail

        ws = env.load()
        report = run_mail(ws, kind, period_option(period, env.language), to=list(to), send=send, resend=resend,
                          lang=env.language, units=resolve_units(ws, units, env.language), stale_ok=stale_ok)
        env.say(mail_report_text(report, env.language))
        if report.failed:
            sys.exit(EXIT_ERRORS_FOUND)

    run.__doc__ = doc
    fn: Callable[..., Any] = run
    if kind != "bulletin":
        fn = click.option("--unit", "units", multiple=True,
                          help="Only this unit: code, name or alias (repeatable).")(fn)
    return command(name=name)(fn)


email = _mail_command("bulletin", "email", """Email the bulletin to the workspace's recipients.

    Attaches the bulletin workbook and, when outbox/PERIOD/ has it, the
    bulletin document (its .pdf, else its .docx). Without --send, writes .eml
    files to outbox/PERIOD/mail/ for review. --send refuses (exit 2) while
    inbox/ has files newer than results.json: compile again, or --stale-ok.

    \b
    Example:
      reporting email --period 2022-12            # write .eml files
      reporting email --period 2022-12 --send     # send them
    """)
remind = _mail_command("remind", "remind", """Remind units that have not submitted, with their blank form attached.

    Before the period's first compile (no results.json), every unit is
    reminded; after it, the units with no accepted file, told why a file they
    sent could not be used. A reminder whose content changed goes again.

    \b
    Example:
      reporting remind --period 2022-12 --send
      reporting remind --period 2022-12 --unit 湖塘镇
    """)
feedback = _mail_command("feedback", "feedback", """Send each unit with problems its list of issues and annotated workbook.

    A unit whose feedback changed since it was sent (a new compile) gets the
    new one without --resend; the others get nothing twice.

    \b
    Example:
      reporting feedback --period 2022-12 --send
      reporting feedback --period 2022-12 --send --unit 湖塘镇 --unit 牛塘镇
    """)

COMMANDS = (email, remind, feedback)
