"""The experiment store: one writer (the controller), any number of readers.

SQLAlchemy Core over SQLite (WAL, so readers never block the writer; a busy timeout, so
concurrent writers wait instead of failing) or PostgreSQL (``postgresql+psycopg://``).
Every method is one transaction: a state change is durable before the caller acts on it.

PostgreSQL is a server, and servers restart: a method whose connection is lost (or
refused, or cut by a restart) is retried on a fresh connection with backoff, for up to
``retry_seconds``, so callers see nothing of a short outage. A write is never applied
twice: each write transaction notes its transaction id, and when the connection drops
during COMMIT — the one moment its outcome is unknown — the server is asked
(``txid_status``) whether it committed before anything is retried. Text holding NUL
characters, which PostgreSQL cannot store, is kept with U+FFFD in their place.
"""

from __future__ import annotations

import enum
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from hypersweep.errors import NotFoundError, StoreError, WrongKindError
from hypersweep.store import _schema as s
from hypersweep.store._codec import decode_value
from hypersweep.store._sql import insert_rows, insert_sql, update_rows

__all__ = ["Store"]

_JSON_RUN = ("params", "arguments", "command", "tags")
_JSON_EXP = ("tags", "parents")
_FIRST_DELAY, _MAX_DELAY = 0.05, 2.0   # backoff between attempts on a lost connection
_OPEN_SECONDS = 10.0                    # opening (and migrating) waits less than writes
_SCHEMA_LOCK = 0x6879_7065_7273         # PostgreSQL advisory lock: one migrator at a time
T = TypeVar("T")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    _ensure_wal(cur)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _ensure_wal(cur: Any, *, seconds: float = 30.0) -> None:
    """Put the file in WAL mode, waiting out other connections that are doing the same.

    WAL is a property of the file, so this is a no-op after the first open. Switching needs
    an exclusive lock, and SQLite reports SQLITE_BUSY for it without calling the busy
    handler when another connection is opening the same new file at that moment; hence
    the explicit retry.
    """
    deadline = time.monotonic() + seconds
    delay = 0.005
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


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
    # pre-ping: a pooled connection the server dropped (restart) is replaced before use
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


