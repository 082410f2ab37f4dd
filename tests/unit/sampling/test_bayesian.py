"""Bayesian sampling as the controller sees it: design, determinism, space, concurrency,
failures, warm start, discrete spaces and a quick quality check against random search."""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import pytest

from hypersweep import (
    BayesianParameterSampling,
    PrimaryMetricGoal,
    RandomParameterSampling,
    choice,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)
from hypersweep.sampling import Observation
from hypersweep.sampling._bayes import initial_design_size

MIN = PrimaryMetricGoal.MINIMIZE
MAX = PrimaryMetricGoal.MAXIMIZE
BRANIN = {"x1": uniform(-5, 10), "x2": uniform(0, 15)}
BRANIN_MIN = 0.397887357729738


def branin(p):
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def run(sampler, objective, budget, goal=MIN):
    history: list[Observation] = []
    while len(history) < budget:
        params = sampler.suggest(history, 1, goal=goal)[0]
        history.append(Observation(params, objective(params)))
    return history


def finished(sampler, objective, count, goal=MIN):
    """A history long enough that the model (not the design) makes the next suggestion."""
    return run(RandomParameterSampling(sampler.space, seed=99), objective, count, goal)


def test_initial_design_is_the_sobol_sequence():
    sampler = BayesianParameterSampling(BRANIN, seed=4)
    n = initial_design_size(sampler.space)
    sobol = RandomParameterSampling(BRANIN, seed=4, rule="sobol")
    assert sampler.suggest([], n) == sobol.suggest([], n)
    history = run(sampler, branin, n - 1)
    assert [o.params for o in history] == sobol.suggest([], n - 1)


def test_after_the_design_the_model_takes_over():
    sampler = BayesianParameterSampling(BRANIN, seed=4)
    history = finished(sampler, branin, 12)
    sobol = RandomParameterSampling(BRANIN, seed=4, rule="sobol")
    assert sampler.suggest(history, 1, goal=MIN) != sobol.suggest(history, 1)


def test_same_seed_and_history_give_the_same_suggestions():
    history = finished(BayesianParameterSampling(BRANIN, seed=1), branin, 15)
    first = BayesianParameterSampling(BRANIN, seed=1).suggest(history, 2, goal=MIN)
    again = BayesianParameterSampling(BRANIN, seed=1).suggest(history, 2, goal=MIN)
    other = BayesianParameterSampling(BRANIN, seed=2).suggest(history, 2, goal=MIN)
    assert first == again
    assert first != other


def test_the_model_moves_toward_good_values():
    sampler = BayesianParameterSampling({"x": uniform(0, 10)}, seed=0)
    history = finished(sampler, lambda p: (p["x"] - 7.3) ** 2, 10)
    x = sampler.suggest(history, 1, goal=MIN)[0]["x"]
    assert abs(x - 7.3) < 0.5
    flipped = [Observation(o.params, -o.value) for o in history]
    assert sampler.suggest(flipped, 1, goal=MAX) == sampler.suggest(history, 1, goal=MIN)


ALL_KINDS = {
    "c": choice("relu", "tanh", "sigmoid"), "n": choice(16, 32, 64), "r": randint(5),
    "u": uniform(-1, 1), "qu": quniform(0, 10, 2), "lu": loguniform(-7, -1),
    "qlu": qloguniform(0, 5, 5), "no": normal(3, 2), "qno": qnormal(0, 4, 0.5),
    "ln": lognormal(0, 1), "qln": qlognormal(1, 0.5, 1), "one": choice("only"),
    "flat": normal(5, 0),
}


def toy(params):
    return (sum(float(v) for k, v in params.items() if k not in ("c", "one"))
            + {"relu": 0.0, "tanh": 1.0, "sigmoid": 2.0}[params["c"]])


