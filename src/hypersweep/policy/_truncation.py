"""Truncation selection policy (SPEC §4): stop the worst p % of runs at each interval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from typing import Any

from hypersweep._checks import checked_arguments, describe
from hypersweep.errors import ConfigurationTypeError
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.policy._base import EarlyTerminationPolicy
from hypersweep.policy._support import others_reaching, run_values, show_score, whole_number

__all__ = ["TruncationSelectionPolicy"]


class TruncationSelectionPolicy(EarlyTerminationPolicy):
    """Stop a run that is among the ``truncation_percentage`` % worst at an interval.

    At each scheduled interval N the population P is every run (this one included) that
    logged at least N values, each taken with its value *at* interval N, so runs are
    compared at the same point of training. With ``k = floor(p / 100 * |P|)`` (computed
    in integers), ``worse`` the runs of P strictly worse than this run and ``same`` the
    runs of P with an equal value (itself included), the run stops iff
    ``worse + same <= k``: ties break toward survival, so at most k runs stop at an
    interval, and none when ``|P| < 100 / p``. NaN/±inf values are the worst and tie with
    each other. ``exclude_finished_jobs=True`` drops the runs in ``finished`` from P.
    With no other run in P nothing stops.

    Example (the source document's 20 % at interval 5)::

        >>> from hypersweep import PrimaryMetricGoal
        >>> policy = TruncationSelectionPolicy(20, evaluation_interval=1, delay_evaluation=5)
        >>> table = {name: [0.0] * 4 + [v] for name, v in
        ...          zip("abcde", [0.1, 0.2, 0.3, 0.4, 0.5])}
        >>> print(policy.should_terminate("a", 5, table, PrimaryMetricGoal.MAXIMIZE))
        ... # doctest: +NORMALIZE_WHITESPACE
        TruncationSelectionPolicy at interval 5: value 0.1 is among the 1 worst of 5 runs
        (k = floor(20% * 5) = 1; 0 worse + 1 equal <= 1)
        >>> policy.should_terminate("b", 5, table, PrimaryMetricGoal.MAXIMIZE) is None
        True
    """

    policy_name = "truncation_selection"

    @checked_arguments
    def __init__(self, truncation_percentage: int, evaluation_interval: int = 1,
                 delay_evaluation: int = 0, exclude_finished_jobs: bool = False) -> None:
        super().__init__(evaluation_interval, delay_evaluation)
        self._percentage = whole_number("truncation_percentage", truncation_percentage, 1, 99)
        if not isinstance(exclude_finished_jobs, bool):
            raise ConfigurationTypeError("exclude_finished_jobs must be True or False, "
                                         f"got {describe(exclude_finished_jobs)}")
        self._exclude_finished = exclude_finished_jobs

    @property
    def truncation_percentage(self) -> int:
        return self._percentage

    @property
    def exclude_finished_jobs(self) -> bool:
        return self._exclude_finished

    def options(self) -> dict[str, Any]:
        return {"truncation_percentage": self._percentage, **super().options(),
                "exclude_finished_jobs": self._exclude_finished}

    def should_terminate(self, run_id: str, interval: int,
                         table: Mapping[str, Sequence[float]], goal: PrimaryMetricGoal,
                         finished: Set[str] = frozenset()) -> str | None:
        """The reason ``run_id`` stops at ``interval`` (see the class docstring), or None."""
        values = run_values(run_id, interval, table)
        others = [other for other in others_reaching(run_id, interval, table)
                  if not (self._exclude_finished and other in finished)]
        if not self.is_scheduled(interval) or not others:
            return None
        goal = PrimaryMetricGoal.parse(goal, "goal")
        own = goal.score(values[interval - 1])
        scores = [goal.score(table[other][interval - 1]) for other in others]
        size = len(scores) + 1
        k = self._percentage * size // 100
        worse = sum(score < own for score in scores)
        same = 1 + sum(score == own for score in scores)
        if worse + same > k:
            return None
        return (f"TruncationSelectionPolicy at interval {interval}: value "
                f"{show_score(goal, own, 6)} is among the {k} worst of {size} runs "
                f"(k = floor({self._percentage}% * {size}) = {k}; "
                f"{worse} worse + {same} equal <= {k})")
