"""One contract for every executor: the same checks against local processes and a real
Ray cluster (head + worker started by ``tests/integration/ray/cluster.py``).

Executor level: exit statuses, byte-exact channel lines with increasing offsets, partial
lines held back, outputs and log in the controller's run folder, cancel stopping the
whole process group (SIGKILL after the grace period for a trial that ignores SIGTERM),
nothing left behind. Sweep level: a 12-run sweep with a policy at concurrency 4 stores
every metric, and the runs the policy stops leave no process.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import warnings
from pathlib import Path

import pytest

from hypersweep import (
    BanditPolicy,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    HypersweepWarning,
    PrimaryMetricGoal,
    ScriptRunConfig,
    choice,
)
from hypersweep.execution import Executor, LocalExecutor, TrialExit, TrialLaunch
from tests.integration.ray.cluster import ray_cluster  # noqa: F401  (fixture)
from tests.sweeps import SCRIPTS, hypersweep_processes, processes_left

pytestmark = pytest.mark.integration

KINDS = ["local", pytest.param("ray", marks=pytest.mark.ray)]

STUBBORN = """\
import os, signal, sys, time
from hypersweep import Run
signal.signal(signal.SIGTERM, signal.SIG_IGN)   # only SIGKILL stops this one
if os.fork() == 0:                               # a child in the same process group
    time.sleep(600)
    os._exit(0)
Run.get_context().log("acc", 0.5)
print("stubborn is running", flush=True)
time.sleep(600)
"""

PARTIAL = """\
import os, sys, time
fd = os.open(os.environ["HYPERSWEEP_METRICS_PATH"], os.O_WRONLY | os.O_APPEND)
os.write(fd, b'{"kind":"metric","name":"acc","value":0.25}\\n{"kind":"metric",')
time.sleep(float(sys.argv[1]))
os.write(fd, b'"name":"acc","value":0.75}\\n')
"""


@pytest.fixture(params=KINDS)
def kind(request) -> str:
    if request.param == "ray":
        request.getfixturevalue("ray_cluster")
    return request.param


@pytest.fixture
def executor(kind, ray_address):
    ex: Executor
    if kind == "ray":
        from hypersweep.execution._ray import RayExecutor

        ex = RayExecutor(ray_address)
    else:
        ex = LocalExecutor()
    yield ex
    ex.shutdown(grace=1.0)


@pytest.fixture
def ray_address(kind, request) -> str | None:
    return request.getfixturevalue("ray_cluster").address if kind == "ray" else None


@pytest.fixture
def experiment_dir(tmp_path) -> Path:
    """A sweep's folder as the controller lays it out: snapshot/ and runs/."""
    root = tmp_path / "HD_c"
    shutil.copytree(SCRIPTS, root / "snapshot")
    (root / "snapshot" / "stubborn.py").write_text(STUBBORN)
    (root / "snapshot" / "partial.py").write_text(PARTIAL)
    return root


def trial(root: Path, number: int, *args: str, script: str = "behave.py") -> TrialLaunch:
    run_id = f"HD_c{os.getpid()}_{number}_{time.monotonic_ns() % 10**6}"
    run_dir = str(root / "runs" / run_id)
    channel = os.path.join(run_dir, "logs", "metrics.jsonl")
    env = {"HYPERSWEEP_RUN_ID": run_id, "HYPERSWEEP_SWEEP_ID": "HD_c",
           "HYPERSWEEP_EXPERIMENT": "contract", "HYPERSWEEP_METRICS_PATH": channel,
           "HYPERSWEEP_OUTPUT_DIR": os.path.join(run_dir, "outputs"),
           "HYPERSWEEP_RUN_DIR": run_dir, "PYTHONUNBUFFERED": "1"}
    return TrialLaunch(run_id=run_id, argv=[sys.executable, script, *args], env=env,
                       run_dir=run_dir, snapshot_dir=str(root / "snapshot"),
                       log_path=os.path.join(run_dir, "logs", "std_log.txt"),
                       channel_path=channel, resources={"num_cpus": 1})


def drive(ex: Executor, runs: list[TrialLaunch], timeout: float = 60.0,
          on_pass=None) -> tuple[dict[str, TrialExit], dict[str, list[tuple[int, bytes]]]]:
    """Watch the trials as the controller does: wait, kill what ended trials left outside
    their process group, then read every channel."""
    exits: dict[str, TrialExit] = {}
    reads: dict[str, list[tuple[int, bytes]]] = {t.run_id: [] for t in runs}
    offsets = dict.fromkeys(reads, 0)
    deadline = time.monotonic() + timeout
    while len(exits) < len(runs):
        assert time.monotonic() < deadline, f"trials still running: {ex.running()}"
        ended = ex.wait(0.2)
        ex.kill_escaped({done.run_id for done in ended})
        for done in ended:
            exits[done.run_id] = done
        for run_id in reads:
            data, new = ex.read_channel(run_id, offsets[run_id])
            assert new == offsets[run_id] + len(data)
            if data:
                assert data.endswith(b"\n")
                reads[run_id].append((offsets[run_id], data))
                offsets[run_id] = new
        if on_pass is not None:
            on_pass(exits)
    for run_id in reads:  # everything was readable when the exit was reported
        assert ex.read_channel(run_id, offsets[run_id]) == (b"", offsets[run_id])
    return exits, reads


