"""Exceptions that carry a user-facing message and an exit code.

The CLI turns these into one line on stderr; anything else is a bug and
only shows a traceback with ``--debug``.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERRORS_FOUND = 1
EXIT_USAGE = 2


class ReportingError(Exception):
    """A problem the user can fix; ``str()`` is the complete message."""

    exit_code = EXIT_USAGE


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
