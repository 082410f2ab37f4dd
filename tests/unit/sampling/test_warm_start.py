"""Issue 6 acceptance: a Bayesian sweep warm-started from a 30-run parent reaches a target
in fewer new runs than a cold start (median over 5 seeds).

Simulated through the pure sampler interface (the controller passes a parent's results
as prior observations exactly like this; see controller._reconcile.load_parents).
"""

from __future__ import annotations

import math
import statistics

from hypersweep import BayesianParameterSampling, PrimaryMetricGoal, uniform
from hypersweep.sampling import Observation, RandomParameterSampling

SPACE = {"x": uniform(-5, 10), "y": uniform(0, 15)}
BRANIN_MIN = 0.397887
TARGET = 1.0  # within ~0.6 of Branin's minimum
BUDGET = 25


def branin(p: dict) -> float:
    x, y = p["x"], p["y"]
    return ((y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2
            + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10)


def runs_to_target(seed: int, prior: list[Observation]) -> int:
    sampler = BayesianParameterSampling(SPACE, seed=seed)
    history = list(prior)
    for new in range(1, BUDGET + 1):
        params = sampler.suggest(history, 1, goal=PrimaryMetricGoal.MINIMIZE)[0]
        value = branin(params)
        if value <= TARGET:
            return new
        history.append(Observation(params, value))
    return BUDGET + 1


def test_warm_start_needs_fewer_new_runs_than_a_cold_start():
    warm, cold = [], []
    for seed in range(5):
        parent = RandomParameterSampling(SPACE, seed=100 + seed).suggest([], 30)
        prior = [Observation(p, branin(p)) for p in parent
                 if branin(p) > TARGET]  # the parent itself did not reach the target
        warm.append(runs_to_target(seed, prior))
        cold.append(runs_to_target(seed, []))
    assert statistics.median(warm) < statistics.median(cold), (warm, cold)
