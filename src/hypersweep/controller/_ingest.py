"""Turning metrics-channel bytes into stored rows: pure, so it is tested on its own.

Malformed lines (not JSON, not an object, unknown kind, wrong field types, over 1 MB) are
skipped and counted; every well-formed line before and after them is kept.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any

from hypersweep.execution import ATTEMPT_TAG
from hypersweep.policy import Series
from hypersweep.store import MetricRow, encode_value

__all__ = ["ChannelState", "parse_channel"]

MAX_LINE = 1024 * 1024
MAX_NAME = 255


@dataclasses.dataclass
class ChannelState:
    """What the controller knows of one run's channel."""

    offset: int = 0
    bad_lines: int = 0
    counts: dict[str, int] = dataclasses.field(default_factory=dict)   # name → last step
    primary: list[float] = dataclasses.field(default_factory=Series)   # primary values
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    attempt_start: int = 0  # index in ``primary`` where the current attempt's values begin
    first_time: float | None = None  # when the first record was logged (the script's clock)
    non_numeric: int = 0  # primary values that were not numbers (strings): NaN to policies

    @property
    def attempt_primary(self) -> list[float]:
        """The current attempt's primary values: what early termination judges. A retried
        run starts again from its first epoch, so its interval N is its N-th value since
        the retry; the lost attempt's values stay in ``primary`` (and in the store)."""
        start = self.attempt_start
        return self.primary[start:] if start else self.primary


_scan = json.JSONDecoder().scan_once  # json.loads without its per-call layers
_JSON_SPACE = " \t\n\r"
_NUMBER = (int, float)
_SCALAR = (int, float, str)


def _parse(line: str) -> Any:
    """``json.loads(line)``, or None for anything it would refuse (or a JSON ``null``,
    which is no record either). Called once per value logged: at 100,000 values a second
    the layers of ``json.loads`` (two regular-expression matches a call) cost a third of
    the controller's time."""
    text = line.strip(_JSON_SPACE)
    try:
        obj, end = _scan(text, 0)
    except (StopIteration, ValueError, RecursionError):
        return None
    return obj if end == len(text) else None


def _payload(obj: dict[str, Any]) -> tuple[str, str, Any] | None:
    """(kind, name, payload) of a well-formed record, else None."""
    kind, name = obj.get("kind"), obj.get("name")
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        return None
    if kind == "metric":
        payload = obj.get("value")
        valid = isinstance(payload, _SCALAR)
    elif kind == "list":
        payload = obj.get("values")
        valid = isinstance(payload, list)
    elif kind == "row" or kind == "table":
        payload = obj.get(kind)
        valid = isinstance(payload, dict)
    elif kind == "tag":
        payload = obj.get("value")
        valid = payload is None or isinstance(payload, _SCALAR)
    else:
        return None
    return (kind, name, payload) if valid else None


def parse_channel(run_id: str, data: bytes, state: ChannelState, primary_name: str,
                  now: float) -> tuple[list[MetricRow], int]:
    """Rows for the metrics table from complete channel lines; updates ``state``.

    Returns the rows and how many primary-metric values were added. Bytes that are not
    UTF-8 become U+FFFD, so a binary line fails to parse and is counted, never fatal.
    """
    rows: list[MetricRow] = []
    added = 0
    counts, primary = state.counts, state.primary
    for line in data.decode("utf-8", errors="replace").split("\n"):
        if not line or line.isspace():
            continue
        obj = _parse(line) if len(line) <= MAX_LINE else None
        parsed = _payload(obj) if type(obj) is dict else None
        when = obj.get("time") if parsed is not None else None
        if parsed is None or (when is not None and not isinstance(when, _NUMBER)):
            state.bad_lines += 1
            continue
        kind, name, payload = parsed
        when = float(when) if when is not None else now
        if kind == "tag":
            state.tags[name] = "" if payload is None else str(payload)
            if name == ATTEMPT_TAG:
                state.attempt_start = len(primary)
            continue
        if kind == "metric":
            if type(payload) is float and math.isfinite(payload):  # the usual case, inline
                value, text = payload, None
            else:
                value, text = encode_value(payload)
            as_json = None
        else:
            try:
                as_json = json.dumps(payload)
            except (RecursionError, ValueError):  # nested deeper than json can write back
                state.bad_lines += 1
                continue
            value = text = None
        step = counts.get(name, 0) + 1
        counts[name] = step
        rows.append(MetricRow(run_id, name, step, kind, value, text, as_json, when))
        if kind == "metric" and name == primary_name:
            primary.append(_as_float(payload))
            if not isinstance(payload, int | float):
                state.non_numeric += 1
            added += 1
    if rows and state.first_time is None:
        state.first_time = rows[0].time
    return rows, added


def _as_float(value: Any) -> float:
    """A primary value as a float; strings are not comparable and count as NaN."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:  # an int beyond any float: infinite, never best
            return math.inf if value > 0 else -math.inf
    return math.nan


def best_finite(values: list[float], maximize: bool) -> float | None:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return None
    return max(finite) if maximize else min(finite)


def summary(state: ChannelState, maximize: bool) -> Mapping[str, Any]:
    """Derived run columns kept in step with the metrics."""
    return {"channel_offset": state.offset, "bad_lines": state.bad_lines,
            "primary_count": len(state.primary),
            "primary_best": best_finite(state.primary, maximize),
            "primary_last": state.primary[-1] if state.primary and math.isfinite(
                state.primary[-1]) else None,
            "tags": dict(state.tags)}
