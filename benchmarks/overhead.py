"""Controller overhead: hypersweep sweeps of no-op trials versus bare processes.

In one run, on this machine: N bare ``python -c pass`` processes (the floor), an N-trial
hypersweep sweep of a no-op script at the same concurrency, and, when Optuna is
installed, an Optuna ask/tell loop launching one subprocess per trial. Also the parallel
efficiency of 0.25 s trials at concurrency 2.

    python -m benchmarks.overhead [--trials 300] [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from statistics import median

from benchmarks._common import SCRIPTS, python_floor, run_processes, save, table


def hypersweep_sweep(n: int, concurrency: int, script: str, arguments=(),
                     space=None) -> float:
    from hypersweep import (
        Experiment,
        HyperDriveConfig,
        PrimaryMetricGoal,
        RandomParameterSampling,
        ScriptRunConfig,
        Workspace,
        uniform,
    )

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = Workspace(tmp)
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(str(SCRIPTS), script, arguments=list(arguments)),
            hyperparameter_sampling=RandomParameterSampling(space or {"x": uniform(0, 1)},
                                                            seed=0),
            primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            max_total_runs=n, max_concurrent_runs=concurrency)
        start = time.perf_counter()
        run = Experiment(ws, "overhead").submit(cfg, background=False)
        elapsed = time.perf_counter() - start
        assert len(run.get_children()) == n
        return elapsed


def optuna_loop(n: int, concurrency: int, script: str) -> float | None:
    try:
        import optuna
    except ImportError:
        return None
    import subprocess

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        subprocess.run([sys.executable, str(SCRIPTS / script), "--x", repr(x)], check=True,
                       stdin=subprocess.DEVNULL)
        return x

    study = optuna.create_study(direction="maximize")
    start = time.perf_counter()
    study.optimize(objective, n_trials=n, n_jobs=concurrency)
    return time.perf_counter() - start


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--sleep-trials", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating passes; medians are reported (the machine's "
                             "per-process time drifts by a few ms between passes)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    n = 60 if args.quick else args.trials
    m = 10 if args.quick else args.sleep_trials
    rounds = 1 if args.quick else args.rounds
    passes: dict[str, list[dict]] = {"1": [], "2": [], "sleep": []}
    for _ in range(rounds):
        for c in (1, 2):
            # the floor is measured right before and right after each contender, which is
            # compared with the mean of the two: the machine's speed drifts by several ms
            # per process within a minute, and this cancels a steady drift
            floors = [python_floor(n, c)]
            hs = hypersweep_sweep(n, c, "noop.py")
            floors.append(python_floor(n, c))
            opt = optuna_loop(n, c, "noop.py")
            if opt is not None:
                floors.append(python_floor(n, c))
            passes[str(c)].append({"floor": median(floors), "hs": hs, "opt": opt,
                                   "hs_floor": (floors[0] + floors[1]) / 2,
                                   "opt_floor": (floors[-2] + floors[-1]) / 2})
        floor_sleep = run_processes(
            [[sys.executable, str(SCRIPTS / "sleep.py"), "--sleep", "0.25"]] * m, 2)
        hs_sleep = hypersweep_sweep(m, 2, "sleep.py", ["--sleep", "0.25"])
        passes["sleep"].append({"floor": floor_sleep, "hs": hs_sleep})
    rows, data = [], {"trials": n, "rounds": rounds, "concurrency": {}}
    for c in ("1", "2"):
        ps = passes[c]
        over = [(p["hs"] - p["hs_floor"]) / n * 1e3 for p in ps]
        opt_over = [(p["opt"] - p["opt_floor"]) / n * 1e3 for p in ps if p["opt"] is not None]
        per = {"floor_ms": median(p["floor"] / n * 1e3 for p in ps),
               "hypersweep_ms": median(p["hs"] / n * 1e3 for p in ps),
               "hypersweep_over_floor_ms": median(over),
               "hypersweep_over_floor_ms_passes": over,
               "optuna_subprocess_ms": (median(p["opt"] / n * 1e3 for p in ps)
                                        if opt_over else None),
               "optuna_over_floor_ms": median(opt_over) if opt_over else None,
               "optuna_over_floor_ms_passes": opt_over}
        data["concurrency"][c] = per
        rows.append([c, per["floor_ms"], per["hypersweep_ms"], per["hypersweep_over_floor_ms"],
                     per["optuna_subprocess_ms"] or "n/a", per["optuna_over_floor_ms"] or "n/a"])
    eff = [p["floor"] / p["hs"] for p in passes["sleep"]]
    data["sleep_0.25s"] = {"trials": m, "concurrency": 2,
                           "floor_s": median(p["floor"] for p in passes["sleep"]),
                           "hypersweep_s": median(p["hs"] for p in passes["sleep"]),
                           "efficiency": median(eff), "efficiency_passes": eff}
    print(table(["concurrency", "floor ms/trial", "hypersweep ms/trial", "over floor ms",
                 "optuna ms/trial", "optuna over floor ms"], rows))
    print(f"\n0.25 s trials at concurrency 2 ({m} trials, median of {rounds} passes): "
          f"parallel efficiency {median(eff):.3f} (passes: "
          + ", ".join(f"{e:.3f}" for e in eff) + ")")
    print(f"saved {save('overhead', data)}")
    return data


if __name__ == "__main__":
    main()