class Store:
    """Typed access to experiments, runs, metrics and events.

    Readers get plain dicts with JSON columns decoded. Writers pass plain dicts of column
    values. Only the controller (and the submitting process, once, to create the
    experiment; and ``cancel``, to set one flag) writes.
    """

    def __init__(self, url: str, *, retry_seconds: float = 60.0) -> None:
        self.url = url
        self.retry_seconds = retry_seconds
        try:
            self.engine = _make_engine(url)
            self._pg = self.engine.dialect.name == "postgresql"
            self._migrate()
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot open the store at {url}: {exc}") from exc

    # -- transactions ------------------------------------------------------------------
    def _retryable(self, exc: sa.exc.DBAPIError) -> bool:
        """A PostgreSQL connection lost, refused or cut, or a transient server error."""
        return self._pg and (exc.connection_invalidated or isinstance(
            exc, sa.exc.OperationalError | sa.exc.InterfaceError))

    def _write(self, work: Callable[[sa.Connection], T], *, limit: float | None = None) -> T:
        """Run ``work`` in one transaction, retried on a lost connection (PostgreSQL)."""
        deadline = time.monotonic() + (self.retry_seconds if limit is None else limit)
        delay = _FIRST_DELAY
        while True:
            xid, committing = None, False
            try:
                with self.engine.connect() as conn, conn.begin():
                    if self._pg:
                        xid = conn.exec_driver_sql("SELECT txid_current()").scalar()
                    result = work(conn)
                    committing = True  # leaving the block commits
                return result
            except sa.exc.DBAPIError as exc:
                if not self._retryable(exc) or time.monotonic() >= deadline:
                    raise
                if committing and self._committed(xid, exc, deadline):
                    return result
            time.sleep(delay)
            delay = min(delay * 2, _MAX_DELAY)

    def _committed(self, xid: int | None, exc: Exception, deadline: float) -> bool:
        """Whether transaction ``xid``, whose COMMIT lost its connection, committed;
        raises ``exc`` if the server cannot tell before ``deadline``."""
        delay = _FIRST_DELAY
        while time.monotonic() < deadline:
            try:
                with self.engine.connect() as conn:
                    status = conn.execute(sa.text("SELECT txid_status(:x)"), {"x": xid}).scalar()
                if status != "in progress":  # its old backend may still be finishing
                    return status == "committed"
            except sa.exc.DBAPIError as again:
                if not self._retryable(again):
                    raise
            time.sleep(delay)
            delay = min(delay * 2, _MAX_DELAY)
        raise exc

    def read(self, work: Callable[[sa.Connection], T]) -> T:
        """Run ``work(connection)`` — reads only — retried on a lost connection
        (PostgreSQL). For queries the store has no method for (dashboard, plots)."""
        deadline = time.monotonic() + self.retry_seconds
        delay = _FIRST_DELAY
        while True:
            try:
                with self.engine.connect() as conn:
                    return work(conn)
            except sa.exc.DBAPIError as exc:
                if not self._retryable(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, _MAX_DELAY)

    # -- schema ----------------------------------------------------------------------
    def _migrate(self) -> None:
        def create(conn: sa.Connection) -> int | None:
            # concurrent first opens (CLI, dashboard, controller) must not race to create
            # the tables: take the database's write lock before looking
            if self._pg:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SCHEMA_LOCK})
            elif self.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            s.metadata.create_all(conn, checkfirst=True)
            row = conn.execute(sa.select(s.meta.c.value).where(
                s.meta.c.key == "schema_version")).first()
            if row is None:
                conn.execute(s.meta.insert().values(key="schema_version",
                                                    value=str(s.SCHEMA_VERSION)))
                return None
            return int(row[0])

        version = self._write(create, limit=min(self.retry_seconds, _OPEN_SECONDS))
        if version is None:
            return
        if version > s.SCHEMA_VERSION:
            raise StoreError(
                f"the store at {self.url} has schema version {version}, newer than this "
                f"hypersweep's {s.SCHEMA_VERSION}: upgrade hypersweep")
        # Future migrations: for v in range(version, SCHEMA_VERSION): MIGRATIONS[v](conn)

    def close(self) -> None:
        self.engine.dispose()

    # -- experiments -----------------------------------------------------------------
    def create_experiment(self, row: Mapping[str, Any]) -> None:
        values = _dumps(row, _JSON_EXP, self._pg)
        event = _dumps({"experiment_id": row["id"], "time": time.time(), "kind": "created",
                        "message": f"experiment {row['name']} created"}, (), self._pg)

        def work(conn: sa.Connection) -> None:
            conn.execute(s.experiments.insert().values(**values))
            conn.execute(s.events.insert().values(**event))

        self._write(work)

    def update_experiment(self, experiment_id: str, **fields: Any) -> None:
        values = _dumps(fields, _JSON_EXP, self._pg)
        self._write(lambda conn: conn.execute(
            s.experiments.update().where(s.experiments.c.id == experiment_id).values(**values)))

    def experiment(self, key: str) -> dict[str, Any]:
        """The experiment with this id, or the newest one with this name."""
        def work(conn: sa.Connection) -> Any:
            row = conn.execute(sa.select(s.experiments).where(s.experiments.c.id == key)).first()
            if row is None:
                row = conn.execute(
                    sa.select(s.experiments).where(s.experiments.c.name == key)
                    .order_by(s.experiments.c.created.desc()).limit(1)).first()
            return row

        row = self.read(work)
        if row is None:
            run = self.read(lambda conn: conn.execute(
                sa.select(s.runs.c.experiment_id).where(s.runs.c.id == key)).first())
            if run is not None:  # the wrong kind of id: say so, not "no such thing"
                raise WrongKindError(f"{key!r} is a run of sweep {run[0]!r}, not a sweep; "
                                    f"give the sweep ({run[0]!r}) here")
            raise NotFoundError(f"no experiment with id or name {key!r} in {self.url}")
        return _loads(row._mapping, _JSON_EXP)

    def cancel_requested(self, experiment_id: str) -> float | None:
        """When a cancel of the experiment was asked for (None if never): the controller
        polls it, so it reads one column rather than the whole row and its JSON."""
        e = s.experiments.c
        return self.read(lambda conn: conn.execute(
            sa.select(e.cancel_requested).where(e.id == experiment_id)).scalar())

    def run_cancel_requests(self, experiment_id: str, after: int = 0) -> list[tuple[int, str]]:
        """(event id, run id) of the requests to cancel single runs of the experiment
        (``Run.cancel()``), newer than event id ``after``: the controller polls them."""
        ev = s.events.c
        query = (sa.select(ev.id, ev.run_id)
                 .where(ev.experiment_id == experiment_id, ev.kind == "cancel_request",
                        ev.id > after).order_by(ev.id))
        return self.read(lambda conn: [(r[0], r[1]) for r in conn.execute(query)])

    def experiments(self, name: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(s.experiments).order_by(s.experiments.c.created)
        if name is not None:
            query = query.where(s.experiments.c.name == name)
        return self.read(lambda conn: [_loads(r._mapping, _JSON_EXP)
                                        for r in conn.execute(query)])

    # -- runs --------------------------------------------------------------------------
    def create_runs(self, rows: Sequence[Mapping[str, Any]],
                    events: Iterable[Mapping[str, Any]] = ()) -> None:
        if not rows:
            return
        values = [_dumps(r, _JSON_RUN, self._pg) for r in rows]
        events = self._event_rows(events)

        def work(conn: sa.Connection) -> None:
            insert_rows(conn, s.runs, values)
            insert_rows(conn, s.events, events)

        self._write(work)

    def update_runs(self, updates: Sequence[tuple[str, Mapping[str, Any]]],
                    events: Iterable[Mapping[str, Any]] = ()) -> None:
        """Apply ``(run_id, fields)`` updates (and record events) in one transaction."""
        values = [(run_id, _dumps(fields, _JSON_RUN, self._pg)) for run_id, fields in updates]
        events = self._event_rows(events)

        def work(conn: sa.Connection) -> None:
            update_rows(conn, s.runs, "id", values)
            insert_rows(conn, s.events, events)

        self._write(work)

    def runs(self, experiment_id: str) -> list[dict[str, Any]]:
        query = (sa.select(s.runs).where(s.runs.c.experiment_id == experiment_id)
                 .order_by(s.runs.c.number))
        return self.read(lambda conn: [_loads(r._mapping, _JSON_RUN)
                                        for r in conn.execute(query)])

    def run(self, run_id: str) -> dict[str, Any]:
        row = self.read(lambda conn: conn.execute(
            sa.select(s.runs).where(s.runs.c.id == run_id)).first())
        if row is None:
            sweep = self.read(lambda conn: conn.execute(
                sa.select(s.experiments.c.id).where(
                    (s.experiments.c.id == run_id) | (s.experiments.c.name == run_id))
                .limit(1)).first())
            if sweep is not None:  # the wrong kind of id: say so, not "no such thing"
                raise WrongKindError(f"{run_id!r} is a sweep, not a run; give one of its runs "
                                    f"(ids {sweep[0]}_0, {sweep[0]}_1, ...; "
                                    f"see `hypersweep status {sweep[0]}`)")
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
        rows = [r if isinstance(r, tuple) else tuple(r[c] for c in s.MetricRow._fields)
                if isinstance(r, Mapping) else tuple(r) for r in records]
        if self._pg:
            rows = [_nul_free_row(r) for r in rows]
        updates = [(run_id, _dumps(fields, _JSON_RUN, self._pg))
                   for run_id, fields in run_updates]
        events = self._event_rows(events)

        def work(conn: sa.Connection) -> None:
            if rows:
                conn.exec_driver_sql(insert_sql(s.metrics.name, s.MetricRow._fields,
                                                conn.dialect.paramstyle), rows)
            update_rows(conn, s.runs, "id", updates)
            insert_rows(conn, s.events, events)

        self._write(work)

    def metrics(self, run_ids: Sequence[str], names: Sequence[str] | None = None
                ) -> list[dict[str, Any]]:
        """Metric rows of the given runs, ordered by run, name and step, values decoded."""
        if not run_ids:
            return []
        m = s.metrics.c

        def work(conn: sa.Connection) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
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

        return self.read(work)

    def metric_series(self, experiment_id: str, name: str) -> dict[str, list[Any]]:
        """run id → values of one metric in log order, for every run of the experiment."""
        m, r = s.metrics.c, s.runs.c
        query = (sa.select(m.run_id, m.value, m.value_text, m.value_json)
                 .select_from(s.metrics.join(s.runs, s.runs.c.id == m.run_id))
                 .where(r.experiment_id == experiment_id, m.name == name, m.kind == "metric")
                 .order_by(m.run_id, m.step))

        def work(conn: sa.Connection) -> dict[str, list[Any]]:
            out: dict[str, list[Any]] = {}
            for row in conn.execute(query):
                out.setdefault(row.run_id, []).append(
                    decode_value(row.value, row.value_text, row.value_json))
            return out

        return self.read(work)

    def metric_counts(self, experiment_id: str) -> dict[tuple[str, str], int]:
        """(run id, metric name) → number of values stored (the last step)."""
        m, r = s.metrics.c, s.runs.c
        query = (sa.select(m.run_id, m.name, sa.func.max(m.step))
                 .select_from(s.metrics.join(s.runs, s.runs.c.id == m.run_id))
                 .where(r.experiment_id == experiment_id).group_by(m.run_id, m.name))
        return self.read(lambda conn: {(a, b): c for a, b, c in conn.execute(query)})

    # -- events --------------------------------------------------------------------------
    def _event_rows(self, events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        rows = [_dumps(e, (), self._pg) for e in events]
        for row in rows:
            row.setdefault("time", time.time())
        return rows

    def add_events(self, events: Iterable[Mapping[str, Any]]) -> None:
        rows = self._event_rows(events)
        self._write(lambda conn: insert_rows(conn, s.events, rows))

    def events(self, experiment_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        """The experiment's events in order (only those of ``kind``, if given)."""
        query = (sa.select(s.events).where(s.events.c.experiment_id == experiment_id)
                 .order_by(s.events.c.id))
        if kind is not None:
            query = query.where(s.events.c.kind == kind)
        return self.read(lambda conn: [dict(r._mapping) for r in conn.execute(query)])


def _nul_free(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL: keep the rest, with U+FFFD in its place."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value \
        else value


def _nul_free_row(row: tuple) -> tuple:
    # only the metric name and a string value can hold NUL (JSON text escapes it)
    if "\x00" in row[1] or (row[5] is not None and "\x00" in row[5]):
        return tuple(_nul_free(v) for v in row)
    return row


def _dumps(row: Mapping[str, Any], json_cols: tuple[str, ...],
           nul_free: bool = False) -> dict[str, Any]:
    out = dict(row)
    for col in json_cols:
        if col in out and not isinstance(out[col], str):
            out[col] = json.dumps(out[col])
    for key, value in out.items():
        if isinstance(value, enum.Enum):
            out[key] = value.value
        elif nul_free:
            out[key] = _nul_free(value)
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
