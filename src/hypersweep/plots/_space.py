"""Figures over the search space: parallel coordinates and 2-D / 3-D scatter plots.

Hyperparameters are drawn on axes that match their expressions (``Axis.kind``): log
expressions on log axes, ``choice`` on categorical axes, the rest linear. The primary
metric is each run's best value and colours the points and lines (bright = good).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from hypersweep.errors import ConfigurationError
from hypersweep.plots._data import Axis, SweepData, label
from hypersweep.plots._style import axis, base_layout, esc, fmt, message_figure, num, round6

__all__ = ["METRIC", "NUMBER", "axis_options", "parallel_figure", "scatter3d_figure",
           "scatter_figure"]

METRIC = "@metric"   # pseudo-axis: the run's best primary value
NUMBER = "@number"   # pseudo-axis: the run number
# light (worse) to deep blue (better): every line stays visible on white, the best darkest
COLORSCALE = [[0.0, "#cfe1f2"], [0.35, "#93c4e6"], [0.7, "#3f8fd2"], [1.0, "#0b3b7a"]]


def axis_options(data: SweepData) -> list[dict[str, str]]:
    """What the scatter plots' axis pickers offer: each hyperparameter, then the metric
    and the run number."""
    out = [{"key": ax.name, "label": ax.name, "kind": ax.kind} for ax in data.axes]
    out.append({"key": METRIC, "label": f"best {data.metric}", "kind": "linear"})
    out.append({"key": NUMBER, "label": "run number", "kind": "linear"})
    return out


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Tick positions (log10 units) for a log axis from ``lo`` to ``hi``."""
    first, last = math.floor(lo), math.ceil(hi)
    ticks = [float(k) for k in range(first, last + 1) if lo - 1e-9 <= k <= hi + 1e-9]
    if len(ticks) < 2:
        ticks = sorted({math.log10(m) + k for k in range(first - 1, last + 1)
                        for m in (1, 2, 5) if lo - 1e-9 <= math.log10(m) + k <= hi + 1e-9})
    return ticks


def _padded(values: Sequence[float], pad: float = 0.04) -> list[float]:
    """The values' range widened a little, so lines at the extremes do not run along the
    chart's top and bottom edges."""
    lo, hi = min(values), max(values)
    span = hi - lo if hi > lo else (abs(hi) or 1.0)
    return [lo - pad * span, hi + pad * span]


def _dimension(ax: Axis, values: Sequence[float]) -> dict[str, Any]:
    name = esc(ax.name)
    if ax.kind == "categorical":
        k = len(ax.categories)
        return {"label": name, "values": list(values), "tickvals": list(range(k)),
                "ticktext": [esc(c) for c in ax.categories], "range": [-0.25, k - 0.75]}
    if ax.kind == "log":
        logs = [math.log10(v) for v in values]
        lo, hi = _padded(logs)
        ticks = _log_ticks(lo, hi)
        return {"label": f"{name} (log)", "values": [round6(v) for v in logs],
                "range": [lo, hi], "tickvals": ticks,
                "ticktext": [f"{10 ** t:.3g}" for t in ticks]}
    rounded = [round6(v) for v in values]
    return {"label": name, "values": rounded, "range": _padded(rounded)}


def _scored(data: SweepData) -> list[Mapping[str, Any]]:
    return [r for r in data.runs if num(r["primary_best"]) is not None]


def parallel_figure(data: SweepData) -> dict[str, Any]:
    """One axis per hyperparameter and a rightmost axis for the best metric; a line per
    run with a value, coloured by that value. Axes can be dragged and brushed."""
    title = "Parallel coordinates"
    runs = [r for r in _scored(data)
            if all(ax.position((r["params"] or {}).get(ax.name)) is not None for ax in data.axes)]
    if not runs:
        return message_figure(title, f"no run has a value of '{data.metric}' yet")
    dims = [_dimension(ax, [ax.position(r["params"][ax.name]) for r in runs])
            for ax in data.axes]
    best = [round6(r["primary_best"]) for r in runs]
    dims.append({"label": f"best {esc(data.metric)}", "values": best, "range": _padded(best)})
    trace = {"type": "parcoords", "dimensions": dims, "labelangle": 0, "labelside": "top",
             "line": {"color": best, "colorscale": COLORSCALE, "showscale": False,
                      "reversescale": not data.maximize},
             "labelfont": {"size": 12}, "tickfont": {"size": 11}}
    layout = base_layout(f"{title} ({len(runs)} runs)",
                         margin={"l": 70, "r": 70, "t": 90, "b": 30})
    return {"data": [trace], "layout": layout}


