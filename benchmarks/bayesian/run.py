"""Run the Bayesian-sampler benchmark: every method on the same problems, budgets, seeds.

Usage::

    pip install -e .[bench]                       # optuna, hyperopt, torch, scikit-learn
    python -m benchmarks.bayesian.run             # full run (about 50 minutes, 2 cores)
    python -m benchmarks.bayesian.run --quick     # a few minutes: fewer seeds and problems

Writes ``benchmarks/results/bayesian.json`` (raw traces, summary, latency) and
``benchmarks/results/bayesian.md`` (the tables). Runs are spread over worker processes,
each limited to one BLAS/torch thread so that methods do not steal cores from each other;
the latency table is measured afterwards in the main process with every core available.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.bayesian.problems import PROBLEMS

__all__ = ["main"]

RESULTS = Path(__file__).resolve().parents[1] / "results"
PARTIAL = RESULTS / "bayesian.partial.jsonl"  # each finished run, as soon as it finishes
QUICK_PROBLEMS = ("branin-2", "hartmann-6", "mixed-5", "svm-breast_cancer", "enet-diabetes")
_COST = {"optuna-gp": 0, "hypersweep-bayes": 1, "hypersweep-bayes-c4": 1}


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    from benchmarks.bayesian.methods import METHODS

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, 5 problems, ≤ 50 trials")
    parser.add_argument("--seeds", type=int,
                        help="seeds per cell (default 20 for the synthetic problems, whose "
                             "results hinge on the initial design; quick 2)")
    parser.add_argument("--model-seeds", type=int,
                        help="seeds for the model-tuning problems (default: --seeds)")
    parser.add_argument("--problems", nargs="+", choices=list(PROBLEMS))
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--budget", type=int, help="cap on trials per run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--latency-sizes", type=int, nargs="*",
                        help="observation counts for the latency table "
                             "(default 10 50 100 200 1000; quick 10 50 100)")
    parser.add_argument("--output", type=Path, default=RESULTS / "bayesian.json")
    parser.add_argument("--resume", action="store_true",
                        help=f"reuse the runs already in {PARTIAL.name} (same settings)")
    parser.add_argument("--report-only", action="store_true",
                        help=f"run nothing: report the runs in {PARTIAL.name}")
    return parser.parse_args(argv)


def _run_task(task: tuple[str, str, int, int]) -> dict[str, Any]:
    from benchmarks.bayesian.methods import run_method

    problem, method, seed, budget = task
    start = time.perf_counter()
    trace = run_method(method, PROBLEMS[problem], budget, seed)
    run = {"problem": problem, "method": method, "seed": seed, "budget": budget,
           "seconds": time.perf_counter() - start, **trace}
    with PARTIAL.open("a") as stream:  # lets an interrupted benchmark still be reported
        stream.write(json.dumps(run) + "\n")
    return run


def _tasks(args: argparse.Namespace, seeds: int) -> list[tuple[str, str, int, int]]:
    names = args.problems or (QUICK_PROBLEMS if args.quick else list(PROBLEMS))
    tasks = []
    for name in names:
        budget = PROBLEMS[name].budget
        if args.quick:
            budget = min(budget, 50)
        if args.budget:
            budget = min(budget, args.budget)
        count = seeds
        if PROBLEMS[name].kind == "model" and args.model_seeds:
            count = args.model_seeds
        tasks += [(name, m, s, budget) for m in args.methods for s in range(count)]
    # expensive first, so that the workers finish together
    return sorted(tasks, key=lambda t: (_COST.get(t[1], 2), -t[3]))


def _load_partial(tasks: list) -> list[dict[str, Any]]:
    """Runs already finished by an earlier, interrupted invocation (matching tasks only)."""
    if not PARTIAL.exists():
        return []
    wanted = set(tasks)
    runs = {}
    for line in PARTIAL.read_text().splitlines():
        run = json.loads(line)
        key = (run["problem"], run["method"], run["seed"], run["budget"])
        if key in wanted:
            runs[key] = run
    return list(runs.values())


def _run_all(tasks: list, workers: int) -> list[dict[str, Any]]:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"  # inherited by the spawned workers before numpy loads
    runs = []
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, maxtasksperchild=20) as pool:
        for i, run in enumerate(pool.imap_unordered(_run_task, tasks), 1):
            runs.append(run)
            print(f"[{i}/{len(tasks)}] {run['problem']} {run['method']} seed {run['seed']}: "
                  f"best {min(run['values']):.6g} in {run['seconds']:.1f}s",
                  file=sys.stderr, flush=True)
    return sorted(runs, key=lambda r: (r["problem"], r["method"], r["seed"]))


def _mean_suggest(runs: list[dict[str, Any]]) -> dict[str, float]:
    methods = sorted({r["method"] for r in runs})
    return {m: statistics.mean(t for r in runs if r["method"] == m
                               for t in r["suggest_seconds"]) for m in methods}


def _collect_runs(args: argparse.Namespace, tasks: list) -> list[dict[str, Any]]:
    """Runs of every task: reused from the partial file when asked, the rest run now."""
    reuse = args.resume or args.report_only
    done = _load_partial(tasks) if reuse else []
    if not reuse:
        PARTIAL.unlink(missing_ok=True)
    finished = {(r["problem"], r["method"], r["seed"], r["budget"]) for r in done}
    todo = [] if args.report_only else [t for t in tasks if t not in finished]
    fresh = _run_all(todo, max(1, args.workers)) if todo else []
    return sorted(done + fresh, key=lambda r: (r["problem"], r["method"], r["seed"]))


def _latency(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.bayesian.latency import measure_latency

    sizes = args.latency_sizes
    if sizes is None and not args.report_only:
        sizes = [10, 50, 100] if args.quick else [10, 50, 100, 200, 1000]
    if not sizes:
        return {}
    latency = {}
    for name in ("mixed-5", "hartmann-6"):
        print(f"latency on {name} …", file=sys.stderr, flush=True)
        latency[name] = measure_latency(PROBLEMS[name], sizes)
    return latency


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.bayesian.report import acceptance, concurrency, markdown, summarise

    args = _parse(argv)
    seeds = args.seeds or (2 if args.quick else 20)
    start = time.perf_counter()
    tasks = _tasks(args, seeds)
    runs = _collect_runs(args, tasks)
    budgets = [b for b in (25, 50, 100) if any(r["budget"] >= b for r in runs)]
    summary = summarise(runs, budgets)
    result = {
        "config": {"mode": "quick" if args.quick else "full", "seeds": seeds,
                   "model_seeds": args.model_seeds or seeds,
                   "budgets": budgets, "methods": args.methods, "acceptance_budget": 50,
                   "problems": sorted({t[0] for t in tasks}, key=list(PROBLEMS).index)},
        "summary": summary, "acceptance": acceptance(summary, 50),
        "concurrency": concurrency(summary, budgets), "latency": _latency(args),
        "mean_suggest_seconds": _mean_suggest(runs),
        "wall_seconds": time.perf_counter() - start, "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1))
    args.output.with_suffix(".md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
