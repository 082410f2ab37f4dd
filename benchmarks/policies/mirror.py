"""A small event scheduler that mirrors the controller's replay, for any stopping rule.

:func:`simulate` plays the same sweep as :func:`benchmarks.policies.replay.replay_controller`
(same arrival order, concurrency, line times and kill semantics) without a store or a
controller, and asks a :class:`Judge` which runs to stop. It serves two purposes:

- the **peers**: Optuna's pruners are driven through it (:class:`OptunaJudge`, ask/tell
  with ``trial.report`` / ``trial.should_prune``), so they see exactly the arrival
  order, the concurrency and the interleaving of values that our controller sees;
- a **cross-check and a fast path** for our own policies (:class:`PolicyJudge`): the
  benchmark asserts that it reproduces every controller replay exactly (same epochs per
  configuration, same runs completed), then may use it to scan many settings quickly.

The mirrored rules of the controller loop: values with the same timestamp arrive in one
pass and are all stored before any is judged; runs are judged in creation order against
the table as it stands (stopped runs keep the values they logged), except a run whose
value is its last, which exits in that pass and is not judged; a run that ended —
completed, or stopped — counts as finished from the next pass on; a stopped run logs
nothing more; freed slots are refilled at the same simulated moment, in arrival order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol

from benchmarks.policies.curves import CurveSet
from benchmarks.policies.replay import Outcome, line_times
from hypersweep import PrimaryMetricGoal
from hypersweep.policy import EarlyTerminationPolicy

__all__ = ["Judge", "OptunaJudge", "PolicyJudge", "simulate"]


class Judge(Protocol):
    """A stopping rule driven by :func:`simulate`."""

    def started(self, run: int) -> None:
        """Run number ``run`` (0, 1, 2, ... in arrival order) has started."""

    def judge(self, batch: Sequence[tuple[int, float]], ending: frozenset[int] = frozenset()
              ) -> list[tuple[int, str]]:
        """New values ``(run, value)`` that arrived together (at most one per run, in run
        order); returns ``(run, reason)`` for the runs to stop now. ``ending`` holds the
        runs whose value is their last: their process exits in the same pass."""

    def ended(self, run: int, completed: bool) -> None:
        """The run ended: ran to the end (``completed``) or was stopped."""


@dataclasses.dataclass
class _Running:
    run: int
    config: int
    times: list[float]
    logged: int = 0


def simulate(curves: CurveSet, order: Sequence[int], concurrency: int, judge: Judge,
             start: float = 0.0) -> Outcome:
    """Play the sweep and return what it did (see the module docstring)."""
    epochs: dict[int, int] = {}
    completed: set[int] = set()
    reasons: dict[int, str] = {}
    running: dict[int, _Running] = {}
    now, position = start, 0
    while True:
        while len(running) < concurrency and position < len(order):
            config = int(order[position])
            running[position] = _Running(position, config, line_times(
                now, curves.seconds_per_epoch[config], curves.epochs))
            judge.started(position)
            position += 1
        if not running:
            break
        now = min(r.times[r.logged] for r in running.values())
        batch = []
        for state in sorted(running.values(), key=lambda r: r.run):
            if state.times[state.logged] == now:
                batch.append((state.run, curves.values[state.config][state.logged]))
                state.logged += 1
        ending = frozenset(run for run, _ in batch if running[run].logged == curves.epochs)
        stops = dict(judge.judge(batch, ending))
        for run, _ in batch:
            state = running[run]
            if run in stops or state.logged == curves.epochs:
                del running[run]
                epochs[state.config] = state.logged
                if run in stops:
                    reasons[state.config] = stops[run]
                else:
                    completed.add(state.config)
                judge.ended(run, run not in stops)
    return Outcome(epochs=epochs, completed=frozenset(completed), reasons=reasons,
                   seconds=now - start)


class PolicyJudge:
    """One of our policies, called the way the controller calls it (pure, no store)."""

    def __init__(self, policy: EarlyTerminationPolicy, goal: str) -> None:
        self.policy, self.goal = policy, PrimaryMetricGoal.parse(goal)
        self.table: dict[str, list[float]] = {}
        self.finished: set[str] = set()
        self._ending: list[str] = []

    def started(self, run: int) -> None:
        pass

    def judge(self, batch: Sequence[tuple[int, float]], ending: frozenset[int] = frozenset()
              ) -> list[tuple[int, str]]:
        self.finished.update(self._ending)   # runs that ended in an earlier pass
        self._ending.clear()
        for run, value in batch:
            self.table.setdefault(f"r{run}", []).append(value)
        stops = []
        for run, _ in batch:
            if run in ending:  # the controller judges only runs whose process still runs
                continue
            rid = f"r{run}"
            interval = len(self.table[rid])
            if self.policy.is_scheduled(interval):
                reason = self.policy.should_terminate(rid, interval, self.table, self.goal,
                                                      self.finished)
                if reason:
                    stops.append((run, reason))
        return stops

    def ended(self, run: int, completed: bool) -> None:
        if completed:  # as the controller: a stopped run is no finished reference
            self._ending.append(f"r{run}")


class OptunaJudge:
    """An Optuna pruner through Optuna's ask/tell interface.

    Each run is one ``study.ask()`` trial; each value is ``trial.report(value, epoch)``
    followed by ``trial.should_prune()`` (and ``study.tell(trial, state=PRUNED)`` at once
    when it says so); a run that reaches its last epoch is told its final value. The
    study name is fixed: Optuna's HyperbandPruner assigns brackets by hashing it.
    """

    def __init__(self, pruner: Any, goal: str) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        self._optuna = optuna
        self.study = optuna.create_study(
            study_name="hypersweep-replay", direction=goal, pruner=pruner,
            sampler=optuna.samplers.RandomSampler(seed=0))
        self.trials: dict[int, Any] = {}
        self.steps: dict[int, int] = {}
        self.last: dict[int, float] = {}

    def started(self, run: int) -> None:
        self.trials[run] = self.study.ask()

    def judge(self, batch: Sequence[tuple[int, float]], ending: frozenset[int] = frozenset()
              ) -> list[tuple[int, str]]:
        # ``ending`` is ignored: an objective function reports and asks should_prune()
        # after its last epoch too, before it returns, so Optuna can prune a run there
        stops = []
        for run, value in batch:
            trial = self.trials[run]
            step = self.steps[run] = self.steps.get(run, 0) + 1   # the epoch, 1-based
            trial.report(value, step)
            self.last[run] = value
            if trial.should_prune():
                self.study.tell(trial, state=self._optuna.trial.TrialState.PRUNED)
                stops.append((run, f"pruned by {type(self.study.pruner).__name__} at step "
                                   f"{step}"))
        return stops

    def ended(self, run: int, completed: bool) -> None:
        if completed:
            self.study.tell(self.trials[run], self.last[run])

