"""Experiment: a named group of sweeps in a workspace; ``submit`` starts one."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
import time
from typing import Any

from hypersweep.experiment._hyperdrive_run import HyperDriveRun
from hypersweep.experiment._workspace import Workspace

__all__ = ["Experiment"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]{0,254}$")


class Experiment:
    """A named experiment in a workspace (HyperDrive's ``Experiment``).

    Example::

        run = Experiment(Workspace.from_config(), "digits").submit(hyperdrive_config)
    """

    def __init__(self, workspace: Workspace, name: str) -> None:
        from hypersweep._checks import describe
        from hypersweep.errors import ConfigurationError, ConfigurationTypeError

        if not isinstance(workspace, Workspace):
            raise ConfigurationTypeError(f"workspace must be a Workspace, got "
                                         f"{describe(workspace)}")
        if not isinstance(name, str):
            raise ConfigurationTypeError(f"experiment name must be a string, got "
                                         f"{describe(name)}")
        if not _NAME.fullmatch(name):
            raise ConfigurationError(
                f"experiment name {name!r} is invalid; allowed: letters, digits, '_', '-', '.', "
                "starting with a letter or digit, at most 255 characters")
        self.workspace, self.name = workspace, name

    def submit(self, config: Any, tags: dict[str, str] | None = None, *,
               background: bool = True) -> HyperDriveRun:
        """Validate ``config``, record the sweep and start its controller.

        Returns at once: the sweep runs in a background process that outlives this one
        (a closed notebook does not stop it). ``background=False`` runs it here and
        returns when it has ended.
        """
        run = self.create(config, tags)
        if background:
            start_background_controller(self.workspace, run.id)
        else:
            from hypersweep.experiment._runner import run_sweep

            run_sweep(self.workspace, run.id)
        return run

    def create(self, config: Any, tags: dict[str, str] | None = None) -> HyperDriveRun:
        """Record a sweep as Queued without starting it (``submit`` = create + start)."""
        from hypersweep.experiment._submit import prepare_spec

        spec = prepare_spec(self.workspace, config)
        sweep_id = f"HD_{secrets.token_hex(6)}"
        root = os.path.join(self.workspace.root, "experiments", sweep_id)
        self.workspace.store.create_experiment({
            "id": sweep_id, "name": self.name, "spec": _dumps(spec.to_json()),
            "status": "Queued", "created": time.time(), "tags": dict(tags or {}),
            "artifacts_dir": root, "parents": list(spec.resume_from)})
        return HyperDriveRun(self, sweep_id)

    def get_runs(self) -> list[HyperDriveRun]:
        """The sweeps of this experiment, newest first."""
        rows = self.workspace.store.experiments(self.name)
        return [HyperDriveRun(self, r["id"]) for r in reversed(rows)]

    def __repr__(self) -> str:
        return f"Experiment({self.workspace!r}, {self.name!r})"


def _dumps(data: Any) -> str:
    import json

    return json.dumps(data)


def start_background_controller(workspace: Workspace, sweep_id: str) -> int:
    """Start the sweep's controller as a detached process; returns its pid."""
    from hypersweep.execution._layout import private_dir

    log_dir = os.path.join(workspace.root, "experiments", sweep_id)
    private_dir(log_dir)
    log_fd = os.open(os.path.join(log_dir, "controller.log"),
                     os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with open(log_fd, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hypersweep", "--workspace", workspace.url, "_controller",
             sweep_id, "--artifacts", workspace.root],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True)
    # reap it when it ends, so a long-lived notebook collects no zombies
    threading.Thread(target=proc.wait, name=f"reap-{sweep_id}", daemon=True).start()
    return proc.pid
