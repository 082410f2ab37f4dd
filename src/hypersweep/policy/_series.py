"""A run's primary-metric values that remember their prefix aggregates as they grow.

Bandit compares best values over the first N values of every run, and Median stopping
the means of those first N values. Recomputed from the raw values at every evaluation,
that costs O(runs × N) per logged value: a script that logs its metric at every step
(20,000 values) made Bandit take minutes of controller time. The controller keeps each
run's values in a :class:`Series`, which it only ever appends to; the policies ask it for
prefix aggregates, which it extends once per new value. A plain list gives the same
answers, computed from the values (the policies stay pure functions of their input).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from fractions import Fraction

from hypersweep.goal import PrimaryMetricGoal
from hypersweep.policy._support import best_score, exact, mean_score

__all__ = ["Series", "prefix_best_score", "prefix_exact_mean", "prefix_mean_score"]

_BIG = 1e300  # beyond this a running sum might overflow: such series are not cached


class Series(list):
    """An append-only list of floats with cached prefix aggregates (see module doc).

    Only ``append`` and ``extend`` may change it; the aggregates assume that earlier
    values never change (the controller's channel state never rewrites a value)."""

    __slots__ = ("_bad", "_decimal_sums", "_done", "_exact", "_high", "_low", "_partials",
                 "_sums")

    def __init__(self, values: Sequence[float] = ()) -> None:
        super().__init__(values)
        self._done = 0                 # values folded into the aggregates so far
        self._high = array("d")        # max finite value of each prefix (nan: none yet)
        self._low = array("d")         # min finite value of each prefix (nan: none yet)
        self._sums = array("d")        # correctly rounded sum of each prefix
        self._partials: list[float] = []  # exact running sum (Shewchuk's partials)
        self._bad = -1                 # length of the first prefix with a non-finite value
        self._exact = True             # False once a value is too large to sum safely
        self._decimal_sums: list[Fraction] = []  # exact sums of the numbers as written

    def _fold(self, upto: int) -> None:
        """Extend the aggregates to the first ``upto`` values."""
        high = self._high[-1] if self._done else math.nan
        low = self._low[-1] if self._done else math.nan
        for k in range(self._done, upto):
            x = self[k]
            if math.isfinite(x):
                high = x if not high >= x else high  # nan (none yet) is replaced
                low = x if not low <= x else low
                if abs(x) > _BIG:
                    self._exact = False
                if self._exact:
                    _add(self._partials, x)
            elif self._bad < 0:
                self._bad = k + 1
            self._high.append(high)
            self._low.append(low)
            self._sums.append(math.fsum(self._partials) if self._exact else math.nan)
        self._done = max(self._done, upto)

    def best_score(self, goal: PrimaryMetricGoal, n: int) -> float:
        """Score of the best value among the first ``n`` (-inf when none is finite)."""
        if n <= 0:
            return -math.inf
        self._fold(n)
        value = (self._high if goal is PrimaryMetricGoal.MAXIMIZE else self._low)[n - 1]
        return -math.inf if math.isnan(value) else goal.sign * value

    def mean_score(self, goal: PrimaryMetricGoal, n: int) -> float | None:
        """Score of the mean of the first ``n`` values, as ``_support.mean_score`` takes
        it, or None when this series cannot give it exactly (a value beyond 1e300)."""
        self._fold(n)
        if 0 < self._bad <= n:
            return -math.inf
        if not self._exact or n <= 0:
            return None
        mean = min(max(self._sums[n - 1] / n, self._low[n - 1]), self._high[n - 1])
        return mean if goal is PrimaryMetricGoal.MAXIMIZE else -mean

    def decimal_sum(self, n: int) -> Fraction | None:
        """The exact sum of the first ``n`` values as written (``_support.exact``), or
        None when one of them is not finite. Kept as the series grows: the Median rule
        needs it whenever a run's best ties the median, which constant or repeated
        values make happen at every interval."""
        self._fold(n)
        if 0 < self._bad <= n:
            return None
        sums = self._decimal_sums
        total = sums[-1] if sums else Fraction(0)
        for k in range(len(sums), n):
            total += exact(self[k])
            sums.append(total)
        return sums[n - 1] if n > 0 else Fraction(0)


def _add(partials: list[float], x: float) -> None:
    """Add ``x`` to a list of non-overlapping partial sums whose exact total is the sum
    of everything added (Shewchuk's algorithm, as ``math.fsum`` uses internally)."""
    i = 0
    for y in partials:
        if abs(x) < abs(y):
            x, y = y, x
        high = x + y
        low = y - (high - x)
        if low:
            partials[i] = low
            i += 1
        x = high
    partials[i:] = [x]


def prefix_best_score(goal: PrimaryMetricGoal, values: Sequence[float], n: int) -> float:
    """:func:`_support.best_score` of ``values[:n]``, from the series' cache if it has one."""
    if isinstance(values, Series):
        return values.best_score(goal, min(n, len(values)))
    return best_score(goal, values[:n])


def prefix_mean_score(goal: PrimaryMetricGoal, values: Sequence[float], n: int) -> float:
    """:func:`_support.mean_score` of ``values[:n]``, from the series' cache if it has
    one."""
    if isinstance(values, Series):
        cached = values.mean_score(goal, min(n, len(values)))
        if cached is not None:
            return cached
    return mean_score(goal, values[:n])


def prefix_exact_mean(goal: PrimaryMetricGoal, values: Sequence[float], n: int
                      ) -> Fraction | float:
    """The mean score of ``values[:n]`` in exact decimal arithmetic (the numbers as
    written, see :func:`_support.exact`), for deciding a tie with the median exactly;
    ``-inf`` when a value is not finite."""
    k = min(n, len(values))
    if isinstance(values, Series):
        total = values.decimal_sum(k)
    elif all(math.isfinite(v) for v in values[:k]):
        total = sum((exact(v) for v in values[:k]), Fraction(0))
    else:
        total = None
    if total is None:
        return -math.inf
    mean = total / k
    return mean if goal is PrimaryMetricGoal.MAXIMIZE else -mean
