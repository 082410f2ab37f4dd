"""The trial supervisor on a Ray worker node (standard library only; run by file path).

    python _ray_supervise.py GUARD_FD EXIT_PATH -- ARGV...

The Ray actor hosting a trial starts this program in a new session; it starts the
trial's command in the same process group and then waits for one of two things:

- the trial ends: its status is written to ``EXIT_PATH`` (as ``subprocess`` reports it:
  negative for a signal), and whatever the trial left in its process group is killed, so
  no forked child outlives the run;
- the hosting actor dies (``GUARD_FD`` — the read end of a pipe whose only write end
  the actor holds — reaches end of file): the worker process is gone, nobody would ever
  stop or report this trial, so its whole group is stopped (SIGTERM, SIGKILL after
  :data:`GRACE` seconds). Ray does not kill processes that left the worker's session.

Stopping the trial is the actor's job (``killpg`` on this program's group): SIGTERM
reaches the trial and this supervisor, which ignores it so that it can still record the
status; SIGKILL ends both.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time

GRACE = 5.0


def _write_status(path: str, code: int) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(str(code))
    os.replace(tmp, path)


def _stop_group(child: subprocess.Popen) -> None:
    """The host is gone: stop the trial and everything in its group, gently first."""
    group = os.getpgid(0)
    os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + GRACE
    while child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(group, signal.SIGKILL)  # ends this supervisor too


def supervise(guard_fd: int, exit_path: str, argv: list[str]) -> int:
    """Run ``argv`` and wait for it or for the host's death; returns the trial's status."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        # a Python-level handler, not SIG_IGN: it is reset to the default at exec, so the
        # trial itself still gets the signal's default action
        signal.signal(sig, lambda *_: None)
    try:
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, close_fds=True)
    except OSError as exc:
        print(f"hypersweep: cannot start {argv[0]!r}: {exc.strerror}", file=sys.stderr,
              flush=True)
        _write_status(exit_path, 127)
        return 127
    pidfd = os.pidfd_open(child.pid)
    while True:
        try:
            ready, _, _ = select.select([pidfd, guard_fd], [], [])
        except InterruptedError:  # pragma: no cover - PEP 475 retries select itself
            continue
        if pidfd in ready:
            break
        if guard_fd in ready and os.read(guard_fd, 1) == b"":
            _stop_group(child)
    code = child.wait()
    _write_status(exit_path, code)
    sys.stdout.flush()
    os.killpg(os.getpgid(0), signal.SIGKILL)  # leftovers of the trial's group, and us
    return code  # pragma: no cover - the line above does not return


def main(args: list[str]) -> int:
    if len(args) < 4 or args[2] != "--":
        print("usage: _ray_supervise.py GUARD_FD EXIT_PATH -- ARGV...", file=sys.stderr)
        return 2
    return supervise(int(args[0]), args[1], args[3:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
