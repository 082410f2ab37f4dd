"""The tracking client used inside training scripts (standard library only).

``get_context()`` returns the run the script reports to: under a sweep a
:class:`ScriptRun` writing JSON lines to the run's metrics channel (see
docs/trial-contract.md); otherwise an :class:`OfflineRun` that prints.
"""

from __future__ import annotations

import os

from hypersweep.tracking._run import OfflineRun, ScriptRun
from hypersweep.tracking._values import MetricTypeError, MetricValueError

__all__ = ["MetricTypeError", "MetricValueError", "OfflineRun", "ScriptRun", "get_context"]

_CACHE: dict[str | None, OfflineRun | ScriptRun] = {}


def get_context(allow_offline: bool = True, **_ignored: object) -> ScriptRun | OfflineRun:
    """The current run: the same object on every call in a process."""
    path = os.environ.get("HYPERSWEEP_METRICS_PATH")
    run = _CACHE.get(path)
    if run is None:
        if path:
            run = ScriptRun(path, os.environ.get("HYPERSWEEP_RUN_ID", "unknown"),
                            os.environ.get("HYPERSWEEP_EXPERIMENT", ""),
                            os.environ.get("HYPERSWEEP_OUTPUT_DIR")
                            or os.path.join(os.getcwd(), "outputs"),
                            os.environ.get("HYPERSWEEP_RESUME_FROM"))
        else:
            run = OfflineRun()
        _CACHE[path] = run
    return run
