"""Resuming a sweep whose controller is gone (killed, machine rebooted)."""

from __future__ import annotations

import os
import socket
from typing import Any

from hypersweep.errors import ConfigurationError

__all__ = ["controller_alive", "resume"]


def controller_alive(row: dict[str, Any]) -> bool:
    """True if the sweep's recorded controller process still runs. A controller on
    another host cannot be checked from here and counts as alive."""
    from hypersweep.execution._procs import process_start_time

    pid = row.get("controller_pid")
    if not pid:
        return False
    if (row.get("controller_host") or socket.gethostname()) != socket.gethostname():
        return True
    if process_start_time(pid) is None:
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"hypersweep" in fh.read() and pid != os.getpid()
    except OSError:
        return False


def controller_gone(row: dict[str, Any]) -> bool:
    """True only when certain: an unfinished sweep whose recorded controller, on this host,
    is no process at all (killed, machine rebooted). For read commands to say so."""
    from hypersweep.execution._procs import alive

    pid = row.get("controller_pid")
    return (row.get("status") in ("Running", "CancelRequested") and bool(pid)
            and (row.get("controller_host") or "") == socket.gethostname()
            and not alive(pid, None))  # no such process, or a zombie


def resume(run: Any, *, background: bool = False) -> str:
    """Start a controller for ``run`` again; it reconciles runs and continues the sweep."""
    from hypersweep.experiment._experiment import start_background_controller
    from hypersweep.experiment._runner import run_sweep

    row = run._refresh()
    if row["status"] in ("Completed", "Canceled", "Failed"):
        return row["status"]
    if controller_alive(row):
        raise ConfigurationError(
            f"sweep {run.id} still has a live controller (pid {row['controller_pid']} on "
            f"{row['controller_host']}); cancel it first or wait for it")
    ws = run.experiment.workspace
    if background:
        start_background_controller(ws, run.id)
        return "Running"
    return run_sweep(ws, run.id).value
