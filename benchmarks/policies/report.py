"""The markdown report of the early-termination benchmark (from the results dictionary)."""

from __future__ import annotations

from typing import Any

__all__ = ["markdown"]


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _num(x: float) -> str:
    return "0" if x == 0 else f"{x:.4g}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _set_section(name: str, facts: dict[str, Any], summaries: list[dict[str, Any]],
                 headline: set[str]) -> str:
    rows = []
    shown = [s for s in summaries if s["set"] == name
             and (s["rule"] in headline or s["engine"] == "optuna")]
    for s in sorted(shown, key=lambda s: (s["engine"] == "optuna", s["rule"],
                                          s["concurrency"])):
        rows.append([s["rule"], str(s["concurrency"]), _pct(s["epochs_saved"]),
                     f"{_pct(s['epochs_saved_min'])}–{_pct(s['epochs_saved_max'])}",
                     _pct(s["compute_saved"]), _num(s["median_regret"]),
                     _num(s["mean_regret"]), _pct(s["p_regret"]), _pct(s["p_best_stopped"])])
    head = (f"### {name}\n\n{facts['description']}. {facts['configurations']} configurations "
            f"x {facts['epochs']} epochs, {facts['goal']} `{facts['metric']}`; best final "
            f"value {facts['best_final']:.6g} (configuration {facts['best_config']}), median "
            f"final {facts['median_final']:.6g}.\n\n")
    return head + _table(["rule", "conc.", "epochs saved %", "range %", "compute saved %",
                          "median regret", "mean regret", "P(regret>0) %",
                          "P(best stopped) %"], rows)


def _matched_section(results: dict[str, Any]) -> str:
    rows = []
    for m in results["matched"]:
        ours = (f"{m['ours']} ({_pct(m['ours_epochs_saved'])} %, "
                f"{_num(m['ours_median_regret'])})" if m["ours"] else "no rule within ±2")
        rows.append([m["set"], str(m["concurrency"]), m["peer"],
                     _pct(m["peer_epochs_saved"]), _num(m["peer_median_regret"]), ours,
                     str(m["candidates"]), "yes" if m["lower"] else "**no**"])
    return _table(["set", "conc.", "Optuna pruner", "its saving %", "its median regret",
                   "our best rule at ±2 points (saving %, median regret)", "candidates",
                   "ours lower"], rows)


def _frontier(summaries: list[dict[str, Any]], set_name: str, concurrency: int
              ) -> list[dict[str, Any]]:
    """Our rules not beaten on both counts (more saved and lower median regret, mean
    regret breaking ties) by another of our rules, most saving first."""
    ours = [s for s in summaries if s["set"] == set_name and s["concurrency"] == concurrency
            and s["engine"] != "optuna"]
    ours.sort(key=lambda s: (-s["epochs_saved"], s["median_regret"], s["mean_regret"]))
    front: list[dict[str, Any]] = []
    for s in ours:
        if not front or (s["median_regret"], s["mean_regret"]) < (
                front[-1]["median_regret"], front[-1]["mean_regret"]):
            front.append(s)
    return front


def _frontier_section(results: dict[str, Any]) -> str:
    rows = []
    for name in results["sets"]:
        for c in results["concurrency"]:
            front = _frontier(results["summaries"], name, c)
            peers = [s for s in results["summaries"] if s["set"] == name
                     and s["concurrency"] == c and s["engine"] == "optuna"]
            rows.append([name, str(c), "; ".join(
                f"{s['rule']} {_pct(s['epochs_saved'])} % / {_num(s['median_regret'])}"
                for s in front), "; ".join(
                f"{s['rule'].removeprefix('Optuna ')} {_pct(s['epochs_saved'])} % / "
                f"{_num(s['median_regret'])}" for s in peers)])
    return _table(["set", "conc.", "our frontier: rule saved % / median regret",
                   "Optuna: saved % / median regret"], rows)


def _target_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for t in results["targets"]:
        lines.append(f"- **{'met' if t['met'] else 'not met'}**: {t['target']}.")
        if "by_setting" in t:
            for rule, per_c in t["evidence"].items():
                lines.append(f"  - {rule}: " + "; ".join(
                    f"conc. {c}: {_pct(e['epochs_saved'])} % saved, median regret "
                    f"{_num(e['median_regret'])}, P(regret>0) {_pct(e['p_regret'])} %"
                    for c, e in per_c.items()))
        elif "evidence" in t:
            lines.append("  - " + "; ".join(
                f"conc. {c}: {_pct(e['epochs_saved'])} % saved, median regret "
                f"{_num(e['median_regret'])}, P(regret>0) {_pct(e['p_regret'])} %"
                for c, e in t["evidence"].items()))
        if "comparisons" in t:
            lines.append(f"  - won {t['comparisons_won']} of {t['comparisons']} comparisons "
                         "(table above).")
    return lines


def markdown(results: dict[str, Any]) -> str:
    """The whole report: per-set tables, matched-saving comparisons, targets."""
    headline = {name for name, r in results["rules"].items() if r["engine"] == "controller"}
    parts = [
        "# Early termination: compute saved versus quality lost",
        "",
        f"Generated by `python -m benchmarks.policies.run` on {results['when']} "
        f"({results['machine']['cpus']} CPUs, Python {results['machine']['python']}); "
        "method and definitions in docs/policies-benchmark.md. Each row aggregates "
        f"{results['orders']} arrival orders. Our policies were replayed through the real "
        "controller (SQLite store, simulated clock); Optuna's pruners through the mirror "
        "scheduler with ask/tell. The mirror reproduced "
        f"{results['validation']['mirror_agrees']} of "
        f"{results['validation']['controller_replays']} controller replays exactly. "
        f"Wall time {results['timing']['wall_seconds']:.0f} s with "
        f"{results['timing']['jobs']} worker(s), "
        f"{results['timing']['cpu_seconds_workers']:.0f} CPU s.",
        "",
        "Regret is in the metric's units (accuracy for digits; log-loss and Hartmann value "
        "for the minimized sets); 0 = the best configuration (or one tied with it) ran to "
        "the end.",
        "",
    ]
    for name, facts in results["sets"].items():
        parts += [_set_section(name, facts, results["summaries"], headline), ""]
    if results["matched"]:
        parts += ["## Crossing sets: at matched saving (±2 points of epochs saved)", "",
                  "Our candidates: the headline settings plus the scanned ones "
                  "(docs/policies-benchmark.md); a picked scanned setting was replayed "
                  "through the real controller too.", "", _matched_section(results), ""]
    if any(r["engine"] == "mirror" for r in results["rules"].values()):
        parts += ["## Saving versus regret over all settings", "",
                  "Every setting of ours (headline and scan) that no other setting of ours "
                  "beats on both saving and median regret, next to Optuna's pruners.", "",
                  _frontier_section(results), ""]
    if results["targets"]:
        parts += ["## Targets", "", *_target_lines(results), ""]
    return "\n".join(parts)
