"""SweepSpec: the one frozen, JSON-serialisable description of a sweep.

Both entry points (``HyperDriveConfig`` in Python and the v2 sweep YAML on the command
line) are validated into a SweepSpec; the controller, the store and the results API only
ever see this form. It is stored with the experiment, so a resumed controller rebuilds
exactly the same sampler and policy.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from hypersweep.goal import PrimaryMetricGoal
from hypersweep.policy import EarlyTerminationPolicy, policy_from_json
from hypersweep.sampling import ParameterSampling, sampling_from_json
from hypersweep.space import SearchSpace

__all__ = ["SweepSpec"]


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """Everything the controller needs to run a sweep, as plain data.

    ``command`` is either None (run ``python script arguments --name value ...``) or a
    token list whose ``${{search_space.name}}`` placeholders are substituted (v2 YAML).
    ``trial_timeout_seconds`` bounds each trial; ``max_duration_minutes`` bounds the sweep.
    """

    source_directory: str
    script: str | None
    arguments: tuple[str, ...]
    sampling: Mapping[str, Any]
    primary_metric_name: str
    primary_metric_goal: str
    max_total_runs: int
    max_concurrent_runs: int
    max_duration_minutes: float = 10080.0
    policy: Mapping[str, Any] | None = None
    trial_timeout_seconds: float | None = None
    command: tuple[str, ...] | None = None
    environment_variables: Mapping[str, str] = dataclasses.field(default_factory=dict)
    python_interpreter: str | None = None
    compute: Mapping[str, Any] = dataclasses.field(default_factory=lambda: {"type": "local"})
    resume_from: tuple[str, ...] = ()
    resume_child_runs: tuple[str, ...] = ()
    allow_early_termination_with_bayesian: bool = False

    # -- rebuilt components -------------------------------------------------------------
    def make_sampling(self) -> ParameterSampling:
        """The sampler described by ``sampling``."""
        return sampling_from_json(self.sampling)

    def make_policy(self) -> EarlyTerminationPolicy:
        """The policy described by ``policy`` (NoTerminationPolicy when None)."""
        return policy_from_json(self.policy)

    @property
    def space(self) -> SearchSpace:
        return SearchSpace(self.sampling["space"])

    @property
    def goal(self) -> PrimaryMetricGoal:
        return PrimaryMetricGoal.parse(self.primary_metric_goal)

    # -- serialisation ------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("arguments", "command", "resume_from", "resume_child_runs"):
            if data[key] is not None:
                data[key] = list(data[key])
        return json.loads(json.dumps(data))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SweepSpec:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in fields}
        for key in ("arguments", "resume_from", "resume_child_runs"):
            values[key] = tuple(values.get(key) or ())
        if values.get("command") is not None:
            values["command"] = tuple(values["command"])
        return cls(**values)

    def replace(self, **changes: Any) -> SweepSpec:
        return dataclasses.replace(self, **changes)
