"""Executors: where and how trial processes run."""

from hypersweep.execution._base import ATTEMPT_TAG, Executor, LaunchInfo, TrialExit, TrialLaunch
from hypersweep.execution._local import LocalExecutor

__all__ = ["ATTEMPT_TAG", "Executor", "LaunchInfo", "LocalExecutor", "TrialExit", "TrialLaunch"]
