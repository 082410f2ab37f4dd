"""The metrics channel: JSON lines appended to a file, one ``write()`` per line.

Why one ``os.write`` on a descriptor opened with ``O_APPEND`` and no buffering: the
kernel appends each write whole at the end of the file, so lines of concurrent writers
(a script and its forked workers) never interleave, and a script that crashes or is
killed right after ``log()`` returns has already handed the line to the kernel.

The encoder writes the subset of JSON that records use, without importing :mod:`json`
(which pulls in ``re`` and ``enum``: several milliseconds of every training script's
start-up). Its output is what ``json.dumps(obj, separators=(",", ":"))`` writes,
including the non-standard ``NaN``/``Infinity``/``-Infinity`` tokens.
"""

from __future__ import annotations

import errno
import os

from hypersweep.tracking._values import MetricValueError

try:
    from _json import encode_basestring_ascii as _quote
except ImportError:  # pragma: no cover - CPython always has _json
    from json.encoder import py_encode_basestring_ascii as _quote

__all__ = ["MAX_LINE", "Channel", "encode", "line", "metric_line"]

_FULL = (errno.ENOSPC, errno.EDQUOT)  # space may return; other errors are raised
HELD_LIMIT = 256 * 1024 * 1024
"""Bytes of lines held in memory while the disk is full; beyond it writes are dropped."""
MAX_LINE = 1024 * 1024
"""Longest line the controller accepts (bytes, newline excluded); longer ones it skips."""

_SPECIAL = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _float(value: float) -> str:
    text = float.__repr__(value)
    return _SPECIAL[text] if text[-1] in "nf" else text


def _list(value: list[object] | tuple[object, ...]) -> str:
    return "[" + ",".join([encode(v) for v in value]) + "]"


def _dict(value: dict[object, object]) -> str:
    return "{" + ",".join([_quote(str(k)) + ":" + encode(v) for k, v in value.items()]) + "}"


# exact type → encoder: one dict lookup for the common case instead of an isinstance chain
_BY_TYPE: dict[type, object] = {
    str: _quote, float: _float, int: int.__repr__, bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null", list: _list, tuple: _list, dict: _dict}


def encode(obj: object) -> str:
    """Compact JSON text of ``obj``: str, int, float, bool, None, list/tuple, dict (keys
    converted with ``str``), subclasses included."""
    encoder = _BY_TYPE.get(type(obj))
    if encoder is not None:
        return encoder(obj)  # type: ignore[operator]
    for kind in (str, int, float, list, tuple, dict):  # subclasses: IntEnum, OrderedDict...
        if isinstance(obj, kind):
            return _BY_TYPE[kind](kind(obj))  # type: ignore[operator]
    raise TypeError(f"cannot encode {type(obj).__name__} as JSON")


def line(record: dict[str, object]) -> bytes:
    """One channel line (UTF-8, newline-terminated); refuses lines the controller would
    skip, so an oversized table fails in the script instead of vanishing."""
    data = encode(record).encode("utf-8")
    if len(data) > MAX_LINE:
        raise MetricValueError(f"metric {record.get('name')!r}: one {record.get('kind')} "
                               f"record is {len(data):,} bytes of JSON, more than the "
                               f"channel's limit of {MAX_LINE:,}; log it in parts")
    return data + b"\n"


def metric_line(name: str, value: int | float | str, when: float) -> bytes:
    """``line({"kind": "metric", "name": name, "value": value, "time": when})``, byte for
    byte, for an already checked name and plain value: ``log()`` is the call a script makes
    a hundred thousand times, and the generic encoder costs it most of its time."""
    text = ('{"kind":"metric","name":' + _quote(name) + ',"value":'
            + encode(value) + ',"time":' + _float(when) + "}\n")
    data = text.encode("utf-8")
    if len(data) > MAX_LINE + 1:  # the generic path words the error
        return line({"kind": "metric", "name": name, "value": value, "time": when})
    return data


def _say(text: str) -> None:
    """A warning on stderr, which may itself be on the full disk: never raises."""
    import sys

    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


class Channel:
    """An append-only metrics file, opened on first write and never buffered.

    Safe to share between threads and forked processes: each :meth:`write` is a single
    ``os.write`` of one whole line to an ``O_APPEND`` descriptor.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._held: list[bytes] = []     # lines a full disk refused, oldest first
        self._held_bytes = 0
        self._dropped = 0
        self._warned = self._at_exit = False

    def write(self, data: bytes) -> None:
        """Append ``data`` (whole lines) to the file. On a full disk (or quota) the lines
        are held in memory and written, in order, by a later write or at exit once space
        returns: the script goes on and no value is lost (docs/reliability.md)."""
        if self._held:
            self._write_held()
            if self._held:
                self._hold(data)
                return
        fd = self._fd if self._fd is not None else self._open()
        written = 0
        try:
            written = os.write(fd, data)
            while written < len(data):  # only after a signal or on a nearly full disk
                written += os.write(fd, data[written:])
        except OSError as exc:
            if exc.errno not in _FULL:
                raise
            self._hold(data[written:], exc)

    def _hold(self, data: bytes, exc: OSError | None = None) -> None:
        if self._held_bytes + len(data) > HELD_LIMIT:
            self._dropped += 1  # beyond what memory should hold: counted, said at exit
            return
        if not self._held:
            import atexit

            if exc is not None and not self._warned:
                self._warned = True
                _say(f"[hypersweep] warning: cannot write the metrics channel "
                     f"({exc.strerror}); values are held in memory and written when space "
                     "returns\n")
            if not self._at_exit:
                self._at_exit = True
                atexit.register(self._flush_at_exit)
        self._held.append(data)
        self._held_bytes += len(data)

    def _write_held(self) -> None:
        """Write held lines in order. The oldest is tried first (one system call while the
        disk stays full); once it goes, the rest follows in one piece, so recovering from
        a long outage costs time in proportion to what was held."""
        fd = self._fd if self._fd is not None else self._open()
        first = self._held[0]
        try:
            written = os.write(fd, first)
        except OSError as exc:
            if exc.errno not in _FULL:
                raise
            return
        rest = memoryview(b"".join([first[written:], *self._held[1:]]))
        self._held, self._held_bytes = [], 0
        while rest:
            try:
                rest = rest[os.write(fd, rest):]
            except OSError as exc:
                if exc.errno not in _FULL:
                    raise
                self._held, self._held_bytes = [bytes(rest)], len(rest)
                return

    def _flush_at_exit(self) -> None:
        """At exit, wait for space (up to HYPERSWEEP_FLUSH_SECONDS, default 60) to write
        what is held, rather than lose it."""
        import time

        try:
            limit = float(os.environ.get("HYPERSWEEP_FLUSH_SECONDS", "60"))
        except ValueError:
            limit = 60.0
        deadline = time.monotonic() + limit
        while self._held:
            try:
                self._write_held()
            except OSError:
                break
            if not self._held or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        if self._held or self._dropped:
            _say(f"[hypersweep] warning: {len(self._held) + self._dropped} metrics-channel "
                 "write(s) lost: the disk stayed full\n")

    def close(self) -> None:
        """Close the descriptor; a later :meth:`write` opens it again."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def _open(self) -> int:
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise type(exc)(exc.errno, f"cannot open the metrics channel "
                            f"(HYPERSWEEP_METRICS_PATH): {exc.strerror}", self.path) from None
        return self._fd

    def __del__(self) -> None:
        try:  # noqa: SIM105  (contextlib would cost every training script its import)
            self.close()
        except OSError:  # pragma: no cover - already closed by someone else
            pass
