"""The primary-metric goal and the comparisons every part of hypersweep shares.

Non-finite values (NaN, ±inf) are recorded but rank as the worst possible value, so a
diverged run is never "best" and is the first to be stopped.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable

from hypersweep._checks import describe
from hypersweep.errors import ConfigurationError, ConfigurationTypeError

__all__ = ["PrimaryMetricGoal"]


class PrimaryMetricGoal(enum.Enum):
    """Whether the primary metric is maximised or minimised (HyperDrive's names)."""

    MAXIMIZE = "MAXIMIZE"
    MINIMIZE = "MINIMIZE"

    @classmethod
    def parse(cls, value: object, field: str = "primary_metric_goal") -> PrimaryMetricGoal:
        """Accept the enum or its name in any case ('maximize', 'MINIMIZE')."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str) and value.strip().upper() in cls.__members__:
            return cls[value.strip().upper()]
        if isinstance(value, str):
            raise ConfigurationError(
                f"{field} must be PrimaryMetricGoal.MAXIMIZE or PrimaryMetricGoal.MINIMIZE "
                f"('maximize' or 'minimize'), got {value!r}")
        raise ConfigurationTypeError(
            f"{field} must be PrimaryMetricGoal.MAXIMIZE or PrimaryMetricGoal.MINIMIZE, "
            f"got {describe(value)}")

    @property
    def sign(self) -> float:
        """+1 when larger is better, -1 when smaller is better."""
        return 1.0 if self is PrimaryMetricGoal.MAXIMIZE else -1.0

    def score(self, value: float | None) -> float:
        """A goal-free score where larger is always better; non-finite → -inf."""
        if value is None or not math.isfinite(value):
            return -math.inf
        return self.sign * value

    def is_better(self, a: float, b: float) -> bool:
        """True when ``a`` is strictly better than ``b``."""
        return self.score(a) > self.score(b)

    def best(self, values: Iterable[float]) -> float | None:
        """The best finite value, or None when there is none."""
        finite = [v for v in values if v is not None and math.isfinite(v)]
        if not finite:
            return None
        return max(finite) if self is PrimaryMetricGoal.MAXIMIZE else min(finite)

    def best_so_far(self, values: Iterable[float]) -> float:
        """The best value of a non-empty series, counting non-finite ones as worst.

        Unlike :meth:`best` it never returns None: a series of only NaN yields the worst
        value (-inf when maximising, +inf when minimising), which compares as the worst.
        """
        best = self.best(values)
        if best is None:
            return -math.inf if self is PrimaryMetricGoal.MAXIMIZE else math.inf
        return best
