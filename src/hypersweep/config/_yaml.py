"""The Azure ML v2 sweep-job YAML, validated into a SweepSpec.

Accepted (every other top-level key is reported with the nearest valid one)::

    trial: {command: "python train.py --lr ${{search_space.lr}}", code: .,
            environment_variables: {}}
    search_space: {lr: {type: loguniform, min_value: -6, max_value: -1}}
    sampling_algorithm: random | grid | bayesian | {type: random, seed: 1, rule: sobol}
                        | {type: bayesian, allow_early_termination: true}
    objective: {goal: maximize, primary_metric: accuracy}
    limits: {max_total_trials: 20, max_concurrent_trials: 4, timeout: 3600, trial_timeout: 600}
    early_termination: {type: bandit, slack_factor: 0.1, evaluation_interval: 1}
    inputs: {epochs: 10}          # ${{inputs.epochs}} in the command
    compute: local | ray | ray://host:port    # or {type: ray, address: auto, max_retries: 1}
    # trial.resources: {num_cpus: 2, num_gpus: 1, memory: 8e9}  (per trial, on Ray)

``timeout`` and ``trial_timeout`` are seconds, as in Azure ML v2.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shlex
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hypersweep._checks import describe, integer, number, text
from hypersweep._shell import join_lines, needs_shell, shell_command
from hypersweep.config._hyperdrive import HyperDriveConfig
from hypersweep.config._script import Environment, ScriptRunConfig, is_ray_target
from hypersweep.config._spec import SweepSpec
from hypersweep.errors import ConfigurationError, ConfigurationTypeError, HypersweepWarning
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.sampling import (
    BayesianParameterSampling,
    GridParameterSampling,
    ParameterSampling,
    RandomParameterSampling,
)

__all__ = ["load_sweep_yaml", "spec_from_yaml_data"]

_TOP = ("$schema", "type", "name", "display_name", "experiment_name", "description", "tags",
        "trial", "search_space", "sampling_algorithm", "objective", "limits",
        "early_termination", "inputs", "outputs", "compute", "settings",
        # Azure job settings with no meaning on this machine: accepted and ignored
        "identity", "queue_settings", "services", "properties")
_TRIAL = ("command", "code", "environment", "environment_variables", "resources",
          "distribution", "type")
_LIMITS = ("max_total_trials", "max_concurrent_trials", "timeout", "trial_timeout")
_OBJECTIVE = ("goal", "primary_metric")
_PLACEHOLDER = re.compile(r"\$\{\{\s*([A-Za-z_]+)\.([A-Za-z0-9_.\-]+)\s*\}\}")
_REMOTE = re.compile(r"^(azureml:|[A-Za-z][A-Za-z0-9+.\-]*://)")  # azureml:..., wasbs://, https://
_AZURE_DEFAULT_TOTAL = 1000


def _keys(where: str, data: Any, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ConfigurationTypeError(f"{where} must be a mapping, got {describe(data)}")
    for key in data:
        if key not in allowed:
            near = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ConfigurationError(
                f"{where}: unknown key {key!r}{hint} (allowed: {', '.join(allowed)})")
    return data


def _loader() -> Any:
    """PyYAML's safe loader, also reading ``1e-3`` as a number: YAML 1.1 (PyYAML) needs
    a dot in a float (``1.0e-3``), YAML 1.2 and Azure's schema (a float field parses the
    text) do not, so a YAML written for Azure would fail on its exponents."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
        list("-+0123456789"))
    return Loader


def load_sweep_yaml(path: str | os.PathLike) -> tuple[SweepSpec, str | None]:
    """Read a sweep YAML file; returns the spec and the experiment name it gives, if any."""
    import yaml

    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())
    except OSError as exc:
        raise ConfigurationError(f"cannot read sweep file {str(path)!r}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path}: not UTF-8 text (byte {exc.start}: "
                                 f"{exc.object[exc.start:exc.start + 1]!r})") from None
    except (yaml.YAMLError, RecursionError) as exc:  # a deeply nested document recurses
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from None
    return spec_from_yaml_data(data, base_dir=path.parent)


