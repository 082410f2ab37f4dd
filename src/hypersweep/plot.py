"""``hypersweep.plot``: the notebook figures under the name the documentation uses.

The figures live in :mod:`hypersweep.plots`; this module re-exports exactly its public
names (one list, kept there), so that ``from hypersweep.plot import plot_metrics`` works.
"""

from hypersweep.plots import *  # noqa: F403
from hypersweep.plots import __all__  # noqa: F401
