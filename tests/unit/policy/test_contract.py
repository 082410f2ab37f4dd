"""One contract for every policy, plus the invariants of each rule (Hypothesis)."""

from __future__ import annotations

import copy

from hypothesis import assume, given
from hypothesis import strategies as st

from hypersweep import (
    AsyncHyperBandPolicy,
    BanditPolicy,
    MedianStoppingPolicy,
    PrimaryMetricGoal,
    TruncationSelectionPolicy,
)
from tests.unit.policy._tables import DYADIC, GOALS, MAX, MIN, VALUES, policies, tables


def flip(goal: PrimaryMetricGoal) -> PrimaryMetricGoal:
    return MIN if goal is MAX else MAX


def negated(table):
    return {run: [-v for v in values] for run, values in table.items()}


@given(policies(), tables(), GOALS)
def test_pure_same_input_same_answer_and_no_mutation(policy, case, goal):
    table, run, interval, finished = case
    before = copy.deepcopy(table)
    first = policy.should_terminate(run, interval, table, goal, finished)
    assert policy.should_terminate(run, interval, table, goal, finished) == first
    assert repr(table) == repr(before)
    assert first is None or first.startswith(type(policy).__name__)


@given(policies(), st.lists(DYADIC, min_size=1, max_size=8), GOALS, st.data())
def test_never_stops_without_a_reference(policy, values, goal, data):
    interval = data.draw(st.integers(1, len(values)))
    assert policy.should_terminate("only", interval, {"only": values}, goal) is None
    shorter = {"only": values, "short": values[:interval - 1], "empty": []}
    assert policy.should_terminate("only", interval, shorter, goal) is None


@given(policies(), tables(), GOALS, st.integers(0, 2))
def test_never_stops_a_run_that_leads_at_every_interval(policy, case, goal, bump):
    table, run, interval, finished = case
    length = len(table[run])
    leader = []
    for i in range(length):
        finite = [goal.sign * v[i] for v in table.values()
                  if len(v) > i and abs(v[i]) < float("inf")]
        leader.append(goal.sign * (max(finite, default=0.0) + bump))
    table[run] = leader
    assert policy.should_terminate(run, interval, table, goal, finished) is None


@given(policies(), tables(), GOALS)
def test_mirrored_goal_gives_mirrored_decisions(policy, case, goal):
    table, run, interval, finished = case
    decision = policy.should_terminate(run, interval, table, goal, finished)
    mirrored = policy.should_terminate(run, interval, negated(table), flip(goal), finished)
    assert (decision is None) == (mirrored is None)


@given(policies(), tables(), GOALS)
def test_unscheduled_intervals_stop_nobody(policy, case, goal):
    table, run, _, finished = case
    for interval in range(1, len(table[run]) + 1):
        if not policy.is_scheduled(interval):
            assert policy.should_terminate(run, interval, table, goal, finished) is None


@given(tables(values=DYADIC), GOALS, st.sampled_from([0.25, 0.5, 1.0, 1.5]),
       st.integers(-20, 20))
def test_bandit_amount_is_invariant_under_a_shift(case, goal, amount, shift):
    table, run, interval, _ = case
    policy = BanditPolicy(slack_amount=amount)
    shifted = {r: [v + shift for v in values] for r, values in table.items()}
    assert ((policy.should_terminate(run, interval, table, goal) is None)
            == (policy.should_terminate(run, interval, shifted, goal) is None))


@given(tables(), GOALS, st.sampled_from([0.1, 0.2, 0.5, 1.0, 3.0]))
def test_bandit_a_run_equal_to_the_best_lives(case, goal, factor):
    table, run, interval, _ = case
    best = goal.best(v for values in table.values() if len(values) >= interval
                     for v in values[:interval])
    assume(best is not None)
    table[run] = [best] * len(table[run])
    for policy in (BanditPolicy(slack_factor=factor), BanditPolicy(slack_amount=factor)):
        assert policy.should_terminate(run, interval, table, goal) is None


@given(tables(values=DYADIC), GOALS, st.integers(-20, 20), st.sampled_from([1, 2, 4]))
def test_median_is_invariant_under_shift_and_scale(case, goal, shift, scale):
    table, run, interval, finished = case
    policy = MedianStoppingPolicy()
    moved = {r: [v * scale + shift for v in values] for r, values in table.items()}
    assert ((policy.should_terminate(run, interval, table, goal, finished) is None)
            == (policy.should_terminate(run, interval, moved, goal, finished) is None))


