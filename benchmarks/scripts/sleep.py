"""A trial that sleeps --sleep seconds and logs one value."""

import argparse
import time

from hypersweep import Run

parser = argparse.ArgumentParser()
parser.add_argument("--sleep", type=float, default=0.25)
parser.add_argument("--x", type=float, default=0.0)
args = parser.parse_args()
time.sleep(args.sleep)
Run.get_context().log("acc", args.x)
