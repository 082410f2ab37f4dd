"""Shaping stored metric rows the way HyperDrive's ``get_metrics()`` returns them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from hypersweep._shape import shape_metrics
from hypersweep.goal import PrimaryMetricGoal

__all__ = ["best_value", "shape_metrics"]


def best_value(values: Iterable[Any], goal: PrimaryMetricGoal) -> float | None:
    """A run's best primary value: max or min over its finite numeric values."""
    nums = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)
            and math.isfinite(v)]
    return goal.best(nums)
