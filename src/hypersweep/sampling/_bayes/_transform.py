"""The feature space the model works in, and the way back to parameter values.

Every hyperparameter becomes one or more feature columns in [0, 1]:

- numeric expressions use the inverse of their own ``from_unit`` map, so a feature is
  the quantile of the value under the expression's prior: uniform ones linearly, log
  ones in log space, normal ones through the normal CDF. Decoding is ``from_unit``
  itself, so quantised and integer values come back rounded exactly as the expression
  rounds them (and stay inside the space);
- ``randint(k)`` is ordinal: value i sits at the centre of its cell, (i + 0.5) / k;
- ``choice`` is one-hot (its columns share one length scale in the kernel, which makes
  the kernel depend only on whether two categories are equal);
- an expression with a single value (``choice(1)``, ``normal(mu, 0)``...) gets no column.

Why quantiles: the GP's length scales are then comparable across parameters, and a
uniform candidate in feature space is a draw from the user's prior.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.special import ndtr

from hypersweep.space import ParameterExpression, SearchSpace
from hypersweep.space._expressions import (
    Choice,
    LogNormal,
    LogUniform,
    QLogNormal,
    QLogUniform,
    RandInt,
)

__all__ = ["Encoder"]

_LOG_KINDS = (LogUniform, QLogUniform, LogNormal, QLogNormal)


@dataclasses.dataclass(frozen=True)
class _Param:
    """One hyperparameter's place in the feature vector."""

    name: str
    expr: ParameterExpression
    start: int
    width: int  # 0 = constant, 1 = numeric or ordinal, k = one-hot choice
    categorical: bool