def without_tags(data: bytes) -> bytes:
    """Channel bytes without the lines an executor adds (Ray: the node's tag)."""
    return b"".join(line for line in data.splitlines(keepends=True)
                    if b'"kind":"tag"' not in line)


def metric_lines(chunks: list[tuple[int, bytes]]) -> list[dict]:
    records = [json.loads(line) for _, data in chunks for line in data.splitlines()]
    return [r for r in records if r["kind"] == "metric"]


def test_a_trial_runs_to_the_end_and_its_lines_arrive_exactly_once(executor, experiment_dir):
    t = trial(experiment_dir, 0, "--x", "0.8", "--steps", "6", "--sleep", "0.1")
    info = executor.launch(t)
    assert info.host
    assert t.run_id in executor.running()
    exits, reads = drive(executor, [t])
    assert exits[t.run_id].exit_code == 0 and exits[t.run_id].lost is None
    assert t.run_id not in executor.running()
    offsets = [off for off, _ in reads[t.run_id]]
    assert offsets == sorted(set(offsets))
    values = [(m["name"], m["value"]) for m in metric_lines(reads[t.run_id])]
    expected = [(n, v) for s in range(1, 7) for n, v in (("acc", 0.8 * s / 6), ("loss", 1 / s))]
    assert values == expected
    outputs = json.loads(Path(t.run_dir, "outputs", "times.json").read_text())
    assert outputs["argv"] == ["--x", "0.8", "--steps", "6", "--sleep", "0.1"]


def test_exit_codes_and_the_log_come_back(executor, experiment_dir):
    failing = trial(experiment_dir, 1, "--mode", "exit1")
    killed = trial(experiment_dir, 2, "--mode", "sigkill")
    for t in (failing, killed):
        executor.launch(t)
    exits, reads = drive(executor, [failing, killed])
    assert exits[failing.run_id].exit_code == 1
    assert exits[killed.run_id].exit_code == -9
    assert [m["value"] for m in metric_lines(reads[killed.run_id])] == [0.1]
    assert "about to fail" in Path(failing.log_path).read_text()


def test_a_partial_line_waits_for_its_end(executor, experiment_dir):
    t = trial(experiment_dir, 3, "2.0", script="partial.py")
    executor.launch(t)
    seen: list[tuple[float, bytes]] = []

    def early(exits):
        if not exits:
            seen.append((time.monotonic(), executor.read_channel(t.run_id, 0)[0]))

    _, reads = drive(executor, [t], on_pass=early)
    first = b'{"kind":"metric","name":"acc","value":0.25}\n'
    seen = [(when, without_tags(data)) for when, data in seen]
    since = next(when for when, data in seen if data)
    # for a second after the first line arrived, the half-written second one is held back
    assert {data for when, data in seen if since <= when < since + 1.0} == {first}
    assert all(data in (b"", first) or data.count(b"\n") == 2 for _, data in seen)
    assert [m["value"] for m in metric_lines(reads[t.run_id])] == [0.25, 0.75]


def test_cancel_stops_the_whole_group_sigkill_after_grace(executor, experiment_dir):
    t = trial(experiment_dir, 4, script="stubborn.py")
    executor.launch(t)
    started = time.monotonic()

    def cancel_when_logging(exits):
        logged = without_tags(Path(t.channel_path).read_bytes())  # SIGTERM ignored by now
        if not exits and logged and not cancel_when_logging.sent:
            cancel_when_logging.sent = time.monotonic()
            executor.cancel(t.run_id, grace=1.0)

    cancel_when_logging.sent = 0.0
    exits, _ = drive(executor, [t], on_pass=cancel_when_logging)
    assert cancel_when_logging.sent, "the trial never logged"
    assert exits[t.run_id].exit_code == -9          # SIGTERM ignored: killed after grace
    assert time.monotonic() - cancel_when_logging.sent < 15
    assert time.monotonic() - started < 60
    assert processes_left(t.run_id) == []      # the forked child went too


def test_children_left_behind_are_killed_and_shutdown_stops_everything(executor,
                                                                       experiment_dir):
    forking = trial(experiment_dir, 5, "--mode", "fork", "--steps", "1")
    executor.launch(forking)
    exits, _ = drive(executor, [forking])
    assert exits[forking.run_id].exit_code == 0
    assert processes_left(forking.run_id) == []
    hanging = [trial(experiment_dir, 6 + i, "--mode", "hang") for i in range(2)]
    for t in hanging:
        executor.launch(t)
    deadline = time.monotonic() + 60
    while not all(hypersweep_processes(t.run_id) for t in hanging):
        assert time.monotonic() < deadline
        executor.wait(0.2)
    assert executor.running() == {t.run_id for t in hanging}
    executor.shutdown(grace=1.0)
    deadline = time.monotonic() + 20
    while any(hypersweep_processes(t.run_id) for t in hanging):
        assert time.monotonic() < deadline, "shutdown left trial processes"
        time.sleep(0.2)


