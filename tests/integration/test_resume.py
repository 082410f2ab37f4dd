"""Resuming: child runs from their checkpoints, and sweeps whose controller died."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from hypersweep import (
    ConfigurationError,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    HypersweepWarning,
    PrimaryMetricGoal,
    RandomParameterSampling,
    ScriptRunConfig,
    choice,
    uniform,
)
from tests.sweeps import processes_left, sweep

pytestmark = pytest.mark.integration

DIGITS = Path(__file__).parents[2] / "examples" / "digits"


def digits_config(src, epochs, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        return HyperDriveConfig(
            run_config=ScriptRunConfig(str(src), "train.py", arguments=["--epochs", epochs]),
            hyperparameter_sampling=GridParameterSampling(
                {"hidden_size": choice(16, 32), "learning_rate": choice(0.01)}),
            primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            **kwargs)


def test_resumed_child_run_continues_from_its_checkpoint(workspace, tmp_path):
    pytest.importorskip("sklearn")
    src = tmp_path / "digits"
    shutil.copytree(DIGITS, src)
    first = Experiment(workspace, "digits").submit(
        digits_config(src, 3, max_total_runs=2), background=False)
    original = first.get_children()[0]
    assert original.get_metrics()["epoch"] == [1, 2, 3]
    second = Experiment(workspace, "digits").submit(
        digits_config(src, 6, max_total_runs=2, resume_child_runs=[original]),
        background=False)
    resumed, fresh = second.get_children()
    details = resumed.get_details()
    assert details["runDefinition"]["arguments"][-2:] == ["--resume-from",
                                                          original.outputs_dir]
    assert resumed.hyperparameters == original.hyperparameters
    assert resumed.get_metrics()["epoch"] == [4, 5, 6]  # continued from the checkpoint
    assert details["properties"]["resumed_from"] == original.id
    assert fresh.hyperparameters != original.hyperparameters  # the budget explores anew
    assert fresh.get_metrics()["epoch"] == [1, 2, 3, 4, 5, 6]


def test_resume_validation(workspace, source):
    done = sweep(workspace, source, GridParameterSampling({"x": choice(0.1, 0.2)}),
                 max_total_runs=2)
    child = done.get_children()[0]
    with pytest.raises(ConfigurationError, match="same run more than once"):
        HyperDriveConfig(run_config=ScriptRunConfig(str(source), "behave.py"),
                         hyperparameter_sampling=GridParameterSampling({"x": choice(1.0)}),
                         primary_metric_name="acc", primary_metric_goal="maximize",
                         max_total_runs=2, resume_child_runs=[child, child])
    with pytest.raises(ConfigurationError, match="optimises 'acc'"):
        sweep(workspace, source, GridParameterSampling({"x": choice(0.3)}), metric="loss",
              max_total_runs=1, resume_from=[done])
    with pytest.raises(ConfigurationError, match="hyperparameters"):
        sweep(workspace, source, GridParameterSampling({"y": choice(0.3)}), max_total_runs=1,
              resume_child_runs=[child])
    with pytest.raises(ConfigurationError, match="no sweep"):
        sweep(workspace, source, GridParameterSampling({"x": choice(0.3)}), max_total_runs=1,
              resume_from=["HD_000000000000"])
    # attaching to a sweep or run through another experiment: said, and attached to its own
    from hypersweep import Experiment, HyperDriveRun, Run

    with pytest.warns(HypersweepWarning, match=f"sweep {done.id} belongs to experiment 't'"):
        other = HyperDriveRun(Experiment(workspace, "other"), done.id)
    assert other.experiment.name == "t" and other.id == done.id
    with pytest.warns(HypersweepWarning, match=f"run {child.id} belongs to experiment 't'"):
        run = Run(Experiment(workspace, "other"), child.id)
    assert run.experiment.name == "t" and run.id == child.id
    assert Run(Experiment(workspace, "t"), child.id).id == child.id
    # a Failed sweep has finished too (SPEC §8): it may be a parent
    failed = sweep(workspace, source, GridParameterSampling({"x": choice(0.5)}),
                   max_total_runs=1, arguments=["--mode", "exit1"])
    assert failed.get_status() == "Failed"
    warm = sweep(workspace, source, GridParameterSampling({"x": choice(0.4)}),
                 max_total_runs=1, resume_from=[failed])
    assert warm.get_status() == "Completed"
    # the wrong kind of object is named as such
    with pytest.raises(ConfigurationError, match=f"resume_from: '{child.id}' is a run of "
                                                 f"sweep '{done.id}', not a sweep"):
        sweep(workspace, source, GridParameterSampling({"x": choice(0.3)}), max_total_runs=1,
              resume_from=[child.id])
    with pytest.raises(ConfigurationError, match=f"resume_child_runs: '{done.id}' is a sweep"):
        sweep(workspace, source, GridParameterSampling({"x": choice(0.3)}), max_total_runs=1,
              resume_child_runs=[done.id])


def test_warm_start_parents_feed_the_policy(workspace, source):
    from hypersweep import BanditPolicy

    parent = sweep(workspace, source, GridParameterSampling({"x": choice(0.9)}),
                   max_total_runs=1, arguments=["--steps", "4"])
    # alone, one run is never stopped (no reference); against the parent's 0.9 it is
    child = sweep(workspace, source, GridParameterSampling({"x": choice(0.1)}),
                  max_total_runs=1, arguments=["--steps", "4", "--sleep", "0.2"],
                  policy=BanditPolicy(slack_factor=0.1), resume_from=[parent])
    run = child.get_children()[0]
    assert run.get_status() == "Canceled"
    assert "BanditPolicy" in run.get_details()["terminationReason"]
    best = child.get_best_run_by_primary_metric(include_resume_from_runs=True)
    assert best.id == parent.get_children()[0].id
    assert child.get_best_run_by_primary_metric(include_resume_from_runs=False).id == run.id
    # the CLI says where that best run comes from, and points at the parent's own code
    out = subprocess.run([sys.executable, "-m", "hypersweep", "--workspace", workspace.root,
                          "best", child.id, "--json"], capture_output=True, text=True,
                         check=True).stdout
    data = json.loads(out)
    assert data["run_id"] == best.id and data["from_parent_sweep"] is True
    assert data["sweep_id"] == parent.id
    assert data["snapshot"] == os.path.join(parent._row["artifacts_dir"], "snapshot")
    text = subprocess.run([sys.executable, "-m", "hypersweep", "--workspace", workspace.root,
                           "best", child.id], capture_output=True, text=True).stdout
    assert f"from {parent.id}, a sweep this one warm-started from" in text


def test_background_controller_killed_then_resumed_from_the_cli(workspace, source):
    hd = sweep(workspace, source, RandomParameterSampling({"x": uniform(0, 1)}, seed=9),
               background=True, max_total_runs=6, max_concurrent_runs=2,
               arguments=["--steps", "10", "--sleep", "0.1"])
    deadline = time.time() + 30
    while time.time() < deadline and not any(
            c.get_status() == "Running" for c in hd.get_children()):
        time.sleep(0.1)
    pid = hd._refresh()["controller_pid"]
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)
    assert hd.get_status() == "Running"  # nobody is left to say otherwise...
    # ...but the read commands see that its controller is gone, and say how to go on
    status = subprocess.run([sys.executable, "-m", "hypersweep", "--workspace",
                             workspace.url, "status", hd.id], capture_output=True, text=True,
                            timeout=60).stdout
    assert f"its controller is gone: continue with `hypersweep resume {hd.id}`" in status
    listing = subprocess.run([sys.executable, "-m", "hypersweep", "--workspace",
                              workspace.url, "ls"], capture_output=True, text=True,
                             timeout=60).stdout
    assert "Running (controller gone)" in listing
    out = subprocess.run([sys.executable, "-m", "hypersweep", "--workspace", workspace.url,
                          "resume", hd.id], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert hd.get_status() == "Completed"
    children = hd.get_children()
    assert len(children) == 6
    assert {c.get_status() for c in children} == {"Completed"}
    assert all(len(c.get_metrics()["acc"]) == 10 for c in children)
    assert processes_left(hd.id) == []


def test_waiting_on_a_sweep_whose_controller_died_says_so(workspace, source):
    from hypersweep import ExecutionError

    hd = sweep(workspace, source, RandomParameterSampling({"x": uniform(0, 1)}, seed=3),
               background=True, max_total_runs=3, max_concurrent_runs=1,
               arguments=["--steps", "5", "--sleep", "0.2"])
    deadline = time.time() + 30
    while time.time() < deadline and not hd._refresh()["controller_pid"]:
        time.sleep(0.05)
    os.kill(hd._row["controller_pid"], signal.SIGKILL)
    with pytest.raises(ExecutionError, match="resume"):
        hd.wait_for_completion(poll=0.1)
    assert hd.resume(background=False) == "Completed"
    assert len(hd.get_children()) == 3


def test_a_resume_racing_a_controller_never_makes_a_second_writer(workspace, source):
    """Resuming right after submit (before the background controller has recorded its
    pid), or twice at once, must not start two controllers: one of them would clean up
    and relaunch the other's runs. The second one is refused; every run keeps its folder
    and every value, and the lock dies with a SIGKILLed controller."""
    from hypersweep.experiment._runner import ControllerBusyError, sole_controller

    hd = sweep(workspace, source, RandomParameterSampling({"x": uniform(0, 1)}, seed=5),
               background=True, max_total_runs=4, max_concurrent_runs=2,
               arguments=["--steps", "20", "--sleep", "0.05"])
    # races the controller submit() started; if that one got there first it goes on alone
    with contextlib.suppress(ControllerBusyError):
        hd.resume(background=False)
    hd.wait_for_completion(poll=0.1)
    assert hd.get_status() == "Completed"
    children = hd.get_children()
    assert len(children) == 4 and {c.get_status() for c in children} == {"Completed"}
    for child in children:
        assert len(child.get_metrics()["acc"]) == 20
        assert "logs/std_log.txt" in child.get_file_names()
    folder = hd._refresh()["artifacts_dir"]
    with sole_controller(folder, hd.id), pytest.raises(ControllerBusyError, match="already"), \
            sole_controller(folder, hd.id):
        pass
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from hypersweep.experiment._runner import sole_controller\n"
        f"with sole_controller({folder!r}, 'x'):\n print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(ControllerBusyError), sole_controller(folder, hd.id):
        pass
    holder.kill()
    holder.wait()
    with sole_controller(folder, hd.id):  # free again: the kernel dropped it
        pass


def test_bayesian_warm_start_reads_lr_and_dash_dash_lr_as_one_key(workspace, source):
    from hypersweep import BayesianParameterSampling

    # SPEC §1: keys may be written "x" or "--x"; the parent's two points are prior
    # observations under the child's spelling, so its one run takes the third point
    parent = sweep(workspace, source, GridParameterSampling({"x": choice(0.1, 0.2, 0.3)}),
                   max_total_runs=2)
    child = sweep(workspace, source,
                  BayesianParameterSampling({"--x": choice(0.1, 0.2, 0.3)}, seed=3),
                  max_total_runs=1, resume_from=[parent])
    (run,) = child.get_children()
    assert run.hyperparameters == {"--x": 0.3}


def test_resume_child_runs_reads_lr_and_dash_dash_lr_as_one_key(workspace, source):
    """SPEC §1: keys may be written "x" or "--x"; a run of a sweep that wrote "x" is
    re-run in one that writes "--x", with its own value under the new spelling."""
    first = sweep(workspace, source, GridParameterSampling({"x": choice(0.1, 0.2)}),
                  max_total_runs=1)
    (done,) = first.get_children()
    second = sweep(workspace, source, GridParameterSampling({"--x": choice(0.1, 0.2)}),
                   max_total_runs=2, resume_child_runs=[done])
    resumed, fresh = second.get_children()
    assert resumed.hyperparameters == {"--x": 0.1} and fresh.hyperparameters == {"--x": 0.2}
    assert resumed.get_details()["runDefinition"]["arguments"][-4:] == [
        "--x", "0.1", "--resume-from", done.outputs_dir]


def test_bayesian_warm_start_names_a_differing_key_as_this_sweep_spells_it(workspace,
                                                                          source):
    from hypersweep import BayesianParameterSampling

    parent = sweep(workspace, source, GridParameterSampling({"--x": choice(0.1, 0.2)}),
                   max_total_runs=1)
    with pytest.raises(ConfigurationError, match=r"differs: x: \['choice'"):
        sweep(workspace, source, BayesianParameterSampling({"x": choice(0.1, 0.3)}, seed=3),
              max_total_runs=1, resume_from=[parent])
