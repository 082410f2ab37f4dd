"""A real, throwaway Ray cluster for tests: a head node and worker nodes on loopback.

Each node is one ``ray start --block`` in its own session, so the node — raylet, agents,
worker processes — is exactly the processes of that session: stopping (or "losing") a
node kills them by session id. ``ray stop`` is never used: it would kill every Ray
process on the machine, other users' included.

Settings that make it work on small shared machines: ``RAY_AUTH_MODE=disabled`` for
every Ray process (the driver too), explicit memory sizes, ports picked free from the
ephemeral range (never 10002–19999, where Ray puts its worker ports), no dashboard, and
fast node-death detection on the head (a lost node is declared dead in ~5 s, not ~60 s).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

RAY_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
HEALTH = {"health_check_initial_delay_ms": 1000, "health_check_period_ms": 1000,
          "health_check_timeout_ms": 1000, "health_check_failure_threshold": 5}
START_TIMEOUT = 90.0


def ray_missing() -> str | None:
    """Why Ray tests cannot run here, or None."""
    try:
        import ray  # noqa: F401
    except ImportError:
        return "Ray is not installed (pip install -e '.[dev]' or '.[ray]')"
    if not (Path(sys.executable).parent / "ray").exists() and shutil.which("ray") is None:
        return "the `ray` command is missing"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ray_cli() -> str:
    local = Path(sys.executable).parent / "ray"
    return str(local) if local.exists() else "ray"


def session_pids(sid: int) -> list[int]:
    """Live processes of session ``sid`` (one Ray node)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != b"Z":
            found.append(int(entry))
    return found


class Node:
    """One ``ray start --block`` process and its session."""

    def __init__(self, name: str, args: list[str], temp: str) -> None:
        self.name = name
        self.log_path = os.path.join(temp, f"{name}.log")
        env = {**os.environ, **RAY_ENV}
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([_ray_cli(), "start", *args, "--block"], env=env,
                                        stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_started(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            text = Path(self.log_path).read_text(errors="replace")
            if "Ray runtime started" in text:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"ray node {self.name} did not start:\n{text[-3000:]}")

    def kill(self) -> None:
        """SIGKILL every process of the node (a node lost without warning)."""
        for _ in range(3):
            for pid in session_pids(self.proc.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


class RayTestCluster:
    """Head (2 CPUs) plus worker nodes (2 CPUs and 2 ``slot`` each: a trial asking for a
    slot runs on a worker node, never on the head)."""

    def __init__(self) -> None:
        self.temp = tempfile.mkdtemp(prefix="hs-ray-")
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.nodes: list[Node] = []
        self._saved_env = {k: os.environ.get(k) for k in RAY_ENV}

    def _common(self) -> list[str]:
        return ["--node-ip-address", "127.0.0.1", "--num-cpus", "2",
                "--memory", str(2 * 10**9), "--object-store-memory", str(500 * 10**6),
                "--temp-dir", self.temp, "--disable-usage-stats",
                "--dashboard-agent-listen-port", str(free_port()),
                "--dashboard-agent-grpc-port", str(free_port()),
                "--runtime-env-agent-port", str(free_port()),
                "--metrics-export-port", str(free_port())]

    def start(self, workers: int = 1) -> RayTestCluster:
        os.environ.update(RAY_ENV)  # the driver (this process) needs it too
        head = Node("head", ["--head", "--port", str(self.port), "--include-dashboard",
                             "false", "--ray-client-server-port", str(free_port()),
                             "--system-config", json.dumps(HEALTH), *self._common()],
                    self.temp)
        self.nodes.append(head)
        head.wait_started()
        for _ in range(workers):
            self.add_worker(wait=False)
        for node in self.nodes[1:]:
            node.wait_started()
        return self

    def add_worker(self, *, wait: bool = True, resources: dict | None = None) -> Node:
        node = Node(f"worker{len(self.nodes)}",
                    ["--address", self.address,
                     "--resources", json.dumps(resources or {"slot": 2}),
                     *self._common()], self.temp)
        self.nodes.append(node)
        if wait:
            node.wait_started()
        return node

    def connect(self) -> None:
        import ray

        if not ray.is_initialized():
            ray.init(address=self.address, namespace="hypersweep-tests", log_to_driver=False,
                     logging_level="WARNING")

    def wait_nodes(self, count: int, timeout: float = 60.0) -> None:
        import ray

        deadline = time.monotonic() + timeout
        while sum(1 for n in ray.nodes() if n["Alive"]) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"fewer than {count} live Ray nodes after {timeout} s")
            time.sleep(0.2)

    def stop(self) -> None:
        import ray

        if ray.is_initialized():
            ray.shutdown()
        for node in reversed(self.nodes):
            node.kill()
        shutil.rmtree(self.temp, ignore_errors=True)
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_shared: RayTestCluster | None = None
_users = 0


@pytest.fixture(scope="session")
def ray_cluster():
    """One cluster per test session (head + one worker), connected as the driver. The
    fixture may be imported by several modules: they all get the same cluster."""
    global _shared, _users
    why = ray_missing()
    if why:
        pytest.skip(why)
    if _shared is None:
        cluster = RayTestCluster()
        try:
            cluster.start(workers=1)
            cluster.connect()
            cluster.wait_nodes(2)
        except BaseException:
            cluster.stop()
            raise
        _shared = cluster
    _users += 1
    yield _shared
    _users -= 1
    if _users == 0:
        _shared.stop()
        _shared = None
