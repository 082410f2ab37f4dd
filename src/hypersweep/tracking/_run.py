"""The run a training script reports to: a sweep's metrics channel, or an offline print.

Standard library only, so it imports in milliseconds and works in any environment the
training script runs in.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence

from hypersweep.tracking._encode import encode
from hypersweep.tracking._values import MetricTypeError, MetricValueError, check_name, scalar

__all__ = ["OfflineRun", "ScriptRun"]


class _BaseRun:
    """The logging API shared by the sweep and offline runs (Azure ML's names)."""

    def __init__(self, run_id: str, experiment_name: str, output_dir: str,
                 resume_from: str | None) -> None:
        self._id, self._experiment = run_id, experiment_name
        self._output_dir, self._resume_from = output_dir, resume_from

    # -- identity ------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._id

    @property
    def experiment_name(self) -> str:
        return self._experiment

    @property
    def output_dir(self) -> str:
        """The run's own outputs folder (created on first access)."""
        os.makedirs(self._output_dir, exist_ok=True)
        return self._output_dir

    @property
    def resume_from(self) -> str | None:
        """The outputs folder of the run this one resumes, or None."""
        return self._resume_from

    def get_hyperparameters(self) -> dict[str, str]:
        """The sampled values as their command-line text (from the environment)."""
        return {k[len("HYPERSWEEP_"):]: v for k, v in os.environ.items()
                if k.startswith("HYPERSWEEP_") and k[len("HYPERSWEEP_"):] not in _RESERVED}

    # -- logging -------------------------------------------------------------------
    def log(self, name: str, value: object, description: str = "") -> None:
        """Log one value; logging the same name again appends to its series."""
        name = check_name(name)
        self._write({"kind": "metric", "name": name, "value": scalar(name, value)})

    def log_list(self, name: str, value: Sequence[object], description: str = "") -> None:
        """Log a list of values as one entry."""
        name = check_name(name)
        if isinstance(value, str | bytes) or not isinstance(value, Sequence | range):
            raise MetricTypeError(f"metric {name!r}: log_list() takes a list, got "
                                  f"{type(value).__name__}")
        self._write({"kind": "list", "name": name, "values": [scalar(name, v) for v in value]})

    def log_row(self, name: str, description: str | None = None, **kwargs: object) -> None:
        """Log one row of a table: ``log_row("curve", epoch=1, loss=0.3)``."""
        name = check_name(name)
        if not kwargs:
            raise MetricValueError(f"metric {name!r}: log_row() needs at least one column")
        self._write({"kind": "row", "name": name,
                     "row": {k: scalar(f"{name}.{k}", v) for k, v in kwargs.items()}})

    def log_table(self, name: str, value: Mapping[str, Sequence[object]],
                  description: str = "") -> None:
        """Log a table: a dict of column name → list of values, all of equal length."""
        name = check_name(name)
        if not isinstance(value, Mapping) or not value:
            raise MetricTypeError(f"metric {name!r}: log_table() takes a non-empty dict of "
                                  f"column → list, got {type(value).__name__}")
        lengths = set()
        table = {}
        for col, cells in value.items():
            check_name(col, f"metric {name!r} column name")
            if isinstance(cells, str | bytes) or not isinstance(cells, Sequence):
                raise MetricTypeError(f"metric {name!r}: column {col!r} must be a list")
            table[col] = [scalar(f"{name}.{col}", c) for c in cells]
            lengths.add(len(cells))
        if len(lengths) > 1:
            raise MetricValueError(f"metric {name!r}: columns have different lengths "
                                   f"{sorted(lengths)}")
        self._write({"kind": "table", "name": name, "table": table})

    def tag(self, key: str, value: object = None) -> None:
        """Set a tag on the run (a string; None for a bare tag)."""
        key = check_name(key, "tag name")
        self._write({"kind": "tag", "name": key, "value": None if value is None else str(value)})

    def set_tags(self, tags: Mapping[str, object]) -> None:
        for key, value in tags.items():
            self.tag(key, value)

    def flush(self) -> None:
        """Nothing to do: every call is already written."""

    def complete(self) -> None:
        """Nothing to do: the run ends when the script exits."""

    def _write(self, record: dict[str, object]) -> None:
        raise NotImplementedError


_RESERVED = {"RUN_ID", "EXPERIMENT", "SWEEP_ID", "METRICS_PATH", "OUTPUT_DIR", "RUN_DIR",
             "RESUME_FROM", "WORKSPACE", "ARTIFACTS"}


class ScriptRun(_BaseRun):
    """A run under a sweep: each call appends one JSON line to the metrics channel.

    The file is opened with O_APPEND and each line goes out in one ``write()``, so lines of
    concurrent writers never interleave and a crash loses nothing already logged.
    """

    def __init__(self, channel_path: str, run_id: str, experiment_name: str,
                 output_dir: str, resume_from: str | None) -> None:
        super().__init__(run_id, experiment_name, output_dir, resume_from)
        self.channel_path = channel_path
        self._fd = os.open(channel_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def _write(self, record: dict[str, object]) -> None:
        record["time"] = time.time()
        data = (encode(record) + "\n").encode("utf-8")
        written = os.write(self._fd, data)
        while written < len(data):  # only on a full disk or a signal mid-write
            written += os.write(self._fd, data[written:])

    def __repr__(self) -> str:
        return f"ScriptRun(id={self.id!r})"


class OfflineRun(_BaseRun):
    """A run outside a sweep: prints what would have been logged and never fails on valid
    input, so a training script also runs on its own."""

    def __init__(self, stream: object = None) -> None:
        super().__init__(f"OfflineRun_{os.urandom(6).hex()}", "offline",
                         os.path.join(os.getcwd(), "outputs"),
                         os.environ.get("HYPERSWEEP_RESUME_FROM"))
        self._stream = stream

    def _write(self, record: dict[str, object]) -> None:
        payload = {k: v for k, v in record.items() if k not in ("kind", "name")}
        shown = next(iter(payload.values())) if len(payload) == 1 else payload
        stream = self._stream or sys.stdout
        try:  # noqa: SIM105  (contextlib would cost import time in every training script)
            print(f"[offline] {record['name']} = {shown!r}", file=stream, flush=True)
        except (OSError, ValueError):
            pass  # a closed stdout must not break training

    def __repr__(self) -> str:
        return f"OfflineRun(id={self.id!r})"
