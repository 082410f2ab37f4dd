"""Benchmark problems: synthetic functions with known optima, and real model tuning.

Every problem is minimised (a model's cross-validated score is negated), its search
space is written with hypersweep's expressions (the peers get an equivalent space from
``methods.py``), and its objective is deterministic, so that every method and seed sees
exactly the same function.

Synthetic domains avoid a centred optimum (Ackley on [-5, 10]⁵ rather than the usual
symmetric box) so that no method is rewarded merely for sampling the middle first.
The model-tuning problems use scikit-learn's bundled data sets only (no download), with
small 3-fold cross-validation and small models so that one evaluation takes well under
a second on two cores. Classifiers are scored by cross-validated log loss rather than
accuracy: accuracy on a few hundred samples moves in steps of 1/n, so many methods tie
on it and the comparison says little.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from hypersweep import choice, loguniform, quniform, uniform
from hypersweep.space import ParameterExpression

__all__ = ["PROBLEMS", "Problem"]


@dataclasses.dataclass(frozen=True)
class Problem:
    """A named objective to minimise over a search space."""

    name: str
    space: Mapping[str, ParameterExpression]
    objective: Callable[[Mapping[str, Any]], float]
    optimum: float | None  # known minimum (synthetic), None for model tuning
    kind: str  # "synthetic" or "model"
    budget: int  # trials per run in the full benchmark


# -- synthetic ------------------------------------------------------------------------

def _branin(p: Mapping[str, Any]) -> float:
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                  [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886],
                         [2329, 4135, 8307, 3736, 1004, 9991],
                         [2348, 1451, 3522, 2883, 3047, 6650],
                         [4047, 8828, 8732, 5743, 1091, 381]])
_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def _vector(p: Mapping[str, Any], d: int) -> np.ndarray:
    return np.array([float(p[f"x{i}"]) for i in range(d)])


def _hartmann6(p: Mapping[str, Any]) -> float:
    x = _vector(p, 6)
    return -float(_H6_ALPHA @ np.exp(-(_H6_A * (x - _H6_P) ** 2).sum(axis=1)))


def _ackley5(p: Mapping[str, Any]) -> float:
    x = _vector(p, 5)
    a = -20 * math.exp(-0.2 * math.sqrt(float(np.mean(x * x))))
    return a - math.exp(float(np.mean(np.cos(2 * math.pi * x)))) + 20 + math.e


def _rosenbrock4(p: Mapping[str, Any]) -> float:
    x = _vector(p, 4)
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


_MIXED_OFFSET = {"a": 1.0, "b": 0.0, "c": 0.5}
_MIXED_SHIFT = {"a": 2, "b": 7, "c": 4}


def _mixed5(p: Mapping[str, Any]) -> float:
    """Branin plus a category offset, an integer and a log-scale term; minimum 0.397887."""
    c, k, lr = p["kind"], int(p["k"]), float(p["lr"])
    return (_branin(p) + _MIXED_OFFSET[c] + 0.1 * (k - _MIXED_SHIFT[c]) ** 2
            + 0.1 * (math.log(lr) + 3.0) ** 2)


_BRANIN_MIN = 0.397887357729738


def _synthetic() -> list[Problem]:
    branin = {"x1": uniform(-5, 10), "x2": uniform(0, 15)}
    return [
        Problem("branin-2", branin, _branin, _BRANIN_MIN, "synthetic", 100),
        Problem("hartmann-6", {f"x{i}": uniform(0, 1) for i in range(6)}, _hartmann6,
                -3.32236801141551, "synthetic", 100),
        Problem("ackley-5", {f"x{i}": uniform(-5, 10) for i in range(5)}, _ackley5, 0.0,
                "synthetic", 100),
        Problem("rosenbrock-4", {f"x{i}": uniform(-5, 10) for i in range(4)}, _rosenbrock4,
                0.0, "synthetic", 100),
        Problem("mixed-5", {**branin, "kind": choice("a", "b", "c"),
                            "k": quniform(0, 10, 1), "lr": loguniform(-7, 0)},
                _mixed5, _BRANIN_MIN, "synthetic", 100),
    ]


# -- model tuning ---------------------------------------------------------------------

def _cv(estimator: Any, data: str, scoring: str | None = None) -> float:
    """Mean 3-fold cross-validated score, negated (we minimise); folds fixed by seed 0."""
    from sklearn import datasets
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

    x, y = getattr(datasets, f"load_{data}")(return_X_y=True)
    folds = (KFold if data == "diabetes" else StratifiedKFold)(3, shuffle=True,
                                                               random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of small MLPs
        score = cross_val_score(estimator, x, y, cv=folds, scoring=scoring).mean()
    return -float(score)


def _svm(p: Mapping[str, Any]) -> float:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    model = make_pipeline(StandardScaler(), SVC(C=p["C"], gamma=p["gamma"],
                                                probability=True, random_state=0))
    return _cv(model, "breast_cancer", "neg_log_loss")


def _forest(p: Mapping[str, Any]) -> float:
    from sklearn.ensemble import RandomForestClassifier

    model = RandomForestClassifier(
        n_estimators=int(p["n_estimators"]), max_depth=int(p["max_depth"]),
        min_samples_split=int(p["min_samples_split"]), max_features=p["max_features"],
        criterion=p["criterion"], random_state=0)
    return _cv(model, "wine", "neg_log_loss")


def _boosting(p: Mapping[str, Any]) -> float:
    from sklearn.ensemble import GradientBoostingRegressor

    model = GradientBoostingRegressor(
        n_estimators=int(p["n_estimators"]), learning_rate=p["learning_rate"],
        max_depth=int(p["max_depth"]), subsample=p["subsample"],
        min_samples_leaf=int(p["min_samples_leaf"]), random_state=0)
    return _cv(model, "diabetes", "r2")


def _mlp(p: Mapping[str, Any]) -> float:
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), MLPClassifier(
        hidden_layer_sizes=(int(p["hidden"]),), alpha=p["alpha"],
        learning_rate_init=p["learning_rate_init"], activation=p["activation"],
        max_iter=60, random_state=0))
    return _cv(model, "wine", "neg_log_loss")


def _lasso(p: Mapping[str, Any]) -> float:
    from sklearn.linear_model import ElasticNet
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    model = make_pipeline(PolynomialFeatures(2), StandardScaler(),
                          ElasticNet(alpha=p["alpha"], l1_ratio=p["l1_ratio"], max_iter=2000))
    return _cv(model, "diabetes", "r2")


def _models() -> list[Problem]:
    ln = math.log
    return [
        Problem("svm-breast_cancer", {"C": loguniform(ln(1e-3), ln(1e3)),
                                      "gamma": loguniform(ln(1e-5), ln(10))},
                _svm, None, "model", 50),
        Problem("rf-wine", {"n_estimators": quniform(5, 30, 5),
                            "max_depth": quniform(1, 12, 1),
                            "min_samples_split": quniform(2, 12, 1),
                            "max_features": uniform(0.05, 1.0),
                            "criterion": choice("gini", "entropy")},
                _forest, None, "model", 50),
        Problem("gb-diabetes", {"n_estimators": quniform(10, 60, 10),
                                "learning_rate": loguniform(ln(1e-2), ln(1.0)),
                                "max_depth": quniform(1, 5, 1),
                                "subsample": uniform(0.3, 1.0),
                                "min_samples_leaf": quniform(1, 30, 1)},
                _boosting, None, "model", 50),
        Problem("mlp-wine", {"hidden": quniform(4, 64, 4),
                             "alpha": loguniform(ln(1e-6), ln(1.0)),
                             "learning_rate_init": loguniform(ln(1e-4), ln(1e-1)),
                             "activation": choice("relu", "tanh", "logistic")},
                _mlp, None, "model", 50),
        Problem("enet-diabetes", {"alpha": loguniform(ln(1e-4), ln(10.0)),
                                  "l1_ratio": uniform(0.0, 1.0)},
                _lasso, None, "model", 50),
    ]


PROBLEMS: dict[str, Problem] = {p.name: p for p in (*_synthetic(), *_models())}
