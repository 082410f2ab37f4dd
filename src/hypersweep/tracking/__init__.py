"""The tracking client used inside training scripts (standard library only).

``get_context()`` returns the run the script reports to: under a sweep (the environment
names a metrics channel) a :class:`ScriptRun` appending JSON lines to that channel, as
docs/trial-contract.md describes; otherwise an :class:`OfflineRun` that prints what would
have been logged, so the same script runs alone::

    from hypersweep.tracking import get_context

    run = get_context()
    for epoch in range(10):
        run.log("accuracy", train_one_epoch())

Importing this package loads nothing outside the standard library (not even :mod:`json`
or :mod:`typing`), so it works in any environment a training script runs in and adds a
few milliseconds to its start-up.
"""

from __future__ import annotations

import os

from hypersweep.tracking._run import OfflineRun, ScriptRun
from hypersweep.tracking._values import MetricTypeError, MetricValueError

TYPE_CHECKING = False  # typing itself costs a training script milliseconds to import
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["MetricTypeError", "MetricValueError", "OfflineRun", "ScriptRun", "get_context"]

_CACHE: dict[str | None, ScriptRun | OfflineRun] = {}


def get_context(allow_offline: bool = True, **kwargs: object) -> ScriptRun | OfflineRun:
    """The run of this script: the same object on every call while the environment names
    the same channel (``HYPERSWEEP_METRICS_PATH``).

    ``allow_offline=False`` raises :class:`RuntimeError` outside a sweep instead of
    returning an :class:`OfflineRun`. Other keyword arguments of Azure ML's
    ``Run.get_context`` (``used_for_context_manager``) are accepted and ignored.
    """
    path = os.environ.get("HYPERSWEEP_METRICS_PATH") or None
    if path is None and not allow_offline:  # also after an earlier offline get_context()
        raise RuntimeError("not running under a hypersweep sweep "
                           "(HYPERSWEEP_METRICS_PATH is not set) and allow_offline=False")
    run = _CACHE.get(path)
    if run is None:
        run = _CACHE[path] = _from_environ(os.environ)
    return run


def _from_environ(environ: Mapping[str, str]) -> ScriptRun | OfflineRun:
    """A new run described by ``environ`` (the variables of docs/trial-contract.md)."""
    resume_from = (environ.get("HYPERSWEEP_RESUME_FROM")
                   or environ.get("AZUREML_DATAREFERENCE_MODEL_LOCATION") or None)
    path = environ.get("HYPERSWEEP_METRICS_PATH")
    if not path:
        return OfflineRun(resume_from=resume_from)
    return ScriptRun(path, run_id=environ.get("HYPERSWEEP_RUN_ID") or "unknown",
                     experiment_name=environ.get("HYPERSWEEP_EXPERIMENT", ""),
                     output_dir=environ.get("HYPERSWEEP_OUTPUT_DIR") or None,
                     resume_from=resume_from,
                     sweep_id=environ.get("HYPERSWEEP_SWEEP_ID") or None,
                     parameters=_parameters(environ))


def _parameters(environ: Mapping[str, str]) -> dict[str, int | float | str]:
    """The sampled values (``AZUREML_SWEEP_<name>``), numbers parsed back."""
    prefix = "AZUREML_SWEEP_"
    return {key[len(prefix):]: _parse(text) for key, text in environ.items()
            if key.startswith(prefix) and len(key) > len(prefix)}


def _parse(text: str) -> int | float | str:
    """``text`` as the int or float it renders exactly (``repr``), else ``text``."""
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        if repr(value) == text:
            return value
    return text
