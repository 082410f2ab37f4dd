"""Log expected improvement and its maximisation over the mixed feature space.

Expected improvement underflows to exactly 0 far from the incumbent, which leaves a
gradient optimiser nothing to follow; its logarithm, computed stably for very negative
z (through the scaled complementary error function), keeps a useful gradient everywhere.

The maximiser scores a pool of candidates (scrambled Sobol points over the numeric
columns, random categories), then refines ten starts with L-BFGS-B over the numeric
columns (the one-hot columns of each start are pinned): the best pool point, the best
point observed so far, and pool points drawn with probability ∝ EI, which spreads the
starts over several modes of the acquisition instead of ten copies of one. Every
refined point and the pool's best are then moved onto the values they stand for
(rounding, one-hot), each other category of each ``choice`` is tried at the refined
points, and the best point not yet taken wins.

An optional ``penalty`` (log of a factor in (0, 1] and its gradient) is added to log EI
everywhere the maximiser scores points; the sampler uses it to keep suggestions off
running trials near the best point (see ``_sampler.py``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize
from scipy.special import erfcx, log_ndtr, ndtr
from scipy.stats import qmc

from hypersweep.sampling._bayes._gp import GaussianProcess
from hypersweep.sampling._bayes._transform import Encoder

__all__ = ["Penalty", "log_ei", "log_ei_with_grad", "maximize_log_ei", "penalised_log_ei"]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_STARTS = 10  # L-BFGS-B starts
_SHORTLIST = 24  # pool points kept (snapped) besides the refined ones

Penalty = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
"""rows (m, dim) → (log factor (m,), its gradient (m, dim)), added to log EI."""


def log_h(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(φ(z) + zΦ(z)) and its derivative Φ(z) / (φ(z) + zΦ(z)), stable for z ≪ 0."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    near = z > -3.0
    zn = z[near]
    out[near] = np.log(np.exp(-0.5 * zn * zn - _LOG_SQRT_2PI) + zn * ndtr(zn))
    zf = z[~near]
    ratio = 1.0 + zf * math.sqrt(math.pi / 2) * erfcx(-zf / math.sqrt(2))
    tail = np.where(zf < -1e5, -2.0 * np.log(-np.minimum(zf, -1.0)),
                    np.log(np.maximum(ratio, 1e-300)))
    out[~near] = -0.5 * zf * zf - _LOG_SQRT_2PI + tail
    return out, np.exp(log_ndtr(z) - out)


def log_ei(gp: GaussianProcess, xs: np.ndarray, best: float) -> np.ndarray:
    """log EI(x) for maximisation above ``best`` (in the GP's standardised units)."""
    mean, var = gp.predict(xs)
    sigma = np.sqrt(var)
    value, _ = log_h((mean - best) / sigma)
    return value + np.log(sigma)


def log_ei_with_grad(gp: GaussianProcess, xs: np.ndarray, best: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """log EI at rows ``xs`` and its gradient, shape (m, dim)."""
    mean, var, dmean, dvar = gp.predict_with_grad(xs)
    sigma = np.sqrt(var)
    z = (mean - best) / sigma
    value, slope = log_h(z)
    dsigma = dvar / (2.0 * sigma[:, None])
    dz = (dmean - z[:, None] * dsigma) / sigma[:, None]
    return value + np.log(sigma), slope[:, None] * dz + dsigma / sigma[:, None]


def penalised_log_ei(gp: GaussianProcess, xs: np.ndarray, best: float,
                     penalty: Penalty | None) -> np.ndarray:
    """log EI at rows ``xs`` plus ``penalty`` (if any)."""
    value = log_ei(gp, xs, best)
    return value if penalty is None else value + penalty(xs)[0]


def _penalised_with_grad(gp: GaussianProcess, xs: np.ndarray, best: float,
                         penalty: Penalty | None) -> tuple[np.ndarray, np.ndarray]:
    value, grad = log_ei_with_grad(gp, xs, best)
    if penalty is None:
        return value, grad
    extra, extra_grad = penalty(xs)
    return value + extra, grad + extra_grad


def candidate_pool(encoder: Encoder, rng: np.random.Generator, size: int) -> np.ndarray:
    """Scrambled Sobol points over the numeric columns, uniform random categories."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Sobol balance warning for n not a power of two
        seed = int(rng.integers(2**31))
        unit = qmc.Sobol(encoder.dim, scramble=True, seed=seed).random(size)
    pool = encoder.random(rng, size)
    pool[:, encoder.numeric] = unit[:, encoder.numeric]
    return pool


def _refine(gp: GaussianProcess, encoder: Encoder, starts: np.ndarray, best: float,
            max_iter: int, penalty: Penalty | None) -> np.ndarray:
    """L-BFGS-B from every start at once over the numeric columns.

    The starts are independent, so maximising the sum of their log EI optimises each; one
    solver call evaluates all of them together, which is what keeps it fast. Coordinates
    are divided by their length scales (preconditioning) so that every direction matters
    about as much to the kernel and the solver converges in few iterations.
    """
    k, dim = starts.shape
    scale = gp.hyper.length_scales[encoder.groups]

    def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = _penalised_with_grad(gp, flat.reshape(k, dim) * scale, best, penalty)
        return -float(value.sum()), -(grad * scale).ravel()

    bounds = [(lo / s, hi / s) for row in starts
              for (lo, hi), s in zip(encoder.bounds(row), scale, strict=True)]
    result = minimize(objective, (starts / scale).ravel(), jac=True, method="L-BFGS-B",
                      bounds=bounds, options={"maxiter": max_iter})
    return np.clip(result.x.reshape(k, dim) * scale, 0.0, 1.0)


def _starts(pool: np.ndarray, scores: np.ndarray, incumbents: np.ndarray,
            rng: np.random.Generator) -> np.ndarray:
    """The best pool point, the best observed point, and pool points drawn ∝ EI."""
    top = int(np.argmax(scores))
    weights = np.exp(scores - scores[top])
    weights[top] = 0.0
    chosen = [top]
    extra = min(_STARTS - 1 - min(len(incumbents), 1), int(np.count_nonzero(weights > 0)))
    if extra > 0:
        chosen += list(rng.choice(len(pool), size=extra, replace=False,
                                  p=weights / weights.sum()))
    return np.vstack([pool[chosen], incumbents[:1]])


def _category_moves(encoder: Encoder, rows: np.ndarray) -> np.ndarray:
    """Every row with one ``choice`` switched to each of its other values."""
    moves = []
    for start, width in encoder.categorical:
        for value in range(width):
            moved = rows.copy()
            moved[:, start:start + width] = np.eye(width)[value]
            moves.append(moved)
    return np.vstack(moves) if moves else np.empty((0, encoder.dim))


def maximize_log_ei(gp: GaussianProcess, encoder: Encoder, best: float,
                    incumbents: np.ndarray, rng: np.random.Generator, *, pool_size: int,
                    is_taken: Callable[[np.ndarray], np.ndarray], max_iter: int = 100,
                    penalty: Penalty | None = None) -> np.ndarray | None:
    """The untaken snapped point of highest log EI (+ ``penalty``), or None if every
    candidate is taken."""
    pool = candidate_pool(encoder, rng, pool_size)
    scores = penalised_log_ei(gp, pool, best, penalty)
    order = np.argsort(-scores)
    shortlist = pool[order[:_SHORTLIST]]
    refined = _refine(gp, encoder, _starts(pool, scores, incumbents, rng), best, max_iter,
                      penalty)
    snapped = encoder.snap(np.vstack([refined, shortlist]))
    snapped = np.vstack([snapped, encoder.snap(_category_moves(encoder, snapped[:_STARTS]))])
    return _best_untaken(gp, snapped, best, is_taken, penalty)


def _best_untaken(gp: GaussianProcess, rows: np.ndarray, best: float,
                  is_taken: Callable[[np.ndarray], np.ndarray],
                  penalty: Penalty | None) -> np.ndarray | None:
    """The row of highest log EI (+ ``penalty``) among those ``is_taken`` rejects not."""
    if not len(rows):
        return None
    rows = rows[~is_taken(rows)]
    if not len(rows):
        return None
    scores = penalised_log_ei(gp, rows, best, penalty)
    return rows[int(np.argmax(scores))]
