"""The experiment store: one writer (the controller), any number of readers.

SQLAlchemy Core over SQLite (WAL, so readers never block the writer; a busy timeout, so
concurrent writers wait instead of failing) or PostgreSQL. Every method is one
transaction: a state change is durable before the caller acts on it.
"""

from __future__ import annotations

import enum
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from hypersweep.errors import NotFoundError, StoreError
from hypersweep.store import _schema as s
from hypersweep.store._codec import decode_value

__all__ = ["Store"]

_JSON_RUN = ("params", "arguments", "command", "tags")
_JSON_EXP = ("tags", "parents")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not os.path.exists(path):
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


class Store:
    """Typed access to experiments, runs, metrics and events.

    Readers get plain dicts with JSON columns decoded. Writers pass plain dicts of column
    values. Only the controller (and the submitting process, once, to create the
    experiment; and ``cancel``, to set one flag) writes.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = _make_engine(url)
            self._migrate()
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot open the store at {url}: {exc}") from exc

    @property
    def _insert_metrics_sql(self) -> str:
        style = self.engine.dialect.paramstyle
        marks = ", ".join("?" if style == "qmark" else "%s" for _ in s.MetricRow._fields)
        return f"INSERT INTO hs_metrics ({', '.join(s.MetricRow._fields)}) VALUES ({marks})"

    # -- schema ----------------------------------------------------------------------
    def _migrate(self) -> None:
        with self.engine.begin() as conn:
            s.metadata.create_all(conn, checkfirst=True)
            row = conn.execute(sa.select(s.meta.c.value).where(
                s.meta.c.key == "schema_version")).first()
            if row is None:
                conn.execute(s.meta.insert().values(key="schema_version",
                                                    value=str(s.SCHEMA_VERSION)))
                return
            version = int(row[0])
        if version > s.SCHEMA_VERSION:
            raise StoreError(
                f"the store at {self.url} has schema version {version}, newer than this "
                f"hypersweep's {s.SCHEMA_VERSION}: upgrade hypersweep")
        # Future migrations: for v in range(version, SCHEMA_VERSION): MIGRATIONS[v](conn)

    def close(self) -> None:
        self.engine.dispose()

    # -- experiments -----------------------------------------------------------------
    def create_experiment(self, row: Mapping[str, Any]) -> None:
        values = _dumps(row, _JSON_EXP)
        with self.engine.begin() as conn:
            conn.execute(s.experiments.insert().values(**values))
            conn.execute(s.events.insert().values(
                experiment_id=row["id"], time=time.time(), kind="created",
                message=f"experiment {row['name']} created"))

    def update_experiment(self, experiment_id: str, **fields: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(s.experiments.update().where(s.experiments.c.id == experiment_id)
                         .values(**_dumps(fields, _JSON_EXP)))

    def experiment(self, key: str) -> dict[str, Any]:
        """The experiment with this id, or the newest one with this name."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(s.experiments).where(s.experiments.c.id == key)).first()
            if row is None:
                row = conn.execute(
                    sa.select(s.experiments).where(s.experiments.c.name == key)
                    .order_by(s.experiments.c.created.desc()).limit(1)).first()
        if row is None:
            raise NotFoundError(f"no experiment with id or name {key!r} in {self.url}")
        return _loads(row._mapping, _JSON_EXP)

    def experiments(self, name: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(s.experiments).order_by(s.experiments.c.created)
        if name is not None:
            query = query.where(s.experiments.c.name == name)
        with self.engine.connect() as conn:
            return [_loads(r._mapping, _JSON_EXP) for r in conn.execute(query)]

    # -- runs --------------------------------------------------------------------------
    def create_runs(self, rows: Sequence[Mapping[str, Any]],
                    events: Iterable[Mapping[str, Any]] = ()) -> None:
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(s.runs.insert(), [_dumps(r, _JSON_RUN) for r in rows])
            self._events(conn, events)

    def update_runs(self, updates: Sequence[tuple[str, Mapping[str, Any]]],
                    events: Iterable[Mapping[str, Any]] = ()) -> None:
        """Apply ``(run_id, fields)`` updates (and record events) in one transaction."""
        with self.engine.begin() as conn:
            for run_id, fields in updates:
                conn.execute(s.runs.update().where(s.runs.c.id == run_id)
                             .values(**_dumps(fields, _JSON_RUN)))
            self._events(conn, events)

    def runs(self, experiment_id: str) -> list[dict[str, Any]]:
        query = (sa.select(s.runs).where(s.runs.c.experiment_id == experiment_id)
                 .order_by(s.runs.c.number))
        with self.engine.connect() as conn:
            return [_loads(r._mapping, _JSON_RUN) for r in conn.execute(query)]

    def run(self, run_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(s.runs).where(s.runs.c.id == run_id)).first()
        if row is None:
            raise NotFoundError(f"no run with id {run_id!r} in {self.url}")
        return _loads(row._mapping, _JSON_RUN)

    # -- metrics -----------------------------------------------------------------------
    def ingest(self, records: Sequence[s.MetricRow | Mapping[str, Any]],
               run_updates: Sequence[tuple[str, Mapping[str, Any]]],
               events: Iterable[Mapping[str, Any]] = ()) -> None:
        """Store metric rows together with each run's new channel offset, atomically.

        Rows go to the driver's ``executemany`` as plain tuples: the per-row cost of
        building SQLAlchemy parameters would halve the ingestion rate.
        """
        with self.engine.begin() as conn:
            if records:
                rows = [tuple(r[c] for c in s.MetricRow._fields) if isinstance(r, Mapping)
                        else tuple(r) for r in records]
                conn.exec_driver_sql(self._insert_metrics_sql, rows)
            for run_id, fields in run_updates:
                conn.execute(s.runs.update().where(s.runs.c.id == run_id)
                             .values(**_dumps(fields, _JSON_RUN)))
            self._events(conn, events)

    def metrics(self, run_ids: Sequence[str], names: Sequence[str] | None = None
                ) -> list[dict[str, Any]]:
        """Metric rows of the given runs, ordered by run, name and step, values decoded."""
        if not run_ids:
            return []
        m = s.metrics.c
        out: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            for chunk in _chunks(list(run_ids), 500):
                query = sa.select(m.run_id, m.name, m.step, m.kind, m.value, m.value_text,
                                  m.value_json, m.time).where(m.run_id.in_(chunk))
                if names is not None:
                    query = query.where(m.name.in_(list(names)))
                for r in conn.execute(query.order_by(m.run_id, m.name, m.step)):
                    out.append({"run_id": r.run_id, "name": r.name, "step": r.step,
                                "kind": r.kind, "time": r.time,
                                "value": decode_value(r.value, r.value_text, r.value_json)})
        return out

    def metric_series(self, experiment_id: str, name: str) -> dict[str, list[Any]]:
        """run id → values of one metric in log order, for every run of the experiment."""
        m, r = s.metrics.c, s.runs.c
        query = (sa.select(m.run_id, m.value, m.value_text, m.value_json)
                 .select_from(s.metrics.join(s.runs, s.runs.c.id == m.run_id))
                 .where(r.experiment_id == experiment_id, m.name == name, m.kind == "metric")
                 .order_by(m.run_id, m.step))
        out: dict[str, list[Any]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                out.setdefault(row.run_id, []).append(
                    decode_value(row.value, row.value_text, row.value_json))
        return out

    def metric_counts(self, experiment_id: str) -> dict[tuple[str, str], int]:
        """(run id, metric name) → number of values stored (the last step)."""
        m, r = s.metrics.c, s.runs.c
        query = (sa.select(m.run_id, m.name, sa.func.max(m.step))
                 .select_from(s.metrics.join(s.runs, s.runs.c.id == m.run_id))
                 .where(r.experiment_id == experiment_id).group_by(m.run_id, m.name))
        with self.engine.connect() as conn:
            return {(a, b): c for a, b, c in conn.execute(query)}

    # -- events --------------------------------------------------------------------------
    @staticmethod
    def _events(conn: sa.Connection, events: Iterable[Mapping[str, Any]]) -> None:
        rows = [dict(e) for e in events]
        for row in rows:
            row.setdefault("time", time.time())
        if rows:
            conn.execute(s.events.insert(), rows)

    def add_events(self, events: Iterable[Mapping[str, Any]]) -> None:
        with self.engine.begin() as conn:
            self._events(conn, events)

    def events(self, experiment_id: str) -> list[dict[str, Any]]:
        query = (sa.select(s.events).where(s.events.c.experiment_id == experiment_id)
                 .order_by(s.events.c.id))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


def _dumps(row: Mapping[str, Any], json_cols: tuple[str, ...]) -> dict[str, Any]:
    out = dict(row)
    for col in json_cols:
        if col in out and not isinstance(out[col], str):
            out[col] = json.dumps(out[col])
    for key, value in out.items():
        if isinstance(value, enum.Enum):
            out[key] = value.value
    return out


def _loads(row: Mapping[str, Any], json_cols: tuple[str, ...]) -> dict[str, Any]:
    out = dict(row)
    for col in json_cols:
        if out.get(col) is not None:
            out[col] = json.loads(out[col])
    return out


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
