"""Checks made at submission, before anything runs: what construction cannot know."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from hypersweep._checks import describe
from hypersweep.config import HyperDriveConfig, SweepSpec
from hypersweep.errors import ConfigurationError, ConfigurationTypeError

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
    compute = spec.compute.get("type", "local")
    if compute not in ("local", "ray"):
        raise ConfigurationError(f"compute_target type {compute!r} is not supported; allowed: "
                                 "local, ray")
    return spec
