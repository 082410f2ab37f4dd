"""Running a sweep's controller in this process (foreground CLI or background worker)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

from hypersweep.controller import Controller
from hypersweep.errors import ConfigurationError, StoreError
from hypersweep.execution import Executor, LocalExecutor
from hypersweep.status import ExperimentStatus

__all__ = ["ControllerBusyError", "make_executor", "run_sweep", "sole_controller",
           "store_retry_seconds"]

RETRY_ENV = "HYPERSWEEP_STORE_RETRY_SECONDS"
DEFAULT_STORE_RETRY = 600.0


def make_executor(compute: dict[str, Any]) -> Executor:
    """The executor for a spec's compute target."""
    kind = compute.get("type", "local")
    if kind == "ray":
        from hypersweep.execution._ray import RayExecutor  # optional extra

        return RayExecutor(address=compute.get("address"), **compute.get("options", {}))
    return LocalExecutor()


STORE_BLIP_SECONDS = 5.0  # what the store retries on its own while a controller runs


def store_retry_seconds() -> float:
    """How long a controller waits for an unwritable store before giving up:
    ``$HYPERSWEEP_STORE_RETRY_SECONDS``, default 600."""
    text = os.environ.get(RETRY_ENV, "")
    try:
        value = float(text) if text else DEFAULT_STORE_RETRY
    except ValueError:
        raise ConfigurationError(f"{RETRY_ENV} must be a number of seconds, got {text!r}") \
            from None
    if not value >= 0:
        raise ConfigurationError(f"{RETRY_ENV} must be >= 0 seconds, got {text!r}")
    return value


def run_sweep(workspace: Any, sweep_id: str, *, on_progress: Callable | None = None,
              grace_seconds: float = 10.0, poll_interval: float = 0.05,
              store_retry: float | None = None) -> ExperimentStatus:
    """Run (or resume) the sweep until it ends. SIGTERM and SIGINT stop it cleanly:
    running trials are canceled and recorded, and the sweep ends as Canceled.

    If the store stays unwritable for ``store_retry`` seconds (default
    :func:`store_retry_seconds`), raises StoreError and leaves the trials running, for
    ``hypersweep resume`` to adopt."""
    store = workspace.store
    # the store's own retries ride over a blip (a PostgreSQL connection cut, a restart);
    # a longer outage reaches the controller, which says so and honours the retry limit
    own_retry, store.retry_seconds = store.retry_seconds, min(store.retry_seconds,
                                                              STORE_BLIP_SECONDS)
    try:
        with sole_controller(store.experiment(sweep_id)["artifacts_dir"], sweep_id):
            return _run(store, sweep_id, on_progress, grace_seconds, poll_interval,
                        store_retry)
    finally:
        store.retry_seconds = own_retry


class ControllerBusyError(ConfigurationError):
    """Another controller already drives this sweep (DESIGN: one writer)."""


@contextlib.contextmanager
def sole_controller(folder: str, sweep_id: str) -> Iterator[None]:
    """Hold the sweep's controller lock (an exclusive ``flock`` on ``controller.lock`` in
    its folder) while a controller runs. Two resumes at once, or a resume racing a
    controller that has not yet recorded its pid, would otherwise run two writers that
    reconcile, relaunch and clean up the same runs. The kernel drops the lock when the
    process dies, SIGKILL included, so a crashed controller never blocks its resume."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    fd = os.open(os.path.join(folder, "controller.lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ControllerBusyError(
                f"sweep {sweep_id} already has a running controller; wait for it, or "
                f"cancel the sweep (hypersweep cancel {sweep_id})") from None
        yield
    finally:
        os.close(fd)


def _run(store: Any, sweep_id: str, on_progress: Callable | None, grace_seconds: float,
         poll_interval: float, store_retry: float | None) -> ExperimentStatus:
    spec = json.loads(store.experiment(sweep_id)["spec"])
    executor = make_executor(spec.get("compute") or {"type": "local"})
    controller = Controller(store, sweep_id, executor, on_progress=on_progress,
                            grace_seconds=grace_seconds, poll_interval=poll_interval,
                            store_retry_seconds=store_retry_seconds() if store_retry is None
                            else store_retry)

    def stop(signum: int, _frame: Any) -> None:
        controller.stop_requested = f"controller received {signal.Signals(signum).name}"

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    detach = False
    try:
        return controller.run()
    except StoreError:
        detach = True  # gave up on the store: the trials stay, for `hypersweep resume`
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if detach:
            executor.detach()
        else:
            executor.shutdown(grace=grace_seconds)
