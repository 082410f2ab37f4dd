"""Sweeps on the Ray cluster beyond the executor contract: the CLI (a fresh driver),
requests no node can hold, a resumed run's checkpoint shipped to the worker, and a
shared filesystem (no copies; the worker's folders removed afterwards)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

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

pytestmark = [pytest.mark.integration, pytest.mark.ray]

CKPT = """\
import argparse, os
from hypersweep import Run
p = argparse.ArgumentParser()
p.add_argument("--x", type=float)
p.add_argument("--resume-from")
a = p.parse_args()
os.makedirs("outputs", exist_ok=True)
previous = None
if a.resume_from:
    assert a.resume_from == os.environ["HYPERSWEEP_RESUME_FROM"]
    with open(os.path.join(a.resume_from, "ckpt.txt")) as fh:
        previous = float(fh.read())
with open("outputs/ckpt.txt", "w") as fh:
    fh.write(str(a.x))
Run.get_context().log("acc", previous if previous is not None else a.x)
"""


def config(source, compute, *, xs=(0.5,), script="behave.py", resources=None, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        return HyperDriveConfig(
            run_config=ScriptRunConfig(source_directory=str(source), script=script,
                                       compute_target=compute, resources=resources),
            hyperparameter_sampling=GridParameterSampling({"x": choice(*xs)}),
            primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            max_total_runs=len(xs), **kwargs)


def test_cli_runs_a_yaml_sweep_on_the_cluster(ray_cluster, source, tmp_path):
    sweep_file = tmp_path / "sweep.yml"
    sweep_file.write_text(f"""\
experiment_name: raycli
trial:
  command: python behave.py --x ${{{{search_space.x}}}} --steps 2
  code: {source}
search_space:
  x: {{type: choice, values: [0.2, 0.8]}}
sampling_algorithm: grid
objective: {{goal: maximize, primary_metric: acc}}
limits: {{max_total_trials: 2, max_concurrent_trials: 2}}
""")
    cli = [sys.executable, "-m", "hypersweep", "--workspace", str(tmp_path / "ws")]
    done = subprocess.run([*cli, "run", str(sweep_file), "--json", "--executor", "ray",
                           "--address", ray_cluster.address], capture_output=True, text=True,
                          timeout=180, env=dict(os.environ))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["status"] == "Completed"
    status = json.loads(subprocess.run([*cli, "status", result["experiment"], "--json"],
                                       capture_output=True, text=True, timeout=60).stdout)
    assert [r["status"] for r in status["runs"]] == ["Completed", "Completed"]
    from hypersweep import Workspace

    rows = Workspace(tmp_path / "ws").store.runs(result["experiment"])
    assert all(r["tags"]["hypersweep.ray_node"] for r in rows)  # they ran on Ray nodes


def test_a_request_no_node_can_hold_fails_at_once(ray_cluster, workspace, source):
    cfg = config(source, {"type": "ray", "address": ray_cluster.address},
                 resources={"num_cpus": 1, "num_gpus": 1})
    hd = Experiment(workspace, "gpu").submit(cfg, background=False)
    # the sweep fails before its first run, with the reason; no run is created to fail
    assert hd.get_children() == []
    details = hd.get_details()
    assert details["status"] == "Failed"
    assert "no node of the Ray cluster can hold" in details["message"]


def test_a_resumed_run_gets_its_checkpoint_on_the_worker(ray_cluster, workspace, source):
    (source / "ckpt.py").write_text(CKPT)
    compute = {"type": "ray", "address": ray_cluster.address}
    first = Experiment(workspace, "ckpt").submit(
        config(source, compute, xs=(0.25,), script="ckpt.py"), background=False)
    (parent,) = first.get_children()
    assert Path(parent.outputs_dir, "ckpt.txt").read_text() == "0.25"  # came back
    second = Experiment(workspace, "ckpt").submit(
        config(source, compute, xs=(0.75,), script="ckpt.py", resume_child_runs=[parent]),
        background=False)
    (child,) = second.get_children()
    assert child.get_status() == "Completed", child.get_details()
    assert child.get_metrics()["acc"] == 0.25  # read from the shipped checkpoint


def test_shared_filesystem_works_in_place_and_cleans_the_worker(ray_cluster, workspace,
                                                                source, tmp_path):
    worker_dir = tmp_path / "worker"
    compute = {"type": "ray", "address": ray_cluster.address, "shared_filesystem": True,
               "worker_dir": str(worker_dir)}
    hd = Experiment(workspace, "shared").submit(config(source, compute, xs=(0.3, 0.6)),
                                                background=False)
    children = hd.get_children()
    assert [c.get_status() for c in children] == ["Completed", "Completed"]
    for child in children:
        assert json.loads(Path(child.outputs_dir, "times.json").read_text())["end"]
        assert child.get_metrics()["acc"][-1] == pytest.approx(child.hyperparameters["x"])
    leftovers = [p for p in (worker_dir / hd.id).iterdir()] if (worker_dir / hd.id).exists() \
        else []
    assert leftovers == []