def spec_from_yaml_data(data: Any, base_dir: str | os.PathLike = ".") -> tuple[SweepSpec,
                                                                               str | None]:
    """Validate parsed YAML data into a SweepSpec (and the experiment name, if given)."""
    if isinstance(data, Mapping) and data.get("type", "sweep") != "sweep":  # before its keys
        raise ConfigurationError(
            f"sweep: type must be 'sweep', got {data.get('type')!r}" + (
                "; a command job's command goes under trial: {command: ...} with a "
                "search_space, objective and sampling_algorithm"
                if data.get("type") == "command" else ""))
    data = _keys("sweep", data, _TOP)
    for key in ("trial", "search_space", "objective"):
        if key not in data:
            raise ConfigurationError(f"sweep: {key!r} is required")
    sampling, allow_policy = _sampling(data.get("sampling_algorithm", "random"),
                                       data["search_space"])
    trial = _keys("trial", data["trial"], _TRIAL)
    if "command" not in trial:
        raise ConfigurationError("trial: 'command' is required, e.g. 'python train.py "
                                 "--lr ${{search_space.lr}}'")
    command = _command(trial["command"], data.get("inputs") or {}, sampling, base_dir)
    code = trial.get("code", ".")
    text("trial.code", code)
    source = Path(base_dir, code).resolve()
    env_vars = trial.get("environment_variables") or {}
    run_config = ScriptRunConfig(
        source_directory=str(source), command=command,
        environment=Environment(environment_variables=env_vars),
        compute_target=_compute(data.get("compute")), resources=trial.get("resources"))
    objective = _keys("objective", data["objective"], _OBJECTIVE)
    for key in _OBJECTIVE:
        if key not in objective:
            raise ConfigurationError(f"objective: {key!r} is required")
    limits = _keys("limits", data.get("limits") or {}, _LIMITS)
    total = integer("limits.max_total_trials",
                    limits.get("max_total_trials", _AZURE_DEFAULT_TOTAL), minimum=1)
    kwargs: dict[str, Any] = {}
    if "timeout" in limits:
        kwargs["max_duration_minutes"] = number("limits.timeout", limits["timeout"]) / 60
        if kwargs["max_duration_minutes"] <= 0:
            raise ConfigurationError(f"limits.timeout must be > 0 seconds, got "
                                     f"{limits['timeout']!r}")
    if limits.get("trial_timeout") is not None:
        kwargs["trial_timeout"] = number("limits.trial_timeout", limits["trial_timeout"])
    with _in_yaml_words():
        config = HyperDriveConfig(
            hyperparameter_sampling=sampling, run_config=run_config,
            primary_metric_name=text("objective.primary_metric", objective["primary_metric"]),
            primary_metric_goal=PrimaryMetricGoal.parse(objective["goal"], "objective.goal"),
            max_total_runs=total,
            max_concurrent_runs=integer("limits.max_concurrent_trials",
                                        limits.get("max_concurrent_trials", total), minimum=1),
            policy=_policy(data.get("early_termination")),
            allow_early_termination_with_bayesian=allow_policy, **kwargs)
    name = data.get("experiment_name") or data.get("name")
    if name is not None:
        text("experiment_name", name)
    return config.to_spec(), name


# The Python API's names in a message, as a YAML user writes them
_YAML_WORDS = (
    ("parameter_space[", "search_space["),
    ("use policy=None or AsyncHyperBandPolicy, or pass "
     "allow_early_termination_with_bayesian=True",
     "remove early_termination or use type: asha, or write sampling_algorithm: "
     "{type: bayesian, allow_early_termination: true}"),
    ("pass allow_all_expressions=True", "write sampling_algorithm: "
     "{type: bayesian, allow_all_expressions: true}"),
    ("max_total_runs", "limits.max_total_trials"),
    ("max_concurrent_runs", "limits.max_concurrent_trials"),
    ("policy: ", "early_termination: "),
)


def _yaml_words(message: str) -> str:
    for python, yaml_text in _YAML_WORDS:
        message = message.replace(python, yaml_text)
    return message


