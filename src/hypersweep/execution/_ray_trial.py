"""What the Ray executor keeps per trial: its phase and the one call in flight."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from hypersweep.execution._base import TrialLaunch

__all__ = ["Phase", "RayTrial"]


class Phase(enum.Enum):
    """Where a trial is in its life on the cluster."""

    STARTING = "starting"   # actor created (maybe waiting for resources); start() sent
    RUNNING = "running"     # process alive; long polls in flight
    PACKING = "packing"     # process ended, every byte here; outputs being zipped
    FETCHING = "fetching"   # outputs zip coming back in chunks


@dataclass
class RayTrial:
    """The controller's record of one trial on the cluster (one attempt at a time)."""

    launch: TrialLaunch
    options: dict[str, Any]
    attempt: int = 1
    actor: Any = None
    phase: Phase = Phase.STARTING
    ref: Any = None                          # the one call in flight
    call: tuple[str, tuple] = ("", ())       # that call, to repeat it after a hiccup
    retry_at: float | None = None
    chan_off: int = 0                        # bytes received from the worker's files
    log_off: int = 0
    exit_code: int | None = None
    size: int = 0                            # outputs zip size
    canceled: bool = False
    kill_at: float | None = None
    killed: bool = False
    escaped: tuple[int, ...] = ()            # pids the worker killed outside its group
    placements: int = 0                      # placements lost before the trial started
    node: str = ""                           # where the current attempt runs, once known
