"""Run the early-termination benchmark: compute saved versus quality lost, on recorded curves.

For every curve set under ``benchmarks/policies/data/`` (record them once with
``python -m benchmarks.policies.record``), every rule and concurrency 1 and 4, the same
arrival orders (random permutations of the configurations, seeded) are replayed:

- our policies through the **real controller** (:func:`replay.replay_controller`: real
  SQLite store, simulated clock, :class:`replay.ReplayExecutor`); each replay is also
  played by the mirror scheduler and the two must agree exactly;
- Optuna's pruners (ask/tell) through the mirror scheduler, which reproduces the
  controller's arrival order, concurrency and interleaving of values;
- a scan of more settings of our policies through the mirror (fast): how saving and regret
  depend on the settings, and candidates for the comparisons at matched saving on the
  crossing sets; a setting that a comparison picks is then replayed through the real
  controller too (and must agree), and that result is the one reported.

Writes ``benchmarks/results/policies.json`` and ``benchmarks/results/policies.md``.

    python -m benchmarks.policies.run                  # everything, all cores
    python -m benchmarks.policies.run --quick          # 5 orders, no scan: a smoke run
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from benchmarks._common import save
from benchmarks.policies.crossing import CROSSING_SETS
from benchmarks.policies.curves import SET_NAMES, CurveSet, load
from benchmarks.policies.metrics import best_config, evaluate, summarize
from benchmarks.policies.mirror import OptunaJudge, PolicyJudge, simulate
from benchmarks.policies.replay import replay_controller
from benchmarks.policies.report import markdown
from benchmarks.policies.rules import HEADLINE, PEERS, label, make_peer, make_policy, scan_settings

__all__ = ["main"]

ORDER_SEED = 7
CONCURRENCY = (1, 4)
MATCH_TOLERANCE = 0.02        # "matched saving": within 2 percentage points of epochs saved
PER_ORDER = ("set", "rule", "concurrency", "order", "epochs_saved", "compute_saved", "regret",
             "best_stopped", "completed")
_CURVES: dict[str, CurveSet] = {}

Task = tuple[str, str, Any, int, int, list[int]]   # kind, set, rule, concurrency, index, order


def orders(curves: CurveSet, count: int) -> list[list[int]]:
    """The arrival orders: ``count`` seeded random permutations of the configurations."""
    rng = np.random.default_rng(ORDER_SEED)
    return [[int(c) for c in rng.permutation(curves.size)] for _ in range(count)]


def _curves(name: str) -> CurveSet:
    if name not in _CURVES:
        _CURVES[name] = load(name)
    return _CURVES[name]


def run_task(task: Task) -> dict[str, Any]:
    """One replay: ``controller`` (checked against the mirror), ``mirror`` or ``optuna``."""
    kind, set_name, rule, concurrency, index, order = task
    curves = _curves(set_name)
    started = time.process_time()
    agrees = None
    if kind == "optuna":
        outcome = simulate(curves, order, concurrency, OptunaJudge(make_peer(rule), curves.goal))
        name = rule
    else:
        name = label(rule)
        mirror = simulate(curves, order, concurrency, PolicyJudge(make_policy(rule), curves.goal))
        outcome = mirror
        if kind == "controller":
            outcome = replay_controller(curves, make_policy(rule), order, concurrency)
            agrees = outcome == mirror and outcome.reasons == mirror.reasons
    return {"kind": kind, "set": set_name, "rule": name, "concurrency": concurrency,
            "order": index, "agrees": agrees, "cpu_seconds": time.process_time() - started,
            **evaluate(curves, outcome)}


def _run_all(tasks: Sequence[Task], jobs: int, what: str) -> list[dict[str, Any]]:
    """Run tasks over ``jobs`` worker processes (costliest first), printing progress."""
    def cost(task: Task) -> float:
        kind, _, rule, *_ = task
        base = {"controller": 100.0, "optuna": 3.0, "mirror": 1.0}[kind]
        return base * (5 if kind != "optuna" and rule["type"] == "median_stopping" else 1)

    ordered = sorted(tasks, key=cost, reverse=True)
    results, started, step = [], time.time(), max(1, len(tasks) // 20)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs, initializer=_worker_init) as pool:
        for done, row in enumerate(pool.imap_unordered(run_task, ordered), start=1):
            results.append(row)
            if done % step == 0 or done == len(tasks):
                print(f"  {what}: {done}/{len(tasks)} replays, {time.time() - started:.0f} s",
                      flush=True)
    return results


def _worker_init() -> None:
    os.environ["OMP_NUM_THREADS"] = "1"


def _tasks(kind: str, set_names: Iterable[str], rules: Iterable[Any],
           order_lists: dict[str, list[list[int]]]) -> list[Task]:
    return [(kind, s, rule, c, i, order)
            for s in set_names for rule in rules for c in CONCURRENCY
            for i, order in enumerate(order_lists[s])]


def _summaries(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str, int], dict[str, Any]]:
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
    engine: dict[tuple[str, str, int], str] = {}
    for row in rows:
        key = (row["set"], row["rule"], row["concurrency"])
        groups[key].append(row)
        engine[key] = row["kind"]
    return {key: {**summarize(sorted(g, key=lambda r: r["order"])), "engine": engine[key],
                  "cpu_seconds": sum(r["cpu_seconds"] for r in g)}
            for key, g in groups.items()}


def matched(summaries: dict[tuple[str, str, int], dict[str, Any]], set_names: Iterable[str]
            ) -> list[dict[str, Any]]:
    """For each Optuna pruner: our rule with the lowest median regret among those whose
    epochs saved are within ``MATCH_TOLERANCE`` of the pruner's (ties: lower mean regret,
    then more saved)."""
    out = []
    for set_name in set_names:
        for concurrency in CONCURRENCY:
            for peer in PEERS:
                theirs = summaries[(set_name, peer, concurrency)]
                candidates = [
                    (rule, s) for (sn, rule, c), s in summaries.items()
                    if sn == set_name and c == concurrency and rule not in PEERS
                    and abs(s["epochs_saved"] - theirs["epochs_saved"]) <= MATCH_TOLERANCE]
                best = min(candidates, default=None, key=lambda rs: (
                    rs[1]["median_regret"], rs[1]["mean_regret"], -rs[1]["epochs_saved"]))
                entry: dict[str, Any] = {
                    "set": set_name, "concurrency": concurrency, "peer": peer,
                    "peer_epochs_saved": theirs["epochs_saved"],
                    "peer_median_regret": theirs["median_regret"],
                    "peer_mean_regret": theirs["mean_regret"],
                    "candidates": len(candidates), "ours": None, "lower": False}
                if best is not None:
                    rule, ours = best
                    entry.update(ours=rule, ours_engine=ours["engine"],
                                 ours_epochs_saved=ours["epochs_saved"],
                                 ours_median_regret=ours["median_regret"],
                                 ours_mean_regret=ours["mean_regret"],
                                 lower=ours["median_regret"] < theirs["median_regret"])
                out.append(entry)
    return out


def targets(summaries: dict[tuple[str, str, int], dict[str, Any]],
            comparisons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's three targets, each with the evidence and whether it was met."""
    def at(rule: str, c: int) -> dict[str, Any]:
        return summaries[("digits_mlp", rule, c)]

    median_rule = label(HEADLINE[0])
    median_ok = {c: at(median_rule, c)["epochs_saved"] >= 0.35
                 and at(median_rule, c)["median_regret"] == 0 for c in CONCURRENCY}
    ashas = [label(r) for r in HEADLINE if r["type"] == "asha"]
    asha_ok = {rule: {c: at(rule, c)["epochs_saved"] >= 0.84 and at(rule, c)["median_regret"] == 0
                      for c in CONCURRENCY} for rule in ashas}
    asha_met = [rule for rule, ok in asha_ok.items() if all(ok.values())]
    return [
        {"target": "MedianStoppingPolicy(1, 5) saves >= 35 % with zero (median) regret on "
                   "digits_mlp", "met": all(median_ok.values()),
         "by_concurrency": {str(c): v for c, v in median_ok.items()},
         "evidence": {str(c): {k: at(median_rule, c)[k] for k in
                               ("epochs_saved", "median_regret", "mean_regret", "p_regret")}
                      for c in CONCURRENCY}},
        {"target": "ASHA saves >= 84 % with zero (median) regret on digits_mlp",
         "met": bool(asha_met), "met_by": asha_met,
         "by_setting": {rule: {str(c): v for c, v in ok.items()} for rule, ok in asha_ok.items()},
         "evidence": {rule: {str(c): {k: at(rule, c)[k] for k in
                                      ("epochs_saved", "median_regret", "mean_regret",
                                       "p_regret")} for c in CONCURRENCY} for rule in ashas}},
        {"target": "crossing sets: at matched saving (+-2 points), our best rule has lower "
                   "median regret than every Optuna pruner",
         "met": bool(comparisons) and all(m["lower"] for m in comparisons),
         "comparisons_won": sum(m["lower"] for m in comparisons),
         "comparisons": len(comparisons)},
    ]


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=30, help="arrival orders per setting")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sets", default=",".join(SET_NAMES))
    parser.add_argument("--no-scan", action="store_true",
                        help="skip the scan of settings for matched-saving comparisons")
    parser.add_argument("--quick", action="store_true", help="5 orders and no scan")
    parser.add_argument("--output", default="policies", help="results file name (no suffix)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    if args.quick:
        args.orders, args.no_scan = 5, True
    set_names = [s for s in args.sets.split(",") if s]
    crossing = [s for s in set_names if s in CROSSING_SETS]
    order_lists = {s: orders(_curves(s), args.orders) for s in set_names}
    wall = time.time()

    print(f"headline: {len(HEADLINE)} policies (real controller) and {len(PEERS)} Optuna "
          f"pruners, {len(set_names)} sets x {len(CONCURRENCY)} concurrencies x "
          f"{args.orders} orders", flush=True)
    tasks = _tasks("controller", set_names, HEADLINE, order_lists)
    tasks += _tasks("optuna", set_names, PEERS, order_lists)
    scan = [] if args.no_scan else scan_settings()
    tasks += _tasks("mirror", set_names, scan, order_lists)
    rows = _run_all(tasks, args.jobs, "replays")
    summaries = _summaries(rows)
    comparisons = matched(summaries, crossing)

    # each scanned setting a comparison picked is replayed through the real controller too
    by_label = {label(r): r for r in scan}
    picked = sorted({(m["set"], m["ours"], m["concurrency"]) for m in comparisons
                     if m.get("ours_engine") == "mirror"})
    if picked:
        print(f"confirming {len(picked)} picked settings through the controller", flush=True)
        confirmed = _run_all([("controller", s, by_label[rule], c, i, order)
                              for s, rule, c in picked
                              for i, order in enumerate(order_lists[s])], args.jobs,
                             "confirmations")
        mirrored = {(r["set"], r["rule"], r["concurrency"], r["order"]): r for r in rows}
        for row in confirmed:
            key = (row["set"], row["rule"], row["concurrency"], row["order"])
            same = all(row[k] == mirrored[key][k] for k in ("epochs_saved", "regret",
                                                            "best_stopped"))
            row["agrees"] = bool(row["agrees"]) and same
        rows = [r for r in rows if (r["set"], r["rule"], r["concurrency"]) not in picked
                or r["kind"] != "mirror"] + confirmed
        summaries = _summaries(rows)
        comparisons = matched(summaries, crossing)

    checked = [r for r in rows if r["kind"] == "controller"]
    disagreements = [r for r in checked if not r["agrees"]]
    results = {
        "orders": args.orders, "order_seed": ORDER_SEED, "concurrency": list(CONCURRENCY),
        "match_tolerance": MATCH_TOLERANCE,
        "sets": {s: _set_facts(_curves(s)) for s in set_names},
        "rules": {**{label(r): {"engine": "controller", "policy": r} for r in HEADLINE},
                  **{label(r): {"engine": "mirror", "policy": r} for r in scan},
                  **{name: {"engine": "optuna", **spec} for name, spec in PEERS.items()}},
        "validation": {"controller_replays": len(checked),
                       "mirror_agrees": len(checked) - len(disagreements),
                       "disagreements": [[r["set"], r["rule"], r["concurrency"], r["order"]]
                                         for r in disagreements]},
        "summaries": [{"set": s, "rule": r, "concurrency": c, **v}
                      for (s, r, c), v in sorted(summaries.items())],
        "matched": comparisons,
        "targets": targets(summaries, comparisons) if "digits_mlp" in set_names else [],
        "timing": {"wall_seconds": round(time.time() - wall, 1),
                   "cpu_seconds_workers": round(sum(r["cpu_seconds"] for r in rows), 1),
                   "cpu_seconds_controller_replays": round(
                       sum(r["cpu_seconds"] for r in checked), 1),
                   "jobs": args.jobs},
        "per_order_columns": list(PER_ORDER),
        "per_order": [[_compact(r[k]) for k in PER_ORDER] for r in sorted(
            (r for r in rows if r["kind"] != "mirror"),
            key=lambda r: (r["set"], r["rule"], r["concurrency"], r["order"]))],
    }
    path = save(args.output, results)
    md = path.with_suffix(".md")
    md.write_text(markdown(json.loads(path.read_text())))
    print(f"wrote {path} and {md} in {time.time() - wall:.0f} s")
    if disagreements:
        print(f"ERROR: the mirror disagrees with {len(disagreements)} controller replays",
              file=sys.stderr)
        return 1
    return 0


def _compact(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


def _set_facts(curves: CurveSet) -> dict[str, Any]:
    finals = [curves.final(c) for c in range(curves.size)]
    best = best_config(curves)
    return {"configurations": curves.size, "epochs": curves.epochs, "metric": curves.metric,
            "goal": curves.goal, "description": curves.description,
            "best_final": finals[best], "best_config": best,
            "median_final": statistics.median(finals),
            "seconds_per_epoch_median": statistics.median(curves.seconds_per_epoch)}


if __name__ == "__main__":
    sys.exit(main())
