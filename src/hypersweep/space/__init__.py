"""Search spaces: the parameter expressions of HyperDrive and the space they form.

The lower-case functions are the public names (``from hypersweep import uniform``); each
returns an immutable :class:`ParameterExpression`.
"""

from __future__ import annotations

from typing import Any

from hypersweep.space._codec import expression_from_data, expression_from_json
from hypersweep.space._expressions import (
    Choice,
    LogNormal,
    LogUniform,
    Normal,
    ParameterExpression,
    QLogNormal,
    QLogUniform,
    QNormal,
    QUniform,
    RandInt,
    Uniform,
)
from hypersweep.space._space import SearchSpace, render_value

__all__ = [
    "ParameterExpression",
    "SearchSpace",
    "choice",
    "expression_from_data",
    "expression_from_json",
    "lognormal",
    "loguniform",
    "normal",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "render_value",
    "uniform",
]


def choice(*options: Any) -> Choice:
    """One of the given values, each equally likely: ``choice(16, 32)``, ``choice([16, 32])``
    or ``choice(range(1, 5))``. A tuple counts as one value."""
    return Choice(*options)


def randint(upper: int) -> RandInt:
    """An integer drawn uniformly from [0, upper)."""
    return RandInt(upper)


def uniform(min_value: float, max_value: float) -> Uniform:
    """A float drawn uniformly from [min_value, max_value]."""
    return Uniform(min_value, max_value)


def quniform(min_value: float, max_value: float, q: float) -> QUniform:
    """round(uniform(min_value, max_value) / q) · q; may fall just outside the bounds."""
    return QUniform(min_value, max_value, q)


def loguniform(min_value: float, max_value: float) -> LogUniform:
    """exp(uniform(min_value, max_value)): the bounds are natural-log exponents."""
    return LogUniform(min_value, max_value)


def qloguniform(min_value: float, max_value: float, q: float) -> QLogUniform:
    """round(exp(uniform(min_value, max_value)) / q) · q."""
    return QLogUniform(min_value, max_value, q)


def normal(mu: float, sigma: float) -> Normal:
    """A float drawn from the normal distribution N(mu, sigma²)."""
    return Normal(mu, sigma)


def qnormal(mu: float, sigma: float, q: float) -> QNormal:
    """round(normal(mu, sigma) / q) · q."""
    return QNormal(mu, sigma, q)


def lognormal(mu: float, sigma: float) -> LogNormal:
    """exp(normal(mu, sigma)): its logarithm is normally distributed."""
    return LogNormal(mu, sigma)


def qlognormal(mu: float, sigma: float, q: float) -> QLogNormal:
    """round(exp(normal(mu, sigma)) / q) · q."""
    return QLogNormal(mu, sigma, q)
