"""Replaying recorded curves through the real controller, in simulated time.

:class:`ReplayExecutor` implements hypersweep's ``Executor`` interface without starting
any process: a "launched" trial writes its recorded curve to an in-memory metrics
channel, one JSON line per epoch (the format of docs/trial-contract.md), each line
appearing when the simulated clock reaches the end of that epoch. ``cancel`` ends the
trial at once: lines not yet written never will be. :class:`SimClock` is the clock given
to the controller, and only ``wait`` moves it, straight to the next moment something
happens (a line is written or a trial ends); the passes a real controller would make in
between would find nothing new.

:func:`replay_controller` runs the real :class:`hypersweep.controller.Controller` with
that executor and clock against a real SQLite store in a temporary folder, for one
policy, one arrival order of the configurations and one concurrency, and reads the
outcome back from the store. The arrival order is imposed by grid sampling over
``choice(order)`` of a ``config`` index, which yields the listed values in order.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.policies.curves import CurveSet
from hypersweep import (
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    PrimaryMetricGoal,
    ScriptRunConfig,
    Workspace,
    choice,
)
from hypersweep.controller import Controller
from hypersweep.execution import Executor, LaunchInfo, TrialExit, TrialLaunch
from hypersweep.policy import EarlyTerminationPolicy

__all__ = ["Outcome", "ReplayExecutor", "SimClock", "line_times", "replay_controller"]

PARAMETER = "config"
SIGTERM_EXIT = -15
START = 1_700_000_000.0  # simulated Unix time of the sweep's start
_TRIAL_SCRIPT = '''"""Placeholder trial: the replay executor writes recorded curves instead."""
raise SystemExit("benchmarks/policies: this script is replayed, never run")
'''


class SimClock:
    """A clock that stands still until the replay executor moves it."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def line_times(start: float, seconds_per_epoch: float, epochs: int) -> list[float]:
    """When each epoch's line is written. The controller replay and the mirror
    (:mod:`benchmarks.policies.mirror`) compute times with this one function, so equal
    times stay equal in both."""
    return [start + seconds_per_epoch * (e + 1) for e in range(epochs)]


@dataclasses.dataclass
class _Trial:
    config: int
    times: list[float]
    blob: bytes
    ends: list[int]            # byte offset just after each line
    exit_at: float
    exit_code: int = 0
    canceled_at: float | None = None

    def visible(self, now: float) -> int:
        """How many lines have been written by ``now``."""
        limit = now if self.canceled_at is None else min(now, self.canceled_at)
        return bisect.bisect_right(self.times, limit)

    def next_event(self, now: float) -> float:
        if self.canceled_at is None:
            index = bisect.bisect_right(self.times, now)
            if index < len(self.times):
                return min(self.times[index], self.exit_at)
        return self.exit_at


