"""Scale check (opt-in: HYPERSWEEP_SCALE=1): 5,000 runs × 100 values each.

Measures, in headless Chromium against the real server, how long the experiment page takes
until its summary and runs table are shown (interactive) and until the metrics chart is
drawn, and the size of every API payload. Results go to ``scale.json`` in the artifacts
folder. The store is filled through the Store API (half a million metric rows).
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import time
import urllib.request

import pytest

from hypersweep import BanditPolicy, choice, loguniform, uniform
from tests.browser.conftest import _free_port, watched_page
from tests.unit.plots.fake_sweep import make_sweep

pytestmark = pytest.mark.skipif(os.environ.get("HYPERSWEEP_SCALE") != "1",
                                reason="scale check: set HYPERSWEEP_SCALE=1 (takes ~1 min)")
RUNS, VALUES = 5000, 100


def _fill(root):
    sweep = make_sweep(root, {"lr": loguniform(-7, -1), "batch": choice(16, 32, 64, 128),
                              "dropout": uniform(0, 0.5), "wd": loguniform(-10, -3)},
                       policy=BanditPolicy(slack_factor=0.2), max_total_runs=RUNS, name="big")
    rng, now = random.Random(0), time.time()
    runs, metrics, updates = [], [], []
    for i in range(RUNS):
        rid = f"{sweep.id}_{i}"
        p = {"lr": math.exp(rng.uniform(-7, -1)), "batch": rng.choice([16, 32, 64, 128]),
             "dropout": rng.uniform(0, .5), "wd": math.exp(rng.uniform(-10, -3))}
        quality = 0.9 - 0.05 * abs(math.log(p["lr"]) + 4) - 0.2 * p["dropout"]
        values = [quality * (1 - math.exp(-(j + 1) / 10)) + rng.gauss(0, 0.01)
                  for j in range(VALUES)]
        runs.append({"id": rid, "experiment_id": sweep.id, "number": i, "params": p,
                     "arguments": [], "command": ["python", "train.py"], "status": "Completed",
                     "created": now, "started": now + i, "ended": now + i + 30,
                     "run_dir": str(root / "runs" / rid), "log_tail": "x" * 2000, "tags": {}})
        metrics += [{"run_id": rid, "name": "acc", "step": j + 1, "kind": "metric", "value": v,
                     "value_text": None, "value_json": None, "time": now}
                    for j, v in enumerate(values)]
        updates.append((rid, {"primary_count": VALUES, "primary_best": max(values)}))
    store = sweep._store
    store.create_runs(runs)
    for c in range(0, len(metrics), 100_000):
        store.ingest(metrics[c:c + 100_000], [])
    store.update_runs(updates)
    return sweep


def test_five_thousand_runs(tmp_path, context, artifacts):
    sweep = _fill(tmp_path)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "hypersweep", "--workspace",
                             str(tmp_path / "ws"), "ui", "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/experiments", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        with watched_page(context) as page:
            start = time.time()
            page.goto(f"{url}/experiments/{sweep.id}")
            page.wait_for_function("document.body.dataset.tableVersion", timeout=60000)
            interactive = time.time() - start
            page.wait_for_function("document.body.dataset.version", timeout=60000)
            metrics_drawn = time.time() - start
            rows = page.evaluate("document.querySelectorAll('#runs tbody tr').length")
            payloads = page.evaluate(
                "performance.getEntriesByType('resource').filter(e => e.name.includes('/api/'))"
                ".map(e => [e.name.split('/api/')[1], e.encodedBodySize, e.decodedBodySize,"
                " Math.round(e.duration)])")
        result = {"runs": RUNS, "values_per_run": VALUES, "interactive_s": round(interactive, 2),
                  "metrics_chart_s": round(metrics_drawn, 2), "table_rows": rows,
                  "payloads": [{"path": p, "bytes_on_wire": w, "bytes": b, "ms": ms}
                               for p, w, b, ms in payloads]}
        (artifacts / "scale.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
        assert rows == 50  # paged
        assert interactive < 2.0
        assert all(p["bytes"] < 1_500_000 for p in result["payloads"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
