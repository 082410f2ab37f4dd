"""Running a sweep's controller in this process (foreground CLI or background worker)."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable
from typing import Any

from hypersweep.controller import Controller
from hypersweep.execution import Executor, LocalExecutor
from hypersweep.status import ExperimentStatus

__all__ = ["make_executor", "run_sweep"]


def make_executor(compute: dict[str, Any]) -> Executor:
    """The executor for a spec's compute target."""
    kind = compute.get("type", "local")
    if kind == "ray":
        from hypersweep.execution._ray import RayExecutor  # optional extra

        return RayExecutor(address=compute.get("address"), **compute.get("options", {}))
    return LocalExecutor()


def run_sweep(workspace: Any, sweep_id: str, *, on_progress: Callable | None = None,
              grace_seconds: float = 10.0, poll_interval: float = 0.05) -> ExperimentStatus:
    """Run (or resume) the sweep until it ends. SIGTERM and SIGINT stop it cleanly:
    running trials are canceled and recorded, and the sweep ends as Canceled."""
    store = workspace.store
    spec = json.loads(store.experiment(sweep_id)["spec"])
    executor = make_executor(spec.get("compute") or {"type": "local"})
    controller = Controller(store, sweep_id, executor, on_progress=on_progress,
                            grace_seconds=grace_seconds, poll_interval=poll_interval)

    def stop(signum: int, _frame: Any) -> None:
        controller.stop_requested = f"controller received {signal.Signals(signum).name}"

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return controller.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        executor.shutdown(grace=grace_seconds)
