"""The code that runs on a Ray worker node: one :class:`TrialHost` actor per trial.

The actor holds the trial's resource request for as long as the trial runs. It unpacks
the experiment's snapshot (once per node), lays out a run folder like the local one,
starts the trial under ``_ray_supervise.py`` in its own session and process group, and
answers the controller's calls:

- ``poll`` — the channel and log bytes past the given offsets, as soon as there are any
  (a long poll: it returns at once on new data or on the trial's end, else after
  ``timeout``); channel bytes are whole lines until the trial has ended;
- ``cancel`` — SIGTERM to the trial's process group, SIGKILL after the grace period;
- ``pack_outputs`` / ``read_chunk`` — the run's ``outputs/`` as a zip, in chunks;
- ``cleanup`` — remove the run's folder from the node.

Nothing here imports Ray at module level, so the class is tested as a plain object.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from typing import Any

from hypersweep.execution._layout import prepare_run_dir
from hypersweep.execution._procs import kill_by_env, kill_group
from hypersweep.execution._ray_files import (
    CHUNK,
    read_from,
    relocate,
    unpack,
    unpack_once,
    zip_tree,
)

__all__ = ["POLL_LIMIT", "TrialHost", "default_base_dir"]

POLL_LIMIT = 4 * 1024 * 1024  # bytes of channel (and of log) per poll answer
_SUPERVISOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_ray_supervise.py")


def default_base_dir() -> str:
    """Where trials run on a node that has no configured folder."""
    return os.path.join(tempfile.gettempdir(), "hypersweep-ray")


def _node() -> dict[str, str]:
    """This node's Ray id and address ('' outside a Ray worker)."""
    ray = sys.modules.get("ray")  # imported by the Ray worker running this actor
    if ray is None or not ray.is_initialized():  # a plain object (unit tests)
        return {"node_id": "", "node_ip": ""}
    return {"node_id": ray.get_runtime_context().get_node_id(),
            "node_ip": ray.util.get_node_ip_address()}


def _python(argv: list[str]) -> list[str]:
    """The controller's interpreter may not exist on this node: use the worker's."""
    first = argv[0] if argv else ""
    if (os.path.isabs(first) and not os.path.exists(first)
            and os.path.basename(first).startswith("python")):
        return [sys.executable, *argv[1:]]
    return argv


