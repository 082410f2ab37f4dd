"""A search space: an ordered, validated mapping of hyperparameter names to expressions.

Names may be written ``"lr"`` or ``"--lr"``; the key is kept exactly as written (results
report it that way, as HyperDrive does) and decides the command-line flag.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hypersweep._checks import describe
from hypersweep.errors import ConfigurationTypeError, SearchSpaceError
from hypersweep.space._codec import expression_from_data
from hypersweep.space._expressions import ParameterExpression

__all__ = ["SearchSpace", "render_value"]

_NAME = re.compile(r"^-{0,2}[A-Za-z_][A-Za-z0-9_.\-]*$")


def render_value(value: Any) -> str:
    """Command-line text of a sampled value: ints as ints, floats by repr, str as given."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return str(value)


# HYPERSWEEP_<name> variables hypersweep itself gives a trial or reads in one: a
# hyperparameter of that name would overwrite them (its metrics would go astray)
RESERVED_ENV_NAMES = frozenset({
    "RUN_ID", "EXPERIMENT", "SWEEP_ID", "METRICS_PATH", "OUTPUT_DIR", "RUN_DIR",
    "RESUME_FROM", "EXIT_PATH", "WORKSPACE", "ARTIFACTS", "FLUSH_SECONDS",
    "STORE_RETRY_SECONDS", "UI_TOKEN"})


class SearchSpace(Mapping[str, ParameterExpression]):
    """An ordered ``name → expression`` mapping, validated when built.

    Example::

        space = SearchSpace({"--lr": loguniform(-6, -1), "batch_size": choice(16, 32)})
        space.arguments({"--lr": 0.01, "batch_size": 16})
        # ['--lr', '0.01', '--batch_size', '16']
    """

    __slots__ = ("_items",)

    def __init__(self, space: Mapping[str, Any], *, field: str = "parameter_space") -> None:
        if isinstance(space, SearchSpace):
            object.__setattr__(self, "_items", dict(space._items))
            return
        if not isinstance(space, Mapping):
            raise ConfigurationTypeError(
                f"{field} must be a dict of name → parameter expression, got {describe(space)}")
        if not space:
            raise SearchSpaceError(f"{field} must hold at least one hyperparameter, got {{}}")
        items: dict[str, ParameterExpression] = {}
        flags: dict[str, str] = {}
        for name, expr in space.items():
            if not isinstance(name, str):
                raise ConfigurationTypeError(
                    f"{field}: hyperparameter names must be strings, got {describe(name)}")
            if not _NAME.fullmatch(name):
                raise SearchSpaceError(
                    f"{field}: invalid hyperparameter name {name!r}; allowed: letters, digits, "
                    "'_', '.', '-', starting with a letter or '_' after an optional '-' or '--'")
            flag = self.flag_of(name)
            if flag in flags:
                raise SearchSpaceError(
                    f"{field}: {flags[flag]!r} and {name!r} both become the flag {flag!r}")
            flags[flag] = name
            env = f"HYPERSWEEP_{self.env_name(name)}"
            if self.env_name(name) in RESERVED_ENV_NAMES:
                raise SearchSpaceError(
                    f"{field}: hyperparameter {name!r} would set {env}, which hypersweep "
                    "sets itself for every trial (its run id, metrics channel or folders); "
                    f"rename it (reserved: {', '.join(sorted(RESERVED_ENV_NAMES))})")
            if env in flags:  # 'a.b' and 'a_b': one variable would hide the other's value
                raise SearchSpaceError(
                    f"{field}: {flags[env]!r} and {name!r} both become the environment "
                    f"variable {env}; rename one")
            flags[env] = name
            items[name] = expression_from_data(expr, f"{field}[{name!r}]")
        object.__setattr__(self, "_items", items)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("SearchSpace is immutable")

    def __getitem__(self, name: str) -> ParameterExpression:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"SearchSpace({self._items!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SearchSpace):
            return list(self._items.items()) == list(other._items.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    # -- rendering ------------------------------------------------------------------
    @staticmethod
    def flag_of(name: str) -> str:
        """The command-line flag for a key: used verbatim if it starts with '-'."""
        return name if name.startswith("-") else f"--{name}"

    @staticmethod
    def env_name(name: str) -> str:
        """The environment-variable suffix for a key: '--learning-rate' → 'learning_rate'."""
        return re.sub(r"[^A-Za-z0-9_]", "_", name.lstrip("-"))

    def arguments(self, params: Mapping[str, Any]) -> list[str]:
        """``--name value`` tokens for a parameter set, in search-space order."""
        out: list[str] = []
        for name in self._items:
            out += [self.flag_of(name), render_value(params[name])]
        return out

    def to_json(self) -> dict[str, list[Any]]:
        """``{name: [kind, [args]]}``, the form stored with each experiment."""
        return {name: expr.to_json() for name, expr in self._items.items()}

    # -- discreteness ---------------------------------------------------------------
    @property
    def is_discrete(self) -> bool:
        """True when every expression has finitely many values."""
        return all(e.is_discrete for e in self._items.values())

    def size(self) -> float:
        """Number of distinct points (``math.inf`` when any expression is continuous)."""
        if not self.is_discrete:
            return math.inf
        return math.prod(e.cardinality for e in self._items.values())

    def key(self, params: Mapping[str, Any]) -> str:
        """A canonical text of a parameter set, to detect duplicates."""
        return json.dumps([_canon(params.get(n)) for n in self._items])


def _canon(value: Any) -> Any:
    if isinstance(value, tuple):
        return ["__tuple__", *map(_canon, value)]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
