"""Random (and Sobol) and grid sampling: order, determinism, exhaustion, coverage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import qmc

from hypersweep import (
    GridParameterSampling,
    RandomParameterSampling,
    SearchSpaceError,
    choice,
    normal,
    randint,
    uniform,
)
from hypersweep.sampling import Observation, sampling_from_json
from tests.strategies import expressions


def obs(params_list):
    return [Observation(p, 0.5) for p in params_list]


def test_grid_order_is_cartesian_last_key_fastest():
    grid = GridParameterSampling({"num_hidden_layers": choice(1, 2, 3),
                                  "batch_size": choice(16, 32)})
    assert grid.size == 6
    assert grid.suggest([], 20) == [
        {"num_hidden_layers": 1, "batch_size": 16}, {"num_hidden_layers": 1, "batch_size": 32},
        {"num_hidden_layers": 2, "batch_size": 16}, {"num_hidden_layers": 2, "batch_size": 32},
        {"num_hidden_layers": 3, "batch_size": 16}, {"num_hidden_layers": 3, "batch_size": 32},
    ]


def test_grid_continues_where_history_ends_and_then_is_exhausted():
    grid = GridParameterSampling({"a": choice(1, 2, 3), "b": choice("x", "y")})
    first = grid.suggest([], 4)
    rest = grid.suggest(obs(first), 4)
    assert first + rest == list(grid.points())
    assert grid.suggest(obs(first + rest), 4) == []


def test_grid_rejects_non_choice_naming_the_key():
    with pytest.raises(SearchSpaceError, match="'lr'"):
        GridParameterSampling({"a": choice(1), "lr": uniform(0, 1)})


@given(st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_grid_enumerates_every_point_once(sizes):
    space = {f"p{i}": choice(list(range(s))) for i, s in enumerate(sizes)}
    grid = GridParameterSampling(space)
    points = grid.suggest([], 10_000)
    assert len(points) == grid.size == int(np.prod(sizes))
    assert len({tuple(p.values()) for p in points}) == grid.size
    assert [tuple(p.values()) for p in points] == sorted(tuple(p.values()) for p in points)


@settings(max_examples=30)
@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), expressions(), min_size=1),
       st.integers(0, 2**31), st.sampled_from(["random", "sobol"]))
def test_same_seed_same_sequence_in_any_batching(space, seed, rule):
    sampler = RandomParameterSampling(space, seed=seed, rule=rule)
    once = sampler.suggest([], 6)
    if len(once) < 6:  # small discrete space, exhausted
        return
    batched = sampler.suggest([], 2)
    batched += sampler.suggest(obs(batched), 4)
    assert batched == once
    assert RandomParameterSampling(space, seed=seed, rule=rule).suggest([], 6) == once


def test_different_seeds_differ():
    space = {"x": uniform(0, 1)}
    assert (RandomParameterSampling(space, seed=1).suggest([], 3)
            != RandomParameterSampling(space, seed=2).suggest([], 3))


def test_random_in_a_discrete_space_never_repeats_and_ends_when_exhausted():
    sampler = RandomParameterSampling({"a": choice(1, 2, 3, 4)}, seed=3)
    points = sampler.suggest([], 10)
    assert sorted(p["a"] for p in points) == [1, 2, 3, 4]
    assert sampler.suggest(obs(points), 5) == []


@pytest.mark.parametrize("rule", ["random", "sobol"])
def test_discrete_space_is_covered_without_duplicates(rule):
    sampler = RandomParameterSampling({"a": choice(1, 2, 3), "b": randint(3)}, seed=0,
                                      rule=rule)
    history: list = []
    while batch := sampler.suggest(history, 2):
        history += obs(batch)
    assert len(history) == 9
    assert len({(o.params["a"], o.params["b"]) for o in history}) == 9


def test_sobol_fills_the_unit_cube_better_than_random():
    space = {name: uniform(0, 1) for name in "abc"}
    def points(rule):
        got = RandomParameterSampling(space, seed=11, rule=rule).suggest([], 256)
        return np.array([[p[n] for n in "abc"] for p in got])
    sobol, rand = points("sobol"), points("random")
    assert qmc.discrepancy(sobol) < 0.5 * qmc.discrepancy(rand)


def test_sobol_is_reproducible_with_a_seed():
    space = {"x": uniform(0, 1), "y": normal(0, 1)}
    a = RandomParameterSampling(space, seed=5, rule="sobol").suggest([], 8)
    assert a == RandomParameterSampling(space, seed=5, rule="sobol").suggest([], 8)
    assert a != RandomParameterSampling(space, seed=6, rule="sobol").suggest([], 8)


def test_unknown_rule_is_rejected():
    with pytest.raises(ValueError, match="rule"):
        RandomParameterSampling({"x": uniform(0, 1)}, rule="halton")


@pytest.mark.parametrize("sampling", [
    RandomParameterSampling({"x": uniform(0, 1), "k": choice("a", "b")}, seed=4, rule="sobol"),
    GridParameterSampling({"k": choice("a", "b")}),
])
def test_sampling_json_round_trip(sampling):
    assert sampling_from_json(sampling.to_json()) == sampling


def test_seed_is_chosen_and_recorded_when_none_given():
    sampler = RandomParameterSampling({"x": uniform(0, 1)})
    assert isinstance(sampler.seed, int)
    assert sampling_from_json(sampler.to_json()).suggest([], 3) == sampler.suggest([], 3)
