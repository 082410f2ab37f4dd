"""SweepData: what every view of one sweep needs, read from the store in a few batched
queries (see ``_reads``): the experiment row, its runs' summary columns and — only when
curves are wanted — the primary metric's values.

A previous snapshot can be passed in: the curves of runs whose interval count did not
change are reused, so refreshing a live sweep re-reads only the runs that logged
something new. Very large sweeps are sampled (every stride-th value), keeping the best
runs' curves whole and the best-so-far envelope exact.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from hypersweep.goal import PrimaryMetricGoal
from hypersweep.plots._reads import Curve, read_curves, read_envelope, read_runs
from hypersweep.space import render_value

__all__ = ["Axis", "SweepData", "load_sweep", "sweep_data"]

LOG_EXPRESSIONS = frozenset({"loguniform", "qloguniform", "lognormal", "qlognormal"})
TERMINAL = frozenset({"Completed", "Failed", "Canceled"})
FULL_POINTS = 60_000  # curves up to this many values in all are read whole
TOP_RUNS = 20         # beyond that, the best runs' curves are still read whole


def label(value: Any) -> str:
    """The text of a hyperparameter value, as it reaches the script's command line."""
    if isinstance(value, list):
        value = tuple(value)
    return render_value(value)


@dataclasses.dataclass(frozen=True)
class Axis:
    """How one hyperparameter is drawn: ``linear``, ``log`` (log expressions) or
    ``categorical`` (``choice``; ``categories`` are its value labels in order)."""

    name: str
    kind: str
    categories: tuple[str, ...] = ()
    expression: str = ""

    def position(self, value: Any) -> float | None:
        """Where ``value`` sits on this axis: the number itself (log axes take the raw
        value; the figure maps it), or the index of its category."""
        if self.kind == "categorical":
            text = label(value)
            return float(self.categories.index(text)) if text in self.categories else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        value = float(value)
        if not math.isfinite(value) or (self.kind == "log" and value <= 0):
            return None
        return value


@dataclasses.dataclass(frozen=True)
class SweepData:
    """A read-only snapshot of one sweep (HyperDrive's parent run) and its child runs.

    ``runs`` are store rows (dicts) in run-number order. ``series`` maps run id → the
    primary metric's curve ``(steps, values)`` (non-numbers as NaN), or is None when the
    snapshot was taken without curves. Large sweeps are sampled: ``stride`` > 1 means
    only every stride-th step was read, except for the runs in ``full_ids``, and
    ``envelope`` (step → best value of any run at that step) then comes from SQL.
    """

    experiment: Mapping[str, Any]
    metric: str
    goal: PrimaryMetricGoal
    axes: tuple[Axis, ...]
    runs: tuple[Mapping[str, Any], ...]
    series: Mapping[str, Curve] | None = None
    stride: int = 1
    full_ids: frozenset[str] = frozenset()
    envelope: Mapping[int, float] | None = None
    sampling: str = "unknown"
    policy: Mapping[str, Any] | None = None
    max_total_runs: int | None = None
    max_concurrent_runs: int | None = None
    parent_full: int | None = None   # most intervals a warm-start parent's Completed run ran

    @property
    def id(self) -> str:
        return self.experiment["id"]

    @property
    def maximize(self) -> bool:
        return self.goal is PrimaryMetricGoal.MAXIMIZE

    def best_run(self) -> Mapping[str, Any] | None:
        """The run with the best primary value (the lowest number wins ties), or None."""
        scored = [r for r in self.runs if _finite(r["primary_best"])]
        if not scored:
            return None
        sign = self.goal.sign
        return max(scored, key=lambda r: (sign * r["primary_best"], -r["number"]))

    def axis(self, name: str) -> Axis:
        for ax in self.axes:
            if ax.name == name:
                return ax
        raise KeyError(name)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _describe(expr: list[Any]) -> str:
    name, args = expr[0], expr[1]
    if name == "choice":
        return f"choice({', '.join(label(v) for v in args[0])})"
    return f"{name}({', '.join(str(a) for a in args)})"


def axes_from(space: Mapping[str, Any], runs: Sequence[Mapping[str, Any]]) -> tuple[Axis, ...]:
    """Axes from the stored search space (HyperDrive's JSON form), with names only seen in
    run parameters (an older spec, a warm-start parent) added after them."""
    axes: list[Axis] = []
    for name, expr in space.items():
        kind = expr[0]
        if kind == "choice":
            cats = tuple(dict.fromkeys(label(v) for v in expr[1][0]))
            axes.append(Axis(name, "categorical", cats, _describe(expr)))
        else:
            axes.append(Axis(name, "log" if kind in LOG_EXPRESSIONS else "linear",
                             expression=_describe(expr)))
    known = set(space)
    extra: dict[str, list[Any]] = {}
    for run in runs:
        for name, value in (run.get("params") or {}).items():
            if name not in known:
                extra.setdefault(name, []).append(value)
    for name, values in extra.items():
        if all(_finite(v) and not isinstance(v, bool) for v in values):
            axes.append(Axis(name, "linear"))
        else:
            axes.append(Axis(name, "categorical", tuple(dict.fromkeys(map(label, values)))))
    return tuple(_fix_axis(ax, runs) for ax in axes)


def _fix_axis(ax: Axis, runs: Sequence[Mapping[str, Any]]) -> Axis:
    """Add categories seen in runs but not in the space; a log axis holding a value <= 0
    (a q-expression rounded to 0) becomes linear, since its logarithm does not exist."""
    values = [r["params"][ax.name] for r in runs if ax.name in (r.get("params") or {})]
    if ax.kind == "categorical":
        missing = [t for t in dict.fromkeys(map(label, values)) if t not in ax.categories]
        return dataclasses.replace(ax, categories=ax.categories + tuple(missing)) \
            if missing else ax
    if ax.kind == "log" and any(_finite(v) and v <= 0 for v in values):
        return dataclasses.replace(ax, kind="linear")
    return ax


