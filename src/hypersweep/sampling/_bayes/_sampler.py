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
3. Scores are standardised and their bad half is squashed through a log
   (``_compress_tail``) so that a few terrible values do not flatten the model where it
   matters: near the best. The GP's prior mean is then put ``_PESSIMISM`` standard
   deviations *below* the mean score: a region without data is presumed worse than
   average, not average. With the usual zero-mean prior, log EI in 4-6 dimensions spends
   many trials on empty corners of the box (high variance, average mean); measured on the
   benchmark (docs/bayesian.md) the shift cut Branin's failures to converge, halved
   Ackley-5's and Rosenbrock-4's regret and doubled the share of Hartmann-6 runs that
   find the global basin within 50 trials.
4. The GP's hyperparameters are fitted (on at most ``_FIT_CAP`` points: the best and the
   most recent), then the GP is conditioned on every point. Running trials are added as
   "kriging believer" fantasies (observed at their posterior mean), so their variance
   collapses and the next suggestion goes elsewhere; those near the best point also cut
   a small hole into the acquisition around themselves (``_Running``), because there a
   fantasy changes almost nothing and the next suggestion would repeat them. Each
   suggestion of a batch is added the same way before the next one is chosen.
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
from hypersweep.sampling._bayes._acquisition import (
    Penalty,
    maximize_log_ei,
    penalised_log_ei,
)
from hypersweep.sampling._bayes._gp import GaussianProcess, fit_hyperparameters
from hypersweep.sampling._bayes._threads import one_blas_thread
from hypersweep.sampling._bayes._transform import Encoder
from hypersweep.sampling._random import RandomParameterSampling
from hypersweep.space import SearchSpace

__all__ = ["initial_design_size", "suggest"]

_FIT_CAP = 150  # hyperparameters are fitted on at most this many points
_ENUMERATE = 20_000  # discrete spaces this small are scored point by point
_INCUMBENTS = 1  # best observed points used as acquisition-optimiser starts
_PESSIMISM = 1.2  # prior mean, in standard deviations below the mean score (step 3)
_NEAR = 0.5  # running trials closer than this to the best point (in length scales) …
_HOLE = 0.3  # … also get a hole of this fraction of that distance (radius)
_MIN_HOLE = 1e-3  # smallest hole radius, in length scales


def initial_design_size(space: SearchSpace) -> int:
    """Sobol points before the model takes over: max(5, 2 · number of parameters)."""
    return max(5, 2 * len(space))


@dataclasses.dataclass(frozen=True)
class _Data:
    """History as feature rows: finished trials with scores, and running trials."""

    x: np.ndarray
    y: np.ndarray  # larger is better, failures imputed
    finite: int  # how many finished trials had a finite value
    pending: np.ndarray


def _collect(history: Sequence[Observation], encoder: Encoder,
             goal: PrimaryMetricGoal) -> _Data:
    """Encode the history; impute failed and non-finite scores with the worst finite one."""
    rows, inside = encoder.encode_rows([o.params for o in history])
    pending = np.array([o.pending for o in history], dtype=bool)
    done = inside & ~pending
    y = np.array([goal.score(o.value) for o, d in zip(history, done, strict=True) if d],
                 dtype=float)  # None / NaN / inf → -inf
    ok = np.isfinite(y)
    if ok.any():
        y[~ok] = y[ok].min()
    return _Data(rows[done], y, int(ok.sum()), rows[inside & pending])


def _standardise(y: np.ndarray) -> np.ndarray:
    """(y − mean) / std; all zeros when every score is the same."""
    spread = float(y.std())
    if not np.isfinite(spread) or spread <= 0:
        return np.zeros_like(y)
    return (y - y.mean()) / spread


def _compress_tail(y: np.ndarray) -> np.ndarray:
    """Standardise, then map scores below the median through a log, and standardise again.

    The good half keeps its shape; the bad half is squashed so that e.g. Rosenbrock's
    1e5 at the edges does not hide the 1e-2 differences near the optimum. Order is kept.
    """
    z = _standardise(y)
    median = float(np.median(z))
    scale = max(float(z.max()) - median, 1e-12)
    below = z < median
    z[below] = median - scale * np.log1p((median - z[below]) / scale)
    return _standardise(z)


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
    with one_blas_thread():
        out = _model_suggest(encoder, data, n, seed, len(history),
                             taken if discrete else None)
    if discrete and len(out) < n and not _small(encoder):
        # every candidate the optimiser found was taken: fall back to untried Sobol points
        seen = [*history, *(Observation(p, pending=True) for p in out)]
        out += RandomParameterSampling(space, seed=seed, rule="sobol").suggest(
            seen, n - len(out))
    return out


