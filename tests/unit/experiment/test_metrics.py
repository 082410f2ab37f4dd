"""get_metrics() shapes: what the store holds, the way HyperDrive returns it."""

from __future__ import annotations

from hypersweep.experiment._metrics import shape_metrics


def rows(*logged):
    """Store rows for (name, kind, value) in log order."""
    steps: dict[str, int] = {}
    out = []
    for name, kind, value in logged:
        steps[name] = steps.get(name, 0) + 1
        out.append({"name": name, "kind": kind, "value": value, "step": steps[name]})
    return list(reversed(out))  # the store's order does not matter: steps do


def test_scalars_lists_rows_and_tables():
    assert shape_metrics(rows(("acc", "metric", 0.5))) == {"acc": 0.5}
    assert shape_metrics(rows(("acc", "metric", 0.5), ("acc", "metric", 0.7))) == \
        {"acc": [0.5, 0.7]}
    assert shape_metrics(rows(("l", "list", [1, 2]))) == {"l": [1, 2]}
    assert shape_metrics(rows(("r", "row", {"x": 1, "y": 2}), ("r", "row", {"x": 3}))) == \
        {"r": {"x": [1, 3], "y": [2]}}
    assert shape_metrics(rows(("t", "table", {"x": [1, 2]}), ("t", "table", {"x": [3]}))) == \
        {"t": {"x": [1, 2, 3]}}


def test_one_name_logged_in_different_ways_never_breaks_reading():
    # a row, then a plain value (used to raise AttributeError in every get_metrics())
    assert shape_metrics(rows(("m", "row", {"x": 1}), ("m", "metric", 2.0))) == \
        {"m": [{"x": 1}, 2.0]}
    assert shape_metrics(rows(("m", "metric", 2.0), ("m", "row", {"x": 1}))) == \
        {"m": [2.0, {"x": 1}]}
    assert shape_metrics(rows(("m", "table", {"x": [1]}), ("m", "metric", 2.0))) == \
        {"m": [{"x": [1]}, 2.0]}
    # a row and a table: columns accumulate, each record as its kind adds cells
    assert shape_metrics(rows(("m", "row", {"x": 1}), ("m", "table", {"x": [5, 6]}))) == \
        {"m": {"x": [1, 5, 6]}}