def ranked(runs: Sequence[Mapping[str, Any]], maximize: bool) -> list[Mapping[str, Any]]:
    """Runs best first (by their best primary value); runs without one last."""
    sign = 1.0 if maximize else -1.0
    return sorted(runs, key=lambda r: (not _finite(r["primary_best"]),
                                       -sign * r["primary_best"] if _finite(r["primary_best"])
                                       else 0.0, r["number"]))


def _sample(curve: Curve, stride: int) -> Curve:
    """Every stride-th step of a full curve, and its last (what read_curves samples)."""
    steps, values = curve
    keep = [i for i, s in enumerate(steps) if (s - 1) % stride == 0 or i == len(steps) - 1]
    return tuple(steps[i] for i in keep), tuple(values[i] for i in keep)


def _fold(envelope: dict[int, float], curves: Mapping[str, Curve], maximize: bool) -> None:
    """Add curves' finite values to an envelope (step → best value at that step)."""
    better = max if maximize else min
    for steps, values in curves.values():
        for step, value in zip(steps, values, strict=True):
            if math.isfinite(value):
                envelope[step] = better(envelope[step], value) if step in envelope else value


def _curves(store: Any, exp_id: str, metric: str, runs: Sequence[Mapping[str, Any]],
            maximize: bool, previous: SweepData | None) -> dict[str, Any]:
    """The curve fields of SweepData. Up to FULL_POINTS values in all, every value is
    read. Beyond, every stride-th value, the TOP_RUNS best runs' whole curves and the
    exact envelope (from SQL) — after which refreshes read only the runs that logged
    something new, in full, and fold them into the envelope."""
    total = sum(int(r["primary_count"] or 0) for r in runs)
    stride = max(1, math.ceil(total / FULL_POINTS))
    reuse = previous is not None and previous.series is not None and previous.stride == stride
    fresh: dict[str, Curve] = {}
    old_full: frozenset[str] = frozenset()
    if previous is None or not reuse:
        curves = read_curves(store, exp_id, metric, stride=stride)
        full = set(curves) if stride == 1 else set()
        envelope = read_envelope(store, exp_id, metric, maximize) if stride > 1 else None
    else:
        counts = {r["id"]: r["primary_count"] for r in previous.runs}
        stale = [r["id"] for r in runs if r["id"] not in previous.series
                 or counts.get(r["id"]) != r["primary_count"]]
        fresh = read_curves(store, exp_id, metric, run_ids=stale) if stale else {}
        curves = dict(previous.series or {})
        curves.update({rid: fresh.get(rid, ((), ())) for rid in stale})
        old_full = previous.full_ids
        full = set(old_full) | set(stale)
        envelope = None
        if stride > 1:
            envelope = dict(previous.envelope or {})
            _fold(envelope, fresh, maximize)
    if stride > 1:
        top = {r["id"] for r in ranked(runs, maximize)[:TOP_RUNS]}
        need = [rid for rid in top if rid not in full]
        if need:
            curves.update(read_curves(store, exp_id, metric, run_ids=need))
        full = (full & top) | set(need)
        dense = (set(old_full) | set(fresh)) - full
        curves.update({rid: _sample(curves[rid], stride) for rid in dense if rid in curves})
    return {"series": curves, "stride": stride, "full_ids": frozenset(full),
            "envelope": envelope}


def load_sweep(store: Any, experiment_id: str, *, series: bool = False,
               previous: SweepData | None = None,
               runs: Sequence[dict[str, Any]] | None = None) -> SweepData:
    """Read a snapshot of sweep ``experiment_id`` (an id, or a name meaning its newest).

    With ``series=True`` the primary metric's curves are read too; from ``previous``
    (an earlier snapshot of the same sweep) the curves of unchanged runs are reused.
    ``runs`` (rows already read, in number order) makes the snapshot agree with what
    the caller shows beside it.
    """
    exp = store.experiment(experiment_id)
    runs = tuple(runs) if runs is not None else read_runs(store, exp["id"])
    spec = json.loads(exp["spec"] or "{}")
    sampling = spec.get("sampling") or {}
    metric = spec.get("primary_metric_name") or "metric"
    goal = PrimaryMetricGoal.parse(spec.get("primary_metric_goal") or "maximize")
    curves = _curves(store, exp["id"], metric, runs, goal is PrimaryMetricGoal.MAXIMIZE,
                     previous) if series else {}
    parents = spec.get("resume_from") or []  # finished sweeps: read once per snapshot chain
    parent_full = previous.parent_full if previous is not None else max(
        (int(r["primary_count"] or 0) for p in parents for r in store.runs(p)
         if r["status"] == "Completed"), default=None)
    return SweepData(
        parent_full=parent_full,
        experiment={k: v for k, v in exp.items() if k != "spec"}, metric=metric, goal=goal,
        axes=axes_from(sampling.get("space") or {}, runs), runs=runs,
        sampling=sampling.get("type", "unknown"), policy=spec.get("policy"),
        max_total_runs=spec.get("max_total_runs"),
        max_concurrent_runs=spec.get("max_concurrent_runs"), **curves)


def sweep_data(source: Any, *, series: bool = True) -> SweepData:
    """A SweepData from a ``HyperDriveRun`` (or a SweepData, returned as it is)."""
    if isinstance(source, SweepData):
        return source
    store = getattr(source, "_store", None)
    if store is None or not hasattr(source, "id"):
        raise TypeError(f"expected a HyperDriveRun or SweepData, got {type(source).__name__}")
    return load_sweep(store, source.id, series=series)
