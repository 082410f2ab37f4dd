"""Column-selective, batched reads of the store for the views.

The Store's own readers return whole rows (a run's row carries its log tail) and decode
every metric value into a dict; for a view of thousands of runs and hundreds of thousands
of values that is seconds of work. These queries read only the columns a view needs, as
tuples, and can sample long curves or aggregate them in SQL. Read-only; SQLite and
PostgreSQL alike (SQLAlchemy Core over the store's tables).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from hypersweep.store import _schema as s

__all__ = ["Curve", "read_curves", "read_envelope", "read_runs"]

Curve = tuple[tuple[int, ...], tuple[float, ...]]  # (steps, values); NaN = not a number
RUN_COLUMNS = ("id", "number", "status", "params", "primary_best", "primary_count",
               "created", "started", "ended", "message", "exit_code")
_CHUNK = 500


def read_runs(store: Any, experiment_id: str) -> tuple[dict[str, Any], ...]:
    """The runs of a sweep in number order, with only :data:`RUN_COLUMNS`."""
    cols = [s.runs.c[name] for name in RUN_COLUMNS]
    query = sa.select(*cols).where(s.runs.c.experiment_id == experiment_id) \
        .order_by(s.runs.c.number)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    out = []
    for row in rows:
        run = dict(zip(RUN_COLUMNS, row, strict=True))
        run["params"] = json.loads(run["params"]) if run["params"] else {}
        out.append(run)
    return tuple(out)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def read_curves(store: Any, experiment_id: str, metric: str, *,
                run_ids: Sequence[str] | None = None, stride: int = 1) -> dict[str, Curve]:
    """run id → the metric's values (``kind == 'metric'``) in step order; with ``stride``
    > 1 only steps 1, 1 + stride, ... and each run's last step are read."""
    m, r = s.metrics.c, s.runs.c
    base = (sa.select(m.run_id, m.step, m.value)
            .select_from(s.metrics.join(s.runs, r.id == m.run_id))
            .where(r.experiment_id == experiment_id, m.name == metric, m.kind == "metric"))
    if stride > 1:
        base = base.where(sa.or_((m.step - 1) % stride == 0, m.step == r.primary_count))
    queries = [base] if run_ids is None else [base.where(m.run_id.in_(list(chunk)))
                                              for chunk in _chunks(run_ids)]
    steps: dict[str, list[int]] = {}
    values: dict[str, list[float]] = {}
    nan = math.nan
    with store.engine.connect() as conn:
        for query in queries:
            for rid, step, value in conn.execute(query.order_by(m.run_id, m.step)):
                steps.setdefault(rid, []).append(step)
                values.setdefault(rid, []).append(nan if value is None else value)
    return {rid: (tuple(steps[rid]), tuple(values[rid])) for rid in steps}


def read_envelope(store: Any, experiment_id: str, metric: str, maximize: bool
                  ) -> dict[int, float]:
    """step → the best finite value any run logged at that step (one grouped query)."""
    m, r = s.metrics.c, s.runs.c
    agg = sa.func.max(m.value) if maximize else sa.func.min(m.value)
    query = (sa.select(m.step, agg).select_from(s.metrics.join(s.runs, r.id == m.run_id))
             .where(r.experiment_id == experiment_id, m.name == metric, m.kind == "metric",
                    m.value.is_not(None))
             .group_by(m.step))
    with store.engine.connect() as conn:
        return {step: value for step, value in conn.execute(query) if value is not None}
