"""MedianStoppingPolicy against hand-computed tables (SPEC §4 and the source document)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hypersweep import MedianStoppingPolicy
from hypersweep.policy._support import mean_score
from tests.unit.policy._tables import INF, MAX, MIN, NAN

DOC = MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=5)
EVERY = MedianStoppingPolicy()
# running averages over intervals 1..5: a 0.3, b 0.5, c 0.7 → median 0.5
FIVE = {"a": [0.1, 0.2, 0.3, 0.4, 0.5], "b": [0.5] * 5, "c": [0.7] * 5}
# "done" finished after one value; "peer" reached interval 3
SHORT = {"done": [0.9], "peer": [0.4, 0.4, 0.4], "run": [0.5, 0.5, 0.5]}

# (id, policy, table, run, interval, goal, finished, expected reason or None)
CASES = [
    ("doc-interval-5-stops", DOC, {**FIVE, "x": [0.1, 0.2, 0.3, 0.35, 0.4]}, "x", 5, MAX, (),
     "MedianStoppingPolicy at interval 5: best 0.4 < 0.5 = median of 3 other runs' averages"),
    ("doc-not-evaluated-before-delay", DOC, {**FIVE, "x": [0.0] * 5}, "x", 4, MAX, (), None),
    ("doc-best-above-median-lives", DOC, {**FIVE, "x": [0.1, 0.1, 0.1, 0.1, 0.6]}, "x", 5, MAX,
     (), None),
    ("tie-with-median-lives", DOC, {**FIVE, "x": [0.5] * 5}, "x", 5, MAX, (), None),
    ("minimize-stops", EVERY, {"a": [1.0, 0.8], "b": [0.6, 0.4], "c": [2.0, 2.0],
                               "x": [1.2, 1.0]}, "x", 2, MIN, (),
     "MedianStoppingPolicy at interval 2: best 1 > 0.9 = median of 3 other runs' averages"),
    ("minimize-better-than-median-lives", EVERY, {"a": [1.0, 0.8], "b": [0.6, 0.4],
                                                  "c": [2.0, 2.0], "x": [1.2, 0.85]},
     "x", 2, MIN, (), None),
    ("even-count-median-is-midpoint", EVERY, {"a": [0.4], "b": [0.6], "x": [0.45]}, "x", 1,
     MAX, (), "MedianStoppingPolicy at interval 1: best 0.45 < 0.5 = median of 2 other runs' "
     "averages"),
    ("even-count-tie-lives", EVERY, {"a": [0.4], "b": [0.6], "x": [0.5]}, "x", 1, MAX, (),
     None),
    # on the median as computed by hand, where float arithmetic lands one ulp away
    # ((0.6 + 0.8) / 2 = 0.7000000000000001, (0.1 + 0.2) / 2 = 0.15000000000000002)
    ("decimal-tie-with-average-lives", EVERY, {"a": [0.6, 0.8], "x": [0.7, 0.7]}, "x", 2,
     MAX, (), None),
    ("decimal-tie-with-midpoint-lives", EVERY, {"a": [0.1], "b": [0.2], "x": [0.15]}, "x", 1,
     MAX, (), None),
    ("decimal-tie-minimize-lives", EVERY, {"a": [0.1, 0.2], "b": [0.3, 0.4], "x": [0.5, 0.25]},
     "x", 2, MIN, (), None),
    ("decimal-just-worse-stops", EVERY, {"a": [0.6, 0.8], "x": [0.6999999999, 0.1]}, "x", 2,
     MAX, (), "MedianStoppingPolicy at interval 2: best 0.6999999999 < 0.7 = median of 1 "
     "other runs' averages"),
    ("averages-only-up-to-N", EVERY, {"long": [0.2, 0.2, 1.0, 1.0], "x": [0.1, 0.3]}, "x", 2,
     MAX, (), None),
    ("own-best-so-far-not-last", EVERY, {"a": [0.5, 0.5], "x": [0.6, 0.0]}, "x", 2, MAX, (),
     None),
    ("finished-short-run-counts", EVERY, SHORT, "run", 3, MAX, ("done",),
     "MedianStoppingPolicy at interval 3: best 0.5 < 0.65 = median of 2 other runs' averages"),
    ("running-short-run-is-left-out", EVERY, SHORT, "run", 3, MAX, (), None),
    ("empty-reference-running-short", EVERY, {"short": [0.9], "run": [0.1, 0.1]}, "run", 2,
     MAX, (), None),
    ("empty-reference-alone", EVERY, {"run": [0.1]}, "run", 1, MAX, (), None),
    ("finished-run-without-values-is-no-reference", EVERY, {"empty": [], "run": [0.1]}, "run",
     1, MAX, ("empty",), None),
    ("nan-average-is-worst", EVERY, {"a": [NAN, 1.0], "b": [0.2, 0.2], "c": [0.3, 0.3],
                                     "x": [0.1, 0.15]}, "x", 2, MAX, (),
     "MedianStoppingPolicy at interval 2: best 0.15 < 0.2 = median of 3 other runs' averages"),
    ("nan-average-worst-x-at-median-lives", EVERY, {"a": [NAN, 1.0], "b": [0.2, 0.2],
                                                    "c": [0.3, 0.3], "x": [0.2, 0.2]},
     "x", 2, MAX, (), None),
    ("nan-run-stops", EVERY, {"b": [0.2, 0.2], "x": [NAN, NAN]}, "x", 2, MAX, (),
     "MedianStoppingPolicy at interval 2: best non-finite < 0.2 = median of 1 other runs' "
     "averages"),
    ("inf-run-stops-when-minimizing", EVERY, {"b": [0.2], "x": [INF]}, "x", 1, MIN, (),
     "MedianStoppingPolicy at interval 1: best non-finite > 0.2 = median of 1 other runs' "
     "averages"),
    ("nan-run-stops-even-when-a-diverged-reference-makes-the-median-non-finite", EVERY,
     {"a": [NAN], "b": [0.5], "x": [NAN]}, "x", 1, MAX, (),
     "MedianStoppingPolicy at interval 1: best non-finite (NaN/inf counts as the worst "
     "value), while 1 of 2 other runs' averages are finite"),
    ("finite-run-against-a-non-finite-median-lives", EVERY,
     {"a": [NAN], "b": [0.9], "x": [0.01]}, "x", 1, MAX, (), None),
    ("all-references-non-finite", EVERY, {"a": [NAN], "b": [INF], "x": [NAN]}, "x", 1, MAX,
     (), None),
    ("mean-of-equal-values-is-exact", EVERY, {"a": [0.1, 0.1, 0.1], "x": [0.1, 0.1, 0.1]},
     "x", 3, MAX, (), None),
    ("the-best-run-lives", EVERY, {"a": [0.1, 0.9], "x": [0.9, 0.9]}, "x", 2, MAX, (), None),
]


@pytest.mark.parametrize(("policy", "table", "run", "interval", "goal", "finished", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_oracle(policy, table, run, interval, goal, finished, expected):
    result = policy.should_terminate(run, interval, table, goal, frozenset(finished))
    assert result == expected


def test_finite_values_whose_sum_overflows_are_averaged_not_raised():
    # 1.7e308 + 1.7e308 overflows a float; their mean does not. The policy used to raise
    # OverflowError from inside the controller's loop.
    policy = MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=0)
    table = {"a": [1.7e308, 1.7e308], "b": [1.6e308, 1.6e308], "c": [1e308, 1.5e308]}
    reason = policy.should_terminate("c", 2, table, MAX)
    assert reason is not None and "1.65e+308" in reason
    assert policy.should_terminate("b", 2, table, MAX) is None


@given(st.lists(st.one_of(st.floats(), st.integers(-10**6, 10**6)), max_size=12),
       st.sampled_from([MAX, MIN]))
def test_mean_score_is_the_clamped_fsum_mean_of_the_scores(values, goal):
    # the mean of the goal's scores (non-finite: -inf), taken as mean_score documents it
    scores = [goal.score(v) for v in values]
    got = mean_score(goal, values)
    if not scores or -math.inf in scores:
        assert got == -math.inf
        return
    try:
        mean = math.fsum(scores) / len(scores)
    except OverflowError:
        assert min(scores) <= got <= max(scores)
        return
    assert got == min(max(mean, min(scores)), max(scores))
