"""What a training script may log, and errors that name the metric and the value.

The rules, applied the same way under a sweep and offline (so a script that runs alone
also runs under a sweep):

- a name is a non-empty ``str`` of at most 255 characters;
- a scalar is an ``int``, a ``float`` (NaN and ±inf included), a ``str``, or any object
  with ``__index__`` (kept as an integer: numpy and torch integers) or ``__float__``
  (numpy and torch floats, one-element tensors, ``Decimal``, ``Fraction``);
- ``bool`` (and numpy's ``bool_``) is logged as the integer 1 or 0, so a flag stays a
  number the controller can compare and plot;
- integers too large for a float are refused (the store compares values as floats);
- ``None``, lists, tuples, dicts, sets and bytes are refused by ``log()`` with a hint to
  the method that takes them.
"""

from __future__ import annotations

__all__ = ["MetricTypeError", "MetricValueError", "check_name", "scalar", "scalars"]

MAX_NAME = 255


class MetricTypeError(TypeError):
    """A logged name or value has a type that cannot be logged (e.g. a list to ``log``)."""


class MetricValueError(ValueError):
    """A logged name or value has the right type but breaks a rule (e.g. an empty name)."""


def show(value: object) -> str:
    """A short ``repr`` of ``value`` for error messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_name(name: object, what: str = "metric name") -> str:
    """``name`` if it is a non-empty ``str`` of at most 255 characters."""
    if not isinstance(name, str):
        raise MetricTypeError(f"{what} must be a str, got {show(name)} "
                              f"({type(name).__name__})")
    if not name or len(name) > MAX_NAME:
        raise MetricValueError(f"{what} must be 1 to {MAX_NAME} characters long, got "
                               f"{show(name)} ({len(name)} characters)")
    return str(name)


_CONTAINERS = (list, tuple, dict, set, frozenset, bytes, bytearray)


def scalar(name: str, value: object, hint: bool = True) -> int | float | str:
    """``value`` as a plain ``int``, ``float`` or ``str`` for metric ``name`` (``hint``:
    name the methods that take lists and columns in the error)."""
    if value is True or value is False:
        return int(value)
    if isinstance(value, str):
        return str(value)  # a plain str, also for numpy.str_
    if isinstance(value, float):
        return float(value)  # a plain float, also for numpy.float64
    if isinstance(value, int):
        return _integer(name, int(value))
    if value is None or isinstance(value, _CONTAINERS):
        raise MetricTypeError(
            f"metric {name!r}: expected one number or string, got {show(value)} "
            f"({type(value).__name__})" + ("; use log_list() for a list of values, "
                                           "log_row() or log_table() for columns" if hint
                                           else ""))
    return _from_protocol(name, value)


def _from_protocol(name: str, value: object) -> int | float:
    """Scalars of other libraries, through ``__index__`` or ``__float__``."""
    if getattr(getattr(value, "dtype", None), "kind", None) == "b":  # numpy.bool_
        return 1 if value else 0
    index = getattr(value, "__index__", None)
    if index is not None:
        try:
            return _integer(name, int(index()))
        except (TypeError, ValueError):
            pass  # e.g. a float tensor: has __index__ but refuses it
    if getattr(value, "__float__", None) is None:
        raise MetricTypeError(f"metric {name!r}: expected a number or a string, got "
                              f"{show(value)} ({type(value).__name__})")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError) as exc:  # e.g. a multi-element tensor
        raise MetricTypeError(f"metric {name!r}: cannot use {show(value)} "
                              f"({type(value).__name__}) as a number: {exc}") from None


def _integer(name: str, value: int) -> int:
    if value.bit_length() > 1000:  # float() would overflow when the controller compares
        raise MetricValueError(f"metric {name!r}: integer {show(value)} is too large for a "
                               f"metric (at most about 1e300)")
    return value


def scalars(name: str, values: object, what: str = "log_list()") -> list[int | float | str]:
    """The items of an iterable (list, tuple, range, numpy array, ...) as scalars."""
    if isinstance(values, str | bytes | bytearray | dict) or getattr(values, "keys", None):
        raise MetricTypeError(f"metric {name!r}: {what} takes a list of values, got "
                              f"{show(values)} ({type(values).__name__})")
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError:
        raise MetricTypeError(f"metric {name!r}: {what} takes a list of values, got "
                              f"{show(values)} ({type(values).__name__})") from None
    return [scalar(f"{name}[{i}]", item, hint=False) for i, item in enumerate(items)]
