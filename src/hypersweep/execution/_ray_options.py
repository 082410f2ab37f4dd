"""A trial's resource request as Ray actor options, and checks made before launching.

Resources (``ScriptRunConfig(resources=...)``, ``SweepSpec.compute["resources"]``) are
a flat mapping: ``num_cpus`` (default 1: a trial is at least one busy process),
``num_gpus``, ``memory`` (bytes) and any other name as a custom Ray resource, e.g.
``{"num_cpus": 4, "num_gpus": 1, "memory": 8e9, "accelerator_a100": 1}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypersweep.errors import ConfigurationError

__all__ = ["actor_options", "check_address", "feasible", "loss_reason"]

# how Ray names the standard resources in a node's totals
_RAY_NAMES = {"num_cpus": "CPU", "num_gpus": "GPU", "memory": "memory"}


def actor_options(resources: Mapping[str, float]) -> dict[str, Any]:
    """Options for ``ActorClass.options()``: the request, no restarts (a lost trial is
    the executor's to retry), and enough threads to answer polls and a cancel at once."""
    custom = dict(resources)
    opts: dict[str, Any] = {"num_cpus": float(custom.pop("num_cpus", 1)),
                            "num_gpus": float(custom.pop("num_gpus", 0))}
    if "memory" in custom:
        opts["memory"] = int(custom.pop("memory"))
    if custom:
        opts["resources"] = {k: float(v) for k, v in custom.items()}
    opts.update(max_restarts=0, max_task_retries=0, max_concurrency=4)
    return opts


def _request(options: Mapping[str, Any]) -> dict[str, float]:
    wanted = {_RAY_NAMES[k]: float(options[k]) for k in _RAY_NAMES if options.get(k)}
    wanted.update(options.get("resources") or {})
    return {k: v for k, v in wanted.items() if v > 0}


def feasible(options: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]]) -> str | None:
    """None if some live node could hold the request, else why not (naming what the
    largest nodes offer), so the run fails at once instead of waiting forever."""
    wanted = _request(options)
    for node in nodes:
        total = node.get("Resources", {})
        if all(total.get(name, 0.0) >= amount for name, amount in wanted.items()):
            return None
    offered = sorted({", ".join(f"{k}={v:g}" for k, v in sorted(n.get("Resources", {}).items())
                                if not k.startswith("node:") and k != "object_store_memory")
                      for n in nodes})
    return (f"no node of the Ray cluster can hold a trial asking for "
            f"{', '.join(f'{k}={v:g}' for k, v in wanted.items())}; nodes offer: "
            f"{'; '.join(offered) or 'no live node'} (for an autoscaling cluster pass "
            "check_resources=False)")


def check_address(address: Any) -> str | None:
    """``None`` (start a local Ray instance), ``"auto"``, ``"ray://host:port"`` or
    ``"host:port"``; anything else is a configuration error naming the forms."""
    if address is None or address == "auto":
        return address
    if isinstance(address, str):
        rest = address.removeprefix("ray://")
        host, sep, port = rest.rpartition(":")
        if sep and host and port.isdigit():
            return address
    raise ConfigurationError(
        f"Ray address must be 'auto', 'ray://host:port', 'host:port' or None (a local Ray "
        f"instance), got {address!r}")


def loss_reason(exc: BaseException, where: str = "") -> str:
    """Why a trial's actor is gone, for the run's message: its node died (Ray says so in
    one of its lines), or the actor's worker process itself (killed, out of memory)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    about_node = [line for line in lines if "node" in line.lower()]
    node_died = any("died" in line.lower() or "dead" in line.lower() for line in about_node)
    detail = (about_node or lines or [type(exc).__name__])[0]
    place = f"{where}: " if where else ""
    if node_died:
        return f"worker node lost: {place}{detail}"
    return f"Ray trial host lost: {place}{detail}"
