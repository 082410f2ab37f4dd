"""Grid sampling: the Cartesian product of ``choice`` values, last key varying fastest."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from hypersweep._checks import checked_arguments
from hypersweep.errors import SearchSpaceError
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.sampling._base import Observation, ParameterSampling
from hypersweep.space import ParameterExpression
from hypersweep.space._expressions import Choice

__all__ = ["GridParameterSampling"]


class GridParameterSampling(ParameterSampling):
    """Every combination of the ``choice`` values, in Cartesian order (last key fastest).

    Example: ``{"num_hidden_layers": choice(1, 2, 3), "batch_size": choice(16, 32)}``
    yields (1, 16), (1, 32), (2, 16), (2, 32), (3, 16), (3, 32).
    """

    sampling_name = "grid"
    uses_results = False
    _property_names = ()

    @checked_arguments
    def __init__(self, parameter_space: Mapping[str, Any],
                 properties: Mapping | None = None) -> None:
        super().__init__(parameter_space, properties, seed=0)
        for name, expr in self.space.items():
            if not isinstance(expr, Choice):
                raise SearchSpaceError(
                    f"parameter_space[{name!r}]: grid sampling supports only choice "
                    f"expressions, got {_kind(expr)}")

    @property
    def size(self) -> int:
        """Number of grid points."""
        return math.prod(len(e.values()) for e in self.space.values())

    def options(self) -> dict[str, Any]:
        return {}

    def points(self) -> Iterator[dict[str, Any]]:
        """All grid points in order, without building the whole product."""
        names = list(self.space)
        sizes = [len(self.space[n].values()) for n in names]
        for index in range(self.size):
            combo, rest = [], index
            for size in reversed(sizes):
                rest, digit = divmod(rest, size)
                combo.append(digit)
            combo.reverse()
            yield {n: self.space[n].values()[d] for n, d in zip(names, combo, strict=True)}

    def suggest(self, history: Sequence[Observation], n: int, *,
                goal: PrimaryMetricGoal = PrimaryMetricGoal.MAXIMIZE) -> list[dict[str, Any]]:
        # Points already run (resumed runs included) are skipped, as a multiset, so a
        # value listed twice in a choice still runs twice.
        seen = Counter(self.space.key(o.params) for o in history)
        out: list[dict[str, Any]] = []
        for point in self.points():
            if len(out) >= n:
                break
            key = self.space.key(point)
            if seen[key] > 0:
                seen[key] -= 1
                continue
            out.append(point)
        return out


def _kind(expr: ParameterExpression) -> str:
    return f"{expr!r}"
