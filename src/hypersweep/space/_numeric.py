"""Numeric expressions: uniform and normal variates, optionally exponentiated and/or
rounded to multiples of ``q`` (HyperDrive's ten distributions minus the finite ones).

Bounds follow HyperDrive exactly: ``loguniform(lo, hi)`` takes natural-log exponents, so
it draws values in [e**lo, e**hi]; q-values are rounded half to even and may fall just
outside the bounds.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
from scipy.special import ndtri

from hypersweep._checks import describe, is_number
from hypersweep.errors import ConfigurationTypeError, SearchSpaceError
from hypersweep.space._base import ParameterExpression

__all__ = ["LogNormal", "LogUniform", "Normal", "QLogNormal", "QLogUniform", "QNormal",
           "QUniform", "Uniform"]

_UNIT_EPS = 1e-12  # keeps the normal inverse CDF finite at u = 0 or 1

def _num(expr: str, field: str, value: Any) -> float:
    if not is_number(value):
        raise ConfigurationTypeError(f"{expr} {field} must be a number, got {describe(value)}")
    try:
        finite = math.isfinite(float(value))
    except OverflowError:  # an int beyond the float range
        finite = False
    if not finite:
        raise SearchSpaceError(f"{expr} {field} must be a finite number, got {describe(value)}")
    return value.item() if isinstance(value, np.generic) else value


def _whole(x: float) -> bool:
    return float(x).is_integer()


class _Numeric(ParameterExpression):
    """Shared machinery: a base variate (uniform or normal), optional exp, optional q."""

    __slots__ = ("_a", "_b", "_q")
    _base: ClassVar[str]  # "uniform" (a=lo, b=hi) or "normal" (a=mu, b=sigma)
    _log: ClassVar[bool] = False
    _quantized: ClassVar[bool] = False
    _arg_names: ClassVar[tuple[str, str]]

    def __init__(self, a: float, b: float, q: float | None = None) -> None:
        a = _num(self.name, self._arg_names[0], a)
        b = _num(self.name, self._arg_names[1], b)
        if self._base == "uniform":
            if self._log and a > b:
                raise SearchSpaceError(
                    f"{self.name} min_value must be <= max_value (natural-log exponents), "
                    f"got min_value={a!r}, max_value={b!r}")
            if not self._log and not a < b:
                raise SearchSpaceError(
                    f"{self.name} min_value must be < max_value, got min_value={a!r}, "
                    f"max_value={b!r}")
            if self._log and max(a, b) > 700:
                raise SearchSpaceError(
                    f"{self.name} bounds are natural-log exponents; exp({b!r}) overflows "
                    "(allowed: at most 700)")
            if not math.isfinite(float(b) - float(a)):
                raise SearchSpaceError(
                    f"{self.name} range max_value - min_value overflows, got "
                    f"min_value={a!r}, max_value={b!r}")
        elif b < 0:
            raise SearchSpaceError(f"{self.name} sigma must be >= 0, got {b!r}")
        elif self._log and a + 10 * b > 700:
            raise SearchSpaceError(
                f"{self.name} draws exp(N(mu, sigma)), which overflows beyond exp(709): "
                f"mu + 10·sigma must be at most 700, got mu={a!r}, sigma={b!r}")
        elif abs(a) + 10 * b > 1e300:
            raise SearchSpaceError(
                f"{self.name} |mu| + 10·sigma must be at most 1e300 (larger values "
                f"overflow), got mu={a!r}, sigma={b!r}")
        if self._quantized:
            q = _num(self.name, "q", q)
            if q <= 0:
                raise SearchSpaceError(f"{self.name} q must be a number > 0, got {q!r}")
        self._set(_a=a, _b=b, _q=q)

    @property
    def args(self) -> tuple[Any, ...]:
        return (self._a, self._b, self._q) if self._quantized else (self._a, self._b)

    @property
    def q(self) -> float | None:
        return self._q

    @property
    def yields_int(self) -> bool:
        """True when every value is whole and is rendered as an int (SPEC §1)."""
        if not self._quantized or not _whole(self._q):
            return False
        return self._base == "normal" or (_whole(self._a) and _whole(self._b))

    def _finish(self, base: np.ndarray) -> list[Any]:
        return self._quantize(np.exp(base) if self._log else base)

    def _quantize(self, x: np.ndarray) -> list[Any]:
        if not self._quantized:
            return [float(v) for v in x]
        k = np.round(x / self._q)  # numpy rounds half to even
        if self.yields_int:
            return [int(v) * int(self._q) for v in k]
        digits = _decimals(self._q)
        return [float(round(v * self._q, digits)) if digits is not None else float(v * self._q)
                for v in k]

    def from_unit(self, u) -> list[Any]:
        u = np.asarray(u, dtype=float)
        if self._base == "uniform":
            base = self._a + u * (self._b - self._a)
        else:
            base = self._a + self._b * ndtri(np.clip(u, _UNIT_EPS, 1 - _UNIT_EPS))
        return self._finish(base)

    _uses_unit = False

    def _draw(self, rng: np.random.Generator, n: int) -> list[Any]:
        if self._base == "uniform":
            base = rng.uniform(self._a, self._b, n)
        else:
            base = rng.normal(self._a, self._b, n)
        return self._finish(base)

    def contains(self, value: Any) -> bool:
        if not is_number(value) or not math.isfinite(float(value)):
            return False
        v = float(value)
        if self._quantized:
            k = v / self._q
            if not math.isclose(k, round(k), rel_tol=1e-9, abs_tol=1e-9):
                return False
            if self._base != "uniform":
                return True
            k_lo, k_hi = self._k_range()
            return (k_lo * self._q - 1e-9 * abs(v) - 1e-12 <= v
                    <= k_hi * self._q + 1e-9 * abs(v) + 1e-12)
        lo, hi = self._range()
        if lo is None:
            return not self._log or v > 0
        return lo - 1e-12 * abs(lo) <= v <= hi + 1e-12 * abs(hi)

    def _range(self) -> tuple[float | None, float | None]:
        """Bounds of the unquantised value, or (None, None) when unbounded."""
        if self._base != "uniform":
            return None, None
        if self._log:
            return math.exp(self._a), math.exp(self._b)
        return float(self._a), float(self._b)

    @property
    def is_discrete(self) -> bool:
        return self._quantized and self._base == "uniform"

    def _k_range(self) -> tuple[int, int]:
        """The multiples k of q that can be drawn: round(x / q) = k for x in a part of
        [lo, hi] of positive length. (A k reached only at an end point, such as 0 for
        quniform(16, 128, 32) at x = 16 exactly, has probability 0 and is left out.)"""
        lo, hi = self._range()
        assert lo is not None and hi is not None
        if lo == hi:  # a single point: qloguniform(a, a, q)
            k = int(np.round(lo / self._q))
            return k, k
        return math.floor(lo / self._q - 0.5) + 1, math.ceil(hi / self._q + 0.5) - 1

    @property
    def cardinality(self) -> float:
        if not self.is_discrete:
            return math.inf
        k_lo, k_hi = self._k_range()
        return k_hi - k_lo + 1

    def values(self) -> tuple[Any, ...]:
        if not self.is_discrete:
            return super().values()
        k_lo, k_hi = self._k_range()
        if k_hi - k_lo > 1_000_000:
            raise SearchSpaceError(f"{self!r} has more than a million values")
        return tuple(self._quantize(np.arange(k_lo, k_hi + 1, dtype=float) * self._q))


def _decimals(q: float) -> int | None:
    """Decimal places of q (0.05 → 2), so 3 · 0.1 prints 0.3; None if q has no short form."""
    exponent = Decimal(repr(float(q))).as_tuple().exponent
    if not isinstance(exponent, int):
        return None
    return max(0, -exponent) if -exponent <= 15 else None


class Uniform(_Numeric):
    """``uniform(min_value, max_value)``: a float uniform in [min_value, max_value]."""

    name, _base, _arg_names = "uniform", "uniform", ("min_value", "max_value")
    __slots__ = ()

    def __init__(self, min_value: float, max_value: float) -> None:
        super().__init__(min_value, max_value)


class QUniform(_Numeric):
    """``quniform(min_value, max_value, q)``: round(uniform(min, max) / q) · q."""

    name, _base, _quantized = "quniform", "uniform", True
    _arg_names = ("min_value", "max_value")
    __slots__ = ()

    def __init__(self, min_value: float, max_value: float, q: float) -> None:
        super().__init__(min_value, max_value, q)


class LogUniform(_Numeric):
    """``loguniform(min_value, max_value)``: exp(uniform(min, max)); bounds are ln-exponents."""

    name, _base, _log = "loguniform", "uniform", True
    _arg_names = ("min_value", "max_value")
    __slots__ = ()

    def __init__(self, min_value: float, max_value: float) -> None:
        super().__init__(min_value, max_value)


class QLogUniform(_Numeric):
    """``qloguniform(min_value, max_value, q)``: round(exp(uniform(min, max)) / q) · q."""

    name, _base, _log, _quantized = "qloguniform", "uniform", True, True
    _arg_names = ("min_value", "max_value")
    __slots__ = ()

    def __init__(self, min_value: float, max_value: float, q: float) -> None:
        super().__init__(min_value, max_value, q)


class Normal(_Numeric):
    """``normal(mu, sigma)``: a float drawn from N(mu, sigma²)."""

    name, _base, _arg_names = "normal", "normal", ("mu", "sigma")
    __slots__ = ()

    def __init__(self, mu: float, sigma: float) -> None:
        super().__init__(mu, sigma)


class QNormal(_Numeric):
    """``qnormal(mu, sigma, q)``: round(normal(mu, sigma) / q) · q."""

    name, _base, _quantized, _arg_names = "qnormal", "normal", True, ("mu", "sigma")
    __slots__ = ()

    def __init__(self, mu: float, sigma: float, q: float) -> None:
        super().__init__(mu, sigma, q)


class LogNormal(_Numeric):
    """``lognormal(mu, sigma)``: exp(normal(mu, sigma)), always > 0."""

    name, _base, _log, _arg_names = "lognormal", "normal", True, ("mu", "sigma")
    __slots__ = ()

    def __init__(self, mu: float, sigma: float) -> None:
        super().__init__(mu, sigma)


class QLogNormal(_Numeric):
    """``qlognormal(mu, sigma, q)``: round(exp(normal(mu, sigma)) / q) · q."""

    name, _base, _log, _quantized = "qlognormal", "normal", True, True
    _arg_names = ("mu", "sigma")
    __slots__ = ()

    def __init__(self, mu: float, sigma: float, q: float) -> None:
        super().__init__(mu, sigma, q)
