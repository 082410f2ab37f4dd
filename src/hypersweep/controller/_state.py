"""What the controller keeps in memory per run (rebuilt from the store on resume)."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from hypersweep.controller._ingest import ChannelState
from hypersweep.execution import LaunchInfo
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.status import RunStatus

__all__ = ["RunState"]


@dataclasses.dataclass
class RunState:
    id: str
    number: int
    params: dict[str, Any]
    argv: list[str]
    arguments: list[str]
    run_dir: str
    status: RunStatus = RunStatus.QUEUED
    started: float | None = None
    cancel_reason: str | None = None
    resume_from: str | None = None     # outputs folder handed to --resume-from
    resume_source: str | None = None   # id of the run being resumed
    launch: LaunchInfo | None = None
    adopted: bool = False              # taken over after a controller restart
    channel: ChannelState = dataclasses.field(default_factory=ChannelState)

    @property
    def log_path(self) -> str:
        return os.path.join(self.run_dir, "logs", "std_log.txt")

    @property
    def channel_path(self) -> str:
        return os.path.join(self.run_dir, "logs", "metrics.jsonl")

    def best(self, goal: PrimaryMetricGoal) -> float | None:
        return goal.best(self.channel.primary)

    def row(self, experiment_id: str, now: float) -> dict[str, Any]:
        """The Queued row committed before the process starts."""
        return {"id": self.id, "experiment_id": experiment_id, "number": self.number,
                "params": self.params, "arguments": self.arguments, "command": self.argv,
                "status": RunStatus.QUEUED, "created": now, "run_dir": self.run_dir,
                "resumed_from": self.resume_source, "tags": {}}
