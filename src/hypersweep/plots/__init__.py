"""Plotly figures of a sweep, for notebooks and reports — the same figures the dashboard
shows, built by the same code.

Each builder in the private modules returns a plain figure dict (Plotly's JSON schema);
the dashboard sends those dicts to the browser, and the functions here wrap them in
``plotly.graph_objects.Figure`` (``pip install 'hypersweep[notebook]'`` for plotly).

Example::

    from hypersweep import plot_metrics, plot_parallel_coordinates
    plot_metrics(hyperdrive_run).show()
    plot_parallel_coordinates(hyperdrive_run).write_html("sweep.html")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypersweep.plots._analysis import compute_saved, importance
from hypersweep.plots._curves import metrics_figure
from hypersweep.plots._data import SweepData, load_sweep, sweep_data
from hypersweep.plots._space import parallel_figure, scatter3d_figure, scatter_figure
from hypersweep.plots._summary import importance_figure, savings_figure

__all__ = [
    "SweepData",
    "compute_saved",
    "importance",
    "load_sweep",
    "plot_compute_saved",
    "plot_importance",
    "plot_metrics",
    "plot_parallel_coordinates",
    "plot_scatter",
    "plot_scatter3d",
    "to_figure",
]


def to_figure(figure: Mapping[str, Any]) -> Any:
    """A figure dict as a ``plotly.graph_objects.Figure`` rendered exactly as in the
    dashboard (Plotly.js defaults: no plotly.py template)."""
    try:
        import plotly.graph_objects as go
    except ImportError:  # pragma: no cover - depends on the environment
        from hypersweep.errors import HypersweepError

        raise HypersweepError("plots need plotly: pip install 'hypersweep[notebook]'") from None
    fig = go.Figure(dict(figure))
    fig.update_layout(template="none")
    return fig


def plot_metrics(run: Any) -> Any:
    """The primary metric of every run over its intervals, with the best-so-far line (a
    scatter by run number when each run logged it once). ``run``: a HyperDriveRun."""
    return to_figure(metrics_figure(sweep_data(run, series=True)))


def plot_parallel_coordinates(run: Any) -> Any:
    """A line per run across one axis per hyperparameter (log axes for log expressions,
    categorical for ``choice``) and a rightmost best-metric axis."""
    return to_figure(parallel_figure(sweep_data(run, series=False)))


def plot_scatter(run: Any, x: str | None = None, y: str | None = None) -> Any:
    """Runs on two axes — hyperparameter names, ``"@metric"`` or ``"@number"`` (default:
    the first hyperparameter against the metric) — coloured by the best metric."""
    return to_figure(scatter_figure(sweep_data(run, series=False), x, y))


def plot_scatter3d(run: Any, x: str | None = None, y: str | None = None,
                   z: str | None = None) -> Any:
    """Runs on three axes (default: the first two hyperparameters and the metric)."""
    return to_figure(scatter3d_figure(sweep_data(run, series=False), x, y, z))


def plot_importance(run: Any) -> Any:
    """Hyperparameter importance as a bar chart (see :func:`importance`)."""
    data = sweep_data(run, series=False)
    return to_figure(importance_figure(importance(data), data.metric))


def plot_compute_saved(run: Any) -> Any:
    """Intervals run versus the no-policy budget, per run (see :func:`compute_saved`)."""
    return to_figure(savings_figure(compute_saved(sweep_data(run, series=False))))