def test_every_expression_type_is_supported_and_suggestions_stay_in_the_space():
    sampler = BayesianParameterSampling(ALL_KINDS, seed=3, allow_all_expressions=True)
    history = finished(sampler, toy, 30)
    batch = sampler.suggest(history, 3, goal=MIN)
    assert len(batch) == 3
    for params in batch:
        assert list(params) == list(ALL_KINDS)
        for name, expr in sampler.space.items():
            assert expr.contains(params[name]), (name, params[name])
    assert all(p["one"] == "only" and p["flat"] == 5.0 for p in batch)


def test_pending_trials_make_concurrent_suggestions_differ():
    sampler = BayesianParameterSampling(BRANIN, seed=5)
    history = finished(sampler, branin, 15)
    alone = sampler.suggest(history, 1, goal=MIN)[0]
    with_pending = sampler.suggest([*history, Observation(alone, pending=True)], 1, goal=MIN)
    assert with_pending[0] != alone
    distance = math.dist((alone["x1"], alone["x2"]), (with_pending[0]["x1"],
                                                      with_pending[0]["x2"]))
    assert distance > 0.05
    batch = sampler.suggest(history, 4, goal=MIN)
    assert len({(p["x1"], p["x2"]) for p in batch}) == 4


def test_failed_missing_and_non_finite_values_do_not_break_the_model():
    sampler = BayesianParameterSampling(BRANIN, seed=6)
    history = finished(sampler, branin, 12)
    bad = sampler.suggest([], 4)
    history += [Observation(bad[0], None), Observation(bad[1], math.nan),
                Observation(bad[2], math.inf), Observation(bad[3], -math.inf)]
    batch = sampler.suggest(history, 2, goal=MIN)
    assert len(batch) == 2
    assert all(sampler.space[k].contains(v) for p in batch for k, v in p.items())


def test_only_failures_fall_back_to_the_design():
    sampler = BayesianParameterSampling(BRANIN, seed=6)
    history = [Observation(p, None) for p in sampler.suggest([], 20)]
    assert sampler.suggest(history, 2, goal=MIN) == RandomParameterSampling(
        BRANIN, seed=6, rule="sobol").suggest(history, 2)


def test_warm_start_observations_outside_the_space_are_clipped_or_ignored():
    space = {"x": uniform(0, 1), "k": choice("a", "b")}
    sampler = BayesianParameterSampling(space, seed=7)
    history = finished(sampler, lambda p: p["x"] + (p["k"] == "b"), 10)
    history += [Observation({"x": 5.0, "k": "a"}, -3.0),      # wider earlier space
                Observation({"x": 0.5, "k": "zzz"}, -9.0),    # a value no longer offered
                Observation({"y": 0.5}, -9.0)]                # another parameter
    params = sampler.suggest(history, 1, goal=MIN)[0]
    assert 0 <= params["x"] <= 1 and params["k"] in ("a", "b")


def test_discrete_space_never_repeats_and_ends_when_exhausted():
    space = {"a": choice(1, 2, 3), "b": choice("x", "y"), "q": quniform(0, 2, 1)}
    sampler = BayesianParameterSampling(space, seed=8)
    history: list[Observation] = []
    while batch := sampler.suggest(history, 4, goal=MIN):
        history += [Observation(p, p["a"] + p["q"]) for p in batch]
        assert len(history) <= 18
    keys = {sampler.space.key(o.params) for o in history}
    assert len(history) == len(keys) == 18
    assert sampler.suggest(history, 3, goal=MIN) == []


def test_a_batch_larger_than_what_is_left_is_cut_short():
    sampler = BayesianParameterSampling({"a": choice(1, 2, 3, 4, 5, 6, 7)}, seed=0)
    history = [Observation({"a": a}, float(a)) for a in (1, 2, 3, 4, 5)]
    assert sorted(p["a"] for p in sampler.suggest(history, 5, goal=MIN)) == [6, 7]


def test_large_discrete_space_avoids_tried_points():
    space = {f"k{i}": randint(40) for i in range(3)}  # 64,000 points: not enumerated
    sampler = BayesianParameterSampling(space, seed=2, allow_all_expressions=True)
    history = finished(sampler, lambda p: sum((v - 20) ** 2 for v in p.values()), 15)
    seen = {sampler.space.key(o.params) for o in history}
    batch = sampler.suggest(history, 3, goal=MIN)
    assert len(batch) == 3
    assert not seen & {sampler.space.key(p) for p in batch}


