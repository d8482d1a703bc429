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


class Problem(str):
    """One configuration problem: ``where: message`` in Chinese, re-rendered in another language on request.

    A ``str`` so that code and tests that only want the text keep working.
    """

    where: str
    key: str
    params: dict[str, object]

    def __new__(cls, where: str, key: str, /, **params: object) -> Problem:
        text = _t(key, "zh", **params)
        obj = super().__new__(cls, f"{where}: {text}" if where else text)
        obj.where, obj.key, obj.params = where, key, params
        return obj

    def message(self, lang: str = "zh") -> str:
        params = dict(self.params)
        if lang != "zh":  # a parameter given in both languages (``x`` and ``x_en``) shows its English form
            params.update({k[:-3]: v for k, v in self.params.items() if k.endswith("_en")})
        text = _t(self.key, lang, **params)
        return f"{self.where}: {text}" if self.where else text


def problem_text(problem: str, lang: str = "zh") -> str:
    """A problem in ``lang`` (a plain string stays as it is)."""
    return problem.message(lang) if isinstance(problem, Problem) else str(problem)


class ConfigError(ReportingError):
    """The configuration has one or more problems; all are listed at once."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def message(self, lang: str = "zh") -> str:
        return "\n".join(problem_text(p, lang) for p in self.problems)


class NothingToDo(ReportingError):
    """There is no input for the requested job (e.g. an empty inbox)."""


class DeliveryError(ReportingError):
    """Mail could not be delivered (connection, login, refusal)."""

    exit_code = EXIT_ERRORS_FOUND
