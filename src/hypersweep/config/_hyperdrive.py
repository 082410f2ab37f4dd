"""HyperDriveConfig: HyperDrive's sweep configuration, validated when built."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from typing import Any

from hypersweep._checks import checked_arguments, describe, integer, number, text
from hypersweep.config._script import ScriptRunConfig
from hypersweep.config._spec import SweepSpec
from hypersweep.errors import ConfigurationError, ConfigurationTypeError, HypersweepWarning
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.policy import AsyncHyperBandPolicy, EarlyTerminationPolicy, NoTerminationPolicy
from hypersweep.sampling import (
    BayesianParameterSampling,
    GridParameterSampling,
    ParameterSampling,
)

__all__ = ["HyperDriveConfig"]

_AZURE_MAX_TOTAL = 1000
_AZURE_MAX_CONCURRENT = 100
_COMPAT = (None, "azure")


class HyperDriveConfig:
    """A hyperparameter sweep: what to run, how to sample, what to optimise, within limits.

    Example::

        HyperDriveConfig(run_config=src, hyperparameter_sampling=sampling,
                         policy=BanditPolicy(slack_factor=0.1),
                         primary_metric_name="accuracy",
                         primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                         max_total_runs=20, max_concurrent_runs=4)

    Every argument is checked here, so an invalid sweep never starts. Beyond HyperDrive:
    ``trial_timeout`` (seconds, per run), ``max_total_runs`` above 1000 (unless
    ``compat="azure"``), and ``allow_early_termination_with_bayesian``.
    """

    @checked_arguments
    def __init__(self, hyperparameter_sampling: ParameterSampling | None = None,
                 primary_metric_name: str | None = None,
                 primary_metric_goal: PrimaryMetricGoal | str | None = None,
                 max_total_runs: int | None = None, max_concurrent_runs: int | None = None,
                 max_duration_minutes: float = 10080, policy: EarlyTerminationPolicy | None = None,
                 estimator: Any = None, run_config: ScriptRunConfig | None = None,
                 resume_from: Sequence[Any] | None = None,
                 resume_child_runs: Sequence[Any] | None = None, pipeline: Any = None,
                 debug_flag: Any = None, custom_run_id: str | None = None, *,
                 trial_timeout: float | None = None, compat: str | None = None,
                 allow_early_termination_with_bayesian: bool = False) -> None:
        if estimator is not None or pipeline is not None:
            field = "estimator" if estimator is not None else "pipeline"
            raise ConfigurationError(
                f"{field} is not supported (deprecated in HyperDrive too); pass "
                "run_config=ScriptRunConfig(source_directory=..., script=...)")
        if run_config is None:
            raise ConfigurationError(
                "run_config is required: a ScriptRunConfig(source_directory=..., script=...)")
        if not isinstance(run_config, ScriptRunConfig):
            raise ConfigurationTypeError(
                f"run_config must be a ScriptRunConfig, got {describe(run_config)}")
        if hyperparameter_sampling is None:
            raise ConfigurationError(
                "hyperparameter_sampling is required: RandomParameterSampling, "
                "GridParameterSampling or BayesianParameterSampling")
        if not isinstance(hyperparameter_sampling, ParameterSampling):
            raise ConfigurationTypeError(
                "hyperparameter_sampling must be RandomParameterSampling, GridParameterSampling "
                f"or BayesianParameterSampling, got {describe(hyperparameter_sampling)}")
        if primary_metric_name is None:
            raise ConfigurationError(
                "primary_metric_name is required: the exact name the script logs")
        self.primary_metric_name = text("primary_metric_name", primary_metric_name)
        if primary_metric_goal is None:
            raise ConfigurationError(
                "primary_metric_goal is required: PrimaryMetricGoal.MAXIMIZE or .MINIMIZE")
        self.primary_metric_goal = PrimaryMetricGoal.parse(primary_metric_goal)
        if compat not in _COMPAT:
            raise ConfigurationError(f"compat must be None or 'azure', got {compat!r}")
        azure = compat == "azure"
        if max_total_runs is None:
            raise ConfigurationError("max_total_runs is required: an integer >= 1")
        self.max_total_runs = integer("max_total_runs", max_total_runs, minimum=1,
                                      maximum=_AZURE_MAX_TOTAL if azure else None)
        if max_concurrent_runs is None:  # all runs at once, as in HyperDrive (no cap to check)
            self.max_concurrent_runs = self.max_total_runs
        else:
            self.max_concurrent_runs = integer(
                "max_concurrent_runs", max_concurrent_runs, minimum=1,
                maximum=_AZURE_MAX_CONCURRENT if azure else None)
        self.max_duration_minutes = number("max_duration_minutes", max_duration_minutes)
        if self.max_duration_minutes <= 0:
            raise ConfigurationError(
                f"max_duration_minutes must be > 0 (fractions allowed), got "
                f"{max_duration_minutes!r}")
        if trial_timeout is not None:
            trial_timeout = number("trial_timeout", trial_timeout)
            if trial_timeout <= 0:
                raise ConfigurationError(
                    f"trial_timeout must be > 0 seconds, got {trial_timeout!r}")
        self.trial_timeout = trial_timeout
        if policy is None:
            policy = NoTerminationPolicy()
        if not isinstance(policy, EarlyTerminationPolicy):
            raise ConfigurationTypeError(
                "policy must be BanditPolicy, MedianStoppingPolicy, TruncationSelectionPolicy, "
                f"AsyncHyperBandPolicy, NoTerminationPolicy or None, got {describe(policy)}")
        if not isinstance(allow_early_termination_with_bayesian, bool):
            raise ConfigurationTypeError(
                "allow_early_termination_with_bayesian must be True or False, got "
                f"{describe(allow_early_termination_with_bayesian)}")
        self.allow_early_termination_with_bayesian = allow_early_termination_with_bayesian
        self.run_config = run_config
        self.hyperparameter_sampling = hyperparameter_sampling
        self.policy = policy
        self.compat = compat
        self.resume_from = _listed("resume_from", resume_from, limit=5)
        self.resume_child_runs = _listed("resume_child_runs", resume_child_runs,
                                         limit=self.max_total_runs)
        self.custom_run_id = custom_run_id
        self.debug_flag = debug_flag
        self._check_sampling_rules()

    def _check_sampling_rules(self) -> None:
        warnings_for = getattr(self.policy, "warnings_for", None)
        if callable(warnings_for):  # e.g. a ratio slack with a metric that may be negative
            for message in warnings_for(self.primary_metric_goal,
                                        metric_name=self.primary_metric_name):
                warnings.warn(message, HypersweepWarning, stacklevel=3)
        sampling, n_params = self.hyperparameter_sampling, len(self.hyperparameter_sampling.space)
        if isinstance(sampling, BayesianParameterSampling):
            # HyperDrive's rule covers its own policies; ASHA (beyond HyperDrive) is usable
            # with any sampler (SPEC §4)
            if (not isinstance(self.policy, NoTerminationPolicy | AsyncHyperBandPolicy)
                    and not self.allow_early_termination_with_bayesian):
                raise ConfigurationError(
                    f"policy: Bayesian sampling does not support early termination policies "
                    f"(got {self.policy!r}); use policy=None or AsyncHyperBandPolicy, or "
                    "pass allow_early_termination_with_bayesian=True")
            if self.max_total_runs < 20 * n_params:
                warnings.warn(
                    f"max_total_runs={self.max_total_runs} is below the recommended "
                    f"20 × {n_params} hyperparameters = {20 * n_params} for Bayesian sampling",
                    HypersweepWarning, stacklevel=3)
            if self.max_concurrent_runs > 20:
                warnings.warn(
                    f"max_concurrent_runs={self.max_concurrent_runs}: Bayesian sampling "
                    "converges better with at most 20 concurrent runs",
                    HypersweepWarning, stacklevel=3)
        command = self.run_config.command
        if command and not any("${{search_space." in token for token in command):
            warnings.warn(
                "run_config.command has no ${{search_space.NAME}} placeholder, so no sampled "
                "value is on its command line (HyperDrive passes them nowhere either); the "
                "script gets them only as HYPERSWEEP_<name> and AZUREML_SWEEP_<name> "
                "environment variables. Write e.g. '--lr ${{search_space.lr}}' in the "
                "command, or use script= and arguments=",
                HypersweepWarning, stacklevel=3)
        if isinstance(sampling, GridParameterSampling) and sampling.size > self.max_total_runs:
            warnings.warn(
                f"the grid has {sampling.size} points but max_total_runs={self.max_total_runs}: "
                f"only the first {self.max_total_runs} in grid order will run",
                HypersweepWarning, stacklevel=3)

    # -- spec -------------------------------------------------------------------------
    @property
    def effective_trial_timeout(self) -> float | None:
        """Seconds one trial may run: the smaller of trial_timeout and the script's limit."""
        limits = [t for t in (self.trial_timeout, self.run_config.max_run_duration_seconds)
                  if t is not None]
        value = min(limits) if limits else None
        return None if value is None or math.isinf(value) else value

    def to_spec(self) -> SweepSpec:
        """The validated, JSON-serialisable form the controller runs."""
        src = self.run_config
        return SweepSpec(
            source_directory=os.path.abspath(src.source_directory),
            script=src.script,
            arguments=tuple(src.arguments),
            command=tuple(src.command) if src.command else None,
            sampling=self.hyperparameter_sampling.to_json(),
            policy=self.policy.to_json(),
            primary_metric_name=self.primary_metric_name,
            primary_metric_goal=self.primary_metric_goal.value,
            max_total_runs=self.max_total_runs,
            max_concurrent_runs=min(self.max_concurrent_runs, self.max_total_runs),
            max_duration_minutes=self.max_duration_minutes,
            trial_timeout_seconds=self.effective_trial_timeout,
            environment_variables=dict(src.environment.environment_variables),
            python_interpreter=src.environment.python_interpreter,
            compute={**src.compute_target,  # each trial's request rides with the target
                     **({"resources": dict(src.resources)} if src.resources else {})},
            resume_from=tuple(_run_id(r) for r in self.resume_from),
            resume_child_runs=tuple(_run_id(r) for r in self.resume_child_runs),
            allow_early_termination_with_bayesian=self.allow_early_termination_with_bayesian,
        )


def _listed(field: str, value: Any, *, limit: int) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        value = [value]
    value = list(value)
    if len(value) > limit:
        why = "" if field == "resume_from" else " (max_total_runs)"
        raise ConfigurationError(f"{field} takes at most {limit} runs{why}, got {len(value)}")
    ids = [_run_id(v, f"{field}[{i}]") for i, v in enumerate(value)]
    if len(set(ids)) != len(ids):
        raise ConfigurationError(f"{field} lists the same run more than once: {ids}")
    return value


def _run_id(run: Any, field: str = "run") -> str:
    run_id = run if isinstance(run, str) else getattr(run, "id", None)
    if not isinstance(run_id, str) or not run_id:
        raise ConfigurationTypeError(
            f"{field}: expected a run (HyperDriveRun or Run) or a run id, got {describe(run)}")
    return run_id
