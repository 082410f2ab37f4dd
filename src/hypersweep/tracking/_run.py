"""The run a training script reports to: a sweep's metrics channel, or an offline print.

Both classes check every value the same way (see :mod:`._values`) and build the same
record; only the delivery differs. So a script that logs without error offline also logs
without error under a sweep.
"""

from __future__ import annotations

import os
import sys
import time

from hypersweep.tracking._channel import Channel, line, metric_line
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


class _Named:
    """What ``run.experiment`` and ``run.parent`` give a script: an id and a name."""

    def __init__(self, id: str, name: str) -> None:
        self.id, self.name = id, name

    def __repr__(self) -> str:
        return f"<{self.id}>"


class _BaseRun:
    """The logging API (Azure ML's ``Run`` names) shared by :class:`ScriptRun` and
    :class:`OfflineRun`."""

    def __init__(self, *, run_id: str, experiment_name: str, output_dir: str,
                 resume_from: str | None, sweep_id: str | None,
                 parameters: dict[str, int | float | str] | None) -> None:
        self._id, self._experiment, self._sweep_id = run_id, experiment_name, sweep_id
        self._output_dir, self._resume_from = output_dir, resume_from
        self._parameters = dict(parameters or {})
        self._tags: dict[str, str] = {}

    # -- identity --------------------------------------------------------------------
    @property
    def id(self) -> str:
        """The run id (``HYPERSWEEP_RUN_ID`` under a sweep, ``OfflineRun_...`` alone)."""
        return self._id

    @property
    def experiment_name(self) -> str:
        """The experiment's name (``"offline"`` outside a sweep)."""
        return self._experiment

    @staticmethod
    def get_context(allow_offline: bool = True, **kwargs: object) -> ScriptRun | OfflineRun:
        """The run of this script, as :func:`hypersweep.tracking.get_context` (Azure ML's
        ``Run.get_context`` also works on a run object)."""
        from hypersweep.tracking import get_context

        return get_context(allow_offline, **kwargs)

    @property
    def sweep_id(self) -> str | None:
        """The id of the sweep (HyperDrive's parent run), or None outside a sweep."""
        return self._sweep_id

    @property
    def experiment(self) -> _Named:
        """Azure ML's ``run.experiment``: an object with the experiment's ``name``."""
        return _Named(self._experiment, self._experiment)

    @property
    def parent(self) -> _Named | None:
        """Azure ML's ``run.parent``: the sweep (``id``), or None outside a sweep. Read
        it on the controller's side: ``HyperDriveRun(experiment, run.parent.id)``."""
        return _Named(self._sweep_id, self._experiment) if self._sweep_id else None

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
        text = "" if value is None else str(value)
        self._tags[key] = text
        self._emit({"kind": "tag", "name": key, "value": text})

    def set_tags(self, tags: Mapping[str, object]) -> None:
        """Set several tags: ``run.set_tags({"model": "mlp", "data": "digits"})``."""
        if not isinstance(tags, dict):
            raise MetricTypeError(f"set_tags() takes a dict of tag name → value, got "
                                  f"{show(tags)} ({type(tags).__name__})")
        for key, value in tags.items():
            self.tag(key, value)

    def add_properties(self, properties: Mapping[str, object]) -> None:
        """Azure ML's run properties; here they are tags, read back with the run's tags."""
        self.set_tags(properties)

    def get_tags(self) -> dict[str, str]:
        """The tags this script set so far (those given to the sweep are not included)."""
        return dict(self._tags)

    # -- files (Azure ML's Run.log_image and Run.upload_file) -------------------------
    def log_image(self, name: str, path: str | None = None, plot: object = None,
                  description: str = "") -> None:
        """Keep an image with the run: a file (``path``) or a matplotlib figure or
        ``pyplot`` (``plot``, saved as PNG). Under a sweep it is stored as
        ``logs/images/<name>.png`` (or the file's own suffix) in the run's folder, listed
        by ``get_file_names()``; offline it is only announced."""
        name = check_name(name, "image name")
        if (path is None) == (plot is None):
            raise MetricValueError(f"image {name!r}: log_image() takes exactly one of path= "
                                   "(an image file) or plot= (a matplotlib figure or pyplot)")
        if plot is not None and not callable(getattr(plot, "savefig", None)):
            raise MetricTypeError(f"image {name!r}: plot must have savefig() (a matplotlib "
                                  f"figure or pyplot), got {type(plot).__name__}")
        if path is not None and not os.path.isfile(path):
            raise MetricValueError(f"image {name!r}: no such file {show(path)}")
        suffix = os.path.splitext(path)[1] if path is not None else ".png"
        target = self._file_target(os.path.join("logs", "images", _file_name(name) + suffix))
        if target is None:
            self._announce(f"image {name}", path if path is not None else "<plot>")
        elif path is not None:
            _copy(path, target)
        else:
            plot.savefig(target, format="png")  # type: ignore[union-attr]

    def upload_file(self, name: str, path_or_stream: object) -> None:
        """Store a file with the run under ``name`` (a relative path). Names under
        ``outputs/`` or ``logs/`` keep their place; any other name goes under
        ``outputs/``, so ``get_file_names()`` lists it. ``path_or_stream`` is a path or a
        binary file object."""
        rel = _relative_name(name)
        if not (isinstance(path_or_stream, str | os.PathLike)
                or callable(getattr(path_or_stream, "read", None))):
            raise MetricTypeError(f"upload_file({name!r}): path_or_stream must be a path or "
                                  f"a file object, got {type(path_or_stream).__name__}")
        if isinstance(path_or_stream, str | os.PathLike) and not os.path.isfile(path_or_stream):
            raise MetricValueError(f"upload_file({name!r}): no such file {show(path_or_stream)}")
        if rel.split("/", 1)[0] not in ("outputs", "logs"):
            rel = "outputs/" + rel
        target = self._file_target(rel)
        if target is None:
            self._announce(f"file {rel}", str(path_or_stream))
        else:
            _copy(path_or_stream, target)

    def _file_target(self, rel: str) -> str | None:
        """Where a file named ``rel`` (relative to the run's folder) goes, its folder
        made; None offline, where files are only announced."""
        target = os.path.join(os.path.dirname(self._output_dir), *rel.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        return target

    def _announce(self, what: str, source: str) -> None:
        """Offline: say what would have been stored."""

    def flush(self) -> None:
        """Nothing to do: every call has already been written."""

    def complete(self) -> None:
        """Nothing to do: the sweep sees the run end when the script exits."""

    def _emit(self, record: dict[str, object]) -> None:
        raise NotImplementedError

    def get_metrics(self, name: str | None = None) -> dict[str, object]:
        """What this run has logged so far, shaped as a child run's ``get_metrics()``
        (Azure ML's ``Run.get_context().get_metrics()``): a name logged once is a value,
        more often a list; ``name`` keeps only that metric."""
        from hypersweep._shape import shape_metrics

        rows = [{"name": r["name"], "kind": r["kind"], "step": step,
                 "value": r[_PAYLOAD[str(r["kind"])]]}
                for step, r in enumerate(self._records())
                if r.get("kind") in _PAYLOAD and r["kind"] != "tag"
                and (name is None or r.get("name") == name)]
        return shape_metrics(rows)

    def _records(self) -> list[dict[str, object]]:
        raise NotImplementedError


# the field holding each record kind's payload in a channel line
_PAYLOAD = {"metric": "value", "list": "values", "row": "row", "table": "table", "tag": "value"}


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

    def log(self, name: str, value: object, description: str = "") -> None:
        """As :meth:`_BaseRun.log`; the record's line is built directly (same bytes)."""
        name = check_name(name)
        self._channel.write(metric_line(name, scalar(name, value), time.time()))

    def _emit(self, record: dict[str, object]) -> None:
        record["time"] = time.time()
        self._channel.write(line(record))

    def _records(self) -> list[dict[str, object]]:
        import json

        out = []
        try:
            with open(self._channel.path, "rb") as fh:
                for raw in fh:
                    try:
                        record = json.loads(raw)
                    except ValueError:  # a malformed or partial line: the controller skips it too
                        continue
                    if isinstance(record, dict) and "name" in record:
                        out.append(record)
        except OSError:
            return []
        return out

    def __repr__(self) -> str:
        return f"ScriptRun(id={self._id!r}, channel={self.channel_path!r})"


def _never_fails(method):  # type: ignore[no-untyped-def]
    """``method`` for an offline run: a call that would raise under a sweep prints why to
    stderr instead, because the offline run never fails (SPEC §7) - a script being tried
    on its own should not die over a metric."""
    def call(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # any check, any odd value: never fail
            self._print(f"[offline] warning: {exc} (under a sweep this call raises "
                        f"{type(exc).__name__})", error=True)
            return None

    call.__name__, call.__qualname__, call.__doc__ = (
        method.__name__, f"OfflineRun.{method.__name__}", method.__doc__)
    call.__wrapped__ = method  # type: ignore[attr-defined]  # inspect.signature follows it
    return call


class OfflineRun(_BaseRun):
    """A run outside a sweep: prints each logged value to stdout (``[offline] accuracy =
    0.93``) so the script also runs on its own. It never fails: values are checked as
    under a sweep, but a value that would raise there is reported on stderr
    (``[offline] warning: ...``) and the script goes on; printing to a closed stdout is
    ignored.
    """

    log = _never_fails(_BaseRun.log)
    log_list = _never_fails(_BaseRun.log_list)
    log_row = _never_fails(_BaseRun.log_row)
    log_table = _never_fails(_BaseRun.log_table)
    tag = _never_fails(_BaseRun.tag)
    set_tags = _never_fails(_BaseRun.set_tags)
    log_image = _never_fails(_BaseRun.log_image)
    upload_file = _never_fails(_BaseRun.upload_file)

    def __init__(self, *, output_dir: str | None = None, resume_from: str | None = None,
                 stream: object = None) -> None:
        super().__init__(run_id=f"OfflineRun_{os.urandom(8).hex()}", experiment_name="offline",
                         output_dir=os.path.abspath(output_dir or "outputs"),
                         resume_from=resume_from, sweep_id=None, parameters=None)
        self._stream = stream
        self._logged: list[dict[str, object]] = []

    def _records(self) -> list[dict[str, object]]:
        return list(self._logged)

    def _emit(self, record: dict[str, object]) -> None:
        line(record)  # the same checks as under a sweep (e.g. the size of a table)
        self._logged.append(record)
        kind, name = record["kind"], record["name"]
        value = record[_PAYLOAD[str(kind)]]
        shown = repr(value)
        if len(shown) > 500:
            shown = shown[:497] + "..."
        label = f"tag {name}" if kind == "tag" else name
        self._print(f"[offline] {label} = {shown}")

    def _file_target(self, rel: str) -> str | None:
        return None

    def _announce(self, what: str, source: str) -> None:
        self._print(f"[offline] {what} = {source} (kept only under a sweep)")

    def _print(self, text: str, error: bool = False) -> None:
        try:  # noqa: SIM105  (contextlib would cost every training script its import)
            print(text, file=self._stream or (sys.stderr if error else sys.stdout), flush=True)
        except (OSError, ValueError, AttributeError):
            pass  # no usable stdout (closed, detached, None): training goes on

    def __repr__(self) -> str:
        return f"OfflineRun(id={self._id!r})"


def _file_name(name: str) -> str:
    """A metric name as a file name: letters, digits, ``.``, ``_`` and ``-`` kept."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name).lstrip(".")
    return safe or "image"


def _relative_name(name: object) -> str:
    """``name`` as a clean relative path with ``/`` separators, or a clear error."""
    name = check_name(name, "file name")
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if name.startswith(("/", "\\")) or not parts or ".." in parts or "\0" in name:
        raise MetricValueError(f"file name must be a relative path inside the run's folder "
                               f"(e.g. 'outputs/model.pkl'), got {show(name)}")
    return "/".join(parts)


def _copy(source: object, target: str) -> None:
    import shutil  # only when a file is stored: training scripts import this module

    if isinstance(source, str | os.PathLike):
        shutil.copyfile(source, target)
    else:
        with open(target, "wb") as out:
            shutil.copyfileobj(source, out)  # type: ignore[arg-type]
