"""Executors: where and how trial processes run."""

from hypersweep.execution._base import Executor, LaunchInfo, TrialExit, TrialLaunch
from hypersweep.execution._local import LocalExecutor

__all__ = ["Executor", "LaunchInfo", "LocalExecutor", "TrialExit", "TrialLaunch"]
