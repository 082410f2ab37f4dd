"""The live progress display of ``hypersweep run``: one line, redrawn in place."""

from __future__ import annotations

import sys
import time
from typing import Any

from hypersweep.cli._format import fmt

__all__ = ["Progress"]


class Progress:
    """Shows runs done / running / failed, the best value so far and the elapsed time.

    On a terminal the line is redrawn in place a few times a second; otherwise a new line
    is printed only when the counts change.
    """

    def __init__(self, run: Any, *, enabled: bool = True, stream: Any = None) -> None:
        self.run, self.enabled = run, enabled
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.monotonic()
        self._last_draw = 0.0
        self._last_text = ""
        self._controller: Any = None

    def update(self, controller: Any, *, force: bool = False) -> None:
        if not self.enabled:
            return
        self._controller = controller
        now = time.monotonic()
        if now - self._last_draw < 0.25 and not force:
            return
        self._last_draw = now
        counts = controller.counts()
        done = sum(counts.get(s, 0) for s in ("Completed", "Failed", "Canceled"))
        running = sum(counts.get(s, 0) for s in ("Queued", "Starting", "Running",
                                                  "CancelRequested"))
        text = (f"runs {done}/{controller.spec.max_total_runs} done, {running} running, "
                f"{counts.get('Failed', 0)} failed, {counts.get('Canceled', 0)} canceled | "
                f"best {controller.spec.primary_metric_name} {fmt(controller.best())}")
        if self.tty:
            self.stream.write(f"\r{text} | {now - self.start:5.0f}s\x1b[K")
            self.stream.flush()
        elif text != self._last_text:
            self.stream.write(f"{text} | {now - self.start:.0f}s\n")
        self._last_text = text

    def close(self) -> None:
        """Draw the final counts (an update within 0.25 s of the last one was skipped),
        then end the line."""
        if self.enabled and self._controller is not None:
            self.update(self._controller, force=True)
        if self.enabled and self.tty:
            self.stream.write("\n")
