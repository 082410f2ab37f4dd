"""Load: a sweep of no-op trials while a load generator hits the dashboard API (loopback).

Three measurements on this machine, each in its own processes:

1. the floor: N bare ``python -c pass`` processes at the sweep's concurrency;
2. the unloaded sweep: N no-op trials at concurrency C, controller in its own process;
3. the loaded sweep: the same sweep while ``hypersweep ui`` serves its workspace and a
   load generator (another process, stdlib HTTP client threads) requests the API for
   ``--seconds`` at ``--rate`` requests per second (``--rate 0``: as fast as it can),
   cycling through what the dashboard's pages poll: the experiment list, the sweep, its
   runs table, its metrics and parallel-coordinates figures, a run, its metrics, its log.

Overhead = sweep seconds − floor seconds, medians over ``--repeat`` alternating passes. Passes
when no request failed, every run was recorded and ended, and the loaded
overhead is at most 1.5 × the unloaded one. Bounded in time and count; loopback only.

    python -m benchmarks.load [--runs 1000] [--concurrency 8] [--seconds 60] [--rate 20]
                              [--repeat 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from benchmarks._common import SCRIPTS, python_floor, save

MAX_REQUESTS = 200_000   # a hard bound on what one generator sends
_RUN_ID = re.compile(r"HD_[0-9a-f]+_\d+")


# -- the sweep ------------------------------------------------------------------------------
def create_sweep(folder: str, runs: int, concurrency: int) -> tuple[Any, str]:
    from hypersweep import (
        Experiment,
        HyperDriveConfig,
        PrimaryMetricGoal,
        RandomParameterSampling,
        ScriptRunConfig,
        Workspace,
        uniform,
    )

    ws = Workspace(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(str(SCRIPTS), "noop.py"),
            hyperparameter_sampling=RandomParameterSampling({"x": uniform(0, 1)}, seed=0),
            primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            max_total_runs=runs, max_concurrent_runs=concurrency)
    run = Experiment(ws, "load").create(cfg)
    return ws, run.id


def run_controller(ws: Any, sweep_id: str) -> float:
    """Seconds the sweep's controller (its own process) takes to run it to its end."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "hypersweep", "--workspace", ws.url,
                           "_controller", sweep_id, "--artifacts", ws.root],
                          stdin=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the controller failed with exit code {done.returncode}")
    return elapsed


# -- the dashboard ---------------------------------------------------------------------------
def start_dashboard(ws: Any) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "hypersweep", "--workspace", ws.url, "ui",
                             "--port", "0"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://(127\.0\.0\.1:\d+)/", line)
    if match is None:
        proc.kill()
        raise SystemExit(f"the dashboard did not start: {line!r}")
    return proc, match.group(1)


# -- the load generator (its own process) ----------------------------------------------------
def _paths(sweep_id: str, run_ids: list[str], rng: random.Random) -> list[str]:
    run = rng.choice(run_ids) if run_ids else None
    paths = ["/api/experiments", f"/api/experiments/{sweep_id}",
             f"/api/experiments/{sweep_id}/runs?sort=number&limit=100",
             f"/api/experiments/{sweep_id}/figures/metrics",
             f"/api/experiments/{sweep_id}/figures/parallel"]
    if run:
        paths += [f"/api/runs/{run}", f"/api/runs/{run}/metrics", f"/api/runs/{run}/log"]
    return paths


def _client(address: str, sweep_id: str, stop_at: float, interval: float, seed: int,
            out: list[tuple[str, int, float]], run_ids: list[str]) -> None:
    host, port = address.split(":")
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    next_at = time.monotonic()
    while time.monotonic() < stop_at and len(out) < MAX_REQUESTS:
        for path in _paths(sweep_id, run_ids, rng):
            if interval:
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))
            if time.monotonic() >= stop_at:
                break
            kind = re.sub(r"HD_[0-9a-f]+(_\d+)?", "{id}", path.split("?")[0])
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                status = response.status
                if status == 200 and kind == "/api/experiments/{id}/runs":
                    rows = json.loads(body)["rows"]  # cells: the run id is one of them
                    found = [c for row in rows for c in row
                             if isinstance(c, str) and _RUN_ID.fullmatch(c)]
                    run_ids[:] = found or run_ids
            except (OSError, http.client.HTTPException, ValueError):
                status = -1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
            out.append((kind, status, time.perf_counter() - start))
    conn.close()


