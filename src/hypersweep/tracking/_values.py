"""Checking what a training script logs, with errors that name the metric and the value."""

from __future__ import annotations

__all__ = ["MetricTypeError", "MetricValueError", "check_name", "scalar"]


class MetricTypeError(TypeError):
    """A logged value or name has a type that cannot be a metric."""


class MetricValueError(ValueError):
    """A logged value or name is of the right type but not allowed."""


def _show(value: object) -> str:
    text = repr(value)
    return (text[:60] + "...") if len(text) > 63 else text


def check_name(name: object, what: str = "metric name") -> str:
    if not isinstance(name, str):
        raise MetricTypeError(f"{what} must be a string, got {_show(name)} "
                              f"({type(name).__name__})")
    if not name or len(name) > 255:
        raise MetricValueError(f"{what} must be 1 to 255 characters, got {_show(name)}")
    return name


def scalar(name: str, value: object) -> float | int | str:
    """A loggable scalar: numbers (bool → 0/1, numpy/torch scalars via __float__), str."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return str(value)  # plain str, also for numpy.str_
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)  # plain float, also for numpy.float64
    if isinstance(value, list | tuple | dict | set | bytes) or value is None:
        raise MetricTypeError(
            f"metric {name!r}: log() takes one number or string, got {_show(value)} "
            f"({type(value).__name__}); use log_list() for a list, log_row() for a row")
    index = getattr(value, "__index__", None)  # numpy/torch integers stay integers
    if index is not None:
        try:
            return int(index())
        except (TypeError, ValueError):
            pass
    to_float = getattr(value, "__float__", None)
    if to_float is None:
        raise MetricTypeError(
            f"metric {name!r}: log() takes a number or a string, got {_show(value)} "
            f"({type(value).__name__})")
    try:
        result = float(value)
    except (TypeError, ValueError) as exc:  # e.g. a tensor with more than one element
        raise MetricTypeError(f"metric {name!r}: cannot convert {_show(value)} to a number: "
                              f"{exc}") from None
    return result