def _values(data: SweepData, key: str, runs: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The raw coordinate of each run on ``key`` (None where it has none)."""
    if key == METRIC:
        return [round6(num(r["primary_best"])) for r in runs]
    if key == NUMBER:
        return [r["number"] for r in runs]
    ax = data.axis(key)
    out: list[Any] = []
    for run in runs:
        value = (run["params"] or {}).get(key)
        if ax.position(value) is None:
            out.append(None)
        elif ax.kind == "categorical":
            out.append(esc(label(value)))
        else:
            out.append(round6(float(value)))
    return out


def _axis_layout(data: SweepData, key: str) -> dict[str, Any]:
    if key == METRIC:
        return axis(f"best {esc(data.metric)}")
    if key == NUMBER:
        return axis("run number")
    ax = data.axis(key)
    if ax.kind == "log":
        return axis(f"{esc(key)} (log)", type="log")
    if ax.kind == "categorical":
        return axis(esc(key), type="category", categoryorder="array",
                    categoryarray=[esc(c) for c in ax.categories])
    return axis(esc(key))


def _resolve_keys(data: SweepData, keys: Sequence[str]) -> list[str]:
    """The axes' keys as the sweep names them: ``--lr`` finds ``lr`` and the other way
    round (HyperDrive scripts write keys with dashes, the YAML without)."""
    allowed = [o["key"] for o in axis_options(data)]
    bare = {}
    for key in allowed:
        bare.setdefault(key.lstrip("-"), []).append(key)
    out = []
    for key in keys:
        if key not in allowed:
            matches = bare.get(key.lstrip("-"), []) if isinstance(key, str) else []
            if len(matches) != 1:
                raise ConfigurationError(
                    f"axis {key!r} is not a hyperparameter of sweep {data.id}; "
                    f"allowed: {', '.join(allowed)}")
            key = matches[0]
        out.append(key)
    return out


def _point_traces(data: SweepData, coords: dict[str, str], kind: str) -> list[dict[str, Any]]:
    """The runs as points (coloured by metric), the best run highlighted, and runs without
    a metric in grey (when the metric is not itself an axis)."""
    columns = {dim: _values(data, key, data.runs) for dim, key in coords.items()}
    best_row = data.best_run()
    pts: dict[str, list[Any]] = {"with": [], "without": [], "best": []}
    for i, run in enumerate(data.runs):
        if any(columns[dim][i] is None for dim in coords):
            continue
        group = "with" if num(run["primary_best"]) is not None else "without"
        pts[group].append(i)
        if best_row is not None and run["id"] == best_row["id"]:
            pts["best"].append(i)
    name = esc(data.metric)
    hover = "<br>".join(f"{esc(_short(data, key))}: %{{{dim}}}" for dim, key in coords.items())
    traces = []
    for group, style in (("with", {"size": 10 if kind == "scatter" else 5}),
                         ("without", {"size": 8 if kind == "scatter" else 4,
                                      "color": "#9ca3af"}),
                         ("best", {"size": 18 if kind == "scatter" else 9,
                                   "symbol": "star" if kind == "scatter" else "diamond",
                                   "color": "#f59e0b", "line": {"width": 1.5,
                                                                "color": "#111827"}})):
        idx = pts[group]
        if not idx:
            continue
        runs = [data.runs[i] for i in idx]
        marker = {"line": {"width": 1, "color": "#64748b"}, "opacity": 0.95, **style}
        if group == "with":
            marker.update(color=[round6(r["primary_best"]) for r in runs], colorscale=COLORSCALE,
                          reversescale=not data.maximize, showscale=True,
                          colorbar={"title": {"text": name}, "thickness": 14})
        trace = {"type": kind, "mode": "markers", "marker": marker,
                 "name": {"with": "runs", "without": "no metric yet", "best": "best run"}[group],
                 "customdata": [[r["id"], r["number"], fmt(r["primary_best"])] for r in runs],
                 "hovertemplate": f"run %{{customdata[1]}}<br>{hover}<br>best {name}: "
                                  "%{customdata[2]}<extra></extra>"}
        for dim in coords:
            trace[dim] = [columns[dim][i] for i in idx]
        traces.append(trace)
    return traces


def _short(data: SweepData, key: str) -> str:
    return {METRIC: f"best {data.metric}", NUMBER: "run"}.get(key, key)


def scatter_figure(data: SweepData, x: str | None = None, y: str | None = None
                   ) -> dict[str, Any]:
    """Runs as points on two chosen axes (default: the first hyperparameter against the
    metric), coloured by the best metric; the best run is a star."""
    x = x or (data.axes[0].name if data.axes else NUMBER)
    y = y or METRIC
    x, y = _resolve_keys(data, [x, y])
    traces = _point_traces(data, {"x": x, "y": y}, "scatter")
    title = f"{esc(_short(data, y))} vs {esc(_short(data, x))}"
    if not traces:
        return message_figure(title, "no run has values on these axes yet")
    layout = base_layout(title, xaxis=_axis_layout(data, x), yaxis=_axis_layout(data, y),
                         showlegend=False)
    return {"data": traces, "layout": layout}


def scatter3d_figure(data: SweepData, x: str | None = None, y: str | None = None,
                     z: str | None = None) -> dict[str, Any]:
    """Runs as points on three chosen axes (default: the first two hyperparameters and the
    metric), coloured by the best metric."""
    names = [ax.name for ax in data.axes]
    x = x or (names[0] if names else NUMBER)
    y = y or (names[1] if len(names) > 1 else NUMBER)
    z = z or METRIC
    x, y, z = _resolve_keys(data, [x, y, z])
    traces = _point_traces(data, {"x": x, "y": y, "z": z}, "scatter3d")
    title = f"{esc(_short(data, x))} × {esc(_short(data, y))} × {esc(_short(data, z))}"
    if not traces:
        return message_figure(title, "no run has values on these axes yet")
    scene = {f"{dim}axis": _axis_layout(data, key) for dim, key in
             (("x", x), ("y", y), ("z", z))}
    for spec in scene.values():
        del spec["automargin"]  # cartesian only
        spec["backgroundcolor"] = "#f9fafb"
        spec["showbackground"] = True
    layout = base_layout(title, scene=scene, showlegend=False,
                         margin={"l": 0, "r": 0, "t": 48, "b": 0})
    return {"data": traces, "layout": layout}
