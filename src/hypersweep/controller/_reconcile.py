"""Resuming: rebuild the controller's memory of every run from the store.

The controller then takes back live runs:
runs whose process still exists (same pid and start time) are adopted again; runs whose
process is gone are read to the end of their channel and recorded as Failed ("controller
lost the run"), or Canceled if a stop had already been decided. Queued runs that never
started are launched. Nothing logged is lost: channel offsets were stored with the values.
"""

from __future__ import annotations

import math
from typing import Any

from hypersweep.config import SweepSpec
from hypersweep.controller._ingest import ChannelState
from hypersweep.controller._state import RunState
from hypersweep.execution import LaunchInfo, TrialExit
from hypersweep.policy import Series
from hypersweep.sampling import Observation
from hypersweep.status import RunStatus
from hypersweep.store import Store

__all__ = ["load_parents", "load_runs", "unwatched_exit"]


def _floats(values: list) -> list[float]:
    return [float(v) if isinstance(v, int | float) else math.nan for v in values]


def _resume_path(argv: list[str]) -> str | None:
    """The folder a resumed run was given (``--resume-from PATH`` at the end of its argv)."""
    if len(argv) >= 2 and argv[-2] == "--resume-from":
        return argv[-1]
    return None


def load_runs(store: Store, experiment_id: str, primary_name: str) -> dict[str, RunState]:
    """Every run of the experiment as the controller keeps it in memory."""
    rows = store.runs(experiment_id)
    if not rows:
        return {}
    counts = store.metric_counts(experiment_id)
    primary = store.metric_series(experiment_id, primary_name)
    per_run: dict[str, dict[str, int]] = {}
    for (rid, name), count in counts.items():
        per_run.setdefault(rid, {})[name] = count
    runs: dict[str, RunState] = {}
    for row in rows:
        status = RunStatus(row["status"])
        runs[row["id"]] = RunState(
            id=row["id"], number=row["number"], params=row["params"], argv=row["command"],
            arguments=row["arguments"], run_dir=row["run_dir"], status=status,
            started=row["started"], resume_source=row["resumed_from"],
            resume_from=_resume_path(row["command"]),
            cancel_reason=row["message"] if status is RunStatus.CANCEL_REQUESTED else None,
            launch=LaunchInfo(pid=row["pid"], pid_started=row["pid_started"],
                              host=row["host"] or ""),
            channel=ChannelState(offset=row["channel_offset"], bad_lines=row["bad_lines"],
                                 counts=per_run.get(row["id"], {}),
                                 primary=Series(_floats(primary.get(row["id"], []))),
                                 tags=dict(row["tags"] or {})))
    return runs


def load_parents(store: Store, spec: SweepSpec, *, bayesian: bool
                 ) -> tuple[list[Observation], dict[str, list[float]], set[str]]:
    """Warm start: the parents' results as prior observations (Bayesian sampling only),
    their primary-metric series as a reference for the policies (every sampler), and
    which of those runs completed (see ``policy_decisions``)."""
    prior: list[Observation] = []
    table: dict[str, list[float]] = {}
    completed: set[str] = set()
    for parent in spec.resume_from:
        series = store.metric_series(parent, spec.primary_metric_name)
        for row in store.runs(parent):
            values = _floats(series.get(row["id"], []))
            if values:
                table[row["id"]] = values
                if row["status"] == RunStatus.COMPLETED.value:
                    completed.add(row["id"])
            if bayesian and RunStatus(row["status"]).is_terminal:
                prior.append(Observation(in_space(row["params"], spec), row["primary_best"]))
    return prior, table, completed


def in_space(params: dict[str, Any], spec: SweepSpec) -> dict[str, Any]:
    """A parent run's values under this sweep's keys ("lr" and "--lr" are one key)."""
    ours = {spec.space.flag_of(key): key for key in spec.space}
    return {ours.get(spec.space.flag_of(key), key): value for key, value in params.items()}


def unwatched_exit(run: RunState, why: str, exit_code: int | None, now: float) -> TrialExit:
    """The end of a run that finished (or vanished) while no controller watched it: its
    recorded exit status, else 'controller lost the run' and why."""
    if run.status is RunStatus.QUEUED:
        run.status = RunStatus.RUNNING  # its launch began (Executor.launch_begun)
    return TrialExit(run_id=run.id, exit_code=exit_code, ended=now,
                     lost=None if exit_code is not None else f"controller lost the run: {why}")
