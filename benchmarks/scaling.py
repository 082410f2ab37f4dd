"""Scaling: how many trials per second the controller and each store sustain.

In one run, on this machine:

1. **Controller + store, no-op executor** — the real controller loop (sampler, store
   commits, channel parsing, ingestion) over trials that end at once having logged
   ``--values`` values each: ``--runs`` runs at concurrency ``--concurrency``, on SQLite
   and on PostgreSQL (a throwaway server, Debian's binaries). Also the same with one
   value per run, which isolates the per-trial cost.
2. **Store writes alone** — a run's life (create, running, completed: three commits)
   per second, and metric values per second in controller-sized batches.
3. **Real no-op trials** — ``python noop.py`` per trial on the local executor and on the
   Ray executor (a throwaway local cluster: head + one worker, started and stopped by
   the benchmark): seconds per trial one at a time, and trials per second at
   concurrency 4.

    python -m benchmarks.scaling [--runs 10000] [--values 100] [--concurrency 100]
                                 [--trials 40] [--quick] [--no-ray] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings

from benchmarks._common import SCRIPTS, python_floor, save, table
from hypersweep.execution import Executor, LaunchInfo, TrialExit, TrialLaunch


class NoopExecutor(Executor):
    """Trials that end at the next ``wait``, each with the same channel of ``values``
    metric lines: everything but the processes is real."""

    def __init__(self, values: int) -> None:
        self.payload = b"".join(
            b'{"kind":"metric","name":"acc","value":%r,"time":1.0}\n' % (i / values)
            for i in range(1, values + 1))
        self.live: set[str] = set()

    def launch(self, trial: TrialLaunch) -> LaunchInfo:
        self.live.add(trial.run_id)
        return LaunchInfo(pid=None, pid_started=None, host="noop")

    def wait(self, timeout: float) -> list[TrialExit]:
        ended, self.live = self.live, set()
        now = time.time()
        return [TrialExit(run_id=r, exit_code=0, ended=now) for r in ended]

    def read_channel(self, run_id: str, offset: int) -> tuple[bytes, int]:
        return self.payload[offset:], len(self.payload)

    def cancel(self, run_id: str, grace: float) -> None:
        self.live.discard(run_id)

    def adopt(self, run_id: str, info: LaunchInfo, trial: TrialLaunch) -> LaunchInfo | None:
        return None

    def running(self) -> set[str]:
        return set(self.live)

    def shutdown(self, grace: float = 5.0) -> None:
        self.live.clear()


def _config(runs: int, concurrency: int, script: str = "noop.py", compute=None):
    from hypersweep import (
        HyperDriveConfig,
        PrimaryMetricGoal,
        RandomParameterSampling,
        ScriptRunConfig,
        uniform,
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return HyperDriveConfig(
            run_config=ScriptRunConfig(str(SCRIPTS), script, compute_target=compute),
            hyperparameter_sampling=RandomParameterSampling({"x": uniform(0, 1)}, seed=0),
            primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            max_total_runs=runs, max_concurrent_runs=concurrency)


def controller_noop(url: str, artifacts: str, runs: int, values: int,
                    concurrency: int) -> dict:
    """Trials/s and values/s of the whole controller loop with no processes."""
    from hypersweep import Experiment, Workspace
    from hypersweep.controller import Controller

    ws = Workspace(url, artifacts=artifacts)
    run = Experiment(ws, "scaling").create(_config(runs, concurrency))
    controller = Controller(ws.store, run.id, NoopExecutor(values), poll_interval=0.0)
    start = time.perf_counter()
    controller.run()
    elapsed = time.perf_counter() - start
    rows = ws.store.runs(run.id)
    assert len(rows) == runs and all(r["primary_count"] == values for r in rows)
    ws.store.close()
    return {"runs": runs, "values_per_run": values, "concurrency": concurrency,
            "seconds": elapsed, "trials_per_s": runs / elapsed,
            "values_per_s": runs * values / elapsed}


def store_writes(url: str, runs: int, values: int) -> dict:
    """Run lifecycles/s (three commits each) and metric values/s in batches of 100."""
    from hypersweep.status import RunStatus
    from hypersweep.store import MetricRow, Store

    store = Store(url)
    store.create_experiment({"id": "HD_w", "name": "w", "spec": "{}", "status": "Running",
                             "created": time.time(), "tags": {}, "artifacts_dir": "/tmp",
                             "parents": []})
    start = time.perf_counter()
    for i in range(runs):
        rid = f"HD_w_{i}"
        store.create_runs([{"id": rid, "experiment_id": "HD_w", "number": i,
                            "params": {"x": i}, "arguments": [], "command": [],
                            "status": RunStatus.QUEUED, "created": time.time(),
                            "run_dir": "/tmp", "tags": {}}])
        store.update_runs([(rid, {"status": RunStatus.RUNNING, "started": time.time()})])
        store.update_runs([(rid, {"status": RunStatus.COMPLETED, "ended": time.time(),
                                  "exit_code": 0})])
    lifecycle = runs / (time.perf_counter() - start)
    batch = 100
    start = time.perf_counter()
    for first in range(0, values, batch):
        rows = [MetricRow("HD_w_0", "acc", step, "metric", step * 1e-6, None, None, 1.0)
                for step in range(first + 1, first + batch + 1)]
        store.ingest(rows, [("HD_w_0", {"channel_offset": first + batch})])
    ingest = values / (time.perf_counter() - start)
    store.close()
    return {"lifecycles_per_s": lifecycle, "commits_per_s": 3 * lifecycle,
            "values_per_s_batches_of_100": ingest}


def real_trials(trials: int, compute, workspace_dir: str) -> dict:
    """Seconds per no-op trial one at a time, and trials/s at concurrency 4."""
    from hypersweep import Experiment, Workspace

    out = {}
    for concurrency, n in ((1, max(4, trials // 4)), (4, trials)):
        ws = Workspace(os.path.join(workspace_dir, f"c{concurrency}"))
        start = time.perf_counter()
        run = Experiment(ws, "noop").submit(_config(n, concurrency, compute=compute),
                                            background=False)
        elapsed = time.perf_counter() - start
        assert [c.get_status() for c in run.get_children()] == ["Completed"] * n
        out[f"c{concurrency}"] = {"trials": n, "seconds": elapsed,
                                  "seconds_per_trial": elapsed / n,
                                  "trials_per_s": n / elapsed}
    return out


def with_postgres(fn):
    """Run ``fn(server)`` against a throwaway PostgreSQL server (None if unavailable)."""
    from tests.integration.postgres.server import PostgresServer, postgres_missing

    why = postgres_missing()
    if why:
        print(f"PostgreSQL skipped: {why}")
        return None
    server = PostgresServer()
    try:
        server.start()
        return fn(server)
    finally:
        server.stop()


def ray_part(trials: int, tmp: str) -> dict | None:
    from tests.integration.ray.cluster import RayTestCluster, ray_missing

    why = ray_missing()
    if why:
        print(f"Ray skipped: {why}")
        return None
    cluster = RayTestCluster()
    try:
        started = time.perf_counter()
        cluster.start(workers=1)
        cluster.connect()
        cluster.wait_nodes(2)
        result = {"cluster_start_seconds": time.perf_counter() - started}
        result.update(real_trials(trials, {"type": "ray", "address": cluster.address},
                                  os.path.join(tmp, "ray")))
        return result
    finally:
        cluster.stop()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--values", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    runs, trials = (1000, 12) if args.quick else (args.runs, args.trials)
    data: dict = {"runs": runs, "values_per_run": args.values,
                  "concurrency": args.concurrency, "trials": trials}
    with tempfile.TemporaryDirectory() as tmp:
        def on(url_of, name: str) -> dict:
            return {
                "controller_noop": controller_noop(url_of(), os.path.join(tmp, name, "a"), runs,
                                                   args.values, args.concurrency),
                "controller_noop_1_value": controller_noop(
                    url_of(), os.path.join(tmp, name, "b"), runs, 1, args.concurrency),
                "store_writes": store_writes(url_of(), min(runs, 2000), 200_000)}

        counter = iter(range(100))
        data["sqlite"] = on(lambda: f"sqlite:///{tmp}/s{next(counter)}.db", "sqlite")
        if not args.no_postgres:
            data["postgresql"] = with_postgres(lambda srv: on(srv.new_database, "pg"))
        data["python_floor_s"] = python_floor(10, 1) / 10
        data["local"] = real_trials(trials, None, os.path.join(tmp, "local"))
        if not args.no_ray:
            data["ray"] = ray_part(trials, tmp)
    _print(data)
    print(f"saved {save('scaling', data)}")
    return data


def _print(data: dict) -> None:
    rows = []
    for store in ("sqlite", "postgresql"):
        part = data.get(store)
        if part:
            rows.append([store, part["controller_noop_1_value"]["trials_per_s"],
                         part["controller_noop"]["trials_per_s"],
                         part["controller_noop"]["values_per_s"],
                         part["store_writes"]["commits_per_s"],
                         part["store_writes"]["values_per_s_batches_of_100"]])
    print(table(["store", "trials/s (1 value)", f"trials/s ({data['values_per_run']} values)",
                 "values/s", "commits/s", "values/s (store)"], rows))
    rows = []
    for name in ("local", "ray"):
        part = data.get(name)
        if part:
            rows.append([name, part["c1"]["seconds_per_trial"], part["c4"]["trials_per_s"]])
    print(table(["executor", "s per no-op trial (1 at a time)", "trials/s at concurrency 4"],
                rows))


if __name__ == "__main__":
    main()
