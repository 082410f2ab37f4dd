"""Finding a trial's escaped processes by their environment, with and without a pid floor."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from hypersweep.execution._procs import kill_by_env, last_pid

VAR = "HYPERSWEEP_RUN_ID"


@pytest.fixture
def tagged():
    """A sleeping process whose environment carries a unique run id."""
    run_id = f"test-{uuid.uuid4().hex}"
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                            env={**os.environ, VAR: run_id})
    yield run_id, proc
    proc.kill()
    proc.wait()


def test_last_pid_is_at_least_the_newest_process(tagged):
    _, proc = tagged
    assert last_pid() >= proc.pid


def test_a_floor_above_the_process_skips_it(tagged):
    run_id, proc = tagged
    subprocess.run(["true"], check=True)  # a newer pid, so the floor is not a wrap
    assert kill_by_env(VAR, {run_id}, since=proc.pid + 1) == {}
    assert proc.poll() is None


def test_a_floor_at_the_process_finds_and_kills_it(tagged):
    run_id, proc = tagged
    assert kill_by_env(VAR, {run_id}, since=proc.pid) == {run_id: [proc.pid]}
    assert proc.wait(timeout=10) == -9


def test_a_floor_above_the_last_pid_means_a_wrap_so_everything_is_read(tagged):
    run_id, proc = tagged
    assert kill_by_env(VAR, {run_id}, since=last_pid() + 1000) == {run_id: [proc.pid]}
    assert proc.wait(timeout=10) == -9


def test_other_values_are_left_alone(tagged):
    run_id, proc = tagged
    assert kill_by_env(VAR, {run_id + "-other"}) == {}
    assert proc.poll() is None
