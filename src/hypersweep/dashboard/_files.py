"""A run's files as the dashboard may show them: only below the run folder's ``outputs/``
and ``logs/``, after resolving symbolic links, so no request reaches any other file."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["LOG", "list_files", "resolve", "tail"]

TOPS = ("outputs", "logs")
LOG = "logs/std_log.txt"
MAX_FILES = 2000
TAIL_BYTES = 256 * 1024


def _inside(path: str, folder: str) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, base]) == base and real != base


def resolve(run_dir: str, name: str) -> str | None:
    """The absolute path of ``name`` (``outputs/...`` or ``logs/...``) inside the run
    folder, or None when it is not a regular file there (``..``, absolute paths and links
    pointing elsewhere included)."""
    parts = name.split("/")
    if len(parts) < 2 or parts[0] not in TOPS or any(p in ("", ".", "..") for p in parts) \
            or "\\" in name or "\x00" in name:
        return None
    path = os.path.join(run_dir, *parts)
    if not _inside(path, os.path.join(run_dir, parts[0])) or not os.path.isfile(path):
        return None
    return os.path.realpath(path)


def list_files(run_dir: str) -> dict[str, Any]:
    """``{"files": [{name, size}], "truncated": bool}`` for outputs/ and logs/, sorted."""
    files: list[dict[str, Any]] = []
    for top in TOPS:
        base = os.path.join(run_dir, top)
        for root, dirs, names in os.walk(base):
            dirs.sort()
            for fname in sorted(names):
                rel = os.path.relpath(os.path.join(root, fname), run_dir).replace(os.sep, "/")
                path = resolve(run_dir, rel)
                if path is not None:
                    files.append({"name": rel, "size": os.path.getsize(path)})
                if len(files) >= MAX_FILES:
                    return {"files": files, "truncated": True}
    return {"files": sorted(files, key=lambda f: f["name"]), "truncated": False}


def tail(run_dir: str, lines: int) -> dict[str, Any]:
    """The last ``lines`` lines of the run's log (at most 256 KiB are read)."""
    path = resolve(run_dir, LOG)
    if path is None:
        return {"text": "", "exists": False, "size": 0}
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - TAIL_BYTES))
        data = fh.read()
    text = data.decode("utf-8", errors="replace").splitlines()
    if size > TAIL_BYTES and text:
        text = text[1:]  # the first line read is probably cut
    return {"text": "\n".join(text[-lines:]), "exists": True, "size": size}
