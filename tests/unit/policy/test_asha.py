"""AsyncHyperBandPolicy (ASHA) against hand-computed tables."""

from __future__ import annotations

import pytest

from hypersweep import AsyncHyperBandPolicy
from tests.unit.policy._tables import MAX, MIN, NAN

ETA3 = AsyncHyperBandPolicy(1, 3)


def stopped(policy, table, interval, goal):
    return sorted(run for run, values in table.items() if len(values) >= interval
                  and policy.should_terminate(run, interval, table, goal))


def ones(values):
    return {f"r{i}": [v] for i, v in enumerate(values)}


@pytest.mark.parametrize(("policy", "up_to", "expected"), [
    (AsyncHyperBandPolicy(1, 3, max_interval=27), None, (1, 3, 9)),
    (AsyncHyperBandPolicy(1, 3, 28), None, (1, 3, 9, 27)),  # SPEC's positional order
    (AsyncHyperBandPolicy(2, 2, max_interval=20), None, (2, 4, 8, 16)),
    (AsyncHyperBandPolicy(), 100, (1, 3, 9, 27, 81)),
    (AsyncHyperBandPolicy(5, 4), 400, (5, 20, 80, 320)),
])
def test_rungs(policy, up_to, expected):
    assert policy.rungs(up_to) == expected


@pytest.mark.parametrize(("policy", "expected"), [
    (AsyncHyperBandPolicy(1, 3, max_interval=27), [1, 3, 9]),
    (AsyncHyperBandPolicy(), [1, 3, 9, 27, 81, 243]),
    (AsyncHyperBandPolicy(2, 2, max_interval=20), [2, 4, 8, 16]),
    (AsyncHyperBandPolicy(5, 4), [5, 20, 80, 320]),
])
def test_schedule_is_the_rungs(policy, expected):
    assert [i for i in range(-2, 401) if policy.is_scheduled(i)] == expected


def test_rungs_need_a_bound():
    with pytest.raises(ValueError, match="up_to"):
        AsyncHyperBandPolicy().rungs()


def test_reason_names_interval_rung_and_numbers():
    reason = ETA3.should_terminate("r2", 1, ones([0.9, 0.5, 0.7]), MAX)
    assert reason == ("AsyncHyperBandPolicy at interval 1 (rung 0): value 0.7 < 0.9, "
                      "the cutoff of the top 1 of 3 runs")


# (id, policy, table, interval, goal, runs expected to stop)
CASES = [
    ("three-runs-keep-one", ETA3, ones([0.9, 0.5, 0.7]), 1, MAX, ["r1", "r2"]),
    ("fewer-than-eta-nobody-stops", ETA3, ones([0.9, 0.1]), 1, MAX, []),
    ("alone-nobody-stops", ETA3, ones([0.1]), 1, MAX, []),
    ("six-runs-keep-two", ETA3, ones([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), 1, MAX,
     ["r0", "r1", "r2", "r3"]),
    ("five-runs-keep-one", ETA3, ones([0.1, 0.2, 0.3, 0.4, 0.5]), 1, MAX,
     ["r0", "r1", "r2", "r3"]),
    ("ties-at-top-survive", ETA3, ones([0.9, 0.9, 0.1]), 1, MAX, ["r2"]),
    ("minimize", ETA3, ones([0.1, 0.5, 0.7]), 1, MIN, ["r1", "r2"]),
    ("nan-is-worst", ETA3, ones([NAN, 0.2, 0.3]), 1, MAX, ["r0", "r1"]),
    ("value-at-rung-not-best", ETA3,
     {"a": [0.9, 0.2, 0.2], "b": [0.1, 0.1, 0.5], "c": [0.1, 0.1, 0.4]}, 3, MAX, ["a", "c"]),
    ("shorter-runs-not-at-rung", ETA3,
     {"a": [0.1, 0.1, 0.1], "b": [0.2, 0.2, 0.2], "s1": [0.9, 0.9], "s2": [0.9]}, 3, MAX, []),
    ("not-a-rung", ETA3, {"a": [0.1, 0.1], "b": [0.2, 0.2], "c": [0.3, 0.3]}, 2, MAX, []),
    ("max-interval-is-no-rung", AsyncHyperBandPolicy(1, 3, max_interval=3),
     {"a": [1, 0.1, 0.1], "b": [1, 0.2, 0.2], "c": [1, 0.3, 0.3]}, 3, MAX, []),
    ("eta-2-keeps-half", AsyncHyperBandPolicy(2, 2), ones([0.1, 0.2, 0.3, 0.4]) | {
        f"r{i}": [0.0, v] for i, v in enumerate([0.1, 0.2, 0.3, 0.4])}, 2, MAX, ["r0", "r1"]),
]


@pytest.mark.parametrize(("policy", "table", "interval", "goal", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_oracle(policy, table, interval, goal, expected):
    assert stopped(policy, table, interval, goal) == expected


def test_nan_reason():
    reason = ETA3.should_terminate("r0", 1, ones([NAN, 0.2, 0.3]), MAX)
    assert reason == ("AsyncHyperBandPolicy at interval 1 (rung 0): value non-finite < 0.3, "
                      "the cutoff of the top 1 of 3 runs")
