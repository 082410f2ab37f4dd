"""Snapshots of sweeps and the figures built from them, reused until the sweep changes.

Every request first asks the store for the sweep's version (one aggregate query). While it
is unchanged, the snapshot and every figure already built are served from memory; when it
changes, the runs are re-read and only the curves of runs with new values are fetched.
So a page polling every two seconds costs one small query per poll while nothing happens,
whatever the sweep's size.

While a sweep runs its version changes many times a second, so every request would
rebuild. ``refresh_seconds`` bounds that: a version checked less than that long ago is
trusted without asking the store again, so however many viewers poll, a sweep's data is
re-read at most once per window and the dashboard's load on the store the controller
writes stays flat (``hypersweep ui`` uses one second; pages poll every two).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from hypersweep.dashboard._queries import sweep_version
from hypersweep.plots._data import SweepData, load_sweep

__all__ = ["SweepCache"]


class SweepCache:
    """Thread-safe (requests run in a thread pool) memory of snapshots and figures."""

    def __init__(self, store: Any, *, max_items: int = 256, max_sweeps: int = 16,
                 refresh_seconds: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.refresh_seconds, self._clock = float(refresh_seconds), clock
        self._checked: dict[str, tuple[float, tuple[str, str]]] = {}
        self._lock = threading.Lock()
        self._snapshots: OrderedDict[str, tuple[str, SweepData]] = OrderedDict()
        self._max_sweeps = max_sweeps
        self._memo: OrderedDict[Hashable, Any] = OrderedDict()
        self._max = max_items

    def version(self, key: str) -> tuple[str, str]:
        """(sweep id, version) for a sweep id or experiment name (its newest sweep); one
        checked within ``refresh_seconds`` is not asked for again."""
        now = self._clock()
        with self._lock:
            checked = self._checked.get(key)
        if checked is not None and now - checked[0] < self.refresh_seconds:
            return checked[1]
        sweep_id, version = key, sweep_version(self.store, key)
        if version is None:  # a name, or unknown: the store raises NotFoundError
            sweep_id = self.store.experiment(key)["id"]
            version = sweep_version(self.store, sweep_id) or ""
        if self.refresh_seconds > 0:
            with self._lock:
                self._checked[key] = (now, (sweep_id, version))
                if len(self._checked) > 4 * self._max_sweeps:
                    self._checked.pop(next(iter(self._checked)))
        return sweep_id, version

    def snapshot(self, key: str, *, series: bool = False) -> tuple[str, SweepData]:
        """(version, snapshot) of a sweep, with the metric curves when ``series``."""
        sweep_id, version = self.version(key)
        with self._lock:
            cached = self._snapshots.get(sweep_id)
        if cached and cached[0] == version and (cached[1].series is not None or not series):
            return cached
        previous = cached[1] if cached else None
        data = load_sweep(self.store, sweep_id, series=series or bool(
            previous is not None and previous.series is not None), previous=previous)
        with self._lock:
            self._snapshots[sweep_id] = (version, data)
            self._snapshots.move_to_end(sweep_id)
            while len(self._snapshots) > self._max_sweeps:  # the least recently refreshed
                self._snapshots.popitem(last=False)
        return version, data

    def memo(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()``, remembered under ``key`` (which should include the version)."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = build()
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > self._max:
                self._memo.popitem(last=False)
        return value
