"""The Ray executor's parts that need no cluster: the worker's trial host (a plain object
here), its supervisor's guard, path relocation, resource options and configuration."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from hypersweep import ScriptRunConfig
from hypersweep.config._yaml import spec_from_yaml_data
from hypersweep.errors import ConfigurationError, ConfigurationTypeError
from hypersweep.execution._ray_files import relocate, zip_bytes
from hypersweep.execution._ray_options import (
    actor_options,
    check_address,
    feasible,
    loss_reason,
)
from hypersweep.execution._ray_worker import TrialHost
from tests.sweeps import SCRIPTS, hypersweep_processes

pytestmark = pytest.mark.integration


def plan(run_id: str, *args: str, controller: str = "/controller/runs") -> dict:
    run_dir = f"{controller}/{run_id}"
    return {"run_id": run_id, "sweep_id": "HD_w", "attempt": 1, "shared": False,
            "run_dir": run_dir, "snapshot_dir": "/controller/snapshot",
            "argv": ["/nowhere/bin/python3", "behave.py", *args, f"--out={run_dir}/outputs"],
            "env": {"HYPERSWEEP_RUN_ID": run_id, "HYPERSWEEP_OUTPUT_DIR": f"{run_dir}/outputs",
                    "HYPERSWEEP_METRICS_PATH": f"{run_dir}/logs/metrics.jsonl"},
            "resume_from": None}


def finish(host: TrialHost, timeout: float = 30) -> tuple[bytes, dict]:
    chan, log, deadline = b"", b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = host.poll(len(chan), len(log), 1.0)
        chan, log = chan + answer["chan"], log + answer["log"]
        if answer["ended"]:
            return chan, answer
    raise AssertionError("the trial did not end")


def test_the_host_runs_a_trial_in_its_own_folder_and_packs_its_outputs(tmp_path):
    host = TrialHost(str(tmp_path / "node"))
    the_plan = plan("HD_w_0", "--x", "0.4", "--steps", "3")
    info = host.start(the_plan, zip_bytes(str(SCRIPTS), compress=True))
    assert host.start(the_plan, None) == info  # a repeated call changes nothing
    assert info["run_dir"].startswith(str(tmp_path / "node" / "HD_w"))
    chan, answer = finish(host)
    assert answer["exit"] == 0
    values = [json.loads(line)["value"] for line in chan.splitlines()]
    assert values[::2] == pytest.approx([0.4 / 3, 0.8 / 3, 0.4])
    times = json.loads(Path(info["run_dir"], "outputs", "times.json").read_text())
    # the missing interpreter became this one; controller paths became the worker's
    assert times["argv"][-1] == f"--out={info['run_dir']}/outputs"
    size = host.pack_outputs()
    data = host.read_chunk(0)
    assert len(data) == size
    assert zipfile.ZipFile(__import__("io").BytesIO(data)).namelist() == ["times.json"]
    host.cleanup()
    assert not Path(info["run_dir"]).exists()


def test_cancel_stops_the_group_and_a_dead_host_takes_its_trial_along(tmp_path):
    host = TrialHost(str(tmp_path / "node"))
    host.start(plan("HD_w_1", "--mode", "hang"), zip_bytes(str(SCRIPTS), compress=True))
    host.cancel(2.0)
    _, answer = finish(host)
    assert answer["exit"] == -signal.SIGTERM
    # now the host itself dies (its Ray worker process is killed): the trial must go too
    code = textwrap.dedent(f"""
        import sys
        from hypersweep.execution._ray_worker import TrialHost
        from hypersweep.execution._ray_files import zip_bytes
        from tests.integration.ray.test_worker_side import plan
        host = TrialHost({str(tmp_path / 'node')!r})
        host.start(plan("HD_w_2", "--mode", "fork"), zip_bytes({str(SCRIPTS)!r}, compress=True))
        print("started", flush=True)
        sys.stdin.read()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, cwd=Path(__file__).parents[3])
    assert proc.stdout.readline().strip() == b"started"
    deadline = time.monotonic() + 20
    while len(hypersweep_processes("HD_w_2")) < 2:  # supervisor + trial (+ its fork)
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while hypersweep_processes("HD_w_2"):
        assert time.monotonic() < deadline, "the trial outlived its host"
        time.sleep(0.1)


