"""One piece of work run beside the parent in a forked child: the bulletin of a large district.

At 2,000 units the bulletin is about 2 s of XlsxWriter, and results.json, the
通报 document and the feedback about 1 s more; on two cores they overlap.
Only where fork exists (POSIX) and the work is large enough to pay for a
process. A child that fails, for whatever reason, is redone in the parent,
so an error reaches the clerk exactly as in a run without a child (the
writers are atomic: a failed child leaves no half-written file behind).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

MIN_UNITS = 200  # below this the bulletin takes well under a second: a process does not pay
WAIT_LIMIT_S = 600.0  # a child still working after this is stopped and its work done in the parent


def forking_allowed() -> bool:
    """Fork exists here and REPORTING_WORKERS (the reading pool's switch) does not say 1."""
    import multiprocessing as mp

    if os.environ.get("REPORTING_WORKERS", "").strip() in ("0", "1"):
        return False
    return os.name == "posix" and "fork" in mp.get_all_start_methods() and (os.cpu_count() or 1) > 1


def _quietly(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The child's body: no traceback on the clerk's screen (the parent redoes the work and reports)."""
    try:
        fn(*args, **kwargs)
    except BaseException:  # noqa: BLE001 - any failure is redone, and so reported, by the parent
        os._exit(1)


class Job:
    """``fn(*args, **kwargs)`` started now, in a child when ``parallel``; :meth:`wait` makes sure it is done."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], parallel: bool,
                 limit: float = WAIT_LIMIT_S) -> None:
        self.fn, self.args, self.kwargs, self.limit = fn, args, kwargs, limit
        self.proc: Any = None
        if parallel:
            import multiprocessing as mp

            proc = mp.get_context("fork").Process(target=_quietly, args=(fn, args, kwargs), daemon=True)
            try:
                proc.start()
                self.proc = proc
            except OSError:  # no process to be had (limits): the work is done here instead
                self.proc = None
        if self.proc is None:
            fn(*args, **kwargs)

    @property
    def in_child(self) -> bool:
        return self.proc is not None

    def wait(self) -> None:
        """Wait for the child; when it did not succeed, do the work here (raising its error)."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.join(self.limit)
        if proc.is_alive():  # stuck (it never should be): stopped, and the work done here
            proc.terminate()
            proc.join()
        if proc.exitcode != 0:
            self.fn(*self.args, **self.kwargs)

    def cancel(self) -> None:
        """Stop a child whose work is no longer wanted (the run failed elsewhere)."""
        if self.proc is not None:
            self.proc.terminate()
            self.proc.join()
            self.proc = None


@contextlib.contextmanager
def beside(fn: Callable[..., Any], *args: Any, parallel: bool, **kwargs: Any) -> Iterator[Job]:
    """Run ``fn(*args, **kwargs)`` beside the block; done when the block ends normally, stopped when it raises."""
    job = Job(fn, args, kwargs, parallel and forking_allowed())
    try:
        yield job
    except BaseException:
        job.cancel()
        raise
    job.wait()
