"""Summaries of the raw traces: regret, normalised score, acceptance and markdown tables.

- Synthetic problems: **simple regret** = best value found within b trials − the known
  minimum; the median over seeds is reported (lower is better).
- Model tuning: the optimum is unknown, so scores are **normalised** per problem and
  budget as in Bayesmark: ``(R − best) / (R − B)`` where R is random search's median best
  value at that budget and B the best value any method found in any run (so 0 = as good
  as random's median, 1 = as good as the best ever seen; higher is better). Medians
  over seeds. For the acceptance check a gap to B (``best − B``) plays the regret's role.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from benchmarks.bayesian.problems import PROBLEMS

__all__ = ["acceptance", "concurrency", "markdown", "summarise"]

PEERS = ("optuna-tpe", "optuna-gp", "hyperopt-tpe")
OURS = "hypersweep-bayes"
RANDOM = "hypersweep-random"


def _best_at(values: Sequence[float], budget: int) -> float:
    return min(values[:budget])


def _runs(runs: Sequence[Mapping[str, Any]], problem: str, method: str) -> list[list[float]]:
    return [r["values"] for r in runs if r["problem"] == problem and r["method"] == method]


def summarise(runs: Sequence[Mapping[str, Any]], budgets: Sequence[int]) -> dict[str, Any]:
    """Per problem, method and budget: median regret (or gap) and normalised score."""
    out: dict[str, Any] = {}
    for problem in sorted({r["problem"] for r in runs}, key=list(PROBLEMS).index):
        methods = sorted({r["method"] for r in runs if r["problem"] == problem})
        known = PROBLEMS[problem].optimum
        floor = known if known is not None else min(
            min(r["values"]) for r in runs if r["problem"] == problem)
        table: dict[str, Any] = {}
        for budget in budgets:
            usable = [m for m in methods
                      if all(len(v) >= budget for v in _runs(runs, problem, m))]
            ref = _random_median(runs, problem, budget)
            for method in usable:
                bests = [_best_at(v, budget) for v in _runs(runs, problem, method)]
                entry = table.setdefault(method, {})
                entry[str(budget)] = {
                    "median_regret": statistics.median(b - floor for b in bests),
                    "normalised": _normalised(bests, ref, floor),
                    "seeds": len(bests),
                }
        out[problem] = {"kind": PROBLEMS[problem].kind, "reference_minimum": floor,
                        "methods": table}
    return out


def _random_median(runs: Sequence[Mapping[str, Any]], problem: str, budget: int
                   ) -> float | None:
    values = [v for v in _runs(runs, problem, RANDOM) if len(v) >= budget]
    return statistics.median(_best_at(v, budget) for v in values) if values else None


def _normalised(bests: Sequence[float], ref: float | None, floor: float) -> float | None:
    if ref is None or ref - floor <= 0:
        return None
    return statistics.median((ref - b) / (ref - floor) for b in bests)


def acceptance(summary: Mapping[str, Any], budget: int) -> list[dict[str, Any]]:
    """Ours against the best peer at one budget, problem by problem (regret or gap)."""
    rows = []
    for problem, info in summary.items():
        table = info["methods"]
        key = str(budget)
        if OURS not in table or key not in table[OURS]:
            continue
        peers = {m: table[m][key]["median_regret"] for m in PEERS if key in table.get(m, {})}
        if not peers:
            continue
        best_peer = min(peers, key=peers.__getitem__)
        ours, theirs = table[OURS][key]["median_regret"], peers[best_peer]
        ratio = ours / theirs if theirs > 0 else (1.0 if ours == 0 else float("inf"))
        rnd = table.get(RANDOM, {}).get(key, {}).get("median_regret")
        rows.append({"problem": problem, "ours": ours, "best_peer": best_peer,
                     "best_peer_value": theirs, "ratio": ratio,
                     "random": rnd, "at_least_as_good": ours <= theirs})
    return rows


def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "–"
    if x == 0 or 1e-2 <= abs(x) < 1e4:
        return f"{x:.{digits}g}"
    return f"{x:.2e}"


def _quality_table(summary: Mapping[str, Any], kind: str, field: str,
                   methods: Sequence[str], budgets: Sequence[int]) -> list[str]:
    lines = ["| problem | trials | " + " | ".join(methods) + " |",
             "|---|---:|" + "---:|" * len(methods)]
    for problem, info in summary.items():
        if info["kind"] != kind:
            continue
        for budget in budgets:
            cells = [info["methods"].get(m, {}).get(str(budget), {}).get(field)
                     for m in methods]
            if all(c is None for c in cells):
                continue
            present = [c for c in cells if c is not None]
            best = (min if field == "median_regret" else max)(present)
            text = [("**" + _fmt(c) + "**") if c is not None and c == best else _fmt(c)
                    for c in cells]
            lines.append(f"| {problem} | {budget} | " + " | ".join(text) + " |")
    return lines


def markdown(result: Mapping[str, Any]) -> str:
    """The whole report as markdown."""
    summary, budgets, cfg = result["summary"], result["config"]["budgets"], result["config"]
    methods = [m for m in (OURS, "hypersweep-bayes-c4", *PEERS, RANDOM)
               if m in cfg["methods"]]
    out = [f"# Bayesian sampler benchmark ({cfg['mode']})", "",
           f"Seeds per cell: {cfg['seeds']} (model tuning: {cfg.get('model_seeds', cfg['seeds'])}"
           f"); budgets {', '.join(map(str, budgets))}; "
           f"total wall time {result['wall_seconds'] / 60:.1f} min on this machine.", "",
           "## Synthetic problems: median simple regret (lower is better)", "",
           *_quality_table(summary, "synthetic", "median_regret", methods, budgets), "",
           "## Model tuning: median normalised score (0 = random's median, "
           "1 = best value seen; higher is better)", "",
           *_quality_table(summary, "model", "normalised", methods, budgets), ""]
    out += _acceptance_lines(summary, cfg.get("acceptance_budget", 50))
    out += _concurrency_lines(summary, budgets)
    out += _latency_lines(result)
    return "\n".join(out) + "\n"


def _acceptance_lines(summary: Mapping[str, Any], budget: int) -> list[str]:
    rows = acceptance(summary, budget)
    if not rows:
        return []
    wins = sum(r["at_least_as_good"] for r in rows)
    lines = [f"## hypersweep-bayes against the best peer at {budget} trials", "",
             "Median regret (model tuning: median gap to the best value seen).", "",
             "| problem | hypersweep-bayes | best peer | its value | ratio | random |",
             "|---|---:|---|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['problem']} | {_fmt(r['ours'])} | {r['best_peer']} | "
                     f"{_fmt(r['best_peer_value'])} | {_fmt(r['ratio'])} | "
                     f"{_fmt(r['random'])} |")
    worst = max(r["ratio"] for r in rows)
    lines += ["", f"At least as good as the best peer on {wins}/{len(rows)} problems; "
              f"worst ratio {_fmt(worst)}.", ""]
    return lines


CONCURRENT = "hypersweep-bayes-c4"


def concurrency(summary: Mapping[str, Any], budgets: Sequence[int]) -> list[dict[str, Any]]:
    """Four trials in flight against the sequential run, problem by problem and budget.

    Two views of "within 10 %": the normalised score (0 = random's median, 1 = the
    optimum or best value seen) of the concurrent run at least 0.9 × the sequential
    one's, and the stricter median regret (gap) at most 1.1 × the sequential one's.
    """
    rows = []
    for problem, info in summary.items():
        table = info["methods"]
        for budget in budgets:
            seq = table.get(OURS, {}).get(str(budget))
            con = table.get(CONCURRENT, {}).get(str(budget))
            if seq is None or con is None:
                continue
            s_norm, c_norm = seq["normalised"], con["normalised"]
            rows.append({
                "problem": problem, "budget": budget,
                "sequential_regret": seq["median_regret"],
                "concurrent_regret": con["median_regret"],
                "sequential_normalised": s_norm, "concurrent_normalised": c_norm,
                "normalised_within_10pct": (s_norm is not None and c_norm is not None
                                            and c_norm >= 0.9 * s_norm),
                "regret_within_10pct": con["median_regret"] <= 1.1 * seq["median_regret"],
            })
    return rows


def _concurrency_lines(summary: Mapping[str, Any], budgets: Sequence[int]) -> list[str]:
    rows = concurrency(summary, budgets)
    if not rows:
        return []
    lines = ["## Four trials in flight against the sequential run", "",
             "Median regret (model tuning: gap to the best value seen) and normalised score "
             "(0 = random's median, 1 = the optimum or best value seen), at equal trial "
             "counts.", "",
             "| problem | trials | sequential regret | c4 regret | sequential score | "
             "c4 score | score within 10 % | regret within 10 % |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['problem']} | {r['budget']} | {_fmt(r['sequential_regret'])} | "
            f"{_fmt(r['concurrent_regret'])} | {_fmt(r['sequential_normalised'])} | "
            f"{_fmt(r['concurrent_normalised'])} | "
            f"{'yes' if r['normalised_within_10pct'] else '**no**'} | "
            f"{'yes' if r['regret_within_10pct'] else '**no**'} |")
    for budget in budgets:
        at = [r for r in rows if r["budget"] == budget]
        if at:
            lines.append("")
            lines.append(
                f"At {budget} trials: score within 10 % on "
                f"{sum(r['normalised_within_10pct'] for r in at)}/{len(at)} problems, "
                f"regret within 10 % on {sum(r['regret_within_10pct'] for r in at)}/{len(at)}.")
    lines.append("")
    return lines


def _latency_lines(result: Mapping[str, Any]) -> list[str]:
    lines = []
    for space, table in result.get("latency", {}).items():
        sizes = list(next(iter(table.values())).keys())
        lines += [f"## Seconds to suggest one configuration ({space} space)", "",
                  "| observations | " + " | ".join(table) + " |",
                  "|---:|" + "---:|" * len(table)]
        for n in sizes:
            lines.append(f"| {n} | " + " | ".join(
                _fmt(table[m].get(n)) for m in table) + " |")
        lines.append("")
    mean_times = result.get("mean_suggest_seconds", {})
    if mean_times:
        lines += ["## Mean seconds per suggestion during the quality runs", "",
                  "| method | seconds |", "|---|---:|"]
        lines += [f"| {m} | {_fmt(t)} |" for m, t in mean_times.items()]
        lines.append("")
    return lines
