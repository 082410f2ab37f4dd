"""LocalExecutor: each trial a subprocess in its own process group on this machine."""

from __future__ import annotations

import contextlib
import os
import select
import selectors
import shutil
import signal
import socket
import stat
import subprocess
import time
from dataclasses import dataclass

from hypersweep.errors import ExecutionError
from hypersweep.execution._base import Executor, LaunchInfo, TrialExit, TrialLaunch
from hypersweep.execution._layout import prepare_run_dir
from hypersweep.execution._procs import (
    alive,
    find_by_env,
    group_exists,
    group_leader,
    kill_by_env,
    kill_group,
    process_start_time,
)

__all__ = ["LocalExecutor"]

# Each trial runs under a tiny POSIX shell that records its exit status in a file, so a
# controller restarted after a crash still learns how an adopted trial ended. The shell
# defers SIGTERM until the trial has handled it (the trial gets its full grace period),
# and re-raises a fatal signal so the status stays "killed by SIGKILL", not 137. The status
# is written over blank bytes the file was made with (`1<>`: no truncation), so it needs no
# new disk block and is recorded on a full disk too.
_WRAPPER = (
    'trap : TERM INT HUP; "$@"; rc=$?; echo $rc 1<> "$HYPERSWEEP_EXIT_PATH"; '
    "if [ $rc -gt 128 ] && [ $rc -lt 160 ]; then trap - TERM INT HUP; kill -$((rc - 128)) $$; "
    "fi; exit $rc")
_SHELL = "/bin/sh"
READ_LIMIT = 8 * 1024 * 1024  # channel bytes per read; more than the longest valid line
OVERSIZED = b"<line over 8 MB skipped>\n"  # what an over-long line becomes: not JSON
# A trial that ended within this many seconds of its start is searched for escaped
# processes among the pids given out since its own: too little time for the pid counter
# to come round again (a full wrap would also be detected unless it went past the start).
_RECENT_TRIAL_SECONDS = 10.0
_LATE_SECONDS = 1.0  # wait() not called for this long: exits may have happened long ago


def exit_path(trial: TrialLaunch) -> str:
    """Where the trial's exit status is written (next to its log)."""
    return os.path.join(os.path.dirname(trial.log_path), "exit_code")


