"""Early-termination policies: pure rules that stop poorly performing runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypersweep._checks import describe
from hypersweep.errors import ConfigurationError, ConfigurationTypeError
from hypersweep.policy._base import EarlyTerminationPolicy, NoTerminationPolicy

__all__ = ["EarlyTerminationPolicy", "NoTerminationPolicy", "policy_from_json"]

_TYPES: dict[str, type[EarlyTerminationPolicy]] = {
    cls.policy_name: cls for cls in (NoTerminationPolicy,)
}


def policy_from_json(data: Mapping[str, Any] | None) -> EarlyTerminationPolicy:
    """Rebuild a policy from :meth:`EarlyTerminationPolicy.to_json` output (None → none)."""
    if data is None:
        return NoTerminationPolicy()
    if not isinstance(data, Mapping):
        raise ConfigurationTypeError(f"policy must be a dict, got {describe(data)}")
    options = dict(data)
    kind = options.pop("type", None)
    if kind not in _TYPES:
        raise ConfigurationError(f"policy type must be one of {', '.join(_TYPES)}, got {kind!r}")
    return _TYPES[kind](**options)
