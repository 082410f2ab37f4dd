"""Store throughput: run rows created and finished per second, and metric ingestion.

In one run: hypersweep's store (SQLite, WAL, one transaction per state change, as the
controller commits them) versus Optuna's RDB storage on SQLite doing the same lifecycle
(create trial, set params, finish), when Optuna is installed; then metric values per
second, both through the store alone and end to end from one trial logging as fast as
it can.

    python -m benchmarks.store [--runs 2000] [--values 200000] [--quick]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings

from benchmarks._common import SCRIPTS, save, table


def hypersweep_lifecycle(n: int, path: str) -> float:
    from hypersweep.status import RunStatus
    from hypersweep.store import Store

    store = Store(f"sqlite:///{path}")
    store.create_experiment({"id": "HD_bench", "name": "bench", "spec": "{}",
                             "status": "Running", "created": time.time(), "tags": {},
                             "artifacts_dir": "/tmp", "parents": []})
    start = time.perf_counter()
    for i in range(n):
        rid = f"HD_bench_{i}"
        store.create_runs([{"id": rid, "experiment_id": "HD_bench", "number": i,
                            "params": {"x": i}, "arguments": [], "command": [],
                            "status": RunStatus.QUEUED, "created": time.time(),
                            "run_dir": "/tmp", "tags": {}}])
        store.update_runs([(rid, {"status": RunStatus.RUNNING, "started": time.time(),
                                  "pid": 1})])
        store.update_runs([(rid, {"status": RunStatus.COMPLETED, "ended": time.time(),
                                  "exit_code": 0})])
    elapsed = time.perf_counter() - start
    store.close()
    return n / elapsed


def optuna_lifecycle(n: int, path: str) -> float | None:
    try:
        import optuna
    except ImportError:
        return None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(f"sqlite:///{path}")
    study = optuna.create_study(storage=storage, study_name="bench")
    dist = optuna.distributions.FloatDistribution(0, 1)
    start = time.perf_counter()
    for _ in range(n):
        trial = study.ask({"x": dist})
        study.tell(trial, trial.params["x"])
    return n / (time.perf_counter() - start)


def ingest_rate(n: int, path: str) -> float:
    """Values/s through parse + store.ingest in controller-sized batches."""
    import json

    from hypersweep.controller._ingest import ChannelState, parse_channel, summary
    from hypersweep.store import Store

    store = Store(f"sqlite:///{path}")
    store.create_experiment({"id": "HD_m", "name": "m", "spec": "{}", "status": "Running",
                             "created": time.time(), "tags": {}, "artifacts_dir": "/tmp",
                             "parents": []})
    store.create_runs([{"id": "HD_m_0", "experiment_id": "HD_m", "number": 0, "params": {},
                        "arguments": [], "command": [], "status": "Running",
                        "created": time.time(), "run_dir": "/tmp", "tags": {}}])
    lines = b"".join(json.dumps({"kind": "metric", "name": "acc", "value": i * 1e-6,
                                 "time": 1.0}).encode() + b"\n" for i in range(n))
    state = ChannelState()
    chunk = 64 * 1024 * 16
    start = time.perf_counter()
    pos = 0
    while pos < len(lines):
        end = lines.rfind(b"\n", pos, pos + chunk) + 1 or len(lines)
        rows, _ = parse_channel("HD_m_0", lines[pos:end], state, "acc", 1.0)
        state.offset = end
        store.ingest(rows, [("HD_m_0", summary(state, True))])
        pos = end
    return n / (time.perf_counter() - start)


def end_to_end_rate(n: int) -> tuple[float, float]:
    """(values/s over the whole one-trial sweep, seconds) with a real logging script."""
    from hypersweep import (
        Experiment,
        HyperDriveConfig,
        RandomParameterSampling,
        ScriptRunConfig,
        Workspace,
        uniform,
    )

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(str(SCRIPTS), "logmany.py", arguments=["--n", str(n)]),
            hyperparameter_sampling=RandomParameterSampling({"x": uniform(0, 1)}, seed=0),
            primary_metric_name="acc", primary_metric_goal="maximize", max_total_runs=1)
        start = time.perf_counter()
        run = Experiment(Workspace(tmp), "ingest").submit(cfg, background=False)
        elapsed = time.perf_counter() - start
        assert len(run.get_children()[0].get_metrics()["acc"]) == n
    return n / elapsed, elapsed


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--values", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    runs = 300 if args.quick else args.runs
    values = 50_000 if args.quick else args.values
    with tempfile.TemporaryDirectory() as tmp:
        hs = hypersweep_lifecycle(runs, os.path.join(tmp, "hs.db"))
        opt = optuna_lifecycle(min(runs, 500), os.path.join(tmp, "optuna.db"))
        ingest = ingest_rate(values, os.path.join(tmp, "m.db"))
    e2e, seconds = end_to_end_rate(values)
    data = {"runs": runs, "hypersweep_runs_per_s": hs, "optuna_trials_per_s": opt,
            "values": values, "ingest_values_per_s": ingest,
            "end_to_end_values_per_s": e2e, "end_to_end_seconds": seconds}
    print(table(["measure", "hypersweep", "optuna (SQLite RDBStorage)"], [
        ["runs created+finished /s (3 commits each)", hs, opt if opt else "n/a"],
        ["metric values stored /s (store path)", ingest, "-"],
        ["metric values /s end to end (1 trial, incl. script)", e2e, "-"]]))
    print(f"saved {save('store', data)}")
    return data


if __name__ == "__main__":
    main()
