"""Random sampling: independent draws, or a scrambled Sobol sequence (``rule="sobol"``).

The i-th suggestion depends only on (seed, i), so the sequence is the same however the
controller batches its calls and after a resume. In a fully discrete space, points
already tried are skipped, and the sweep ends once every point has been tried.
"""

from __future__ import annotations

import itertools
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.stats import qmc

from hypersweep._checks import checked_arguments
from hypersweep.errors import ConfigurationError
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.sampling._base import Observation, ParameterSampling

__all__ = ["RandomParameterSampling"]

_RULES = ("random", "sobol")
_RETRIES = 64
_ENUMERABLE = 1_000_000  # spaces small enough to list the untried points


class RandomParameterSampling(ParameterSampling):
    """Random sampling over any parameter expressions.

    Example::

        RandomParameterSampling({"learning_rate": normal(10, 3),
                                 "keep_probability": uniform(0.05, 0.1),
                                 "batch_size": choice(16, 32, 64, 128)}, seed=7)
    """

    sampling_name = "random"
    uses_results = False
    _property_names = ("seed", "rule")

    @checked_arguments
    def __init__(self, parameter_space: Mapping[str, Any], properties: Mapping | None = None,
                 *, seed: int | None = None, rule: str | None = None) -> None:
        super().__init__(parameter_space, properties, seed=seed)
        if rule is None:
            rule = self._property("rule", "random")
        if not isinstance(rule, str) or rule.lower() not in _RULES:
            raise ConfigurationError(f"rule must be one of {', '.join(_RULES)}, got {rule!r}")
        self._rule = rule.lower()

    @property
    def rule(self) -> str:
        """'random' (independent draws) or 'sobol' (scrambled Sobol points)."""
        return self._rule

    def options(self) -> dict[str, Any]:
        return {"seed": self.seed, "rule": self._rule}

    def suggest(self, history: Sequence[Observation], n: int, *,
                goal: PrimaryMetricGoal = PrimaryMetricGoal.MAXIMIZE) -> list[dict[str, Any]]:
        if n <= 0:
            return []
        space = self.space
        if not space.is_discrete:
            points = (self._points(len(history), n) if self._rule == "sobol"
                      else [self._draw(len(history) + j) for j in range(n)])
            return points
        used = Counter(space.key(o.params) for o in history)
        if len(used) >= space.size():
            return []
        if self._rule == "sobol":
            return self._sobol_unique(used, n)
        return self._random_unique(used, len(history), n)

    # -- independent draws --------------------------------------------------------------
    def _draw(self, index: int) -> dict[str, Any]:
        rng = np.random.default_rng([self.seed, index])
        return {name: expr.sample(rng) for name, expr in self.space.items()}

    def _random_unique(self, used: Counter, start: int, n: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        taken = set(used)
        for j in range(n):
            rng = np.random.default_rng([self.seed, start + j])
            for _ in range(_RETRIES):
                params = {name: expr.sample(rng) for name, expr in self.space.items()}
                if self.space.key(params) not in taken:
                    break
            else:
                if self.space.size() > _ENUMERABLE:  # a repeat in a huge space: accept it
                    out.append(params)
                    continue
                remaining = [p for p in self._all_points() if self.space.key(p) not in taken]
                if not remaining:
                    return out
                params = remaining[int(rng.integers(len(remaining)))]
            taken.add(self.space.key(params))
            out.append(params)
        return out

    def _all_points(self):
        names = list(self.space)
        for combo in itertools.product(*(self.space[n].values() for n in names)):
            yield dict(zip(names, combo, strict=True))

    # -- Sobol ----------------------------------------------------------------------------
    def _engine(self) -> qmc.Sobol:
        return qmc.Sobol(d=len(self.space), scramble=True, seed=self.seed)

    def _map(self, unit: np.ndarray) -> list[dict[str, Any]]:
        columns = {name: expr.from_unit(unit[:, i])
                   for i, (name, expr) in enumerate(self.space.items())}
        return [{name: columns[name][r] for name in self.space} for r in range(len(unit))]

    def _points(self, start: int, n: int) -> list[dict[str, Any]]:
        engine = self._engine()
        if start:
            engine.fast_forward(start)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # balance warnings for n not a power of two
            return self._map(engine.random(n))

    def _sobol_unique(self, used: Counter, n: int) -> list[dict[str, Any]]:
        engine, out, taken = self._engine(), [], set(used)
        budget = int(min(max(1024, 64 * self.space.size()), 2**20))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            while budget > 0 and len(out) < n:
                for params in self._map(engine.random(256)):
                    key = self.space.key(params)
                    if key not in taken:
                        taken.add(key)
                        out.append(params)
                        if len(out) == n:
                            break
                budget -= 256
        return out
