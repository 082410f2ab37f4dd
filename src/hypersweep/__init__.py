"""hypersweep: hyperparameter tuning for training scripts, with HyperDrive's API names.

Moving from Azure ML HyperDrive is a change of imports::

    from hypersweep import (HyperDriveConfig, ScriptRunConfig, RandomParameterSampling,
                            BanditPolicy, PrimaryMetricGoal, uniform, choice)

Names are loaded on first use, so ``from hypersweep import Run`` inside a training
script stays as cheap as the standard-library tracking client it is.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name → module that defines it
_EXPORTS: dict[str, str] = {
    "AsyncHyperBandPolicy": "hypersweep.policy",
    "BanditPolicy": "hypersweep.policy",
    "BayesianParameterSampling": "hypersweep.sampling",
    "ConfigurationError": "hypersweep.errors",
    "ConfigurationTypeError": "hypersweep.errors",
    "EarlyTerminationPolicy": "hypersweep.policy",
    "Environment": "hypersweep.config",
    "ExecutionError": "hypersweep.errors",
    "Experiment": "hypersweep.experiment._experiment",
    "ExperimentStatus": "hypersweep.status",
    "GridParameterSampling": "hypersweep.sampling",
    "HyperDriveConfig": "hypersweep.config",
    "HyperDriveRun": "hypersweep.experiment._hyperdrive_run",
    "HyperDriveRunConfig": "hypersweep.config",
    "HypersweepError": "hypersweep.errors",
    "HypersweepWarning": "hypersweep.errors",
    "MedianStoppingPolicy": "hypersweep.policy",
    "NoTerminationPolicy": "hypersweep.policy",
    "NotFoundError": "hypersweep.errors",
    "ParameterExpression": "hypersweep.space",
    "ParameterSampling": "hypersweep.sampling",
    "PrimaryMetricGoal": "hypersweep.goal",
    "RandomParameterSampling": "hypersweep.sampling",
    "Run": "hypersweep.experiment._runs",
    "RunDetails": "hypersweep.widgets",
    "RunStatus": "hypersweep.status",
    "ScriptRunConfig": "hypersweep.config",
    "SearchSpace": "hypersweep.space",
    "SearchSpaceError": "hypersweep.errors",
    "StoreError": "hypersweep.errors",
    "TruncationSelectionPolicy": "hypersweep.policy",
    "Workspace": "hypersweep.experiment._workspace",
    "WrongKindError": "hypersweep.errors",
    "choice": "hypersweep.space",
    "lognormal": "hypersweep.space",
    "loguniform": "hypersweep.space",
    "normal": "hypersweep.space",
    "plot_compute_saved": "hypersweep.plots",
    "plot_importance": "hypersweep.plots",
    "plot_metrics": "hypersweep.plots",
    "plot_parallel_coordinates": "hypersweep.plots",
    "plot_scatter": "hypersweep.plots",
    "plot_scatter3d": "hypersweep.plots",
    "qlognormal": "hypersweep.space",
    "qloguniform": "hypersweep.space",
    "qnormal": "hypersweep.space",
    "quniform": "hypersweep.space",
    "randint": "hypersweep.space",
    "uniform": "hypersweep.space",
}
_ALIASES = {"HyperDriveRunConfig": "HyperDriveConfig"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hypersweep' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _ALIASES.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
