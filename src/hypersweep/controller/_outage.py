"""When the store cannot be written (disk full, read-only, locked) or trials cannot start
(no disk space, no processes left): stop launching, wait, then go on — or give up cleanly.

A failed store write leaves the controller's memory ahead of the store (a channel offset
advanced, a run recorded as ended). Rather than patch that memory, the controller drops
it and rebuilds it from the store once the store answers again, exactly as a controller
restarted after a crash does (``_reconcile``): the store is the truth, channels are read
again from the stored offsets, and trials that ended meanwhile are recorded from the
exit status their wrapper wrote. Nothing a trial logged is lost: its channel is on disk.

While the outage lasts no trial is started, stopped or recorded; running trials go on.
Retries back off from 0.5 s to 10 s. After ``limit`` seconds (or on SIGTERM/SIGINT) the
controller gives up with a :class:`StoreError` saying why, leaves its trials running and
the sweep resumable: ``hypersweep resume`` adopts them once the store works again.
"""

from __future__ import annotations

import errno
import sys
import time
from collections.abc import Callable
from typing import TextIO

import sqlalchemy.exc

from hypersweep.errors import NotFoundError, StoreError

__all__ = ["LaunchBlocked", "Outage", "blocking_errno", "is_outage"]

# errors of the machine, not of the trial: starting the run again later can succeed
_TRANSIENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO,
                               errno.EMFILE, errno.ENFILE, errno.EAGAIN, errno.ENOMEM})
FIRST_DELAY, MAX_DELAY = 0.5, 10.0


class LaunchBlocked(Exception):
    """A trial could not start for a reason of the machine (disk full, no processes)."""


def blocking_errno(exc: BaseException) -> int | None:
    """The errno of ``exc`` (or of its cause) when it is a transient machine failure."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in _TRANSIENT_ERRNOS:
            return seen.errno
        seen = seen.__cause__
    return None


def is_outage(exc: BaseException) -> bool:
    """True for failures that waiting may cure: a database error, a store error other than
    a missing row, or a trial that could not start for lack of a machine resource."""
    if isinstance(exc, NotFoundError):
        return False
    return isinstance(exc, sqlalchemy.exc.DBAPIError | StoreError | LaunchBlocked)


def reason_of(exc: BaseException) -> str:
    """The database's own words ("database or disk is full"), without SQL or parameters."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.orig is not None:
        return str(exc.orig) or type(exc.orig).__name__
    return str(exc) or type(exc).__name__


class Outage:
    """Backoff bookkeeping for one controller: when the outage began, why, how long to wait.

    ``failed`` is called after each failed attempt: it reports the first failure on
    ``out`` (the controller's log), sleeps before the next attempt and raises
    :class:`StoreError` once ``limit`` seconds have passed or ``should_stop()`` is true.
    ``recovered`` returns a summary after the first successful pass, else None.
    """

    def __init__(self, sweep_id: str, limit: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, out: TextIO | None = None) -> None:
        self.sweep_id, self.limit = sweep_id, limit
        self.clock, self.sleep, self.out = clock, sleep, out
        self.since: float | None = None
        self.reason = ""
        self.attempts = 0

    def failed(self, exc: BaseException, should_stop: Callable[[], object]) -> None:
        now = self.clock()
        self.reason = reason_of(exc)
        if self.since is None:
            self.since, self.attempts = now, 0
            self._say(f"sweep {self.sweep_id}: {self._what(exc)} ({self.reason}); no new trial "
                      f"starts, running trials go on; retrying for up to {self.limit:g} s")
        waited = now - self.since
        if waited >= self.limit or should_stop():
            why = "stopped by a signal" if should_stop() else f"gave up after {waited:.0f} s"
            raise StoreError(
                f"sweep {self.sweep_id}: {why}: {self._what(exc)} ({self.reason}). Its trials "
                f"keep running and nothing they logged is lost; once the store can be written "
                f"again, continue with `hypersweep resume {self.sweep_id}`") from exc
        delay = min(MAX_DELAY, FIRST_DELAY * 2 ** self.attempts, self.limit - waited)
        self.attempts += 1
        deadline = self.clock() + delay
        while self.clock() < deadline and not should_stop():
            self.sleep(min(0.1, max(0.0, deadline - self.clock())))

    def recovered(self) -> str | None:
        if self.since is None:
            return None
        message = (f"the store could not be written for {self.clock() - self.since:.1f} s "
                   f"({self.reason}); no trial started meanwhile and nothing was lost")
        self._say(f"sweep {self.sweep_id}: {message}")
        self.since = None
        return message

    @staticmethod
    def _what(exc: BaseException) -> str:
        return ("a trial cannot start" if isinstance(exc, LaunchBlocked)
                else "the store cannot be written")

    def _say(self, text: str) -> None:
        out = self.out or sys.stderr
        print(f"hypersweep: {text}", file=out, flush=True)
