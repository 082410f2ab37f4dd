"""Early-termination policies: pure rules that stop poorly performing runs.

``BanditPolicy``, ``MedianStoppingPolicy`` and ``TruncationSelectionPolicy`` follow
HyperDrive (SPEC §4); ``AsyncHyperBandPolicy`` (ASHA) goes beyond it. Each is
serialised by :meth:`EarlyTerminationPolicy.to_json` and rebuilt by
:func:`policy_from_json`; :func:`policy_from_v2` reads Azure ML v2 sweep YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypersweep._checks import describe
from hypersweep.errors import ConfigurationError, ConfigurationTypeError
from hypersweep.policy._asha import AsyncHyperBandPolicy
from hypersweep.policy._bandit import BanditPolicy
from hypersweep.policy._base import EarlyTerminationPolicy, NoTerminationPolicy
from hypersweep.policy._median import MedianStoppingPolicy
from hypersweep.policy._series import Series
from hypersweep.policy._support import build
from hypersweep.policy._truncation import TruncationSelectionPolicy
from hypersweep.policy._v2 import policy_from_v2

__all__ = [
    "AsyncHyperBandPolicy",
    "BanditPolicy",
    "EarlyTerminationPolicy",
    "MedianStoppingPolicy",
    "NoTerminationPolicy",
    "Series",
    "TruncationSelectionPolicy",
    "policy_from_json",
    "policy_from_v2",
]

_TYPES: dict[str, type[EarlyTerminationPolicy]] = {
    cls.policy_name: cls
    for cls in (NoTerminationPolicy, BanditPolicy, MedianStoppingPolicy,
                TruncationSelectionPolicy, AsyncHyperBandPolicy)
}


def policy_from_json(data: Mapping[str, Any] | None) -> EarlyTerminationPolicy:
    """Rebuild a policy from :meth:`EarlyTerminationPolicy.to_json` output (None → none)."""
    if data is None:
        return NoTerminationPolicy()
    if not isinstance(data, Mapping):
        raise ConfigurationTypeError(f"policy must be a dict, got {describe(data)}")
    options = dict(data)
    kind = options.pop("type", None)
    if not isinstance(kind, str) or kind not in _TYPES:
        raise ConfigurationError(f"policy type must be one of {', '.join(_TYPES)}, got {kind!r}")
    return build(f"policy ({kind})", _TYPES[kind], options)
