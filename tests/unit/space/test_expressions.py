"""Parameter expressions: support, moments, determinism, JSON forms and rendering."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hypersweep import (
    ConfigurationTypeError,
    HypersweepError,
    SearchSpaceError,
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
from hypersweep.space import expression_from_data, expression_from_json
from tests.strategies import bounds, expressions, log_bounds

N = 20_000


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# -- support --------------------------------------------------------------------------
@given(bounds())
def test_uniform_samples_lie_in_bounds(b):
    lo, hi = b
    values = uniform(lo, hi).sample(rng(), 500)
    assert all(lo <= v <= hi for v in values)
    assert all(isinstance(v, float) for v in values)


@given(log_bounds())
def test_loguniform_takes_natural_log_exponents(b):
    lo, hi = b
    values = loguniform(lo, hi).sample(rng(), 500)
    assert all(math.exp(lo) * (1 - 1e-12) <= v <= math.exp(hi) * (1 + 1e-12) for v in values)


@given(st.integers(1, 50))
def test_randint_is_zero_to_upper_exclusive(upper):
    values = set(randint(upper).sample(rng(), 3000))
    assert values <= set(range(upper))
    assert all(isinstance(v, int) for v in values)


def test_randint_5_hits_exactly_0_to_4():
    assert set(randint(5).sample(rng(), 1000)) == {0, 1, 2, 3, 4}


@given(st.lists(st.integers(-50, 50), min_size=1, max_size=8, unique=True))
def test_choice_draws_only_its_values_and_all_of_them(values):
    drawn = choice(values).sample(rng(), 400)
    assert set(drawn) == set(values)


@given(bounds(width_max=100), st.sampled_from([1, 2, 5, 0.5, 0.25]))
def test_quniform_values_are_multiples_of_q_near_bounds(b, q):
    lo, hi = b
    for v in quniform(lo, hi, q).sample(rng(), 300):
        assert math.isclose(v / q, round(v / q), abs_tol=1e-6)
        assert lo - q / 2 - 1e-9 <= v <= hi + q / 2 + 1e-9  # may round just outside (SPEC §1)


@given(expressions())
@settings(max_examples=150)
def test_every_sample_is_contained_in_its_expression(expr):
    for v in expr.sample(rng(3), 50):
        assert expr.contains(v), (expr, v)


@given(expressions(), st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=20))
def test_inverse_cdf_maps_unit_points_into_the_support(expr, us):
    for v in expr.from_unit(us):
        assert expr.contains(v), (expr, v)


def test_lognormal_is_positive():
    assert min(lognormal(0, 2).sample(rng(), 5000)) > 0


def test_sigma_zero_is_a_constant():
    assert set(normal(3.5, 0).sample(rng(), 10)) == {3.5}


# -- moments (20,000 draws within 3 % of the analytic value) ---------------------------
def _check_moments(values, mean, var):
    values = np.asarray(values, dtype=float)
    assert abs(values.mean() - mean) <= 0.03 * abs(mean), (values.mean(), mean)
    assert abs(values.var() - var) <= 0.03 * var, (values.var(), var)


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.floats(-100, 100), st.floats(0.1, 100))
def test_uniform_moments(lo, width):
    hi = lo + width
    if abs(lo + hi) < width:  # mean near zero: relative error is meaningless
        lo, hi = lo + 2 * width, hi + 2 * width
    _check_moments(uniform(lo, hi).sample(rng(1), N), (lo + hi) / 2, (hi - lo) ** 2 / 12)


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.floats(-5, 5), st.floats(0.05, 2.5))
def test_loguniform_moments(lo, width):
    hi = lo + width
    mean = (math.exp(hi) - math.exp(lo)) / width
    second = (math.exp(2 * hi) - math.exp(2 * lo)) / (2 * width)
    _check_moments(loguniform(lo, hi).sample(rng(2), N), mean, second - mean**2)


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.floats(1, 100), st.floats(0.01, 1), st.booleans())
def test_normal_moments(mu, rel_sigma, negative):
    mu = -mu if negative else mu
    sigma = rel_sigma * abs(mu)
    _check_moments(normal(mu, sigma).sample(rng(4), N), mu, sigma**2)


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.floats(-3, 3), st.floats(0.01, 0.3))
def test_lognormal_moments(mu, sigma):
    mean = math.exp(mu + sigma**2 / 2)
    var = (math.exp(sigma**2) - 1) * math.exp(2 * mu + sigma**2)
    _check_moments(lognormal(mu, sigma).sample(rng(5), N), mean, var)


# -- determinism ----------------------------------------------------------------------
@given(expressions(), st.integers(0, 2**32))
def test_same_seed_same_sequence(expr, seed):
    assert expr.sample(rng(seed), 20) == expr.sample(rng(seed), 20)


# -- JSON and dict forms ---------------------------------------------------------------
@given(expressions())
def test_json_round_trip(expr):
    data = expr.to_json()
    assert expression_from_json(data) == expr
    assert expression_from_data(data) == expr


def test_json_forms_match_hyperdrive():
    assert choice(16, 32).to_json() == ["choice", [[16, 32]]]
    assert choice(range(1, 5)).to_json() == ["choice", [[1, 2, 3, 4]]]
    assert uniform(0.05, 0.1).to_json() == ["uniform", [0.05, 0.1]]
    assert quniform(1, 10, 2).to_json() == ["quniform", [1, 10, 2]]
    assert randint(5).to_json() == ["randint", [5]]
    assert qlognormal(0, 1, 1).to_json() == ["qlognormal", [0, 1, 1]]


def test_tuple_is_one_choice_value_and_survives_json():
    expr = choice((1, 2), (3, 4))
    assert expr.values() == ((1, 2), (3, 4))
    assert expression_from_json(expr.to_json()) == expr


@pytest.mark.parametrize(("data", "expected"), [
    ({"type": "uniform", "min_value": 0.01, "max_value": 0.1}, uniform(0.01, 0.1)),
    ({"type": "choice", "values": [16, 32]}, choice(16, 32)),
    ({"type": "randint", "upper": 7}, randint(7)),
    ({"type": "quniform", "min_value": 1, "max_value": 9, "q": 2}, quniform(1, 9, 2)),
    ({"type": "loguniform", "min_value": -6, "max_value": -1}, loguniform(-6, -1)),
    ({"type": "qloguniform", "min_value": 0, "max_value": 4, "q": 1}, qloguniform(0, 4, 1)),
    ({"type": "normal", "mu": 10, "sigma": 3}, normal(10, 3)),
    ({"type": "qnormal", "mu": 10, "sigma": 3, "q": 1}, qnormal(10, 3, 1)),
    ({"type": "lognormal", "mu": 0, "sigma": 1}, lognormal(0, 1)),
    ({"type": "qlognormal", "mu": 0, "sigma": 1, "q": 2}, qlognormal(0, 1, 2)),
])
def test_azure_v2_dict_form(data, expected):
    assert expression_from_data(data) == expected


@pytest.mark.parametrize("data", [
    {"type": "uniform", "min": 0, "max_value": 1},
    {"type": "uniformm", "min_value": 0, "max_value": 1},
    {"min_value": 0},
    {"type": "choice", "values": 3},
    ["choice", [16, 32]],
    ["uniform", [1]],
    ["uniform", 1],
    "uniform(0, 1)",
    42,
    ["uniform", [0, "a"]],
])
def test_malformed_data_raises_hypersweep_errors(data):
    with pytest.raises(HypersweepError) as info:
        expression_from_data(data)
    assert isinstance(info.value, ValueError | TypeError)


def test_unknown_v2_key_suggests_the_nearest():
    with pytest.raises(SearchSpaceError, match="min_value"):
        expression_from_data({"type": "uniform", "min_valu": 0, "max_value": 1})


# -- immutability and values ----------------------------------------------------------
def test_expressions_are_immutable_and_picklable():
    expr = uniform(0, 1)
    with pytest.raises(AttributeError):
        expr._a = 5  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(expr)) == expr
    assert hash(expr) == hash(uniform(0, 1))


def test_q_expression_with_whole_numbers_yields_ints():
    assert all(isinstance(v, int) for v in quniform(1, 10, 1).sample(rng(), 50))
    assert all(isinstance(v, int) for v in qnormal(10, 3, 2).sample(rng(), 50))
    assert all(isinstance(v, float) for v in quniform(0, 1, 0.1).sample(rng(), 50))
    assert quniform(0, 1, 0.1).values()[3] == 0.3  # printed cleanly, not 0.30000000000000004


def test_rounding_is_half_to_even():
    assert quniform(0, 10, 1).from_unit([0.25, 0.35, 0.45]) == [2, 4, 4]


def test_quniform_values_enumerate_the_grid():
    assert quniform(1, 10, 3).values() == (0, 3, 6, 9)


def test_choice_type_errors():
    with pytest.raises(ConfigurationTypeError, match="choice values"):
        choice({"a": 1})


@given(st.integers(-50, 50), st.integers(1, 60), st.sampled_from([1, 2, 3, 4, 0.5, 0.25, 32]))
def test_a_q_expressions_values_are_exactly_the_values_it_can_draw(low, width, q):
    """values() (and so cardinality, grid and exhaustion) lists a multiple of q iff some
    part of [lo, hi] of positive length rounds to it: quniform(16, 128, 32) can draw 32..128
    but not 0, which only x = 16 exactly would give."""
    import numpy as np

    from hypersweep import quniform

    expr = quniform(low, low + width, q)
    inner = np.linspace(low, low + width, 20001)[1:-1]  # the open interval, densely
    reachable = set(expr._quantize(inner))
    assert set(expr.values()) == reachable
    assert expr.cardinality == len(reachable)
