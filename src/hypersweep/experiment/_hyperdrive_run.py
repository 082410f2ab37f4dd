"""HyperDriveRun: a sweep as HyperDrive users know it — children, best run, waiting."""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Mapping
from typing import Any

from hypersweep.experiment._runs import Run, _iso, own_experiment

__all__ = ["HyperDriveRun"]


class HyperDriveRun:
    """A submitted sweep. Returned by ``Experiment.submit``; also
    ``HyperDriveRun(experiment, "HD_...")`` to attach to an earlier one.

    Example::

        run = Experiment(ws, "digits").submit(config)
        run.wait_for_completion(show_output=True)
        best = run.get_best_run_by_primary_metric()
    """

    def __init__(self, experiment: Any, run_id: str) -> None:
        self.experiment = experiment
        self._row = experiment.workspace.store.experiment(run_id)
        self.id = self._row["id"]
        self.experiment = own_experiment(experiment, self._row["name"], f"sweep {self.id}")

    # -- configuration ---------------------------------------------------------------------
    @property
    def _store(self):
        return self.experiment.workspace.store

    @property
    def spec(self):
        """The validated SweepSpec the sweep runs."""
        from hypersweep.config import SweepSpec

        return SweepSpec.from_json(json.loads(self._row["spec"]))

    @property
    def primary_metric_name(self) -> str:
        return json.loads(self._row["spec"])["primary_metric_name"]

    @property
    def goal(self):
        from hypersweep.goal import PrimaryMetricGoal

        return PrimaryMetricGoal.parse(json.loads(self._row["spec"])["primary_metric_goal"])

    # -- status ----------------------------------------------------------------------------
    def _refresh(self) -> dict[str, Any]:
        row = self._store.experiment(self.id)
        if row["cancel_requested"] and row["status"] == "Running":
            # canceled, the controller has not ended it yet (it also records this itself)
            row["status"] = "CancelRequested"
        self._row = row
        return row

    def get_status(self) -> str:
        """Queued, Running, CancelRequested, Completed, Canceled or Failed."""
        return self._refresh()["status"]

    @property
    def status(self) -> str:
        return self.get_status()

    def get_details(self) -> dict[str, Any]:
        """Status, times, message and the spec; ``properties['bad_metric_lines']`` counts
        the malformed metrics-channel lines skipped over all runs (the rest were kept), and
        ``warnings`` lists what the controller warned about while the sweep ran (e.g. a
        ratio slack meeting negative metric values)."""
        row = self._refresh()
        bad = sum(r["bad_lines"] or 0 for r in self._store.runs(self.id))
        warned = [e["message"] for e in self._store.events(self.id, kind="warning")]
        return {"runId": row["id"], "experiment": row["name"], "status": row["status"],
                "startTimeUtc": _iso(row["started"]), "endTimeUtc": _iso(row["ended"]),
                "createdTimeUtc": _iso(row["created"]), "message": row["message"],
                "properties": {"primary_metric_config": {
                    "name": self.primary_metric_name, "goal": self.goal.value.lower()},
                    "controller_pid": row["controller_pid"], "bad_metric_lines": bad},
                "runDefinition": json.loads(row["spec"]), "tags": row["tags"],
                "warnings": warned}

    def cancel(self) -> bool:
        """Stop the sweep: running trials are canceled and no new one starts. The sweep is
        CancelRequested until its controller has stopped them, then Canceled. True if the
        request was made, False if the sweep had already ended (as HyperDrive's)."""
        from hypersweep.status import ExperimentStatus

        if ExperimentStatus(self._refresh()["status"]).is_terminal:
            return False
        self._store.update_experiment(self.id, cancel_requested=time.time())
        if self._refresh()["status"] == "Queued":  # no controller picked it up yet
            self._store.update_experiment(self.id, status=ExperimentStatus.CANCELED,
                                          ended=time.time(), message="canceled before start")
        return True

    def resume(self, background: bool = True) -> str:
        """Start a new controller for a sweep whose controller died (``hypersweep resume``):
        live runs are adopted, ended ones recorded, and the sweep goes on within its limits."""
        from hypersweep.experiment._resume import resume

        return resume(self, background=background)

    def wait_for_completion(self, show_output: bool = False, wait_post_processing: bool = False,
                            raise_on_error: bool = True, poll: float = 0.5) -> dict[str, Any]:
        """Block until the sweep ends; with ``show_output`` print progress lines.

        Raises ExecutionError if the sweep's controller is gone while the sweep is
        unfinished (it was killed): ``resume()`` continues it.
        """
        last = ""
        next_check = time.monotonic() + 5
        while True:
            status = self.get_status()
            if time.monotonic() >= next_check and status not in ("Completed", "Canceled",
                                                                 "Failed"):
                next_check = time.monotonic() + 5
                self._check_controller()
            if show_output:
                line = self._progress_line()
                if line != last:
                    print(line, file=sys.stdout, flush=True)
                    last = line
            if status in ("Completed", "Canceled", "Failed"):
                break
            time.sleep(poll)
        if show_output and self._row["message"]:
            print(f"[{self.id}] {self._row['message']}", file=sys.stdout, flush=True)
        if status == "Failed" and raise_on_error:
            from hypersweep.errors import ExecutionError

            raise ExecutionError(f"sweep {self.id} failed: {self._row['message']}")
        return self.get_details()

    def _check_controller(self) -> None:
        from hypersweep.errors import ExecutionError
        from hypersweep.experiment._resume import controller_alive

        row = self._row
        started_long_ago = time.time() - row["created"] > 30
        if (row["controller_pid"] or started_long_ago) and not controller_alive(row):
            raise ExecutionError(
                f"sweep {self.id} is {row['status']} but its controller is not running (it was "
                f"killed, or failed to start: see {row['artifacts_dir']}/controller.log); "
                f"continue it with run.resume() or `hypersweep resume {self.id}`")

    def _progress_line(self) -> str:
        counts: dict[str, int] = {}
        for row in self._store.runs(self.id):
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        best = self._best_row(self._child_rows())
        best_text = f"{best['primary_best']:.6g}" if best else "-"
        done = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no runs yet"
        return f"[{self.id}] {self._row['status']}: {done}; best {self.primary_metric_name} " \
               f"{best_text}"

    # -- children ------------------------------------------------------------------------------
    def _child_rows(self, include_resume_from_runs: bool = False) -> list[dict[str, Any]]:
        rows = self._store.runs(self.id)
        if include_resume_from_runs:
            for parent in self.spec.resume_from:
                rows += self._store.runs(parent)
        return rows

    def get_children(self, include_resume_from_runs: bool = False,
                     tags: str | Mapping[str, Any] | None = None,
                     status: str | None = None) -> list[Run]:
        """Child runs in creation order; ``tags`` keeps those with this tag (a name) or
        these tag values (a dict; a None value matches any), ``status`` those in it."""
        rows = self._child_rows(include_resume_from_runs)
        if status is not None:
            rows = [r for r in rows if r["status"] == status]
        if tags is not None:
            wanted = {tags: None} if isinstance(tags, str) else dict(tags)
            rows = [r for r in rows if all(
                k in (r["tags"] or {}) and (v is None or (r["tags"] or {})[k] == str(v))
                for k, v in wanted.items())]
        return [self._run(r) for r in rows]

    def get_tags(self) -> dict[str, str]:
        """The tags given to ``submit(config, tags=...)``."""
        return dict(self._refresh()["tags"] or {})

    @property
    def tags(self) -> dict[str, str]:
        return self.get_tags()

    def _run(self, row: dict[str, Any]) -> Run:
        return Run(self.experiment, row["id"], _row=row)

    def _best_row(self, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
        scored = [r for r in rows if r["primary_best"] is not None
                  and math.isfinite(r["primary_best"])]
        if not scored:
            return None
        sign = self.goal.sign
        return max(scored, key=lambda r: (sign * r["primary_best"], -r["number"]))

    def get_best_run_by_primary_metric(self, include_failed: bool = True,
                                       include_canceled: bool = True,
                                       include_resume_from_runs: bool = True) -> Run | None:
        """The run with the best primary-metric value (None when no run logged it)."""
        rows = [r for r in self._child_rows(include_resume_from_runs)
                if (include_failed or r["status"] != "Failed")
                and (include_canceled or r["status"] != "Canceled")]
        best = self._best_row(rows)
        return None if best is None else self._run(best)

    def get_children_sorted_by_primary_metric(self, top: int = 0, reverse: bool = False,
                                              discard_no_metric: bool = False
                                              ) -> list[dict[str, Any]]:
        """Children best first (``reverse=True``: worst first); runs without the metric
        go last, or are dropped with ``discard_no_metric``. ``top=0`` means all."""
        from hypersweep._checks import describe, is_int
        from hypersweep.errors import ConfigurationError

        top = 0 if top is None else top
        if not is_int(top) or top < 0:
            raise ConfigurationError(f"top must be a whole number >= 0 (0 = all runs), got "
                                     f"{describe(top)}")
        for name, flag in (("reverse", reverse), ("discard_no_metric", discard_no_metric)):
            if not isinstance(flag, bool | int):
                raise ConfigurationError(f"{name} must be True or False, got {describe(flag)}")
        rows = self._child_rows()
        sign = self.goal.sign
        scored = [r for r in rows if r["primary_best"] is not None
                  and math.isfinite(r["primary_best"])]
        scored.sort(key=lambda r: (-sign * r["primary_best"], r["number"]), reverse=reverse)
        out = [self._summary(r) for r in scored]
        if not discard_no_metric:
            out += [self._summary(r) for r in rows if r not in scored]
        return out[:top] if top else out

    @staticmethod
    def _summary(row: dict[str, Any]) -> dict[str, Any]:
        return {"run_id": row["id"], "number": row["number"],
                "hyperparameters": dict(row["params"]),
                "best_primary_metric": row["primary_best"], "status": row["status"]}

    def get_hyperparameters(self) -> dict[str, dict[str, Any]]:
        """run id → its sampled values."""
        return {r["id"]: dict(r["params"]) for r in self._child_rows()}

    def get_metrics(self) -> dict[str, dict[str, Any]]:
        """run id → that run's metrics (as ``Run.get_metrics``)."""
        from hypersweep.experiment._metrics import shape_metrics

        rows = self._child_rows()
        by_run: dict[str, list] = {r["id"]: [] for r in rows}
        for m in self._store.metrics(list(by_run)):
            by_run[m["run_id"]].append(m)
        return {rid: shape_metrics(ms) for rid, ms in by_run.items()}

    def __repr__(self) -> str:
        return f"HyperDriveRun(id={self.id!r}, status={self._row['status']!r})"
