"""How a trial's end is recorded: status and message from its exit and its metrics."""

from __future__ import annotations

import os
import signal

from hypersweep.status import RunStatus

__all__ = ["classify_exit", "log_tail", "missing_metric_message"]

TAIL_LINES = 30
TAIL_BYTES = 16 * 1024


def log_tail(path: str, lines: int = TAIL_LINES) -> str:
    """The last lines of a log file ('' if there is none)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - TAIL_BYTES))
            data = fh.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def classify_exit(exit_code: int | None, cancel_reason: str | None,
                  lost: str | None = None) -> tuple[RunStatus, str | None]:
    """(final status, message) for a trial that ended."""
    if cancel_reason is not None:
        return RunStatus.CANCELED, cancel_reason
    if lost is not None:
        return RunStatus.FAILED, lost
    if exit_code is None:
        return RunStatus.FAILED, "controller lost the run: its exit status is unknown"
    if exit_code == 0:
        return RunStatus.COMPLETED, None
    if exit_code < 0:
        name = _signal_name(-exit_code)
        hint = " (possibly the out-of-memory killer)" if -exit_code == signal.SIGKILL else ""
        return RunStatus.FAILED, f"killed by {name} ({-exit_code}){hint}"
    return RunStatus.FAILED, f"exit code {exit_code}"


def missing_metric_message(primary: str, logged: list[str]) -> str:
    """The flag on a run that never logged the primary metric (SPEC §3)."""
    if primary in logged:
        return not_a_series(primary)
    names = ", ".join(repr(n) for n in sorted(logged)) if logged else "none"
    return f"metric {primary!r} was never logged; logged names were: {names}"


def no_finite_value_message(primary: str, count: int, non_numeric: int = 0) -> str:
    """The flag on a run whose every primary value was NaN, ±inf or not a number (never
    best, SPEC §3)."""
    if non_numeric:
        return (f"metric {primary!r} was logged {count} time(s), {non_numeric} of them not as "
                "a number (e.g. a string: log a float); NaN, ±inf and non-numbers are never "
                "best: this run has no best value")
    return (f"metric {primary!r} was logged {count} time(s) but never as a finite number "
            "(NaN and ±inf are never best): this run has no best value")


def not_a_series(primary: str) -> str:
    """Why a primary metric logged only as a list, row or table does not count."""
    return (f"metric {primary!r} was logged only with log_list/log_row/log_table, which "
            f"are not intervals; log each value with run.log({primary!r}, value) for it to "
            "be the primary metric")
