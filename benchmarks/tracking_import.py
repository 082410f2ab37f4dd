"""Import time of the tracking client inside a training script, and its log() rate.

In one run, with this venv's interpreter: the median over repeated fresh interpreters of
``from hypersweep import Run; Run.get_context()`` minus a bare ``python -c pass``, and the
same for ``import optuna`` (the peer) when installed.

    python -m benchmarks.tracking_import [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks._common import save, table


def _median_ms(code: str, repeat: int) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYPERSWEEP_")}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def log_rate(n: int = 200_000) -> float:
    from hypersweep.tracking import ScriptRun

    with tempfile.TemporaryDirectory() as tmp:
        run = ScriptRun(os.path.join(tmp, "m.jsonl"), "r", "e", tmp, None)
        start = time.perf_counter()
        for i in range(n):
            run.log("acc", i * 1e-6)
        return n / (time.perf_counter() - start)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    bare = _median_ms("pass", args.repeat)
    ours = _median_ms("from hypersweep import Run; Run.get_context()", args.repeat)
    try:
        import optuna  # noqa: F401
        peer = _median_ms("import optuna", args.repeat)
    except ImportError:
        peer = None
    rate = log_rate()
    data = {"repeat": args.repeat, "bare_ms": bare, "hypersweep_import_ms": ours - bare,
            "optuna_import_ms": None if peer is None else peer - bare,
            "log_values_per_s": rate}
    print(table(["measure", "hypersweep", "optuna"], [
        ["import in a fresh interpreter (ms above bare python)", ours - bare,
         "not installed" if peer is None else peer - bare],
        ["log() values per second to the channel", rate, "-"]]))
    print(f"saved {save('tracking_import', data)}")
    return data


if __name__ == "__main__":
    main()
