"""Time to suggest one configuration given N finished observations, method by method.

Every method gets the same N random observations of the same cheap objective; the
suggestion is then timed ``repeats`` times and the median reported. This isolates the
optimiser's cost (model fit + acquisition) from the objective's.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.bayesian.methods import _optuna_distributions, hyperopt_space
from benchmarks.bayesian.problems import Problem
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.sampling import BayesianParameterSampling, Observation, RandomParameterSampling

__all__ = ["LATENCY_METHODS", "measure_latency"]

LATENCY_METHODS = ("hypersweep-bayes", "optuna-gp", "optuna-tpe", "hyperopt-tpe")


def _history(problem: Problem, n: int) -> list[tuple[dict[str, Any], float]]:
    points = RandomParameterSampling(problem.space, seed=12345).suggest([], n)
    return [(p, problem.objective(p)) for p in points]


def _time_hypersweep(problem: Problem, data: list, repeats: int) -> list[float]:
    sampler = BayesianParameterSampling(problem.space, seed=0, allow_all_expressions=True)
    history = [Observation(p, v) for p, v in data]
    out = []
    sampler.suggest(history, 1, goal=PrimaryMetricGoal.MINIMIZE)  # warm-up (imports, caches)
    for _ in range(repeats):
        start = time.perf_counter()
        sampler.suggest(history, 1, goal=PrimaryMetricGoal.MINIMIZE)
        out.append(time.perf_counter() - start)
    return out


def _time_optuna(problem: Problem, data: list, repeats: int, kind: str) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    sampler = (optuna.samplers.GPSampler(seed=0) if kind == "gp"
               else optuna.samplers.TPESampler(seed=0, multivariate=True))
    study = optuna.create_study(direction="minimize", sampler=sampler)
    dists = _optuna_distributions(problem)
    study.add_trials([optuna.trial.create_trial(params=p, distributions=dists, value=v)
                      for p, v in data])
    out = []
    study.tell(study.ask(dists), state=optuna.trial.TrialState.FAIL)  # warm-up
    for _ in range(repeats):
        start = time.perf_counter()
        trial = study.ask(dists)
        out.append(time.perf_counter() - start)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
    return out


def _time_hyperopt(problem: Problem, data: list, repeats: int) -> list[float]:
    from hyperopt import Trials, fmin, rand, tpe

    points = iter(data)
    trials = Trials()

    def replay(_: dict[str, Any]) -> float:  # the N observations, then the real objective
        item = next(points, None)
        return item[1] if item is not None else 0.0

    fmin(replay, hyperopt_space(problem), algo=rand.suggest, max_evals=len(data),
         trials=trials, rstate=np.random.default_rng(0), show_progressbar=False)
    out = []
    for k in range(-1, repeats):  # k = -1: warm-up
        start = time.perf_counter()
        fmin(replay, hyperopt_space(problem), algo=tpe.suggest,
             max_evals=len(data) + k + 2, trials=trials, rstate=np.random.default_rng(k + 1),
             show_progressbar=False)
        if k >= 0:
            out.append(time.perf_counter() - start)
    return out


def measure_latency(problem: Problem, sizes: Sequence[int], repeats: int = 3,
                    methods: Sequence[str] = LATENCY_METHODS) -> dict[str, dict[str, float]]:
    """``{method: {str(N): median seconds}}`` for one problem's space.

    hyperopt's history is random *points* with replayed values (its Trials object cannot
    be filled directly), so its timing includes its own bookkeeping of those trials.
    """
    result: dict[str, dict[str, float]] = {m: {} for m in methods}
    for n in sizes:
        data = _history(problem, n)
        for method in methods:
            if method == "hypersweep-bayes":
                times = _time_hypersweep(problem, data, repeats)
            elif method == "hyperopt-tpe":
                times = _time_hyperopt(problem, data, repeats)
            else:
                times = _time_optuna(problem, data, repeats, method.split("-")[1])
            result[method][str(n)] = statistics.median(times)
    return result
