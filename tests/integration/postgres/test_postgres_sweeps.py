"""Sweeps on a shared PostgreSQL store (a real server started by the test setup).

Four concurrent runs store every value; the server restarted mid-sweep (an immediate
shutdown: every connection cut, crash recovery on start) costs nothing — the controller
carries on and each value is stored exactly once; the CLI and the dashboard read it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hypersweep import GridParameterSampling, Workspace, choice
from tests.sweeps import sweep

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
def pg_workspace(postgres_url, tmp_path) -> Workspace:
    return Workspace(postgres_url, artifacts=tmp_path / "artifacts")


def channel_values(run, name: str = "acc") -> list[float]:
    """What the script logged, from its channel file (the truth to compare with)."""
    path = Path(run.outputs_dir).parent / "logs" / "metrics.jsonl"
    records = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    return [r["value"] for r in records if r["kind"] == "metric" and r["name"] == name]


def stored_values(run, name: str = "acc") -> list[float]:
    values = run.get_metrics().get(name, [])
    return values if isinstance(values, list) else [values]


def test_four_concurrent_runs_store_every_value(pg_workspace, source):
    grid = GridParameterSampling({"x": choice(0.1, 0.3, 0.5, 0.7, 0.9, 0.2, 0.4, 0.6)})
    start = time.monotonic()
    hd = sweep(pg_workspace, source, grid, max_total_runs=8, max_concurrent_runs=4,
               arguments=["--steps", "5", "--sleep", "0.05"])
    assert hd.get_status() == "Completed"
    children = hd.get_children()
    assert [c.get_status() for c in children] == ["Completed"] * 8
    for child in children:
        assert stored_values(child) == channel_values(child)
        assert len(stored_values(child, "loss")) == 5
    assert hd.get_best_run_by_primary_metric().hyperparameters == {"x": 0.9}
    assert time.monotonic() - start < 60


def sweep_through_an_outage(workspace, source, xs, steps: int, concurrency: int,
                            outage, join_seconds: float) -> object:
    """Run a grid sweep over ``xs`` (``steps`` values per run, 0.1 s apart) in a thread,
    call ``outage()`` once as many values as runs are stored, and return the finished
    sweep, after checking it completed with every value stored exactly once."""
    grid = GridParameterSampling({"x": choice(*xs)})
    result: dict = {}

    def run_sweep() -> None:
        try:
            result["run"] = sweep(workspace, source, grid, max_total_runs=len(xs),
                                  max_concurrent_runs=concurrency,
                                  arguments=["--steps", str(steps), "--sleep", "0.1"])
        except BaseException as exc:  # the assertion below reports it
            result["error"] = exc

    worker = threading.Thread(target=run_sweep)
    worker.start()
    deadline = time.monotonic() + 60
    store = workspace.store
    while True:  # the outage comes once values are flowing
        assert time.monotonic() < deadline, "the sweep never got going"
        rows = [r for e in store.experiments() for r in store.runs(e["id"])]
        if sum(r["primary_count"] for r in rows) >= len(xs):
            break
        time.sleep(0.1)
    outage()
    worker.join(join_seconds)
    assert not worker.is_alive()
    assert "error" not in result, result.get("error")
    hd = result["run"]
    assert hd.get_status() == "Completed"
    children = hd.get_children()
    assert [c.get_status() for c in children] == ["Completed"] * len(xs)
    for child in children:  # each value exactly once, none lost
        assert stored_values(child) == channel_values(child)
        assert len(stored_values(child)) == steps
    return hd


def test_server_restarted_mid_sweep_loses_nothing(pg_workspace, postgres_server, source):
    sweep_through_an_outage(pg_workspace, source, (0.1, 0.3, 0.5, 0.7, 0.9, 0.2, 0.4, 0.6),
                            steps=20, concurrency=4, outage=postgres_server.restart,
                            join_seconds=120)


def test_server_down_longer_than_a_blip_is_an_outage_said_and_survived(
        pg_workspace, postgres_server, source, capsys):
    """Down for 8 s (more than the store's own 5 s of retries while a controller runs): the
    controller says why on its log, waits, rebuilds from the store when it is back, records
    a store_recovered event, and loses nothing (docs/reliability.md)."""
    def down_for_8_seconds() -> None:
        postgres_server.down()
        try:
            time.sleep(8)
        finally:
            postgres_server.up()

    hd = sweep_through_an_outage(pg_workspace, source, (0.1, 0.3, 0.5, 0.7), steps=40,
                                 concurrency=2, outage=down_for_8_seconds,
                                 join_seconds=180)
    assert "the store cannot be written" in capsys.readouterr().err
    assert any(e["kind"] == "store_recovered" for e in pg_workspace.store.events(hd.id))


def test_cli_and_dashboard_read_a_postgres_store(pg_workspace, postgres_url, source,
                                                 tmp_path):
    sweep_file = tmp_path / "sweep.yml"
    sweep_file.write_text(f"""\
experiment_name: pgcli
trial:
  command: python behave.py --x ${{{{search_space.x}}}} --steps 2
  code: {source}
search_space:
  x: {{type: choice, values: [0.2, 0.8]}}
sampling_algorithm: grid
objective: {{goal: maximize, primary_metric: acc}}
limits: {{max_total_trials: 2, max_concurrent_trials: 2}}
""")
    env = {**os.environ, "HYPERSWEEP_ARTIFACTS": str(tmp_path / "artifacts")}
    cli = [sys.executable, "-m", "hypersweep", "--workspace", postgres_url]
    done = subprocess.run([*cli, "run", str(sweep_file), "--json"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sweep_id = json.loads(done.stdout)["experiment"]
    listed = subprocess.run([*cli, "ls", "--json"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert [e["id"] for e in json.loads(listed.stdout)] == [sweep_id]
    status = json.loads(subprocess.run([*cli, "status", sweep_id, "--json"], env=env,
                                       capture_output=True, text=True, timeout=60).stdout)
    assert [r["status"] for r in status["runs"]] == ["Completed", "Completed"]
    # a read command run elsewhere, with no artifacts folder named, creates no folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([*cli, "logs", f"{sweep_id}_0"], cwd=elsewhere, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert list(elsewhere.iterdir()) == []

    from starlette.testclient import TestClient

    from hypersweep.dashboard import create_app

    with TestClient(create_app(pg_workspace), base_url="http://127.0.0.1:8765") as client:
        (exp,) = client.get("/api/experiments").json()["experiments"]
        assert exp["id"] == sweep_id
        page = client.get(f"/api/experiments/{sweep_id}/runs",
                          params={"sort": "best", "desc": "1"}).json()
        assert page["total"] == 2 and page["best_id"] == f"{sweep_id}_1"
        figure = client.get(f"/api/experiments/{sweep_id}/figures/metrics").json()["figure"]
        assert len(figure["data"]) >= 2
