"""What every command shares: the common options (declared once), the error guard, safe output.

A command module declares its commands with ``@command(...)`` (click's
command with the shared context settings) and ``@common`` (the shared
options and the one-line error guard), and lists them in ``COMMANDS``;
``reporting.cli`` registers each module with one line.
"""

from __future__ import annotations

import codecs
import functools
import json
import re
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from reporting.core.errors import EXIT_USAGE, ConfigError, ReportingError, problem_text
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
            echo(text)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            echo(text, err=True)


# --------------------------------------------------------------------------- output


def safe_streams() -> None:
    """Replace, rather than fail on, characters the console's encoding cannot take (gbk, cp1252)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def _encoding(err: bool = False) -> str:
    stream = sys.stderr if err else sys.stdout
    return getattr(stream, "encoding", None) or "utf-8"


def takes_utf8(err: bool = False) -> bool:
    """Whether the stream writes UTF-8 (so JSON may carry Chinese as it is)."""
    try:
        return codecs.lookup(_encoding(err)).name == "utf-8"
    except LookupError:
        return False


def printable(text: str, err: bool = False) -> str:
    """``text`` with what the stream's encoding cannot take replaced by ``?``."""
    enc = _encoding(err)
    try:
        text.encode(enc)
        return text
    except UnicodeEncodeError:
        return text.encode(enc, errors="replace").decode(enc, errors="replace")
    except LookupError:
        return text


def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    """click.echo that never fails on the console's encoding."""
    click.echo(printable(str(text), err), err=err, nl=nl)


def echo_json(data: Any) -> None:
    """JSON on stdout: Chinese as it is on a UTF-8 stream, ``\\u`` escapes otherwise."""
    click.echo(json.dumps(data, ensure_ascii=not takes_utf8(), indent=2))


# --------------------------------------------------------------------------- periods and units

_PERIOD_FORMS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月?(?:份)?$"),
)


def parse_period_text(value: str) -> Any:
    """``2023-03``, ``2023-3``, ``2023/3``, ``202303``, ``2023年3月``, ``2023.3`` -> Period.

    Raise ValueError with the catalogue key ``error.period`` or ``error.period_month``.
    """
    from reporting.core.periods import Period

    text = str(value or "").strip()
    for pattern in _PERIOD_FORMS:
        m = pattern.match(text)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError("error.period_month")
            try:
                return Period(year, month)
            except ValueError:
                raise ValueError("error.period") from None
    raise ValueError("error.period")


def period_option(value: str | None, lang: str = "zh") -> Any:
    """A --period value as a Period, or a usage error in ``lang``."""
    if value is None:
        return None
    try:
        return parse_period_text(value)
    except ValueError as exc:
        raise click.BadParameter(t(str(exc), lang, value=value), param_hint="--period") from None


