"""A throwaway PostgreSQL server for tests (Debian's ``postgresql`` package).

``initdb`` into a temporary folder (as the ``postgres`` user when running as root: the
server refuses to run as root), then ``pg_ctl start`` on a free loopback port with its
socket in that folder. Trust authentication, loopback only, fsync off (the data is
thrown away; durability across a *server* restart does not need it: a fast shutdown
checkpoints). ``restart()`` is ``pg_ctl restart -m fast``: every connection is cut.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def bin_dir() -> str | None:
    """The newest installed PostgreSQL's bin folder that has initdb and pg_ctl."""
    found = sorted(glob.glob(_BIN_GLOB), key=lambda p: int(p.split("/")[-2]))
    for folder in reversed(found):
        if os.path.exists(os.path.join(folder, "initdb")):
            return folder
    return None


def postgres_missing() -> str | None:
    """Why PostgreSQL tests cannot run here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[dev]' or '.[postgres]')"
    if bin_dir() is None:
        return ("PostgreSQL server binaries are missing (/usr/lib/postgresql/*/bin/initdb): "
                "run .ci/deps/postgres.sh as root")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One throwaway cluster; ``url(db)`` gives a SQLAlchemy URL for a database in it."""

    def __init__(self) -> None:
        self.bin = bin_dir() or ""
        self.root = tempfile.mkdtemp(prefix="hs-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = _free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, timeout=timeout)

    def _ctl(self, action: str, *extra: str) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off "
                   "-c max_connections=200")
        self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-w", "-t", "60",
                  "-l", os.path.join(self.root, "server.log"), "-o", options, action, *extra)

    def start(self) -> PostgresServer:
        self._run(os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "postgres",
                  "-A", "trust", "-E", "UTF8", "--no-sync")
        self._ctl("start")
        return self

    def restart(self) -> None:
        """Restart the server at once: open connections are cut, as in a real outage."""
        self._ctl("restart", "-m", "fast")

    def down(self) -> None:
        """Stop the server, keeping its data, until :meth:`up` (a longer outage)."""
        self._ctl("stop", "-m", "fast")

    def up(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = f"hs_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def wait_ready(self, timeout: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                                dbname="postgres", connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


_shared: PostgresServer | None = None
_users = 0


@pytest.fixture(scope="session")
def postgres_server():
    """One server per test session (several modules may import this fixture)."""
    global _shared, _users
    why = postgres_missing()
    if why:
        pytest.skip(why)
    if _shared is None:
        server = PostgresServer()
        try:
            server.start()
        except BaseException:
            server.stop()
            raise
        _shared = server
    _users += 1
    yield _shared
    _users -= 1
    if _users == 0:
        _shared.stop()
        _shared = None


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh database on the session's server."""
    return postgres_server.new_database()
