"""The process environment of every trial, with Azure ML's ``Environment`` surface."""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Mapping
from typing import Any

from hypersweep._checks import checked_arguments, describe, process_text
from hypersweep.errors import ConfigurationError, ConfigurationTypeError, HypersweepWarning

__all__ = ["Environment", "PythonSection"]

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Environment:
    """The process environment of every trial.

    ``python_interpreter`` runs the script (default: the interpreter running hypersweep);
    ``environment_variables`` are added to the inherited environment.
    """

    @checked_arguments
    def __init__(self, name: str = "local", *, python_interpreter: str | None = None,
                 environment_variables: Mapping[str, str] | None = None) -> None:
        self.python = PythonSection(self)
        if not isinstance(name, str):
            raise ConfigurationTypeError(f"environment name must be a string, got "
                                         f"{describe(name)}")
        self.name = name
        if python_interpreter is not None and not isinstance(python_interpreter, str | os.PathLike):
            raise ConfigurationTypeError(
                f"python_interpreter must be a path, got {describe(python_interpreter)}")
        self.python_interpreter = str(python_interpreter) if python_interpreter else None
        self.environment_variables = _env_vars(
            {} if environment_variables is None else environment_variables)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "python_interpreter": self.python_interpreter,
                "environment_variables": _env_vars(self.environment_variables)}

    # -- Azure ML's constructors, so that HyperDrive code runs unchanged ---------------
    @classmethod
    def from_conda_specification(cls, name: str, file_path: str | os.PathLike
                                 ) -> Environment:
        """An environment named after a conda file. hypersweep builds no environments:
        trials run with this interpreter (or ``python.interpreter_path``), and a warning
        says to install the file's packages into it."""
        return cls._described_by(name, file_path, "conda specification")

    @classmethod
    def from_pip_requirements(cls, name: str, file_path: str | os.PathLike) -> Environment:
        """An environment named after a pip requirements file (see
        :meth:`from_conda_specification`)."""
        return cls._described_by(name, file_path, "pip requirements")

    @classmethod
    def get(cls, workspace: Any, name: str, version: str | None = None) -> Environment:
        """A registered or curated Azure ML environment by name (e.g.
        ``AzureML-sklearn-1.0-ubuntu20.04-py38-cpu``): the name is kept, trials run with
        this interpreter."""
        env = cls(name)
        warnings.warn(f"Environment {name!r} is an Azure ML environment, which hypersweep "
                      f"does not build: trials run with {sys.executable}",
                      HypersweepWarning, stacklevel=2)
        return env

    def register(self, workspace: Any) -> Environment:
        """Azure ML stores environments in the workspace; here it is part of each sweep's
        record already, so this returns the environment unchanged."""
        return self

    @classmethod
    def _described_by(cls, name: str, file_path: str | os.PathLike, what: str
                      ) -> Environment:
        if not isinstance(file_path, str | os.PathLike) or not os.path.isfile(file_path):
            raise ConfigurationError(f"{what} file {file_path!r} of environment {name!r} "
                                     "does not exist")
        env = cls(name)
        warnings.warn(f"Environment {name!r}: hypersweep does not build environments from "
                      f"a {what} file; trials run with {sys.executable} (or "
                      f"python.interpreter_path): install the packages of {str(file_path)!r} "
                      "into it", HypersweepWarning, stacklevel=3)
        return env

    def __repr__(self) -> str:
        return f"Environment({self.name!r})"


def _env_vars(values: Any) -> dict[str, str]:
    if not isinstance(values, Mapping):
        raise ConfigurationTypeError(
            f"environment_variables must be a dict of str → str, got {describe(values)}")
    out = {}
    for key, value in values.items():
        if not isinstance(key, str) or not _ENV_NAME.fullmatch(key):
            raise ConfigurationError(
                f"environment_variables: invalid variable name {key!r}; allowed: letters, "
                "digits and '_', not starting with a digit")
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ConfigurationTypeError(
                f"environment_variables[{key!r}] must be a string, got {describe(value)}")
        out[key] = process_text(f"environment_variables[{key!r}]", str(value))
    return out


class PythonSection:
    """Azure ML's ``Environment.python``. ``interpreter_path`` (with
    ``user_managed_dependencies = True`` in Azure ML) is the interpreter that runs the
    script: the same setting as ``Environment.python_interpreter``."""

    def __init__(self, env: Environment) -> None:
        self._env = env
        self.user_managed_dependencies = False
        self.conda_dependencies: Any = None

    @property
    def interpreter_path(self) -> str | None:
        return self._env.python_interpreter

    @interpreter_path.setter
    def interpreter_path(self, path: str | os.PathLike | None) -> None:
        if path is not None and not isinstance(path, str | os.PathLike):
            raise ConfigurationTypeError(
                f"python.interpreter_path must be a path, got {describe(path)}")
        self._env.python_interpreter = str(path) if path else None