def _model_suggest(encoder: Encoder, data: _Data, n: int, seed: int, n_history: int,
                   taken: set[str] | None) -> list[dict[str, Any]]:
    """Fit the GP to the data (pending trials as fantasies) and choose ``n`` points."""
    rng = np.random.default_rng([seed, n_history, 0xB0])
    y = _compress_tail(data.y) + _PESSIMISM
    fit = _fit_subset(data)
    hyper = fit_hyperparameters(data.x[fit], y[fit], encoder.groups,
                                encoder.categorical_groups, rng)
    gp = GaussianProcess(data.x, y, hyper, encoder.groups)
    return _batch(gp, encoder, data.x, y, data.pending, n, rng, taken)


class _Running:
    """Running trials (and a batch's earlier suggestions) as the next suggestion sees them.

    Every running trial is a kriging-believer fantasy: observed at its posterior mean,
    which collapses the variance around it and sends the next suggestion elsewhere.
    Near the best observed point that is not enough: the GP is already nearly sure of
    the function there, a fantasy barely changes it, and log EI's maximum stays where
    it was. With four trials in flight, concurrent suggestions near the best point
    then lay within 0.0001–0.003 of each other (docs/bayesian.md): one trial run up to
    four times. So a running trial less than ``_NEAR`` length scales from the best
    point also multiplies EI by ``1 − exp(−d² / 2ρ²)`` (d: distance to it in length
    scales), with ρ = ``_HOLE`` × its distance to the best point: a hole that shrinks
    as trials close in on the optimum, so the next suggestion refines the same basin
    in another direction instead of repeating a trial or leaving the basin. Without
    running trials nothing changes (the sequential run is untouched).
    """

    def __init__(self, gp: GaussianProcess, incumbent: np.ndarray) -> None:
        self.gp = gp
        self._incumbent = incumbent
        self._scale = gp.hyper.length_scales[gp.groups]
        self._centres = np.empty((0, len(incumbent)))
        self._radii = np.empty(0)

    def add(self, rows: np.ndarray) -> None:
        """Take running (or just suggested) feature rows into account."""
        if not len(rows):
            return
        self.gp = self.gp.condition(rows, self.gp.predict(rows)[0])
        distance = np.sqrt((((rows - self._incumbent) / self._scale) ** 2).sum(axis=1))
        near = distance < _NEAR
        self._centres = np.vstack([self._centres, rows[near]])
        self._radii = np.concatenate([self._radii,
                                      np.maximum(_HOLE * distance[near], _MIN_HOLE)])

    def penalty(self) -> Penalty | None:
        """log Π_j (1 − exp(−d_j² / 2ρ_j²)) over the near running trials, or None."""
        if not len(self._centres):
            return None
        centres, radii, scale = self._centres, self._radii, self._scale

        def penalty(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            diff = (xs[:, None, :] - centres[None, :, :]) / scale  # (m, k, dim)
            depth = np.exp(-(diff**2).sum(axis=-1) / (2.0 * radii**2))
            keep = np.maximum(1.0 - depth, 1e-12)
            # d log(1 − e^(−q)) / d diff = e^(−q) / (1 − e^(−q)) · diff / ρ² (0 at the floor)
            slope = np.where(1.0 - depth > 1e-12, depth / keep, 0.0) / radii**2
            return (np.log(keep).sum(axis=1),
                    np.einsum("mk,mkc->mc", slope, diff) / scale)
        return penalty


def _batch(gp: GaussianProcess, encoder: Encoder, x: np.ndarray, y: np.ndarray,
           pending: np.ndarray, n: int, rng: np.random.Generator, taken: set[str] | None
           ) -> list[dict[str, Any]]:
    best = float(y.max())
    incumbents = x[np.argsort(-y, kind="stable")[:_INCUMBENTS]]
    grid = _Grid(encoder, taken) if taken is not None and _small(encoder) else None
    is_taken = _taken_test(encoder, taken)
    running = _Running(gp, incumbents[0])
    running.add(pending)
    out: list[dict[str, Any]] = []
    for _ in range(n):
        if grid is not None:
            row = grid.best(running.gp, best, running.penalty())
        else:
            row = maximize_log_ei(running.gp, encoder, best, incumbents, rng,
                                  pool_size=_pool_size(len(running.gp.y)),
                                  is_taken=is_taken, penalty=running.penalty())
        if row is None:
            break
        params = encoder.decode(row)[0]
        out.append(params)
        if taken is not None:
            taken.add(encoder.space.key(params))
        if grid is not None:
            grid.take(encoder.space.key(params))
        running.add(row[None, :])
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

    def best(self, gp: GaussianProcess, best: float,
             penalty: Penalty | None) -> np.ndarray | None:
        rows = self.rows[self.free]
        if not len(rows):
            return None
        return rows[int(np.argmax(penalised_log_ei(gp, rows, best, penalty)))]
