"""End-to-end sweeps with real scripts and processes on the local executor."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
import time

import pytest

from hypersweep import (
    BayesianParameterSampling,
    ConfigurationError,
    GridParameterSampling,
    RandomParameterSampling,
    choice,
    uniform,
)
from tests.sweeps import processes_left, sweep

pytestmark = pytest.mark.integration


def _times(run) -> dict:
    with open(os.path.join(run.outputs_dir, "times.json")) as fh:
        return json.load(fh)


def test_twenty_runs_at_most_four_at_a_time(workspace, source):
    sampling = RandomParameterSampling({"x": uniform(0, 1)}, seed=1)
    hd = sweep(workspace, source, sampling, max_total_runs=20, max_concurrent_runs=4,
               arguments=["--sleep", "0.15", "--steps", "2"])
    children = hd.get_children()
    assert len(children) == 20
    assert {c.get_status() for c in children} == {"Completed"}
    spans = [(_times(c)["start"], _times(c)["end"]) for c in children]
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    alive = peak = 0
    for _, delta in events:
        alive += delta
        peak = max(peak, alive)
    assert peak == 4


def _order(hd) -> list[tuple[str, str]]:
    return [(e["kind"], e["run_id"].rsplit("_", 1)[1]) for e in hd._store.events(hd.id)
            if e["run_id"] and e["kind"] in ("started", "completed")]


def test_a_freed_slot_is_refilled_first_unless_the_sampler_needs_the_result(workspace,
                                                                          source):
    # random and grid suggestions do not depend on results: run 1 starts before run 0's
    # end is recorded; Bayesian sampling must see run 0's result before suggesting run 1
    rand = RandomParameterSampling({"x": uniform(0, 1)}, seed=0)
    order = _order(sweep(workspace, source, rand, max_total_runs=3, max_concurrent_runs=1))
    assert order.index(("started", "1")) < order.index(("completed", "0"))
    assert order.index(("started", "2")) < order.index(("completed", "1"))
    bayes = BayesianParameterSampling({"x": uniform(0, 1)}, seed=0)
    order = _order(sweep(workspace, source, bayes, name="b", max_total_runs=3,
                         max_concurrent_runs=1))
    assert order == [("started", "0"), ("completed", "0"), ("started", "1"),
                     ("completed", "1"), ("started", "2"), ("completed", "2")]


def test_grid_runs_its_six_points_and_random_stops_when_exhausted(workspace, source):
    grid = GridParameterSampling({"x": choice(0.1, 0.2, 0.3), "steps": choice(1, 2)})
    hd = sweep(workspace, source, grid, max_total_runs=20, max_concurrent_runs=3)
    assert len(hd.get_children()) == 6
    assert [c.hyperparameters for c in hd.get_children()] == [
        {"x": 0.1, "steps": 1}, {"x": 0.1, "steps": 2}, {"x": 0.2, "steps": 1},
        {"x": 0.2, "steps": 2}, {"x": 0.3, "steps": 1}, {"x": 0.3, "steps": 2}]
    # folders made ahead for runs that never came (the space ran out) are gone
    runs_root = os.path.dirname(os.path.dirname(hd.get_children()[0].outputs_dir))
    assert sorted(os.listdir(runs_root)) == sorted(c.id for c in hd.get_children())
    rand = RandomParameterSampling({"x": choice(0.1, 0.2, 0.3, 0.4)}, seed=3)
    hd2 = sweep(workspace, source, rand, name="r", max_total_runs=10, max_concurrent_runs=2)
    assert sorted(c.hyperparameters["x"] for c in hd2.get_children()) == [0.1, 0.2, 0.3, 0.4]
    assert hd2.get_status() == "Completed"


def test_max_duration_cancels_running_runs_and_leaves_no_process(workspace, source):
    sampling = GridParameterSampling({"mode": choice("hang", "hang", "hang")})
    start = time.time()
    hd = sweep(workspace, source, sampling, max_total_runs=3, max_concurrent_runs=3,
               max_duration_minutes=0.03)
    assert time.time() - start < 30
    children = hd.get_children()
    assert [c.get_status() for c in children] == ["Canceled"] * 3
    assert all("max_duration_minutes" in c.get_details()["terminationReason"]
               for c in children)
    assert processes_left(hd.id) == []


def test_trial_timeout_cancels_one_run(workspace, source):
    sampling = GridParameterSampling({"mode": choice("ok", "hang")})
    hd = sweep(workspace, source, sampling, max_total_runs=2, trial_timeout=1.5)
    by_mode = {c.hyperparameters["mode"]: c for c in hd.get_children()}
    assert by_mode["ok"].get_status() == "Completed"
    assert by_mode["hang"].get_status() == "Canceled"
    assert "trial_timeout" in by_mode["hang"].get_details()["terminationReason"]
    assert processes_left(hd.id) == []


def test_failures_are_recorded_and_the_sweep_goes_on(workspace, source):
    modes = ["ok", "exit1", "sigkill", "nometric", "nan", "fork"]
    hd = sweep(workspace, source, GridParameterSampling({"mode": choice(modes)}),
               max_total_runs=6, max_concurrent_runs=2)
    runs = {c.hyperparameters["mode"]: c for c in hd.get_children()}
    assert runs["ok"].get_status() == "Completed"
    failed = runs["exit1"].get_details()
    assert failed["status"] == "Failed" and failed["exitCode"] == 1
    assert "about to fail" in failed["error"]
    killed = runs["sigkill"].get_details()
    assert killed["status"] == "Failed" and "SIGKILL" in killed["terminationReason"]
    assert runs["sigkill"].get_metrics()["acc"] == 0.1  # what it logged before dying is kept
    nometric = runs["nometric"].get_details()
    assert nometric["status"] == "Completed"
    assert nometric["terminationReason"] == (
        "metric 'acc' was never logged; logged names were: 'Accuracy', 'loss'")
    nan = runs["nan"].get_metrics()["acc"]
    assert len(nan) == 3 and all(math.isnan(v) for v in nan)
    assert runs["nan"].get_details()["terminationReason"] == (
        "metric 'acc' was logged 3 time(s) but never as a finite number (NaN and ±inf are "
        "never best): this run has no best value")
    assert runs["fork"].get_status() == "Completed"
    assert hd.get_best_run_by_primary_metric().id in (runs["ok"].id, runs["fork"].id)
    assert processes_left(hd.id) == []  # the forked child was killed with its group
    assert hd.get_details()["message"] is None  # some runs logged 'acc'
    # a sweep where no run logs the primary metric (a misspelt name) says so itself
    typo = sweep(workspace, source, GridParameterSampling({"mode": choice("nometric")}),
                 max_total_runs=1, name="typo")
    assert typo.get_status() == "Completed"
    assert typo.get_details()["message"] == (
        "no run logged the primary metric 'acc'; the runs logged: 'Accuracy', 'loss'")
    assert hd.get_status() == "Completed"


@pytest.mark.parametrize("goal", ["maximize", "minimize"])
def test_best_run_matches_a_brute_force_check(workspace, source, goal):
    sampling = RandomParameterSampling({"x": uniform(-1, 1), "steps": choice(1, 3)}, seed=7)
    hd = sweep(workspace, source, sampling, goal=goal, max_total_runs=8, max_concurrent_runs=4,
               arguments=["--epochs", "2"])
    metrics = hd.get_metrics()
    pick = max if goal == "maximize" else min
    per_run = {rid: pick(m["acc"]) if isinstance(m["acc"], list) else m["acc"]
               for rid, m in metrics.items()}
    best_id = pick(per_run, key=per_run.get)
    assert hd.get_best_run_by_primary_metric().id == best_id
    ranked = hd.get_children_sorted_by_primary_metric()
    assert ranked[0]["run_id"] == best_id
    assert [r["best_primary_metric"] for r in ranked] == sorted(
        per_run.values(), reverse=(goal == "maximize"))
    assert hd.get_children_sorted_by_primary_metric(top=2) == ranked[:2]
    assert hd.get_children_sorted_by_primary_metric(top=None) == ranked
    for bad in (-1, 2.5, "2", True):
        with pytest.raises(ConfigurationError, match="top must be a whole number >= 0"):
            hd.get_children_sorted_by_primary_metric(top=bad)
    child = hd.get_children()[0]
    args = child.get_details()["runDefinition"]["arguments"]
    from hypersweep.space import render_value

    assert args == ["--epochs", "2", "--x", render_value(child.hyperparameters["x"]),
                    "--steps", str(child.hyperparameters["steps"])]
    assert child.get_details()["runDefinition"]["Arguments"] == args


def test_a_hundred_thousand_values_while_others_read(workspace, source):
    sampling = GridParameterSampling({"mode": choice("many")})
    result = {}

    def run():
        result["hd"] = sweep(workspace, source, sampling, max_total_runs=1)

    thread = threading.Thread(target=run)
    thread.start()
    reads = 0
    cli = [sys.executable, "-m", "hypersweep", "--workspace", str(workspace.url), "ls", "--json"]
    while thread.is_alive():
        out = subprocess.run(cli, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        json.loads(out.stdout)
        reads += 1
    thread.join()
    hd = result["hd"]
    values = hd.get_children()[0].get_metrics()["acc"]
    assert len(values) == 100_000
    assert values == [i / 100_000 for i in range(100_000)]
    assert reads >= 1


def test_files_and_download(workspace, source, tmp_path):
    hd = sweep(workspace, source, GridParameterSampling({"mode": choice("ok")}),
               max_total_runs=1)
    child = hd.get_children()[0]
    names = child.get_file_names()
    assert "outputs/times.json" in names and "logs/std_log.txt" in names
    target = child.download_file("outputs/times.json", str(tmp_path))
    with open(target) as fh:
        assert json.load(fh)["argv"][:2] == ["--mode", "ok"]
    # Azure ML's other read idioms
    written = child.download_files(prefix="outputs", output_directory=str(tmp_path / "all"))
    assert written == [str(tmp_path / "all" / "outputs" / "times.json")]
    assert child.download_files("outputs/", str(tmp_path / "flat"), append_prefix=False) == \
        [str(tmp_path / "flat" / "times.json")]
    assert child.properties["pid"] == child.get_details()["properties"]["pid"] > 0
    assert hd.get_tags() == hd.tags == {}
    assert [c.id for c in hd.get_children(status="Completed")] == [child.id]
    assert hd.get_children(tags="no-such-tag") == []


def test_background_submit_returns_at_once_and_completes(workspace, source):
    sampling = RandomParameterSampling({"x": uniform(0, 1)}, seed=2)
    start = time.time()
    hd = sweep(workspace, source, sampling, background=True, max_total_runs=3,
               arguments=["--sleep", "0.3"])
    assert time.time() - start < 5
    details = hd.wait_for_completion(show_output=False)
    assert details["status"] == "Completed"
    assert len(hd.get_children()) == 3


def test_a_single_child_run_can_be_canceled_while_the_sweep_goes_on(workspace, source):
    # HyperDrive's Run.cancel() on one child: that run ends Canceled with the reason, the
    # others run to their end, and the sweep completes
    hd = sweep(workspace, source, GridParameterSampling({"x": choice(0.1, 0.2)}),
               max_total_runs=2, max_concurrent_runs=2, background=True,
               arguments=["--steps", "8", "--sleep", "0.4"])
    deadline = time.time() + 60
    while len(hd.get_children()) < 2 and time.time() < deadline:
        time.sleep(0.05)
    first, second = hd.get_children()
    while first.get_status() != "Running" and time.time() < deadline:
        time.sleep(0.05)
    assert first.cancel() is True
    hd.wait_for_completion(poll=0.1)
    details = first.get_details()
    assert details["status"] == "Canceled"
    assert details["terminationReason"] == "run canceled by request"
    assert second.get_status() == "Completed"
    assert second.get_metrics()["acc"][-1] == pytest.approx(0.2)
    assert hd.get_status() == "Completed"
    assert first.cancel() is False and second.cancel() is False  # already ended
    assert processes_left(hd.id) == []


def test_a_sampler_that_fails_ends_the_sweep_failed_not_stranded(workspace, source,
                                                                  monkeypatch):
    """A sampler bug must not kill the controller and leave the sweep Running for ever:
    the sweep ends Failed, saying why, after its running runs."""
    from hypersweep.sampling._random import RandomParameterSampling as Sampler

    real, calls = Sampler.suggest, []

    def flaky(self, history, n, **kwargs):
        calls.append(n)
        if len(calls) > 1:
            raise OverflowError("cannot convert float infinity to integer")
        return real(self, history, n, **kwargs)

    monkeypatch.setattr(Sampler, "suggest", flaky)
    hd = sweep(workspace, source, RandomParameterSampling({"x": uniform(0, 1)}, seed=1),
               max_total_runs=4, max_concurrent_runs=1)
    assert hd.get_status() == "Failed"
    assert "the sampler failed: OverflowError" in hd.get_details()["message"]
    assert [c.get_status() for c in hd.get_children()] == ["Completed"]
    assert processes_left(hd.id) == []
