"""Importance and compute saved, checked against hand-computed values."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hypersweep.plots._analysis import (
    compute_saved,
    epsilon_squared,
    group_codes,
    importance,
)
from hypersweep.plots._data import Axis
from tests.unit.plots._data import data, run


def test_epsilon_squared_by_hand():
    # ranks 1..4, mean 2.5, SS_total = 5; groups {1,2} {3,4}: SS_between = 4, SS_within = 1
    # ε² = (4 − 1 · 1/2) / 5 = 0.7
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert epsilon_squared(y, np.array([0, 0, 1, 1])) == pytest.approx(0.7)
    # {1,3} {2,4}: SS_between = 1, SS_within = 4 → (1 − 4/2) / 5 < 0 → 0
    assert epsilon_squared(y, np.array([0, 1, 0, 1])) == 0.0
    assert epsilon_squared(y, np.array([0, 0, 0, 0])) == 0.0        # one group
    assert epsilon_squared(np.ones(4), np.array([0, 0, 1, 1])) == 0.0  # no variance
    assert epsilon_squared(y, np.array([0, 1, 2, 3])) == 0.0        # no degrees of freedom


def test_group_codes_bins_numbers_by_rank_and_keeps_ties_together():
    ax = Axis("x", "linear")
    # n = 9 → 3 bins of 3 by rank
    codes = group_codes(ax, [9, 1, 5, 2, 8, 3, 7, 4, 6])
    assert list(codes) == [2, 0, 1, 0, 2, 0, 2, 1, 1]
    # ties never straddle a bin edge
    codes = group_codes(ax, [1, 1, 1, 1, 2, 3, 4, 5, 6])
    assert len(set(codes[:4])) == 1
    cat = Axis("c", "categorical", ("a", "b", "c"))
    assert list(group_codes(cat, ["c", "a", "c", "a"])) == [1, 0, 1, 0]
    # few distinct values: each value is its own group
    assert list(group_codes(ax, [0.1, 0.2, 0.1, 0.2])) == [0, 1, 0, 1]


def test_importance_ranks_the_parameter_that_drives_the_metric_first():
    axes = (Axis("a", "categorical", ("x", "y")), Axis("b", "categorical", ("p", "q")))
    runs = [run(i, {"a": a, "b": b}, best, 1)
            for i, (a, b, best) in enumerate([("x", "p", 1.0), ("x", "q", 2.0),
                                              ("y", "p", 3.0), ("y", "q", 4.0)])]
    result = importance(data(runs, axes=axes))
    assert result["n"] == 4 and result["message"] is None
    assert [(p["name"], p["importance"]) for p in result["params"]] == [
        ("a", pytest.approx(0.7)), ("b", 0.0)]


def test_importance_is_unmoved_by_an_outlier_thanks_to_ranks():
    axes = (Axis("a", "categorical", ("x", "y")),)
    runs = [run(i, {"a": a}, best, 1) for i, (a, best) in
            enumerate([("x", 1.0), ("x", 2.0), ("y", 3.0), ("y", 1e9)])]
    assert importance(data(runs, axes=axes))["params"][0]["importance"] == pytest.approx(0.7)


def test_importance_needs_enough_runs():
    runs = [run(0, {"lr": 0.01, "batch": 16, "dropout": 0.1}, 0.5, 1)]
    result = importance(data(runs))
    assert result["params"] == [] and "at least 4 runs" in result["message"]


def test_compute_saved_by_hand():
    runs = [run(0, {}, 0.9, 10), run(1, {}, 0.8, 10),
            run(2, {}, 0.2, 3, status="Canceled",
                message="BanditPolicy at interval 3: best 0.2 < 0.75 = 0.9 / (1 + 0.2)",
                started=0.0, ended=30.0),
            run(3, {}, 0.3, 5, status="Canceled", message="MedianStoppingPolicy at interval 5"),
            run(4, {}, None, 2, status="Failed", message="exit code 1"),
            run(5, {}, 0.1, 4, status="Canceled", message="canceled by the user"),
            run(6, {}, 0.5, 6, status="Running")]
    out = compute_saved(data(runs, axes=(), policy={"type": "bandit"}))
    # used = 10+10+3+5+2+4+6 = 40; saved = (10-3) + (10-5) = 12; budget = 52
    assert (out["full_intervals"], out["used"], out["saved"], out["budget"]) == (10, 40, 12, 52)
    assert out["fraction"] == pytest.approx(12 / 52) and out["stopped_runs"] == 2
    assert out["seconds_saved"] == pytest.approx(7 * 30.0 / 3 + 5 * 30.0 / 5)
    assert [r["saved"] for r in out["runs"]] == [0, 0, 7, 5, 0, 0, 0]


def test_compute_saved_without_completed_runs_uses_the_longest_run():
    runs = [run(0, {}, 0.2, 4, status="Running"),
            run(1, {}, 0.1, 1, status="CancelRequested",
                message="TruncationSelectionPolicy at interval 1: value 0.1 ...")]
    out = compute_saved(data(runs, axes=(), policy={"type": "truncation_selection"}))
    assert out["full_intervals"] == 4 and out["saved"] == 3


def test_no_policy_saves_nothing():
    out = compute_saved(data([run(0, {}, 0.2, 4)], axes=()))
    assert out["policy"] == "none" and out["saved"] == 0 and out["fraction"] == 0.0


def test_savings_chart_groups_thousands_of_runs_into_at_most_200_bars():
    from hypersweep.plots._summary import savings_figure

    runs = [{"id": f"r{i}", "number": i, "used": 2, "saved": i % 2, "stopped": bool(i % 2)}
            for i in range(1000)]
    result = {"policy": "bandit", "runs": runs, "fraction": 0.2, "saved": 500, "budget": 2500,
              "stopped_runs": 500}
    used, saved = savings_figure(result)["data"]
    assert len(used["x"]) == 200 and used["x"][:2] == [0, 5] and used["y"][0] == 10
    assert saved["y"][0] == 2 and used["width"][0] == 4.5 and used["customdata"][1] == "runs 5–9"
    small = savings_figure({**result, "runs": runs[:3]})["data"][0]
    assert small["x"] == [0, 1, 2] and "width" not in small


def test_compute_saved_with_a_warm_start_parent_and_no_completed_run_yet():
    # both runs stopped at interval 1 against a parent whose runs ran 4 intervals: the
    # budget is the parent's length, not the longest of these (1)
    runs = [run(i, {}, 0.1, 1, status="Canceled",
                message="BanditPolicy at interval 1: best 0.1 < 0.5 = 0.6 / (1 + 0.2)")
            for i in (0, 1)]
    out = compute_saved(dataclasses.replace(
        data(runs, axes=(), policy={"type": "bandit"}), parent_full=4))
    assert (out["full_intervals"], out["used"], out["saved"], out["budget"]) == (4, 2, 6, 8)
    # a run of its own that completed is the reference once there is one
    own = [*runs, run(2, {}, 0.7, 3)]
    out = compute_saved(dataclasses.replace(
        data(own, axes=(), policy={"type": "bandit"}), parent_full=4))
    assert out["full_intervals"] == 3
