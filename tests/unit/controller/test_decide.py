"""The controller's pure decisions on hand-made run tables."""

from __future__ import annotations

from hypersweep import BanditPolicy, PrimaryMetricGoal
from hypersweep.config import SweepSpec
from hypersweep.controller._decide import duration_reason, policy_decisions, timed_out
from hypersweep.controller._ingest import ChannelState
from hypersweep.controller._state import RunState
from hypersweep.status import RunStatus

SPEC = SweepSpec(source_directory="/s", script="t.py", arguments=(),
                 sampling={"type": "grid", "space": {"x": ["choice", [[1]]]}},
                 primary_metric_name="acc", primary_metric_goal="MAXIMIZE", max_total_runs=4,
                 max_concurrent_runs=2, max_duration_minutes=0.5, trial_timeout_seconds=10)


def run(rid, values, status=RunStatus.RUNNING, started=0.0):
    return RunState(id=rid, number=0, params={}, argv=[], arguments=[], run_dir="/r",
                    status=status, started=started, channel=ChannelState(primary=list(values)))


def test_duration_limit():
    assert duration_reason(SPEC, started=100.0, now=129.9) is None
    assert duration_reason(SPEC, started=100.0, now=130.0) == \
        "max_duration_minutes (0.5, i.e. 30 s) reached"


def test_trial_timeout_only_for_running_runs():
    runs = [run("a", [], started=0.0), run("b", [], started=5.0),
            run("c", [], RunStatus.CANCEL_REQUESTED, started=0.0)]
    assert timed_out(SPEC, runs, now=10.0) == [("a", "trial_timeout (10 s) exceeded")]


def test_policy_sees_each_new_interval_until_it_stops():
    runs = {"a": run("a", [0.8, 0.8, 0.8], RunStatus.COMPLETED),
            "b": run("b", [0.5, 0.45, 0.4])}
    policy = BanditPolicy(slack_factor=0.2, delay_evaluation=2)
    # b logged three values since the last look: interval 1 is not scheduled, 2 stops it
    decisions = policy_decisions(policy, PrimaryMetricGoal.MAXIMIZE, [("b", 0)], runs, {})
    assert [d[0] for d in decisions] == ["b"]
    assert "interval 2" in decisions[0][1]


def test_parents_join_the_reference_table():
    runs = {"b": run("b", [0.5])}
    policy = BanditPolicy(slack_factor=0.1)
    assert policy_decisions(policy, PrimaryMetricGoal.MAXIMIZE, [("b", 0)], runs, {}) == []
    decisions = policy_decisions(policy, PrimaryMetricGoal.MAXIMIZE, [("b", 0)], runs,
                                 {"parent_0": [0.9]})
    assert [d[0] for d in decisions] == ["b"]


def test_sweep_outcome_failed_only_when_every_run_failed():
    from hypersweep.controller._decide import sweep_outcome
    from hypersweep.status import ExperimentStatus

    def runs(*statuses):
        return [run(f"r{i}", [0.5], status=s) for i, s in enumerate(statuses)]

    done = ExperimentStatus.COMPLETED
    assert sweep_outcome(done, runs(RunStatus.FAILED, RunStatus.FAILED), None, False) == (
        ExperimentStatus.FAILED, "all 2 runs failed")
    assert sweep_outcome(done, runs(RunStatus.FAILED, RunStatus.COMPLETED), None, True) == (
        done, "search space exhausted")
    assert sweep_outcome(ExperimentStatus.CANCELED, runs(RunStatus.FAILED), "stop", False) == (
        ExperimentStatus.CANCELED, "stop")
    assert sweep_outcome(done, [], None, False) == (done, None)


def test_sweep_outcome_says_when_no_run_logged_the_primary_metric():
    from hypersweep.controller._decide import sweep_outcome
    from hypersweep.status import ExperimentStatus

    done = ExperimentStatus.COMPLETED
    misspelt = [run("a", [], status=RunStatus.COMPLETED), run("b", [], RunStatus.FAILED)]
    misspelt[0].channel.counts.update({"accuracy": 3, "loss": 3})
    assert sweep_outcome(done, misspelt, None, False, "Accuracy") == (
        done, "no run logged the primary metric 'Accuracy'; the runs logged: 'accuracy', "
              "'loss'")
    assert sweep_outcome(done, misspelt, None, True, "Accuracy")[1].startswith(
        "search space exhausted; no run logged")
    # logged, but only as a list (log_list): it is not a series of intervals
    listed = [run("e", [], status=RunStatus.COMPLETED)]
    listed[0].channel.counts.update({"Accuracy": 1})
    message = sweep_outcome(done, listed, None, False, "Accuracy")[1]
    assert message.startswith("no run logged the primary metric 'Accuracy' as a series: ")
    assert "log_list/log_row/log_table" in message and "run.log('Accuracy', value)" in message
    # one run that logged it is enough; a sweep with no completed run says nothing more
    logged = [*misspelt, run("c", [0.9], status=RunStatus.COMPLETED)]
    assert sweep_outcome(done, logged, None, False, "Accuracy") == (done, None)
    assert sweep_outcome(ExperimentStatus.CANCELED, [run("d", [], RunStatus.CANCELED)],
                         "stop", False, "Accuracy") == (ExperimentStatus.CANCELED, "stop")


