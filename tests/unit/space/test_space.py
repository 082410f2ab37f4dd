"""SearchSpace: key forms, flags, command-line rendering, validation."""

from __future__ import annotations

import math

import pytest

from hypersweep import SearchSpace, SearchSpaceError, choice, quniform, randint, uniform
from hypersweep.space import render_value


def test_arguments_follow_space_order_and_flag_rules():
    space = SearchSpace({"lr": uniform(0, 1), "--kernel": choice("linear", "rbf"),
                         "-b": choice(16)})
    assert space.arguments({"-b": 16, "lr": 0.25, "--kernel": "rbf"}) == [
        "--lr", "0.25", "--kernel", "rbf", "-b", "16"]


@pytest.mark.parametrize(("value", "text"), [
    (3, "3"), (0.1, "0.1"), (1e-05, "1e-05"), (2.0, "2.0"), ("rbf", "rbf"),
    ("; rm -rf ~", "; rm -rf ~"), (True, "True"), ((1, 2), "[1, 2]"),
    (0.1 + 0.2, "0.30000000000000004"),
])
def test_render_value(value, text):
    assert render_value(value) == text


def test_float_rendering_round_trips_exactly():
    x = 0.0005123456789012345
    assert float(render_value(x)) == x


def test_same_flag_twice_is_an_error():
    with pytest.raises(SearchSpaceError, match="--lr"):
        SearchSpace({"lr": uniform(0, 1), "--lr": uniform(0, 1)})


@pytest.mark.parametrize("name", ["", "has space", "1abc", "---x", "a=b", "$(reboot)"])
def test_bad_names_are_rejected(name):
    with pytest.raises(SearchSpaceError, match="name"):
        SearchSpace({name: uniform(0, 1)})


@pytest.mark.parametrize("name", ["METRICS_PATH", "--RUN_ID", "OUTPUT-DIR", "RUN.DIR"])
def test_names_that_would_overwrite_hypersweeps_own_variables_are_refused(name):
    """HYPERSWEEP_METRICS_PATH, _RUN_ID, _OUTPUT_DIR... tell the trial where to log: a
    hyperparameter of that name would send its metrics astray."""
    with pytest.raises(SearchSpaceError, match=f"{name!r} would set HYPERSWEEP_"):
        SearchSpace({name: choice(1)})
    SearchSpace({name.lower(): choice(1)})  # variable names are case-sensitive


def test_env_names_are_sanitised():
    assert SearchSpace.env_name("--learning-rate") == "learning_rate"
    assert SearchSpace.env_name("keep.prob") == "keep_prob"


def test_size_of_discrete_and_continuous_spaces():
    assert SearchSpace({"a": choice(1, 2, 3), "b": randint(4), "c": quniform(0, 4, 2)}).size() \
        == 3 * 4 * 3
    assert SearchSpace({"a": choice(1, 2), "b": uniform(0, 1)}).size() == math.inf


def test_json_lists_and_v2_dicts_are_accepted_as_values():
    space = SearchSpace({"a": ["uniform", [0, 1]], "b": {"type": "choice", "values": [1, 2]}})
    assert space["a"] == uniform(0, 1)
    assert space["b"] == choice(1, 2)
    assert space.to_json() == {"a": ["uniform", [0, 1]], "b": ["choice", [[1, 2]]]}
