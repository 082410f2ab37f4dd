"""Early-termination policies acting live on real trial processes (issue 4).

Each test runs a real sweep of ``scripts/curve.py`` (a learning curve fixed by
``--speed`` and ``--final``) one run at a time, so every run is judged against finished
runs only and no decision depends on timing. The pure policy object is then replayed over
the values the store holds, in the order the controller saw them; the controller must
have stopped exactly the runs this oracle predicts, with the oracle's very reason (which
names the interval and the numbers compared), and the stopped processes must be gone.
"""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from hypersweep import (
    AsyncHyperBandPolicy,
    BanditPolicy,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    HypersweepWarning,
    MedianStoppingPolicy,
    PrimaryMetricGoal,
    ScriptRunConfig,
    TruncationSelectionPolicy,
    choice,
)
from hypersweep.cli import main
from hypersweep.experiment._runner import run_sweep
from hypersweep.policy import EarlyTerminationPolicy
from hypersweep.status import RunStatus
from tests.sweeps import SCRIPTS, processes_left

pytestmark = pytest.mark.integration

STEPS, SLEEP = 8, 0.1
# Grid order (last key fastest): (3.0, 0.7), (3.0, 0.5), (3.0, 0.9), (0.5, 0.7), ...
SPACE = {"--speed": choice(3.0, 0.5, 1.0), "--final": choice(0.7, 0.5, 0.9)}

# name → (policy, primary metric, goal, stop interval per run number: None = completes).
# The intervals are the timing-free prediction (stopped runs truncated at their stop
# interval); they hold even if up to two more values of a stopped run arrive before the
# kill, which is why these curves were chosen.
CASES: dict[str, tuple[EarlyTerminationPolicy, str, str, list[int | None]]] = {
    "bandit": (BanditPolicy(slack_amount=0.1, evaluation_interval=1, delay_evaluation=2),
               "loss", "minimize", [None, 3, None, 7, 2, None, 2, 2, 2]),
    "median": (MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=3),
               "acc", "maximize", [None, 3, None, None, 5, None, None, 4, None]),
    "truncation": (TruncationSelectionPolicy(50, evaluation_interval=2, delay_evaluation=2),
                   "acc", "maximize", [None, 2, None, None, 4, None, 6, 2, None]),
    "asha": (AsyncHyperBandPolicy(min_interval=1, reduction_factor=2, max_interval=STEPS),
             "acc", "maximize", [None, 1, None, None, 4, None, None, 1, None]),
}


