"""Crossing curve sets (late bloomers): a multi-fidelity Hartmann generator of our own.

In the spirit of mfpbench's synthetic ``mfh3``/``mfh6`` ``bad``/``terrible`` benchmarks
(written from the published idea, nothing downloaded): configuration x in [0, 1]^d is
scored at epoch z = 1..E by the Hartmann function whose weights are biased at low
fidelity, plus noise that fades with fidelity:

    s(z)   = ln z / ln E                           (0 at the first epoch, 1 at the last)
    a'_i   = a_i - bias * (1 - s(z))               (Hartmann's weights a = 1, 1.2, 3, 3.2)
    f(x,z) = -sum_i a'_i exp(-sum_j A_ij (x_j - P_ij)^2) + noise * |e_{x,z}| * (1 - s(z))

Minimized. At the last epoch f is the true Hartmann function (minimum -3.86278 in 3-d,
-3.32237 in 6-d). With a large bias the early weights change sign, so the configurations
nearest the true optimum look *worst* early on and only overtake the others late: the
rankings at early and late epochs disagree, which is where stopping rules really differ.
``bad`` and ``terrible`` set (bias, noise) = (3.5, 4.0) and (4.0, 5.0). Each epoch's
noise e is a fixed standard normal draw per (configuration, epoch), so a curve set is a
deterministic function of its seed.
"""

from __future__ import annotations

import math

import numpy as np

from benchmarks.policies.curves import CurveSet, rounded

__all__ = ["CROSSING_SETS", "generate", "hartmann"]

_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_A = {3: np.array([[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]]),
      6: np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                   [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])}
_P = {3: 1e-4 * np.array([[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547],
                          [381, 5743, 8828]]),
      6: 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886],
                          [2329, 4135, 8307, 3736, 1004, 9991],
                          [2348, 1451, 3522, 2883, 3047, 6650],
                          [4047, 8828, 8732, 5743, 1091, 381]])}
EPOCH_SECONDS = 0.03
PRESETS = {"bad": (3.5, 4.0), "terrible": (4.0, 5.0)}
# name → (dimension, preset, seed)
CROSSING_SETS = {"mfh3_bad": (3, "bad", 3), "mfh6_terrible": (6, "terrible", 6)}


def hartmann(x: np.ndarray, alpha: np.ndarray = _ALPHA) -> float:
    """The Hartmann function of dimension ``len(x)`` (3 or 6) with weights ``alpha``."""
    d = len(x)
    inner = np.sum(_A[d] * (x - _P[d]) ** 2, axis=1)
    return float(-np.sum(alpha * np.exp(-inner)))


def curve(x: np.ndarray, noise_draws: np.ndarray, epochs: int, bias: float,
          noise: float) -> list[float]:
    """The values of configuration ``x`` at epochs 1..``epochs``."""
    out = []
    for z in range(1, epochs + 1):
        s = math.log(z) / math.log(epochs)
        value = hartmann(x, _ALPHA - bias * (1 - s))
        out.append(value + noise * abs(float(noise_draws[z - 1])) * (1 - s))
    return out


def generate(name: str, n: int, epochs: int) -> CurveSet:
    """Curve set ``name`` (a key of ``CROSSING_SETS``) with ``n`` random configurations."""
    dim, preset, seed = CROSSING_SETS[name]
    bias, noise = PRESETS[preset]
    rng = np.random.default_rng(seed)
    xs = rng.uniform(0.0, 1.0, size=(n, dim))
    draws = rng.standard_normal(size=(n, epochs))
    # varied epoch times, median 0.03 s like the recorded digits MLP's
    seconds = EPOCH_SECONDS * np.exp(rng.normal(0.0, 0.5, size=n))
    values = tuple(tuple(rounded(v) for v in curve(x, e, epochs, bias, noise))
                   for x, e in zip(xs, draws, strict=True))
    return CurveSet(
        name=name, metric="hartmann", goal="minimize", values=values,
        seconds_per_epoch=tuple(rounded(float(s), 4) for s in seconds),
        params=tuple({f"x{j}": rounded(float(v)) for j, v in enumerate(x)} for x in xs),
        description=f"multi-fidelity Hartmann-{dim} ({preset}: bias {bias}, noise {noise}); "
                    "crossing curves, minimized",
        source={"generator": "benchmarks/policies/crossing.py", "dimension": dim,
                "preset": preset, "bias": bias, "noise": noise, "seed": seed,
                "epochs": epochs, "configurations": n})