def policy_sweep(workspace, source, compute, *, runs=12, concurrency=4):
    """A grid of good and bad runs under a tight Bandit policy."""
    xs = [0.9, 0.1, 0.8, 0.15, 0.85, 0.2, 0.7, 0.1, 0.95, 0.12, 0.75, 0.18][:runs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(source_directory=str(source), script="behave.py",
                                       arguments=["--steps", "8", "--sleep", "0.25"],
                                       compute_target=compute, resources={"num_cpus": 1}),
            hyperparameter_sampling=GridParameterSampling({"x": choice(*xs)}),
            policy=BanditPolicy(slack_factor=0.05),
            primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            max_total_runs=runs, max_concurrent_runs=concurrency)
    return Experiment(workspace, "contract").submit(cfg, background=False)


def logged_by_script(run) -> int:
    """How many 'acc' lines the run's channel file holds (the controller's copy)."""
    path = Path(run.outputs_dir).parent / "logs" / "metrics.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    return sum(1 for r in lines if r.get("kind") == "metric" and r.get("name") == "acc")


def test_twelve_runs_with_a_policy_store_every_metric(kind, ray_address, workspace, source):
    compute = {"type": "ray", "address": ray_address} if kind == "ray" else None
    hd = policy_sweep(workspace, source, compute)
    children = hd.get_children()
    assert len(children) == 12 and hd.get_status() == "Completed"
    statuses = [c.get_status() for c in children]
    assert set(statuses) <= {"Completed", "Canceled"}, statuses
    stopped = [c for c in children if c.get_status() == "Canceled"]
    assert stopped, "the policy stopped no run"
    assert all("Bandit" in (c.get_details()["terminationReason"] or "") for c in stopped)
    for child in children:
        stored = child.get_metrics().get("acc", [])
        stored = stored if isinstance(stored, list) else [stored]
        assert len(stored) == logged_by_script(child)   # nothing lost, nothing twice
        if child.get_status() == "Completed":
            assert len(stored) == 8
    for child in stopped:                                # stopped on the worker, for real
        assert processes_left(child.id) == []


def test_an_ended_trial_is_known_ended_before_wait_reports_it(executor, experiment_dir, kind):
    """The controller asks before it stops a run (its last values can arrive after its
    process exited): a trial that ended on its own must not be recorded as Canceled."""
    if kind == "ray":
        pytest.skip("Ray reports a trial's end through wait() only (has_exited: unknown)")
    done = trial(experiment_dir, 7, "--mode", "ok")
    hang = trial(experiment_dir, 8, "--mode", "hang")
    executor.launch(done)
    executor.launch(hang)
    deadline = time.time() + 60
    while not executor.has_exited(done.run_id):
        assert time.time() < deadline, "a finished trial never reads as ended"
        time.sleep(0.05)
    assert not executor.has_exited(hang.run_id)
    executor.cancel(hang.run_id, 0.5)
    exits, _ = drive(executor, [done, hang])
    assert exits[done.run_id].exit_code == 0


def test_an_adopted_trial_killed_after_its_grace_period_reads_as_sigkilled(kind,
                                                                            experiment_dir):
    """A stubborn trial (ignores SIGTERM) adopted by a new executor after a controller
    restart, then stopped: the SIGKILL takes its wrapper shell too, so no status file is
    written; the exit is still -9, as for a trial the executor started itself."""
    if kind == "ray":
        pytest.skip("Ray trials are not adopted across controllers")
    from hypersweep.execution import LaunchInfo, LocalExecutor

    first = LocalExecutor()
    t = trial(experiment_dir, 9, script="stubborn.py")
    info = first.launch(t)
    deadline = time.time() + 30
    while "stubborn is running" not in Path(t.log_path).read_text():
        assert time.time() < deadline
        time.sleep(0.05)
    first.detach()  # the controller died: nobody watches the trial
    second = LocalExecutor()
    assert second.adopt(t.run_id, LaunchInfo(info.pid, info.pid_started, info.host), t)
    second.cancel(t.run_id, 0.2)
    exits, _ = drive(second, [t])
    assert exits[t.run_id].exit_code == -9
    second.shutdown(grace=0.1)


def test_a_launch_begun_is_known_to_a_later_controller(executor, experiment_dir):
    """A restarted controller starts a Queued run again only if no launch of it began
    (else it would run twice); staging a folder ahead is not a launch; a launch that
    could not start its process is forgotten, so the run is started again."""
    staged, never, started = (trial(experiment_dir, n, "--mode", "ok") for n in (10, 11, 12))
    executor.stage(staged.run_dir, staged.snapshot_dir)
    assert not executor.launch_begun(staged) and not executor.launch_begun(never)
    executor.launch(started)
    assert executor.launch_begun(started)
    exits, _ = drive(executor, [started])
    assert exits[started.run_id].exit_code == 0
    assert executor.launch_begun(started)  # ended: still begun, never launched again
    executor.launch(staged)
    assert executor.launch_begun(staged)
    executor.forget_launch(staged)  # as after a launch that could not start its process
    assert not executor.launch_begun(staged)
    drive(executor, [staged])