def _curve_module() -> Any:
    """scripts/curve.py as a module, for its exact ``values`` function."""
    spec = importlib.util.spec_from_file_location("curve_script", SCRIPTS / "curve.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


curve = _curve_module()


def _expected_values(params: dict[str, Any], metric: str) -> list[float]:
    return curve.values(params["--final"], params["--speed"], STEPS, metric)


def _oracle(policy: EarlyTerminationPolicy, goal: PrimaryMetricGoal, rows: list[dict],
            stored: dict[str, list[float]], metric: str) -> dict[str, tuple[int, str]]:
    """run id → (interval, reason) for the runs the pure policy stops.

    Runs are replayed in creation order. Run i is judged at each scheduled interval,
    against runs 0..i-1 as the store holds them (all ended: concurrency is 1), with its
    own values as the script logs them. The runs that completed are the policy's
    ``finished`` ones; a stopped run is a reference only at the intervals it reached.
    """
    table: dict[str, list[float]] = {}
    stops: dict[str, tuple[int, str]] = {}
    completed: set[str] = set()
    for row in rows:
        rid, own = row["id"], _expected_values(row["params"], metric)
        finished = frozenset(completed)
        for interval in range(1, len(own) + 1):
            table[rid] = own[:interval]
            if not policy.is_scheduled(interval):
                continue
            reason = policy.should_terminate(rid, interval, table, goal, finished)
            if reason is not None:
                stops[rid] = (interval, reason)
                break
        table[rid] = list(stored.get(rid, []))
        if rid not in stops:
            completed.add(rid)
    return stops


def _no_process_of(run_id: str) -> bool:
    return processes_left(f"HYPERSWEEP_RUN_ID={run_id}\0") == []


def _run_sweep(workspace: Any, source: Path, policy: EarlyTerminationPolicy, metric: str,
               goal: str) -> tuple[Any, list[str]]:
    """Run the sweep in this process; while it runs, check that each run recorded as
    Canceled has no process left. Returns the sweep and the runs checked that way."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(source_directory=str(source), script="curve.py",
                                       arguments=["--steps", str(STEPS), "--sleep", str(SLEEP)]),
            hyperparameter_sampling=GridParameterSampling(SPACE), policy=policy,
            primary_metric_name=metric, primary_metric_goal=PrimaryMetricGoal.parse(goal),
            max_total_runs=9, max_concurrent_runs=1)
    hd = Experiment(workspace, f"live-{policy.policy_name}").create(cfg)
    checked: list[str] = []

    def check(controller: Any) -> None:
        for rid, state in controller.runs.items():
            if state.status is RunStatus.CANCELED and rid not in checked:
                assert _no_process_of(rid), f"{rid} is Canceled but its process lives"
                checked.append(rid)

    run_sweep(workspace, hd.id, on_progress=check)
    return hd, checked


@pytest.mark.parametrize("name", list(CASES))
def test_the_controller_stops_exactly_what_the_oracle_predicts(workspace, source, capsys,
                                                               name):
    policy, metric, goal_name, expected = CASES[name]
    goal = PrimaryMetricGoal.parse(goal_name)
    hd, checked = _run_sweep(workspace, source, policy, metric, goal_name)
    assert hd.get_status() == "Completed"
    assert processes_left(hd.id) == []

    store = workspace.store
    rows = sorted(store.runs(hd.id), key=lambda r: r["number"])
    stored = store.metric_series(hd.id, metric)
    assert len(rows) == 9
    for row in rows:  # what was stored is what the script logged, in order
        values = stored[row["id"]]
        assert values == _expected_values(row["params"], metric)[:len(values)]

    predicted = _oracle(policy, goal, rows, stored, metric)
    actual = {r["id"]: r["message"] for r in rows if r["status"] == "Canceled"}
    assert actual == {rid: reason for rid, (_, reason) in predicted.items()}
    assert [predicted.get(r["id"], (None,))[0] for r in rows] == expected
    assert sorted(checked) == sorted(actual)

    children = {c.get_details()["number"]: c for c in hd.get_children()}
    for row in rows:
        details = children[row["number"]].get_details()
        if row["id"] in predicted:
            interval, reason = predicted[row["id"]]
            assert details["status"] == "Canceled"
            assert details["terminationReason"] == reason
            assert f"{type(policy).__name__} at interval {interval}" in reason
            # values may arrive between the decision and the kill, but only a few
            assert interval <= row["primary_count"] <= interval + 2
        else:
            assert details["status"] == "Completed"
            assert details["terminationReason"] is None
            assert row["primary_count"] == STEPS

    _check_status_command(capsys, workspace, hd.id, rows, predicted)


def _check_status_command(capsys: Any, workspace: Any, sweep_id: str, rows: list[dict],
                          predicted: dict[str, tuple[int, str]]) -> None:
    """``hypersweep status`` shows each stopped run's reason (whole in --json, cut to the
    column width in the table). The command runs in this process: a fresh interpreter
    would spend seconds importing what this one has loaded already."""
    def cli(*args: str) -> str:
        capsys.readouterr()
        assert main(["--workspace", workspace.root, "status", sweep_id, *args]) == 0
        return capsys.readouterr().out

    listed = {r["id"]: r for r in json.loads(cli("--json"))["runs"]}
    for rid, (_, reason) in predicted.items():
        assert listed[rid]["status"] == "Canceled" and listed[rid]["message"] == reason
    lines = cli().splitlines()
    for row in rows:
        line = next(ln for ln in lines if ln.split()[:1] == [str(row["number"])])
        if row["id"] in predicted:
            reason = predicted[row["id"]][1]
            assert "Canceled" in line
            assert reason[:40] in line  # the table cuts long cells
        else:
            assert "Completed" in line


_LAST_WORD = '''
import os, sys, time
from hypersweep import Run
time.sleep(float(sys.argv[sys.argv.index("--wait") + 1]))
Run.get_context().log("acc", float(sys.argv[sys.argv.index("--x") + 1]))
os._exit(0)  # at once: the controller sees the value and the exit in the same pass
'''


def test_a_run_that_ended_by_itself_is_not_stopped_by_its_last_value(workspace, source):
    # run 1's only value is far below run 0's, so Bandit would stop it, but the process
    # exits right after logging it: there is nothing left to stop, and it stays Completed
    (source / "last_word.py").write_text(_LAST_WORD)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(source_directory=str(source), script="last_word.py",
                                       arguments=["--wait", "0.3"]),
            hyperparameter_sampling=GridParameterSampling({"--x": choice(0.9, 0.1)}),
            policy=BanditPolicy(slack_amount=0.1), primary_metric_name="acc",
            primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=2,
            max_concurrent_runs=1)
    hd = Experiment(workspace, "last-word").create(cfg)
    run_sweep(workspace, hd.id)
    rows = sorted(workspace.store.runs(hd.id), key=lambda r: r["number"])
    assert [(r["status"], r["exit_code"], r["primary_last"]) for r in rows] == \
        [("Completed", 0, 0.9), ("Completed", 0, 0.1)]
    assert rows[1]["message"] is None


def test_a_ratio_slack_meeting_negative_values_is_warned_about_once(workspace, source, capsys):
    # SPEC §4: ratio slack with a negative B is ill-defined; the early values tell
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(source_directory=str(source), script="behave.py",
                                       arguments=["--steps", "2"]),
            hyperparameter_sampling=GridParameterSampling({"--x": choice(-0.5, -0.2, 0.3)}),
            policy=BanditPolicy(slack_factor=0.1), primary_metric_name="acc",
            primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=3,
            max_concurrent_runs=1)
    hd = Experiment(workspace, "signed").create(cfg)
    with pytest.warns(HypersweepWarning, match="assumes a positive primary metric") as caught:
        run_sweep(workspace, hd.id)
    assert sum("assumes a positive" in str(w.message) for w in caught) == 1
    warned = hd.get_details()["warnings"]
    assert len(warned) == 1 and "a logged value is -0.25" in warned[0]
    capsys.readouterr()
    assert main(["--workspace", workspace.root, "status", hd.id]) == 0
    assert f"warning: {warned[0]}" in capsys.readouterr().out
