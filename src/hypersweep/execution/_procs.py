"""Process helpers (Linux): process identity, process groups, descendants."""

from __future__ import annotations

import os
import signal

__all__ = ["alive", "kill_by_env", "kill_group", "process_start_time", "process_start_wall"]


def process_start_time(pid: int) -> float | None:
    """The process's start time in clock ticks since boot (None if it does not exist).

    Together with the pid it identifies a process: a recycled pid has another start time.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    # the command name may contain spaces and parentheses: split after the last ')'
    fields = data[data.rindex(b")") + 2:].split()
    return float(fields[19])


def process_start_wall(ticks: float | None) -> float | None:
    """A :func:`process_start_time` as Unix time (boot time + ticks / CLK_TCK, to 10 ms),
    or None: when a run's process started, for a run whose start no controller recorded."""
    if ticks is None:
        return None
    try:
        with open("/proc/stat", "rb") as fh:
            boot = next(float(line.split()[1]) for line in fh if line.startswith(b"btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, StopIteration, ValueError):
        return None


def alive(pid: int, started: float | None) -> bool:
    """True if ``pid`` exists and is the same process (same start time), not a zombie."""
    now = process_start_time(pid)
    if now is None or (started is not None and now != started):
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
        return data[data.rindex(b")") + 2:data.rindex(b")") + 3] != b"Z"
    except OSError:
        return False


def kill_group(pgid: int, sig: int = signal.SIGTERM) -> bool:
    """Send ``sig`` to a process group; False if the group no longer exists."""
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return False


def group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def find_by_env(name: str, value: str) -> list[int]:
    """pids of live processes whose environment has ``name=value`` (readable ones only)."""
    needle = f"{name}={value}".encode() + b"\0"
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                env = fh.read() + b"\0"
        except OSError:
            continue
        if (b"\0" + needle) in (b"\0" + env) and alive(int(entry), None):
            found.append(int(entry))
    return found


def group_leader(pids: list[int]) -> int | None:
    """The pid among ``pids`` that leads its own process group (a trial's first process)."""
    for pid in pids:
        try:
            if os.getpgid(pid) == pid:
                return pid
        except ProcessLookupError:
            continue
    return None


def last_pid() -> int | None:
    """The pid most recently given to a new process in this pid namespace."""
    try:
        with open("/proc/loadavg", "rb") as fh:
            return int(fh.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def kill_by_env(name: str, values: set[str], rounds: int = 3,
                since: int | None = None, groups: dict[str, int] | None = None
                ) -> dict[str, list[int]]:
    """SIGKILL every live process whose environment has ``name`` set to one of ``values``;
    returns value → pids killed.

    This finds what a trial left behind outside its process group (a grandchild that
    called ``setsid()``, a double-forked daemon): descendants inherit the environment.
    A process that also replaced its environment (``execve`` with a clean one) cannot be
    told apart and is not found. Repeated a few ``rounds`` in case one was forking.

    ``since``, the pid of the oldest of the trials, limits the pass to pids given out
    after it (descendants are younger than the trial): a few ``/proc`` reads instead of
    one per process on the machine. The caller passes it only for short trials, and
    when the pid counter has wrapped around since then the whole table is read.

    ``groups`` (value → the trial's process group): a process still in that group was
    killed with the group and is only finishing dying; it is killed again but not
    reported as having escaped.
    """
    if since is not None and (last_pid() or 0) < since:
        since = None  # wrapped around (or unknown): newer pids can be smaller
    prefix = f"{name}=".encode()
    me, killed, done = os.getpid(), {}, set()
    for _ in range(rounds):
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            # done: killed in an earlier round, maybe not gone from /proc yet
            if pid == me or (since and pid < since) or pid in done:
                continue
            try:
                with open(f"/proc/{entry}/environ", "rb") as fh:
                    env = fh.read()
            except OSError:
                continue
            if prefix not in env:
                continue
            for var in env.split(b"\0"):
                if var.startswith(prefix) and var[len(prefix):].decode(errors="replace") in values:
                    found.append((pid, var[len(prefix):].decode()))
                    break
        for pid, value in found:
            try:
                in_group = groups is not None and os.getpgid(pid) == groups.get(value)
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                continue
            done.add(pid)
            if not in_group:
                killed.setdefault(value, []).append(pid)
        if not found:
            break
    return killed
