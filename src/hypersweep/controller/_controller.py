"""The controller: the one loop that runs a sweep and the only writer of its store rows.

Each pass: honour cancel requests and limits, ask the sampler for as many configurations
as there are free slots, launch them, prepare the next runs' folders, wait briefly for
exits, refill the freed slots at once when the sampler does not need the ended runs'
results, store new metric lines, let the policy judge runs that reached a scheduled
interval, and record ended runs. Every state change is committed before it is acted on,
so a controller killed at any moment can be resumed (see ``_reconcile``).
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import itertools
import json
import math
import os
import socket
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from typing import Any

from hypersweep.config import SweepSpec
from hypersweep.controller._decide import (
    duration_reason,
    policy_decisions,
    sweep_outcome,
    timed_out,
)
from hypersweep.controller._ingest import parse_channel, summary
from hypersweep.controller._outage import LaunchBlocked, Outage, blocking_errno, is_outage
from hypersweep.controller._outcome import (
    classify_exit,
    log_tail,
    missing_metric_message,
    no_finite_value_message,
)
from hypersweep.controller._reconcile import in_space, load_parents, load_runs, unwatched_exit
from hypersweep.controller._state import RunState, new_run
from hypersweep.errors import HypersweepWarning
from hypersweep.execution import Executor, LaunchInfo, TrialExit, TrialLaunch
from hypersweep.execution._layout import make_snapshot, private_dir, trial_env
from hypersweep.execution._procs import process_start_wall
from hypersweep.sampling import Observation
from hypersweep.status import ExperimentStatus, RunStatus
from hypersweep.store import Store

__all__ = ["Controller"]

Clock = Callable[[], float]


class Controller:
    """Runs one experiment to its end (or until stopped) within its limits."""

    def __init__(self, store: Store, experiment_id: str, executor: Executor, *,
                 clock: Clock = time.time, poll_interval: float = 0.05,
                 grace_seconds: float = 10.0, store_retry_seconds: float = 600.0,
                 on_progress: Callable[[Controller], None] | None = None) -> None:
        self.store, self.executor, self.clock = store, executor, clock
        self.poll_interval, self.grace = poll_interval, grace_seconds
        self.on_progress = on_progress
        self.exp = store.experiment(experiment_id)
        self.id = self.exp["id"]
        spec = self.exp["spec"]
        self.spec = SweepSpec.from_json(json.loads(spec) if isinstance(spec, str) else spec)
        self.space, self.goal = self.spec.space, self.spec.goal
        self.sampler = self.spec.make_sampling()
        self.policy = self.spec.make_policy()
        self.runs: dict[str, RunState] = {}
        self.prior: list[Observation] = []
        self.prior_table: dict[str, list[float]] = {}
        self.prior_completed: set[str] = set()
        self.stopping: str | None = None        # why no new run starts
        self.final_status = ExperimentStatus.COMPLETED
        self.exhausted = False
        self.stop_requested: str | None = None  # set by a signal handler
        self._next_cancel_check = 0.0
        self._cancel_seen = 0                  # newest Run.cancel() request handled
        self._python = self.spec.python_interpreter or sys.executable
        self._dir = self.exp["artifacts_dir"]
        self._snapshot = os.path.join(self._dir, "snapshot")
        self._outage = Outage(self.id, store_retry_seconds)
        self._after = "a restart"               # what adopted runs are taken back after
        self._live: set[str] = set()            # runs not terminal yet (pruned lazily)
        self._ended: set[str] = set()           # ended processes whose runs are unrecorded
        # this sweep's runs as the sampler sees them, by run number (see _history)
        self._own_history: list[Observation | None] = []
        self._slot: dict[str, int] = {}          # run id → its place in _own_history
        self._recheck: set[str] = set()          # runs whose observation may change
        # "started" records of launched runs, committed with the pass's next write (a run
        # whose record is lost with a crash is found again by its run id, see _reconcile)
        self._unsaved: tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]]] = ([], [])
        self._policy_warned = False             # the policy's warning is given once
        # the next suggestion, drawn ahead while trials run, for the run count it was drawn at
        self._ahead: tuple[int, list[dict[str, Any]]] | None = None

    # -- main loop ------------------------------------------------------------------------
    def run(self) -> ExperimentStatus:
        """Run the sweep to its end and return the experiment's final status. A store that
        cannot be written (or trials that cannot start for lack of disk or processes)
        pauses the sweep (see ``_outage``); StoreError when it gives up."""
        fresh = True
        while True:
            try:
                if fresh:
                    self._start()
                    fresh = False
                done = self._step()
                if recovered := self._outage.recovered():
                    self.store.add_events([self._event("store_recovered", recovered)])
                if done:
                    return self._end()
            except Exception as exc:
                if not is_outage(exc):
                    raise
                self._pause(exc)
                fresh = True

    def _step(self) -> bool:
        """One pass of the loop; True when the sweep has nothing left to do."""
        now = self.clock()
        self._check_stop(now)
        self._check_limits(now)
        self._launch_more()
        self._stage_next()
        exits = self.executor.wait(self.poll_interval if self._active() else 0.0)
        if exits and not self.sampler.uses_results:
            # refill the freed slots first: the next trial's start does not wait for the
            # ended ones' bookkeeping (their exits are on disk, see _reconcile)
            self._ended = {e.run_id for e in exits}
            try:
                self._launch_more()
            finally:
                self._ended = set()
        self._ingest(self._active_ids(), ended={e.run_id for e in exits})
        self._finish(exits)
        self._save_runs([], [])
        if self.on_progress is not None:
            self.on_progress(self)
        return not self._active() and bool(self.stopping or self.exhausted
                                           or len(self.runs) >= self.spec.max_total_runs)

    def _pause(self, exc: BaseException) -> None:
        """Wait out an outage (or give up), then forget what the store may not hold: the
        next pass rebuilds memory from the store as a restarted controller would."""
        try:
            self._outage.failed(exc, lambda: self.stop_requested)
        except Exception as give_up:
            with contextlib.suppress(Exception):  # best effort: the store is probably down
                self.store.update_experiment(self.id, message=str(give_up))
            raise
        self.store.engine.dispose()  # fresh connections: a broken one must not linger
        self._unsaved = ([], [])        # memory is rebuilt from the store, which has not them
        self.stopping, self.final_status = None, ExperimentStatus.COMPLETED
        self.exhausted, self._next_cancel_check = False, 0.0
        self._after = "a store outage"

    def _start(self) -> None:
        private_dir(self._dir)
        if not os.path.isdir(self._snapshot):
            tmp = f"{self._snapshot}.tmp{os.getpid()}"
            make_snapshot(self.spec.source_directory, tmp)
            os.replace(tmp, self._snapshot)
        started = self.exp["started"] or self.clock()
        self.store.update_experiment(
            self.id, status=ExperimentStatus.RUNNING, started=started,
            controller_pid=os.getpid(), controller_host=socket.gethostname(),
            controller_started=self.clock())
        self.exp["started"] = started
        self.prior, self.prior_table, self.prior_completed = load_parents(
            self.store, self.spec, bayesian=self.spec.sampling.get("type") == "bayesian")
        self._reconcile()
        if not self.runs:  # an impossible resource request fails the sweep, not each run
            problem = self.executor.preflight(dict(self.spec.compute.get("resources", {})))
            if problem:
                self.stopping, self.final_status = problem, ExperimentStatus.FAILED
        # a restarted controller does not warn again about what an earlier one did
        self._policy_warned = bool(self.store.events(self.id, kind="warning"))
        self._save_runs([], self._policy_warnings(
            [v for values in self.prior_table.values() for v in values]))

    def _end(self) -> ExperimentStatus:
        queued = [r for r in self.runs.values() if r.status is RunStatus.QUEUED]
        self._save_runs([(r.id, {"status": RunStatus.CANCELED, "ended": self.clock(),
                                 "message": self.stopping}) for r in queued], [])
        status, message = sweep_outcome(self.final_status, list(self.runs.values()),
                                        self.stopping, self.exhausted,
                                        self.spec.primary_metric_name)
        self.store.update_experiment(self.id, status=status, ended=self.clock(),
                                     message=message)
        self.store.add_events([self._event("ended", f"experiment {status.value}"
                                           + (f": {message}" if message else ""))])
        return status

    # -- stopping, limits -------------------------------------------------------------------
    def _check_stop(self, now: float) -> None:
        if self.stopping is not None and self.final_status is ExperimentStatus.CANCELED:
            return
        reason = self.stop_requested
        if reason is None and now >= self._next_cancel_check:
            self._next_cancel_check = now + 0.5
            if self.store.cancel_requested(self.id) is not None:
                reason = "experiment canceled by request"
            else:
                self._cancel_single_runs()
        if reason is not None:
            self.final_status = ExperimentStatus.CANCELED
            self.stopping = reason
            self.store.update_experiment(self.id, status=ExperimentStatus.CANCEL_REQUESTED)
            self._cancel_runs([(r, reason) for r in self._active_ids()])

    def _cancel_single_runs(self) -> None:
        """Honour ``Run.cancel()`` of single runs (requests recorded as events)."""
        requests = self.store.run_cancel_requests(self.id, self._cancel_seen)
        if requests:
            self._cancel_seen = requests[-1][0]
            self._cancel_runs([(rid, "run canceled by request") for _, rid in requests
                               if rid in self.runs])

    def _check_limits(self, now: float) -> None:
        if self.stopping is None:
            self.stopping = duration_reason(self.spec, self.exp["started"], now)
            if self.stopping:
                self._cancel_runs([(r, self.stopping) for r in self._active_ids()])
        self._cancel_runs(timed_out(self.spec, [self.runs[r] for r in self._live_ids()], now))

    def _cancel_runs(self, decisions: list[tuple[str, str]]) -> None:
        """Record CancelRequested with its reason, then stop the processes."""
        decisions = [(rid, why) for rid, why in decisions
                     if self.runs[rid].status in (RunStatus.RUNNING, RunStatus.STARTING,
                                                  RunStatus.QUEUED)
                     and not self.executor.has_exited(rid)]  # it ran to its end
        if not decisions:
            return
        self._save_runs(
            [(rid, {"status": RunStatus.CANCEL_REQUESTED, "message": why})
             for rid, why in decisions],
            [self._event("cancel_requested", why, rid) for rid, why in decisions])
        for rid, why in decisions:
            self.runs[rid].status = RunStatus.CANCEL_REQUESTED
            self.runs[rid].cancel_reason = why
            self.executor.cancel(rid, self.grace)

    # -- launching ----------------------------------------------------------------------------
    def _live_ids(self) -> set[str]:
        """Runs not terminal yet (Queued or active): kept as a set so that a step costs
        the same in a 10,000-run sweep as in a 10-run one."""
        self._live = {rid for rid in self._live if not self.runs[rid].status.is_terminal}
        return self._live

    def _active(self) -> int:
        return len(self._live_ids() - self._ended)

    def _active_ids(self) -> list[str]:
        return [rid for rid in sorted(self._live_ids(), key=lambda rid: self.runs[rid].number)
                if self.runs[rid].status.is_active]

    def _history(self) -> list[Observation]:
        """What the sampler sees: earlier experiments' observations, then this sweep's runs
        in run-number order. Kept up to date incrementally (only a run live at the previous
        call, or new since, can have changed), so a suggestion costs the same in a
        10,000-run sweep as in a 10-run one."""
        own = self._own_history
        for rid in itertools.islice(self.runs, len(own), None):  # created in number order
            self._slot[rid] = len(own)
            own.append(None)
            self._recheck.add(rid)
        for rid in self._recheck | self._live:
            run = self.runs[rid]
            own[self._slot[rid]] = Observation(run.params, run.best(self.goal),
                                               pending=not run.status.is_terminal)
        self._recheck = {rid for rid in self._live if not self.runs[rid].status.is_terminal}
        return self.prior + own  # type: ignore[operator]

    def _run_dir(self, number: int) -> str:
        """Run ``number``'s folder, named by its id (one place: staging must match it)."""
        return os.path.join(self._dir, "runs", f"{self.id}_{number}")

    def _stage_next(self) -> None:
        """Prepare the folders of the runs that the next freed slots will start."""
        if self.stopping or self.exhausted:
            return
        first = len(self.runs)
        last = min(first + self.spec.max_concurrent_runs, self.spec.max_total_runs)
        for number in range(first, last):
            try:
                self.executor.stage(self._run_dir(number), self._snapshot)
            except OSError:  # no disk or inodes now: the launch makes it, or pauses the sweep
                break
        if first < last and not self.sampler.uses_results and (
                self._ahead is None or self._ahead[0] != first):
            # a sampler that ignores results suggests from the runs made so far only: the
            # next run's parameters are known now, and the freed slot need not wait for them
            try:
                self._ahead = first, self.sampler.suggest(self._history(), 1, goal=self.goal)
            except Exception:  # asked again at the launch, where a failure ends the sweep
                self._ahead = None

    def _launch_more(self) -> None:
        if self.stopping or self.exhausted:
            return
        slots = min(self.spec.max_concurrent_runs - self._active(),
                    self.spec.max_total_runs - len(self.runs))
        if slots <= 0:
            return
        new = self._resumed_runs(slots)
        slots -= len(new)
        if slots > 0:
            ahead, self._ahead = self._ahead, None
            try:
                suggestions = (ahead[1] if ahead is not None and slots == 1
                               and ahead[0] == len(self.runs)
                               else self.sampler.suggest(self._history(), slots, goal=self.goal))
            except Exception as exc:  # a sampler bug must end the sweep, not strand it
                self.stopping = f"the sampler failed: {type(exc).__name__}: {exc}"
                self.final_status = ExperimentStatus.FAILED
                traceback.print_exc(file=sys.stderr)  # the controller's log
                for run in new:  # resumed runs made just now: nothing of them was stored
                    del self.runs[run.id]
                    self._live.discard(run.id)
                return
            if len(suggestions) < slots:
                self.exhausted = True
            new += [self._new_run(p) for p in suggestions]
        if new:
            self._launch(new)

    def _resumed_runs(self, slots: int) -> list[RunState]:
        """New runs for ``resume_child_runs`` not created yet (they go first)."""
        if not self.spec.resume_child_runs:
            return []
        done = {r.resume_source for r in self.runs.values()}
        todo = [rid for rid in self.spec.resume_child_runs if rid not in done][:slots]
        out = []
        for rid in todo:
            source = self.store.run(rid)
            out.append(self._new_run(in_space(source["params"], self.spec),
                                     resume_from=os.path.join(source["run_dir"], "outputs"),
                                     resume_source=rid))
        return out

    def _new_run(self, params: dict[str, Any], resume_from: str | None = None,
                 resume_source: str | None = None) -> RunState:
        number = len(self.runs)
        run_dir = self._run_dir(number)
        state = new_run(self.spec, self.space, os.path.basename(run_dir), number, params,
                        python=self._python, run_dir=run_dir, resume_from=resume_from,
                        resume_source=resume_source)
        self.runs[state.id] = state
        self._live.add(state.id)
        return state

    def _launch(self, new: list[RunState], *, insert: bool = True) -> None:
        now = self.clock()
        if insert:
            self.store.create_runs([r.row(self.id, now) for r in new])
        updates, events = [], []
        for run in new:
            trial = self._trial(run)
            try:
                info = self.executor.launch(trial)
            except Exception as exc:  # a launch failure is the run's failure, not ours...
                if blocking_errno(exc) is not None:  # ...unless the machine is out of disk
                    self.executor.forget_launch(trial)  # or processes: try it again later
                    raise LaunchBlocked(f"run {run.number}: {exc}") from exc
                run.status = RunStatus.FAILED
                updates.append((run.id, {"status": RunStatus.FAILED, "ended": self.clock(),
                                         "message": f"could not start: {exc}"}))
                continue
            run.status, run.started = RunStatus.RUNNING, self.clock()
            updates.append((run.id, {"status": RunStatus.RUNNING, "started": run.started,
                                     "pid": info.pid, "pid_started": info.pid_started,
                                     "host": info.host}))
            events.append(self._event("started", f"run {run.number} started", run.id))
        self._unsaved[0].extend(updates)
        self._unsaved[1].extend(events)

    def _trial(self, run: RunState) -> TrialLaunch:
        env = trial_env(run_id=run.id, experiment=self.exp["name"], sweep_id=self.id,
                        run_dir=run.run_dir, channel_path=run.channel_path, space=self.space,
                        params=run.params, extra=self.spec.environment_variables,
                        resume_from=run.resume_from)
        return TrialLaunch(run_id=run.id, argv=run.argv, env=env, run_dir=run.run_dir,
                           snapshot_dir=self._snapshot,
                           log_path=run.log_path, channel_path=run.channel_path,
                           resources=dict(self.spec.compute.get("resources", {})))

    # -- metrics and policy ---------------------------------------------------------------------
    def _ingest(self, run_ids: list[str], ended: set[str] | frozenset[str] = frozenset()
                ) -> list[str]:
        """Store new channel lines of these runs; returns the runs that had some (a read is
        bounded, so a run with a long backlog has more). The policy judges the runs whose
        process still runs: one that already ended (``ended``) has nothing left to stop,
        and stays Completed (or Failed) whatever its last values."""
        records, updates, judged, events = [], [], [], []
        logged: list[float] = []          # new primary values, while a warning may come
        watch = self._may_warn()
        now = self.clock()
        maximize = self.goal.sign > 0
        for rid in run_ids:
            run = self.runs[rid]
            data, offset = self.executor.read_channel(rid, run.channel.offset)
            if not data:
                continue
            before, bad = len(run.channel.primary), run.channel.bad_lines
            rows, added = parse_channel(rid, data, run.channel, self.spec.primary_metric_name,
                                        now)
            run.channel.offset = offset
            records += rows
            updates.append((rid, summary(run.channel, maximize)))
            if added:
                if watch:
                    logged += run.channel.primary[before:]
                if rid not in ended:
                    judged.append((rid, before))
            if run.channel.bad_lines > bad:  # the counted warning: an event per batch
                events.append(self._event(
                    "bad_metric_lines", f"run {run.number}: skipped "
                    f"{run.channel.bad_lines - bad} malformed metrics-channel line(s) "
                    f"({run.channel.bad_lines} in all); the other lines were kept", rid))
        events += self._policy_warnings(logged)
        if updates:
            unsaved = self._take_unsaved()
            self.store.ingest(records, unsaved[0] + updates, unsaved[1] + events)
        self._judge(judged)
        return [rid for rid, _ in updates]

    def _may_warn(self) -> bool:
        """Whether the policy can still warn about logged values (see _policy_warnings)."""
        return not self._policy_warned and callable(getattr(self.policy, "warnings_for", None))

    def _policy_warnings(self, values: list[float]) -> list[dict[str, Any]]:
        """"warning" events, once per controller, when logged primary values make the
        policy's settings doubtful (a ratio slack with values <= 0, SPEC §4); also raised
        as HypersweepWarning for a controller running in the foreground."""
        if not values or not self._may_warn():
            return []
        messages = self.policy.warnings_for(self.goal, values)  # type: ignore[attr-defined]
        if not messages:
            return []
        self._policy_warned = True
        for message in messages:
            warnings.warn(message, HypersweepWarning, stacklevel=2)
        return [self._event("warning", message) for message in messages]

    def _judge(self, judged: list[tuple[str, int]]) -> None:
        if judged:
            self._cancel_runs(policy_decisions(self.policy, self.goal, judged, self.runs,
                                               self.prior_table, self.prior_completed))

    # -- ends of runs --------------------------------------------------------------------------
    def _finish(self, exits: list[TrialExit]) -> None:
        if not exits:
            return
        pending = [e.run_id for e in exits]
        while pending:  # the channel's last lines come first, to its very end
            pending = self._ingest(pending, ended=set(pending))
        killed = self.executor.kill_escaped({e.run_id for e in exits})
        updates, events = [], []
        for ex in exits:
            if ex.run_id in killed:
                ex = dataclasses.replace(ex, escaped=ex.escaped + killed[ex.run_id])
            run = self.runs[ex.run_id]
            status, message = classify_exit(ex.exit_code, run.cancel_reason, ex.lost)
            if status is RunStatus.COMPLETED and not run.channel.primary:
                message = missing_metric_message(self.spec.primary_metric_name,
                                                 list(run.channel.counts))
            elif status is RunStatus.COMPLETED and run.best(self.goal) is None:
                message = no_finite_value_message(self.spec.primary_metric_name,
                                                  len(run.channel.primary),
                                                  run.channel.non_numeric)
            fields: dict[str, Any] = {"status": status, "ended": ex.ended,
                                      "exit_code": ex.exit_code, "message": message}
            if run.started is None:  # it ran while no controller had recorded its start
                run.started = min(run.channel.first_time or ex.ended, ex.ended)
                fields["started"] = run.started
            if status is RunStatus.FAILED:
                fields["log_tail"] = log_tail(run.log_path)
            run.status = status
            updates.append((run.id, fields))
            events.append(self._event(status.value.lower(), message or status.value, run.id))
            if ex.escaped:
                events.append(self._event(
                    "escaped_processes", f"run {run.number} left {len(ex.escaped)} process(es) "
                    f"outside its process group (pids {', '.join(map(str, ex.escaped))}): "
                    "killed", run.id))
        self._save_runs(updates, events)

    # -- warm start and resume -------------------------------------------------------------
    def _reconcile(self) -> None:
        """Rebuild memory from the store and take back runs left by a dead controller.

        A run still alive (same pid and start time, or found by its run id when its pid
        was never recorded) is adopted; a run whose process is gone is read to the end of
        its channel and recorded; a Queued run that never started is launched.
        """
        self.runs = load_runs(self.store, self.id, self.spec.primary_metric_name)
        self._live = {rid for rid, r in self.runs.items() if not r.status.is_terminal}
        self._own_history, self._slot, self._recheck = [], {}, set()
        host = socket.gethostname()
        queued, lost, adopted = [], [], []
        for run in self.runs.values():
            if run.status.is_terminal:
                continue
            info = run.launch or LaunchInfo(None, None, "")
            if info.host not in ("", host) and self.spec.compute.get("type", "local") == "local":
                lost.append(unwatched_exit(run, f"its host {info.host} is not this one "
                                           f"({host})", None, self.clock()))
                continue
            trial = self._trial(run)
            found = self.executor.adopt(run.id, info, trial)
            if found is not None:
                adopted.append((run, found))
            elif run.status is RunStatus.QUEUED and not self.executor.launch_begun(trial):
                queued.append(run)
            else:
                lost.append(unwatched_exit(
                    run, "its process is gone", self.executor.recorded_exit(trial),
                    self.executor.recorded_exit_time(trial) or self.clock()))
        self._record_adopted(adopted)
        self._finish(lost)
        if queued:
            self._launch(queued, insert=False)

    def _record_adopted(self, adopted: list[tuple[RunState, LaunchInfo]]) -> None:
        updates, events = [], []
        asked: dict[str, float] = {}  # when a stop was asked: the grace period goes on
        if any(run.status is RunStatus.CANCEL_REQUESTED for run, _ in adopted):
            asked = {e["run_id"]: e["time"]
                     for e in self.store.events(self.id, kind="cancel_requested")}
        for run, info in adopted:
            fields: dict[str, Any] = {"pid": info.pid, "pid_started": info.pid_started}
            if run.status is RunStatus.QUEUED:  # started by a controller that died at once
                run.status = RunStatus.RUNNING
                run.started = process_start_wall(info.pid_started) or self.clock()
                fields.update(status=RunStatus.RUNNING, started=run.started, host=info.host)
            if run.status is RunStatus.CANCEL_REQUESTED:
                since = self.clock() - asked.get(run.id, self.clock())
                self.executor.cancel(run.id, max(0.0, self.grace - since))
            run.adopted = True
            updates.append((run.id, fields))
            events.append(self._event("adopted", f"run {run.number} adopted after "
                                      f"{self._after}", run.id))
        if updates:
            self._save_runs(updates, events)

    def _save_runs(self, updates: list[tuple[str, dict[str, Any]]],
                   events: list[dict[str, Any]]) -> None:
        """Commit run updates, after the unsaved "started" records (one transaction)."""
        unsaved = self._take_unsaved()
        if unsaved[0] or unsaved[1] or updates or events:
            self.store.update_runs(unsaved[0] + updates, unsaved[1] + events)

    def _take_unsaved(self) -> tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]]]:
        """The "started" records not committed yet, handed to the write that commits them."""
        unsaved, self._unsaved = self._unsaved, ([], [])
        return unsaved

    def _event(self, kind: str, message: str, run_id: str | None = None) -> dict[str, Any]:
        return {"experiment_id": self.id, "run_id": run_id, "kind": kind,
                "message": message, "time": self.clock()}

    # -- progress --------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Runs per status, for progress displays."""
        return dict(collections.Counter(r.status.value for r in self.runs.values()))

    def best(self) -> float | None:
        values = [r.best(self.goal) for r in self.runs.values()]
        return self.goal.best(v for v in values if v is not None and math.isfinite(v))
