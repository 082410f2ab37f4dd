"""Sweep configuration: HyperDrive's classes and the v2 YAML, validated into a SweepSpec."""

from hypersweep.config._environment import Environment
from hypersweep.config._hyperdrive import HyperDriveConfig
from hypersweep.config._script import ScriptRunConfig
from hypersweep.config._spec import SweepSpec
from hypersweep.config._yaml import load_sweep_yaml, spec_from_yaml_data

__all__ = ["Environment", "HyperDriveConfig", "ScriptRunConfig", "SweepSpec", "load_sweep_yaml",
           "spec_from_yaml_data"]
