"""Shared looks and value hygiene for every figure: one palette, one base layout, and the
helpers that keep figure dicts valid JSON and user text inert.

Figures are plain dicts (Plotly's JSON schema) so the dashboard can send them to the
browser as they are and notebooks can wrap them in ``plotly.graph_objects.Figure``. No
template is set: both render with Plotly.js defaults plus the layout below, so a chart
looks the same in the dashboard and in a notebook.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["BEST_COLOR", "PALETTE", "axis", "base_layout", "bottom_legend", "esc", "fmt",
           "message_figure", "num", "round6"]

PALETTE = ("#3b6fd8", "#e4572e", "#29a36a", "#9c5fd3", "#f0a202", "#17a2b8", "#d6336c",
           "#6c757d", "#8c6d31", "#2f4858")
BEST_COLOR = "#111827"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"


def num(value: Any) -> float | None:
    """A finite float, or None for anything else (NaN, inf, strings, None, bools)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def round6(value: float | None) -> float | None:
    """``value`` to 6 significant digits: the chart cannot show more, and the JSON shrinks."""
    if value is None or value == 0:
        return value
    return float(f"{value:.6g}")


def esc(text: Any) -> str:
    """Text for a Plotly label, hover text or tick: ``<``, ``>`` and ``&`` as entities.

    Plotly renders a subset of HTML in labels; escaping makes a hyperparameter value or a
    metric name such as ``<img src=x onerror=alert(1)>`` show as the text it is.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fmt(value: Any) -> str:
    """Short human text of a number or value (6 significant digits for floats)."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def base_layout(title: str, **extra: Any) -> dict[str, Any]:
    """The layout every figure starts from; ``uirevision`` keeps zoom, brushing and legend
    choices while live updates replace the data."""
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        "font": {"family": FONT, "size": 12, "color": "#1f2937"},
        "margin": {"l": 60, "r": 20, "t": 48, "b": 50},
        "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
        "colorway": list(PALETTE), "hovermode": "closest", "uirevision": "keep",
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def bottom_legend() -> dict[str, Any]:
    """A horizontal legend under the x-axis title, clear of the chart's title."""
    return {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.3, "yanchor": "top"}


def axis(title: str, **extra: Any) -> dict[str, Any]:
    """A cartesian axis with light grid lines."""
    out = {"title": {"text": title}, "gridcolor": "#e5e7eb", "zerolinecolor": "#d1d5db",
           "linecolor": "#9ca3af", "automargin": True}
    out.update(extra)
    return out


def message_figure(title: str, message: str) -> dict[str, Any]:
    """An empty chart that says why it is empty (no data yet, not enough runs...)."""
    layout = base_layout(title)
    layout["xaxis"] = {"visible": False}
    layout["yaxis"] = {"visible": False}
    layout["annotations"] = [{"text": esc(message), "showarrow": False, "x": 0.5, "y": 0.5,
                              "xref": "paper", "yref": "paper",
                              "font": {"size": 14, "color": "#6b7280"}}]
    return {"data": [], "layout": layout}
