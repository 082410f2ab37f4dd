"""A training script that misbehaves on purpose, chosen by --mode (for the chaos tests).

Modes: ``ok`` (logs --steps values, --sleep apart), ``garbage`` (valid values between
malformed, binary and 10/20 MB lines written straight into the metrics channel),
``fork`` (a child in its group and a setsid() grandchild outside it, then exits),
``fork-clean-env`` (a setsid() grandchild that also drops its environment), ``hang``
(logs two values, then sleeps silently), ``hang-ignore-term`` (the same, ignoring
SIGTERM). Pids of spawned processes go to outputs/pids.json.
"""

import argparse
import json
import os
import signal
import sys
import time

from hypersweep import Run

parser = argparse.ArgumentParser()
parser.add_argument("--mode", default="ok")
parser.add_argument("--x", type=float, default=0.5)
parser.add_argument("--steps", type=int, default=5)
parser.add_argument("--sleep", type=float, default=0.0)
args, _ = parser.parse_known_args()

run = Run.get_context()
os.makedirs("outputs", exist_ok=True)


def raw(data: bytes) -> None:
    """Append bytes to the channel as a trial with its own (buggy) writer would."""
    fd = os.open(os.environ["HYPERSWEEP_METRICS_PATH"], os.O_WRONLY | os.O_APPEND)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def spawn_escapee(clean_env: bool) -> int:
    """A grandchild that leaves the trial's process group (and maybe its environment)."""
    read, write = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.close(read)
            os.write(write, str(os.getpid()).encode())
            os.close(write)
            if clean_env:
                os.execve("/bin/sleep", ["sleep", "600"], {})
            time.sleep(600)
            os._exit(0)
        os._exit(0)
    os.close(write)
    pid = int(os.read(read, 32))
    os.close(read)
    return pid


if args.mode == "garbage":
    run.log("acc", 0.1)
    raw(b"this is not json\n")
    raw(bytes(b for b in range(256) if b != 10) + b"\xff\xfe\n")     # binary, invalid UTF-8
    run.log("acc", 0.2)
    for megabytes in (2, 10):                                         # over 1 MB: skipped
        raw(b'{"kind": "metric", "name": "acc", "value": "' + b"9" * (megabytes << 20)
            + b'"}\n')
    raw(b"[1, 2, 3]\n")                                               # JSON, not an object
    raw(b'{"kind": "metric", "name": "acc", "value": {"a": 1}}\n')    # wrong value type
    raw(b'{"kind": "metric", "name": "' + b"n" * 300 + b'", "value": 1}\n')  # name too long
    raw(b'{"kind": "nonsense", "name": "acc", "value": 1}\n')         # unknown kind
    raw(b"[" * 100_000 + b"]" * 100_000 + b"\n")                      # nesting bomb
    run.log("acc", 0.3)
    raw(b"x" * (20 * 1024 * 1024) + b"\n")                            # over the read limit
    raw(b"   \n\n")                                                   # blank: not counted
    run.log("acc", 0.4)
    run.log("loss", 1.5)
    raw(b'{"kind": "metric", "name": "acc", "value": 0.99')          # cut: no newline
    sys.exit(0)

if args.mode in ("fork", "fork-clean-env"):
    pids = {}
    child = os.fork()
    if child == 0:  # stays in the trial's process group
        time.sleep(600)
        os._exit(0)
    pids["child"] = child
    pids["escapee"] = spawn_escapee(clean_env=args.mode == "fork-clean-env")
    with open("outputs/pids.json", "w") as fh:
        json.dump(pids, fh)
    run.log("acc", args.x)
    sys.exit(0)

if args.mode == "hang-ignore-term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if args.mode.startswith("hang"):
    run.log("acc", args.x)
    run.log("acc", args.x / 2)
    time.sleep(600)

for step in range(1, args.steps + 1):
    run.log("acc", args.x * step / args.steps)
    run.log("loss", 1.0 / step)
    if args.sleep:
        time.sleep(args.sleep)