def generate(address: str, sweep_id: str, seconds: float, clients: int, rate: float) -> dict:
    """Request the API from ``clients`` threads for ``seconds``; latency statistics."""
    stop_at = time.monotonic() + seconds
    interval = clients / rate if rate > 0 else 0.0
    results: list[tuple[str, int, float]] = []
    run_ids: list[str] = []
    threads = [threading.Thread(target=_client, args=(address, sweep_id, stop_at, interval,
                                                      i, results, run_ids))
               for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies_ms = sorted(r[2] * 1e3 for r in results)
    failures = [r for r in results if r[1] != 200]

    per_kind: dict[str, int] = {}
    for kind, _status, _lat in results:
        per_kind[kind] = per_kind.get(kind, 0) + 1
    return {"requests": len(results), "failed": len(failures),
            "failed_examples": [f"{k} → {s}" for k, s, _ in failures[:5]],
            "seconds": elapsed, "rate": len(results) / elapsed, "clients": clients,
            "target_rate": rate or None,
            **_percentiles(latencies_ms), "by_endpoint": per_kind,
            "latencies_ms": [round(x, 3) for x in latencies_ms]}


# -- the benchmark ------------------------------------------------------------------------------
def loaded_sweep(runs: int, concurrency: int, seconds: float, clients: int, rate: float
                 ) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        ws, sweep_id = create_sweep(tmp, runs, concurrency)
        dashboard, address = start_dashboard(ws)
        try:
            out = Path(tmp) / "load.json"
            generator = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.load", "--generate", address,
                 "--sweep", sweep_id, "--seconds", str(seconds), "--clients", str(clients),
                 "--rate", str(rate), "--out", str(out)], stdin=subprocess.DEVNULL)
            time.sleep(0.5)  # let the generator reach full speed before the sweep starts
            elapsed = run_controller(ws, sweep_id)
            generator.wait(timeout=seconds + 120)
            load = json.loads(out.read_text())
            load["runs_recorded"], load["runs_ended"] = _ended_runs(ws, sweep_id)
        finally:
            dashboard.terminate()
            dashboard.wait(timeout=30)
        load["sweep_outlasted_load"] = elapsed > seconds
        return elapsed, load


def _ended_runs(ws: Any, sweep_id: str) -> tuple[int, int]:
    """(runs in the store, runs in a terminal state): nothing may be lost under load."""
    from hypersweep.status import RunStatus

    runs = ws.store.runs(sweep_id)
    return len(runs), sum(RunStatus(r["status"]).is_terminal for r in runs)


def _percentiles(ordered_ms: list[float]) -> dict[str, float | None]:
    """p50, p95, p99 and max of sorted latencies (ms), for one pass or several merged."""
    if not ordered_ms:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    last = len(ordered_ms) - 1
    return {**{f"p{q}_ms": ordered_ms[min(last, int(q / 100 * len(ordered_ms)))]
               for q in (50, 95, 99)}, "max_ms": ordered_ms[-1]}


def _merge(loads: list[dict]) -> dict:
    """One load report from several passes: counts summed, latencies from every request."""
    latencies = sorted(ms for one in loads for ms in one.pop("latencies_ms"))
    merged = dict(loads[0])
    for key in ("requests", "failed", "seconds", "runs_recorded", "runs_ended"):
        merged[key] = sum(one[key] for one in loads)
    merged["failed_examples"] = [e for one in loads for e in one["failed_examples"]][:10]
    merged["rate"] = merged["requests"] / merged["seconds"]
    merged["sweep_outlasted_load"] = any(one["sweep_outlasted_load"] for one in loads)
    merged.update(_percentiles(latencies))
    merged["by_endpoint"] = {k: sum(one["by_endpoint"].get(k, 0) for one in loads)
                             for k in loads[0]["by_endpoint"]}
    return merged


