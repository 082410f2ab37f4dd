"""A JSON encoder for channel records that avoids importing :mod:`json` (which pulls in
``re``, ``enum`` and ``collections``: about 10 ms of a training script's start-up).

Handles exactly what the client writes: str, int, float (NaN and ±Infinity as JSON's
usual non-standard tokens, as :mod:`json` writes them), bool, None, lists and
str-keyed dicts. The output parses with :func:`json.loads`.
"""

from __future__ import annotations

import math

try:
    from _json import encode_basestring_ascii as _quote
except ImportError:  # pragma: no cover - CPython always has _json
    from json.encoder import py_encode_basestring_ascii as _quote

__all__ = ["encode"]


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def encode(obj: object) -> str:
    """Compact JSON text of ``obj``."""
    if isinstance(obj, str):
        return _quote(obj)
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if isinstance(obj, int):
        return int.__repr__(obj)
    if isinstance(obj, float):
        return _number(obj)
    if isinstance(obj, list | tuple):
        return "[" + ",".join(encode(v) for v in obj) + "]"
    if isinstance(obj, dict):
        return "{" + ",".join(_quote(str(k)) + ":" + encode(v) for k, v in obj.items()) + "}"
    raise TypeError(f"cannot encode {type(obj).__name__}")
