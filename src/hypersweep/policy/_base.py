"""The early-termination policy interface of SPEC §4.

A policy is pure: given the primary-metric table (run id → values in log order), the goal
and the set of finished runs, it says whether one run must stop at one interval, and why.
The controller calls :meth:`EarlyTerminationPolicy.should_terminate` once for each
scheduled interval as a running run reaches it.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence, Set
from typing import Any, ClassVar

from hypersweep._checks import checked_arguments, integer
from hypersweep.goal import PrimaryMetricGoal

__all__ = ["EarlyTerminationPolicy", "NoTerminationPolicy"]


class EarlyTerminationPolicy(abc.ABC):
    """Base of the early-termination policies.

    ``evaluation_interval`` and ``delay_evaluation`` decide the scheduled intervals: the
    N-th logged primary-metric value is evaluated iff ``N % evaluation_interval == 0`` and
    ``N >= delay_evaluation`` (an interval <= 0 counts as 1, as in HyperDrive).
    """

    policy_name: ClassVar[str]

    @checked_arguments
    def __init__(self, evaluation_interval: int = 1, delay_evaluation: int = 0) -> None:
        # SPEC §4: an evaluation_interval <= 0 is accepted and treated as 1
        self._evaluation_interval = integer("evaluation_interval", evaluation_interval)
        self._delay_evaluation = integer("delay_evaluation", delay_evaluation, minimum=0)

    @property
    def evaluation_interval(self) -> int:
        return self._evaluation_interval

    @property
    def delay_evaluation(self) -> int:
        return self._delay_evaluation

    def is_scheduled(self, interval: int) -> bool:
        """True when the policy evaluates a run at its ``interval``-th primary value."""
        every = self._evaluation_interval if self._evaluation_interval > 0 else 1
        return interval >= 1 and interval % every == 0 and interval >= self._delay_evaluation

    @abc.abstractmethod
    def should_terminate(self, run_id: str, interval: int,
                         table: Mapping[str, Sequence[float]], goal: PrimaryMetricGoal,
                         finished: Set[str] = frozenset()) -> str | None:
        """A human-readable reason when ``run_id`` must stop at ``interval``, else None."""

    def options(self) -> dict[str, Any]:
        """Constructor arguments, as stored in the experiment spec."""
        return {"evaluation_interval": self._evaluation_interval,
                "delay_evaluation": self._delay_evaluation}

    def to_json(self) -> dict[str, Any]:
        return {"type": self.policy_name, **self.options()}

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        return f"{type(self).__name__}({opts})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EarlyTerminationPolicy):
            return NotImplemented
        return self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]


class NoTerminationPolicy(EarlyTerminationPolicy):
    """Every run goes to the end (the default, same as ``policy=None``)."""

    policy_name = "none"

    @checked_arguments
    def __init__(self) -> None:
        super().__init__()

    def is_scheduled(self, interval: int) -> bool:
        return False

    def should_terminate(self, run_id: str, interval: int,
                         table: Mapping[str, Sequence[float]], goal: PrimaryMetricGoal,
                         finished: Set[str] = frozenset()) -> str | None:
        return None

    def options(self) -> dict[str, Any]:
        return {}
