"""What each trial runs: the training script, its own arguments and its environment."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from hypersweep._checks import (
    checked_arguments,
    describe,
    integer,
    is_number,
    number,
    process_text,
    text,
)
from hypersweep._shell import (
    is_shell_command,
    join_lines,
    needs_shell,
    shell_command,
    tokens_need_shell,
)
from hypersweep.config._environment import Environment
from hypersweep.errors import ConfigurationError, ConfigurationTypeError, HypersweepWarning

__all__ = ["Environment", "ScriptRunConfig"]

_DEFAULT_MAX_RUN_SECONDS = 2_592_000  # 30 days, HyperDrive's default


def _argument(index: int, value: Any) -> str:
    if isinstance(value, str):
        return process_text(f"arguments[{index}]", value)
    if isinstance(value, bool) or is_number(value):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise ConfigurationTypeError(
        f"arguments[{index}] must be a string or a number, got {describe(value)}")


class ScriptRunConfig:
    """The training script every trial runs (HyperDrive's ``ScriptRunConfig``).

    Example::

        ScriptRunConfig(source_directory="examples/digits", script="train.py",
                        arguments=["--epochs", 10])

    Sampled hyperparameters are appended to ``arguments`` as ``--name value`` pairs.
    ``max_run_duration_seconds`` bounds each trial (as in HyperDrive). ``resources`` is
    each trial's request on a Ray cluster (ignored by local processes): ``num_cpus``
    (default 1), ``num_gpus``, ``memory`` (bytes) and custom Ray resources by name, e.g.
    ``resources={"num_cpus": 4, "num_gpus": 1}``; ``compute_target`` may then be
    ``"ray"``, ``"auto"``, ``"ray://host:port"`` or ``{"type": "ray", "address": ...,
    "max_retries": 1, ...}`` (options of :class:`~hypersweep.execution._ray.RayExecutor`).
    """

    @checked_arguments
    def __init__(self, source_directory: str | os.PathLike = ".", script: str | None = None,
                 arguments: Sequence[Any] | None = None, run_config: Any = None,
                 _telemetry_values: Any = None, compute_target: Any = None,
                 environment: Environment | Mapping[str, str] | None = None, *,
                 max_run_duration_seconds: float = _DEFAULT_MAX_RUN_SECONDS,
                 command: Sequence[str] | str | None = None,
                 resources: Mapping[str, float] | None = None) -> None:
        if not isinstance(source_directory, str | os.PathLike):
            raise ConfigurationTypeError(
                f"source_directory must be a path, got {describe(source_directory)}")
        self.source_directory = os.fspath(source_directory)
        if script is None and command is None:
            raise ConfigurationError(
                "script is required: the training script's path inside source_directory, "
                "e.g. script='train.py' (or give command=[...])")
        if script is not None:
            if not isinstance(script, str | os.PathLike):
                raise ConfigurationTypeError(f"script must be a path, got {describe(script)}")
            script = os.fspath(script)
            if not script.strip():
                raise ConfigurationError("script must be a non-empty path, got ''")
        self.script = script
        if arguments is None:
            arguments = []
        if isinstance(arguments, str | bytes) or not isinstance(arguments, Sequence):
            raise ConfigurationTypeError(
                f"arguments must be a list of strings or numbers, got {describe(arguments)}")
        self.arguments = [_argument(i, a) for i, a in enumerate(arguments)]
        self.command = _command(command)
        self.run_config = run_config
        self.compute_target = _compute(compute_target)
        self.resources = _resources("resources", resources)
        if environment is None:
            environment = Environment()
        elif isinstance(environment, Mapping):
            environment = Environment(environment_variables=environment)
        elif not isinstance(environment, Environment):
            raise ConfigurationTypeError(
                f"environment must be an Environment, a dict of variables or None, got "
                f"{describe(environment)}")
        self.environment = environment
        self.max_run_duration_seconds = number("max_run_duration_seconds",
                                               max_run_duration_seconds)
        if self.max_run_duration_seconds <= 0:
            raise ConfigurationError(
                f"max_run_duration_seconds must be > 0, got {max_run_duration_seconds!r}")

    def __repr__(self) -> str:
        return (f"ScriptRunConfig(source_directory={self.source_directory!r}, "
                f"script={self.script!r}, arguments={self.arguments!r})")


def _command(command: Any) -> list[str] | None:
    if command is None:
        return None
    if isinstance(command, str):
        import shlex

        text = join_lines(command).strip()
        if needs_shell(text):  # run by a shell, as Azure runs a command
            return shell_command(text)
        try:
            command = shlex.split(text)
        except ValueError as exc:
            raise ConfigurationError(f"command cannot be split into arguments: {exc}") from None
    if not isinstance(command, Sequence) or not command:
        raise ConfigurationError(f"command must be a non-empty list of strings, got "
                                 f"{describe(command)}")
    tokens = [_argument(i, c) for i, c in enumerate(command)]
    if tokens_need_shell(tokens) and not is_shell_command(tokens):
        return shell_command(" ".join(tokens))  # a shell command split into words
    return tokens


def is_ray_target(target: str) -> bool:
    """Whether a compute-target string names Ray (``ray``, ``ray://host:port``, ``auto``)."""
    return target.startswith(("ray", "ray://")) or target == "auto"


def _compute(target: Any) -> dict[str, Any]:
    if target is None or target == "local":
        return {"type": "local"}
    if isinstance(target, str):
        if is_ray_target(target):
            address = None if target == "ray" else target
            return {"type": "ray", "address": address}
        # an Azure ML compute's name ("cpu-cluster"), as HyperDrive code passes it: the
        # same treatment as `compute: azureml:cpu-cluster` in sweep YAML
        warnings.warn(f"compute_target {target!r} is an Azure ML compute, which hypersweep "
                      "does not use: trials run on this machine (pass 'local' to silence "
                      "this, or 'ray' / 'ray://host:port' for a Ray cluster)",
                      HypersweepWarning, stacklevel=3)
        return {"type": "local"}
    if isinstance(target, Mapping):
        return _compute_mapping(target)
    to_json = getattr(target, "to_json", None)
    if callable(to_json):
        data = to_json()
        if not isinstance(data, Mapping):
            raise ConfigurationTypeError(
                f"compute_target: {describe(target)}.to_json() must return a dict, got "
                f"{describe(data)}")
        return _compute_mapping(data)
    raise ConfigurationTypeError(
        f"compute_target must be 'local', 'ray', a dict or a compute object, got "
        f"{describe(target)}")


_AZURE_SIZING = ("instance_count", "instance_type", "shm_size", "docker_args", "properties",
                 "locations")


def _option(key: str, value: Any) -> Any:
    """One RayExecutor keyword option, checked here so a typo fails at configuration."""
    field = f"compute_target {key}"
    if key == "max_retries":
        return integer(field, value, minimum=0)
    if key == "poll_seconds":
        return number(field, value)
    if key in ("shared_filesystem", "check_resources"):
        if not isinstance(value, bool):
            raise ConfigurationTypeError(f"{field} must be True or False, got "
                                         f"{describe(value)}")
        return value
    if key in ("worker_dir", "namespace"):
        return text(field, value)
    if key == "runtime_env":
        if not isinstance(value, Mapping):
            raise ConfigurationTypeError(f"{field} must be a dict, got {describe(value)}")
        return dict(value)
    raise ConfigurationError(
        f"compute_target: unknown Ray option {key!r}; allowed: type, address, max_retries, "
        "shared_filesystem, worker_dir, namespace, runtime_env, check_resources, poll_seconds")


def _compute_mapping(target: Mapping[str, Any]) -> dict[str, Any]:
    """``{"type": "ray", "address": ..., <RayExecutor options>}`` (options may also be
    nested under ``"options"``) → ``{"type", "address", "options"}``."""
    data = dict(target)
    kind = data.pop("type", "ray")
    if kind == "local" and not data:
        return {"type": "local"}
    if kind != "ray":
        raise ConfigurationError(f"compute_target type must be 'local' or 'ray', got {kind!r}")
    address = data.pop("address", None)
    if address is not None and not isinstance(address, str):
        raise ConfigurationTypeError(f"compute_target address must be a string, got "
                                     f"{describe(address)}")
    nested = data.pop("options", None) or {}
    if not isinstance(nested, Mapping):
        raise ConfigurationTypeError(f"compute_target options must be a dict, got "
                                     f"{describe(nested)}")
    options = {key: _option(key, value) for key, value in {**nested, **data}.items()}
    out: dict[str, Any] = {"type": "ray", "address": address}
    if options:
        out["options"] = options
    return out


def _resources(field: str, value: Any) -> dict[str, float]:
    """A trial's resource request: resource name → amount (a number >= 0)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigurationTypeError(f"{field} must be a dict of resource name → number, "
                                     f"e.g. {{'num_cpus': 2, 'num_gpus': 1}}, got "
                                     f"{describe(value)}")
    out: dict[str, float] = {}
    for name, amount in value.items():
        if name in _AZURE_SIZING:
            raise ConfigurationError(
                f"{field}: {name!r} sizes Azure ML compute, which hypersweep does not use; "
                "give num_cpus, num_gpus, memory (bytes) or custom Ray resources")
        if not isinstance(name, str) or not name:
            raise ConfigurationTypeError(f"{field}: resource names must be non-empty strings, "
                                         f"got {describe(name)}")
        if isinstance(amount, bool) or not is_number(amount) or not amount >= 0:
            raise ConfigurationError(f"{field}[{name!r}] must be a number >= 0, got "
                                     f"{amount!r}")
        out[name] = float(amount)
    return out
