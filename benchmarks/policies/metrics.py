"""What a replayed sweep cost and what it lost: epochs saved, regret, the best run stopped.

Definitions (every one per replay, i.e. per curve set, rule, concurrency and arrival
order; the report aggregates them over the arrival orders):

- **epochs saved** = 1 - (epochs run, summed over all configurations) / (configurations
  x epochs per run). A stopped run counts the epochs it logged before it was stopped.
- **compute saved** = the same with each epoch weighted by its configuration's simulated
  epoch time (big models cost more).
- **final value** of a configuration = its metric after its last epoch, from the recorded
  curve (whether or not the replayed run got there).
- **regret** = how much worse the best final value among the runs that *completed* is
  than the best final value over *all* configurations, in the goal's direction:
  ``best_all - best_completed`` when maximizing, ``best_completed - best_all`` when
  minimizing; 0 when the best configuration (or one tied with it) completed. In the
  metric's own units (accuracy, log-loss, Hartmann value). A run stopped at its very last
  epoch counts as stopped, as its status (Canceled) says. Runs are compared by final
  value, not by their best-ever value: a user takes forward a model that finished.
- **best stopped** = the single best configuration (best final value; ties broken by the
  better best-along-the-curve value, then by the lower index) was stopped.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from benchmarks.policies.curves import CurveSet
from benchmarks.policies.replay import Outcome

__all__ = ["best_config", "evaluate", "summarize"]


def best_config(curves: CurveSet) -> int:
    """Index of the single best configuration (see the module docstring)."""
    sign = curves.sign
    return min(range(curves.size),
               key=lambda c: (-sign * curves.final(c),
                              -max(sign * v for v in curves.values[c]), c))


def evaluate(curves: CurveSet, outcome: Outcome) -> dict[str, Any]:
    """The measures of one replay."""
    n, epochs, sign = curves.size, curves.epochs, curves.sign
    if sorted(outcome.epochs) != list(range(n)):
        raise ValueError(f"{curves.name}: the replay ran {len(outcome.epochs)} of {n} "
                         "configurations")
    used = sum(outcome.epochs.values())
    cost = sum(outcome.epochs[c] * curves.seconds_per_epoch[c] for c in range(n))
    full_cost = epochs * sum(curves.seconds_per_epoch)
    finals = [curves.final(c) for c in range(n)]
    best_all = max(sign * v for v in finals)
    done = [sign * finals[c] for c in outcome.completed]
    regret = best_all - max(done) if done else best_all - min(sign * v for v in finals)
    return {"epochs_saved": 1 - used / (n * epochs), "compute_saved": 1 - cost / full_cost,
            "regret": regret, "best_stopped": best_config(curves) not in outcome.completed,
            "completed": len(outcome.completed)}


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate the measures of one rule over arrival orders."""
    regrets = [r["regret"] for r in rows]
    return {"orders": len(rows),
            "epochs_saved": statistics.fmean(r["epochs_saved"] for r in rows),
            "epochs_saved_min": min(r["epochs_saved"] for r in rows),
            "epochs_saved_max": max(r["epochs_saved"] for r in rows),
            "compute_saved": statistics.fmean(r["compute_saved"] for r in rows),
            "median_regret": statistics.median(regrets),
            "mean_regret": statistics.fmean(regrets),
            "max_regret": max(regrets),
            "p_regret": sum(r > 0 for r in regrets) / len(rows),
            "p_best_stopped": sum(r["best_stopped"] for r in rows) / len(rows),
            "completed": statistics.fmean(r["completed"] for r in rows)}
