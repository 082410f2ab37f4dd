"""What every chaos test checks at the end, and how its sweeps are set up.

The invariants (issue 9): every value a trial wrote to its metrics channel is in the
store exactly once, in order; every run is in a terminal state; no process of the sweep
is left. The channel is read here with ``json`` alone, independently of the controller.
"""

from __future__ import annotations

import json
import math
import os
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from hypersweep import (
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    HypersweepWarning,
    PrimaryMetricGoal,
    ScriptRunConfig,
    choice,
)
from tests.sweeps import hypersweep_processes

SCRIPTS = Path(__file__).parent / "scripts"
TERMINAL = ("Completed", "Failed", "Canceled")

full_suite_only = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("HYPERSWEEP_CHAOS") != "full",
                       reason="full chaos suite only: HYPERSWEEP_CHAOS=full pytest tests/chaos"),
]


def config(source: Path, sampling: Any, *, arguments: Iterable[str] = (), **limits: Any
           ) -> HyperDriveConfig:
    """A sweep of scripts/faults.py maximising ``acc``."""
    limits.setdefault("max_total_runs", 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        return HyperDriveConfig(
            run_config=ScriptRunConfig(str(source), "faults.py", arguments=list(arguments)),
            hyperparameter_sampling=sampling, primary_metric_name="acc",
            primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, **limits)


def modes(*names: str) -> GridParameterSampling:
    """One run per mode, in this order."""
    return GridParameterSampling({"mode": choice(list(names))})


def create(workspace: Any, cfg: HyperDriveConfig, name: str = "chaos"):
    """The sweep, created but not started (a controller runs it)."""
    return Experiment(workspace, name).create(cfg)


def channel_values(run_dir: str) -> dict[str, list[Any]]:
    """name → values of the well-formed ``metric`` lines of a run's channel, in order
    (only complete lines: a line cut by a crash has no newline and is not a value)."""
    out: dict[str, list[Any]] = {}
    path = os.path.join(run_dir, "logs", "metrics.jsonl")
    with open(path, "rb") as fh:
        data = fh.read()
    for line in data[:data.rfind(b"\n") + 1].split(b"\n"):
        if len(line) > 1024 * 1024:
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if (isinstance(obj, dict) and obj.get("kind") == "metric"
                and isinstance(obj.get("name"), str) and 0 < len(obj["name"]) <= 255
                and isinstance(obj.get("value"), int | float | str)):
            out.setdefault(obj["name"], []).append(obj["value"])
    return out


def stored_values(run: Any) -> dict[str, list[Any]]:
    rows = run._store.metrics([run.id])
    out: dict[str, list[Any]] = {}
    for row in rows:
        if row["kind"] == "metric":
            out.setdefault(row["name"], []).append(row["value"])
    return out


def _same(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> bool:
    def norm(values: list[Any]) -> list[Any]:
        return ["nan" if isinstance(v, float) and math.isnan(v) else v for v in values]

    return {k: norm(v) for k, v in a.items()} == {k: norm(v) for k, v in b.items()}


def assert_nothing_lost(hd: Any) -> int:
    """Every run terminal and its stored values equal to its channel's; returns how many
    values were compared."""
    children = hd.get_children()
    assert children, "the sweep has no runs"
    compared = 0
    for child in children:
        status = child.get_status()
        assert status in TERMINAL, f"{child.id} is {status}"
        expected = channel_values(child._row["run_dir"])
        stored = stored_values(child)
        assert _same(stored, expected), (child.id, stored, expected)
        compared += sum(len(v) for v in expected.values())
    return compared


def assert_no_processes(sweep_id: str, timeout: float = 5.0) -> None:
    """No live process carries the sweep's id in its environment (allowing the kernel a
    moment to finish killing)."""
    deadline = time.time() + timeout
    while hypersweep_processes(sweep_id) and time.time() < deadline:
        time.sleep(0.05)
    assert hypersweep_processes(sweep_id) == []


def wait_for(predicate, timeout: float, what: str, poll: float = 0.05) -> None:
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(poll)


def running_rows(hd: Any) -> list[dict[str, Any]]:
    return [r for r in hd._store.runs(hd.id) if r["status"] == "Running" and r["pid"]]


def fill_disk(folder: Path) -> Path:
    """Fill the filesystem of ``folder`` to the last byte; returns the filler file."""
    import errno

    path = folder / "filler"
    with open(path, "wb", buffering=0) as fh:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    fh.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    return path


def fill_inodes(folder: Path) -> Path:
    """Use up every inode of the filesystem of ``folder``; returns the folder of fillers."""
    import errno

    box = folder / "inodes"
    box.mkdir()
    n = 0
    try:
        while True:
            (box / str(n)).touch()
            n += 1
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    return box