class ReplayExecutor(Executor):
    """Trials that replay a curve set in simulated time (see the module docstring).

    A trial's configuration index is read from its command line (``--config N``). A
    canceled trial exits ``kill_seconds`` after the request with SIGTERM's status; one
    that runs to the end exits when its last line is written.
    """

    def __init__(self, curves: CurveSet, clock: SimClock, *, kill_seconds: float = 0.0) -> None:
        self.curves, self.clock, self.kill_seconds = curves, clock, kill_seconds
        self._trials: dict[str, _Trial] = {}
        self._running: list[str] = []          # launch order, until the exit is reported

    def launch(self, trial: TrialLaunch) -> LaunchInfo:
        argv = list(trial.argv)
        config = int(argv[argv.index(f"--{PARAMETER}") + 1])
        times = line_times(self.clock.now, self.curves.seconds_per_epoch[config],
                           self.curves.epochs)
        lines = [json.dumps({"kind": "metric", "name": self.curves.metric, "value": value,
                             "time": when}).encode() + b"\n"
                 for value, when in zip(self.curves.values[config], times, strict=True)]
        ends, total = [], 0
        for line in lines:
            total += len(line)
            ends.append(total)
        self._trials[trial.run_id] = _Trial(config=config, times=times, blob=b"".join(lines),
                                            ends=ends, exit_at=times[-1])
        self._running.append(trial.run_id)
        return LaunchInfo(pid=None, pid_started=None, host="replay")

    def wait(self, timeout: float) -> list[TrialExit]:
        """Trials that have ended; when none has and ``timeout`` > 0, first move the
        clock to the next line or exit of a running trial."""
        if not self._due() and timeout > 0 and self._running:
            now = self.clock.now
            self.clock.now = max(now, min(self._trials[r].next_event(now)
                                          for r in self._running))
        exits = []
        for run_id in self._due():
            trial = self._trials[run_id]
            self._running.remove(run_id)
            exits.append(TrialExit(run_id=run_id, exit_code=trial.exit_code,
                                   ended=trial.exit_at))
        return exits

    def _due(self) -> list[str]:
        return [r for r in self._running if self._trials[r].exit_at <= self.clock.now]

    def read_channel(self, run_id: str, offset: int) -> tuple[bytes, int]:
        trial = self._trials[run_id]
        count = trial.visible(self.clock.now)
        end = trial.ends[count - 1] if count else 0
        return trial.blob[offset:end], max(offset, end)

    def cancel(self, run_id: str, grace: float) -> None:
        trial = self._trials.get(run_id)
        if trial is None or run_id not in self._running or trial.canceled_at is not None:
            return
        trial.canceled_at = self.clock.now
        trial.exit_at = self.clock.now + self.kill_seconds
        trial.exit_code = SIGTERM_EXIT

    def adopt(self, run_id: str, info: LaunchInfo, trial: TrialLaunch) -> LaunchInfo | None:
        return None  # a replay is never resumed

    def running(self) -> set[str]:
        return set(self._running)

    def shutdown(self, grace: float = 5.0) -> None:
        for run_id in list(self._running):
            self.cancel(run_id, grace)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one replayed sweep did: epochs each configuration ran, and which completed."""

    epochs: dict[int, int]             # config → epochs it logged
    completed: frozenset[int]          # configs whose run ended Completed
    reasons: dict[int, str] = dataclasses.field(default_factory=dict, compare=False)
    seconds: float = dataclasses.field(default=0.0, compare=False)  # simulated duration


def _workspace_root() -> str | None:
    """A RAM-backed temporary folder when there is one: the store is real SQLite, but
    its files need not wear a disk."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def replay_controller(curves: CurveSet, policy: EarlyTerminationPolicy | None,
                      order: Sequence[int], concurrency: int, *,
                      kill_seconds: float = 0.0) -> Outcome:
    """Run the real controller over ``curves`` in arrival ``order`` and return the outcome."""
    with tempfile.TemporaryDirectory(prefix="hs-replay-", dir=_workspace_root()) as tmp:
        source = Path(tmp) / "src"
        source.mkdir()
        (source / "trial.py").write_text(_TRIAL_SCRIPT)
        workspace = Workspace(Path(tmp) / "ws")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. Bandit's ratio slack on negative values
            config = HyperDriveConfig(
                run_config=ScriptRunConfig(source_directory=str(source), script="trial.py"),
                hyperparameter_sampling=GridParameterSampling(
                    {PARAMETER: choice([int(c) for c in order])}),
                policy=policy, primary_metric_name=curves.metric,
                primary_metric_goal=PrimaryMetricGoal.parse(curves.goal),
                max_total_runs=len(order), max_concurrent_runs=concurrency)
            sweep = Experiment(workspace, f"replay-{curves.name}").create(config)
            clock = SimClock()
            executor = ReplayExecutor(curves, clock, kill_seconds=kill_seconds)
            Controller(workspace.store, sweep.id, executor, clock=clock).run()
        try:
            return _outcome(workspace, sweep.id, clock.now - START)
        finally:
            workspace.store.close()


def _outcome(workspace: Any, sweep_id: str, seconds: float) -> Outcome:
    rows = workspace.store.runs(sweep_id)
    epochs = {int(r["params"][PARAMETER]): int(r["primary_count"] or 0) for r in rows}
    completed = frozenset(int(r["params"][PARAMETER]) for r in rows
                          if r["status"] == "Completed")
    reasons = {int(r["params"][PARAMETER]): r["message"] for r in rows
               if r["status"] == "Canceled"}
    unexpected = {r["status"] for r in rows} - {"Completed", "Canceled"}
    if unexpected:
        raise RuntimeError(f"replay of {sweep_id}: unexpected run states {unexpected}")
    return Outcome(epochs=epochs, completed=completed, reasons=reasons, seconds=seconds)
