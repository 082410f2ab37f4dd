"""The stopping rules compared: our policies (headline settings and a scan) and Optuna's.

Our policies are written as their JSON form (``policy.to_json()``), so that a rule is
plain data that crosses process boundaries and appears verbatim in the results file.
"""

from __future__ import annotations

from typing import Any

from hypersweep.policy import EarlyTerminationPolicy, policy_from_json

__all__ = ["HEADLINE", "PEERS", "label", "make_peer", "make_policy", "scan_settings"]

EPOCHS = 27


def median(interval: int, delay: int) -> dict[str, Any]:
    return {"type": "median_stopping", "evaluation_interval": interval,
            "delay_evaluation": delay}


def bandit(slack: float, interval: int, delay: int) -> dict[str, Any]:
    return {"type": "bandit", "slack_factor": slack, "evaluation_interval": interval,
            "delay_evaluation": delay}


def truncation(percent: int, interval: int, delay: int) -> dict[str, Any]:
    return {"type": "truncation_selection", "truncation_percentage": percent,
            "evaluation_interval": interval, "delay_evaluation": delay,
            "exclude_finished_jobs": False}


def asha(minimum: int, eta: int, maximum: int | None = EPOCHS) -> dict[str, Any]:
    return {"type": "asha", "min_interval": minimum, "reduction_factor": eta,
            "max_interval": maximum}


# The settings reported for every curve set (HyperDrive's documented examples use
# evaluation_interval=1, delay_evaluation=5).
HEADLINE: list[dict[str, Any]] = [
    median(1, 5),
    bandit(0.1, 1, 5), bandit(0.2, 1, 5),
    truncation(20, 1, 5), truncation(50, 1, 5),
    asha(1, 3), asha(1, 4),
]

# Optuna's pruners as a user gets them (defaults), HyperbandPruner told the run length.
PEERS: dict[str, dict[str, Any]] = {
    "Optuna MedianPruner()": {"pruner": "MedianPruner", "options": {}},
    "Optuna SuccessiveHalvingPruner()": {"pruner": "SuccessiveHalvingPruner", "options": {}},
    "Optuna HyperbandPruner(1, 27, 3)": {"pruner": "HyperbandPruner", "options": {
        "min_resource": 1, "max_resource": EPOCHS, "reduction_factor": 3}},
}


def scan_settings() -> list[dict[str, Any]]:
    """More settings of our policies: how each rule's saving and regret depend on its
    settings, and candidates for the comparisons at matched saving (84 settings)."""
    out = [median(1, d) for d in (1, 3)]
    out += [bandit(s, 1, d) for s in (0.1, 0.5, 1.0) for d in (2, 3, 5, 10)]
    out += [truncation(p, i, d) for p in (10, 30, 50, 70, 90) for i in (1, 3)
            for d in (2, 3, 5, 10)]
    out += [asha(m, eta) for m in range(1, 7) for eta in (2, 3, 4, 5)]
    out += [asha(m, eta, 12) for m in (1, 2, 3) for eta in (2, 3)]
    return [s for s in out if s not in HEADLINE]


def make_policy(config: dict[str, Any]) -> EarlyTerminationPolicy:
    return policy_from_json(config)


def make_peer(name: str) -> Any:
    import optuna

    spec = PEERS[name]
    return getattr(optuna.pruners, spec["pruner"])(**spec["options"])


def label(config: dict[str, Any]) -> str:
    """A short name: ``Median(1, 5)``, ``Bandit(0.1, 1, 5)``, ``Truncation(20, 1, 5)``,
    ``ASHA(1, 3, 27)``."""
    kind = config["type"]
    if kind == "median_stopping":
        return f"Median({config['evaluation_interval']}, {config['delay_evaluation']})"
    if kind == "bandit":
        return (f"Bandit({config['slack_factor']:g}, {config['evaluation_interval']}, "
                f"{config['delay_evaluation']})")
    if kind == "truncation_selection":
        return (f"Truncation({config['truncation_percentage']}, "
                f"{config['evaluation_interval']}, {config['delay_evaluation']})")
    if kind == "asha":
        return (f"ASHA({config['min_interval']}, {config['reduction_factor']}, "
                f"{config['max_interval']})")
    raise ValueError(f"unknown policy type {kind!r}")
