"""The outage bookkeeping of the controller: which failures wait, how long, and the words
it uses — on an injected clock, so no test sleeps."""

from __future__ import annotations

import errno
import io

import pytest
import sqlalchemy.exc

from hypersweep.controller._outage import (
    LaunchBlocked,
    Outage,
    blocking_errno,
    is_outage,
    reason_of,
)
from hypersweep.errors import ExecutionError, NotFoundError, StoreError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _db_error(text: str) -> sqlalchemy.exc.OperationalError:
    import sqlite3

    return sqlalchemy.exc.OperationalError("INSERT ...", {}, sqlite3.OperationalError(text))


def test_which_failures_are_outages():
    assert is_outage(_db_error("database or disk is full"))
    assert is_outage(StoreError("connection refused"))
    assert is_outage(LaunchBlocked("no space"))
    assert not is_outage(NotFoundError("no experiment"))  # a missing row is not transient
    assert not is_outage(KeyError("x"))
    assert not is_outage(ValueError("bug"))


def test_blocking_errno_looks_through_causes():
    inner = OSError(errno.ENOSPC, "No space left on device")
    try:
        raise ExecutionError("cannot start") from inner
    except ExecutionError as exc:
        assert blocking_errno(exc) == errno.ENOSPC
    assert blocking_errno(OSError(errno.ENOENT, "No such file")) is None  # the trial's fault
    assert blocking_errno(OSError(errno.EAGAIN, "fork")) == errno.EAGAIN


def test_reason_is_the_databases_words_without_sql():
    assert reason_of(_db_error("disk I/O error")) == "disk I/O error"
    assert reason_of(StoreError("gone")) == "gone"


def test_backoff_doubles_up_to_ten_seconds_then_gives_up():
    clock, out = FakeClock(), io.StringIO()
    outage = Outage("HD_1", 60, clock=clock, sleep=clock.sleep, out=out)
    waits = []
    with pytest.raises(StoreError) as info:
        for _ in range(100):
            before = clock.now
            outage.failed(_db_error("database is locked"), lambda: None)
            waits.append(round(clock.now - before, 6))
    assert waits[:6] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]
    assert clock.now == pytest.approx(60, abs=0.2)
    text = str(info.value)
    assert "gave up after 60 s" in text and "database is locked" in text
    assert "hypersweep resume HD_1" in text
    assert out.getvalue().count("\n") == 1  # said once, when it began
    assert "no new trial starts" in out.getvalue()


def test_a_stop_request_gives_up_at_once():
    clock = FakeClock()
    outage = Outage("HD_1", 600, clock=clock, sleep=clock.sleep, out=io.StringIO())
    outage.failed(_db_error("disk I/O error"), lambda: None)
    with pytest.raises(StoreError, match="stopped by a signal"):
        outage.failed(_db_error("disk I/O error"), lambda: "SIGTERM")


def test_recovered_reports_once_and_resets():
    clock, out = FakeClock(), io.StringIO()
    outage = Outage("HD_1", 600, clock=clock, sleep=clock.sleep, out=out)
    assert outage.recovered() is None
    outage.failed(_db_error("database or disk is full"), lambda: None)
    clock.now += 3
    message = outage.recovered()
    assert message and "3.5 s" in message and "database or disk is full" in message
    assert outage.recovered() is None
    outage.failed(_db_error("database or disk is full"), lambda: None)  # a new outage
    assert out.getvalue().count("cannot be written") == 2
