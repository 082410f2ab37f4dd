"""Sampling methods: random (and Sobol), grid and Bayesian, behind one pure interface."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypersweep._checks import describe
from hypersweep.errors import ConfigurationError, ConfigurationTypeError
from hypersweep.sampling._base import Observation, ParameterSampling
from hypersweep.sampling._bayesian import BayesianParameterSampling
from hypersweep.sampling._grid import GridParameterSampling
from hypersweep.sampling._random import RandomParameterSampling

__all__ = [
    "BayesianParameterSampling",
    "GridParameterSampling",
    "Observation",
    "ParameterSampling",
    "RandomParameterSampling",
    "sampling_from_json",
]

_TYPES: dict[str, type[ParameterSampling]] = {
    cls.sampling_name: cls
    for cls in (RandomParameterSampling, GridParameterSampling, BayesianParameterSampling)
}


def sampling_from_json(data: Mapping[str, Any]) -> ParameterSampling:
    """Rebuild a sampling from :meth:`ParameterSampling.to_json` output."""
    if not isinstance(data, Mapping):
        raise ConfigurationTypeError(f"sampling must be a dict, got {describe(data)}")
    options = dict(data)
    kind = options.pop("type", None)
    if not isinstance(kind, str) or kind not in _TYPES:
        raise ConfigurationError(
            f"sampling type must be one of {', '.join(_TYPES)}, got {kind!r}")
    space = options.pop("space", None)
    try:
        return _TYPES[kind](space, **options)
    except TypeError as exc:
        if isinstance(exc, ConfigurationTypeError):
            raise
        raise ConfigurationError(f"sampling {kind}: {exc}") from None
