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
    settings, and candidates for the comparisons at matched saving (160 settings).

    One fixed grid, the same for every curve set and concurrency:

    - Bandit: slack_factor 0.05, 0.2, 1 x evaluation_interval 1 x delay_evaluation
      1..10 (30);
    - Truncation: truncation_percentage 10, 20, ..., 90 x ten schedules: every epoch
      from epoch 1, 2, 3, 5 or 10 (interval 1, delay 1/2/3/5/10), or every i-th epoch
      from epoch i for i = 2..6 (interval = delay = i) (90);
    - ASHA: min_interval 1..9 x reduction_factor 2..6, max_interval 27, the run length
      (45).

    The five headline settings that fall in this grid are left out (they run through
    the controller anyway): 165 - 5 = 160. Median stopping is not scanned: its earlier
    scanned settings, Median(1, 1) and Median(1, 3), saved 9-49 % on the crossing sets,
    far from any Optuna pruner's saving (>= 71 %), were never on a saving/regret
    frontier, and their replays cost 10-40 times the others' (37 % of the old scan's
    CPU time); the headline Median(1, 5) is reported.
    """
    out = [bandit(s, 1, d) for s in (0.05, 0.2, 1.0) for d in range(1, 11)]
    out += [truncation(p, 1, d) for p in range(10, 100, 10) for d in (1, 2, 3, 5, 10)]
    out += [truncation(p, i, i) for p in range(10, 100, 10) for i in range(2, 7)]
    out += [asha(m, eta) for m in range(1, 10) for eta in range(2, 7)]
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