def test_a_retried_run_is_judged_on_its_new_attempt():
    """An executor's retry (a lost node) starts the run again from epoch 1: its interval N
    is its N-th value since the ``hypersweep.attempt`` tag, not counting the lost attempt."""
    import json

    from hypersweep.controller._ingest import parse_channel

    def line(**record):
        return json.dumps(record).encode() + b"\n"

    b = run("b", [])
    channel = (line(kind="metric", name="acc", value=0.9) * 3
               + line(kind="tag", name="hypersweep.attempt", value="2")
               + line(kind="metric", name="acc", value=0.1))
    parse_channel("b", channel, b.channel, "acc", now=0.0)
    assert b.channel.primary == [0.9, 0.9, 0.9, 0.1]  # nothing dropped
    assert b.channel.attempt_primary == [0.1]
    runs = {"a": run("a", [0.8, 0.8, 0.8], RunStatus.COMPLETED), "b": b}
    policy = BanditPolicy(slack_factor=0.2, delay_evaluation=2)  # intervals 2, 3, ...
    # judged on the new attempt: one value, interval 1 is not scheduled, nothing to do
    # (counted over both attempts it would be interval 4, whose 0.9 best never stops)
    assert policy_decisions(policy, PrimaryMetricGoal.MAXIMIZE, [("b", 0)], runs, {}) == []
    parse_channel("b", line(kind="metric", name="acc", value=0.2), b.channel, "acc", now=0.0)
    decisions = policy_decisions(policy, PrimaryMetricGoal.MAXIMIZE, [("b", 4)], runs, {})
    assert [d[0] for d in decisions] == ["b"]
    assert "interval 2" in decisions[0][1]
    # and it is the new attempt that other runs are compared with
    c = run("c", [0.5, 0.5])
    runs["c"] = c
    runs["a"] = run("a", [0.3, 0.3], RunStatus.COMPLETED)
    decisions = policy_decisions(policy, PrimaryMetricGoal.MAXIMIZE, [("c", 0)], runs, {})
    assert decisions == []  # b's best is 0.2 now, not its lost attempt's 0.9


def test_a_run_stopped_early_is_a_reference_only_at_the_intervals_it_reached():
    """SPEC §4: the Median compares with "completed runs plus runs that have reached N".
    A run the policy stopped at interval 1 (its one value 0.1) must not pull the median
    down at interval 2; a run that completed short of N still counts, over its values."""
    from hypersweep import MedianStoppingPolicy, TruncationSelectionPolicy

    median = MedianStoppingPolicy()
    goal = PrimaryMetricGoal.MAXIMIZE
    runs = {"r0": run("r0", [0.9, 0.9, 0.9], RunStatus.COMPLETED),
            "r1": run("r1", [0.1], RunStatus.CANCELED),
            "r2": run("r2", [0.6, 0.6])}
    # reference at interval 2: r0 only (average 0.9), so 0.6 stops; with the canceled r1
    # counted it would be the median of 0.9 and 0.1 = 0.5, and r2 would go on
    decisions = policy_decisions(median, goal, [("r2", 1)], runs, {})
    assert [d[0] for d in decisions] == ["r2"] and "0.9" in decisions[0][1]
    runs["r1"] = run("r1", [0.1], RunStatus.COMPLETED)  # a short run that completed counts
    assert policy_decisions(median, goal, [("r2", 1)], runs, {}) == []
    # the same holds for warm-start parents' runs
    runs = {"r2": run("r2", [0.6, 0.6])}
    prior = {"p0": [0.9, 0.9, 0.9], "p1": [0.1]}
    assert [d[0] for d in policy_decisions(median, goal, [("r2", 1)], runs, prior,
                                           {"p0"})] == ["r2"]
    assert policy_decisions(median, goal, [("r2", 1)], runs, prior, {"p0", "p1"}) == []
    # exclude_finished_jobs drops completed runs only: a canceled run that reached N stays
    truncation = TruncationSelectionPolicy(50, exclude_finished_jobs=True)
    runs = {"r0": run("r0", [0.9], RunStatus.COMPLETED),
            "r1": run("r1", [0.2], RunStatus.CANCELED),
            "r2": run("r2", [0.5]), "r3": run("r3", [0.7])}
    # P = r1, r2, r3: k = 1, and r2 has r1 below it: it lives
    assert policy_decisions(truncation, goal, [("r2", 0)], runs, {}) == []
    runs["r1"] = run("r1", [0.2], RunStatus.COMPLETED)  # P = r2, r3: k = 1, r2 stops
    assert [d[0] for d in policy_decisions(truncation, goal, [("r2", 0)], runs, {})] == ["r2"]
