"""Curve sets: every configuration's learning curve, recorded once and replayed many times.

A curve set is what one full sweep without early termination would have produced: for
each configuration its hyperparameters, its primary-metric value after every epoch, and
how long one epoch takes (the replay's simulated clock advances by it). Sets are stored as
compact JSON under ``benchmarks/policies/data/`` so that every replay reads the same
numbers and the benchmark never retrains a model.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["DATA", "CurveSet", "load", "load_all", "rounded"]

DATA = Path(__file__).parent / "data"
SET_NAMES = ("digits_mlp", "breast_cancer_gb", "mfh3_bad", "mfh6_terrible")


def rounded(value: float, digits: int = 6) -> float:
    """``value`` to ``digits`` significant digits (equal inputs stay equal: ties survive)."""
    return float(f"{value:.{digits}g}") if math.isfinite(value) else value


@dataclasses.dataclass(frozen=True)
class CurveSet:
    """One curve set. ``values[c][e]`` is configuration c's metric after epoch e + 1."""

    name: str
    metric: str
    goal: str                              # "maximize" or "minimize"
    values: tuple[tuple[float, ...], ...]
    seconds_per_epoch: tuple[float, ...]
    params: tuple[dict[str, Any], ...]
    description: str = ""
    source: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.goal not in ("maximize", "minimize"):
            raise ValueError(f"goal must be 'maximize' or 'minimize', got {self.goal!r}")
        lengths = {len(v) for v in self.values}
        if len(lengths) != 1:
            raise ValueError(f"curve set {self.name!r}: curves have different lengths {lengths}")
        if not len(self.values) == len(self.seconds_per_epoch) == len(self.params):
            raise ValueError(f"curve set {self.name!r}: values, seconds_per_epoch and params "
                             "must have one entry per configuration")

    @property
    def size(self) -> int:
        """Number of configurations."""
        return len(self.values)

    @property
    def epochs(self) -> int:
        """Epochs of a full run (every curve has this many values)."""
        return len(self.values[0])

    @property
    def sign(self) -> int:
        """+1 when larger is better, -1 when smaller is."""
        return 1 if self.goal == "maximize" else -1

    def final(self, config: int) -> float:
        """The value a configuration ends with after its last epoch."""
        return self.values[config][-1]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "metric": self.metric, "goal": self.goal,
                "description": self.description, "source": self.source,
                "epochs": self.epochs, "configs": [
                    {"params": p, "seconds_per_epoch": s, "values": list(v)}
                    for p, s, v in zip(self.params, self.seconds_per_epoch, self.values,
                                       strict=True)]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CurveSet:
        configs = data["configs"]
        return cls(name=data["name"], metric=data["metric"], goal=data["goal"],
                   values=tuple(tuple(float(x) for x in c["values"]) for c in configs),
                   seconds_per_epoch=tuple(float(c["seconds_per_epoch"]) for c in configs),
                   params=tuple(dict(c["params"]) for c in configs),
                   description=data.get("description", ""), source=data.get("source", {}))

    def save(self, folder: Path = DATA) -> Path:
        """Write ``<folder>/<name>.json`` (one configuration per line, so diffs stay small)."""
        folder.mkdir(parents=True, exist_ok=True)
        head = {k: v for k, v in self.to_json().items() if k != "configs"}
        lines = [json.dumps(c, separators=(",", ":")) for c in self.to_json()["configs"]]
        text = json.dumps(head, indent=1)[:-2] + ',\n "configs": [\n' + ",\n".join(lines) \
            + "\n]}\n"
        path = folder / f"{self.name}.json"
        path.write_text(text)
        return path


def load(name: str, folder: Path = DATA) -> CurveSet:
    """The curve set saved as ``<folder>/<name>.json``."""
    return CurveSet.from_json(json.loads((folder / f"{name}.json").read_text()))


def load_all(names: Sequence[str] = SET_NAMES, folder: Path = DATA) -> list[CurveSet]:
    return [load(n, folder) for n in names]
