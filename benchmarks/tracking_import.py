"""What the tracking client costs a training script: import time and log() throughput.

Import time is the median wall time of a fresh interpreter (this venv's) running
``from hypersweep.tracking import get_context; get_context()``, minus the median of a bare
``python -c pass``; ``import optuna`` (the peer) is measured the same way in the same
rounds when it is installed. The commands take turns within each round, so load from
other processes on the machine falls on all of them alike. Bytecode caching works as in
a normal install (``PYTHONDONTWRITEBYTECODE`` is lifted and the caches go to a temporary
``PYTHONPYCACHEPREFIX``, so nothing is written into the source tree); one more row shows
the client without any bytecode cache. Target: ≤ 30 ms. Each child's CPU time (user +
system, from ``wait4``) is reported next to the wall time: on a shared machine it moves
far less with the load than the wall time does.

Throughput is ``ScriptRun.log()`` calls per second (wall and CPU), each one a JSON line
written to the channel file with its own ``write()``.

    python -m benchmarks.tracking_import [--repeat 30] [--values 200000]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks._common import save, table

TARGET_MS = 30.0
COMMANDS = {
    "bare": "pass",
    "tracking": "from hypersweep.tracking import get_context; get_context()",
    "run": "from hypersweep import Run; Run.get_context()",
    "optuna": "import optuna",
}


def _env(pycache: str | None) -> dict[str, str]:
    """The parent's environment outside a sweep, with or without a bytecode cache."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HYPERSWEEP_", "AZUREML_"))}
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _once_ms(code: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) milliseconds of one fresh interpreter running code."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - start) * 1e3
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{code!r} exited with {proc.returncode}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1e3


def import_times(names: list[str], repeat: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) ms of each command, ``repeat`` rounds, commands taking turns."""
    with tempfile.TemporaryDirectory() as pycache:
        cached, uncached = _env(pycache), _env(None)
        runs = [(n, COMMANDS[n], cached) for n in names]
        runs.append(("tracking_no_pyc", COMMANDS["tracking"], uncached))
        for _name, code, env in runs * 2:  # warm up: write the bytecode caches
            _once_ms(code, env)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in runs}
        for i in range(repeat):
            for name, code, env in runs[i % len(runs):] + runs[:i % len(runs)]:
                times[name].append(_once_ms(code, env))
    return times


def log_rate(n: int) -> tuple[float, float]:
    """``log()`` calls per wall second and per CPU second of a ScriptRun writing to a
    file (the CPU figure is the steadier one on a shared machine)."""
    from hypersweep.tracking import ScriptRun

    with tempfile.TemporaryDirectory() as tmp:
        run = ScriptRun(os.path.join(tmp, "metrics.jsonl"), run_id="bench")
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            run.log("accuracy", i * 1e-6)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        run._channel.close()
    return n / elapsed, n / cpu


def _summary(samples: list[tuple[float, float]], bare: dict[str, float]) -> dict[str, float]:
    wall = [w for w, _ in samples]
    q1, _, q3 = statistics.quantiles(wall, n=4)
    return {"median_ms": statistics.median(wall) - bare["wall"], "q1_ms": q1 - bare["wall"],
            "q3_ms": q3 - bare["wall"],
            "cpu_median_ms": statistics.median(c for _, c in samples) - bare["cpu"]}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="rounds (at least 20)")
    parser.add_argument("--values", type=int, default=200_000, help="log() calls timed")
    args = parser.parse_args(argv)
    has_optuna = importlib.util.find_spec("optuna") is not None
    names = ["bare", "tracking", "run"] + (["optuna"] if has_optuna else [])
    times = import_times(names, max(args.repeat, 20))
    bare_samples = times.pop("bare")
    bare = {"wall": statistics.median(w for w, _ in bare_samples),
            "cpu": statistics.median(c for _, c in bare_samples)}
    results = {name: _summary(samples, bare) for name, samples in times.items()}
    rate, cpu_rate = log_rate(args.values)
    load = os.getloadavg()[0]
    data = {"repeat": max(args.repeat, 20), "bare_python_ms": bare["wall"],
            "bare_python_cpu_ms": bare["cpu"], "load_average_1min": load,
            "target_ms": TARGET_MS, "import_above_bare": results,
            "optuna_installed": has_optuna, "log_values": args.values,
            "log_values_per_s": rate, "log_values_per_cpu_s": cpu_rate}

    def row(label: str, key: str) -> list[object]:
        r = results[key]
        return [label, r["median_ms"], f"{r['q1_ms']:.1f} – {r['q3_ms']:.1f}",
                r["cpu_median_ms"]]

    rows = [row("from hypersweep.tracking import get_context; get_context()", "tracking"),
            row("from hypersweep import Run; Run.get_context()", "run"),
            row("  the same tracking import, no bytecode cache", "tracking_no_pyc")]
    rows.append(row("import optuna (peer)", "optuna") if has_optuna
                else ["import optuna (peer)", "not installed: skipped", "-", "-"])
    print(f"bare python: {bare['wall']:.1f} ms wall, {bare['cpu']:.1f} ms CPU (medians of "
          f"{data['repeat']}); load average {load:.1f} on {os.cpu_count()} CPUs")
    print(table(["import in a fresh interpreter", "wall ms above bare (median)",
                 "quartiles", "CPU ms above bare"], rows))
    print(table(["log() to the metrics channel", "values/s (wall)", "values/CPU-s"],
                [[f"{args.values:,} calls", f"{rate:,.0f}", f"{cpu_rate:,.0f}"]]))
    verdict = "meets" if results["tracking"]["median_ms"] <= TARGET_MS else "MISSES"
    print(f"tracking import {verdict} the {TARGET_MS:.0f} ms target")
    print(f"saved {save('tracking_import', data)}")
    return data


if __name__ == "__main__":
    main()
