"""The store on PostgreSQL when connections are lost: retried, and never applied twice.

A COMMIT whose connection drops is the one case where the outcome is unknown; the store
asks the server (``txid_status``) before retrying. These tests cut the connection just
after and just before the server commits, and restart the server under a writer.
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from hypersweep.status import RunStatus
from hypersweep.store import Store, encode_value

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def seeded(url: str) -> Store:
    store = Store(url, retry_seconds=30)
    store.create_experiment({"id": "HD_r", "name": "r", "spec": "{}", "status": "Running",
                             "created": time.time(), "tags": {}, "artifacts_dir": "/x",
                             "parents": []})
    store.create_runs([{"id": "HD_r_0", "experiment_id": "HD_r", "number": 0, "params": {},
                        "arguments": [], "command": [], "status": RunStatus.RUNNING,
                        "created": time.time(), "run_dir": "/r", "tags": {}}])
    return store


def rows(first: int, count: int) -> list[dict]:
    out = []
    for step in range(first, first + count):
        value, text = encode_value(step / 10)
        out.append({"run_id": "HD_r_0", "name": "acc", "step": step, "kind": "metric",
                    "value": value, "value_text": text, "value_json": None, "time": 1.0})
    return out


@pytest.fixture
def cut_commit(monkeypatch):
    """Arm a lost connection on the next COMMIT: ``"after"`` the server committed (only
    the answer is lost) or ``"before"`` it was sent."""
    import psycopg

    real = psycopg.Connection.commit
    armed: dict[str, str | None] = {"when": None}

    def commit(self):
        when, armed["when"] = armed["when"], None
        if when == "after":
            real(self)
        if when is not None:
            self.close()
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return real(self)

    monkeypatch.setattr(psycopg.Connection, "commit", commit)
    return armed


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_commit_cut_off_is_applied_exactly_once(postgres_url, cut_commit, when):
    store = seeded(postgres_url)
    cut_commit["when"] = when
    store.ingest(rows(1, 5), [("HD_r_0", {"channel_offset": 50, "primary_count": 5})],
                 events=[{"experiment_id": "HD_r", "kind": "metrics", "message": "5"}])
    assert cut_commit["when"] is None  # the cut happened
    assert [m["step"] for m in store.metrics(["HD_r_0"])] == [1, 2, 3, 4, 5]
    assert store.run("HD_r_0")["channel_offset"] == 50
    assert [e["kind"] for e in store.events("HD_r")].count("metrics") == 1
    store.close()


def test_writes_and_reads_carry_on_through_a_server_restart(postgres_url, postgres_server):
    store = seeded(postgres_url)
    done, errors = threading.Event(), []
    written = [0]

    def writer() -> None:
        step = 1
        try:
            while not done.is_set():
                store.ingest(rows(step, 10), [("HD_r_0", {"channel_offset": step + 9})])
                step += 10
                written[0] = step - 1
                store.run("HD_r_0")
        except BaseException as exc:  # reported below
            errors.append(exc)

    with store.engine.connect() as conn:
        before = conn.execute(sa.text("SELECT pg_postmaster_start_time()")).scalar()
    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.5)
    postgres_server.restart()
    time.sleep(1.0)
    done.set()
    thread.join(60)
    assert errors == []
    with store.engine.connect() as conn:
        after = conn.execute(sa.text("SELECT pg_postmaster_start_time()")).scalar()
    assert after > before  # the server really restarted under the writer
    steps = [m["step"] for m in store.metrics(["HD_r_0"])]
    assert steps == list(range(1, written[0] + 1))
    assert store.run("HD_r_0")["channel_offset"] == written[0]
    store.close()
