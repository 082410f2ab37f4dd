"""TruncationSelectionPolicy against hand-computed tables (SPEC §4 and the source document)."""

from __future__ import annotations

import pytest

from hypersweep import TruncationSelectionPolicy
from tests.unit.policy._tables import INF, MAX, MIN, NAN

DOC = TruncationSelectionPolicy(20, evaluation_interval=1, delay_evaluation=5)


def at_five(values: list[float]) -> dict[str, list[float]]:
    """Runs a, b, c... whose fifth value is the given one (the first four are 0)."""
    return {name: [0.0] * 4 + [v] for name, v in zip("abcdefgh", values, strict=False)}


def stopped(policy, table, interval, goal, finished=frozenset()):
    """The running runs the policy stops at ``interval``, among those that reached it."""
    return sorted(run for run, values in table.items()
                  if len(values) >= interval and run not in finished
                  and policy.should_terminate(run, interval, table, goal, finished))


def test_doc_example_reason():
    reason = DOC.should_terminate("a", 5, at_five([0.1, 0.2, 0.3, 0.4, 0.5]), MAX)
    assert reason == ("TruncationSelectionPolicy at interval 5: value 0.1 is among the 1 worst "
                      "of 5 runs (k = floor(20% * 5) = 1; 0 worse + 1 equal <= 1)")


# (id, policy, table, interval, goal, finished, runs expected to stop)
CASES = [
    ("spec-distinct-only-worst", DOC, at_five([0.1, 0.2, 0.3, 0.4, 0.5]), 5, MAX, (), ["a"]),
    ("spec-tie-at-bottom-nobody", DOC, at_five([0.1, 0.1, 0.3, 0.4, 0.5]), 5, MAX, (), []),
    ("doc-not-before-delay", DOC, {k: v[:4] for k, v in at_five([1, 2, 3, 4, 5]).items()},
     4, MAX, (), []),
    ("minimize-mirrors", DOC, at_five([0.1, 0.2, 0.3, 0.4, 0.5]), 5, MIN, (), ["e"]),
    ("value-at-N-not-best", TruncationSelectionPolicy(20),
     {"a": [0.9, 0.1], "b": [0.2, 0.2], "c": [0.3, 0.3], "d": [0.4, 0.4], "e": [0.5, 0.5]},
     2, MAX, (), ["a"]),
    ("older-runs-compared-at-N-not-later", TruncationSelectionPolicy(20),
     {"a": [0.1], "b": [0.05, 0.9], "c": [0.3], "d": [0.4], "e": [0.5]}, 1, MAX, (), ["b"]),
    ("runs-shorter-than-N-left-out", TruncationSelectionPolicy(20),
     {"a": [0.1, 0.1, 0.1], "b": [0.2, 0.2, 0.2], "c": [0.3, 0.3, 0.3], "d": [0.4, 0.4, 0.4],
      "e": [0.5, 0.5, 0.5], "short": [0.0, 0.0]}, 3, MAX, (), ["a"]),
    ("k-zero-below-100-over-p", TruncationSelectionPolicy(20), at_five([1, 2, 3, 4]), 5, MAX,
     (), []),
    ("finished-included-by-default", TruncationSelectionPolicy(20),
     at_five([0.1, 0.2, 0.3, 0.4, 0.5]), 5, MAX, ("d", "e"), ["a"]),
    ("exclude-finished-shrinks-P", TruncationSelectionPolicy(20, exclude_finished_jobs=True),
     at_five([0.1, 0.2, 0.3, 0.4, 0.5]), 5, MAX, ("d", "e"), []),
    ("exclude-finished-k-from-rest", TruncationSelectionPolicy(40, exclude_finished_jobs=True),
     at_five([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), 5, MAX, ("a",), ["b", "c"]),
    ("nan-is-worst", TruncationSelectionPolicy(20), at_five([NAN, 0.2, 0.3, 0.4, 0.5]), 5, MAX,
     (), ["a"]),
    ("inf-is-worst-when-maximizing", TruncationSelectionPolicy(20),
     at_five([0.1, INF, 0.3, 0.4, 0.5]), 5, MAX, (), ["b"]),
    ("two-nan-tie-survive", TruncationSelectionPolicy(20), at_five([NAN, NAN, 0.3, 0.4, 0.5]),
     5, MAX, (), []),
    ("two-nan-p40-both-stop", TruncationSelectionPolicy(40), at_five([NAN, NAN, 0.3, 0.4, 0.5]),
     5, MAX, (), ["a", "b"]),
    ("p99-two-runs", TruncationSelectionPolicy(99), at_five([0.2, 0.1]), 5, MAX, (), ["b"]),
    ("p99-two-runs-tied", TruncationSelectionPolicy(99), at_five([0.2, 0.2]), 5, MAX, (), []),
    ("p50-ties-straddling-k", TruncationSelectionPolicy(50),
     at_five([0.1, 0.2, 0.2, 0.2, 0.4, 0.5]), 5, MAX, (), ["a"]),
    ("p50-ties-inside-k", TruncationSelectionPolicy(50),
     at_five([0.1, 0.2, 0.2, 0.3, 0.4, 0.5]), 5, MAX, (), ["a", "b", "c"]),
    ("empty-reference", TruncationSelectionPolicy(99), {"a": [0.0]}, 1, MAX, (), []),
]


@pytest.mark.parametrize(("policy", "table", "interval", "goal", "finished", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_oracle(policy, table, interval, goal, finished, expected):
    assert stopped(policy, table, interval, goal, frozenset(finished)) == expected


def test_k_is_computed_in_integers():
    # 0.29 * 100 is 28.999999999999996 in floats; k must be 29.
    table = {f"r{i:03d}": [float(i)] for i in range(1, 101)}
    policy = TruncationSelectionPolicy(29)
    assert policy.should_terminate("r029", 1, table, MAX) is not None
    assert policy.should_terminate("r030", 1, table, MAX) is None
    assert len(stopped(policy, table, 1, MAX)) == 29


def test_integral_float_percentage_is_accepted():
    assert TruncationSelectionPolicy(20.0).truncation_percentage == 20
