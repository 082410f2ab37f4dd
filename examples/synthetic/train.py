"""A synthetic learning curve: no data, no libraries — for trying policies and samplers.

The curve rises towards a ceiling set by --x and --y (best near x=0.7, y=0.2) with a
little deterministic noise; --sleep slows each step to mimic training.

    python train.py --x 0.5 --y 0.1 --steps 20 --sleep 0.05
"""

import argparse
import math
import time

from hypersweep import Run

parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float, default=0.5)
parser.add_argument("--y", type=float, default=0.5)
parser.add_argument("--steps", type=int, default=20)
parser.add_argument("--sleep", type=float, default=0.0)
args = parser.parse_args()

run = Run.get_context()
ceiling = 1.0 - (args.x - 0.7) ** 2 - (args.y - 0.2) ** 2
for step in range(1, args.steps + 1):
    noise = 0.01 * math.sin(step * 12.9898 + args.x * 78.233)
    run.log("accuracy", ceiling * (1 - math.exp(-step / 5)) + noise)
    time.sleep(args.sleep)