@contextlib.contextmanager
def _in_yaml_words() -> Iterator[None]:
    """Errors and warnings raised inside, reworded with the YAML's field names."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except (ConfigurationError, ConfigurationTypeError) as exc:
            raise type(exc)(_yaml_words(str(exc))) from None
    for warning in caught:
        warnings.warn(_yaml_words(str(warning.message)), warning.category, stacklevel=4)


def _sampling(algorithm: Any, space: Any) -> tuple[ParameterSampling, bool]:
    """The sampling, and whether a Bayesian one opts in to an early-termination policy
    (``{type: bayesian, allow_early_termination: true}``, beyond HyperDrive)."""
    types = {"random": RandomParameterSampling, "grid": GridParameterSampling,
             "bayesian": BayesianParameterSampling}
    options: dict[str, Any] = {}
    if isinstance(algorithm, Mapping):
        options = dict(algorithm)
        algorithm = options.pop("type", None)
    if not isinstance(algorithm, str) or algorithm.lower() not in types:
        raise ConfigurationError(
            f"sampling_algorithm must be random, grid or bayesian, got {algorithm!r}")
    kind = types[algorithm.lower()]
    allowed = {"random": ("seed", "rule"), "grid": (),
               "bayesian": ("seed", "allow_all_expressions", "allow_early_termination")}
    _keys(f"sampling_algorithm ({algorithm})", options, allowed[algorithm.lower()])
    allow_policy = options.pop("allow_early_termination", False)
    if not isinstance(allow_policy, bool):
        raise ConfigurationTypeError(
            f"sampling_algorithm (bayesian).allow_early_termination must be true or false, "
            f"got {describe(allow_policy)}")
    if not isinstance(space, Mapping):
        raise ConfigurationTypeError(f"search_space must be a mapping, got {describe(space)}")
    with _in_yaml_words():
        try:
            return kind(dict(space), **options), allow_policy
        except (ConfigurationError, ConfigurationTypeError) as exc:
            text = str(exc)
            for key in options:  # "seed must be ..." → "sampling_algorithm.seed must be ..."
                if text.startswith(f"{key} "):
                    raise type(exc)(f"sampling_algorithm.{text}") from None
            raise


def _policy(data: Any):
    from hypersweep.policy import NoTerminationPolicy, policy_from_v2

    if data is None:
        return NoTerminationPolicy()
    return policy_from_v2(data)


def _compute(value: Any) -> str | Mapping[str, Any] | None:
    if value is None or isinstance(value, Mapping):  # {type: ray, address: ..., max_retries: 1}
        return value
    if not isinstance(value, str):
        raise ConfigurationTypeError(f"compute must be a string or a mapping, got "
                                     f"{describe(value)}")
    if value.startswith("azureml:local"):
        return value.removeprefix("azureml:")
    if value == "local" or is_ray_target(value):
        return value
    # an Azure ML compute (azureml:cpu-cluster, or a cluster's name): Azure files always name
    # one, so it must not stop the sweep; trials run on this machine instead
    warnings.warn(f"compute {value!r} is an Azure ML compute, which hypersweep does not use: "
                  "trials run on this machine (write compute: local to silence this, or "
                  "compute: {type: ray, address: HOST:PORT} for a Ray cluster)",
                  HypersweepWarning, stacklevel=2)
    return None


def _command(command: Any, inputs: Any, sampling: ParameterSampling,
             base_dir: str | os.PathLike = ".") -> list[str]:
    """Split the command into argv tokens and fill ``${{inputs.x}}`` placeholders now.

    ``${{search_space.x}}`` placeholders stay for each trial to fill; each one must name a
    key of the search space. Splitting before substitution keeps every value one argument.
    Azure's documented spacing, ``${{ search_space.x }}``, is the same placeholder. A local
    input ``path`` is made absolute from the YAML file's folder, as Azure resolves it
    (trials run in their own folders, where a relative path would not exist).
    """
    text("trial.command", command)
    if not isinstance(inputs, Mapping):
        raise ConfigurationTypeError(f"inputs must be a mapping, got {describe(inputs)}")
    command = _PLACEHOLDER.sub(lambda m: f"${{{{{m.group(1)}.{m.group(2)}}}}}", command)
    command = join_lines(command).strip()
    shell = needs_shell(command)
    if not shell:
        try:
            tokens = shlex.split(command)
        except ValueError as exc:
            raise ConfigurationError(
                f"trial.command cannot be split into arguments: {exc}") from None

    def fill(match: re.Match[str]) -> str:
        scope, key = match.group(1), match.group(2)
        if scope == "search_space":
            if key not in sampling.space:
                raise ConfigurationError(
                    f"trial.command refers to ${{{{search_space.{key}}}}} but search_space has "
                    f"no {key!r} (it has: {', '.join(sampling.space)})")
            return match.group(0)
        if scope == "inputs":
            if key not in inputs:
                raise ConfigurationError(f"trial.command refers to inputs.{key}, which "
                                         "inputs does not define")
            value = inputs[key]
            is_path = isinstance(value, Mapping) and "path" in value
            if isinstance(value, Mapping):
                value = value.get("path", value.get("value"))
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise ConfigurationTypeError(
                    f"inputs.{key} must be a string, a number or have a 'path', got "
                    f"{describe(value)}")
            if is_path and isinstance(value, str):
                if _REMOTE.match(value):
                    warnings.warn(f"inputs.{key}: {value!r} is not a local path; hypersweep "
                                  "passes it to the script as written (it downloads nothing)",
                                  HypersweepWarning, stacklevel=2)
                else:
                    value = str(Path(base_dir, os.path.expanduser(value)).resolve())
            return str(value)
        if scope == "outputs":
            return match.group(0)  # filled per trial with its outputs folder
        raise ConfigurationError(
            f"trial.command: unknown placeholder {match.group(0)!r}; allowed: "
            "${{search_space.NAME}}, ${{inputs.NAME}}, ${{outputs.NAME}}")

    if shell:  # run by a shell, placeholders filled in as text (as Azure)
        return shell_command(_PLACEHOLDER.sub(fill, command))
    return [_PLACEHOLDER.sub(fill, token) for token in tokens]
