"""A synthetic learning curve: no data and no libraries, for trying samplers and policies.

At step ``t`` (1 to ``--steps``) the script logs ``accuracy`` =
``ceiling * (1 - exp(-t / 5)) + noise``, where ``ceiling = 1 - (x - 0.7)² - (y - 0.2)²``
(best at x = 0.7, y = 0.2) and the noise (±0.01) is a deterministic function of the step
and the arguments, so the same arguments always log the same curve. ``--sleep`` waits
after each step to mimic training time.

    python train.py --x 0.5 --y 0.1 --steps 20 --sleep 0.05
"""

from __future__ import annotations

import argparse
import math
import time

try:
    from hypersweep import Run

    get_context = Run.get_context
except ImportError:  # a hypersweep without the top-level Run: the client itself
    from hypersweep.tracking import get_context


def curve(x: float, y: float, step: int) -> float:
    """The accuracy logged at ``step`` for arguments ``x`` and ``y``."""
    ceiling = 1.0 - (x - 0.7) ** 2 - (y - 0.2) ** 2
    noise = 0.01 * math.sin(step * 12.9898 + x * 78.233 + y * 37.719)
    return ceiling * (1.0 - math.exp(-step / 5.0)) + noise


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="a synthetic learning curve")
    parser.add_argument("--x", type=float, default=0.5)
    parser.add_argument("--y", type=float, default=0.5)
    parser.add_argument("--steps", type=int, default=20, help="values logged")
    parser.add_argument("--sleep", type=float, default=0.0, help="seconds per step")
    args = parser.parse_args(argv)
    run = get_context()
    for step in range(1, args.steps + 1):
        run.log("accuracy", curve(args.x, args.y, step))
        if args.sleep > 0:
            time.sleep(args.sleep)


if __name__ == "__main__":
    main()
