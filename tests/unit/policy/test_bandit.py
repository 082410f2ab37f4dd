"""BanditPolicy against hand-computed tables (SPEC §4 and the source document)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hypersweep import BanditPolicy
from tests.unit.policy._tables import INF, MAX, MIN, NAN

TEN = [0.5] * 9  # nine values before interval 10

# (id, policy, table, run, interval, goal, expected reason or None)
CASES = [
    ("doc-0.8-slack-0.2-stops", BanditPolicy(slack_factor=0.2),
     {"best": [*TEN, 0.8], "poor": [*TEN, 0.6]}, "poor", 10, MAX,
     "BanditPolicy at interval 10: best 0.6 < 0.6667 = 0.8 / (1 + 0.2)"),
    ("doc-0.8-slack-0.2-0.67-lives", BanditPolicy(slack_factor=0.2),
     {"best": [*TEN, 0.8], "ok": [*TEN, 0.67]}, "ok", 10, MAX, None),
    ("doc-slack-0.1-is-91-percent-stops", BanditPolicy(slack_factor=0.1),
     {"best": [1.0], "poor": [0.909]}, "poor", 1, MAX,
     "BanditPolicy at interval 1: best 0.909 < 0.9091 = 1 / (1 + 0.1)"),
    ("doc-slack-0.1-0.91-lives", BanditPolicy(slack_factor=0.1),
     {"best": [1.0], "ok": [0.91]}, "ok", 1, MAX, None),
    ("doc-delay-5-not-yet-at-4", BanditPolicy(slack_factor=0.1, delay_evaluation=5),
     {"best": [1.0] * 5, "poor": [0.1] * 5}, "poor", 4, MAX, None),
    ("doc-delay-5-stops-at-5", BanditPolicy(slack_factor=0.1, delay_evaluation=5),
     {"best": [1.0] * 5, "poor": [0.1] * 5}, "poor", 5, MAX,
     "BanditPolicy at interval 5: best 0.1 < 0.9091 = 1 / (1 + 0.1)"),
    ("minimize-factor-stops", BanditPolicy(slack_factor=0.2),
     {"best": [0.5], "poor": [0.61]}, "poor", 1, MIN,
     "BanditPolicy at interval 1: best 0.61 > 0.6 = 0.5 * (1 + 0.2)"),
    ("minimize-factor-on-threshold-lives", BanditPolicy(slack_factor=0.2),
     {"best": [0.5], "edge": [0.6]}, "edge", 1, MIN, None),
    ("maximize-factor-on-threshold-lives", BanditPolicy(slack_factor=0.5),
     {"best": [0.75], "edge": [0.5]}, "edge", 1, MAX, None),
    ("maximize-amount-on-threshold-lives", BanditPolicy(slack_amount=0.25),
     {"best": [0.75], "edge": [0.5]}, "edge", 1, MAX, None),
    ("maximize-amount-stops", BanditPolicy(slack_amount=0.25),
     {"best": [0.75], "poor": [0.4375]}, "poor", 1, MAX,
     "BanditPolicy at interval 1: best 0.4375 < 0.5 = 0.75 - 0.25"),
    ("minimize-amount-on-threshold-lives", BanditPolicy(slack_amount=0.5),
     {"best": [1.0], "edge": [1.5]}, "edge", 1, MIN, None),
    ("minimize-amount-stops", BanditPolicy(slack_amount=0.5),
     {"best": [1.0], "poor": [1.75]}, "poor", 1, MIN,
     "BanditPolicy at interval 1: best 1.75 > 1.5 = 1 + 0.5"),
    ("best-so-far-not-last-value", BanditPolicy(slack_factor=0.2),
     {"best": [0.8, 0.8], "dip": [0.7, 0.1]}, "dip", 2, MAX, None),
    ("other-runs-best-only-up-to-N", BanditPolicy(slack_factor=0.2),
     {"later": [0.5, 0.5, 0.99], "run": [0.45, 0.45]}, "run", 2, MAX, None),
    ("nan-run-stops", BanditPolicy(slack_factor=0.2),
     {"best": [0.5, 0.6], "nan": [NAN, NAN]}, "nan", 2, MAX,
     "BanditPolicy at interval 2: best non-finite (NaN/inf counts as the worst value), "
     "while the best run's best is 0.6"),
    ("nan-after-a-good-value-keeps-best", BanditPolicy(slack_factor=0.2),
     {"best": [0.5, 1.0], "run": [0.9, NAN]}, "run", 2, MAX, None),
    ("nan-other-run-is-no-best", BanditPolicy(slack_factor=0.2),
     {"nan": [NAN, NAN], "run": [0.1, 0.2]}, "run", 2, MAX, None),
    ("inf-is-worst-not-best", BanditPolicy(slack_factor=0.2),
     {"inf": [INF], "run": [0.1]}, "run", 1, MAX, None),
    ("minus-inf-is-worst-when-minimizing", BanditPolicy(slack_factor=0.2),
     {"minf": [-INF], "run": [3.0]}, "run", 1, MIN, None),
    ("all-non-finite-nothing-stops", BanditPolicy(slack_factor=0.2),
     {"a": [NAN], "run": [INF]}, "run", 1, MAX, None),
    ("shorter-run-is-no-reference", BanditPolicy(slack_factor=0.2),
     {"short": [1.0], "run": [0.1, 0.2]}, "run", 2, MAX, None),
    ("shorter-run-ignored-in-B", BanditPolicy(slack_factor=0.2),
     {"short": [1.0], "peer": [0.3, 0.3], "run": [0.1, 0.2]}, "run", 2, MAX,
     "BanditPolicy at interval 2: best 0.2 < 0.25 = 0.3 / (1 + 0.2)"),
    ("empty-reference", BanditPolicy(slack_factor=0.2),
     {"run": [0.0, 0.0]}, "run", 2, MAX, None),
    ("the-best-run-lives", BanditPolicy(slack_factor=0.2),
     {"best": [0.8], "poor": [0.1]}, "best", 1, MAX, None),
    ("negative-B-maximize-magnitude-stops", BanditPolicy(slack_factor=0.25),
     {"best": [-1.0], "poor": [-1.5]}, "poor", 1, MAX,
     "BanditPolicy at interval 1: best -1.5 < -1.25 = -1 * (1 + 0.25)"),
    ("negative-B-maximize-within-slack", BanditPolicy(slack_factor=0.25),
     {"best": [-1.0], "ok": [-1.2]}, "ok", 1, MAX, None),
    ("negative-B-maximize-best-lives", BanditPolicy(slack_factor=0.25),
     {"best": [-1.0], "poor": [-1.5]}, "best", 1, MAX, None),
    ("negative-B-minimize-stops", BanditPolicy(slack_factor=0.25),
     {"best": [-1.0], "poor": [-0.75]}, "poor", 1, MIN,
     "BanditPolicy at interval 1: best -0.75 > -0.8 = -1 / (1 + 0.25)"),
    ("zero-B-maximize-has-no-slack", BanditPolicy(slack_factor=0.25),
     {"best": [0.0], "poor": [-0.001]}, "poor", 1, MAX,
     "BanditPolicy at interval 1: best -0.001 < 0 = 0 / (1 + 0.25)"),
    ("finished-runs-count-as-reference", BanditPolicy(slack_amount=0.1),
     {"done": [1.0, 1.0, 1.0], "run": [0.5, 0.5]}, "run", 2, MAX,
     "BanditPolicy at interval 2: best 0.5 < 0.9 = 1 - 0.1"),
    # on the threshold as computed by hand from decimal numbers, where float arithmetic
    # lands one ulp away (0.8 - 0.1 = 0.7000000000000001): the run lives
    ("decimal-amount-on-threshold-lives", BanditPolicy(slack_amount=0.1),
     {"best": [0.8], "edge": [0.7]}, "edge", 1, MAX, None),
    ("decimal-amount-on-threshold-lives-minimize", BanditPolicy(slack_amount=0.1),
     {"best": [0.7], "edge": [0.8]}, "edge", 1, MIN, None),
    ("decimal-factor-on-threshold-lives", BanditPolicy(slack_factor=0.2),
     {"best": [1.08], "edge": [0.9]}, "edge", 1, MAX, None),
    ("decimal-factor-on-threshold-lives-minimize", BanditPolicy(slack_factor=0.05),
     {"best": [0.57], "edge": [0.5985]}, "edge", 1, MIN, None),
    ("decimal-amount-just-below-stops", BanditPolicy(slack_amount=0.1),
     {"best": [0.8], "poor": [0.6999999999]}, "poor", 1, MAX,
     "BanditPolicy at interval 1: best 0.6999999999 < 0.7 = 0.8 - 0.1"),
    ("close-numbers-get-more-digits", BanditPolicy(slack_factor=0.2),
     {"best": [0.8], "poor": [0.66666]}, "poor", 1, MAX,
     "BanditPolicy at interval 1: best 0.66666 < 0.66667 = 0.8 / (1 + 0.2)"),
]


@pytest.mark.parametrize(("policy", "table", "run", "interval", "goal", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_oracle(policy, table, run, interval, goal, expected):
    assert policy.should_terminate(run, interval, table, goal) == expected


def test_goal_may_be_given_by_name():
    table = {"best": [0.8], "poor": [0.6]}
    assert BanditPolicy(slack_factor=0.2).should_terminate("poor", 1, table, "maximize")


def test_threshold_formula_matches_spec():
    policy = BanditPolicy(slack_factor=0.2)
    assert policy.threshold(0.8, MAX) == (0.8 / 1.2, "0.8 / (1 + 0.2)")
    assert policy.threshold(0.8, MIN) == (0.8 * 1.2, "0.8 * (1 + 0.2)")
    assert round(policy.threshold(0.8, MAX)[0], 4) == 0.6667


@pytest.mark.parametrize(("values", "name", "expected"), [
    ((0.5, 0.9), "accuracy", 0),
    ((), "accuracy", 0),
    ((0.5, -0.1), "accuracy", 1),
    ((0.0,), "accuracy", 1),
    ((), "neg_mean_squared_error", 1),
    ((), "R2", 1),
    ((NAN, INF), None, 0),
])
def test_warnings_for_ratio_slack(values, name, expected):
    messages = BanditPolicy(slack_factor=0.1).warnings_for(MAX, values, name)
    assert len(messages) == expected
    assert all("slack_factor" in m and "slack_amount" in m for m in messages)


def test_no_warning_for_absolute_slack():
    assert BanditPolicy(slack_amount=0.1).warnings_for(MAX, [-5.0], "neg_loss") == []


def _decimal(draw_int: int, places: int) -> float:
    return float(Fraction(draw_int, 10 ** places))


@settings(max_examples=300, deadline=None)
@given(best=st.integers(-999, 999).filter(bool), slack=st.integers(1, 100),
       kind=st.sampled_from(["slack_factor", "slack_amount"]), goal=st.sampled_from([MAX, MIN]))
def test_a_run_on_the_decimal_threshold_lives_and_one_just_beyond_stops(best, slack, kind,
                                                                        goal):
    b, s = _decimal(best, 3), _decimal(slack, 2)
    fb, fs = Fraction(repr(b)), Fraction(repr(s))
    maximize = goal is MAX
    if kind == "slack_amount":
        limit = fb - fs if maximize else fb + fs
    else:
        limit = fb / (1 + fs) if maximize == (b >= 0) else fb * (1 + fs)
    assume(Fraction(repr(float(limit))) == limit)  # a threshold a decimal can be exactly on
    policy = BanditPolicy(**{kind: s})
    edge = float(limit)
    assert policy.should_terminate("edge", 1, {"best": [b], "edge": [edge]}, goal) is None
    beyond = edge - 1e-9 * max(1.0, abs(edge)) if maximize else \
        edge + 1e-9 * max(1.0, abs(edge))
    assert policy.should_terminate("edge", 1, {"best": [b], "edge": [beyond]}, goal)
