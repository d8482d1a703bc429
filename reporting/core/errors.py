"""Exceptions that carry a user-facing message and an exit code.

The CLI turns these into one line on stderr; anything else is a bug and
only shows a traceback with ``--debug``.
"""

from __future__ import annotations

from reporting.core.messages import t as _t

EXIT_OK = 0
EXIT_ERRORS_FOUND = 1
EXIT_USAGE = 2


class ReportingError(Exception):
    """A problem the user can fix; ``str()`` is the complete message (in Chinese).

    Raised with ``key=`` (a message catalogue key) and typed parameters, the
    error can also be shown in English: ``message(lang)``.
    """

    exit_code = EXIT_USAGE

    def __init__(self, message: str = "", *, key: str | None = None, **params: object) -> None:
        self.key, self.params = key, params
        super().__init__(message or (_t(key, "zh", **params) if key else ""))

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (the catalogue's, where the error was raised with a key)."""
        return _t(self.key, lang, **self.params) if self.key else str(self)


class WorkspaceError(ReportingError):
    """The workspace folder is missing parts or cannot be used."""


class ConfigError(ReportingError):
    """The configuration has one or more problems; all are listed at once."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class NothingToDo(ReportingError):
    """There is no input for the requested job (e.g. an empty inbox)."""


class DeliveryError(ReportingError):
    """Mail could not be delivered (connection, login, refusal)."""

    exit_code = EXIT_ERRORS_FOUND
