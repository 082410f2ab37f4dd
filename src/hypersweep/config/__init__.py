"""Sweep configuration: HyperDrive's classes, validated into one SweepSpec."""

from hypersweep.config._hyperdrive import HyperDriveConfig
from hypersweep.config._script import Environment, ScriptRunConfig
from hypersweep.config._spec import SweepSpec

__all__ = ["Environment", "HyperDriveConfig", "ScriptRunConfig", "SweepSpec"]
