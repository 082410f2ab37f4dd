"""The executor interface: launch trials, report their exits and channel data, stop them.

Executors are interchangeable (local processes, a Ray cluster). The controller calls them
from one thread; an executor never touches the store.
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["ATTEMPT_TAG", "Executor", "LaunchInfo", "TrialExit", "TrialLaunch"]

# The channel tag an executor writes before a retried attempt's lines: the run starts
# again from its first epoch, and early termination judges it from there.
ATTEMPT_TAG = "hypersweep.attempt"


@dataclasses.dataclass(frozen=True)
class TrialLaunch:
    """Everything needed to start one trial process."""

    run_id: str
    argv: Sequence[str]              # full command, interpreter first
    env: Mapping[str, str]           # variables added to the inherited environment
    run_dir: str                     # working directory (holds outputs/ and logs/)
    snapshot_dir: str                # the experiment's source snapshot, linked into run_dir
    log_path: str                    # stdout + stderr
    channel_path: str                # metrics channel (JSON lines)
    resources: Mapping[str, float] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class LaunchInfo:
    """Where a trial runs: enough to recognise its process again after a restart."""

    pid: int | None
    pid_started: float | None
    host: str


@dataclasses.dataclass(frozen=True)
class TrialExit:
    """A trial's process has ended. ``exit_code`` < 0 means killed by that signal;
    None means the exit status is unknown (the process was adopted after a restart)."""

    run_id: str
    exit_code: int | None
    ended: float
    lost: str | None = None          # why the executor lost the trial (node died…), if so
    escaped: tuple[int, ...] = ()    # pids it left outside its process group, killed


class Executor(abc.ABC):
    """Runs trials. ``launch`` must return once the process exists; ``wait`` blocks up
    to ``timeout`` seconds and returns the trials that ended since the last call, after
    their channel has been made fully readable; ``cancel`` asks a trial to stop (SIGTERM,
    then SIGKILL after ``grace`` seconds) and returns at once."""

    @abc.abstractmethod
    def launch(self, trial: TrialLaunch) -> LaunchInfo: ...

    @abc.abstractmethod
    def wait(self, timeout: float) -> list[TrialExit]: ...

    @abc.abstractmethod
    def read_channel(self, run_id: str, offset: int) -> tuple[bytes, int]:
        """Complete lines of the run's channel from byte ``offset``, and the new offset."""

    @abc.abstractmethod
    def cancel(self, run_id: str, grace: float) -> None: ...

    @abc.abstractmethod
    def adopt(self, run_id: str, info: LaunchInfo, trial: TrialLaunch) -> LaunchInfo | None:
        """Take over a trial started by an earlier controller: where it runs, or None if
        it is gone (``info.pid`` may be None when its start was never recorded)."""

    def stage(self, run_dir: str, snapshot_dir: str) -> None:
        """Optionally prepare a future run's folder ahead of its launch, while other
        trials run, so that the launch itself is quick. The default does nothing."""
        return None

    def launch_begun(self, trial: TrialLaunch) -> bool:
        """Whether a launch of this trial may have begun (a restarted controller then
        looks for its process instead of starting it again). The default: its log
        exists, made by :func:`prepare_run_dir` just before the process starts."""
        return os.path.exists(trial.log_path)

    def forget_launch(self, trial: TrialLaunch) -> None:
        """Undo :meth:`launch_begun`'s mark for a trial whose process never started, so
        that a restarted controller launches it again."""
        with contextlib.suppress(OSError):
            os.remove(trial.log_path)

    def kill_escaped(self, run_ids: set[str]) -> dict[str, tuple[int, ...]]:
        """Kill the processes these ended trials left outside their process group, and
        say which (run id → pids). The default has none to kill: an executor that cleans
        up on its own reports them in ``TrialExit.escaped``."""
        return {}

    def preflight(self, resources: dict[str, Any]) -> str | None:
        """Why no trial asking for ``resources`` could ever start here (None: it could).
        Asked once before a sweep's first run, so an impossible request fails the sweep
        at once instead of every run."""
        return None

    def recorded_exit(self, trial: TrialLaunch) -> int | None:
        """The exit status a trial left behind when it ended unwatched (None if unknown)."""
        return None

    def recorded_exit_time(self, trial: TrialLaunch) -> float | None:
        """When that unwatched trial ended (Unix time; None if unknown), so its run's end
        and duration are the trial's own, not the time a later controller noticed."""
        return None

    def has_exited(self, run_id: str) -> bool:
        """Whether the trial's process has ended although :meth:`wait` has not reported
        it yet: the controller then lets it end as it did instead of stopping it (a
        run's last values can arrive after its process exited). False if unknown."""
        return False

    @abc.abstractmethod
    def running(self) -> set[str]:
        """Ids of the trials whose process has not been reported as ended."""

    @abc.abstractmethod
    def shutdown(self, grace: float = 5.0) -> None:
        """Stop every trial still running and release resources."""

    def detach(self) -> None:
        """Stop watching trials *without* stopping them and release resources: used when a
        controller gives up (its store cannot be written) so that a later controller can
        adopt the trials. The default does nothing."""
        return None
