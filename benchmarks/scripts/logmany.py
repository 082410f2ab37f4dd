"""A trial that logs --n values as fast as it can."""

import argparse

from hypersweep import Run

parser = argparse.ArgumentParser()
parser.add_argument("--n", type=int, default=200_000)
parser.add_argument("--x", type=float, default=0.0)
args = parser.parse_args()
run = Run.get_context()
for i in range(args.n):
    run.log("acc", i * 1e-6)
