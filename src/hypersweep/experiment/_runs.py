"""Run (a child run) and HyperDriveRun (a sweep): HyperDrive's read API over the store.

``Run.get_context()`` is the training-script side (standard library only); everything
else reads the store, which is opened lazily so that importing ``Run`` stays cheap.
"""

from __future__ import annotations

import os
import time
from typing import Any

__all__ = ["Run"]


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    import datetime as _dt

    return _dt.datetime.fromtimestamp(ts, _dt.UTC).isoformat().replace("+00:00", "Z")


def own_experiment(experiment: Any, owner: str, what: str) -> Any:
    """The experiment ``what`` (a run or sweep found by its id) belongs to: ``experiment``
    itself, or, when the caller named another one, its own, with a warning. Warm start
    across experiments through the current ``experiment`` object, as the source document
    writes it, keeps working."""
    if owner == experiment.name:
        return experiment
    import warnings

    from hypersweep.errors import HypersweepWarning

    warnings.warn(f"{what} belongs to experiment {owner!r}, not {experiment.name!r}; "
                  f"attached to {owner!r}", HypersweepWarning, stacklevel=3)
    return type(experiment)(experiment.workspace, owner)


class Run:
    """One trial of a sweep (HyperDrive's child run), or, via :meth:`get_context`, the
    run a training script reports to.

    Example (in a training script)::

        run = Run.get_context()
        run.log("accuracy", 0.93)

    Example (afterwards)::

        best = hyperdrive_run.get_best_run_by_primary_metric()
        best.get_metrics()["accuracy"], best.get_details()["runDefinition"]["arguments"]
    """

    @staticmethod
    def get_context(*args: object, **kwargs: object) -> object:
        """The current script's run: reports to the sweep, or prints when run alone."""
        from hypersweep.tracking import get_context

        return get_context(*args, **kwargs)

    def __init__(self, experiment: object, run_id: str, *, _row: dict[str, object] | None = None
                 ) -> None:
        self.experiment = experiment
        if _row is None:
            store = experiment.workspace.store
            _row = store.run(run_id)
            owner = store.experiment(_row["experiment_id"])["name"]
            self.experiment = own_experiment(experiment, owner, f"run {run_id}")
        self._row = _row
        self.id = self._row["id"]

    # -- state -------------------------------------------------------------------------
    @property
    def _store(self):
        return self.experiment.workspace.store

    def _refresh(self) -> dict[str, object]:
        self._row = self._store.run(self.id)
        return self._row

    def cancel(self) -> bool:
        """Cancel this run alone (HyperDrive's ``Run.cancel()``): its sweep's controller
        stops it (CancelRequested, then Canceled, with the reason recorded) and the sweep
        goes on with its other runs. True if asked, False if the run had already ended."""
        row = self._refresh()
        if self._terminal(str(row["status"])):
            return False
        self._store.add_events([{"experiment_id": row["experiment_id"], "run_id": self.id,
                                 "kind": "cancel_request", "time": time.time(),
                                 "message": f"run {row['number']} canceled by request"}])
        return True

    @property
    def number(self) -> int:
        return self._row["number"]

    @property
    def parent_id(self) -> str:
        return self._row["experiment_id"]

    @property
    def hyperparameters(self) -> dict[str, object]:
        """The sampled values, keyed as in the search space."""
        return dict(self._row["params"])

    @property
    def outputs_dir(self) -> str:
        return os.path.join(self._row["run_dir"], "outputs")

    @property
    def log_path(self) -> str:
        return os.path.join(self._row["run_dir"], "logs", "std_log.txt")

    def get_status(self) -> str:
        """Queued, Starting, Running, CancelRequested, Completed, Failed or Canceled."""
        return self._refresh()["status"]

    @property
    def status(self) -> str:
        return self.get_status()

    def get_tags(self) -> dict[str, str]:
        return dict(self._refresh()["tags"] or {})

    @property
    def tags(self) -> dict[str, str]:
        return self.get_tags()

    @property
    def properties(self) -> dict[str, object]:
        """Facts of the run (process id, the run it resumed, skipped channel lines), as
        ``get_details()['properties']``."""
        return dict(self.get_details()["properties"])  # type: ignore[arg-type]

    def get_properties(self) -> dict[str, object]:
        return self.properties

    # -- metrics -------------------------------------------------------------------------
    def get_metrics(self, name: str | None = None) -> dict[str, object]:
        """name → value (scalar if logged once, a list if more; lists, rows and tables as
        logged)."""
        from hypersweep.experiment._metrics import shape_metrics

        rows = self._store.metrics([self.id], None if name is None else [name])
        return shape_metrics(rows)

    def get_details(self) -> dict[str, object]:
        """Status, times, the exact command and its arguments, and why it ended."""
        row = self._refresh()
        return {
            "runId": row["id"], "number": row["number"], "parentRunId": row["experiment_id"],
            "status": row["status"], "target": row["host"] or "local",
            "startTimeUtc": _iso(row["started"]), "endTimeUtc": _iso(row["ended"]),
            "createdTimeUtc": _iso(row["created"]),
            "runDefinition": {"arguments": list(row["arguments"]),
                              "Arguments": list(row["arguments"]),
                              "command": list(row["command"]),
                              "script": row["command"][1] if len(row["command"]) > 1 else None},
            "hyperparameters": dict(row["params"]), "exitCode": row["exit_code"],
            "terminationReason": row["message"], "error": row["log_tail"] if row["status"]
            == "Failed" else None,
            # a completed run's message is a warning (the metric was never logged, say);
            # a failed or canceled run's is why it ended: terminationReason, not a warning
            "warnings": [row["message"]] if row["message"] and row["status"] == "Completed"
            else [],
            "properties": {"pid": row["pid"], "resumed_from": row["resumed_from"],
                           "bad_metric_lines": row["bad_lines"]},
            "logFiles": {"logs/std_log.txt": self.log_path},
            "runDir": row["run_dir"], "tags": dict(row["tags"] or {}),
        }

    # -- files -----------------------------------------------------------------------------
    def get_file_names(self) -> list[str]:
        """Files of the run: ``outputs/...`` and ``logs/...``, sorted."""
        names = []
        for top in ("outputs", "logs"):
            base = os.path.join(self._row["run_dir"], top)
            for root, _dirs, files in os.walk(base):
                for f in files:
                    rel = os.path.relpath(os.path.join(root, f), self._row["run_dir"])
                    names.append(rel.replace(os.sep, "/"))
        return sorted(names)

    def download_file(self, name: str, output_file_path: str | None = None) -> str:
        """Copy one of :meth:`get_file_names` to ``output_file_path`` (a file or folder)."""
        from hypersweep.errors import NotFoundError

        if name not in self.get_file_names():
            raise NotFoundError(f"run {self.id} has no file {name!r}; it has: "
                                f"{', '.join(self.get_file_names()) or 'none'}")
        source = os.path.join(self._row["run_dir"], *name.split("/"))
        target = output_file_path or os.path.basename(name)
        if os.path.isdir(target):
            target = os.path.join(target, os.path.basename(name))
        elif os.path.dirname(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)  # e.g. "downloads/model.pkl"
        import shutil

        shutil.copyfile(source, target)
        return target

    def download_files(self, prefix: str | None = None, output_directory: str | None = None,
                       output_paths: list[str] | None = None, append_prefix: bool = True
                       ) -> list[str]:
        """Copy every file whose name starts with ``prefix`` (all: None) into
        ``output_directory`` (default: the current folder), keeping the name's folders
        (without ``prefix`` when ``append_prefix`` is False); returns the paths written."""
        names = [n for n in self.get_file_names() if prefix is None or n.startswith(prefix)]
        if output_paths is not None and len(output_paths) != len(names):
            from hypersweep.errors import ConfigurationError

            raise ConfigurationError(f"download_files: output_paths names {len(output_paths)} "
                                     f"path(s) for {len(names)} file(s): {', '.join(names)}")
        written = []
        for i, name in enumerate(names):
            rel = name if append_prefix or not prefix else name[len(prefix):].lstrip("/")
            target = output_paths[i] if output_paths is not None else \
                os.path.join(output_directory or ".", *rel.split("/"))
            os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
            written.append(self.download_file(name, target))
        return written

    def wait_for_completion(self, show_output: bool = False, poll: float = 0.5
                            ) -> dict[str, object]:
        while not self._terminal(self.get_status()):
            time.sleep(poll)
        return self.get_details()

    @staticmethod
    def _terminal(status: str) -> bool:
        return status in ("Completed", "Failed", "Canceled")

    def __repr__(self) -> str:
        return f"Run(id={self.id!r}, status={self._row['status']!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Run) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