def unloaded_sweep(runs: int, concurrency: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        ws, sweep_id = create_sweep(tmp, runs, concurrency)
        return run_controller(ws, sweep_id)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=20.0,
                        help="requests per second in all (0: as fast as possible)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="passes of floor, unloaded and loaded sweep (medians compared)")
    parser.add_argument("--quick", action="store_true", help="100 runs, 15 s of load, 1 pass")
    parser.add_argument("--generate", help=argparse.SUPPRESS)   # internal: be the generator
    parser.add_argument("--sweep", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        result = generate(args.generate, args.sweep, args.seconds, args.clients, args.rate)
        Path(args.out).write_text(json.dumps(result))
        return result
    runs, seconds = (100, 15.0) if args.quick else (args.runs, args.seconds)
    if args.quick:
        args.repeat = 1
    # on two cores one pass of each varies by a factor of two: alternate the three
    # measurements ``--repeat`` times and compare medians
    floors, unloadeds, loadeds, loads = [], [], [], []
    for _ in range(args.repeat):
        floors.append(python_floor(runs, args.concurrency))
        unloadeds.append(unloaded_sweep(runs, args.concurrency))
        elapsed, one = loaded_sweep(runs, args.concurrency, seconds, args.clients, args.rate)
        loadeds.append(elapsed)
        loads.append(one)
    floor, unloaded, loaded = (statistics.median(v) for v in (floors, unloadeds, loadeds))
    load = _merge(loads)
    over_unloaded, over_loaded = unloaded - floor, loaded - floor
    ratio = over_loaded / over_unloaded if over_unloaded > 0 else float("inf")
    data = {"runs": runs, "concurrency": args.concurrency, "load_seconds": seconds,
            "load_average_before": os.getloadavg()[0],
            "floor_s": floor, "unloaded_sweep_s": unloaded, "loaded_sweep_s": loaded,
            "unloaded_overhead_ms_per_trial": over_unloaded / runs * 1e3,
            "loaded_overhead_ms_per_trial": over_loaded / runs * 1e3,
            "overhead_ratio": ratio, "load": load, "repeat": args.repeat,
            "passes": {"floor_s": floors, "unloaded_sweep_s": unloadeds,
                       "loaded_sweep_s": loadeds,
                       "ratios": [(lo - f) / (u - f) if u > f else None
                                  for f, u, lo in zip(floors, unloadeds, loadeds, strict=True)]},
            "passed": load["failed"] == 0 and ratio <= 1.5
            and load["runs_recorded"] == load["runs_ended"] == runs * args.repeat}
    print(f"{runs} no-op trials at concurrency {args.concurrency}: floor {floor:.1f} s, "
          f"unloaded sweep {unloaded:.1f} s, loaded sweep {loaded:.1f} s")
    print(f"overhead per trial: unloaded {data['unloaded_overhead_ms_per_trial']:.1f} ms, "
          f"loaded {data['loaded_overhead_ms_per_trial']:.1f} ms (× {ratio:.2f}, limit 1.5)")
    print(f"dashboard API: {load['requests']} requests in {load['seconds']:.0f} s "
          f"({load['rate']:.1f}/s, {load['clients']} clients), {load['failed']} failed; "
          f"latency p50 {load['p50_ms']:.1f} ms, p95 {load['p95_ms']:.1f} ms, "
          f"p99 {load['p99_ms']:.1f} ms, max {load['max_ms']:.1f} ms")
    print(f"runs: {load['runs_recorded']} recorded, {load['runs_ended']} ended "
          f"(of {runs * args.repeat} in {args.repeat} loaded pass(es)); ratio per pass: "
          + ", ".join(f"{r:.2f}" for r in data["passes"]["ratios"] if r is not None))
    print(f"{'PASS' if data['passed'] else 'FAIL'}; saved {save('load', data)}")
    return data


if __name__ == "__main__":
    main()
