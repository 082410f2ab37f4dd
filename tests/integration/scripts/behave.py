"""A training script whose behaviour is chosen by --mode (for integration tests)."""

import argparse
import json
import math
import os
import signal
import sys
import time

from hypersweep import Run

parser = argparse.ArgumentParser()
parser.add_argument("--mode", default="ok")
parser.add_argument("--x", type=float, default=0.5)
parser.add_argument("--steps", type=int, default=3)
parser.add_argument("--sleep", type=float, default=0.0)
parser.add_argument("--epochs", type=int, default=0)
args, unknown = parser.parse_known_args()

run = Run.get_context()
os.makedirs("outputs", exist_ok=True)
started = time.time()
with open("outputs/times.json", "w") as fh:
    json.dump({"start": started, "argv": sys.argv[1:]}, fh)

if args.mode == "exit1":
    print("about to fail", flush=True)
    sys.exit(1)
if args.mode == "sigkill":
    run.log("acc", 0.1)
    os.kill(os.getpid(), signal.SIGKILL)
if args.mode == "hang":
    time.sleep(600)
if args.mode == "fork" and os.fork() == 0:  # a child that would outlive its parent
    time.sleep(600)
    os._exit(0)

for step in range(1, args.steps + 1):
    if args.mode == "nometric":
        run.log("Accuracy", args.x)
    elif args.mode == "nan":
        run.log("acc", math.nan)
    elif args.mode == "many":
        for i in range(100_000):
            run.log("acc", i / 100_000)
        break
    else:
        run.log("acc", args.x * step / args.steps)
    run.log("loss", 1.0 / step)
    if args.sleep:
        time.sleep(args.sleep)

with open("outputs/times.json", "w") as fh:
    json.dump({"start": started, "end": time.time(), "argv": sys.argv[1:]}, fh)
