"""Reading expressions from data: HyperDrive's JSON form and Azure ML v2's dict form.

``["uniform", [0, 1]]`` and ``{"type": "uniform", "min_value": 0, "max_value": 1}`` both
become ``uniform(0, 1)``. Any malformed input raises a :class:`SearchSpaceError` (or its
type-error sibling) naming the parameter and what was expected, never a bare KeyError.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from hypersweep._checks import describe
from hypersweep.errors import ConfigurationTypeError, HypersweepError, SearchSpaceError
from hypersweep.space._expressions import _BY_NAME, Choice, ParameterExpression

__all__ = ["expression_from_data", "expression_from_json"]

# Azure ML v2 sweep-job keys for each distribution, in constructor order.
_V2_KEYS: dict[str, tuple[str, ...]] = {
    "choice": ("values",),
    "randint": ("upper",),
    "uniform": ("min_value", "max_value"),
    "quniform": ("min_value", "max_value", "q"),
    "loguniform": ("min_value", "max_value"),
    "qloguniform": ("min_value", "max_value", "q"),
    "normal": ("mu", "sigma"),
    "qnormal": ("mu", "sigma", "q"),
    "lognormal": ("mu", "sigma"),
    "qlognormal": ("mu", "sigma", "q"),
}


def _nearest(word: str, options) -> str:
    match = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _kind(where: str, kind: Any) -> type[ParameterExpression]:
    if not isinstance(kind, str) or kind.lower() not in _BY_NAME:
        hint = _nearest(kind.lower(), _BY_NAME) if isinstance(kind, str) else ""
        raise SearchSpaceError(
            f"{where}: unknown expression type {kind!r}{hint}; allowed: {', '.join(_BY_NAME)}")
    return _BY_NAME[kind.lower()]


def _build(where: str, cls: type[ParameterExpression], args: list[Any]) -> ParameterExpression:
    try:
        return cls(*args)
    except HypersweepError as exc:
        raise type(exc)(f"{where}: {exc}") from None
    except TypeError:
        raise ConfigurationTypeError(
            f"{where}: wrong number of arguments for {cls.name}: got {len(args)}, expected "
            f"{', '.join(_V2_KEYS[cls.name])}") from None


def expression_from_json(data: Any, where: str = "expression") -> ParameterExpression:
    """Build an expression from HyperDrive's JSON form ``[name, [args...]]``."""
    if not isinstance(data, (list, tuple)) or len(data) != 2:
        raise SearchSpaceError(
            f"{where}: expected [name, [arguments]] such as ['uniform', [0, 1]], "
            f"got {describe(data)}")
    cls = _kind(where, data[0])
    args = data[1]
    if not isinstance(args, (list, tuple)):
        raise SearchSpaceError(f"{where}: the arguments must be a list, got {describe(args)}")
    if cls is Choice:
        if len(args) != 1 or not isinstance(args[0], (list, tuple)):
            raise SearchSpaceError(
                f"{where}: choice takes a double list, e.g. ['choice', [[16, 32]]], "
                f"got {describe(list(data))}")
        values = [tuple(_tupled(v)) if isinstance(v, list) else v for v in args[0]]
        return _build(where, cls, [values])
    return _build(where, cls, list(args))


def _tupled(value: list[Any]) -> list[Any]:
    return [tuple(_tupled(v)) if isinstance(v, list) else v for v in value]


def _from_v2(data: Mapping[str, Any], where: str) -> ParameterExpression:
    if "type" not in data:
        raise SearchSpaceError(
            f"{where}: a dict expression needs 'type' (one of {', '.join(_V2_KEYS)}), "
            f"got keys {sorted(map(str, data))}")
    cls = _kind(where, data["type"])
    wanted = _V2_KEYS[cls.name]
    for key in data:
        if key != "type" and key not in wanted:
            raise SearchSpaceError(
                f"{where}: unknown key {key!r} for {cls.name}{_nearest(str(key), wanted)}; "
                f"allowed: {', '.join(wanted)}")
    missing = [k for k in wanted if k not in data]
    if missing:
        raise SearchSpaceError(f"{where}: {cls.name} needs {', '.join(missing)}")
    if cls is Choice:
        values = data["values"]
        if not isinstance(values, (list, tuple)):
            raise SearchSpaceError(f"{where}: choice values must be a list, got "
                                   f"{describe(values)}")
        return _build(where, cls, [[tuple(_tupled(v)) if isinstance(v, list) else v
                                    for v in values]])
    return _build(where, cls, [data[k] for k in wanted])


def expression_from_data(data: Any, where: str = "expression") -> ParameterExpression:
    """Accept an expression object, its JSON list form, or the Azure ML v2 dict form."""
    if isinstance(data, ParameterExpression):
        return data
    if isinstance(data, Mapping):
        return _from_v2(data, where)
    if isinstance(data, (list, tuple)):
        return expression_from_json(data, where)
    raise ConfigurationTypeError(
        f"{where}: expected a parameter expression such as uniform(0, 1) (or its JSON/dict "
        f"form), got {describe(data)}")
