"""Record real learning curves once: the digits MLP and gradient boosting on breast cancer.

Each configuration is trained epoch by epoch and its validation metric recorded after
every epoch, exactly what a sweep without early termination would log:

- ``digits_mlp``: the digits MLP of ``examples/digits/train.py`` (scikit-learn's
  ``MLPClassifier`` trained with one ``partial_fit`` pass per epoch over the same 75/25
  split), validation accuracy, maximized. Configurations sample solver, learning rate,
  hidden units, L2 penalty, batch size and initial weights.
- ``breast_cancer_gb``: ``GradientBoostingClassifier`` on the bundled breast-cancer data,
  one epoch = 4 more boosting stages (``staged_predict_proba``), validation log-loss,
  minimized. Configurations sample learning rate, depth, subsampling, leaf size and
  features per split; fast learners overfit (the loss rises again), slow ones keep
  improving, so curves cross.

The simulated epoch time of a configuration is the CPU time its epochs took (median
over epochs), so larger models take longer in the replay, as they would in a real sweep.
The crossing sets of :mod:`benchmarks.policies.crossing` are written alongside.

    python -m benchmarks.policies.record            # all sets (a few minutes, 2 cores)
    python -m benchmarks.policies.record --only digits_mlp --configs 100
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.policies.crossing import CROSSING_SETS, generate
from benchmarks.policies.curves import CurveSet, rounded

__all__ = ["breast_cancer_configs", "digits_configs", "main", "record"]

EPOCHS = 27
SEED = 20240501
GB_STAGES_PER_EPOCH = 4


def _loguniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def digits_configs(n: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``n`` random MLP configurations (a reasonable space, as a user would search it)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        solver = "adam" if rng.random() < 0.7 else "sgd"
        low, high = (1e-4, 0.1) if solver == "adam" else (1e-3, 0.5)
        out.append({"solver": solver, "learning_rate": _loguniform(rng, low, high),
                    "hidden_size": int(rng.choice([16, 32, 64, 128, 256])),
                    "alpha": _loguniform(rng, 1e-6, 1e-1),
                    "batch_size": int(rng.choice([16, 32, 64, 128, 256])),
                    "seed": int(rng.integers(0, 1000))})
    return out


def _digits_curve(params: dict[str, Any]) -> tuple[list[float], float]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x / 16.0, y, test_size=0.25,
                                                      random_state=0, stratify=y)
    model = MLPClassifier(hidden_layer_sizes=(params["hidden_size"],), solver=params["solver"],
                          alpha=params["alpha"], learning_rate_init=params["learning_rate"],
                          batch_size=params["batch_size"], random_state=params["seed"])
    classes = np.arange(10)
    values, seconds = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(EPOCHS):
            start = time.process_time()
            model.partial_fit(x_train, y_train, classes=classes)
            values.append(float(model.score(x_val, y_val)))
            seconds.append(time.process_time() - start)
    return values, statistics.median(seconds)


def breast_cancer_configs(n: int, seed: int = SEED + 1) -> list[dict[str, Any]]:
    """``n`` random gradient-boosting configurations."""
    rng = np.random.default_rng(seed)
    return [{"learning_rate": _loguniform(rng, 0.005, 1.0),
             "max_depth": int(rng.integers(1, 7)),
             "subsample": float(rng.uniform(0.4, 1.0)),
             "min_samples_leaf": int(rng.choice([1, 2, 5, 10, 20])),
             "max_features": [None, "sqrt", 0.5][int(rng.integers(0, 3))],
             "seed": int(rng.integers(0, 1000))} for _ in range(n)]


def _gb_curve(params: dict[str, Any]) -> tuple[list[float], float]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.metrics import log_loss
    from sklearn.model_selection import train_test_split

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=0,
                                                      stratify=y)
    model = GradientBoostingClassifier(
        n_estimators=EPOCHS * GB_STAGES_PER_EPOCH, learning_rate=params["learning_rate"],
        max_depth=params["max_depth"], subsample=params["subsample"],
        min_samples_leaf=params["min_samples_leaf"], max_features=params["max_features"],
        random_state=params["seed"])
    start = time.process_time()
    model.fit(x_train, y_train)
    elapsed = time.process_time() - start
    values = [float(log_loss(y_val, proba))
              for stage, proba in enumerate(model.staged_predict_proba(x_val), start=1)
              if stage % GB_STAGES_PER_EPOCH == 0]
    return values, elapsed / EPOCHS


_RECORDERS = {"digits_mlp": (_digits_curve, digits_configs, "accuracy", "maximize"),
              "breast_cancer_gb": (_gb_curve, breast_cancer_configs, "log_loss", "minimize")}
_DESCRIPTIONS = {
    "digits_mlp": "MLPClassifier on sklearn digits (75/25 split), one partial_fit pass per "
                  "epoch; validation accuracy",
    "breast_cancer_gb": f"GradientBoostingClassifier on sklearn breast_cancer (75/25 split), "
                        f"{GB_STAGES_PER_EPOCH} boosting stages per epoch; validation log-loss",
}


def _one(job: tuple[str, dict[str, Any]]) -> tuple[list[float], float]:
    name, params = job
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    return _RECORDERS[name][0](params)


def record(name: str, n: int, jobs: int) -> CurveSet:
    """Train ``n`` configurations of set ``name`` and return their curves."""
    _, configs, metric, goal = _RECORDERS[name]
    params = configs(n)
    started = time.time()
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        results = pool.map(_one, [(name, p) for p in params], chunksize=1)
    rounded_params = [{k: rounded(v) if isinstance(v, float) else v for k, v in p.items()}
                      for p in params]
    return CurveSet(
        name=name, metric=metric, goal=goal,
        values=tuple(tuple(rounded(v) for v in values) for values, _ in results),
        seconds_per_epoch=tuple(rounded(max(s, 1e-4), 4) for _, s in results),
        params=tuple(rounded_params), description=_DESCRIPTIONS[name],
        source={"recorder": "benchmarks/policies/record.py", "epochs": EPOCHS,
                "configurations": n, "seed": SEED, "seconds_per_epoch": "median CPU time",
                "recorded_in_seconds": round(time.time() - started, 1)})


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="comma-separated set names")
    parser.add_argument("--configs", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else [*_RECORDERS, *CROSSING_SETS]
    for name in names:
        if name in CROSSING_SETS:
            curve_set = generate(name, args.configs, EPOCHS)
        else:
            curve_set = record(name, args.configs, args.jobs)
        path = curve_set.save()
        print(f"{name}: {curve_set.size} configurations x {curve_set.epochs} epochs -> "
              f"{path} ({path.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
