"""The store contract, run for every backend the test environment offers: SQLite always,
PostgreSQL when its server binaries and psycopg are installed (a throwaway server from
``tests/integration/postgres/server.py``; ``-m "not postgres"`` leaves it out)."""

from __future__ import annotations

import math
import os
import sqlite3
import stat
import threading
import time

import pytest
import sqlalchemy as sa

from hypersweep.errors import NotFoundError, StoreError, WrongKindError
from hypersweep.status import RunStatus
from hypersweep.store import Store, encode_value
from tests.integration.postgres.server import postgres_server  # noqa: F401  (fixture)

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("postgres_server").new_database()
    return f"sqlite:///{tmp_path / 'hs' / 'hypersweep.db'}"


@pytest.fixture
def store(url):
    s = Store(url)
    yield s
    s.close()


def exp(store, eid="HD_a", name="n", created=None):
    store.create_experiment({"id": eid, "name": name, "spec": "{}", "status": "Queued",
                             "created": created or time.time(), "tags": {"a": "b"},
                             "artifacts_dir": "/x", "parents": []})


def run_row(rid, eid="HD_a", number=0):
    return {"id": rid, "experiment_id": eid, "number": number, "params": {"x": 1.5},
            "arguments": ["--x", "1.5"], "command": ["python", "t.py", "--x", "1.5"],
            "status": RunStatus.QUEUED, "created": time.time(), "run_dir": "/r", "tags": {}}


def test_experiments_by_id_and_newest_by_name(store):
    exp(store, "HD_a", "digits", created=1.0)
    exp(store, "HD_b", "digits", created=2.0)
    assert store.experiment("HD_a")["id"] == "HD_a"
    assert store.experiment("digits")["id"] == "HD_b"
    assert store.experiment("HD_a")["tags"] == {"a": "b"}
    with pytest.raises(NotFoundError):
        store.experiment("nope")


def test_cancel_requested_reads_the_time_of_the_request(store):
    exp(store, "HD_a")
    exp(store, "HD_b", created=2.0)
    assert store.cancel_requested("HD_a") is None
    store.update_experiment("HD_a", cancel_requested=123.5)
    assert store.cancel_requested("HD_a") == 123.5
    assert store.cancel_requested("HD_b") is None


def test_runs_round_trip_and_status_updates(store):
    exp(store)
    store.create_runs([run_row("HD_a_0"), run_row("HD_a_1", number=1)])
    store.update_runs([("HD_a_0", {"status": RunStatus.RUNNING, "pid": 42})])
    runs = store.runs("HD_a")
    assert [r["id"] for r in runs] == ["HD_a_0", "HD_a_1"]
    assert runs[0]["status"] == "Running" and runs[0]["pid"] == 42
    assert runs[0]["params"] == {"x": 1.5} and runs[0]["command"][1] == "t.py"


def test_updates_in_one_transaction_apply_in_their_order(store):
    # run 1 is started and then ended in the same write, between two updates of run 0
    # that set other fields: the later update of a field must win
    exp(store)
    store.create_runs([run_row("HD_a_0"), run_row("HD_a_1", number=1)])
    ended = {"status": RunStatus.COMPLETED, "ended": 9.0, "exit_code": 0}
    started = {"status": RunStatus.RUNNING, "pid": 7}
    store.update_runs([("HD_a_0", ended), ("HD_a_1", started), ("HD_a_1", ended),
                       ("HD_a_0", {"message": "done"})])
    store.ingest([], [("HD_a_0", {"status": RunStatus.FAILED, "exit_code": 2}),
                      ("HD_a_0", started), ("HD_a_0", {"status": RunStatus.CANCELED})])
    runs = {r["id"]: r for r in store.runs("HD_a")}
    assert runs["HD_a_1"]["status"] == "Completed" and runs["HD_a_1"]["pid"] == 7
    assert runs["HD_a_1"]["exit_code"] == 0 and runs["HD_a_1"]["ended"] == 9.0
    assert runs["HD_a_0"]["status"] == "Canceled" and runs["HD_a_0"]["message"] == "done"
    assert runs["HD_a_0"]["exit_code"] == 2 and runs["HD_a_0"]["pid"] == 7


def test_metrics_keep_nan_inf_and_strings(store):
    exp(store)
    store.create_runs([run_row("HD_a_0")])
    rows = []
    for step, value in enumerate([0.5, math.nan, math.inf, -math.inf, "s"], start=1):
        v, t = encode_value(value)
        rows.append({"run_id": "HD_a_0", "name": "acc", "step": step, "kind": "metric",
                     "value": v, "value_text": t, "value_json": None, "time": 1.0})
    store.ingest(rows, [("HD_a_0", {"channel_offset": 123})])
    got = [m["value"] for m in store.metrics(["HD_a_0"])]
    assert got[0] == 0.5 and math.isnan(got[1]) and got[2:] == [math.inf, -math.inf, "s"]
    assert store.run("HD_a_0")["channel_offset"] == 123
    assert store.metric_counts("HD_a") == {("HD_a_0", "acc"): 5}
    assert len(store.metric_series("HD_a", "acc")["HD_a_0"]) == 5


