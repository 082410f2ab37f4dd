"""Median stopping policy (SPEC §4): stop runs worse than the median running average."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence, Set

from hypersweep._checks import checked_arguments
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.policy._base import EarlyTerminationPolicy
from hypersweep.policy._series import prefix_best_score, prefix_exact_mean, prefix_mean_score
from hypersweep.policy._support import (
    exact_score,
    median_score,
    near,
    pair,
    run_values,
    show_score,
)

__all__ = ["MedianStoppingPolicy"]


class MedianStoppingPolicy(EarlyTerminationPolicy):
    """Stop a run whose best value is worse than the median of the others' running averages.

    At each scheduled interval N, for every *other* run j in the reference set,
    ``avg_j`` is the mean of its values at intervals ``1..min(N, n_j)``; M is the median
    of those averages. The run stops iff its best value over its first N values is
    strictly worse than M (so a run exactly on the median lives; means and median are
    then taken exactly, from the numbers as written: runs averaging 0.6 and 0.8 put the
    median at 0.7, and a best of 0.7 lives).

    **(ours)** The reference set is every other run that has logged at least N values
    (running ones included) plus every run in ``finished`` that logged at least one
    value, whatever its length. ``finished`` holds Completed, Failed and Canceled runs
    (the interface cannot tell them apart), and the controller adds warm-start parents'
    runs to the table and to ``finished``. Running runs shorter than N are left out:
    their future is unknown. An empty reference set stops nothing.

    A NaN/±inf value makes its run's average the worst possible, and a run whose first N
    values are all non-finite has the worst best value: it stops when any reference
    average is finite (SPEC §4: a diverged run is stopped when there is a reference to
    compare with), even if a diverged reference made the median itself non-finite.

    Example::

        >>> from hypersweep import PrimaryMetricGoal
        >>> policy = MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=2)
        >>> table = {"a": [0.6, 0.8], "b": [0.5, 0.7], "c": [0.3, 0.4]}
        >>> policy.should_terminate("c", 2, table, PrimaryMetricGoal.MAXIMIZE)
        "MedianStoppingPolicy at interval 2: best 0.4 < 0.65 = median of 2 other runs' averages"
    """

    policy_name = "median_stopping"

    @checked_arguments
    def __init__(self, evaluation_interval: int = 1, delay_evaluation: int = 0) -> None:
        super().__init__(evaluation_interval, delay_evaluation)

    def should_terminate(self, run_id: str, interval: int,
                         table: Mapping[str, Sequence[float]], goal: PrimaryMetricGoal,
                         finished: Set[str] = frozenset()) -> str | None:
        """The reason ``run_id`` stops at ``interval`` (see the class docstring), or None."""
        values = run_values(run_id, interval, table)
        if not self.is_scheduled(interval):
            return None
        reference = [other for other, series in table.items()
                     if other != run_id and len(series) > 0
                     and (len(series) >= interval or other in finished)]
        if not reference:
            return None
        goal = PrimaryMetricGoal.parse(goal, "goal")
        averages = [prefix_mean_score(goal, table[other], interval) for other in reference]
        median = median_score(averages)
        own = prefix_best_score(goal, values, interval)
        if math.isfinite(own) and math.isfinite(median) and near(own, median):
            # on the median as written, up to float rounding: decide exactly
            worse = exact_score(goal, goal.sign * own) < statistics.median(
                [prefix_exact_mean(goal, table[other], interval) for other in reference])
        elif not math.isfinite(own):
            # diverged: stopped when a reference is finite (SPEC §4), even when a diverged
            # reference made the median of an even count non-finite too
            worse = any(math.isfinite(a) for a in averages)
        else:
            worse = own < median
        if not worse:
            return None
        if not math.isfinite(median):
            finite = sum(math.isfinite(a) for a in averages)
            return (f"MedianStoppingPolicy at interval {interval}: best non-finite (NaN/inf "
                    f"counts as the worst value), while {finite} of {len(reference)} other "
                    "runs' averages are finite")
        mine, theirs = (pair(goal.sign * own, goal.sign * median) if math.isfinite(own)
                        else (show_score(goal, own), show_score(goal, median)))
        op = "<" if goal is PrimaryMetricGoal.MAXIMIZE else ">"
        return (f"MedianStoppingPolicy at interval {interval}: best {mine} {op} {theirs} = "
                f"median of {len(reference)} other runs' averages")
