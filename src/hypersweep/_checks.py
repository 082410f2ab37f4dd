"""Small argument checks shared by constructors: each raises with field, value and rule."""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import numbers
import os
from collections.abc import Callable
from typing import Any

from hypersweep.errors import ConfigurationError, ConfigurationTypeError


def describe(value: Any) -> str:
    """Short printable form of a received value for error messages (never raises: an int
    too long for ``repr`` or an object whose ``__repr__`` fails is still described)."""
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def is_number(value: Any) -> bool:
    """True for real numbers, excluding bool (True is not a learning rate)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_int(value: Any) -> bool:
    """True for integers, excluding bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def number(field: str, value: Any, *, finite: bool = True, error=ConfigurationError) -> float:
    """Return ``value`` as a float, or raise naming ``field``."""
    if not is_number(value):
        raise ConfigurationTypeError(f"{field} must be a number, got {describe(value)}")
    try:
        result = float(value)
    except OverflowError:  # an int beyond the float range
        raise error(f"{field} must be a finite number, got {describe(value)}") from None
    if finite and not math.isfinite(result):
        raise error(f"{field} must be a finite number, got {describe(value)}")
    return result


def integer(field: str, value: Any, *, minimum: int | None = None,
            maximum: int | None = None, error=ConfigurationError) -> int:
    """Return ``value`` as an int within [minimum, maximum], or raise naming ``field``."""
    if not is_int(value):
        if is_number(value) and float(value).is_integer():
            value = int(value)
        else:
            rule = "an integer"
            if minimum is not None:
                rule += f" >= {minimum}"
            raise ConfigurationTypeError(f"{field} must be {rule}, got {describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise error(f"{field} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise error(f"{field} must be an integer <= {maximum}, got {value}")
    return value


def text(field: str, value: Any, *, allow_empty: bool = False) -> str:
    """Return ``value`` if it is a (non-empty) string, or raise naming ``field``."""
    if not isinstance(value, str):
        raise ConfigurationTypeError(f"{field} must be a string, got {describe(value)}")
    if not allow_empty and not value.strip():
        raise ConfigurationError(f"{field} must be a non-empty string, got {value!r}")
    return value


def process_text(field: str, value: str, *, error=ConfigurationError) -> str:
    """``value`` if a process can receive it as an argument or environment value: no NUL
    character, and encodable (no lone surrogate). Checked when configured, so a bad value
    is an error at once rather than a failed launch of every trial."""
    if "\x00" in value:
        raise error(f"{field} cannot contain a NUL character (\\x00): a process cannot "
                    f"receive it; got {describe(value)}")
    try:
        os.fsencode(value)
    except UnicodeEncodeError:
        raise error(f"{field} is not encodable text (it holds a lone surrogate); got "
                    f"{describe(value)}") from None
    return value


def checked_arguments(init: Callable[..., None]) -> Callable[..., None]:
    """Decorate a public ``__init__`` so that a misspelt, missing or extra argument raises
    :class:`ConfigurationTypeError` naming it, the nearest valid name and what is allowed
    (still a ``TypeError``), instead of Python's bare message: a HyperDrive user moving
    code over meets ``max_total_run=`` or ``slack_factr=`` before anything runs."""
    signature = inspect.signature(init)
    owner = init.__qualname__.split(".")[0]
    public = [name for name, p in signature.parameters.items()
              if name != "self" and not name.startswith("_")
              and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())

    @functools.wraps(init)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            signature.bind(self, *args, **kwargs)
        except TypeError as exc:
            raise ConfigurationTypeError(_argument_problem(owner, exc, kwargs, public,
                                                           signature, takes_any)) from None
        init(self, *args, **kwargs)

    return wrapper


def _argument_problem(owner: str, exc: TypeError, kwargs: dict[str, Any], public: list[str],
                      signature: inspect.Signature, takes_any: bool) -> str:
    unknown = [k for k in kwargs if k not in signature.parameters] if not takes_any else []
    if unknown:
        near = difflib.get_close_matches(unknown[0], public, n=1)
        hint = f"did you mean {near[0]!r}?" if near else "allowed: " + ", ".join(public)
        return f"{owner}: unknown argument {unknown[0]!r}; {hint}"
    missing = [name for name, p in signature.parameters.items()
               if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
               and name != "self" and name not in kwargs]
    if missing and "missing" in str(exc):
        return f"{owner}: {missing[-1]} is required (arguments: {', '.join(public)})"
    return f"{owner}: {exc} (arguments: {', '.join(public)})"
