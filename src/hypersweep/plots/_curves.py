"""The metrics chart of a sweep (a line per run over intervals, or a scatter by run
number) and the per-metric charts of one run.

Large sweeps stay light: beyond ``MAX_LINE_RUNS`` runs the best runs keep their own lines
and the rest share one trace, and every curve is thinned to a point budget while
keeping each stretch's minimum and maximum, so spikes and dips survive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypersweep.plots._data import TOP_RUNS, SweepData, ranked
from hypersweep.plots._reads import Curve
from hypersweep.plots._style import (
    BEST_COLOR,
    PALETTE,
    axis,
    base_layout,
    bottom_legend,
    esc,
    message_figure,
    num,
    round6,
)

__all__ = ["metrics_figure", "run_metric_figures", "running_best", "series_xy", "thin"]

MAX_LINE_RUNS = 200   # runs drawn as their own trace; beyond, the best TOP_RUNS keep theirs
POINT_BUDGET = 40_000  # points in the whole metrics chart
RUN_POINTS = 2_000     # points per chart on a run's page


def running_best(values: Sequence[Any], maximize: bool) -> list[float | None]:
    """Best finite value so far at each position (None until the first finite one)."""
    out: list[float | None] = []
    best: float | None = None
    for value in values:
        v = num(value)
        if v is not None and (best is None or (v > best if maximize else v < best)):
            best = v
        out.append(best)
    return out


def thin(steps: Sequence[int], values: Sequence[Any], limit: int
         ) -> tuple[list[int], list[float | None]]:
    """(x, y) of a curve thinned to about ``limit`` points: the first and last point and
    each bucket's minimum and maximum are kept."""
    n = len(values)
    ys = [num(v) for v in values]
    if n <= limit:
        return list(steps), [round6(y) for y in ys]
    buckets = max(1, limit // 2)
    keep = {0, n - 1}
    for b in range(buckets):
        lo, hi = b * n // buckets, max((b + 1) * n // buckets, b * n // buckets + 1)
        seg = [i for i in range(lo, min(hi, n)) if ys[i] is not None]
        if seg:
            keep.add(min(seg, key=ys.__getitem__))
            keep.add(max(seg, key=ys.__getitem__))
    idx = sorted(keep)
    return [steps[i] for i in idx], [round6(ys[i]) for i in idx]


def series_xy(values: Sequence[Any], limit: int) -> tuple[list[int], list[float | None]]:
    """:func:`thin` for a plain series whose steps are 1..n."""
    return thin(range(1, len(values) + 1), values, limit)


def _best_trace(x: list[Any], y: list[float | None], shape: str) -> dict[str, Any]:
    return {"type": "scatter", "mode": "lines", "name": "best so far", "x": x, "y": y,
            "line": {"color": BEST_COLOR, "width": 2.5, "dash": "dash", "shape": shape},
            "hovertemplate": "best so far: %{y:.6g}<extra></extra>", "showlegend": True}


def _by_number(data: SweepData, curves: Mapping[str, Curve]) -> dict[str, Any]:
    """Every run logged at most once: a scatter by run number and a best-so-far step."""
    runs = [r for r in data.runs if r["id"] in curves]
    values = [curves[r["id"]][1][0] for r in runs]
    shown = [(r, num(v)) for r, v in zip(runs, values, strict=True) if num(v) is not None]
    name = esc(data.metric)
    points = {"type": "scatter", "mode": "markers", "name": "runs",
              "x": [r["number"] for r, _ in shown], "y": [round6(v) for _, v in shown],
              "customdata": [r["id"] for r, _ in shown],
              "marker": {"size": 9, "color": PALETTE[0], "line": {"width": 1, "color": "#fff"}},
              "hovertemplate": f"run %{{x}}<br>{name} %{{y:.6g}}<extra></extra>"}
    best = running_best(values, data.maximize)
    layout = base_layout(f"{name} by run", xaxis=axis("run number"), yaxis=axis(name),
                         legend=bottom_legend())
    layout["margin"] = {**layout["margin"], "b": 90}
    return {"data": [points, _best_trace([r["number"] for r in runs], best, "hv")],
            "layout": layout}


def _envelope(data: SweepData, curves: Mapping[str, Curve]) -> tuple[list[int], list[Any]]:
    """(steps, best value logged by any run at any interval up to that step): exact, from
    SQL when the curves are sampled, else from the curves."""
    at: dict[int, float] = dict(data.envelope or {})
    if data.envelope is None:
        better = max if data.maximize else min
        for steps, values in curves.values():
            for step, value in zip(steps, values, strict=True):
                v = num(value)
                if v is not None:
                    at[step] = v if step not in at else better(at[step], v)
    steps = sorted(at)
    return steps, running_best([at[s] for s in steps], data.maximize)


def _merged(runs: Sequence[Mapping[str, Any]], curves: Mapping[str, Curve], limit: int
            ) -> dict[str, Any]:
    """Many runs as one light trace (lines separated by gaps): one SVG path draws faster
    than thousands of traces, and needs no WebGL."""
    xs: list[Any] = []
    ys: list[Any] = []
    for run in runs:
        x, y = thin(*curves[run["id"]], limit)
        xs += [*x, None]
        ys += [*y, None]
    return {"type": "scatter", "mode": "lines", "name": f"{len(runs)} other runs",
            "x": xs, "y": ys, "hoverinfo": "skip", "opacity": 0.35,
            "line": {"color": "#9ca3af", "width": 1}}


def metrics_figure(data: SweepData) -> dict[str, Any]:
    """A line per run over intervals (the N-th logged value of the primary metric) plus the
    best-so-far line; when every run logged once, a scatter by run number instead.

    Beyond MAX_LINE_RUNS runs (or when the curves were sampled) the TOP_RUNS best runs keep
    their own lines and the others share one trace."""
    if data.series is None:
        raise ValueError("metrics_figure needs a SweepData loaded with series=True")
    curves = {rid: c for rid, c in data.series.items() if c[0]}
    name = esc(data.metric)
    if not curves:
        return message_figure(f"{name} over intervals",
                              f"no run has logged '{data.metric}' yet")
    if all((r["primary_count"] or 0) <= 1 for r in data.runs):
        return _by_number(data, curves)
    runs = [r for r in data.runs if r["id"] in curves]
    limit = max(4, POINT_BUDGET // len(runs))
    if len(runs) > MAX_LINE_RUNS or data.stride > 1:
        lines = ranked(runs, data.maximize)[:TOP_RUNS]
        chosen = {r["id"] for r in lines}
        rest = [r for r in runs if r["id"] not in chosen]
    else:
        lines, rest = runs, []
    traces = [_merged(rest, curves, limit)] if rest else []
    legend = len(lines) <= 10
    for run in sorted(lines, key=lambda r: r["number"]):
        x, y = thin(*curves[run["id"]], max(limit, RUN_POINTS // 4))
        traces.append({"type": "scatter", "mode": "lines+markers" if len(x) <= 30 else "lines",
                       "name": f"run {run['number']}", "x": x, "y": y, "meta": run["id"],
                       "showlegend": legend, "marker": {"size": 5},
                       "line": {"width": 1.6, "color": PALETTE[run["number"] % len(PALETTE)]},
                       "hovertemplate": f"run {run['number']}<br>interval %{{x}}<br>"
                                        f"{name} %{{y:.6g}}<extra></extra>"})
    steps, best = _envelope(data, curves)
    x, y = thin(steps, best, POINT_BUDGET // 4)
    traces.append(_best_trace(x, y, "hv"))
    layout = base_layout(f"{name} over intervals", xaxis=axis(f"interval (N-th {name} value)"),
                         yaxis=axis(name), legend={"orientation": "v"})
    return {"data": traces, "layout": layout}


def _numeric_columns(rows: Sequence[Mapping[str, Any]], kind: str) -> dict[str, list[Any]]:
    """Column → values of a ``row``/``table`` metric (all steps concatenated)."""
    columns: dict[str, list[Any]] = {}
    for value in (r["value"] for r in rows):
        for col, cell in (value or {}).items():
            cells = cell if kind == "table" and isinstance(cell, list) else [cell]
            columns.setdefault(str(col), []).extend(cells)
    return {c: v for c, v in columns.items() if any(num(x) is not None for x in v)}


def _line_figure(title: str, lines: Mapping[str, Sequence[Any]], xlabel: str
                 ) -> dict[str, Any]:
    traces = []
    for i, (name, values) in enumerate(lines.items()):
        x, y = series_xy(values, RUN_POINTS)
        traces.append({"type": "scatter", "mode": "lines+markers" if len(x) <= 50 else "lines",
                       "name": esc(name), "x": x, "y": y, "marker": {"size": 5},
                       "line": {"color": PALETTE[i % len(PALETTE)], "width": 1.8}})
    layout = base_layout(esc(title), xaxis=axis(xlabel), yaxis=axis(""),
                         showlegend=len(traces) > 1, height=300,
                         margin={"l": 55, "r": 15, "t": 44, "b": 44})
    return {"data": traces, "layout": layout}


def _scalar(value: Any) -> Any:
    """A value for JSON: finite numbers and strings as they are, NaN/inf as text."""
    if value is None or isinstance(value, str) or num(value) is not None:
        return value
    return str(value)


def run_metric_figures(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One run's metrics (store rows) as ``{"figures": [{name, figure}], "scalars":
    [{name, value}]}``: series become line charts, values logged once a list of scalars."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: (r["name"], r["step"])):
        grouped.setdefault(row["name"], []).append(row)
    figures: list[dict[str, Any]] = []
    scalars: list[dict[str, Any]] = []
    for name, items in grouped.items():
        kind = items[0]["kind"]
        if kind in ("row", "table"):
            columns = _numeric_columns(items, kind)
            if columns:
                figures.append({"name": name, "figure": _line_figure(name, columns, "row")})
            continue
        if kind == "list":
            values = items[-1]["value"] or []
            if any(num(v) is not None for v in values):
                figures.append({"name": name, "figure": _line_figure(
                    name, {name: values}, "index (last list logged)")})
            continue
        values = [r["value"] for r in items]
        if len(values) > 1 and any(num(v) is not None for v in values):
            figures.append({"name": name, "figure": _line_figure(name, {name: values},
                                                                 "step")})
        else:
            scalars.append({"name": name, "value": _scalar(values[-1])})
    return {"figures": figures, "scalars": scalars}