def test_an_int_comes_back_an_int(store):
    # as in Azure ML: run.log("epochs", 10) reads back 10, not 10.0
    exp(store)
    store.create_runs([run_row("HD_a_0")])
    rows = []
    for step, value in enumerate([10, 2**60 + 1, True, 2.0], start=1):
        v, t = encode_value(value)
        rows.append({"run_id": "HD_a_0", "name": "n", "step": step, "kind": "metric",
                     "value": v, "value_text": t, "value_json": None, "time": 1.0})
    store.ingest(rows, [])
    got = [m["value"] for m in store.metrics(["HD_a_0"])]
    assert got == [10, 2**60 + 1, 1.0, 2.0]
    assert [type(v) for v in got] == [int, int, float, float]
    assert store.metric_series("HD_a", "n")["HD_a_0"] == got


def test_a_duplicate_metric_step_is_refused_atomically(store):
    exp(store)
    store.create_runs([run_row("HD_a_0")])
    row = {"run_id": "HD_a_0", "name": "acc", "step": 1, "kind": "metric", "value": 1.0,
           "value_text": None, "value_json": None, "time": 1.0}
    store.ingest([row], [("HD_a_0", {"channel_offset": 10})])
    with pytest.raises((sa.exc.IntegrityError, StoreError)):
        store.ingest([row], [("HD_a_0", {"channel_offset": 20})])
    assert store.run("HD_a_0")["channel_offset"] == 10  # the failed transaction left nothing


def test_store_file_is_owner_only(tmp_path):
    path = tmp_path / "p" / "hypersweep.db"
    Store(f"sqlite:///{path}").close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_newer_schema_is_refused(url):
    s = Store(url)
    with s.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE hs_meta SET value='999' WHERE key='schema_version'")
    s.close()
    with pytest.raises(StoreError, match="newer"):
        Store(url)


def test_readers_see_writes_while_a_writer_holds_a_transaction(store):
    # SQLite: WAL; PostgreSQL: MVCC — a reader sees the last committed state either way
    exp(store)
    reader = Store(store.url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE hs_experiments SET status='Running'")
        # WAL: the reader is not blocked and sees the last committed state
        assert reader.experiment("HD_a")["status"] == "Queued"
    assert reader.experiment("HD_a")["status"] == "Running"
    reader.close()


def test_opening_waits_for_a_writer_that_holds_a_new_file_before_wal(tmp_path):
    # switching a file to WAL while another connection holds its write lock fails at once
    # with "database is locked" (SQLite skips the busy handler there; CI hit it when four
    # stores opened one new file): the opener must wait for the lock like any writer
    path = tmp_path / "hypersweep.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    release = threading.Timer(0.3, other.execute, ("COMMIT",))
    release.start()
    try:
        s = Store(f"sqlite:///{path}")
    finally:
        release.join()
        other.close()
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    s.close()


def test_reopening_keeps_data_and_concurrent_first_opens_agree(url):
    opened: list[Store] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            opened.append(Store(url))
        except BaseException as exc:  # pragma: no cover - the failure is the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(opened) == 4
    exp(opened[0])
    for s in opened:
        s.close()
    again = Store(url)
    assert again.experiment("HD_a")["name"] == "n"
    again.close()


def test_text_with_nul_and_long_unicode_round_trips(store):
    exp(store, name="naïve ✓")
    store.create_runs([run_row("HD_a_0")])
    rows = []
    for step, value in enumerate(["a\x00b", "日本語", "x" * 10_000], start=1):
        v, t = encode_value(value)
        rows.append({"run_id": "HD_a_0", "name": "s\x00", "step": step, "kind": "metric",
                     "value": v, "value_text": t, "value_json": None, "time": 1.0})
    store.ingest(rows, [("HD_a_0", {"log_tail": "crash\x00dump", "tags": {"k": "\x00"}})])
    got = [m["value"] for m in store.metrics(["HD_a_0"])]
    assert got[0] in ("a\x00b", "a\ufffdb")   # PostgreSQL text cannot hold NUL
    assert got[1:] == ["日本語", "x" * 10_000]
    assert store.run("HD_a_0")["tags"] == {"k": "\x00"}
    assert store.experiment("HD_a")["name"] == "naïve ✓"


def test_events_keep_their_order_and_runs_their_json(store):
    exp(store)
    store.create_runs([run_row("HD_a_0")], events=[
        {"experiment_id": "HD_a", "run_id": "HD_a_0", "kind": "started", "message": "m1"}])
    store.add_events([{"experiment_id": "HD_a", "kind": "ended", "message": "m2"}])
    kinds = [e["kind"] for e in store.events("HD_a")]
    assert kinds == ["created", "started", "ended"]
    assert store.run("HD_a_0")["arguments"] == ["--x", "1.5"]
    with pytest.raises(NotFoundError):
        store.run("nope")
    # the wrong kind of id is named as such, not reported missing
    with pytest.raises(WrongKindError, match=r"'HD_a' is a sweep, not a run; .*HD_a_0"):
        store.run("HD_a")
    with pytest.raises(WrongKindError, match="'HD_a_0' is a run of sweep 'HD_a', not a sweep"):
        store.experiment("HD_a_0")
