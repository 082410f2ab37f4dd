"""The parameter-expression base class: an immutable, validated distribution.

Each expression validates its arguments when built, draws values from a caller's
``numpy.random.Generator``, maps points of the unit interval through its inverse CDF (for
Sobol sampling), and describes itself in HyperDrive's JSON form (``["uniform", [lo, hi]]``).
"""


from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from hypersweep.errors import SearchSpaceError

__all__ = ["ParameterExpression"]

_UNIT_EPS = 1e-12  # keeps the normal inverse CDF finite at u = 0 or 1


class ParameterExpression:
    """Base of all expressions: a named distribution with validated, immutable arguments."""

    name: ClassVar[str]
    __slots__ = ()

    @property
    def args(self) -> tuple[Any, ...]:
        """The arguments in HyperDrive's order (for ``choice``: the tuple of values)."""
        raise NotImplementedError

    def to_json(self) -> list[Any]:
        """HyperDrive's JSON form, e.g. ``["uniform", [0.0, 1.0]]``."""
        return [self.name, list(self.args)]

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        """Draw one value (``size=None``) or a list of ``size`` values."""
        n = 1 if size is None else size
        values = self.from_unit(rng.random(n)) if self._uses_unit else self._draw(rng, n)
        return values[0] if size is None else values

    def from_unit(self, u: Sequence[float] | np.ndarray) -> list[Any]:
        """Map points of [0, 1) to values through the inverse CDF (used by Sobol)."""
        raise NotImplementedError

    def contains(self, value: Any) -> bool:
        """True if ``value`` could have been drawn from this expression."""
        raise NotImplementedError

    @property
    def is_discrete(self) -> bool:
        """True when the expression has finitely many values."""
        return False

    def values(self) -> tuple[Any, ...]:
        """All values of a finite expression, in order (an error for infinite ones)."""
        raise SearchSpaceError(f"{self!r} has no finite list of values")

    @property
    def cardinality(self) -> float:
        """How many distinct values the expression has (``math.inf`` when continuous)."""
        return math.inf

    # -- internals -----------------------------------------------------------------
    _uses_unit: ClassVar[bool] = True

    def _draw(self, rng: np.random.Generator, n: int) -> list[Any]:
        raise NotImplementedError

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _set(self, **fields: Any) -> None:
        for key, value in fields.items():
            object.__setattr__(self, key, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParameterExpression):
            return NotImplemented
        return self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(repr(self.to_json()))

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(repr(a) for a in self.args)})"

    def __reduce__(self):
        return (type(self), tuple(self.args))