def test_relocation_rewrites_controller_paths_only():
    argv, env = relocate(["py", "/c/runs/r1/x", "--o=/c/runs/r1", "/c/runs/r10", "/other"],
                         {"A": "/c/runs/r1/outputs", "B": "/c/snapshot"},
                         {"/c/runs/r1": "/w/r1", "/c/snapshot": "/w/snap"})
    assert argv == ["py", "/w/r1/x", "--o=/w/r1", "/c/runs/r10", "/other"]
    assert env == {"A": "/w/r1/outputs", "B": "/w/snap"}


def test_resource_requests_become_actor_options_and_are_checked():
    opts = actor_options({"num_gpus": 1, "memory": 2e9, "slot": 1})
    assert (opts["num_cpus"], opts["num_gpus"], opts["memory"]) == (1.0, 1.0, 2_000_000_000)
    assert opts["resources"] == {"slot": 1.0} and opts["max_restarts"] == 0
    nodes = [{"Resources": {"CPU": 2.0, "memory": 4e9, "slot": 2.0}}]
    assert feasible(actor_options({"slot": 1}), nodes) is None
    why = feasible(opts, nodes)
    assert "GPU=1" in why and "CPU=2" in why
    assert check_address("10.0.0.1:6379") == "10.0.0.1:6379"
    assert check_address("ray://head:10001") == "ray://head:10001"
    with pytest.raises(ConfigurationError, match="'host:port'"):
        check_address("head")
    text = "The actor died unexpectedly.\n\tThe actor is dead because its node has died."
    assert loss_reason(Exception(text), "node 10.0.0.2 (ab12)") == (
        "worker node lost: node 10.0.0.2 (ab12): The actor is dead because its node has died.")
    assert loss_reason(Exception("killed")).startswith("Ray trial host lost")


def test_configuration_of_resources_and_ray_compute():
    src = ScriptRunConfig(".", "t.py", resources={"num_cpus": 2, "GPU_A100": 1},
                          compute_target={"type": "ray", "address": "auto", "max_retries": 1})
    assert src.resources == {"num_cpus": 2.0, "GPU_A100": 1.0}
    assert src.compute_target == {"type": "ray", "address": "auto",
                                  "options": {"max_retries": 1}}
    with pytest.raises(ConfigurationError, match=r"num_cpus.*>= 0"):
        ScriptRunConfig(".", "t.py", resources={"num_cpus": -1})
    with pytest.raises(ConfigurationError, match="instance_type"):
        ScriptRunConfig(".", "t.py", resources={"instance_type": 1})
    with pytest.raises(ConfigurationError, match="unknown Ray option 'max_retry'"):
        ScriptRunConfig(".", "t.py", compute_target={"type": "ray", "max_retry": 1})
    with pytest.raises(ConfigurationTypeError, match="max_retries"):
        ScriptRunConfig(".", "t.py", compute_target={"type": "ray", "max_retries": "x"})
    spec, _ = spec_from_yaml_data({
        "trial": {"command": "python t.py --x ${{search_space.x}}",
                  "resources": {"num_cpus": 1, "num_gpus": 0.5}},
        "search_space": {"x": {"type": "choice", "values": [1, 2]}},
        "objective": {"goal": "maximize", "primary_metric": "acc"},
        "compute": {"type": "ray", "address": "ray://head:10001", "shared_filesystem": True}})
    assert spec.compute == {"type": "ray", "address": "ray://head:10001",
                            "options": {"shared_filesystem": True},
                            "resources": {"num_cpus": 1.0, "num_gpus": 0.5}}
