"""Shared shorthand and Hypothesis strategies for the policy tests."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from hypersweep import (
    AsyncHyperBandPolicy,
    BanditPolicy,
    MedianStoppingPolicy,
    PrimaryMetricGoal,
    TruncationSelectionPolicy,
)

MAX = PrimaryMetricGoal.MAXIMIZE
MIN = PrimaryMetricGoal.MINIMIZE
NAN = math.nan
INF = math.inf

# Multiples of 1/4 in a small range: sums, shifts and negations of them are exact.
DYADIC = st.integers(-40, 40).map(lambda i: i / 4)
VALUES = st.one_of(DYADIC, DYADIC, DYADIC, st.sampled_from([NAN, INF, -INF]))
GOALS = st.sampled_from([MAX, MIN])


def policies():
    """One instance of every policy, with settings that evaluate often."""
    return st.sampled_from([
        BanditPolicy(slack_factor=0.2),
        BanditPolicy(slack_factor=0.5, evaluation_interval=2),
        BanditPolicy(slack_amount=0.25),
        BanditPolicy(slack_amount=1.5, delay_evaluation=2),
        MedianStoppingPolicy(),
        MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=2),
        TruncationSelectionPolicy(20),
        TruncationSelectionPolicy(50, exclude_finished_jobs=True),
        TruncationSelectionPolicy(99),
        AsyncHyperBandPolicy(1, 2),
        AsyncHyperBandPolicy(1, 3, max_interval=9),
    ])


@st.composite
def tables(draw, values=VALUES, min_runs: int = 1, max_runs: int = 7, max_len: int = 6):
    """(table, run id, interval, finished): a metric table and one run to evaluate."""
    count = draw(st.integers(min_runs, max_runs))
    table = {f"r{i}": draw(st.lists(values, min_size=0, max_size=max_len))
             for i in range(count)}
    run = draw(st.sampled_from(sorted(table)))
    if not table[run]:
        table[run] = [draw(values)]
    interval = draw(st.integers(1, len(table[run])))
    finished = frozenset(draw(st.sets(st.sampled_from(sorted(table))))) - {run}
    return table, run, interval, finished

