"""Where a trial runs and what it is given: snapshot, run folder, command line, environment.

See docs/trial-contract.md. Each run gets its own working folder that links every entry
of the experiment's source snapshot, so a script saving to the relative path ``outputs/``
writes into its own run's folder and concurrent runs never collide.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import os
import re
import shlex
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hypersweep._shell import is_shell_command, shell_arguments
from hypersweep.errors import ConfigurationError
from hypersweep.space import SearchSpace, render_value

__all__ = ["build_command", "hyperparameter_env", "make_snapshot", "prepare_run_dir",
           "private_dir", "stage_run_dir", "trial_env"]

SNAPSHOT_LIMIT_BYTES = 300 * 1024 * 1024  # HyperDrive's snapshot limit
_IGNORED = (".git", ".hypersweep", "__pycache__", ".venv", "venv", ".ipynb_checkpoints",
            "node_modules", "outputs", "logs", "*.pyc", ".pytest_cache", ".mypy_cache",
            ".ruff_cache")
_PLACEHOLDER = re.compile(r"\$\{\{\s*(search_space|outputs)\.([A-Za-z0-9_.\-]+)\s*\}\}")
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
    """Create the run's folder with outputs/ and logs/ (owner-only) and its own view of the
    snapshot (see :func:`_plan`), with an empty metrics channel the trial appends to.
    The log is left to :func:`prepare_run_dir`: an executor may take its existence as
    the mark of a launch begun (``Executor.launch_begun``)."""
    private_dir(os.path.join(run_dir, "outputs"))
    private_dir(os.path.join(run_dir, "logs"))
    os.close(os.open(os.path.join(run_dir, "logs", "metrics.jsonl"),
                     os.O_CREAT | os.O_WRONLY, 0o600))
    for action, rel, mode in _plan(snapshot_dir):
        source, dest = os.path.join(snapshot_dir, rel), os.path.join(run_dir, rel)
        with contextlib.suppress(FileExistsError):  # made ahead, or staged twice
            if action == "link":
                os.symlink(source, dest)
            elif action == "dir":
                os.mkdir(dest)
            else:
                _place(source, dest, mode, copy=action == "copy")


COPY_LIMIT = 1024 * 1024  # files up to this size get a private copy in every run folder
_FICLONE = 0x40049409      # Linux ioctl: a copy-on-write clone (btrfs, XFS; not ext4)
_PLANS: dict[tuple[str, int, int], list[tuple[str, str, int]]] = {}


def _plan(snapshot_dir: str) -> list[tuple[str, str, int]]:
    """How a run folder mirrors the snapshot: (action, relative path, file mode), parents
    first. Computed once per snapshot (a snapshot never changes once made).

    Each run must see the snapshot as its own copy (SPEC §7), as a HyperDrive run does:
    a script that rewrites a state file, saves checkpoints into a folder of its source
    directory, or writes next to itself (``Path(__file__).parent``) must not change what
    other runs, or a later re-run, see. So folders are real folders per run and files,
    Python sources included, are private copies (up to :data:`COPY_LIMIT`; larger ones
    are copy-on-write clones where the file system has them, else hard links: shared
    inputs, too big to copy per run). Symbolic links in the snapshot stay links."""
    try:
        info = os.stat(snapshot_dir)
    except FileNotFoundError:
        return []
    key = (snapshot_dir, info.st_ino, info.st_mtime_ns)
    if key not in _PLANS:
        plan: list[tuple[str, str, int]] = []
        _plan_folder(snapshot_dir, "", plan)
        _PLANS[key] = plan
    return _PLANS[key]


def _plan_folder(root: str, rel: str, plan: list[tuple[str, str, int]]) -> None:
    for entry in sorted(os.scandir(os.path.join(root, rel)), key=lambda e: e.name):
        path = os.path.join(rel, entry.name)
        if not rel and entry.name in ("outputs", "logs"):
            continue  # the run's own
        if entry.is_symlink():
            plan.append(("link", path, 0))
        elif entry.is_dir():
            plan.append(("dir", path, 0))
            _plan_folder(root, path, plan)
        elif entry.is_file():
            size, mode = entry.stat().st_size, entry.stat().st_mode & 0o777
            plan.append(("copy" if size <= COPY_LIMIT else "share", path, mode))


def _place(source: str, dest: str, mode: int, *, copy: bool) -> None:
    """A snapshot file in a run folder: a copy-on-write clone where the file system has
    them; otherwise a private copy (``copy``) or, for a large file, a hard link (else a
    symbolic link)."""
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    try:
        with open(source, "rb") as src:
            if _clone(src.fileno(), fd):
                return
            if copy:
                while chunk := src.read(1024 * 1024):
                    os.write(fd, chunk)
                return
    finally:
        os.close(fd)
    os.unlink(dest)
    try:
        os.link(source, dest, follow_symlinks=False)
    except OSError:  # another file system, or one without hard links
        os.symlink(source, dest)


def _clone(source_fd: int, dest_fd: int) -> bool:
    try:
        fcntl.ioctl(dest_fd, _FICLONE, source_fd)
    except OSError:
        return False
    return True


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
    if is_shell_command(argv):  # `python` in it is the sweep's interpreter, found first
        prologue = f"PATH={shlex.quote(os.path.dirname(python))}:\"$PATH\"; "
        return [*argv[:2], prologue + argv[2]], shell_arguments(argv[2])
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
