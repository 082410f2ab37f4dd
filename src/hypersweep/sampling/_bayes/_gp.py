"""A Gaussian process with a Matérn-5/2 kernel and one length scale per hyperparameter.

The kernel is ``k(x, x') = s² (1 + √5 r + 5 r²/3) exp(-√5 r)`` with
``r² = Σ_c (x_c − x'_c)² / ℓ_g(c)²``: columns of the same hyperparameter (the one-hot
block of a ``choice``) share the length scale ℓ_g. The prior mean is 0 and targets are
expected on a unit scale (the sampler standardises them, then shifts them to place the
prior mean where it wants it), which is what makes the fixed priors below sensible.

Hyperparameters θ = (log ℓ_1..ℓ_G, log s², log σ²_noise) are fitted by maximising the
log marginal likelihood plus log-normal priors (a MAP estimate) with L-BFGS-B and the
analytic gradient ``½ tr((ααᵀ − K⁻¹) ∂K/∂θ)``; a few prior draws pick the start points.
The priors keep the fit well-posed with few points: length scales around half the unit
cube (growing with √dim, as smoother functions are likelier in more dimensions), a
signal variance near the data's, and small noise (most objectives are near-deterministic).
Length scales are capped at 5 (a parameter that barely matters; longer ones only remove
the variance that makes the optimiser look along that axis) and at 2 for a ``choice``,
whose categories would otherwise be treated as interchangeable once the data near the
best point happen to share one category — the benchmark's mixed problem then got stuck
in the wrong category in half of the runs; with the cap, in one of ten.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.linalg import cho_solve, cholesky, lapack, solve_triangular
from scipy.optimize import minimize

__all__ = ["GaussianProcess", "Hyperparameters", "fit_hyperparameters"]

_SQRT5 = math.sqrt(5.0)
_JITTER = 1e-8
_LOG_LS_BOUNDS = (math.log(5e-3), math.log(5.0))  # 5 = "barely matters" on [0, 1]
_LOG_CATEGORY_LS_MAX = math.log(2.0)  # see _bounds
_LOG_SIGNAL_BOUNDS = (math.log(0.05), math.log(20.0))
_LOG_NOISE_BOUNDS = (math.log(1e-6), math.log(1.0))
_PRIOR_SIGNAL = (0.0, 1.0)  # (mean, std) of log s²
_PRIOR_NOISE = (math.log(1e-3), 2.0)  # (mean, std) of log σ²_noise
_PRIOR_LS_STD = 1.0  # std of log ℓ; its mean is _prior_ls_mean
_DRAWS = 8  # prior draws scored before L-BFGS-B starts from the best one


@dataclasses.dataclass(frozen=True)
class Hyperparameters:
    """Kernel hyperparameters in natural units."""

    length_scales: np.ndarray  # one per group (hyperparameter)
    signal: float  # s², the prior variance of the function
    noise: float  # σ², the observation noise variance
    log_posterior: float = math.nan  # log marginal likelihood + log prior at the fit

    def to_theta(self) -> np.ndarray:
        """The log-parameter vector the optimiser works on."""
        return np.concatenate([np.log(self.length_scales),
                               [math.log(self.signal), math.log(self.noise)]])

    @classmethod
    def from_theta(cls, theta: np.ndarray, log_posterior: float = math.nan
                   ) -> Hyperparameters:
        return cls(np.exp(theta[:-2]), float(np.exp(theta[-2])), float(np.exp(theta[-1])),
                   log_posterior)


def group_sqdist(a: np.ndarray, b: np.ndarray, groups: np.ndarray,
                 n_groups: int) -> np.ndarray:
    """Squared differences summed per group: shape (n_groups, len(a), len(b))."""
    out = np.zeros((n_groups, len(a), len(b)))
    for c, g in enumerate(groups):
        out[g] += (a[:, c, None] - b[None, :, c]) ** 2
    return out


def _matern(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Matérn-5/2 correlation at distance r, and ``-dk/dr / r`` (finite at r = 0)."""
    e = np.exp(-_SQRT5 * r)
    return (1.0 + _SQRT5 * r + 5.0 / 3.0 * r * r) * e, 5.0 / 3.0 * (1.0 + _SQRT5 * r) * e


def _matern_value(r: np.ndarray) -> np.ndarray:
    """Matérn-5/2 correlation alone, overwriting ``r`` (the prediction path's hot loop:
    (1 + t + t²/3)·e⁻ᵗ with t = √5 r, in place, without the slope's temporaries)."""
    r *= _SQRT5
    e = np.exp(-r)
    poly = r * r
    poly *= 1.0 / 3.0
    poly += r
    poly += 1.0
    poly *= e
    return poly


