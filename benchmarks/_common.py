"""Shared helpers for benchmarks: timing, peers, results files."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
SCRIPTS = Path(__file__).parent / "scripts"


def save(name: str, data: dict) -> Path:
    """Write ``benchmarks/results/<name>.json`` with machine facts attached."""
    RESULTS.mkdir(exist_ok=True)
    data = {"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()}, **data}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def run_processes(argvs: Sequence[Sequence[str]], concurrency: int) -> float:
    """Run the commands with at most ``concurrency`` alive at once; wall seconds."""
    start = time.perf_counter()
    pending = list(argvs)
    alive: dict[int, subprocess.Popen] = {}
    while pending or alive:
        while pending and len(alive) < concurrency:
            proc = subprocess.Popen(pending.pop(0), stdin=subprocess.DEVNULL)
            alive[proc.pid] = proc
        pid, _status = os.wait()
        proc = alive.pop(pid, None)
        if proc is not None:
            proc.returncode = 0
    return time.perf_counter() - start


def python_floor(n: int, concurrency: int) -> float:
    """Seconds for ``n`` bare ``python -c pass`` processes at ``concurrency``."""
    return run_processes([[sys.executable, "-c", "pass"]] * n, concurrency)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table."""
    def cell(v: object) -> str:
        return f"{v:.3g}" if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
