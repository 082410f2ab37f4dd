"""Workspace: where experiments are stored (a SQLite file or a database URL) and where
their run folders live."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["Workspace"]

_DIR = ".hypersweep"
_DB = "hypersweep.db"
_CONFIG = "config.json"


class Workspace:
    """A store of experiments plus a folder for their run folders (``artifacts``).

    ``Workspace()`` or ``Workspace.from_config()`` use ``./.hypersweep/`` (or the nearest
    parent folder that has one); ``Workspace("path/to/project")`` uses that folder's
    ``.hypersweep/``; ``Workspace("postgresql+psycopg://...")`` shares a database across a
    team, with run folders under ``artifacts`` (default ``./.hypersweep``).

    Example::

        ws = Workspace.from_config()
        run = Experiment(ws, "digits").submit(config)
    """

    def __init__(self, path_or_url: str | os.PathLike | None = None, *,
                 artifacts: str | os.PathLike | None = None) -> None:
        from hypersweep._checks import describe
        from hypersweep.errors import ConfigurationError, ConfigurationTypeError

        if path_or_url is None:
            path_or_url = os.environ.get("HYPERSWEEP_WORKSPACE") or os.getcwd()
        if not isinstance(path_or_url, str | os.PathLike):
            raise ConfigurationTypeError(
                f"workspace must be a folder path or a database URL, got {describe(path_or_url)}")
        if artifacts is not None and not isinstance(artifacts, str | os.PathLike):
            raise ConfigurationTypeError(
                f"artifacts must be a folder path, got {describe(artifacts)}")
        text = os.fspath(path_or_url)
        for field, value in (("workspace", text), ("artifacts", artifacts)):
            if value is not None and not isinstance(os.fspath(value), str):
                raise ConfigurationTypeError(f"{field} must be a text path, got "
                                             f"{describe(value)}")
            if value is not None and ("\0" in os.fspath(value) or not os.fspath(value).strip()):
                raise ConfigurationError(f"{field} must be a non-empty path without NUL "
                                         f"characters, got {describe(value)}")
            try:
                if value is not None:
                    os.fsencode(value)
            except UnicodeEncodeError:  # e.g. a lone surrogate: no file can have that name
                raise ConfigurationError(f"{field} must be a path this system can encode as a "
                                         f"file name, got {describe(value)}") from None
        if "://" in text:
            self.url = text
            root = artifacts or os.environ.get("HYPERSWEEP_ARTIFACTS") or Path.cwd() / _DIR
        else:
            folder = Path(text).expanduser().resolve()
            if folder.name == _DIR:
                folder = folder.parent
            root = Path(artifacts) if artifacts else folder / _DIR
            self.url = f"sqlite:///{root / _DB}" if not artifacts else \
                f"sqlite:///{folder / _DIR / _DB}"
        self.root = str(Path(root).expanduser().resolve())
        self._store: Any = None

    @classmethod
    def from_config(cls, path: str | os.PathLike | None = None) -> Workspace:
        """The workspace named by ``$HYPERSWEEP_WORKSPACE``, a ``.hypersweep/config.json``
        ({"store": url, "artifacts": folder}), or the nearest ``.hypersweep`` folder."""
        if path is None and os.environ.get("HYPERSWEEP_WORKSPACE"):
            return cls(os.environ["HYPERSWEEP_WORKSPACE"])
        start = Path(path or os.getcwd()).expanduser().resolve()
        if start.is_file():
            return cls._from_file(start)
        for folder in (start, *start.parents):
            config = folder / _DIR / _CONFIG
            if config.is_file():
                return cls._from_file(config)
            if (folder / _DIR / _DB).exists():
                return cls(folder)
        return cls(start)

    @classmethod
    def _from_file(cls, config: Path) -> Workspace:
        from hypersweep.errors import ConfigurationError

        try:
            data = json.loads(config.read_text(encoding="utf-8"))
            return cls(data["store"], artifacts=data.get("artifacts"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(
                f"{config}: expected JSON like {{\"store\": \"sqlite:///...\"}}: {exc}") from None

    @property
    def store(self):
        """The store (opened on first use; creates the schema if needed)."""
        if self._store is None:
            from hypersweep.store import Store

            if self.url.startswith("sqlite"):  # the database file lives there; a server
                os.makedirs(self.root, mode=0o700, exist_ok=True)  # store's run folders
            self._store = Store(self.url)            # are made by the sweep that needs them
        return self._store

    @property
    def experiments(self) -> dict[str, Any]:
        """name → Experiment, for every experiment in the store."""
        from hypersweep.experiment._experiment import Experiment

        return {row["name"]: Experiment(self, row["name"])
                for row in self.store.experiments()}

    def __repr__(self) -> str:
        return f"Workspace({self.url!r})"
