"""Chaos: the controller killed with SIGKILL at random moments and resumed each time.

Acceptance (issue 6): a 30-run sweep (concurrency 4, scripts logging 50 values each)
whose controller is killed 15 times ends with exactly 30 runs, every logged value stored
exactly once, no run left non-terminal, and no orphan process.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import warnings

import pytest

from hypersweep import (
    Experiment,
    HyperDriveConfig,
    HypersweepWarning,
    PrimaryMetricGoal,
    RandomParameterSampling,
    ScriptRunConfig,
    uniform,
)
from tests.sweeps import processes_left

pytestmark = [pytest.mark.chaos, pytest.mark.integration]


def _controller(workspace, sweep_id: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hypersweep", "--workspace", workspace.url, "_controller",
         sweep_id, "--artifacts", workspace.root],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)


def _channel_values(run_dir: str) -> list[float]:
    path = os.path.join(run_dir, "logs", "metrics.jsonl")
    values = []
    with open(path, "rb") as fh:
        for line in fh.read().split(b"\n"):
            if line.strip():
                obj = json.loads(line)
                if obj.get("kind") == "metric" and obj.get("name") == "acc":
                    values.append(obj["value"])
    return values


def _freeze(hd, sig: int) -> None:
    """SIGSTOP (or SIGCONT) every trial the store shows as running: its process group."""
    for row in hd._store.runs(hd.id):
        if row["status"] in ("Running", "CancelRequested") and row["pid"]:
            try:
                os.killpg(row["pid"], sig)
            except ProcessLookupError:
                continue


@pytest.mark.parametrize("kills", [int(os.environ.get("HYPERSWEEP_CHAOS_KILLS", "15"))])
def test_controller_killed_and_resumed(workspace, source, kills):
    """While no controller runs, trials go on for a random moment (some end unwatched)
    and are then frozen (SIGSTOP) until the next controller is up: so the sweep advances
    about as much per kill on a loaded machine, where a controller takes longer to
    start, as on an idle one, and all the kills land mid-sweep."""
    rng = random.Random(int(os.environ.get("HYPERSWEEP_CHAOS_SEED", "1234")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(str(source), "behave.py",
                                       arguments=["--steps", "50", "--sleep", "0.06"]),
            hyperparameter_sampling=RandomParameterSampling({"x": uniform(0, 1)}, seed=5),
            primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            max_total_runs=30, max_concurrent_runs=4)
    hd = Experiment(workspace, "chaos").create(cfg)
    killed_mid_sweep = 0
    try:
        for _ in range(kills):
            before = hd._refresh()["controller_started"]
            proc = _controller(workspace, hd.id)
            deadline = time.time() + 30
            while hd._refresh()["controller_started"] == before and time.time() < deadline:
                time.sleep(0.01)  # kill it once it is working, not while it imports
            _freeze(hd, signal.SIGCONT)
            time.sleep(rng.uniform(0.0, 0.4))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            time.sleep(rng.uniform(0.0, 0.3))
            _freeze(hd, signal.SIGSTOP)
            if hd.get_status() in ("Completed", "Failed", "Canceled"):
                break
            killed_mid_sweep += 1
    finally:
        _freeze(hd, signal.SIGCONT)
    assert killed_mid_sweep == kills
    final = _controller(workspace, hd.id)
    assert final.wait(timeout=300) == 0
    assert hd.get_status() == "Completed"
    children = hd.get_children()
    assert len(children) == 30
    assert all(c.get_status() in ("Completed", "Failed", "Canceled") for c in children)
    for child in children:
        stored = child.get_metrics().get("acc", [])
        stored = stored if isinstance(stored, list) else [stored]
        assert stored == _channel_values(child._row["run_dir"]), child.id
    assert sum(1 for c in children if c.get_status() == "Completed") >= 15
    assert processes_left(hd.id) == []
