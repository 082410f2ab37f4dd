"""Finite expressions: ``choice`` (any listed values) and ``randint`` ([0, upper))."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hypersweep._checks import describe, is_int, is_number, process_text
from hypersweep.errors import ConfigurationTypeError, SearchSpaceError
from hypersweep.space._base import ParameterExpression

__all__ = ["Choice", "RandInt"]

_SCALARS = (str, int, float, bool, type(None))
_MAX_UPPER = 2**53


def _check_choice_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, tuple):
        return tuple(_check_choice_value(v) for v in value)
    if not isinstance(value, _SCALARS):
        raise ConfigurationTypeError(
            f"choice values must be str, int, float, bool, None or a tuple of those, "
            f"got {describe(value)}"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise SearchSpaceError(f"choice values must be finite numbers, got {value!r}")
    if isinstance(value, str):
        process_text("choice values", value, error=SearchSpaceError)
    if is_int(value) and value.bit_length() > 4000:  # over ~1200 digits: not printable
        raise SearchSpaceError(f"choice values: an integer of {value.bit_length()} bits "
                               "cannot be passed on a command line")
    return value


class Choice(ParameterExpression):
    """``choice(*values)``: one of the values, each equally likely."""

    name = "choice"
    __slots__ = ("_values",)

    def __init__(self, *values: Any) -> None:
        if len(values) == 1 and isinstance(values[0], (list, range, np.ndarray)):
            values = tuple(np.asarray(values[0]).tolist()) if isinstance(
                values[0], np.ndarray) else tuple(values[0])
            if not values:
                raise SearchSpaceError(
                    "choice values: the list or range is empty; give at least one value")
        elif any(isinstance(v, (list, range, np.ndarray)) for v in values):
            raise SearchSpaceError(
                "choice values: a list or range must be the only argument, got "
                f"{describe(values)}; write choice([1, 2]) or choice(1, 2)"
            )
        if not values:
            raise SearchSpaceError("choice values: give at least one value, got none")
        self._set(_values=tuple(_check_choice_value(v) for v in values))

    @property
    def args(self) -> tuple[Any, ...]:
        return self._values

    def to_json(self) -> list[Any]:
        return [self.name, [[list(v) if isinstance(v, tuple) else v for v in self._values]]]

    def __repr__(self) -> str:
        return f"choice({list(self._values)!r})"

    @property
    def is_discrete(self) -> bool:
        return True

    def values(self) -> tuple[Any, ...]:
        return self._values

    @property
    def cardinality(self) -> float:
        return len(self._values)

    def from_unit(self, u) -> list[Any]:
        k = len(self._values)
        idx = np.minimum(np.floor(np.asarray(u, dtype=float) * k).astype(int), k - 1)
        return [self._values[i] for i in idx]

    def contains(self, value: Any) -> bool:
        return any(_same(value, v) for v in self._values)


def _same(a: Any, b: Any) -> bool:
    return (type(a) is type(b) and a == b) or (
        is_number(a) and is_number(b) and not isinstance(a, bool) and a == b)


class RandInt(ParameterExpression):
    """``randint(upper)``: an integer drawn uniformly from [0, upper)."""

    name = "randint"
    __slots__ = ("_upper",)

    def __init__(self, upper: int) -> None:
        if not is_int(upper):
            raise ConfigurationTypeError(
                f"randint upper must be an integer > 0, got {describe(upper)}")
        if not 0 < upper <= _MAX_UPPER:  # above 2**53 draws through floats skip integers
            raise SearchSpaceError(
                f"randint upper must be an integer from 1 to 2**53 ({_MAX_UPPER}), got "
                f"{describe(upper)}")
        self._set(_upper=int(upper))

    @property
    def upper(self) -> int:
        return self._upper

    @property
    def args(self) -> tuple[Any, ...]:
        return (self._upper,)

    @property
    def is_discrete(self) -> bool:
        return True

    def values(self) -> tuple[Any, ...]:
        return tuple(range(self._upper))

    @property
    def cardinality(self) -> float:
        return self._upper

    def from_unit(self, u) -> list[Any]:
        idx = np.floor(np.asarray(u, dtype=float) * self._upper).astype(int)
        return [int(i) for i in np.minimum(idx, self._upper - 1)]

    def contains(self, value: Any) -> bool:
        return is_int(value) and 0 <= value < self._upper
