"""Aggregate reads the Store has no method for: each is one SQL statement over all runs,
so the experiments list and the live-update check cost the same for 5 or 5,000 runs.

Read-only, over the store's own tables (SQLAlchemy Core; SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa

from hypersweep.store import _schema as s

__all__ = ["run_totals", "sweep_version"]

_TERMINAL = ("Completed", "Failed", "Canceled")


def _count(status: str | tuple[str, ...]) -> Any:
    r = s.runs.c
    cond = r.status.in_(status) if isinstance(status, tuple) else r.status == status
    return sa.func.sum(sa.case((cond, 1), else_=0))


def run_totals(store: Any) -> dict[str, dict[str, Any]]:
    """experiment id → {runs, done, running, max_best, min_best} in one grouped query."""
    r = s.runs.c
    query = (sa.select(r.experiment_id, sa.func.count(), _count(_TERMINAL),
                       _count(("Running", "Starting", "CancelRequested")),
                       sa.func.max(r.primary_best), sa.func.min(r.primary_best))
             .group_by(r.experiment_id))
    with store.engine.connect() as conn:
        return {row[0]: {"runs": int(row[1]), "done": int(row[2] or 0),
                         "running": int(row[3] or 0), "max_best": row[4], "min_best": row[5]}
                for row in conn.execute(query)}


def sweep_version(store: Any, experiment_id: str) -> str | None:
    """None for an unknown id; else a short text that changes whenever anything a sweep's
    page shows changes: the sweep's status, a run created, a run changing state, a new
    primary-metric value."""
    r, e = s.runs.c, s.experiments.c
    query = (sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(r.primary_count), 0),
                       _count("Running"), _count("CancelRequested"), _count("Starting"),
                       _count("Completed"), _count("Failed"), _count("Canceled"),
                       sa.func.max(r.ended))
             .where(r.experiment_id == experiment_id))
    with store.engine.connect() as conn:
        exp = conn.execute(sa.select(e.status, e.ended, e.message)
                           .where(e.id == experiment_id)).first()
        totals = conn.execute(query).first()
    if exp is None:
        return None
    raw = repr((tuple(exp or ()), tuple(totals or ())))
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]
