"""The run a training script reports to: a sweep's metrics channel, or an offline print.

Both classes check every value the same way (see :mod:`._values`) and build the same
record; only the delivery differs. So a script that logs without error offline also logs
without error under a sweep.
"""

from __future__ import annotations

import os
import sys
import time

from hypersweep.tracking._channel import Channel, line
from hypersweep.tracking._values import (
    MetricTypeError,
    MetricValueError,
    check_name,
    scalar,
    scalars,
    show,
)

TYPE_CHECKING = False  # typing itself costs a training script milliseconds to import
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["OfflineRun", "ScriptRun"]


class _BaseRun:
    """The logging API (Azure ML's ``Run`` names) shared by :class:`ScriptRun` and
    :class:`OfflineRun`."""

    def __init__(self, *, run_id: str, experiment_name: str, output_dir: str,
                 resume_from: str | None, sweep_id: str | None,
                 parameters: dict[str, int | float | str] | None) -> None:
        self._id, self._experiment, self._sweep_id = run_id, experiment_name, sweep_id
        self._output_dir, self._resume_from = output_dir, resume_from
        self._parameters = dict(parameters or {})

    # -- identity --------------------------------------------------------------------
    @property
    def id(self) -> str:
        """The run id (``HYPERSWEEP_RUN_ID`` under a sweep, ``OfflineRun_...`` alone)."""
        return self._id

    @property
    def experiment_name(self) -> str:
        """The experiment's name (``"offline"`` outside a sweep)."""
        return self._experiment

    @property
    def sweep_id(self) -> str | None:
        """The id of the sweep (HyperDrive's parent run), or None outside a sweep."""
        return self._sweep_id

    @property
    def output_dir(self) -> str:
        """Absolute path of the run's own outputs folder, created on first access."""
        os.makedirs(self._output_dir, exist_ok=True)
        return self._output_dir

    @property
    def resume_from(self) -> str | None:
        """The outputs folder of the run this one continues (its checkpoints), or None."""
        return self._resume_from

    @property
    def parameters(self) -> dict[str, int | float | str]:
        """The sampled hyperparameters, as :meth:`get_hyperparameters` returns them."""
        return dict(self._parameters)

    def get_hyperparameters(self) -> dict[str, int | float | str]:
        """The sampled hyperparameters of this run (empty outside a sweep).

        Keys are the environment names (``--kernel`` → ``kernel``); values are parsed
        back to ``int``/``float`` when their text is exactly how a number is rendered on
        the command line, else kept as ``str``. The script's own argument parser stays
        the source of truth; this is for logging and checks.
        """
        return dict(self._parameters)

    # -- logging ---------------------------------------------------------------------
    def log(self, name: str, value: object, description: str = "") -> None:
        """Log one value of metric ``name``; logging the name again extends its series.

        ``value`` is a number or a string (numpy/torch scalars are converted, ``bool``
        becomes 1 or 0, NaN and ±inf are kept). ``description`` is accepted for Azure ML
        compatibility and not stored.
        """
        name = check_name(name)
        self._emit({"kind": "metric", "name": name, "value": scalar(name, value)})

    def log_list(self, name: str, value: Iterable[object], description: str = "") -> None:
        """Log a list of values (a list, tuple, range or numpy array) as one entry."""
        name = check_name(name)
        self._emit({"kind": "list", "name": name, "values": scalars(name, value)})

    def log_row(self, name: str, description: str | None = None, **kwargs: object) -> None:
        """Log one row of table ``name``: ``run.log_row("curve", epoch=3, loss=0.2)``."""
        name = check_name(name)
        if not kwargs:
            raise MetricValueError(f"metric {name!r}: log_row() needs at least one column, "
                                   f"e.g. log_row({name!r}, epoch=1, loss=0.5)")
        row = {col: scalar(f"{name}.{col}", cell, hint=False) for col, cell in kwargs.items()}
        self._emit({"kind": "row", "name": name, "row": row})

    def log_table(self, name: str, value: Mapping[str, Iterable[object]],
                  description: str = "") -> None:
        """Log a table: a dict of column name → list of values, all the same length."""
        name = check_name(name)
        if not isinstance(value, dict) or not value:
            raise MetricTypeError(f"metric {name!r}: log_table() takes a non-empty dict of "
                                  f"column name → list, got {show(value)} "
                                  f"({type(value).__name__})")
        table = {}
        for column, cells in value.items():
            check_name(column, f"metric {name!r}: column name")
            table[column] = scalars(f"{name}.{column}", cells, "a log_table() column")
        lengths = {column: len(cells) for column, cells in table.items()}
        if len(set(lengths.values())) > 1:
            raise MetricValueError(f"metric {name!r}: log_table() columns must have equal "
                                   f"lengths, got {lengths}")
        self._emit({"kind": "table", "name": name, "table": table})

    def tag(self, key: str, value: object = None) -> None:
        """Set tag ``key`` on the run to ``str(value)`` (``""`` when no value is given)."""
        key = check_name(key, "tag name")
        self._emit({"kind": "tag", "name": key, "value": "" if value is None else str(value)})

    def set_tags(self, tags: Mapping[str, object]) -> None:
        """Set several tags: ``run.set_tags({"model": "mlp", "data": "digits"})``."""
        if not isinstance(tags, dict):
            raise MetricTypeError(f"set_tags() takes a dict of tag name → value, got "
                                  f"{show(tags)} ({type(tags).__name__})")
        for key, value in tags.items():
            self.tag(key, value)

    def flush(self) -> None:
        """Nothing to do: every call has already been written."""

    def complete(self) -> None:
        """Nothing to do: the sweep sees the run end when the script exits."""

    def _emit(self, record: dict[str, object]) -> None:
        raise NotImplementedError


