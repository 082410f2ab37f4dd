"""When each HyperDrive policy evaluates: N % evaluation_interval == 0 and N >= delay."""

from __future__ import annotations

import pytest

from hypersweep import BanditPolicy, MedianStoppingPolicy, TruncationSelectionPolicy
from tests.unit.policy._tables import MAX

MAKERS = [
    lambda every, delay: BanditPolicy(slack_amount=0.01, evaluation_interval=every,
                                      delay_evaluation=delay),
    lambda every, delay: MedianStoppingPolicy(every, delay),
    lambda every, delay: TruncationSelectionPolicy(50, every, delay),
]


@pytest.mark.parametrize("make", MAKERS, ids=["bandit", "median", "truncation"])
@pytest.mark.parametrize(("every", "delay", "first"), [
    ((1, 5, [5, 6, 7, 8, 9])),
    ((2, 5, [6, 8, 10, 12, 14])),
    ((100, 200, [200, 300, 400, 500, 600])),
    ((1, 0, [1, 2, 3, 4, 5])),
    ((0, 0, [1, 2, 3, 4, 5])),  # evaluation_interval <= 0 counts as 1 (SPEC §4)
    ((-1, 0, [1, 2, 3, 4, 5])),
    ((-3, 2, [2, 3, 4, 5, 6])),
    ((3, 0, [3, 6, 9, 12, 15])),
    ((5, 7, [10, 15, 20, 25, 30])),
])
def test_schedule(make, every, delay, first):
    policy = make(every, delay)
    assert [n for n in range(-5, 1000) if policy.is_scheduled(n)][:5] == first


@pytest.mark.parametrize("make", MAKERS, ids=["bandit", "median", "truncation"])
def test_unscheduled_interval_stops_nobody(make):
    policy = make(2, 5)
    table = {"good": [1.0] * 8, "bad": [0.0] * 8, "mid": [0.5] * 8}
    decisions = {n: policy.should_terminate("bad", n, table, MAX) is not None
                 for n in range(1, 9)}
    assert decisions == {1: False, 2: False, 3: False, 4: False, 5: False, 6: True, 7: False,
                         8: True}
