"""Logged metrics shaped the way Azure ML's ``get_metrics()`` returns them: shared by a
child run read from the store and by the run a training script holds (standard library
only, so the tracking client stays light)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

__all__ = ["shape_metrics"]


def shape_metrics(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """name → value: a metric logged once is a scalar, more often a list (in log order);
    ``log_list`` gives a list, ``log_row``/``log_table`` a dict of column → list (a row
    adds one cell per column, a table its columns' cells). A name logged in both ways
    (a value and a row, say) is a list of what was logged, in order, each as logged."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["name"], []).append(row)
    out: dict[str, Any] = {}
    for name, items in grouped.items():
        items = sorted(items, key=lambda r: r["step"])
        kinds = {r["kind"] for r in items}
        values = [r["value"] for r in items]
        if kinds <= {"row", "table"}:  # columns accumulate
            columns: dict[str, list[Any]] = {}
            for item in items:
                for col, cell in (item["value"] or {}).items():
                    cells = cell if item["kind"] == "table" and isinstance(cell, list) \
                        else [cell]
                    columns.setdefault(col, []).extend(cells)
            out[name] = columns
        else:
            out[name] = values[0] if len(values) == 1 else values
    return out
