"""Chaos on the store side: its disk full, its filesystem turned read-only, a writer's
lock held past the busy timeout, a reader holding a transaction open for the whole sweep,
and the run folders' disk out of inodes.

Expected behaviour (docs/reliability.md): the controller stops launching, says why on its
log (stderr), keeps every trial running and its channel unread, retries with backoff, and
either carries on when the store answers again, or gives up after
``HYPERSWEEP_STORE_RETRY_SECONDS`` with a non-zero exit and a clear message, leaving the
sweep for ``hypersweep resume``. In every case no logged value is lost.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from hypersweep import RandomParameterSampling, Workspace, uniform
from hypersweep.experiment._runner import run_sweep
from tests.chaos._support import (
    assert_no_processes,
    assert_nothing_lost,
    config,
    create,
    fill_disk,
    fill_inodes,
    full_suite_only,
    running_rows,
    wait_for,
)

pytestmark = [pytest.mark.chaos, pytest.mark.integration]


def _cfg(source: Path, *, runs: int = 10, concurrency: int = 3, steps: int = 30,
         sleep: float = 0.05):
    return config(source, RandomParameterSampling({"x": uniform(0, 1)}, seed=3),
                  arguments=["--steps", str(steps), "--sleep", str(sleep)],
                  max_total_runs=runs, max_concurrent_runs=concurrency)


class Background:
    """The controller of a sweep in a thread of this process, its result kept."""

    def __init__(self, workspace: Workspace, sweep_id: str, **kwargs) -> None:
        self.result: dict = {}

        def target() -> None:
            try:
                self.result["status"] = run_sweep(workspace, sweep_id, **kwargs)
            except BaseException as exc:  # kept for the test to assert on
                self.result["error"] = exc

        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()

    def join(self, timeout: float = 120) -> dict:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the controller did not finish"
        return self.result


class Stderr:
    """Everything written to stderr so far (pytest's capture, read without losing it)."""

    def __init__(self, capsys) -> None:
        self.capsys, self.text = capsys, ""

    def __call__(self) -> str:
        self.text += self.capsys.readouterr().err
        return self.text


def _controller(workspace: Workspace, sweep_id: str, retry: float) -> subprocess.Popen:
    env = {**os.environ, "HYPERSWEEP_STORE_RETRY_SECONDS": str(retry)}
    return subprocess.Popen(
        [sys.executable, "-m", "hypersweep", "--workspace", workspace.url, "_controller",
         sweep_id, "--artifacts", workspace.root], env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _cli(workspace: Workspace, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hypersweep", "--workspace", workspace.url,
                           *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)


@contextlib.contextmanager
def disk_full_mid_sweep(ws: Workspace, hd, disk: str, capsys
                        ) -> Iterator[tuple[Background, Stderr]]:
    """Start the sweep's controller in the background, fill ``disk`` once two trials run,
    and keep it full until the controller has reported the outage and the body is done;
    yields the controller and its stderr."""
    err = Stderr(capsys)
    controller = Background(ws, hd.id, store_retry=120)
    wait_for(lambda: len(running_rows(hd)) >= 2, 60, "two running trials")
    filler = fill_disk(disk)
    try:
        # the store's writes may still fit in space SQLite allocated before (its WAL): on
        # a loaded machine the sweep can then end before it ever needs a new block
        wait_for(lambda: "the store cannot be written" in err()
                 or not controller.thread.is_alive(), 30, "the outage message")
        yield controller, err
    finally:
        filler.unlink()


def test_store_disk_full_pauses_the_sweep_until_space_returns(tmp_path, tmpfs, faults_source,
                                                              capsys):
    """The store's disk fills up mid-sweep: no run starts while it is full, the reason is
    on the controller's log, and the sweep completes once space is freed."""
    store_dir = tmpfs("size=16M")
    ws = Workspace(store_dir, artifacts=tmp_path / "artifacts")
    hd = create(ws, _cfg(faults_source))
    with disk_full_mid_sweep(ws, hd, store_dir, capsys) as (controller, err):
        runs_before = len(hd._store.runs(hd.id))
        time.sleep(2.5)  # the running trials end meanwhile; nothing new may start
        assert len(hd._store.runs(hd.id)) == runs_before
        assert hd.get_status() == "Running"
    result = controller.join()
    assert result.get("status") is not None, result
    assert result["status"].value == "Completed"
    assert "database or disk is full" in err()
    assert any(e["kind"] == "store_recovered" for e in hd._store.events(hd.id))
    assert len(hd.get_children()) == 10
    assert {c.get_status() for c in hd.get_children()} == {"Completed"}
    assert assert_nothing_lost(hd) == 10 * 60
    assert_no_processes(hd.id)
    ws.store.close()


def test_one_disk_for_store_and_runs_full_mid_sweep_loses_nothing(tmp_path, tmpfs,
                                                                  faults_source, capsys):
    """The default layout (store and run folders on one disk) fills up while trials log:
    the trials go on (their metrics are held in memory and written once space returns),
    the statuses of trials that end meanwhile are still recorded (written over bytes
    allocated ahead), and every run completes with every value (docs/reliability.md)."""
    disk = tmpfs("size=16M")
    ws = Workspace(disk)
    hd = create(ws, _cfg(faults_source, runs=6, concurrency=3, steps=60, sleep=0.03))
    with disk_full_mid_sweep(ws, hd, disk, capsys) as (controller, _):
        time.sleep(3)  # the running trials log on and end meanwhile
    result = controller.join()
    assert result.get("status") is not None, result
    assert result["status"].value == "Completed"
    assert {c.get_status() for c in hd.get_children()} == {"Completed"}, [
        (c.get_details()["terminationReason"], c.get_details().get("error"))
        for c in hd.get_children()]
    assert assert_nothing_lost(hd) == 6 * 60 * 2  # acc and loss per step
    for child in hd.get_children():  # each run's end is its trial's own, not the recovery
        row = child._row
        assert row["ended"] - row["started"] < 10, row
    assert_no_processes(hd.id)
    ws.store.close()


def test_store_turned_read_only_gives_up_then_resumes(tmp_path, ext4_image, faults_source):
    """The store's filesystem goes read-only (an ext4 error, errors=remount-ro): the
    controller gives up after HYPERSWEEP_STORE_RETRY_SECONDS with exit code 2 and a clear
    message, its trials keep running; after the admin's repair, `hypersweep resume`
    finishes the sweep with every value."""
    ws = Workspace(ext4_image.mnt, artifacts=tmp_path / "artifacts")
    hd = create(ws, _cfg(faults_source, runs=8, concurrency=2, steps=40))
    proc = _controller(ws, hd.id, retry=3)
    try:
        wait_for(lambda: len(running_rows(hd)) >= 2, 60, "two running trials")
        ws.store.close()  # this process must not hold the filesystem busy
        ext4_image.fail()
        _out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 2, err
    assert "gave up after" in err and f"hypersweep resume {hd.id}" in err, err
    assert "disk I/O error" in err or "readonly" in err, err
    ws.store.close()
    ext4_image.remount()
    done = _cli(ws, "resume", hd.id)
    assert done.returncode == 0, done.stderr
    assert hd.get_status() == "Completed"
    assert len(hd.get_children()) == 8
    assert assert_nothing_lost(hd) > 0
    assert_no_processes(hd.id)
    ws.store.close()


def _short_busy_timeout(ws: Workspace, ms: int) -> None:
    """Make this process's store connections wait ``ms`` for a lock instead of 30 s."""
    engine = ws.store.engine

    @sa.event.listens_for(engine, "connect")
    def _busy(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA busy_timeout={ms}")

    engine.dispose()


def test_lock_held_past_the_busy_timeout_pauses_the_sweep(tmp_path, faults_source, capsys):
    """Another process holds the write lock (BEGIN EXCLUSIVE) longer than the busy
    timeout: the controller's write fails with 'database is locked', the sweep pauses
    (readers still work), and it goes on when the lock is released."""
    ws = Workspace(tmp_path / "ws")
    hd = create(ws, _cfg(faults_source, runs=8))
    _short_busy_timeout(ws, 300)
    err = Stderr(capsys)
    controller = Background(ws, hd.id, store_retry=120)
    wait_for(lambda: len(running_rows(hd)) >= 2, 60, "two running trials")
    locker = sqlite3.connect(ws.url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        wait_for(lambda: "database is locked" in err(), 30, "the outage message")
        assert hd.get_status() == "Running"  # WAL: a reader is not blocked
        time.sleep(1.5)
    finally:
        locker.execute("COMMIT")
        locker.close()
    result = controller.join()
    assert result.get("status") is not None, result
    assert result["status"].value == "Completed"
    assert len(hd.get_children()) == 8
    assert assert_nothing_lost(hd) == 8 * 60
    assert_no_processes(hd.id)


def test_long_reader_does_not_block_the_sweep(tmp_path, faults_source):
    """A reader keeps one transaction open for the whole sweep (WAL): the controller
    writes on, the reader keeps its snapshot, and nothing is lost."""
    ws = Workspace(tmp_path / "ws")
    hd = create(ws, _cfg(faults_source, runs=8, concurrency=4, steps=20, sleep=0.02))
    reader = sqlite3.connect(ws.url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        reader.execute("BEGIN")
        before = reader.execute("SELECT count(*) FROM hs_metrics").fetchone()[0]
        start = time.time()
        assert run_sweep(ws, hd.id).value == "Completed"
        elapsed = time.time() - start
        assert reader.execute("SELECT count(*) FROM hs_metrics").fetchone()[0] == before
        reader.execute("COMMIT")
        after = reader.execute("SELECT count(*) FROM hs_metrics").fetchone()[0]
    finally:
        reader.close()
    assert after == before + 8 * 40
    assert elapsed < 60, elapsed
    assert assert_nothing_lost(hd) == 8 * 40


def test_run_folders_out_of_inodes_pause_launching(tmp_path, tmpfs, faults_source, capsys):
    """The run folders' filesystem runs out of inodes: new trials cannot start, so the
    controller pauses instead of failing them one after another, and goes on when
    inodes are freed. No run is recorded as 'could not start'."""
    artifacts = tmpfs("size=16M,nr_inodes=400")
    ws = Workspace(tmp_path / "ws", artifacts=artifacts)
    hd = create(ws, _cfg(faults_source, runs=10, concurrency=2, steps=20))
    err = Stderr(capsys)
    controller = Background(ws, hd.id, store_retry=120)
    wait_for(lambda: len(running_rows(hd)) >= 1, 60, "a running trial")
    box = fill_inodes(artifacts)
    try:
        wait_for(lambda: "a trial cannot start" in err(), 30, "the outage message")
        time.sleep(1.0)
    finally:
        shutil.rmtree(box)
    result = controller.join()
    assert result.get("status") is not None, result
    assert result["status"].value == "Completed"
    children = hd.get_children()
    assert len(children) == 10
    assert not [c for c in children if "could not start" in (c._row["message"] or "")]
    assert assert_nothing_lost(hd) > 0
    assert_no_processes(hd.id)


@pytest.mark.parametrize("retry", [2])
def test_disk_full_cli_run_exits_non_zero_and_resumes(tmp_path, tmpfs, faults_source, retry):
    """`hypersweep run` in the foreground while the store's disk is full for longer than
    the retry window: exit code 2, a message naming `hypersweep resume`; after space is
    freed the resumed sweep completes with every value."""
    store_dir = tmpfs("size=16M")
    ws = Workspace(store_dir, artifacts=tmp_path / "artifacts")
    hd = create(ws, _cfg(faults_source, runs=8, concurrency=2, steps=40))
    proc = _controller(ws, hd.id, retry=retry)
    try:
        wait_for(lambda: len(running_rows(hd)) >= 2, 60, "two running trials")
        ws.store.close()
        filler = fill_disk(store_dir)
        _out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 2, err
    assert "database or disk is full" in err and "hypersweep resume" in err, err
    filler.unlink()
    done = _cli(ws, "resume", hd.id)
    assert done.returncode == 0, done.stderr
    assert hd.get_status() == "Completed"
    assert assert_nothing_lost(hd) == 8 * 80
    assert_no_processes(hd.id)
    ws.store.close()


for _mark in full_suite_only:
    test_disk_full_cli_run_exits_non_zero_and_resumes = _mark(
        test_disk_full_cli_run_exits_non_zero_and_resumes)