class TrialHost:
    """Runs one trial at a time on this node (see the module docstring). A host can run
    successive trials (``start`` first removes what the previous one left); the executor
    currently creates one per trial. Thread-safe: the actor serves ``poll`` and
    ``cancel`` concurrently."""

    def __init__(self, base_dir: str | None = None) -> None:
        self.base = base_dir or default_base_dir()
        self._lock = threading.Lock()
        self._key: tuple[str, int] | None = None   # (run id, attempt) of the current trial
        self._guard: int | None = None              # write end of the supervisor's guard pipe
        self._clear()

    def _clear(self) -> None:
        self._info: dict[str, Any] | None = None
        self._proc: subprocess.Popen | None = None
        self._ended = threading.Event()
        self._exit: int | None = None
        self._escaped: tuple[int, ...] = ()
        self._killed = False
        self.root = self.work = self.logs = ""

    # -- starting ----------------------------------------------------------------------
    def start(self, plan: Mapping[str, Any], snapshot: bytes | None,
              resume: bytes | None = None) -> dict[str, Any]:
        """Lay out the run folder and start the trial; returns where it runs. A repeated
        call (the controller retrying after a lost answer) returns the same."""
        with self._lock:
            key = (plan["run_id"], plan["attempt"])
            if self._info is not None and self._key == key:
                return self._info
            if self._proc is not None and not self._ended.is_set():
                raise RuntimeError(f"this host still runs {self._key[0] if self._key else '?'}")
            self.cleanup()
            self._clear()
            self._key = key
            self._info = self._start(plan, snapshot, resume)
            return self._info

    def _start(self, plan: Mapping[str, Any], snapshot: bytes | None,
               resume: bytes | None) -> dict[str, Any]:
        self.root = os.path.join(self.base, plan["sweep_id"] or "sweep",
                                 f"{plan['run_id']}.a{plan['attempt']}")
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root, mode=0o700)
        moves: dict[str, str] = {}
        if plan["shared"]:  # the controller's run folder is reachable here: work in it
            self.work = plan["run_dir"]
            prepare_run_dir(self.work, plan["snapshot_dir"])
            self.logs = os.path.join(self.root, "logs")
            os.makedirs(self.logs, mode=0o700)
        else:
            source = unpack_once(snapshot, os.path.join(self.base, "snapshots")) \
                if snapshot is not None else ""
            self.work = os.path.join(self.root, "run")
            prepare_run_dir(self.work, source)
            self.logs = os.path.join(self.work, "logs")
            moves[plan["run_dir"]] = self.work
        if resume is not None and plan.get("resume_from"):
            target = os.path.join(self.root, "resume_from")
            unpack(resume, target)
            moves[plan["resume_from"]] = target
        argv, env = relocate(plan["argv"], plan["env"], moves)
        channel = os.path.join(self.logs, "metrics.jsonl")
        log_path = os.path.join(self.logs, "std_log.txt")
        for path in (channel, log_path):
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        env.update(HYPERSWEEP_METRICS_PATH=channel,
                   HYPERSWEEP_OUTPUT_DIR=os.path.join(self.work, "outputs"),
                   HYPERSWEEP_RUN_DIR=self.work)
        self._launch(_python(list(argv)), {**os.environ, **env}, log_path)
        return {"pid": self._proc.pid if self._proc else None, "host": socket.gethostname(),
                "run_dir": self.work, **_node()}

    def _launch(self, argv: list[str], env: dict[str, str], log_path: str) -> None:
        guard_r, guard_w = os.pipe()  # both ends non-inheritable: only pass_fds hands one on
        exit_path = os.path.join(self.root, "exit_code")
        try:
            with open(log_path, "ab") as log:
                self._proc = subprocess.Popen(
                    [sys.executable, "-I", _SUPERVISOR, str(guard_r), exit_path, "--", *argv],
                    cwd=self.work, env=env, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True, pass_fds=(guard_r,))
        except BaseException:
            os.close(guard_w)
            raise
        finally:
            os.close(guard_r)
        if self._guard is not None:  # the previous trial's supervisor has exited
            os.close(self._guard)
        self._guard = guard_w
        run_id = self._key[0] if self._key else ""
        threading.Thread(target=self._watch, args=(self._proc, exit_path, run_id, self._ended),
                         daemon=True, name=f"hypersweep-{run_id}").start()

    def _watch(self, proc: subprocess.Popen, exit_path: str, run_id: str,
               ended: threading.Event) -> None:
        """Wait for the supervisor; the trial's status is the one it recorded."""
        code: int | None = proc.wait()
        try:
            with open(exit_path, encoding="ascii") as fh:
                code = int(fh.read().strip())
        except (OSError, ValueError):
            if self._killed:  # our SIGKILL ended both before anything was written
                code = -signal.SIGKILL
        # what the trial left outside its group (a setsid() grandchild) has its run id
        escaped = kill_by_env("HYPERSWEEP_RUN_ID", {run_id})
        self._escaped = tuple(escaped.get(run_id, ()))
        self._exit = code
        ended.set()

    # -- watching ----------------------------------------------------------------------
    def poll(self, chan_offset: int, log_offset: int, timeout: float) -> dict[str, Any]:
        """New channel and log bytes; ``ended`` once the trial has ended and everything
        it wrote has been returned (``exit`` is then its status)."""
        deadline = time.monotonic() + timeout
        chan_path = os.path.join(self.logs, "metrics.jsonl")
        log_path = os.path.join(self.logs, "std_log.txt")
        while True:
            ended = self._ended.is_set()  # before reading: the files are final if it is
            chan = read_from(chan_path, chan_offset, POLL_LIMIT, whole_lines=False)
            if not ended and len(chan) < POLL_LIMIT:  # a line longer than that goes as is
                chan = chan[:chan.rfind(b"\n") + 1]
            log = read_from(log_path, log_offset, POLL_LIMIT, whole_lines=False)
            if chan or log or ended or time.monotonic() >= deadline:
                done = ended and len(chan) < POLL_LIMIT and len(log) < POLL_LIMIT
                return {"chan": chan, "log": log, "ended": done,
                        "exit": self._exit if done else None,
                        "escaped": self._escaped if done else ()}
            self._ended.wait(0.05)

    # -- stopping ----------------------------------------------------------------------
    def cancel(self, grace: float) -> None:
        """SIGTERM to the trial's group now, SIGKILL after ``grace`` seconds."""
        proc = self._proc
        if proc is None or self._ended.is_set():
            return
        kill_group(proc.pid, signal.SIGTERM)

        def escalate() -> None:
            if not self._ended.wait(grace):
                self._killed = True
                kill_group(proc.pid, signal.SIGKILL)

        threading.Thread(target=escalate, daemon=True).start()

    # -- bringing results back --------------------------------------------------------
    def pack_outputs(self) -> int:
        """Zip ``outputs/`` next to the run folder; its size in bytes (0: nothing)."""
        target = os.path.join(self.root, "outputs.zip")
        if zip_tree(os.path.join(self.work, "outputs"), target, compress=False) == 0:
            return 0
        return os.path.getsize(target)

    def read_chunk(self, offset: int) -> bytes:
        return read_from(os.path.join(self.root, "outputs.zip"), offset, CHUNK,
                         whole_lines=False)

    def cleanup(self) -> None:
        """Remove the last trial's folder from the node (a shared run folder stays)."""
        if self.root:
            shutil.rmtree(self.root, ignore_errors=True)
