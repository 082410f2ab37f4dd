"""``hypersweep.plot``: the notebook figures under the name the documentation uses.

The figures live in :mod:`hypersweep.plots`; this module only re-exports its public
functions so that ``from hypersweep.plot import plot_metrics`` works as well.
"""

from hypersweep.plots import (
    plot_compute_saved,
    plot_importance,
    plot_metrics,
    plot_parallel_coordinates,
    plot_scatter,
    plot_scatter3d,
    to_figure,
)

__all__ = [
    "plot_compute_saved",
    "plot_importance",
    "plot_metrics",
    "plot_parallel_coordinates",
    "plot_scatter",
    "plot_scatter3d",
    "to_figure",
]
