"""A worker node lost mid-sweep: only its runs are affected.

Each test adds a node (2 ``slot``s) to the session's cluster, runs a sweep whose trials
each ask for one slot — so at concurrency 4 two run on the new node and two on the
session's worker — and kills every process of the new node once its runs are logging.
Without retries, its runs fail with "worker node lost"; with ``max_retries=1`` they start
again on the surviving node and complete. Either way the other runs complete, every
value that reached the controller is stored once, and no trial process survives.
"""

from __future__ import annotations

import threading
import time
import warnings

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
from tests.integration.test_executor_contract import logged_by_script
from tests.sweeps import hypersweep_processes

pytestmark = [pytest.mark.integration, pytest.mark.ray]

XS = [0.9, 0.8, 0.7, 0.6]  # one wave: two runs on each worker node


def node_ids() -> set[str]:
    import ray

    return {n["NodeID"] for n in ray.nodes() if n["Alive"]}


def start_sweep(workspace, source, address: str, max_retries: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(
                source_directory=str(source), script="behave.py",
                arguments=["--steps", "12", "--sleep", "0.25"],
                compute_target={"type": "ray", "address": address,
                                "max_retries": max_retries},
                resources={"num_cpus": 1, "slot": 1}),
            hyperparameter_sampling=GridParameterSampling({"x": choice(*XS)}),
            primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            max_total_runs=len(XS), max_concurrent_runs=4)
    result: dict = {}

    def run() -> None:
        try:
            result["run"] = Experiment(workspace, "loss").submit(cfg, background=False)
        except BaseException as exc:  # reported by the test
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def lose_a_node_mid_sweep(ray_cluster, workspace, source, max_retries: int):
    before = node_ids()
    victim = ray_cluster.add_worker()
    ray_cluster.wait_nodes(len(before) + 1)
    (victim_id,) = node_ids() - before
    thread, result = start_sweep(workspace, source, ray_cluster.address, max_retries)
    store, deadline = workspace.store, time.monotonic() + 90
    on_victim: list[str] = []
    while len(on_victim) < 2:  # both of the new node's runs are logging
        assert time.monotonic() < deadline, "no run reached the new node"
        assert thread.is_alive(), result
        rows = [r for e in store.experiments("loss") for r in store.runs(e["id"])]
        on_victim = [r["id"] for r in rows if (r["tags"] or {}).get("hypersweep.ray_node")
                     == victim_id and r["primary_count"] >= 2]
        time.sleep(0.1)
    victim.kill()
    thread.join(180)
    assert not thread.is_alive() and "error" not in result, result
    hd = result["run"]
    assert hd.get_status() == "Completed"
    return hd, on_victim


def test_a_lost_node_fails_only_its_runs(ray_cluster, workspace, source):
    hd, on_victim = lose_a_node_mid_sweep(ray_cluster, workspace, source, max_retries=0)
    children = {c.id: c for c in hd.get_children()}
    assert len(children) == len(XS)
    for run_id, child in children.items():
        if run_id in on_victim:
            assert child.get_status() == "Failed"
            assert child.get_details()["terminationReason"].startswith("worker node lost")
        else:
            assert child.get_status() == "Completed", child.get_details()
        stored = child.get_metrics().get("acc", [])
        assert len(stored) == logged_by_script(child)  # what arrived is stored, once
    deadline = time.monotonic() + 20  # the trials on the lost node were stopped too
    while any(hypersweep_processes(run_id) for run_id in on_victim):
        assert time.monotonic() < deadline, "a trial of the lost node survived it"
        time.sleep(0.2)


def test_with_max_retries_the_lost_runs_start_again_elsewhere(ray_cluster, workspace, source):
    hd, on_victim = lose_a_node_mid_sweep(ray_cluster, workspace, source, max_retries=1)
    children = {c.id: c for c in hd.get_children()}
    assert [c.get_status() for c in children.values()] == ["Completed"] * len(XS)
    for run_id in on_victim:
        child = children[run_id]
        assert child.tags.get("hypersweep.attempt") == "2"
        stored = child.get_metrics()["acc"]
        assert len(stored) == logged_by_script(child) > 12  # the lost attempt's values too
        assert stored[-1] == pytest.approx(child.hyperparameters["x"])
