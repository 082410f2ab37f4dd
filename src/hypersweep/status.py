"""Run and experiment states, and the one table of legal run transitions."""

from __future__ import annotations

import enum

__all__ = ["ExperimentStatus", "RunStatus", "can_transition"]


class RunStatus(enum.StrEnum):
    """A child run's lifecycle (HyperDrive's names)."""

    QUEUED = "Queued"                      # row committed, process not started yet
    STARTING = "Starting"                  # launch begun; the process may exist
    RUNNING = "Running"                    # process alive, pid recorded
    CANCEL_REQUESTED = "CancelRequested"   # a stop was decided and recorded, not yet done
    COMPLETED = "Completed"
    FAILED = "Failed"
    CANCELED = "Canceled"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_active(self) -> bool:
        """True while a process may exist for the run."""
        return self in (RunStatus.STARTING, RunStatus.RUNNING, RunStatus.CANCEL_REQUESTED)

    def __str__(self) -> str:
        return self.value


_TERMINAL = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELED})

_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.QUEUED: frozenset({RunStatus.STARTING, RunStatus.RUNNING, RunStatus.CANCELED,
                                 RunStatus.FAILED}),
    RunStatus.STARTING: frozenset({RunStatus.RUNNING, RunStatus.CANCEL_REQUESTED,
                                   RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELED}),
    RunStatus.RUNNING: frozenset({RunStatus.CANCEL_REQUESTED, RunStatus.COMPLETED,
                                  RunStatus.FAILED, RunStatus.CANCELED}),
    RunStatus.CANCEL_REQUESTED: frozenset({RunStatus.CANCELED, RunStatus.COMPLETED,
                                           RunStatus.FAILED}),
    RunStatus.COMPLETED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.CANCELED: frozenset(),
}


def can_transition(old: RunStatus, new: RunStatus) -> bool:
    """True when a run may move from ``old`` to ``new`` (terminal states are final)."""
    return new in _TRANSITIONS[old]


class ExperimentStatus(enum.StrEnum):
    """A sweep's lifecycle."""

    QUEUED = "Queued"            # created, controller not started yet
    RUNNING = "Running"
    CANCEL_REQUESTED = "CancelRequested"
    COMPLETED = "Completed"
    CANCELED = "Canceled"
    FAILED = "Failed"            # the controller itself could not go on

    @property
    def is_terminal(self) -> bool:
        return self in (ExperimentStatus.COMPLETED, ExperimentStatus.CANCELED,
                        ExperimentStatus.FAILED)

    def __str__(self) -> str:
        return self.value