@st.composite
def populations(draw):
    """A table where every run logged ``length`` values, and an interval within it."""
    length = draw(st.integers(1, 4))
    count = draw(st.integers(1, 30))
    values = st.one_of(DYADIC, st.sampled_from([float("nan")]))
    table = {f"r{i:02d}": draw(st.lists(values, min_size=length, max_size=length))
             for i in range(count)}
    return table, draw(st.integers(1, length))


@given(populations(), GOALS, st.integers(1, 99))
def test_truncation_stops_at_most_k_and_is_monotone(case, goal, percentage):
    table, interval = case
    policy = TruncationSelectionPolicy(percentage)
    stopped = {r for r in table if policy.should_terminate(r, interval, table, goal)}
    assert len(stopped) <= percentage * len(table) // 100
    # whoever stops is strictly worse than whoever lives
    score = {r: goal.score(values[interval - 1]) for r, values in table.items()}
    for loser in stopped:
        assert all(score[loser] < score[r] for r in set(table) - stopped)


@given(populations(), GOALS, st.integers(1, 99))
def test_truncation_is_invariant_under_increasing_maps(case, goal, percentage):
    table, interval = case
    policy = TruncationSelectionPolicy(percentage)
    cubed = {r: [v ** 3 + 7 for v in values] for r, values in table.items()}
    for run in table:
        assert ((policy.should_terminate(run, interval, table, goal) is None)
                == (policy.should_terminate(run, interval, cubed, goal) is None))


@given(populations(), GOALS, st.integers(2, 5))
def test_asha_keeps_the_top_floor_n_over_eta(case, goal, eta):
    table, _ = case
    policy = AsyncHyperBandPolicy(1, eta)
    kept = {r for r in table if policy.should_terminate(r, 1, table, goal) is None}
    keep = len(table) // eta
    assert len(kept) >= (keep if keep else len(table))
    if keep:
        scores = sorted((goal.score(v[0]) for v in table.values()), reverse=True)
        assert kept == {r for r, v in table.items() if goal.score(v[0]) >= scores[keep - 1]}


FLOATS = st.one_of(st.floats(-1e6, 1e6), st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from([0.1, 0.2, 0.3, 1e308, -1e308, 1.7e308]))


@given(policies(), tables(values=st.one_of(VALUES, FLOATS)), GOALS, st.data())
def test_a_series_table_decides_exactly_as_a_list_table(policy, case, goal, data):
    """The controller's tables hold Series (append-only, with cached prefix best values
    and sums); every decision, reason included, must be the one plain lists give, also
    when the series grow between evaluations and are judged at earlier intervals."""
    from hypersweep.policy import Series

    table, run, interval, finished = case
    series = {rid: Series() for rid in table}
    for length in range(1, max(len(v) for v in table.values()) + 1):
        for rid, values in table.items():
            series[rid].extend(values[len(series[rid]):length])
        grown = {rid: values[:length] for rid, values in table.items()}
        for at in sorted({interval, data.draw(st.integers(1, length))}):
            if len(grown[run]) >= at:
                assert policy.should_terminate(run, at, series, goal, finished) == \
                    policy.should_terminate(run, at, grown, goal, finished)


def test_a_median_tie_is_decided_from_cached_exact_sums():
    """Constant values tie a run's best with the median at every interval, and each tie is
    decided in exact decimal arithmetic: from a Series that is one Fraction per new value,
    not a sum over every value of every run per evaluation. Same decisions as lists."""
    from hypersweep import MedianStoppingPolicy
    from hypersweep.policy import Series

    policy = MedianStoppingPolicy()
    plain = {"a": [0.1] * 50, "b": [0.1, 0.2] * 25, "c": []}
    cached = {rid: Series(values) for rid, values in plain.items()}
    for i in range(1, 51):
        for table in (plain, cached):
            table["c"].append(0.1 if i % 7 else 0.3)
        assert policy.should_terminate("c", i, cached, MAX) == \
            policy.should_terminate("c", i, plain, MAX)
    assert 1 <= len(cached["a"]._decimal_sums) <= 50  # built on the first tie, as needed
