"""Sweeps written straight into a real store, as the controller would write them.

Fast and deterministic: no trial processes. Used by the plot, dashboard and browser tests.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hypersweep import (
    Experiment,
    HyperDriveConfig,
    HypersweepWarning,
    PrimaryMetricGoal,
    RandomParameterSampling,
    ScriptRunConfig,
    Workspace,
)
from hypersweep.experiment._hyperdrive_run import HyperDriveRun
from hypersweep.store import encode_value


def make_sweep(root: Path, space: Mapping[str, Any], *, name: str = "demo",
               metric: str = "acc", goal: str = "maximize", policy: Any = None,
               max_total_runs: int = 20, status: str = "Running") -> HyperDriveRun:
    """A recorded sweep (no runs yet) in a workspace at ``root``."""
    source = root / "src"
    source.mkdir(parents=True, exist_ok=True)
    (source / "train.py").write_text("print('hi')\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(source_directory=str(source), script="train.py"),
            hyperparameter_sampling=RandomParameterSampling(dict(space)), policy=policy,
            primary_metric_name=metric, primary_metric_goal=PrimaryMetricGoal.parse(goal),
            max_total_runs=max_total_runs, max_concurrent_runs=4)
    ws = Workspace(root / "ws")
    run = Experiment(ws, name).create(cfg)
    ws.store.update_experiment(run.id, status=status, started=time.time() - 600)
    return run


def _metric_rows(run_id: str, name: str, values: Sequence[Any], t0: float) -> list[dict]:
    rows = []
    for step, value in enumerate(values, start=1):
        v, text = encode_value(value)
        rows.append({"run_id": run_id, "name": name, "step": step, "kind": "metric",
                     "value": v, "value_text": text, "value_json": None, "time": t0 + step})
    return rows


def add_run(sweep: HyperDriveRun, number: int, params: Mapping[str, Any],
            values: Sequence[Any], *, status: str = "Completed", message: str | None = None,
            goal_max: bool = True, extra: Mapping[str, Sequence[Any]] | None = None,
            duration: float = 30.0, log: str = "epoch 1\nepoch 2\ndone\n",
            outputs: Mapping[str, str] | None = None) -> str:
    """Record run ``number`` with its parameters, primary values and final status, a log
    file and output files in its run folder; returns its id."""
    store = sweep._store
    exp = store.experiment(sweep.id)
    metric = sweep.primary_metric_name
    rid = f"{sweep.id}_{number}"
    run_dir = os.path.join(exp["artifacts_dir"], "runs", rid)
    os.makedirs(os.path.join(run_dir, "logs"), exist_ok=True)
    os.makedirs(os.path.join(run_dir, "outputs"), exist_ok=True)
    Path(run_dir, "logs", "std_log.txt").write_text(log)
    for rel, text in (outputs or {"model.txt": f"model {number}\n"}).items():
        Path(run_dir, "outputs", rel).parent.mkdir(parents=True, exist_ok=True)
        Path(run_dir, "outputs", rel).write_text(text)
    args = [t for k, v in params.items() for t in (f"--{k.lstrip('-')}", str(v))]
    started = time.time() - 500 + number * 10
    ended = None if status in ("Running", "CancelRequested") else started + duration
    store.create_runs([{
        "id": rid, "experiment_id": sweep.id, "number": number, "params": dict(params),
        "arguments": args, "command": ["python", "train.py", *args], "status": status,
        "created": started - 1, "started": started, "ended": ended, "run_dir": run_dir,
        "message": message, "exit_code": 0 if status == "Completed" else None, "tags": {}}])
    rows = _metric_rows(rid, metric, values, started)
    for name, series in (extra or {}).items():
        rows += _metric_rows(rid, name, series, started)
    finite = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    best = (max(finite) if goal_max else min(finite)) if finite else None
    store.ingest(rows, [(rid, {"primary_count": len(values), "primary_best": best})])
    return rid


def demo_sweep(root: Path, *, name: str = "demo") -> HyperDriveRun:
    """Six runs over lr (loguniform), batch (choice) and dropout (uniform) with a Bandit
    policy: four completed, one stopped by the policy, one still running."""
    from hypersweep import BanditPolicy, choice, loguniform, uniform

    sweep = make_sweep(root, {"lr": loguniform(-7, -1), "batch": choice(16, 32, 64),
                              "dropout": uniform(0.0, 0.5)},
                       policy=BanditPolicy(slack_factor=0.2), name=name)
    specs = [
        ({"lr": 0.001, "batch": 32, "dropout": 0.1}, [0.5, 0.7, 0.8, 0.85], "Completed", None),
        ({"lr": 0.01, "batch": 16, "dropout": 0.3}, [0.55, 0.75, 0.88, 0.9], "Completed", None),
        ({"lr": 0.0005, "batch": 64, "dropout": 0.2}, [0.3, 0.4], "Canceled",
         "BanditPolicy at interval 2: best 0.4 < 0.625 = 0.75 / (1 + 0.2)"),
        ({"lr": 0.05, "batch": 32, "dropout": 0.45}, [0.6, 0.65, 0.7, 0.72], "Completed", None),
        ({"lr": 0.002, "batch": 16, "dropout": 0.05}, [0.52, 0.71, 0.83, 0.86], "Completed",
         None),
        ({"lr": 0.02, "batch": 64, "dropout": 0.25}, [0.58, 0.74], "Running", None),
    ]
    for number, (params, values, status, message) in enumerate(specs):
        add_run(sweep, number, params, values, status=status, message=message,
                extra={"loss": [1 / (v + 0.1) for v in values]})
    return sweep
