"""Where a trial runs and what it is given: snapshot, run folder, command line, environment.

See docs/trial-contract.md. Each run gets its own working folder that links every entry
of the experiment's source snapshot, so a script saving to the relative path ``outputs/``
writes into its own run's folder and concurrent runs never collide.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hypersweep.errors import ConfigurationError
from hypersweep.space import SearchSpace, render_value

__all__ = ["build_command", "hyperparameter_env", "make_snapshot", "prepare_run_dir",
           "private_dir", "stage_run_dir", "trial_env"]

SNAPSHOT_LIMIT_BYTES = 300 * 1024 * 1024  # HyperDrive's snapshot limit
_IGNORED = (".git", ".hypersweep", "__pycache__", ".venv", "venv", ".ipynb_checkpoints",
            "node_modules", "outputs", "logs", "*.pyc", ".pytest_cache", ".mypy_cache",
            ".ruff_cache")
_PLACEHOLDER = re.compile(r"\$\{\{\s*(search_space|outputs)\.([A-Za-z0-9_.\-]+)\s*\}\}")
_SOURCES = (".py", ".pyw", ".pyc")  # linked symbolically (see _link)
_PYTHONS = ("python", "python3", f"python{sys.version_info.major}.{sys.version_info.minor}")


def _ignore(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if any(fnmatch.fnmatch(n, p) for p in _IGNORED)}


def make_snapshot(source_dir: str, dest: str) -> None:
    """Copy the source folder once per experiment (ignoring caches, VCS and outputs)."""
    source = Path(source_dir)
    if not source.is_dir():
        raise ConfigurationError(f"source_directory {source_dir!r} is not a folder")
    total = 0
    for root, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if d not in _ignore(root, dirs)]
        for name in set(files) - _ignore(root, files):
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                continue
        if total > SNAPSHOT_LIMIT_BYTES:
            raise ConfigurationError(
                f"source_directory {source_dir!r} holds more than 300 MB; move data out of it "
                "(trials read data by absolute path) or point source_directory at the code only")
    shutil.copytree(source, dest, ignore=_ignore, symlinks=True, dirs_exist_ok=True)


def private_dir(path: str) -> None:
    """Create folder ``path`` and any missing parent as owner-only (0700) whatever the
    umask: ``os.makedirs`` gives its mode to the last folder only."""
    missing = []
    while path and not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue
        os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask; 0700 needs no mask


def stage_run_dir(run_dir: str, snapshot_dir: str) -> None:
    """Create the run's folder with outputs/ and logs/ (owner-only), linking the snapshot's
    entries, with an empty metrics channel the trial appends to. Done ahead of the launch
    while other trials run; the log file is left out, since its existence marks a run
    whose launch began (see the controller's reconciliation)."""
    private_dir(os.path.join(run_dir, "outputs"))
    private_dir(os.path.join(run_dir, "logs"))
    os.close(os.open(os.path.join(run_dir, "logs", "metrics.jsonl"),
                     os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        entries = list(os.scandir(snapshot_dir))
    except FileNotFoundError:
        entries = []
    for entry in entries:
        if entry.name not in ("outputs", "logs"):
            _link(entry, os.path.join(run_dir, entry.name))


def _link(entry: os.DirEntry, dest: str) -> None:
    """Link a snapshot entry into a run folder, so the run sees the snapshot's file, not
    a copy. A data or config file gets a hard link: a new directory entry only, where a
    symbolic link is a new inode, which costs 0.2-0.4 ms of kernel time on some ext4
    disks, per file and per trial. A Python source keeps a symbolic link: Python resolves
    it, so the script's folder on ``sys.path`` is the snapshot and every run shares one
    ``__pycache__`` (a hard-linked module would be compiled again in every run folder).
    Folders and symbolic links are linked symbolically."""
    if entry.is_file(follow_symlinks=False) and not entry.name.endswith(_SOURCES):
        try:
            os.link(entry.path, dest, follow_symlinks=False)
            return
        except OSError:
            pass  # another file system, one without hard links, or linked already
    with contextlib.suppress(FileExistsError):  # made ahead, or linked above
        os.symlink(entry.path, dest)


def prepare_run_dir(run_dir: str, snapshot_dir: str) -> None:
    """The run's folder as :func:`stage_run_dir` makes it, plus its empty log."""
    stage_run_dir(run_dir, snapshot_dir)
    os.close(os.open(os.path.join(run_dir, "logs", "std_log.txt"),
                     os.O_CREAT | os.O_WRONLY, 0o600))


def build_command(*, script: str | None, arguments: Sequence[str],
                  command: Sequence[str] | None, space: SearchSpace,
                  params: Mapping[str, Any], python: str, output_dir: str
                  ) -> tuple[list[str], list[str]]:
    """(full argv, the script's arguments) for one trial.

    Without ``command``: ``python script *arguments --name value ...``. With a v2 YAML
    command, placeholders are filled token by token, so each value stays one argument.
    """
    if command is None:
        args = list(arguments) + space.arguments(params)
        return [python, str(script), *args], args

    def fill(match: re.Match[str]) -> str:
        scope, key = match.groups()
        return render_value(params[key]) if scope == "search_space" else output_dir

    argv = [_PLACEHOLDER.sub(fill, token) for token in command]
    if argv[0] in _PYTHONS:
        argv[0] = python
        return argv, argv[2:] if len(argv) > 1 and not argv[1].startswith("-") else argv[1:]
    return argv, argv[1:]


def trial_env(*, run_id: str, experiment: str, sweep_id: str, run_dir: str,
              channel_path: str, space: SearchSpace, params: Mapping[str, Any],
              extra: Mapping[str, str], resume_from: str | None = None) -> dict[str, str]:
    """The variables a trial gets on top of the inherited environment."""
    env = dict(extra)
    env.update({
        "HYPERSWEEP_RUN_ID": run_id,
        "HYPERSWEEP_EXPERIMENT": experiment,
        "HYPERSWEEP_SWEEP_ID": sweep_id,
        "HYPERSWEEP_METRICS_PATH": channel_path,
        "HYPERSWEEP_OUTPUT_DIR": os.path.join(run_dir, "outputs"),
        "HYPERSWEEP_RUN_DIR": run_dir,
        "PYTHONUNBUFFERED": "1",
    })
    env.update(hyperparameter_env(space, params))
    if resume_from:
        env["HYPERSWEEP_RESUME_FROM"] = resume_from
        env["AZUREML_DATAREFERENCE_MODEL_LOCATION"] = resume_from
    return env


def hyperparameter_env(space: SearchSpace, params: Mapping[str, Any]) -> dict[str, str]:
    """``HYPERSWEEP_<name>`` and ``AZUREML_SWEEP_<name>`` for each hyperparameter."""
    env = {}
    for name in space:
        value = render_value(params[name])
        env[f"HYPERSWEEP_{space.env_name(name)}"] = value
        env[f"AZUREML_SWEEP_{space.env_name(name)}"] = value
    return env
