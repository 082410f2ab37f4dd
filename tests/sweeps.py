"""Helpers for tests that run real sweeps: a workspace, the test scripts, process checks."""

from __future__ import annotations

import os
import shutil
import time
import warnings
from pathlib import Path

import pytest

from hypersweep import (
    Experiment,
    HyperDriveConfig,
    HypersweepWarning,
    PrimaryMetricGoal,
    ScriptRunConfig,
    Workspace,
)

SCRIPTS = Path(__file__).parent / "integration" / "scripts"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(SCRIPTS, src)
    return src


def sweep(workspace, source, sampling, *, name="t", arguments=(), goal="maximize",
          background=False, metric="acc", **limits):
    """Run a sweep of scripts/behave.py to its end (in this process) and return it."""
    limits.setdefault("max_total_runs", 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(source_directory=str(source), script="behave.py",
                                       arguments=list(arguments)),
            hyperparameter_sampling=sampling, primary_metric_name=metric,
            primary_metric_goal=PrimaryMetricGoal.parse(goal), **limits)
    return Experiment(workspace, name).submit(cfg, background=background)


def processes_left(marker: str, timeout: float = 5.0) -> list[int]:
    """:func:`hypersweep_processes` once it is empty, or after ``timeout`` seconds: a
    process SIGKILLed a moment ago can take a few milliseconds to die on a loaded machine,
    and one that really survived is still there when the time is up."""
    deadline = time.monotonic() + timeout
    while (found := hypersweep_processes(marker)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return found


def hypersweep_processes(marker: str) -> list[int]:
    """pids of live processes whose environment mentions ``marker`` (a sweep id)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read()
            with open(f"/proc/{pid}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in env and state != b"Z":
            found.append(int(pid))
    return found
