"""Encoding metric values into columns and back (NaN and strings included)."""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["decode_value", "encode_value"]

_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def encode_value(value: Any) -> tuple[float | None, str | None]:
    """(value, value_text) columns for a scalar metric value."""
    if isinstance(value, bool):
        return float(value), None
    if isinstance(value, int):  # kept an int when read back (``value`` serves the queries)
        try:
            return float(value), "i:" + str(value)
        except OverflowError:  # beyond a float: kept exactly, not a number to queries
            return None, "i:" + str(value)
    if isinstance(value, float):
        value = float(value)
        if math.isfinite(value):
            return value, None
        return None, "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return None, "s:" + str(value)


def decode_value(value: float | None, text: str | None, value_json: str | None) -> Any:
    """The logged value from its columns."""
    if value_json is not None:
        return json.loads(value_json)
    if text is not None and text.startswith("i:"):
        return int(text[2:])
    if value is not None:
        return value
    if text is None:
        return None
    if text.startswith("s:"):
        return text[2:]
    return _SPECIAL.get(text, text)
