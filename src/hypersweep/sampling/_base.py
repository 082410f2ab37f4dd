"""The sampler interface: history in, parameter sets out.

A sampler is pure. It sees only the search space it was built with, its own seed and the
history the controller passes in; it never touches the store, a clock or global
randomness. The same history therefore always yields the same suggestions, which is what
makes a killed controller resume with the very same next configurations.
"""

from __future__ import annotations

import abc
import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from hypersweep._checks import describe, integer
from hypersweep.errors import ConfigurationTypeError, HypersweepWarning
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.space import SearchSpace

__all__ = ["Observation", "ParameterSampling"]


@dataclasses.dataclass(frozen=True)
class Observation:
    """One earlier trial as a sampler sees it.

    ``value`` is the run's best primary-metric value (None while the run is pending, or
    when it never logged the metric); ``pending`` is True while the run is still going.
    """

    params: Mapping[str, Any]
    value: float | None = None
    pending: bool = False


class ParameterSampling(abc.ABC):
    """Base of the sampling methods (HyperDrive's name for a sampler).

    Subclasses validate their space when built and implement :meth:`suggest`, which the
    controller calls whenever it may start ``n`` more trials. ``history`` holds every
    trial of the experiment so far (finished, failed and pending) plus warm-start
    observations, oldest first. Returning fewer than ``n`` sets means the space is
    exhausted and the sweep ends when the running trials finish.
    """

    sampling_name: ClassVar[str]
    #: Whether suggestions depend on the history's metric values (not only on which
    #: points were tried). When they do not, the controller starts the next trial as soon
    #: as a slot frees, before it has recorded how the ended one finished.
    uses_results: ClassVar[bool] = True
    #: ``properties`` keys this sampling reads (case-insensitive), as the Azure ML SDK
    #: passes options; an explicit keyword argument wins over a property.
    _property_names: ClassVar[tuple[str, ...]] = ("seed",)

    def __init__(self, parameter_space: Mapping[str, Any], properties: Mapping | None = None,
                 *, seed: int | None = None) -> None:
        self._space = SearchSpace(parameter_space)
        if properties is not None and not isinstance(properties, Mapping):
            raise ConfigurationTypeError(
                f"properties must be a dict or None, got {describe(properties)}")
        self._properties = dict(properties or {})
        unknown = sorted(str(k) for k in self._properties
                         if str(k).lower() not in self._property_names)
        if unknown:
            warnings.warn(f"{type(self).__name__}: properties {', '.join(map(repr, unknown))} "
                          f"are not used (known: {', '.join(self._property_names) or 'none'})",
                          HypersweepWarning, stacklevel=3)
        if seed is None and "seed" in self._property_names:
            seed = self._property("seed")  # Azure ML SDK v1 style: properties={"seed": 5}
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        self._seed = integer("seed", seed, minimum=0)

    def _property(self, name: str, default: Any = None) -> Any:
        """The value of ``properties[name]``, the key matched case-insensitively."""
        return {str(k).lower(): v for k, v in self._properties.items()}.get(name, default)

    @property
    def space(self) -> SearchSpace:
        """The validated search space."""
        return self._space

    @property
    def seed(self) -> int:
        """The seed actually used (chosen at random when none was given)."""
        return self._seed

    @abc.abstractmethod
    def suggest(self, history: Sequence[Observation], n: int, *,
                goal: PrimaryMetricGoal = PrimaryMetricGoal.MAXIMIZE) -> list[dict[str, Any]]:
        """Return up to ``n`` new parameter sets given everything tried so far."""

    def options(self) -> dict[str, Any]:
        """Constructor options besides the space, as stored in the experiment spec."""
        return {"seed": self._seed}

    def to_json(self) -> dict[str, Any]:
        """The sampling as stored: ``{"type": ..., "space": ..., **options}``."""
        return {"type": self.sampling_name, "space": self._space.to_json(), **self.options()}

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        return f"{type(self).__name__}({dict(self._space)!r}, {opts})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParameterSampling):
            return NotImplemented
        return self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]