class ScriptRun(_BaseRun):
    """A run under a sweep: each logging call appends one JSON line to the run's metrics
    channel (see docs/trial-contract.md) before it returns.

        >>> run = get_context()          # in a script started by hypersweep
        >>> run.log("accuracy", 0.93)    # {"kind":"metric","name":"accuracy",...}
    """

    def __init__(self, channel_path: str, *, run_id: str, experiment_name: str = "",
                 output_dir: str | None = None, resume_from: str | None = None,
                 sweep_id: str | None = None,
                 parameters: dict[str, int | float | str] | None = None) -> None:
        super().__init__(run_id=run_id, experiment_name=experiment_name,
                         output_dir=os.path.abspath(output_dir or "outputs"),
                         resume_from=resume_from, sweep_id=sweep_id, parameters=parameters)
        self._channel = Channel(channel_path)

    @property
    def channel_path(self) -> str:
        """The metrics channel file this run appends to."""
        return self._channel.path

    def _emit(self, record: dict[str, object]) -> None:
        record["time"] = time.time()
        self._channel.write(line(record))

    def __repr__(self) -> str:
        return f"ScriptRun(id={self._id!r}, channel={self.channel_path!r})"


class OfflineRun(_BaseRun):
    """A run outside a sweep: prints each logged value to stdout (``[offline] accuracy =
    0.93``) so the script also runs on its own. Values are checked as under a sweep; the
    printing itself never raises (a closed stdout is ignored).
    """

    def __init__(self, *, output_dir: str | None = None, resume_from: str | None = None,
                 stream: object = None) -> None:
        super().__init__(run_id=f"OfflineRun_{os.urandom(8).hex()}", experiment_name="offline",
                         output_dir=os.path.abspath(output_dir or "outputs"),
                         resume_from=resume_from, sweep_id=None, parameters=None)
        self._stream = stream

    def _emit(self, record: dict[str, object]) -> None:
        line(record)  # the same checks as under a sweep (e.g. the size of a table)
        kind, name = record["kind"], record["name"]
        value = record[{"metric": "value", "list": "values", "row": "row",
                        "table": "table", "tag": "value"}[str(kind)]]
        shown = repr(value)
        if len(shown) > 500:
            shown = shown[:497] + "..."
        label = f"tag {name}" if kind == "tag" else name
        try:  # noqa: SIM105  (contextlib would cost every training script its import)
            print(f"[offline] {label} = {shown}", file=self._stream or sys.stdout, flush=True)
        except (OSError, ValueError, AttributeError):
            pass  # no usable stdout (closed, detached, None): training goes on

    def __repr__(self) -> str:
        return f"OfflineRun(id={self._id!r})"
