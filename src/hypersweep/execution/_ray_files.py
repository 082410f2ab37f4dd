"""Moving files between the controller and Ray workers (no shared filesystem assumed).

The snapshot travels once per experiment as a zip in Ray's object store (each node
fetches it once and unpacks it into a cache keyed by its hash); a run's ``outputs/``
come back as a zip read in chunks. Paths the controller put into a trial's command line
and environment are rewritten to the worker's folders. Also the byte-exact reading of
complete channel lines shared by both sides.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from typing import BinaryIO

__all__ = ["append", "digest", "read_from", "relocate", "remove", "unpack", "unpack_once",
           "zip_bytes", "zip_tree"]

CHUNK = 32 * 1024 * 1024  # bytes per object-store transfer of outputs


def zip_tree(folder: str, target: str | BinaryIO, *, compress: bool) -> int:
    """Write the folder's files as a zip to ``target`` (a path or a binary file) and
    return how many files it holds. Symlinks are followed (their targets may not exist
    on the other side); a directory reached twice through links is stored once."""
    count = 0
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    seen: set[str] = set()
    with zipfile.ZipFile(target, "w", method, compresslevel=1 if compress else None) as zf:
        for root, dirs, files in os.walk(folder, followlinks=True):
            real = os.path.realpath(root)
            if real in seen:
                dirs[:] = []
                continue
            seen.add(real)
            rel = os.path.relpath(root, folder)
            for name in sorted(files):
                path = os.path.join(root, name)
                if os.path.isfile(path):
                    zf.write(path, os.path.normpath(os.path.join(rel, name)))
                    count += 1
    return count


def zip_bytes(folder: str, *, compress: bool) -> bytes:
    """:func:`zip_tree` into memory (a snapshot: at most 300 MB, usually far less)."""
    buf = io.BytesIO()
    zip_tree(folder, buf, compress=compress)
    return buf.getvalue()


def digest(data: bytes) -> str:
    """A short content hash: the name of a node's cached copy."""
    return hashlib.sha256(data).hexdigest()[:24]


def unpack(data: bytes | str, dest: str) -> None:
    """Extract a zip (bytes, or the path of a zip file) into ``dest``; member names are
    sanitised by :mod:`zipfile` (no absolute paths, no ``..``)."""
    os.makedirs(dest, mode=0o700, exist_ok=True)
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(source) as zf:
        zf.extractall(dest)


def unpack_once(data: bytes, cache_dir: str) -> str:
    """Extract into ``cache_dir/<hash>`` unless an earlier trial on this node did; the
    rename makes concurrent trials on one node safe."""
    dest = os.path.join(cache_dir, digest(data))
    if os.path.isdir(dest):
        return dest
    tmp = f"{dest}.tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    unpack(data, tmp)
    try:
        os.rename(tmp, dest)
    except OSError:  # another trial won the race
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _moved(text: str, moves: Sequence[tuple[str, str]]) -> str:
    for old, new in moves:
        if text == old or text.startswith(old + os.sep):
            return new + text[len(old):]
        if "=" in text:  # --flag=/path/on/controller
            key, _, value = text.partition("=")
            if value == old or value.startswith(old + os.sep):
                return f"{key}={new}{value[len(old):]}"
    return text


def relocate(argv: Sequence[str], env: Mapping[str, str],
             moves: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """``argv`` and ``env`` with every controller path in ``moves`` (a folder prefix →
    the worker's folder) replaced; longest prefixes first."""
    order = sorted(moves.items(), key=lambda kv: len(kv[0]), reverse=True)
    return ([_moved(a, order) for a in argv], {k: _moved(v, order) for k, v in env.items()})


def read_from(path: str, offset: int, limit: int | None, *, whole_lines: bool) -> bytes:
    """Up to ``limit`` bytes (None: all) of a file from ``offset`` (b'' if it does not
    exist); with ``whole_lines`` only up to the last newline."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read() if limit is None else fh.read(limit)
    except FileNotFoundError:
        return b""
    if whole_lines:
        end = data.rfind(b"\n")
        return data[:end + 1] if end >= 0 else b""
    return data


def append(path: str, data: bytes, *, own_line: bool = False) -> None:
    """Append ``data``; with ``own_line``, after a newline if the file does not end in one."""
    if not data:
        return
    with open(path, "ab+") as fh:
        if own_line and fh.tell() > 0:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                data = b"\n" + data
        fh.write(data)


def remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
