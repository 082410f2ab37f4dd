"""The ``early_termination`` block of an Azure ML v2 sweep job, as a policy object.

Accepted (``null`` or a missing block means no policy)::

    early_termination: {type: bandit, slack_factor: 0.1, evaluation_interval: 1,
                        delay_evaluation: 5}
    early_termination: {type: median_stopping, evaluation_interval: 1, delay_evaluation: 5}
    early_termination: {type: truncation_selection, truncation_percentage: 20}
    early_termination: {type: asha, min_interval: 1, reduction_factor: 3, max_interval: 81}

The REST spellings are accepted too: ``policyType: Bandit``, ``slackFactor``,
``evaluationInterval``, ``truncationPercentage``... (camelCase keys become snake_case;
type names ignore case, ``_`` and ``-``). A key set to ``null`` counts as absent.
Azure writes ``0`` for the slack that is not used (``slack_amount: 0.0`` next to
``slack_factor: 0.1``), so a zero slack beside a non-zero one is dropped.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Mapping
from typing import Any

from hypersweep._checks import describe, is_number
from hypersweep.errors import ConfigurationError, ConfigurationTypeError, HypersweepError
from hypersweep.policy._asha import AsyncHyperBandPolicy
from hypersweep.policy._bandit import BanditPolicy
from hypersweep.policy._base import EarlyTerminationPolicy, NoTerminationPolicy
from hypersweep.policy._median import MedianStoppingPolicy
from hypersweep.policy._support import build, check_keys
from hypersweep.policy._truncation import TruncationSelectionPolicy

__all__ = ["policy_from_v2"]

# canonical v2 type name → class; the options are the constructor's keyword arguments
_KINDS: dict[str, type[EarlyTerminationPolicy]] = {
    "bandit": BanditPolicy,
    "median_stopping": MedianStoppingPolicy,
    "truncation_selection": TruncationSelectionPolicy,
    "asha": AsyncHyperBandPolicy,
    "none": NoTerminationPolicy,
}
_ALIASES = {"asynchyperband": "asha", "asynchyperbandpolicy": "asha", "notermination": "none",
            "banditpolicy": "bandit", "medianstoppingpolicy": "median_stopping",
            "truncationselectionpolicy": "truncation_selection"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def policy_from_v2(data: Mapping[str, Any] | None) -> EarlyTerminationPolicy:
    """Build the policy an Azure ML v2 ``early_termination`` mapping describes.

    Every malformed input raises a :class:`~hypersweep.errors.HypersweepError` naming the
    key, the value and what is allowed; an unknown key names the nearest valid one.

    Example::

        >>> policy_from_v2({"type": "bandit", "slack_factor": 0.1, "delay_evaluation": 5})
        BanditPolicy(slack_factor=0.1, evaluation_interval=1, delay_evaluation=5)
        >>> policy_from_v2(None)
        NoTerminationPolicy()
    """
    if data is None:
        return NoTerminationPolicy()
    if not isinstance(data, Mapping):
        raise ConfigurationTypeError(
            "early_termination must be a mapping with a type (bandit, median_stopping, "
            f"truncation_selection, asha) or null, got {describe(data)}")
    options = _snake_keys(data)
    kind = _kind(options.pop("type", None))
    where = f"early_termination ({kind})"
    check_keys(where, options, list(inspect.signature(_KINDS[kind]).parameters))
    options = {key: value for key, value in options.items() if value is not None}
    if kind == "bandit":
        options = _drop_unused_slack(options)
    try:
        return build(where, _KINDS[kind], options)
    except HypersweepError as exc:
        if str(exc).startswith(where):
            raise
        raise type(exc)(f"{where}: {exc}") from exc


def _snake_keys(data: Mapping[Any, Any]) -> dict[str, Any]:
    """The mapping with camelCase keys in snake_case (``policyType`` becomes ``type``)."""
    result: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            raise ConfigurationTypeError(
                f"early_termination: option names must be strings, got {describe(key)}")
        name = _CAMEL.sub("_", key).lower()
        name = "type" if name == "policy_type" else name
        if name in result:
            raise ConfigurationError(
                f"early_termination: {key!r} and {spelled[name]!r} are the same option; "
                "give it once")
        result[name] = value
        spelled[name] = key
    return result


def _kind(value: Any) -> str:
    """The canonical type name for ``value`` (``MedianStopping`` → ``median_stopping``)."""
    names = list(_KINDS)
    if value is None:
        raise ConfigurationError(
            f"early_termination: type is required, one of {', '.join(names)}")
    if not isinstance(value, str):
        raise ConfigurationTypeError(
            f"early_termination: type must be a string, one of {', '.join(names)}; "
            f"got {describe(value)}")
    squashed = re.sub(r"[\s_\-]", "", value).lower()
    canonical = {name.replace("_", ""): name for name in _KINDS}
    kind = canonical.get(squashed) or _ALIASES.get(squashed)
    if kind is None:
        near = (["asha"] if "hyperband" in squashed or "halving" in squashed
                else difflib.get_close_matches(value.lower(), names, n=1, cutoff=0.5))
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ConfigurationError(
            f"early_termination: type must be one of {', '.join(names)}, got {value!r}{hint}")
    return kind


def _drop_unused_slack(options: dict[str, Any]) -> dict[str, Any]:
    """Drop a zero slack given next to the other slack, as Azure serialises the unused one."""
    factor, amount = options.get("slack_factor"), options.get("slack_amount")
    if factor is None or amount is None:
        return options
    if _is_zero(factor) and _is_zero(amount):
        raise ConfigurationError(
            "early_termination (bandit): exactly one of slack_factor or slack_amount must be "
            "a number > 0, got slack_factor=0 and slack_amount=0")
    if _is_zero(amount):
        return {key: value for key, value in options.items() if key != "slack_amount"}
    if _is_zero(factor):
        return {key: value for key, value in options.items() if key != "slack_factor"}
    return options


def _is_zero(value: Any) -> bool:
    return is_number(value) and value == 0
