"""A learning curve set by its hyperparameters alone (for the live early-termination tests).

At interval k (k = 1..steps) the script logs ``acc = final * (1 - exp(-k / speed))`` and
``loss = 1 - acc``, then sleeps ``--sleep`` seconds, so a controller can stop it between
two values. ``--speed`` sets how fast the curve rises and ``--final`` where it levels
off: a fast run with a low ceiling leads early and is overtaken later, so the curves
cross and each policy stops runs at different intervals. Being a pure function of the
arguments, :func:`values` lets a test predict every logged number exactly.

    python curve.py --final 0.9 --speed 2 --steps 8 --sleep 0.1
"""

from __future__ import annotations

import argparse
import math
import time


def accuracy(final: float, speed: float, k: int) -> float:
    """The value logged as ``acc`` at interval ``k`` (1-based)."""
    return final * (1.0 - math.exp(-k / speed))


def values(final: float, speed: float, steps: int, metric: str = "acc") -> list[float]:
    """Every value the script logs for ``metric`` (``acc`` or ``loss``), in order."""
    accs = [accuracy(final, speed, k) for k in range(1, steps + 1)]
    return accs if metric == "acc" else [1.0 - a for a in accs]


def main() -> None:
    from hypersweep import Run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--final", type=float, required=True)
    parser.add_argument("--speed", type=float, required=True)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--sleep", type=float, default=0.1)
    args = parser.parse_args()
    run = Run.get_context()
    for acc in values(args.final, args.speed, args.steps):
        run.log("acc", acc)
        run.log("loss", 1.0 - acc)
        time.sleep(args.sleep)


if __name__ == "__main__":
    main()