def _prior_ls_mean(n_groups: int) -> float:
    """log(0.5 · √G): half the unit cube, longer with more parameters."""
    return math.log(0.5) + 0.5 * math.log(max(n_groups, 1))


def _neg_log_posterior(theta: np.ndarray, dist: np.ndarray, y: np.ndarray
                       ) -> tuple[float, np.ndarray]:
    """−(log marginal likelihood + log prior) and its gradient in θ.

    Called a few dozen times per suggestion on up to ``_FIT_CAP``² matrices, so it
    works in place where it can: each n×n temporary costs about as much as the
    Cholesky factorisation itself at this size.
    """
    n_groups, n = dist.shape[0], len(y)
    inv_ls2 = np.exp(-2.0 * theta[:n_groups])
    signal, noise = math.exp(theta[-2]), math.exp(theta[-1])
    r = np.tensordot(inv_ls2, dist, axes=1)
    np.sqrt(r, out=r)
    corr, slope = _matern(r)
    kernel = corr * signal
    kernel.flat[:: n + 1] += noise + _JITTER
    try:
        chol = cholesky(kernel, lower=True, overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError:
        return 1e10, np.zeros_like(theta)
    alpha = cho_solve((chol, True), y, check_finite=False)
    log_det_half = np.log(np.diag(chol)).sum()
    lower, info = lapack.dpotri(chol, lower=True, overwrite_c=True)
    if info:
        return 1e10, np.zeros_like(theta)
    # K⁻¹ from its lower triangle (the upper one of a lower Cholesky factor is zero)
    inner = np.outer(alpha, alpha)
    inner -= lower
    inner -= lower.T
    inner.flat[:: n + 1] += lower.flat[:: n + 1]
    lml = -0.5 * y @ alpha - log_det_half - 0.5 * n * math.log(2 * math.pi)
    grad = np.empty_like(theta)
    slope *= inner
    grad[:n_groups] = 0.5 * signal * inv_ls2 * (dist.reshape(n_groups, -1) @ slope.ravel())
    grad[-2] = 0.5 * signal * np.vdot(inner, corr)
    grad[-1] = 0.5 * noise * np.trace(inner)
    prior, prior_grad = _log_prior(theta, n_groups)
    return -(lml + prior), -(grad + prior_grad)


def _log_prior(theta: np.ndarray, n_groups: int) -> tuple[float, np.ndarray]:
    mean = np.concatenate([np.full(n_groups, _prior_ls_mean(n_groups)),
                           [_PRIOR_SIGNAL[0], _PRIOR_NOISE[0]]])
    std = np.concatenate([np.full(n_groups, _PRIOR_LS_STD),
                          [_PRIOR_SIGNAL[1], _PRIOR_NOISE[1]]])
    z = (theta - mean) / std
    return float(-0.5 * z @ z), -z / std


def _bounds(categorical: np.ndarray) -> list[tuple[float, float]]:
    """Box for θ; a ``choice``'s length scale is capped lower, so that categories never
    look interchangeable to the model and an untried one keeps some uncertainty."""
    ls = [(_LOG_LS_BOUNDS[0], _LOG_CATEGORY_LS_MAX if c else _LOG_LS_BOUNDS[1])
          for c in categorical]
    return [*ls, _LOG_SIGNAL_BOUNDS, _LOG_NOISE_BOUNDS]


def _starts(categorical: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The prior mode and a few prior draws, clipped into the bounds."""
    n_groups = len(categorical)
    mean = np.concatenate([np.full(n_groups, _prior_ls_mean(n_groups)),
                           [_PRIOR_SIGNAL[0], _PRIOR_NOISE[0]]])
    std = np.concatenate([np.full(n_groups, _PRIOR_LS_STD), [0.5, 1.0]])
    draws = mean + std * rng.standard_normal((_DRAWS - 1, len(mean)))
    lo, hi = np.array(_bounds(categorical)).T
    return np.clip(np.vstack([mean, draws]), lo, hi)


def fit_hyperparameters(x: np.ndarray, y: np.ndarray, groups: np.ndarray,
                        categorical: np.ndarray, rng: np.random.Generator, *,
                        max_iter: int = 100) -> Hyperparameters:
    """MAP hyperparameters for standardised targets ``y`` at feature rows ``x``.

    ``groups`` maps each feature column to its hyperparameter; ``categorical`` flags the
    groups that are one-hot ``choice`` blocks. The prior mode and a few prior draws are
    scored, and L-BFGS-B (analytic gradient) starts from the best of them.
    """
    dist = group_sqdist(x, x, groups, len(categorical))
    starts = _starts(categorical, rng)
    scores = [_neg_log_posterior(s, dist, y)[0] for s in starts]
    best_theta, best_value = starts[int(np.argmin(scores))], float(min(scores))
    result = minimize(_neg_log_posterior, best_theta, args=(dist, y), jac=True,
                      method="L-BFGS-B", bounds=_bounds(categorical),
                      options={"maxiter": max_iter})
    if np.isfinite(result.fun) and result.fun < best_value:
        best_theta, best_value = result.x, float(result.fun)
    return Hyperparameters.from_theta(np.asarray(best_theta, dtype=float), -best_value)


class GaussianProcess:
    """The posterior of a zero-mean GP given data and fixed hyperparameters."""

    def __init__(self, x: np.ndarray, y: np.ndarray, hyper: Hyperparameters,
                 groups: np.ndarray) -> None:
        self.x, self.y, self.hyper, self.groups = x, y, hyper, groups
        self._inv_ls2 = hyper.length_scales[groups] ** -2.0
        kernel = self._cross(x)
        jitter = hyper.noise + _JITTER
        for _ in range(6):  # duplicates with tiny noise: add jitter until it factorises
            try:
                self._chol = cholesky(kernel + jitter * np.eye(len(x)), lower=True,
                                      check_finite=False)
                break
            except np.linalg.LinAlgError:
                jitter *= 10.0
        else:
            raise np.linalg.LinAlgError("kernel matrix is not positive definite")
        self._alpha = cho_solve((self._chol, True), y, check_finite=False)
        self._chol_inv: np.ndarray | None = None

    def _cross(self, xs: np.ndarray) -> np.ndarray:
        # Σ_c w_c (a_c − b_c)² = a²·w + b²·w − 2 (a ∘ w) · b, as matrix products
        w = self._inv_ls2
        r2 = (xs * w) @ self.x.T
        r2 *= -2.0
        r2 += (xs**2 @ w)[:, None]
        r2 += (self.x**2 @ w)[None, :]
        np.maximum(r2, 0.0, out=r2)
        np.sqrt(r2, out=r2)
        corr = _matern_value(r2)
        corr *= self.hyper.signal
        return corr

    def condition(self, x_new: np.ndarray, y_new: np.ndarray) -> GaussianProcess:
        """The same GP with more (e.g. fantasised) observations."""
        return GaussianProcess(np.vstack([self.x, x_new]), np.concatenate([self.y, y_new]),
                               self.hyper, self.groups)

    def predict(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and variance of the latent function at rows ``xs``."""
        cross = self._cross(xs)
        mean = cross @ self._alpha
        if len(xs) >= len(self.x):
            # many points (the candidate pool): L⁻¹ once, then one matrix product is
            # about twice as fast as a triangular solve with that many right-hand sides
            if self._chol_inv is None:
                self._chol_inv = solve_triangular(self._chol, np.eye(len(self.x)),
                                                  lower=True, check_finite=False)
            half = cross @ self._chol_inv.T
        else:
            half = solve_triangular(self._chol, cross.T, lower=True, check_finite=False).T
        var = np.maximum(self.hyper.signal - np.einsum("ij,ij->i", half, half), 1e-12)
        return mean, var

    def predict_with_grad(self, xs: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Mean, variance and their gradients (shape (m, dim)) at rows ``xs``."""
        diff = xs[:, None, :] - self.x[None, :, :]
        r = np.sqrt((diff**2) @ self._inv_ls2)
        corr, slope = _matern(r)
        cross = self.hyper.signal * corr
        # d k(x*, x_j) / d x*_c = -s² · slope · (x*_c - x_jc) / ℓ_c²
        dcross = -self.hyper.signal * slope[:, :, None] * diff * self._inv_ls2
        mean = cross @ self._alpha
        solved = cho_solve((self._chol, True), cross.T, check_finite=False).T
        var = np.maximum(self.hyper.signal - np.einsum("ij,ij->i", cross, solved), 1e-12)
        dmean = np.einsum("mjc,j->mc", dcross, self._alpha)
        dvar = -2.0 * np.einsum("mjc,mj->mc", dcross, solved)
        return mean, var, dmean, dvar
