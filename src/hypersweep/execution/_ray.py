"""RayExecutor: each trial on a Ray cluster, in an actor that holds its resource request.

How a trial runs (see ``_ray_worker`` for the worker's side):

1. ``launch`` creates a :class:`~hypersweep.execution._ray_worker.TrialHost` actor with
   the trial's request (``num_cpus`` — 1 unless given —, ``num_gpus``, ``memory``,
   custom resources) and asks it to start the trial; it returns at once, since Ray may
   hold the actor until a node has room. The snapshot travels once per experiment as a
   zip in the object store (no shared filesystem assumed).
2. ``wait`` keeps one call in flight per trial and wakes when any answers: a long poll
   returns new channel and log bytes, which are appended, byte for byte, to the run's
   ``logs/metrics.jsonl`` and ``logs/std_log.txt`` in the controller's run folder.
   ``read_channel`` reads that local copy, so offsets are exact and a controller that
   re-reads from an older offset (after a store outage) gets the same bytes again.
3. When the trial has ended and every byte is here, ``outputs/`` comes back as a zip
   (in chunks) and is unpacked into the run folder; only then is the exit reported.
4. ``cancel`` asks the actor for SIGTERM to the trial's process group and SIGKILL after
   the grace period; an actor that does not answer is killed, and the trial's
   supervisor then stops the group itself.

A node lost mid-run (its actor died) ends the trial with ``TrialExit(lost="worker node
lost: ...")`` — or, with ``max_retries``, starts it again on another node: the new
attempt's lines follow the lost one's in the same channel, after a
``hypersweep.attempt`` tag, from which the controller's early termination judges the run
afresh (its interval N is its N-th value since the retry). Two tags are added to every
run's channel: ``hypersweep.ray_node`` (the node id) and, for retries,
``hypersweep.attempt``.

Trials cannot be adopted by a new controller: their actors belong to the driver that
created them and die with it (their supervisors then stop the trials), so ``adopt``
only recognises trials this executor still runs (after a store outage).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Mapping
from typing import Any

from hypersweep.errors import ConfigurationError, ExecutionError
from hypersweep.execution._base import ATTEMPT_TAG, Executor, LaunchInfo, TrialExit, TrialLaunch
from hypersweep.execution._layout import prepare_run_dir
from hypersweep.execution._local import LocalExecutor
from hypersweep.execution._ray_files import append, remove, unpack, zip_bytes
from hypersweep.execution._ray_options import (
    actor_options,
    check_address,
    feasible,
    loss_reason,
)
from hypersweep.execution._ray_trial import Phase, RayTrial
from hypersweep.execution._ray_worker import TrialHost

__all__ = ["RayExecutor"]

KILL_MARGIN = 15.0   # seconds past the grace period before an unanswering actor is killed
RETRY_CALL = 1.0     # seconds before asking an actor that was briefly unreachable again
MAX_PLACEMENTS = 3   # a trial whose node dies before it starts is placed again this often


class RayExecutor(Executor):
    """Runs each trial on a Ray cluster (extra ``hypersweep[ray]``).

    Example::

        ScriptRunConfig(source_directory=".", script="train.py",
                        compute_target={"type": "ray", "address": "auto", "max_retries": 1},
                        resources={"num_cpus": 4, "num_gpus": 1})

    ``address``: ``"auto"`` (the cluster this machine belongs to), ``"ray://host:port"``
    (Ray Client), ``"host:port"`` (the head's GCS), or None: a local Ray instance, for
    trying it out. An already connected driver (``ray.init`` done) is used as it is.
    ``max_retries``: how many times a trial whose node was lost starts again (never for
    a script's own failure). ``shared_filesystem``: the workspace folder is mounted at
    the same path on every node; trials then work in their run folder directly and
    neither snapshot nor outputs are copied. ``worker_dir``: where run folders go on the
    nodes (default ``$TMPDIR/hypersweep-ray``). ``check_resources``: refuse a trial that
    no node of the cluster could ever hold (switch off for autoscaling clusters).
    """

    def __init__(self, address: str | None = None, *, max_retries: int = 0,
                 shared_filesystem: bool = False, worker_dir: str | None = None,
                 namespace: str = "hypersweep", runtime_env: Mapping[str, Any] | None = None,
                 check_resources: bool = True, poll_seconds: float = 1.0) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        if not isinstance(poll_seconds, int | float) or not 0 < poll_seconds <= 60:
            raise ConfigurationError(f"poll_seconds must be in (0, 60], got {poll_seconds!r}")
        try:
            import ray
        except ImportError:
            raise ExecutionError("the Ray executor needs Ray: pip install "
                                 "'hypersweep[ray]'") from None
        self._ray = ray
        self.address = check_address(address)
        self.max_retries, self.shared = max_retries, bool(shared_filesystem)
        self.worker_dir, self.poll_seconds = worker_dir, float(poll_seconds)
        self.check_resources = bool(check_resources)
        self._owns_ray = not ray.is_initialized()
        if self._owns_ray:
            extra: dict[str, Any] = {} if self.address else {"include_dashboard": False}
            ray.init(address=self.address, namespace=namespace, log_to_driver=False,
                     logging_level="WARNING", runtime_env=dict(runtime_env or {}) or None,
                     **extra)
        self._host = ray.remote(TrialHost)
        self._trials: dict[str, RayTrial] = {}
        self._reader = LocalExecutor()  # reads the local channel copies, as for local runs
        self._ended: dict[str, int | None] = {}
        self._exits: list[TrialExit] = []
        self._snapshots: dict[str, Any] = {}
        self._closing: list[tuple[Any, Any]] = []  # (cleanup ref, actor) to kill after
        self._nodes: tuple[float, list[dict]] = (0.0, [])

    # -- launching ----------------------------------------------------------------------
    def launch(self, trial: TrialLaunch) -> LaunchInfo:
        if trial.run_id in self._trials:
            raise ExecutionError(f"run {trial.run_id} is already running")
        options = actor_options(trial.resources)
        if self.check_resources:
            problem = feasible(options, self._alive_nodes())
            if problem:
                raise ExecutionError(problem)
        prepare_run_dir(trial.run_dir, trial.snapshot_dir)  # mirrored logs, outputs land here
        rt = RayTrial(launch=trial, options=options)
        self._reader.register_channel(trial.run_id, trial.channel_path)
        self._start(rt)
        self._trials[trial.run_id] = rt
        return LaunchInfo(pid=None, pid_started=None, host="ray")

    def _start(self, rt: RayTrial) -> None:
        trial = rt.launch
        resume = trial.env.get("HYPERSWEEP_RESUME_FROM")
        plan = {"run_id": trial.run_id, "sweep_id": trial.env.get("HYPERSWEEP_SWEEP_ID", ""),
                "attempt": rt.attempt, "shared": self.shared, "run_dir": trial.run_dir,
                "snapshot_dir": trial.snapshot_dir, "argv": list(trial.argv),
                "env": dict(trial.env), "resume_from": resume}
        snapshot = None if self.shared else self._snapshot(trial.snapshot_dir)
        resume_zip = None
        if resume and not self.shared and os.path.isdir(resume):
            resume_zip = self._ray.put(zip_bytes(resume, compress=False))
        rt.actor = self._host.options(**rt.options).remote(self.worker_dir)
        rt.phase, rt.chan_off, rt.log_off, rt.node = Phase.STARTING, 0, 0, ""
        self._call(rt, "start", plan, snapshot, resume_zip)

    def _snapshot(self, folder: str) -> Any:
        """The experiment's snapshot in the object store (zipped once per experiment)."""
        if folder not in self._snapshots:
            data = zip_bytes(folder, compress=True) if os.path.isdir(folder) else None
            self._snapshots[folder] = None if data is None else self._ray.put(data)
        return self._snapshots[folder]

    def preflight(self, resources: dict[str, Any]) -> str | None:
        if not self.check_resources:
            return None
        return feasible(actor_options(resources), self._alive_nodes())

    def _alive_nodes(self) -> list[dict]:
        when, nodes = self._nodes
        if time.monotonic() - when > 5.0:
            nodes = [n for n in self._ray.nodes() if n.get("Alive")]
            self._nodes = (time.monotonic(), nodes)
        return nodes

    def _call(self, rt: RayTrial, method: str, *args: Any) -> None:
        rt.call, rt.retry_at = (method, args), None
        rt.ref = getattr(rt.actor, method).remote(*args)

    # -- watching -----------------------------------------------------------------------
    def wait(self, timeout: float) -> list[TrialExit]:
        now = time.monotonic()
        self._timers(now)
        refs = {rt.ref: rt for rt in self._trials.values() if rt.ref is not None}
        timeout = 0.0 if self._exits else min(timeout, self._next_timer(now))
        ready: list[Any] = []
        if refs:
            ready, _ = self._ray.wait(list(refs), num_returns=1, timeout=max(0.0, timeout))
            if ready:
                ready, _ = self._ray.wait(list(refs), num_returns=len(refs), timeout=0)
        elif timeout > 0:
            time.sleep(timeout)
        for ref in ready:
            self._settle(refs[ref], ref)
        self._reap_closing()
        exits, self._exits = self._exits, []
        return exits

    def _next_timer(self, now: float) -> float:
        due = [t for rt in self._trials.values() for t in (rt.retry_at, rt.kill_at)
               if t is not None]
        return max(0.0, min(due) - now) if due else float("inf")

    def _timers(self, now: float) -> None:
        for rt in list(self._trials.values()):
            if rt.retry_at is not None and now >= rt.retry_at:
                self._call(rt, rt.call[0], *rt.call[1])
            if rt.kill_at is not None and now >= rt.kill_at and rt.phase is Phase.RUNNING:
                rt.kill_at, rt.killed = None, True
                self._ray.kill(rt.actor, no_restart=True)  # its supervisor stops the group

    def _settle(self, rt: RayTrial, ref: Any) -> None:
        from ray import exceptions as rex

        rt.ref = None
        try:
            result = self._ray.get(ref)
        except rex.ActorUnavailableError:  # unreachable for now: ask again shortly
            rt.retry_at = time.monotonic() + RETRY_CALL
            return
        except rex.RayTaskError as exc:  # our actor code raised on the worker
            self._failed_call(rt, exc)
            return
        except rex.RayError as exc:      # the actor, its worker process or node died
            if getattr(exc, "actor_init_failed", False):  # e.g. no hypersweep on the node
                rt.phase = Phase.STARTING
                self._failed_call(rt, exc)
            else:
                self._lost(rt, exc)
            return
        {Phase.STARTING: self._started, Phase.RUNNING: self._polled,
         Phase.PACKING: self._packed, Phase.FETCHING: self._fetched}[rt.phase](rt, result)

    def _started(self, rt: RayTrial, info: dict[str, Any]) -> None:
        run_id = rt.launch.run_id
        self._note(rt, f"run {run_id} attempt {rt.attempt} started on Ray node "
                   f"{info['node_ip']} ({info['host']}, node {info['node_id'][:12]}), pid "
                   f"{info['pid']}, in {info['run_dir']}")
        self._tag(rt, "hypersweep.ray_node", info["node_id"])
        rt.node = f"node {info['node_ip']} ({info['node_id'][:12]})"
        rt.phase = Phase.RUNNING
        self._call(rt, "poll", 0, 0, self.poll_seconds)

    def _polled(self, rt: RayTrial, res: dict[str, Any]) -> None:
        append(rt.launch.channel_path, res["chan"])
        append(rt.launch.log_path, res["log"])
        rt.chan_off += len(res["chan"])
        rt.log_off += len(res["log"])
        if not res["ended"]:
            self._call(rt, "poll", rt.chan_off, rt.log_off, self.poll_seconds)
            return
        rt.exit_code = -9 if rt.killed and res["exit"] is None else res["exit"]
        rt.escaped = tuple(res.get("escaped", ()))
        if self.shared:
            self._finish(rt)
            return
        rt.phase = Phase.PACKING
        self._call(rt, "pack_outputs")

    def _packed(self, rt: RayTrial, size: int) -> None:
        rt.size = size
        if size == 0:
            self._finish(rt)
            return
        rt.phase = Phase.FETCHING
        remove(self._part(rt))
        self._call(rt, "read_chunk", 0)

    def _fetched(self, rt: RayTrial, data: bytes) -> None:
        part = self._part(rt)
        append(part, data)
        done = os.path.getsize(part)
        if data and done < rt.size:
            self._call(rt, "read_chunk", done)
            return
        try:
            unpack(part, os.path.join(rt.launch.run_dir, "outputs"))
        except Exception as exc:  # a damaged transfer must not end the sweep
            self._note(rt, f"outputs/ could not be unpacked: {exc}")
        remove(part)
        self._finish(rt)

    @staticmethod
    def _part(rt: RayTrial) -> str:
        return os.path.join(rt.launch.run_dir, "logs", ".outputs.zip.part")

    # -- ends ---------------------------------------------------------------------------
    def _finish(self, rt: RayTrial, *, lost: str | None = None) -> None:
        """Report the trial's end and release its actor (after its folder is removed)."""
        run_id = rt.launch.run_id
        self._trials.pop(run_id, None)
        self._ended[run_id] = rt.exit_code
        self._exits.append(TrialExit(run_id=run_id, exit_code=rt.exit_code,
                                     ended=time.time(), lost=lost, escaped=rt.escaped))
        if rt.ref is not None:  # a call still in flight (a cancel while starting): drain it
            self._closing.append((rt.ref, rt.actor))
        with contextlib.suppress(Exception):  # an actor already gone has nothing to clean
            self._closing.append((rt.actor.cleanup.remote(), rt.actor))

    def _reap_closing(self) -> None:
        if not self._closing:
            return
        refs = [ref for ref, _ in self._closing]
        done, _ = self._ray.wait(refs, num_returns=len(refs), timeout=0)
        finished = set(done)
        for ref, actor in [c for c in self._closing if c[0] in finished]:
            with contextlib.suppress(Exception):  # a dead actor has nothing to clean up
                self._ray.get(ref)
            self._ray.kill(actor, no_restart=True)
        self._closing = [c for c in self._closing if c[0] not in finished]

    def _failed_call(self, rt: RayTrial, exc: Exception) -> None:
        cause = getattr(exc, "cause", None) or exc
        what = f"{type(cause).__name__}: {cause}".splitlines()[0]
        if rt.phase is Phase.STARTING:
            self._note(rt, f"could not start the trial on the Ray worker: {what}")
            self._finish(rt, lost=f"could not start on the Ray worker: {what}")
        else:  # the process ended; its outputs did not come back
            self._note(rt, f"outputs/ could not be copied back: {what}")
            self._finish(rt)

    def _lost(self, rt: RayTrial, exc: Exception) -> None:
        why = loss_reason(exc, rt.node)
        self._note(rt, f"Ray reported: {exc}")
        if rt.killed or rt.canceled:
            rt.exit_code = -9 if rt.killed else rt.exit_code
            self._finish(rt)
        elif rt.phase in (Phase.PACKING, Phase.FETCHING):
            self._note(rt, f"outputs/ could not be copied back: {why}")
            self._finish(rt)
        elif rt.phase is Phase.STARTING and rt.placements < MAX_PLACEMENTS:
            # placed on a node that died before the trial could run: not the trial's
            # attempt, place it again (Ray learns of a dead node only after a few seconds)
            rt.placements += 1
            self._note(rt, f"{why}; placing run {rt.launch.run_id} again")
            self._start(rt)
        elif rt.attempt <= self.max_retries:
            self._note(rt, f"{why}; starting attempt {rt.attempt + 1} of run "
                       f"{rt.launch.run_id}")
            rt.attempt += 1
            self._tag(rt, ATTEMPT_TAG, str(rt.attempt))
            self._start(rt)
        else:
            self._note(rt, why)
            self._finish(rt, lost=why)

    def _note(self, rt: RayTrial, text: str) -> None:
        """A line of ours in the run's log (on a line of its own)."""
        append(rt.launch.log_path, f"[hypersweep] {text}\n".encode(), own_line=True)

    def _tag(self, rt: RayTrial, name: str, value: str) -> None:
        line = json.dumps({"kind": "tag", "name": name, "value": value, "time": time.time()},
                          separators=(",", ":"))
        append(rt.launch.channel_path, line.encode() + b"\n", own_line=True)

    # -- the rest of the interface ------------------------------------------------------
    def read_channel(self, run_id: str, offset: int) -> tuple[bytes, int]:
        return self._reader.read_channel(run_id, offset)

    def cancel(self, run_id: str, grace: float) -> None:
        rt = self._trials.get(run_id)
        if rt is None or rt.canceled:
            return
        rt.canceled = True
        if rt.phase is Phase.STARTING:  # maybe not even placed: no process to wait for
            self._ray.kill(rt.actor, no_restart=True)
            self._finish(rt)
        elif rt.phase is Phase.RUNNING:
            rt.actor.cancel.remote(grace)
            rt.kill_at = time.monotonic() + grace + KILL_MARGIN

    def adopt(self, run_id: str, info: LaunchInfo, trial: TrialLaunch) -> LaunchInfo | None:
        """Trials of an earlier controller died with it (see the module docstring): only
        trials this executor still runs are recognised. Their channel stays readable."""
        self._reader.register_channel(run_id, trial.channel_path)
        if run_id in self._trials:
            return LaunchInfo(pid=None, pid_started=None, host="ray")
        return None

    def recorded_exit(self, trial: TrialLaunch) -> int | None:
        return self._ended.get(trial.run_id)

    def running(self) -> set[str]:
        return set(self._trials)

    def shutdown(self, grace: float = 5.0) -> None:
        for run_id in list(self._trials):
            self.cancel(run_id, grace)
        deadline = time.monotonic() + grace + KILL_MARGIN
        while self._trials and time.monotonic() < deadline:
            self.wait(0.1)
        for rt in list(self._trials.values()):
            self._ray.kill(rt.actor, no_restart=True)
        self._trials.clear()
        deadline = time.monotonic() + 5.0
        while self._closing and time.monotonic() < deadline:
            self._reap_closing()
            time.sleep(0.02)
        for _, actor in self._closing:
            self._ray.kill(actor, no_restart=True)
        self._closing.clear()
        self._reader.shutdown(grace=0)
        if self._owns_ray:
            self._ray.shutdown()

    def detach(self) -> None:
        """Ray trials cannot outlive this driver (their actors die with it), so there is
        nothing to leave running for a later controller: stop them as ``shutdown`` does;
        ``hypersweep resume`` records them as lost and goes on."""
        self.shutdown(grace=5.0)

