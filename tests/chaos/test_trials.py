"""Chaos on the trial side: trials killed at random, hanging, writing garbage into their
metrics channel, and leaving processes behind. For each: every value a trial logged is
stored exactly once, every run ends in a terminal state, no process is left over."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import time

import pytest

from hypersweep import RandomParameterSampling, uniform
from hypersweep.cli import main
from hypersweep.experiment._experiment import start_background_controller
from hypersweep.experiment._runner import run_sweep
from tests.chaos._support import (
    assert_no_processes,
    assert_nothing_lost,
    config,
    create,
    full_suite_only,
    modes,
    running_rows,
    wait_for,
)
from tests.sweeps import processes_left

pytestmark = [pytest.mark.chaos, pytest.mark.integration]


def _trial_pid(shell_pid: int) -> int | None:
    """The training script's pid: the only child of the trial's wrapper shell."""
    try:
        with open(f"/proc/{shell_pid}/task/{shell_pid}/children") as fh:
            children = fh.read().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def _kill_trials_at_random(hd, rng: random.Random, kills: int) -> list[tuple[str, str]]:
    """Send SIGKILL or SIGTERM to random running trials (their whole process group, or
    just the script) while the sweep runs; returns (run id, what was done)."""
    done: list[tuple[str, str]] = []
    deadline = time.time() + 120
    while len(done) < kills and time.time() < deadline:
        if hd.get_status() in ("Completed", "Failed", "Canceled"):
            break
        rows = [r for r in running_rows(hd) if r["id"] not in {d[0] for d in done}]
        if not rows:
            time.sleep(0.05)
            continue
        row = rng.choice(rows)
        sig = rng.choice([signal.SIGKILL, signal.SIGTERM])
        whole_group = rng.random() < 0.5
        try:
            if whole_group:
                os.killpg(row["pid"], sig)
            else:
                pid = _trial_pid(row["pid"])
                if pid is None:
                    continue
                os.kill(pid, sig)
        except ProcessLookupError:
            continue
        done.append((row["id"], f"{sig.name} to {'group' if whole_group else 'script'}"))
        time.sleep(rng.uniform(0.05, 0.4))
    return done


@pytest.mark.parametrize("seed", [int(os.environ.get("HYPERSWEEP_CHAOS_SEED", "7"))])
def test_trials_killed_at_random(workspace, faults_source, seed):
    """24 runs at concurrency 4; 10 of them get SIGKILL or SIGTERM mid-run, to the whole
    process group or only to the script. Killed runs are Failed, naming the signal."""
    rng = random.Random(seed)
    cfg = config(faults_source, RandomParameterSampling({"x": uniform(0, 1)}, seed=seed),
                 arguments=["--steps", "20", "--sleep", "0.05"], max_total_runs=24,
                 max_concurrent_runs=4)
    hd = create(workspace, cfg)
    start_background_controller(workspace, hd.id)
    killed = _kill_trials_at_random(hd, rng, kills=10)
    hd.wait_for_completion(raise_on_error=False, poll=0.1)
    assert len(killed) >= 5, killed
    assert hd.get_status() == "Completed"
    assert len(hd.get_children()) == 24
    assert assert_nothing_lost(hd) > 0
    by_id = {c.id: c for c in hd.get_children()}
    for run_id, _how in killed:
        details = by_id[run_id].get_details()
        if details["status"] == "Failed":  # (a run may have finished just before)
            assert "killed by SIG" in details["terminationReason"], details
    assert sum(1 for c in by_id.values() if c.get_status() == "Failed") >= 3
    assert_no_processes(hd.id)


def test_hanging_trials_are_ended_by_trial_timeout(workspace, faults_source):
    """A silent hang is canceled at trial_timeout (SIGTERM); one that ignores SIGTERM is
    killed after the grace period. Both keep the two values they logged."""
    cfg = config(faults_source, modes("hang", "hang-ignore-term", "ok"), max_total_runs=3,
                 trial_timeout=2)
    hd = create(workspace, cfg)
    start = time.time()
    status = run_sweep(workspace, hd.id, grace_seconds=1.0)
    elapsed = time.time() - start
    assert status.value == "Completed"
    assert elapsed < 30, elapsed
    runs = {c.hyperparameters["mode"]: c for c in hd.get_children()}
    for mode in ("hang", "hang-ignore-term"):
        details = runs[mode].get_details()
        assert details["status"] == "Canceled"
        assert "trial_timeout (2 s) exceeded" in details["terminationReason"]
        assert runs[mode].get_metrics()["acc"] == [0.5, 0.25]
    assert runs["ok"].get_status() == "Completed"
    assert_nothing_lost(hd)
    assert_no_processes(hd.id)


def test_malformed_binary_and_huge_lines_are_skipped_and_counted(workspace, faults_source):
    """Not JSON, binary, 2/10/20 MB lines, wrong types, a nesting bomb: each is skipped
    and counted (per run, per sweep, in `hypersweep status`); every valid line is kept."""
    cfg = config(faults_source, modes("garbage", "ok"), max_total_runs=2)
    hd = create(workspace, cfg)
    assert run_sweep(workspace, hd.id).value == "Completed"
    runs = {c.hyperparameters["mode"]: c for c in hd.get_children()}
    garbage = runs["garbage"]
    assert garbage.get_status() == "Completed"
    assert garbage.get_metrics() == {"acc": [0.1, 0.2, 0.3, 0.4], "loss": 1.5}
    assert garbage.get_details()["properties"]["bad_metric_lines"] == 10
    assert runs["ok"].get_details()["properties"]["bad_metric_lines"] == 0
    assert hd.get_details()["properties"]["bad_metric_lines"] == 10
    events = [e for e in hd._store.events(hd.id) if e["kind"] == "bad_metric_lines"]
    assert events and "malformed" in events[0]["message"]
    assert_nothing_lost(hd)

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--workspace", workspace.url, "status", hd.id]) == 0
    assert "10 malformed metrics-channel line(s) skipped" in out.getvalue()


def _pids(run) -> dict[str, int]:
    with open(os.path.join(run.outputs_dir, "pids.json")) as fh:
        return json.load(fh)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def test_forked_children_and_setsid_grandchildren_are_killed(workspace, faults_source):
    """A child left in the trial's process group and a grandchild that escaped it with
    setsid(): both are killed when the trial exits, and the escape is recorded."""
    cfg = config(faults_source, modes("fork", "ok"), max_total_runs=2)
    hd = create(workspace, cfg)
    assert run_sweep(workspace, hd.id).value == "Completed"
    fork = next(c for c in hd.get_children() if c.hyperparameters["mode"] == "fork")
    pids = _pids(fork)
    wait_for(lambda: not _alive(pids["child"]) and not _alive(pids["escapee"]), 5,
             f"the forked child and the escapee to die ({pids})")
    events = [e for e in hd._store.events(hd.id) if e["kind"] == "escaped_processes"]
    assert len(events) == 1 and str(pids["escapee"]) in events[0]["message"]
    # the child in the group died with the group: it did not escape, and is not named
    assert "left 1 process(es)" in events[0]["message"]
    assert str(pids["child"]) not in events[0]["message"]
    assert_nothing_lost(hd)
    assert_no_processes(hd.id)


def test_no_orphans_after_cancel(workspace, faults_source):
    """Canceling a sweep whose trials spawned children (in and out of their group) and
    hang leaves no process behind, and every run Canceled."""
    cfg = config(faults_source, modes("fork", "hang", "hang-ignore-term"), max_total_runs=3)
    hd = create(workspace, cfg)
    start_background_controller(workspace, hd.id)
    deadline = time.time() + 60
    while len(running_rows(hd)) < 2 and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert hd.cancel() is True
    # CancelRequested at once, and recorded so by the controller while a trial that
    # ignores SIGTERM holds the sweep for its grace period
    assert hd.get_status() == "CancelRequested"
    while workspace.store.experiment(hd.id)["status"] == "Running" and time.time() < deadline:
        time.sleep(0.05)
    assert workspace.store.experiment(hd.id)["status"] == "CancelRequested"
    hd.wait_for_completion(raise_on_error=False, poll=0.1)
    assert hd.get_status() == "Canceled"
    assert hd.cancel() is False  # already ended
    assert_nothing_lost(hd)
    assert_no_processes(hd.id, timeout=15)


def test_escapee_that_also_drops_its_environment_survives(workspace, faults_source):
    """The documented limit: a grandchild that leaves the process group *and* replaces its
    environment (execve with an empty one) cannot be told apart from any other process,
    so hypersweep does not kill it (docs/reliability.md). Only cgroups could."""
    cfg = config(faults_source, modes("fork-clean-env"), max_total_runs=1)
    hd = create(workspace, cfg)
    assert run_sweep(workspace, hd.id).value == "Completed"
    pids = _pids(hd.get_children()[0])
    try:
        wait_for(lambda: not _alive(pids["child"]), 5, "the child in the trial's group to die")
        assert _alive(pids["escapee"])
        assert processes_left(hd.id) == []  # invisible by environment, as said
    finally:
        os.kill(pids["escapee"], signal.SIGKILL)


@pytest.mark.parametrize("rounds", [3])
def test_many_rounds_of_random_kills(workspace, faults_source, rounds):
    """Longer: three sweeps of 40 runs at concurrency 6, a third of their trials killed."""
    for seed in range(rounds):
        rng = random.Random(100 + seed)
        cfg = config(faults_source, RandomParameterSampling({"x": uniform(0, 1)}, seed=seed),
                     arguments=["--steps", "30", "--sleep", "0.03"], max_total_runs=40,
                     max_concurrent_runs=6)
        hd = create(workspace, cfg, name=f"kills{seed}")
        start_background_controller(workspace, hd.id)
        _kill_trials_at_random(hd, rng, kills=14)
        hd.wait_for_completion(raise_on_error=False, poll=0.1)
        assert hd.get_status() == "Completed"
        assert len(hd.get_children()) == 40
        assert_nothing_lost(hd)
        assert_no_processes(hd.id)


for _mark in full_suite_only:
    test_many_rounds_of_random_kills = _mark(test_many_rounds_of_random_kills)


@pytest.mark.parametrize("code", [0, 3, -9])
def test_exit_status_is_recorded_on_a_full_disk(tmpfs, code):
    """The trial's shell writes its status over bytes allocated when the run folder was
    made, so a trial that ends while the disk is full (and no controller watches it) is
    still recorded as it ended, not as lost (docs/reliability.md)."""
    import subprocess
    import sys

    from hypersweep.execution._local import (
        _LAUNCH_MARK,
        _SHELL,
        _WRAPPER,
        _empty_status_file,
        _mark,
        launch_marked,
        read_exit_code,
        recorded_exit_time,
    )
    from tests.chaos._support import fill_disk

    disk = tmpfs("size=1M")
    status = str(disk / "exit_code")
    _empty_status_file(status)
    assert read_exit_code(status) is None  # blank: still running
    filler = fill_disk(disk)
    try:
        _mark(status, _LAUNCH_MARK)  # the launch, on the full disk too
        assert launch_marked(status) and read_exit_code(status) is None
        script = ("import os, signal, sys; os.kill(os.getpid(), signal.SIGKILL)" if code < 0
                  else f"import sys; sys.exit({code})")
        before = time.time()
        done = subprocess.run([_SHELL, "-c", _WRAPPER, "hypersweep-trial", sys.executable,
                               "-c", script], env={**os.environ,
                                                   "HYPERSWEEP_EXIT_PATH": status})
        assert done.returncode == code
        assert read_exit_code(status) == code and launch_marked(status)
        assert before - 1 <= recorded_exit_time(status) <= time.time() + 1
    finally:
        filler.unlink()