def periods_range(value: str, lang: str = "zh") -> list[Any]:
    from reporting.core.periods import Period

    first, _, last = value.partition("..")
    a = period_option(first, lang)
    b = period_option(last, lang) if last else a
    out = []
    y, m = a.year, a.month
    while (y, m) <= (b.year, b.month):
        out.append(Period(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def resolve_units(ws: Any, given: tuple[str, ...] | list[str], lang: str = "zh") -> list[str] | None:
    """Unit codes for --unit values given as code, name or alias; None when none was given."""
    if not given:
        return None
    from reporting.core.textnorm import norm_label

    by_key: dict[str, str] = {}
    for u in ws.units:
        by_key.setdefault(u.code, u.code)
        for label in (u.name, u.name_en, *u.aliases):
            if label:
                by_key.setdefault(norm_label(label), u.code)
    codes: list[str] = []
    unknown: list[str] = []
    for g in given:
        code = by_key.get(g) or by_key.get(norm_label(g))
        if code is None:
            unknown.append(g)
        elif code not in codes:
            codes.append(code)
    if unknown:
        raise click.BadParameter(t("error.unknown_unit", lang, units="、".join(unknown)), param_hint="--unit")
    return codes


# --------------------------------------------------------------------------- errors


def _write_failure(exc: OSError, lang: str) -> str:
    path = exc.filename or ""
    reason = exc.strerror or type(exc).__name__
    return t("error.write", lang, path=path, reason=reason)


def guard(env: Env, ctx: click.Context, run: Callable[[], Any]) -> Any:
    """Run a command: a known problem is one line and exit 2; a bug is one line unless --debug."""
    try:
        return run()
    except ConfigError as exc:
        echo(t("error.prefix", env.language) + t("error.config", env.language, n=len(exc.problems)), err=True)
        for p in exc.problems:
            echo(f"  - {problem_text(p, env.language)}", err=True)
        ctx.exit(EXIT_USAGE)
    except ReportingError as exc:
        echo(t("error.prefix", env.language) + exc.message(env.language), err=True)
        ctx.exit(exc.exit_code)
    except (click.exceptions.Exit, click.ClickException, click.Abort):
        raise
    except OSError as exc:
        if env.debug:
            traceback.print_exc()
        echo(t("error.prefix", env.language) + _write_failure(exc, env.language), err=True)
        ctx.exit(EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - the last guard: one line unless --debug
        if env.debug:
            traceback.print_exc()
        else:
            echo(t("error.bug", env.language, kind=type(exc).__name__, detail=exc), err=True)
        ctx.exit(EXIT_USAGE)


def common(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add --workspace/--lang/--quiet/--verbose/--debug and turn errors into one line + exit code.

    No environment variable here: ``-w`` given anywhere on the command line
    beats $REPORTING_WORKSPACE, which the workspace loader reads last.
    """

    @click.option("--workspace", "-w", "workspace", type=click.Path(file_okay=False), default=None,
                  help="工作区文件夹 (default: $REPORTING_WORKSPACE, else the current directory).")
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
        return guard(env, ctx, lambda: f(env, **kw))

    return wrapper


def command(name: str | None = None, **kw: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """click.command with the shared context settings."""
    return click.command(name=name, context_settings=CONTEXT, **kw)


# --------------------------------------------------------------------------- usage errors


def _lang_of(args: list[str]) -> str:
    for n, a in enumerate(args):
        if a == "--lang" and n + 1 < len(args):
            return "en" if args[n + 1] == "en" else "zh"
        if a.startswith("--lang="):
            return "en" if a.endswith("=en") else "zh"
    return "zh"


def usage_line(exc: click.UsageError, lang: str) -> str:
    """One line, in ``lang``, for a click usage error, with the --help hint."""
    if isinstance(exc, click.NoSuchOption):
        what = t("usage.no_such_option", lang, name=exc.option_name)
        if exc.possibilities:
            what += t("usage.did_you_mean", lang, maybe=", ".join(sorted(exc.possibilities)))
    elif isinstance(exc, click.MissingParameter):
        names = exc.param.opts[0] if exc.param is not None and exc.param.opts else (exc.param_hint or "")
        what = t("usage.missing", lang, name=names)
    elif isinstance(exc, click.BadParameter):
        hint = exc.param_hint or (exc.param.opts[0] if exc.param is not None and exc.param.opts else "")
        what = t("usage.bad_value", lang, name=hint if isinstance(hint, str) else "/".join(hint), detail=exc.message)
    elif "No such command" in exc.message:
        what = t("usage.no_such_command", lang, detail=exc.message.split("'")[1] if "'" in exc.message else "")
    else:
        what = exc.message
    cmd = exc.ctx.command_path if exc.ctx is not None else "reporting"
    return t("error.prefix", lang) + what + t("usage.hint", lang, cmd=cmd)


class ClerkGroup(click.Group):
    """The top-level group: safe output streams and usage errors as one line in Chinese (or --lang)."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        safe_streams()
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            echo(usage_line(exc, _lang_of(argv)), err=True)
            sys.exit(EXIT_USAGE)
        except click.ClickException as exc:
            echo(t("error.prefix", _lang_of(argv)) + exc.format_message(), err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)
