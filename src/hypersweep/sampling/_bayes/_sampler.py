"""Bayesian optimisation: a Sobol start, then a GP with log expected improvement.

``suggest`` is the whole algorithm as one pure function of (space, seed, history, n,
goal). Its steps:

1. Fewer than ``initial_design_size`` trials so far (or fewer than two finished with a
   finite value): scrambled Sobol points, exactly the ``rule="sobol"`` random sampler's.
2. Otherwise, finished trials become training data. Scores are oriented so that larger
   is better; failed trials, trials that never logged the metric and non-finite values
   count as the worst finite score seen (their region is bad, but they must not distort
   the scale). Parameter sets outside the space (warm start from a different space) are
   clipped when numeric and dropped when a ``choice`` value is unknown.
3. Scores are standardised and, when heavy-tailed, squashed (see ``_warp``) so that a few
   terrible values do not flatten the model where it matters: near the best.
4. The GP's hyperparameters are fitted (on at most ``_FIT_CAP`` points: the best and the
   most recent), then the GP is conditioned on every point. Running trials are added as
   "kriging believer" fantasies (observed at their posterior mean), so their variance
   collapses and the next suggestion goes elsewhere; each suggestion of a batch is added
   the same way before the next one is chosen.
5. In a discrete space, points already tried or suggested are never suggested again;
   when none is left the batch is cut short (``[]`` once the space is exhausted).

All randomness comes from one generator seeded with (seed, len(history)).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from hypersweep.goal import PrimaryMetricGoal
from hypersweep.sampling._base import Observation
from hypersweep.sampling._bayes._acquisition import log_ei, maximize_log_ei
from hypersweep.sampling._bayes._gp import GaussianProcess, fit_hyperparameters
from hypersweep.sampling._bayes._transform import Encoder
from hypersweep.sampling._random import RandomParameterSampling
from hypersweep.space import SearchSpace

__all__ = ["initial_design_size", "suggest"]

_FIT_CAP = 200  # hyperparameters are fitted on at most this many points
_ENUMERATE = 20_000  # discrete spaces this small are scored point by point
_INCUMBENTS = 5  # best points whose neighbourhoods seed the candidate pool


def initial_design_size(space: SearchSpace) -> int:
    """Sobol points before the model takes over: max(5, 2 · number of parameters)."""
    return int(os.environ.get("HS_INIT", "0")) or max(5, 2 * len(space))


@dataclasses.dataclass(frozen=True)
class _Data:
    """History as feature rows: finished trials with scores, and running trials."""

    x: np.ndarray
    y: np.ndarray  # larger is better, failures imputed
    finite: int  # how many finished trials had a finite value
    pending: np.ndarray


def _collect(history: Sequence[Observation], encoder: Encoder,
             goal: PrimaryMetricGoal) -> _Data:
    rows, scores, pending = [], [], []
    for obs in history:
        row = encoder.encode(obs.params)
        if row is None:
            continue
        if obs.pending:
            pending.append(row)
            continue
        rows.append(row)
        scores.append(goal.score(obs.value))  # None / NaN / inf → -inf
    y = np.array(scores, dtype=float)
    ok = np.isfinite(y)
    if ok.any():
        y[~ok] = y[ok].min()
    x = np.array(rows, dtype=float).reshape(len(rows), encoder.dim)
    return _Data(x, y, int(ok.sum()), np.array(pending, dtype=float).reshape(-1, encoder.dim))


import os

from scipy.special import ndtri
from scipy.stats import rankdata

_WARP = os.environ.get("HS_WARP", "log")


def _warp(y: np.ndarray) -> np.ndarray:
    if _WARP == "copula":
        z = ndtri(rankdata(y) / (len(y) + 1))
        return (z - z.mean()) / z.std()
    if _WARP == "none":
        return (y - y.mean()) / y.std() if y.std() > 0 else np.zeros_like(y)
    return _warp_log(y)


def _warp_log(y: np.ndarray) -> np.ndarray:
    """Standardise; then compress the bad tail when it dwarfs the spread of the good half.

    Values below the median are mapped through a log so that e.g. Rosenbrock's 1e5 at the
    edges and 1e-2 near the optimum both stay visible; the order of scores is kept.
    """
    spread = y.std()
    if not np.isfinite(spread) or spread <= 0:
        return np.zeros_like(y)
    z = (y - y.mean()) / spread
    median = np.median(z)
    upper = z[z >= median]
    scale = max(float(upper.max() - median), 1e-12)
    below = z < median
    z[below] = median - scale * np.log1p((median - z[below]) / scale)
    return (z - z.mean()) / z.std()


def _fit_subset(data: _Data) -> np.ndarray:
    """Indices used to fit hyperparameters: all, or the best and the most recent."""
    n = len(data.y)
    if n <= _FIT_CAP:
        return np.arange(n)
    best = np.argsort(-data.y, kind="stable")[: _FIT_CAP // 2]
    rest = np.setdiff1d(np.arange(n), best)[-(_FIT_CAP - len(best)):]
    return np.sort(np.concatenate([best, rest]))


def _pool_size(n: int) -> int:
    """Candidates scored per suggestion: fewer when each costs more (large history)."""
    return int(np.clip(400_000 // max(n, 1), 512, 2048))


def suggest(space: SearchSpace, history: Sequence[Observation], n: int, *,
            goal: PrimaryMetricGoal, seed: int) -> list[dict[str, Any]]:
    """Up to ``n`` new parameter sets (see the module docstring for the algorithm)."""
    if n <= 0:
        return []
    encoder = Encoder(space)
    data = _collect(history, encoder, goal)
    discrete = space.is_discrete
    taken = {space.key(o.params) for o in history} if discrete else set()
    if discrete and len(taken) >= space.size():
        return []
    if len(history) < initial_design_size(space) or data.finite < 2 or encoder.dim == 0:
        return RandomParameterSampling(space, seed=seed, rule="sobol").suggest(history, n)
    rng = np.random.default_rng([seed, len(history), 0xB0])
    y = _warp(data.y)
    fit = _fit_subset(data)
    hyper = fit_hyperparameters(data.x[fit], y[fit], encoder.groups, encoder.n_groups, rng)
    gp = GaussianProcess(data.x, y, hyper, encoder.groups)
    if len(data.pending):
        gp = gp.condition(data.pending, gp.predict(data.pending)[0])
    out = _batch(gp, encoder, data.x, y, n, rng, taken if discrete else None)
    if discrete and len(out) < n and not _small(encoder):
        # every candidate the optimiser found was taken: fall back to untried Sobol points
        seen = [*history, *(Observation(p, pending=True) for p in out)]
        out += RandomParameterSampling(space, seed=seed, rule="sobol").suggest(
            seen, n - len(out))
    return out


def _batch(gp: GaussianProcess, encoder: Encoder, x: np.ndarray, y: np.ndarray, n: int,
           rng: np.random.Generator, taken: set[str] | None) -> list[dict[str, Any]]:
    best = float(y.max())
    incumbents = x[np.argsort(-y, kind="stable")[:_INCUMBENTS]]
    grid = _Grid(encoder, taken) if taken is not None and _small(encoder) else None
    is_taken = _taken_test(encoder, taken)
    out: list[dict[str, Any]] = []
    for _ in range(n):
        if grid is not None:
            row = grid.best(gp, best)
        else:
            row = maximize_log_ei(gp, encoder, best, incumbents, rng,
                                  pool_size=_pool_size(len(gp.y)), is_taken=is_taken)
        if row is None:
            break
        params = encoder.decode(row)[0]
        out.append(params)
        if taken is not None:
            taken.add(encoder.space.key(params))
        if grid is not None:
            grid.take(encoder.space.key(params))
        gp = gp.condition(row[None, :], gp.predict(row[None, :])[0])
    return out


def _small(encoder: Encoder) -> bool:
    return encoder.space.size() <= _ENUMERATE


def _taken_test(encoder: Encoder, taken: set[str] | None
                ) -> Callable[[np.ndarray], np.ndarray]:
    def is_taken(rows: np.ndarray) -> np.ndarray:
        if taken is None:
            return np.zeros(len(rows), dtype=bool)
        return np.array([encoder.space.key(p) in taken for p in encoder.decode(rows)],
                        dtype=bool)
    return is_taken


class _Grid:
    """All points of a small discrete space; the acquisition is scored on the untried."""

    def __init__(self, encoder: Encoder, taken: set[str]) -> None:
        self.rows = encoder.grid()
        self.keys = [encoder.space.key(p) for p in encoder.decode(self.rows)]
        self.free = np.array([k not in taken for k in self.keys], dtype=bool)

    def take(self, key: str) -> None:
        self.free &= np.array([k != key for k in self.keys], dtype=bool)

    def best(self, gp: GaussianProcess, best: float) -> np.ndarray | None:
        rows = self.rows[self.free]
        if not len(rows):
            return None
        return rows[int(np.argmax(log_ei(gp, rows, best)))]
