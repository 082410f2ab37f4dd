"""Hand-made SweepData for exact figure tests (no store)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypersweep.goal import PrimaryMetricGoal
from hypersweep.plots._data import Axis, SweepData

AXES = (Axis("lr", "log", expression="loguniform(-7, -1)"),
        Axis("batch", "categorical", ("16", "32"), "choice(16, 32)"),
        Axis("dropout", "linear", expression="uniform(0, 0.5)"))


def run(number: int, params: Mapping[str, Any], best: float | None, count: int, *,
        status: str = "Completed", message: str | None = None, started: float = 100.0,
        ended: float | None = 130.0) -> dict[str, Any]:
    return {"id": f"HD_x_{number}", "number": number, "status": status, "params": dict(params),
            "primary_best": best, "primary_count": count, "created": started - 1,
            "started": started, "ended": ended, "message": message, "exit_code": 0}


def data(runs: Sequence[dict[str, Any]], curves: Mapping[int, Sequence[float]] | None = None,
         *, goal: str = "maximize", axes: tuple[Axis, ...] = AXES,
         policy: Mapping[str, Any] | None = None, metric: str = "acc") -> SweepData:
    series = None
    if curves is not None:
        series = {f"HD_x_{n}": (tuple(range(1, len(v) + 1)), tuple(float(x) for x in v))
                  for n, v in curves.items()}
    return SweepData(experiment={"id": "HD_x", "name": "demo", "status": "Running"},
                     metric=metric, goal=PrimaryMetricGoal.parse(goal), axes=axes,
                     runs=tuple(runs), series=series, sampling="random", policy=policy,
                     max_total_runs=10)
