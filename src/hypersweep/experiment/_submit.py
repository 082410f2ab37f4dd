"""Checks made at submission, before anything runs: what construction cannot know."""

from __future__ import annotations

import json
import os
import shutil
import sys
from typing import Any

from hypersweep._checks import describe
from hypersweep.config import HyperDriveConfig, SweepSpec
from hypersweep.errors import ConfigurationError, ConfigurationTypeError
from hypersweep.space import SearchSpace

__all__ = ["prepare_spec"]


def prepare_spec(workspace: Any, config: Any) -> SweepSpec:
    """The SweepSpec of ``config``, after checking files, interpreter and referenced runs."""
    if isinstance(config, HyperDriveConfig):
        spec = config.to_spec()
    elif isinstance(config, SweepSpec):
        spec = config
    else:
        raise ConfigurationTypeError(
            f"config must be a HyperDriveConfig, got {describe(config)}")
    source = spec.source_directory
    if not os.path.isdir(source):
        raise ConfigurationError(f"source_directory {source!r} does not exist or is not a "
                                 "folder")
    if spec.script is not None:
        script = os.path.join(source, spec.script)
        if not os.path.isfile(script):
            raise ConfigurationError(
                f"script {spec.script!r} was not found in source_directory {source!r}")
    python = spec.python_interpreter or sys.executable
    if shutil.which(python) is None:
        raise ConfigurationError(f"python_interpreter {python!r} was not found or is not "
                                 "executable")
    _check_parents(workspace.store, spec)
    _check_resumed_runs(workspace.store, spec)
    compute = spec.compute.get("type", "local")
    if compute not in ("local", "ray"):
        raise ConfigurationError(f"compute_target type {compute!r} is not supported; allowed: "
                                 "local, ray")
    return spec


_FINISHED_PARENT = ("Completed", "Canceled", "Failed")
_FINISHED_RUN = ("Completed", "Canceled", "Failed")


def _check_parents(store: Any, spec: SweepSpec) -> None:
    """resume_from: finished sweeps with the same metric and goal (and, for Bayesian
    sampling, the identical search space)."""
    from hypersweep.errors import NotFoundError, WrongKindError

    for parent_id in spec.resume_from:
        try:
            row = store.experiment(parent_id)
        except WrongKindError as exc:
            raise ConfigurationError(f"resume_from: {exc}") from None
        except NotFoundError:
            raise ConfigurationError(f"resume_from: no sweep {parent_id!r} in this workspace; "
                                     "it takes sweeps (HyperDriveRun)") from None
        if row["id"] != parent_id:
            raise ConfigurationError(f"resume_from: {parent_id!r} is an experiment name; give "
                                     f"a sweep (HyperDriveRun) id such as {row['id']!r}")
        if row["status"] not in _FINISHED_PARENT:
            raise ConfigurationError(
                f"resume_from: sweep {parent_id} is {row['status']}; it must have finished "
                "(Completed, Canceled or Failed)")
        parent = SweepSpec.from_json(json.loads(row["spec"]))
        if (parent.primary_metric_name, parent.primary_metric_goal) != (
                spec.primary_metric_name, spec.primary_metric_goal):
            raise ConfigurationError(
                f"resume_from: sweep {parent_id} optimises {parent.primary_metric_name!r} "
                f"({parent.primary_metric_goal.lower()}), this sweep "
                f"{spec.primary_metric_name!r} ({spec.primary_metric_goal.lower()}); they must "
                "match")
        if spec.sampling["type"] == "bayesian" and _bare(parent.sampling["space"]) != \
                _bare(spec.sampling["space"]):
            # keys as this sweep spells them ("lr" or "--lr"), the parent's for its own keys
            names = {SearchSpace.flag_of(k): k for k in (*parent.sampling["space"],
                                                         *spec.sampling["space"])}
            diff = _space_diff(_bare(parent.sampling["space"]), _bare(spec.sampling["space"]),
                               names)
            raise ConfigurationError(
                f"resume_from: Bayesian warm start needs the identical search space; sweep "
                f"{parent_id} differs: {diff}")


def _bare(space: dict) -> dict:
    """A space keyed by the flags the script sees: "lr" and "--lr" are one key (SPEC §1),
    by the same rule that makes them clash within one space."""
    return {SearchSpace.flag_of(key): value for key, value in space.items()}


def _space_diff(old: dict, new: dict, names: dict) -> str:
    parts = []
    for key in sorted(set(old) | set(new), key=str):
        if old.get(key) != new.get(key):
            name = names.get(key, key)
            parts.append(f"{name}: {old.get(key, 'absent')} → {new.get(key, 'absent')}")
    return "; ".join(parts)


def _check_resumed_runs(store: Any, spec: SweepSpec) -> None:
    """resume_child_runs: finished runs whose hyperparameters fit this search space."""
    from hypersweep.errors import NotFoundError, WrongKindError

    space_keys = list(spec.sampling["space"])
    for run_id in spec.resume_child_runs:
        try:
            row = store.run(run_id)
        except WrongKindError as exc:
            raise ConfigurationError(f"resume_child_runs: {exc}") from None
        except NotFoundError:
            raise ConfigurationError(f"resume_child_runs: no run {run_id!r} in this "
                                     "workspace") from None
        if row["status"] not in _FINISHED_RUN:
            raise ConfigurationError(
                f"resume_child_runs: run {run_id} is {row['status']}; it must have finished")
        flag = SearchSpace.flag_of  # "lr" and "--lr" are one key (SPEC §1)
        if sorted(map(flag, row["params"])) != sorted(map(flag, space_keys)):
            raise ConfigurationError(
                f"resume_child_runs: run {run_id} has hyperparameters {list(row['params'])}, "
                f"this search space has {space_keys}")
