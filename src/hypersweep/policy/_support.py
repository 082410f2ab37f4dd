"""Pieces shared by the built-in policies: call checks, scores, reference sets, numbers.

Everything here is pure. Scores follow :meth:`PrimaryMetricGoal.score`: larger is always
better and a non-finite value (NaN, ±inf) scores ``-inf``, the worst possible score, so
each rule can be written once for both goals.
"""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from hypersweep._checks import describe, is_int, is_number
from hypersweep.errors import ConfigurationError, ConfigurationTypeError
from hypersweep.goal import PrimaryMetricGoal

__all__ = [
    "best_score",
    "build",
    "check_keys",
    "exact",
    "exact_score",
    "mean_score",
    "median_score",
    "near",
    "others_reaching",
    "pair",
    "positive_number",
    "run_values",
    "show",
    "show_score",
    "whole_number",
]


def run_values(run_id: str, interval: int, table: Mapping[str, Sequence[float]]
               ) -> Sequence[float]:
    """The values of ``run_id`` (checked to hold at least ``interval`` of them)."""
    values = table.get(run_id)
    if values is None:
        raise ConfigurationError(f"run_id {run_id!r} is not in the metric table")
    if not is_int(interval) or not 1 <= interval <= len(values):
        raise ConfigurationError(
            f"interval must be an integer from 1 to the {len(values)} value(s) run "
            f"{run_id!r} logged, got {describe(interval)}")
    return values


def others_reaching(run_id: str, interval: int, table: Mapping[str, Sequence[float]]
                    ) -> list[str]:
    """Ids of the runs other than ``run_id`` that logged at least ``interval`` values."""
    return [other for other, values in table.items()
            if other != run_id and len(values) >= interval]


def best_score(goal: PrimaryMetricGoal, values: Iterable[float]) -> float:
    """Score of the best value in ``values`` (``-inf`` when none is finite)."""
    return max((goal.score(v) for v in values), default=-math.inf)


def mean_score(goal: PrimaryMetricGoal, values: Sequence[float]) -> float:
    """Score of the mean of ``values``; any non-finite value makes it the worst (``-inf``).

    The mean is computed with :func:`math.fsum` and clamped to the values' range, so the
    mean of identical values is that value exactly (0.1, 0.1, 0.1 averages to 0.1).
    Negating a score is exact, so the mean is taken of the values themselves and the
    goal's sign applied once (the same number as averaging the scores).
    """
    if not values or not all(map(math.isfinite, values)):
        return -math.inf
    try:
        total = math.fsum(values) / len(values)
    except OverflowError:  # finite values whose sum is not (near ±1.8e308): scaled by
        scale = 2.0 ** -len(values).bit_length()  # a power of two below 1/len: exact
        total = math.fsum(v * scale for v in values) / len(values) / scale
    mean = min(max(total, min(values)), max(values))
    return mean if goal is PrimaryMetricGoal.MAXIMIZE else -mean


def median_score(scores: Iterable[float]) -> float:
    """The median of scores, as :func:`statistics.median` takes it, without overflowing
    when two finite scores near ±1.8e308 are averaged."""
    ordered = sorted(scores)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    low, high = ordered[middle - 1], ordered[middle]
    median = (low + high) / 2
    if math.isinf(median) and math.isfinite(low) and math.isfinite(high):
        median = low / 2 + high / 2
    return median


def near(a: float, b: float) -> bool:
    """Whether two finite numbers are close enough for float rounding to decide their
    order (then a rule compares them exactly, see :func:`exact`)."""
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def exact(value: float) -> Fraction:
    """A finite number as written (its shortest decimal form) as an exact fraction.

    Thresholds are compared as the user computes them by hand: with slack_amount 0.1,
    B = 0.8 gives the threshold 0.7 and a run whose best is 0.7 lives, although
    ``0.8 - 0.1`` is 0.7000000000000001 in floating point.
    """
    return Fraction(repr(float(value)))


def exact_score(goal: PrimaryMetricGoal, value: float) -> Fraction:
    """:meth:`PrimaryMetricGoal.score` of a finite value, exactly (see :func:`exact`)."""
    return exact(value) if goal is PrimaryMetricGoal.MAXIMIZE else -exact(value)


def show(value: float, digits: int = 6) -> str:
    """A short printable number: ``0.8``, ``0.666667``, ``1e-05``."""
    return f"{value:.{digits}g}"


def show_score(goal: PrimaryMetricGoal, score: float, digits: int = 4) -> str:
    """A score printed back in the metric's own units; ``-inf`` reads ``non-finite``."""
    if not math.isfinite(score):
        return "non-finite"
    return show(goal.sign * score, digits)


def pair(a: float, b: float) -> tuple[str, str]:
    """Two compared numbers, with 4 significant digits or as many as needed to differ."""
    for digits in range(4, 18):
        left, right = show(a, digits), show(b, digits)
        if left != right or a == b:
            return left, right
    return repr(a), repr(b)


def positive_number(field: str, value: Any) -> float:
    """A finite number > 0 (bool refused), as a float."""
    if not is_number(value):
        raise ConfigurationTypeError(f"{field} must be a number > 0, got {describe(value)}")
    try:
        result = float(value)
    except OverflowError:  # an int beyond the float range
        result = math.inf
    if not math.isfinite(result) or result <= 0:
        raise ConfigurationError(f"{field} must be a finite number > 0, got {describe(value)}")
    return result


def whole_number(field: str, value: Any, low: int, high: int | None = None) -> int:
    """An int in ``low..high`` (a float with no fraction is accepted; bool is not)."""
    rule = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
    if is_number(value) and not is_int(value) and float(value).is_integer():
        value = int(value)
    if not is_int(value):
        raise ConfigurationTypeError(f"{field} must be {rule}, got {describe(value)}")
    if value < low or (high is not None and value > high):
        raise ConfigurationError(f"{field} must be {rule}, got {value}")
    return int(value)


def check_keys(where: str, keys: Iterable[Any], allowed: Sequence[str]) -> None:
    """Raise naming the nearest allowed key for the first key not in ``allowed``."""
    for key in keys:
        if not isinstance(key, str):
            raise ConfigurationTypeError(f"{where}: option names must be strings, "
                                         f"got {describe(key)}")
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1)
            if near:
                hint = f"did you mean {near[0]!r}?"
            else:
                hint = "allowed: " + ", ".join(allowed) if allowed else "it takes no options"
            raise ConfigurationError(f"{where}: unknown option {key!r}; {hint}")


def build(where: str, cls: type[Any], options: Mapping[str, Any]) -> Any:
    """``cls(**options)`` after checking the option names against its signature.

    Unknown names get the nearest valid one, and a missing required option is named, so
    a malformed mapping raises a configuration error rather than Python's ``TypeError``.
    """
    parameters = inspect.signature(cls).parameters
    check_keys(where, options, list(parameters))
    for name, parameter in parameters.items():
        if parameter.default is inspect.Parameter.empty and name not in options:
            raise ConfigurationError(f"{where}: {name} is required")
    return cls(**options)
