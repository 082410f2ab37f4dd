"""Two numbers HyperDrive does not give: which hyperparameters matter (importance) and how
much compute early termination saved.

**Importance** is a main-effect variance decomposition in the spirit of fANOVA, without a
surrogate model: the runs' best values are replaced by their ranks (so one diverged run
cannot dominate), each hyperparameter's values are grouped (a ``choice`` by value, a number
into equal-count bins), and the share of the ranks' variance explained by the groups is
estimated with epsilon-squared, which subtracts what noise alone would explain:

    ε² = (SS_between − (k − 1) · SS_within / (n − k)) / SS_total,  clipped to [0, 1]

**Compute saved** counts intervals (the N-th logged value of the primary metric). A run
stopped by the policy would, without a policy, have run as long as the runs that ended by
themselves: the no-policy budget gives each policy-stopped run the most intervals any
``Completed`` run reached (when none completed yet: any Completed run of a warm-start
parent, else any run) and every other run the
intervals it actually ran. Saved = budget − intervals run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.stats import rankdata

from hypersweep.plots._data import Axis, SweepData
from hypersweep.plots._style import num

__all__ = ["MIN_RUNS", "POLICY_REASON", "compute_saved", "epsilon_squared", "group_codes",
           "importance"]

MIN_RUNS = 4
MAX_BINS = 10
POLICY_REASON = re.compile(r"^\w*Policy at interval \d+")


def group_codes(ax: Axis, values: Sequence[Any]) -> np.ndarray:
    """A group number per value: a ``choice`` groups by category; a number falls into one
    of up to ``min(10, √n)`` equal-count bins (equal values always share a bin)."""
    n = len(values)
    positions = np.array([ax.position(v) for v in values], dtype=float)
    distinct, inverse = np.unique(positions, return_inverse=True)
    bins = min(MAX_BINS, max(2, round(math.sqrt(n))))
    if ax.kind == "categorical" or len(distinct) <= bins:
        return inverse
    order = np.argsort(positions, kind="stable")
    by_rank = np.empty(n, dtype=int)
    by_rank[order] = (np.arange(n) * bins) // n
    first = np.full(len(distinct), bins, dtype=int)
    np.minimum.at(first, inverse, by_rank)
    return np.unique(first[inverse], return_inverse=True)[1]


def epsilon_squared(y: np.ndarray, groups: np.ndarray) -> float:
    """Share of the variance of ``y`` explained by ``groups``, corrected for chance."""
    n = len(y)
    total = float(np.sum((y - y.mean()) ** 2))
    k = int(groups.max()) + 1 if n else 0
    if total <= 0 or k < 2 or n - k <= 0:
        return 0.0
    counts = np.bincount(groups, minlength=k)
    means = np.bincount(groups, weights=y, minlength=k) / np.maximum(counts, 1)
    between = float(np.sum(counts * (means - y.mean()) ** 2))
    within = total - between
    value = (between - (k - 1) * within / (n - k)) / total
    return min(1.0, max(0.0, value))


def importance(data: SweepData) -> dict[str, Any]:
    """``{"n": runs used, "params": [{name, importance, groups}], "message"}``, params
    sorted most important first; ``importance`` is ε² in [0, 1]."""
    runs = [r for r in data.runs if num(r["primary_best"]) is not None
            and all(ax.position((r["params"] or {}).get(ax.name)) is not None
                    for ax in data.axes)]
    n = len(runs)
    if n < MIN_RUNS or not data.axes:
        need = f"needs at least {MIN_RUNS} runs with a value of '{data.metric}' (has {n})"
        return {"n": n, "params": [], "message": need if data.axes else "no hyperparameters"}
    y = rankdata([r["primary_best"] for r in runs]).astype(float)
    params = []
    for ax in data.axes:
        groups = group_codes(ax, [r["params"][ax.name] for r in runs])
        params.append({"name": ax.name, "importance": epsilon_squared(y, groups),
                       "groups": int(groups.max()) + 1})
    params.sort(key=lambda p: (-p["importance"], p["name"]))
    return {"n": n, "params": params, "message": None}


def _stopped_by_policy(run: Mapping[str, Any]) -> bool:
    return run["status"] in ("Canceled", "CancelRequested") and bool(
        POLICY_REASON.match(run["message"] or ""))


def compute_saved(data: SweepData) -> dict[str, Any]:
    """Intervals run versus the no-policy budget (see the module docstring), overall and
    per run, with an estimate of the seconds saved (each stopped run's own pace)."""
    counts = {r["id"]: int(r["primary_count"] or 0) for r in data.runs}
    completed = [counts[r["id"]] for r in data.runs if r["status"] == "Completed"]
    # none completed yet: a warm-start parent's completed runs show the full length
    reference = [data.parent_full] if data.parent_full else []
    full = max(completed or reference or list(counts.values()) or [0])
    per_run, seconds = [], 0.0
    for run in data.runs:
        used = counts[run["id"]]
        stopped = _stopped_by_policy(run)
        saved = max(0, full - used) if stopped else 0
        if saved and used and run["started"] is not None and run["ended"] is not None:
            seconds += saved * (run["ended"] - run["started"]) / used
        per_run.append({"id": run["id"], "number": run["number"], "used": used,
                        "saved": saved, "stopped": stopped})
    used = sum(p["used"] for p in per_run)
    saved = sum(p["saved"] for p in per_run)
    budget = used + saved
    return {"policy": (data.policy or {}).get("type", "none"), "full_intervals": full,
            "used": used, "budget": budget, "saved": saved,
            "fraction": saved / budget if budget else 0.0,
            "stopped_runs": sum(p["stopped"] for p in per_run),
            "seconds_saved": seconds, "runs": per_run}
