"""Plain-text tables and value formatting for the terminal."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from typing import Any

__all__ = ["duration", "fmt", "table", "when"]


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:.6g}"
    return str(value)


def when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return _dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def duration(start: float | None, end: float | None, now: float) -> str:
    if start is None:
        return "-"
    seconds = (end or now) - start
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 48,
          *, last_whole: bool = False) -> str:
    """Left-aligned columns separated by two spaces, cells cut at ``max_width`` (except
    the last column's with ``last_whole``: nothing follows it to misalign)."""
    last = len(headers) - 1
    cells = [[_cut(fmt(c) if not isinstance(c, str) else c,
                   10**6 if last_whole and i == last else max_width)
              for i, c in enumerate(row)] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
              for row in cells]
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[:width - 1] + "…"