def _read_status(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(64)
    except OSError:
        return None


def _exit_code(status: bytes | None) -> int | None:
    """The exit status in a status file's bytes (negative for a signal, as subprocess
    reports it), or None while it is blank or holds just the launch mark."""
    words = status.split() if status else []
    if not words or not words[0].isdigit():
        return None
    code = int(words[0])
    return -(code - 128) if 128 < code < 160 else code


def read_exit_code(path: str) -> int | None:
    """The recorded exit status (negative for a signal, as subprocess reports it)."""
    return _exit_code(_read_status(path))


def recorded_exit_time(path: str) -> float | None:
    """When the exit status was written (the trial's end), if it was."""
    if read_exit_code(path) is None:
        return None
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


_BLANK_STATUS = b" " * 15 + b"\n"  # room for any status, allocated ahead (see _WRAPPER)
# A launch begun is marked in the status file's blanks, past any status the shell writes:
# overwriting a byte of a file made while staging costs no new file on the critical path.
_LAUNCH_MARK, _MARK_OFFSET = b"L", 14


def _mark(path: str, mark: bytes) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.pwrite(fd, mark, _MARK_OFFSET)
    finally:
        os.close(fd)


def launch_marked(path: str) -> bool:
    """Whether the status file says a launch began: its mark, or a status written."""
    status = _read_status(path)
    return status is not None and (status[_MARK_OFFSET:_MARK_OFFSET + 1] == _LAUNCH_MARK
                                   or _exit_code(status) is not None)


def _empty_status_file(path: str) -> None:
    """A blank exit-status file (= still running), owner-only: the shell's `1<>` keeps
    the mode and writes over the blanks."""
    if os.path.exists(path):
        os.remove(path)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        os.write(fd, _BLANK_STATUS)
    finally:
        os.close(fd)


@dataclass
class _Trial:
    pid: int
    pidfd: int
    popen: subprocess.Popen | None       # None for a process adopted after a restart
    channel_path: str
    exit_path: str
    launched: float | None = None        # monotonic clock at launch; None if adopted
    kill_at: float | None = None
    killed: bool = False                 # SIGKILL sent to its group (after the grace period)


class LocalExecutor(Executor):
    """Runs trials as local subprocesses.

    Each trial starts in its own session (so its whole process group can be signalled),
    with stdout and stderr appended to its log file. Exits are noticed at once through
    pidfds; when a trial ends, anything it left behind in its group is killed, so no
    orphan process remains.
    """

    def __init__(self) -> None:
        self._trials: dict[str, _Trial] = {}
        self._channels: dict[str, str] = {}
        self._selector = selectors.DefaultSelector()
        self._host = socket.gethostname()
        self._scans: dict[str, tuple[int, int]] = {}   # run id → (offset, scanned up to)
        self._staged: set[str] = set()                  # run folders made ahead of launch
        self._groups: dict[str, int] = {}               # ended run id → its pid (= group)
        self._short: set[str] = set()                   # those of them that were short
        # the controller's environment, as bytes, taken once: building it from
        # os.environ per launch (decode, then re-encode for exec) cost ~0.3 ms a trial
        self._base_env = dict(os.environb)
        self._waited = time.monotonic()                 # when wait() last returned

    # -- launching -------------------------------------------------------------------
    def stage(self, run_dir: str, snapshot_dir: str) -> None:
        """Make a future run's folder now, so that its launch only starts the process."""
        if run_dir not in self._staged:
            prepare_run_dir(run_dir, snapshot_dir)
            _empty_status_file(os.path.join(run_dir, "logs", "exit_code"))
            self._staged.add(run_dir)

    def launch(self, trial: TrialLaunch) -> LaunchInfo:
        status_file = exit_path(trial)
        if trial.run_dir in self._staged:
            self._staged.discard(trial.run_dir)
        else:
            prepare_run_dir(trial.run_dir, trial.snapshot_dir)
            _empty_status_file(status_file)
        _mark(status_file, _LAUNCH_MARK)  # before the process exists (see launch_begun)
        env = {**self._base_env, **{os.fsencode(k): os.fsencode(v) for k, v in trial.env.items()},
               b"HYPERSWEEP_EXIT_PATH": os.fsencode(status_file)}
        try:
            with open(trial.log_path, "ab") as log:
                popen = subprocess.Popen(
                    [_SHELL, "-c", _WRAPPER, "hypersweep-trial", *trial.argv],
                    cwd=trial.run_dir, env=env, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
        except OSError as exc:
            raise ExecutionError(f"cannot start {trial.argv[0]!r} for run {trial.run_id}: "
                                 f"{exc.strerror}") from exc
        self._track(trial.run_id, popen.pid, popen, trial.channel_path, status_file,
                    launched=time.monotonic())
        return LaunchInfo(pid=popen.pid, pid_started=process_start_time(popen.pid),
                          host=self._host)

    def _track(self, run_id: str, pid: int, popen: subprocess.Popen | None,
               channel: str, status_file: str, launched: float | None = None) -> None:
        pidfd = os.pidfd_open(pid)
        self._trials[run_id] = _Trial(pid=pid, pidfd=pidfd, popen=popen, channel_path=channel,
                                      exit_path=status_file, launched=launched)
        self._channels[run_id] = channel
        self._selector.register(pidfd, selectors.EVENT_READ, run_id)

    def adopt(self, run_id: str, info: LaunchInfo, trial: TrialLaunch) -> LaunchInfo | None:
        """Watch a trial started by an earlier controller. Without a recorded pid (the
        controller died between starting it and recording it), find it by its run id."""
        self._channels[run_id] = trial.channel_path
        watched = self._trials.get(run_id)
        if watched is not None:  # still ours (the controller rebuilt its memory): keep it
            return LaunchInfo(pid=watched.pid, pid_started=process_start_time(watched.pid),
                              host=self._host)
        if info.pid is None:
            pid = group_leader(find_by_env("HYPERSWEEP_RUN_ID", run_id))
            if pid is None:
                return None
            info = LaunchInfo(pid=pid, pid_started=process_start_time(pid), host=info.host)
        if not alive(info.pid, info.pid_started):
            return None
        try:
            self._track(run_id, info.pid, None, trial.channel_path, exit_path(trial))
        except (ProcessLookupError, OSError):
            return None
        return info

    def has_exited(self, run_id: str) -> bool:
        trial = self._trials.get(run_id)
        if trial is None:
            return False
        ended, _, _ = select.select([trial.pidfd], [], [], 0)  # the wrapper shell ended
        return bool(ended) or read_exit_code(trial.exit_path) is not None  # or its trial

    # -- watching ----------------------------------------------------------------------
    def wait(self, timeout: float) -> list[TrialExit]:
        now = time.monotonic()
        self._escalate(now)
        deadlines = [t.kill_at for t in self._trials.values() if t.kill_at is not None]
        if deadlines:
            timeout = max(0.0, min(timeout, min(deadlines) - now))
        if not self._trials:
            time.sleep(timeout)
            return []
        # not waited on for a while (a store outage, a long pass): an exit may be old, and
        # its time is taken from the status file the trial's shell wrote when it ended
        late = now - self._waited > _LATE_SECONDS
        ready = self._selector.select(timeout)
        self._waited = time.monotonic()
        return [self._reap(key.data, late) for key, _ in ready]

    def kill_escaped(self, run_ids: set[str]) -> dict[str, tuple[int, ...]]:
        """Kill what ended trials left outside their process group, in one /proc pass
        for all of them; the controller calls it once the freed slots are refilled, so
        the pass is not between one trial's end and the next one's start. When all of
        them were short, only pids younger than the oldest are read (about 0.1 ms
        instead of 0.5 ms on a machine with a hundred processes)."""
        if not run_ids:
            return {}
        groups = {rid: self._groups.pop(rid) for rid in run_ids if rid in self._groups}
        short = [groups[rid] if rid in self._short else None for rid in run_ids]
        self._short -= run_ids
        since = None if None in short else min(short)
        return {rid: tuple(found) for rid, found in
                kill_by_env("HYPERSWEEP_RUN_ID", run_ids, since=since,
                            groups=groups).items()}

    def _reap(self, run_id: str, late: bool = False) -> TrialExit:
        trial = self._trials.pop(run_id)
        if trial.launched is not None and \
                time.monotonic() - trial.launched < _RECENT_TRIAL_SECONDS:
            self._short.add(run_id)
        self._groups[run_id] = trial.pid  # its process group, killed below
        self._selector.unregister(trial.pidfd)
        os.close(trial.pidfd)
        # an adopted trial is not our child: its shell recorded the status
        code = trial.popen.wait() if trial.popen is not None else read_exit_code(trial.exit_path)
        if code is None and trial.killed:  # our SIGKILL took its shell too: no status file
            code = -signal.SIGKILL
        # leftovers of the trial's process group (forked children) must not outlive it
        if group_exists(trial.pid):
            kill_group(trial.pid, signal.SIGKILL)
        ended = (recorded_exit_time(trial.exit_path) if late else None) or time.time()
        return TrialExit(run_id=run_id, exit_code=code, ended=ended)

    def _escalate(self, now: float) -> None:
        for trial in self._trials.values():
            if trial.kill_at is not None and now >= trial.kill_at:
                kill_group(trial.pid, signal.SIGKILL)
                trial.kill_at, trial.killed = None, True

    def read_channel(self, run_id: str, offset: int) -> tuple[bytes, int]:
        """Complete lines from ``offset``, at most READ_LIMIT bytes per call (call again for
        more). Only a regular file is read: a FIFO or device put in the channel's place
        reads as empty. A line longer than READ_LIMIT is skipped once its end is written,
        and stands as one malformed line, so a runaway line cannot exhaust memory."""
        path = self._channels.get(run_id)
        if path is None:
            raise KeyError(run_id)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return b"", offset
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return b"", offset
            data = os.pread(fd, READ_LIMIT, offset)
            end = data.rfind(b"\n")
            if end >= 0:
                self._scans.pop(run_id, None)
                return data[:end + 1], offset + end + 1
            if len(data) < READ_LIMIT:
                return b"", offset  # a line still being written
            line_end = self._line_end(run_id, fd, offset)
            if line_end is None:
                return b"", offset
            return OVERSIZED, line_end
        finally:
            os.close(fd)

    def _line_end(self, run_id: str, fd: int, offset: int) -> int | None:
        """Offset just past the newline ending the line at ``offset`` (None: not written
        yet). Remembers how far it looked, so a growing line is scanned only once."""
        start, pos = self._scans.get(run_id, (offset, offset + READ_LIMIT))
        if start != offset:
            pos = offset + READ_LIMIT
        while True:
            chunk = os.pread(fd, READ_LIMIT, pos)
            if not chunk:
                self._scans[run_id] = (offset, pos)
                return None
            found = chunk.find(b"\n")
            if found >= 0:
                self._scans.pop(run_id, None)
                return pos + found + 1
            pos += len(chunk)

    def read_tail(self, run_id: str) -> bytes:
        """Whatever follows the last complete line (a line cut by a crash)."""
        path = self._channels.get(run_id)
        if path is None:
            return b""
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            return b""
        return data[data.rfind(b"\n") + 1:]

    def launch_begun(self, trial: TrialLaunch) -> bool:
        return launch_marked(exit_path(trial))

    def forget_launch(self, trial: TrialLaunch) -> None:
        with contextlib.suppress(OSError):  # a byte over a byte: works on a full disk too
            _mark(exit_path(trial), b" ")

    def recorded_exit(self, trial: TrialLaunch) -> int | None:
        return read_exit_code(exit_path(trial))

    def recorded_exit_time(self, trial: TrialLaunch) -> float | None:
        return recorded_exit_time(exit_path(trial))

    def register_channel(self, run_id: str, path: str) -> None:
        """Let ``read_channel`` read a run that this executor did not launch."""
        self._channels[run_id] = path

    # -- stopping ----------------------------------------------------------------------
    def cancel(self, run_id: str, grace: float) -> None:
        trial = self._trials.get(run_id)
        if trial is None:
            return
        kill_group(trial.pid, signal.SIGTERM)
        if trial.kill_at is None:
            trial.kill_at = time.monotonic() + grace

    def running(self) -> set[str]:
        return set(self._trials)

    def detach(self) -> None:
        """Stop watching the trials and leave them running, for a later controller."""
        for trial in self._trials.values():
            self._selector.unregister(trial.pidfd)
            os.close(trial.pidfd)
        self._trials.clear()
        self._selector.close()

    def shutdown(self, grace: float = 5.0) -> None:
        for run_id in list(self._trials):
            self.cancel(run_id, grace)
        deadline = time.monotonic() + grace + 5
        ended: set[str] = set()
        while self._trials and time.monotonic() < deadline:
            ended.update(e.run_id for e in self.wait(0.1))
        self.kill_escaped(ended)
        for run_dir in self._staged:  # made ahead for runs the sweep never started
            shutil.rmtree(run_dir, ignore_errors=True)
        self._staged.clear()
        self._selector.close()
