"""Pure decisions of the controller loop: which runs the limits or the policy stop.

No clock, store or process here: the loop passes in the time and the runs as it knows
them, so every rule is tested on plain data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet

from hypersweep.config import SweepSpec
from hypersweep.controller._outcome import not_a_series
from hypersweep.controller._state import RunState
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.policy import EarlyTerminationPolicy
from hypersweep.status import ExperimentStatus, RunStatus

__all__ = ["duration_reason", "policy_decisions", "sweep_outcome", "timed_out"]


def duration_reason(spec: SweepSpec, started: float, now: float) -> str | None:
    """Why the sweep must stop now for its duration limit (None while time remains)."""
    if now >= started + spec.max_duration_minutes * 60:
        minutes = spec.max_duration_minutes
        said = f"{minutes:g}" if minutes >= 1 and minutes == int(minutes) else \
            f"{minutes:g}, i.e. {minutes * 60:g} s"
        return f"max_duration_minutes ({said}) reached"
    return None


def timed_out(spec: SweepSpec, runs: Sequence[RunState], now: float
              ) -> list[tuple[str, str]]:
    """(run id, reason) for every running run older than ``trial_timeout``."""
    timeout = spec.trial_timeout_seconds
    if timeout is None:
        return []
    return [(r.id, f"trial_timeout ({timeout:g} s) exceeded") for r in runs
            if r.status is RunStatus.RUNNING and r.started is not None
            and now - r.started >= timeout]


def policy_decisions(policy: EarlyTerminationPolicy, goal: PrimaryMetricGoal,
                     judged: Sequence[tuple[str, int]], runs: Mapping[str, RunState],
                     prior_table: Mapping[str, list[float]],
                     prior_completed: AbstractSet[str] = frozenset()
                     ) -> list[tuple[str, str]]:
    """(run id, reason) for the running runs the policy stops.

    ``judged`` lists each run that logged new primary values with how many it had
    before; every newly reached scheduled interval is evaluated, in order, until one
    says stop. Warm-start parents' series join the reference table.

    The policy's ``finished`` set is the runs that *completed* (here and among the
    parents): SPEC §4 compares with "completed runs plus runs that have reached N", and
    drops "completed runs" for ``exclude_finished_jobs``. A run stopped early (Canceled,
    or Failed) is therefore a reference only at the intervals it reached, like a running
    run; its short average does not stay in the Median's reference set for ever.
    A retried run (an executor's new attempt) is judged on its current attempt's values.
    """
    due = [(rid, [i for i in range(max(0, before - runs[rid].channel.attempt_start) + 1,
                                   len(runs[rid].channel.attempt_primary) + 1)
                  if policy.is_scheduled(i)])
           for rid, before in judged if runs[rid].status is RunStatus.RUNNING]
    due = [(rid, intervals) for rid, intervals in due if intervals]
    if not due:  # the reference table is built only when a rule is applied
        return []
    table = {**prior_table, **{r.id: values for r in runs.values()
                               if (values := r.channel.attempt_primary)}}
    finished = {r.id for r in runs.values() if r.status is RunStatus.COMPLETED}
    finished |= prior_completed
    decisions = []
    for rid, intervals in due:
        for interval in intervals:
            reason = policy.should_terminate(rid, interval, table, goal, finished)
            if reason:
                decisions.append((rid, reason))
                break
    return decisions


def sweep_outcome(status: ExperimentStatus, runs: Sequence[RunState], stopping: str | None,
                  exhausted: bool, primary: str = "metric"
                  ) -> tuple[ExperimentStatus, str | None]:
    """The sweep's final status and message: Failed when every run failed (DESIGN: a sweep
    whose every trial crashed must not look fine), else ``status`` with why it stopped."""
    if status is ExperimentStatus.COMPLETED and runs and all(
            r.status is RunStatus.FAILED for r in runs):
        return ExperimentStatus.FAILED, stopping or f"all {len(runs)} runs failed"
    message = stopping or ("search space exhausted" if exhausted else None)
    completed = [r for r in runs if r.status is RunStatus.COMPLETED]
    if completed and not any(r.channel.primary for r in runs):
        # a misspelt metric name: say so on the sweep, not only on each run
        logged = sorted({name for r in runs for name in r.channel.counts})
        missing = (f"no run logged the primary metric {primary!r}; the runs logged: "
                   + (", ".join(repr(n) for n in logged) if logged else "nothing"))
        if primary in logged:
            missing = f"no run logged the primary metric {primary!r} as a series: " + \
                not_a_series(primary)
        message = f"{message}; {missing}" if message else missing
    return status, message