def test_zero_or_negative_n_gives_nothing():
    assert BayesianParameterSampling(BRANIN, seed=0).suggest([], 0) == []


def test_gp_beats_random_search_on_branin_in_30_evaluations():
    def regret(sampler):
        return min(o.value for o in run(sampler, branin, 30)) - BRANIN_MIN

    seeds = range(3)
    ours = [regret(BayesianParameterSampling(BRANIN, seed=s)) for s in seeds]
    rand = [regret(RandomParameterSampling(BRANIN, seed=s)) for s in seeds]
    assert np.median(ours) < 0.1 * np.median(rand)
    assert np.median(ours) < 0.05


@pytest.mark.slow
def test_four_trials_in_flight_cost_little_quality_on_branin():
    def regret(seed, in_flight):
        sampler = BayesianParameterSampling(BRANIN, seed=seed)
        history: list[Observation] = []
        running: deque[int] = deque()
        done = 0
        while done < 40:
            while len(running) < in_flight and len(history) < 40:
                running.append(len(history))
                params = sampler.suggest(history, 1, goal=MIN)[0]
                history.append(Observation(params, pending=True))
            index = running.popleft()
            history[index] = Observation(history[index].params, branin(history[index].params))
            done += 1
        return min(o.value for o in history) - BRANIN_MIN

    assert np.median([regret(s, 4) for s in range(3)]) < 0.01


BOWL = {"x1": uniform(0, 1), "x2": uniform(0, 1), "x3": uniform(0, 1)}
BOWL_MIN = np.array([0.3, 0.5, 0.7])


def _bowl_point(params):
    return np.array([params[name] for name in BOWL])


def bowl(params):
    return float(((_bowl_point(params) - BOWL_MIN) ** 2).sum())


@pytest.mark.parametrize("seed", [2, 3, 7])
def test_trials_in_flight_near_a_clear_incumbent_refine_it_without_repeating(seed):
    # four trials in flight once the model has found the bowl's basin: each suggestion
    # sees the earlier ones as running. Kriging-believer fantasies change almost nothing
    # where the GP is already sure, so they used to put all four within 0.003 of each
    # other (the same trial four times); the hole around running trials near the best
    # point spreads them over the basin instead, still close to the best point.
    sampler = BayesianParameterSampling(BOWL, seed=seed)
    history = run(sampler, bowl, 14)
    incumbent = _bowl_point(min(history, key=lambda o: o.value).params)
    points = []
    for _ in range(4):
        params = sampler.suggest(history, 1, goal=MIN)[0]
        history.append(Observation(params, pending=True))
        points.append(_bowl_point(params))
    closest = min(np.linalg.norm(a - b) for i, a in enumerate(points) for b in points[:i])
    assert closest > 0.005
    assert max(np.linalg.norm(p - incumbent) for p in points) < 0.15


def test_any_choice_and_any_quniform_are_accepted_as_hyperdrive_accepts_them():
    """The source document: Bayesian sampling supports choice, uniform and quniform; a
    choice's values are categories (None, numbers and strings may be mixed) and quniform
    needs no whole-number bounds."""
    from hypersweep import BayesianParameterSampling, choice, quniform
    from hypersweep.sampling import Observation

    sampling = BayesianParameterSampling({"max_depth": choice(None, 5, 10, "auto"),
                                          "n": quniform(0.5, 10.5, 1)}, seed=3)
    seen = []
    for _ in range(12):
        (params,) = sampling.suggest([Observation(p, float(i)) for i, p in enumerate(seen)], 1)
        assert params["max_depth"] in (None, 5, 10, "auto") and 0 <= params["n"] <= 11
        seen.append(params)
    assert {p["max_depth"] for p in seen} == {None, 5, 10, "auto"}
