"""Bar charts of the analysis results: hyperparameter importance and compute saved."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from hypersweep.plots._style import (
    PALETTE,
    axis,
    base_layout,
    bottom_legend,
    esc,
    message_figure,
)

__all__ = ["importance_figure", "savings_figure"]


def importance_figure(result: Mapping[str, Any], metric: str) -> dict[str, Any]:
    """Horizontal bars, most important on top: each hyperparameter's main-effect share of
    the variance of the runs' ranked best ``metric`` values."""
    title = "Hyperparameter importance"
    if not result["params"]:
        return message_figure(title, result["message"] or "not enough runs yet")
    params = list(reversed(result["params"]))
    pct = [round(100 * p["importance"], 2) for p in params]
    trace = {"type": "bar", "orientation": "h", "y": [esc(p["name"]) for p in params],
             "x": pct, "text": [f"{v:.1f}%" for v in pct], "textposition": "auto",
             "marker": {"color": PALETTE[0]}, "name": "importance",
             "hovertemplate": "%{y}: %{x:.1f}% of the variance<extra></extra>"}
    layout = base_layout(f"{title} ({result['n']} runs)",
                         xaxis=axis(f"share of variance of ranked best {esc(metric)} (%)",
                                    range=[0, max(100.0, *pct)]),
                         yaxis=axis("", type="category"), showlegend=False,
                         height=max(260, 90 + 34 * len(params)))
    return {"data": [trace], "layout": layout}


MAX_BARS = 200


def _groups(runs: Sequence[Mapping[str, Any]]) -> list[Sequence[Mapping[str, Any]]]:
    """Runs in groups of consecutive numbers, at most MAX_BARS groups (one run each when
    they fit), so thousands of runs stay a readable, light chart."""
    size = max(1, math.ceil(len(runs) / MAX_BARS))
    return [runs[i:i + size] for i in range(0, len(runs), size)]


def savings_figure(result: Mapping[str, Any]) -> dict[str, Any]:
    """Stacked bars per run (per group of runs beyond 200): intervals run, and intervals
    the policy saved."""
    title = "Compute saved by early termination"
    if result["policy"] == "none":
        return message_figure(title, "no early-termination policy: every run goes to the end")
    runs = result["runs"]
    if not runs:
        return message_figure(title, "no runs yet")
    groups = _groups(runs)
    names = [f"run {g[0]['number']}" if len(g) == 1 else
             f"runs {g[0]['number']}–{g[-1]['number']}" for g in groups]
    common: dict[str, Any] = {"type": "bar", "x": [g[0]["number"] for g in groups],
                              "customdata": names}
    if len(groups) < len(runs):  # a bar spans its group's run numbers
        common.update(width=[0.9 * len(g) for g in groups], offset=0)
    used = {**common, "name": "intervals run", "y": [sum(r["used"] for r in g) for g in groups],
            "marker": {"color": PALETTE[0]},
            "hovertemplate": "%{customdata}: %{y} intervals run<extra></extra>"}
    saved = {**common, "name": "saved (stopped early)",
             "y": [sum(r["saved"] for r in g) for g in groups], "marker": {"color": "#a7f3d0"},
             "hovertemplate": "%{customdata}: %{y} intervals saved<extra></extra>"}
    pct = 100 * result["fraction"]
    head = (f"{title}: {pct:.0f}% ({result['saved']} of {result['budget']} intervals, "
            f"{result['stopped_runs']} runs stopped)")
    layout = base_layout(head, barmode="stack",
                         xaxis=axis("run number"), yaxis=axis("intervals"),
                         legend=bottom_legend(), margin={"l": 55, "r": 15, "t": 48, "b": 90})
    return {"data": [used, saved], "layout": layout}
