"""Asynchronous successive halving (ASHA), the stopping half of Hyperband. (beyond)"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set
from typing import Any

from hypersweep._checks import checked_arguments, describe, is_int
from hypersweep.errors import ConfigurationError
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.policy._base import EarlyTerminationPolicy
from hypersweep.policy._support import others_reaching, pair, run_values, show, whole_number

__all__ = ["AsyncHyperBandPolicy"]


class AsyncHyperBandPolicy(EarlyTerminationPolicy):
    """Let a run past each rung only if it is in the top 1/η of the runs that reached it.

    Rungs are the intervals ``min_interval * reduction_factor**k`` (k = 0, 1, ...) that
    are below ``max_interval`` (every one when it is None): a rung at the last interval
    would save nothing. ``evaluation_interval``/``delay_evaluation`` do not apply; the
    rungs are the schedule. At rung r, the n runs that logged at least r values (this one
    included, finished ones too) are compared by their value *at* r. With
    ``keep = floor(n / η)``, the run continues iff fewer than ``keep`` runs are strictly
    better than it (ties break toward survival, as in truncation selection).

    **(ours, the conservative reading)** While fewer than η runs have reached a rung
    (``keep == 0``) nobody is stopped there: ASHA would promote nobody yet, and a run
    cannot be paused here, so it continues (Optuna instead keeps it only if it is the
    best so far). The first η - 1 runs at each rung therefore always pass it. NaN/±inf
    values are the worst.

    Example::

        >>> from hypersweep import PrimaryMetricGoal
        >>> policy = AsyncHyperBandPolicy(min_interval=1, reduction_factor=3, max_interval=27)
        >>> policy.rungs()
        (1, 3, 9)
        >>> table = {"a": [0.9], "b": [0.5], "c": [0.7]}
        >>> print(policy.should_terminate("c", 1, table, PrimaryMetricGoal.MAXIMIZE))
        ... # doctest: +NORMALIZE_WHITESPACE
        AsyncHyperBandPolicy at interval 1 (rung 0): value 0.7 < 0.9,
        the cutoff of the top 1 of 3 runs
    """

    policy_name = "asha"

    @checked_arguments
    def __init__(self, min_interval: int = 1, reduction_factor: int = 3,
                 max_interval: int | None = None) -> None:
        super().__init__()
        self._min = whole_number("min_interval", min_interval, 1)
        self._eta = whole_number("reduction_factor", reduction_factor, 2)
        self._max = None
        if max_interval is not None:
            self._max = whole_number("max_interval", max_interval, 1)
            if self._max <= self._min:
                raise ConfigurationError(
                    f"max_interval must be an integer greater than min_interval ({self._min}) "
                    f"so that there is at least one rung, got {describe(max_interval)}")

    @property
    def min_interval(self) -> int:
        return self._min

    @property
    def reduction_factor(self) -> int:
        return self._eta

    @property
    def max_interval(self) -> int | None:
        return self._max

    def options(self) -> dict[str, Any]:
        return {"min_interval": self._min, "reduction_factor": self._eta,
                "max_interval": self._max}

    def rungs(self, up_to: int | None = None) -> tuple[int, ...]:
        """The rung intervals up to ``up_to`` (needed when ``max_interval`` is None)."""
        limit = self._max - 1 if self._max is not None else up_to
        if limit is None:
            raise ConfigurationError("rungs(): up_to is required when max_interval is None")
        result, rung = [], self._min
        while rung <= limit:
            result.append(rung)
            rung *= self._eta
        return tuple(result)

    def _rung_index(self, interval: int) -> int | None:
        if not is_int(interval) or interval < self._min or interval % self._min:
            return None
        if self._max is not None and interval >= self._max:
            return None
        quotient, index = interval // self._min, 0
        while quotient % self._eta == 0:
            quotient, index = quotient // self._eta, index + 1
        return index if quotient == 1 else None

    def is_scheduled(self, interval: int) -> bool:
        """True when ``interval`` is a rung."""
        return self._rung_index(interval) is not None

    def should_terminate(self, run_id: str, interval: int,
                         table: Mapping[str, Sequence[float]], goal: PrimaryMetricGoal,
                         finished: Set[str] = frozenset()) -> str | None:
        """The reason ``run_id`` stops at rung ``interval`` (see the class docstring), or None."""
        values = run_values(run_id, interval, table)
        rung = self._rung_index(interval)
        others = others_reaching(run_id, interval, table)
        keep = (len(others) + 1) // self._eta
        if rung is None or keep == 0:
            return None
        goal = PrimaryMetricGoal.parse(goal, "goal")
        own = goal.score(values[interval - 1])
        scores = sorted((goal.score(table[o][interval - 1]) for o in others), reverse=True)
        if len(scores) < keep or scores[keep - 1] <= own:
            return None
        cutoff = scores[keep - 1]  # the keep-th best of the others; it beats this run
        if math.isfinite(own):
            mine, theirs = pair(goal.sign * own, goal.sign * cutoff)
        else:
            mine, theirs = "non-finite", show(goal.sign * cutoff)
        op = "<" if goal is PrimaryMetricGoal.MAXIMIZE else ">"
        return (f"AsyncHyperBandPolicy at interval {interval} (rung {rung}): value {mine} "
                f"{op} {theirs}, the cutoff of the top {keep} of {len(others) + 1} runs")