class Encoder:
    """Maps parameter dicts of one search space to feature rows in [0, 1] and back."""

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        params, start = [], 0
        for name, expr in space.items():
            width, categorical = _width(expr)
            params.append(_Param(name, expr, start, width, categorical))
            start += width
        self.params: tuple[_Param, ...] = tuple(params)
        self.dim = start
        active = [p for p in self.params if p.width]
        self.n_groups = len(active)
        self.groups = np.array([g for g, p in enumerate(active) for _ in range(p.width)],
                               dtype=int)
        self.categorical = tuple((p.start, p.width) for p in active if p.categorical)
        self.categorical_groups = np.array([p.categorical for p in active], dtype=bool)
        self.numeric = np.array([p.start for p in active if not p.categorical], dtype=int)
        self._lookup = {p.name: _choice_lookup(p.expr) for p in active if p.categorical}

    # -- encoding ---------------------------------------------------------------------
    def encode_rows(self, params: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        """Feature rows of parameter sets, and a mask of those that lie inside the space.

        Numeric values beyond the bounds (e.g. from an earlier experiment's wider space)
        are clipped to the edge; unknown choice values, non-numbers where a number is
        expected and missing names leave the set outside (mask False, row meaningless).
        """
        rows = np.zeros((len(params), self.dim))
        inside = np.ones(len(params), dtype=bool)
        for p in self.params:
            values = [q.get(p.name, _MISSING) for q in params]
            inside &= np.array([v is not _MISSING for v in values], dtype=bool)
            if not p.width:
                continue
            if p.categorical:
                lookup = self._lookup[p.name]
                index = np.array([lookup.get(_choice_key(v), -1) for v in values], dtype=int)
                inside &= index >= 0
                known = np.flatnonzero(index >= 0)
                rows[known, p.start + index[known]] = 1.0
            else:
                unit = _to_unit(p.expr, np.array([_as_float(v) for v in values]))
                inside &= np.isfinite(unit)
                rows[:, p.start] = np.nan_to_num(unit)
        return rows, inside

    def encode(self, params: Mapping[str, Any]) -> np.ndarray | None:
        """The feature row of one parameter set, or None when it lies outside the space."""
        rows, inside = self.encode_rows([params])
        return rows[0] if inside[0] else None

    def encode_many(self, params: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Feature rows of many parameter sets (every one must be inside the space)."""
        rows, inside = self.encode_rows(params)
        if not inside.all():
            raise ValueError("a parameter set lies outside the search space")
        return rows

    # -- decoding ---------------------------------------------------------------------
    def decode(self, features: np.ndarray) -> list[dict[str, Any]]:
        """Parameter sets of feature rows (one-hot blocks by their largest entry)."""
        features = np.atleast_2d(features)
        columns: dict[str, list[Any]] = {}
        for p in self.params:
            columns[p.name] = self._decode_column(p, features)
        return [{name: columns[name][r] for name in columns} for r in range(len(features))]

    def _decode_column(self, p: _Param, features: np.ndarray) -> list[Any]:
        n = len(features)
        if not p.width:
            return _constant(p.expr) * n if n else []
        if p.categorical:
            index = np.argmax(features[:, p.start:p.start + p.width], axis=1)
            values = p.expr.values()
            return [values[i] for i in index]
        return p.expr.from_unit(np.clip(features[:, p.start], 0.0, 1.0))

    def snap(self, features: np.ndarray) -> np.ndarray:
        """Rows moved onto the values they decode to (rounding, one-hot argmax)."""
        return self.encode_many(self.decode(features))

    def grid(self) -> np.ndarray:
        """Every point of a fully discrete space as feature rows (last column fastest)."""
        axes = []
        for p in self.params:
            if p.categorical:
                axes.append(np.eye(p.width))
            elif p.width:
                units = _to_unit(p.expr, np.array(p.expr.values(), dtype=float))
                axes.append(np.unique(units[np.isfinite(units)])[:, None])
        grids = np.meshgrid(*[np.arange(len(a)) for a in axes], indexing="ij")
        index = np.stack([g.ravel() for g in grids], axis=1)
        return np.hstack([a[index[:, i]] for i, a in enumerate(axes)]).reshape(-1, self.dim)

    # -- sampling ---------------------------------------------------------------------
    def random(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` uniform feature rows with valid one-hot blocks."""
        rows = rng.random((n, self.dim))
        for start, width in self.categorical:
            rows[:, start:start + width] = np.eye(width)[rng.integers(width, size=n)]
        return rows

    def bounds(self, row: np.ndarray) -> list[tuple[float, float]]:
        """L-BFGS-B bounds that free the numeric columns and pin the one-hot ones."""
        out = [(0.0, 1.0)] * self.dim
        for start, width in self.categorical:
            for c in range(start, start + width):
                out[c] = (float(row[c]), float(row[c]))
        return out


def _width(expr: ParameterExpression) -> tuple[int, bool]:
    if isinstance(expr, Choice):
        k = len(expr.values())
        return (k if k > 1 else 0), k > 1
    if isinstance(expr, RandInt):
        return (1 if expr.upper > 1 else 0), False
    a, b = expr.args[0], expr.args[1]
    degenerate = b == 0 if _is_normal(expr) else a == b
    if not degenerate and expr.is_discrete and expr.cardinality <= 1:
        degenerate = True
    return (0 if degenerate else 1), False


def _is_normal(expr: ParameterExpression) -> bool:
    return expr.name in ("normal", "qnormal", "lognormal", "qlognormal")


def _constant(expr: ParameterExpression) -> list[Any]:
    if isinstance(expr, Choice):
        return [expr.values()[0]]
    return list(expr.from_unit([0.5]))


_MISSING = object()


def _choice_key(value: Any) -> Any:
    """A hashable key under which equal choice values meet (1 and 1.0, not True)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ("number", float(value))
    try:
        hash(value)
    except TypeError:
        return ("unhashable", id(value))
    return (type(value).__name__, value)


def _choice_lookup(expr: ParameterExpression) -> dict[Any, int]:
    lookup: dict[Any, int] = {}
    for i, value in enumerate(expr.values()):
        lookup.setdefault(_choice_key(value), i)
    return lookup


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or value is _MISSING:
        return math.nan
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan
    return x if math.isfinite(x) else math.nan


def _to_unit(expr: ParameterExpression, x: np.ndarray) -> np.ndarray:
    """Quantiles of numeric values under the expression (inverse of ``from_unit``).

    NaN marks an invalid value; everything else is clipped into [0, 1].
    """
    invalid = np.isnan(x)
    x = np.where(invalid, 0.0, x)
    if isinstance(expr, RandInt):
        unit = (np.round(x) + 0.5) / expr.upper
    else:
        if isinstance(expr, _LOG_KINDS):
            x = np.log(np.where(x > 0, x, 1.0)) - np.where(x > 0, 0.0, np.inf)
        a, b = float(expr.args[0]), float(expr.args[1])
        with np.errstate(invalid="ignore"):
            unit = ndtr((x - a) / b) if _is_normal(expr) else (x - a) / (b - a)
    return np.where(invalid, np.nan, np.clip(unit, 0.0, 1.0))
