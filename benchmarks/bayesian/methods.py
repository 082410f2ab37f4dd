"""The optimisers compared, each behind one function: (problem, budget, seed) → a trace.

A trace holds the objective value of every trial in order and the seconds each
suggestion took (the optimiser's own time, not the objective's). Every method minimises
the same deterministic objective with its library's defaults, seeded with ``seed``:

- ``hypersweep-bayes``: :class:`BayesianParameterSampling`, one trial at a time;
- ``hypersweep-bayes-c4``: the same with four trials in flight (each suggestion sees
  the three others as pending), to measure what concurrency costs;
- ``hypersweep-random``: :class:`RandomParameterSampling`;
- ``optuna-tpe``: Optuna's ``TPESampler(multivariate=True)``;
- ``optuna-gp``: Optuna's ``GPSampler``;
- ``hyperopt-tpe``: hyperopt's ``tpe.suggest``.

Optuna and hyperopt are benchmark-only dependencies (``pip install -e .[bench]``).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.bayesian.problems import Problem
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.sampling import (
    BayesianParameterSampling,
    Observation,
    ParameterSampling,
    RandomParameterSampling,
)
from hypersweep.space._expressions import Choice, LogUniform, QUniform, Uniform

__all__ = ["METHODS", "Trace", "run_method"]

Trace = dict[str, list[float]]
_MIN = PrimaryMetricGoal.MINIMIZE


def _hypersweep(sampler: ParameterSampling, problem: Problem, budget: int,
                concurrency: int = 1) -> Trace:
    """Asynchronous loop: ``concurrency`` trials in flight, the oldest finishes first."""
    history: list[Observation] = []
    running: deque[int] = deque()
    values: list[float] = []
    times: list[float] = []
    while len(values) < budget:
        while len(running) < concurrency and len(history) < budget:
            start = time.perf_counter()
            params = sampler.suggest(history, 1, goal=_MIN)[0]
            times.append(time.perf_counter() - start)
            running.append(len(history))
            history.append(Observation(params, None, pending=True))
        index = running.popleft()
        value = problem.objective(history[index].params)
        history[index] = Observation(history[index].params, value)
        values.append(value)
    return {"values": values, "suggest_seconds": times}


def _bayes(problem: Problem, budget: int, seed: int) -> Trace:
    sampler = BayesianParameterSampling(problem.space, seed=seed, allow_all_expressions=True)
    return _hypersweep(sampler, problem, budget)


def _bayes_c4(problem: Problem, budget: int, seed: int) -> Trace:
    sampler = BayesianParameterSampling(problem.space, seed=seed, allow_all_expressions=True)
    return _hypersweep(sampler, problem, budget, concurrency=4)


def _random(problem: Problem, budget: int, seed: int) -> Trace:
    return _hypersweep(RandomParameterSampling(problem.space, seed=seed), problem, budget)


# -- Optuna -----------------------------------------------------------------------------

def _optuna_distributions(problem: Problem) -> dict[str, Any]:
    from optuna import distributions as d

    out: dict[str, Any] = {}
    for name, expr in problem.space.items():
        if isinstance(expr, Choice):
            out[name] = d.CategoricalDistribution(list(expr.values()))
        elif isinstance(expr, QUniform):
            lo, hi, q = (int(a) for a in expr.args)
            out[name] = d.IntDistribution(lo, hi, step=q)
        elif isinstance(expr, LogUniform):
            out[name] = d.FloatDistribution(math.exp(expr.args[0]), math.exp(expr.args[1]),
                                            log=True)
        elif isinstance(expr, Uniform):
            out[name] = d.FloatDistribution(float(expr.args[0]), float(expr.args[1]))
        else:
            raise TypeError(f"no Optuna equivalent for {expr!r}")
    return out


def _optuna(make_sampler: Callable[[int], Any]) -> Callable[[Problem, int, int], Trace]:
    def run(problem: Problem, budget: int, seed: int) -> Trace:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        study = optuna.create_study(direction="minimize", sampler=make_sampler(seed))
        dists = _optuna_distributions(problem)
        values, times = [], []
        for _ in range(budget):
            start = time.perf_counter()
            trial = study.ask(dists)
            times.append(time.perf_counter() - start)
            value = problem.objective(trial.params)
            study.tell(trial, value)
            values.append(value)
        return {"values": values, "suggest_seconds": times}
    return run


def _tpe_sampler(seed: int) -> Any:
    import optuna

    return optuna.samplers.TPESampler(seed=seed, multivariate=True)


def _gp_sampler(seed: int) -> Any:
    import optuna

    return optuna.samplers.GPSampler(seed=seed)


# -- hyperopt ---------------------------------------------------------------------------

def hyperopt_space(problem: Problem) -> dict[str, Any]:
    """The problem's space in hyperopt's terms (same distributions)."""
    from hyperopt import hp

    out: dict[str, Any] = {}
    for name, expr in problem.space.items():
        if isinstance(expr, Choice):
            out[name] = hp.choice(name, list(expr.values()))
        elif isinstance(expr, QUniform):
            out[name] = hp.quniform(name, *expr.args)
        elif isinstance(expr, LogUniform):
            out[name] = hp.loguniform(name, *expr.args)
        elif isinstance(expr, Uniform):
            out[name] = hp.uniform(name, *expr.args)
        else:
            raise TypeError(f"no hyperopt equivalent for {expr!r}")
    return out


def _hyperopt(problem: Problem, budget: int, seed: int) -> Trace:
    from hyperopt import STATUS_OK, Trials, fmin, tpe

    values: list[float] = []
    stamps: list[float] = [time.perf_counter()]

    def objective(params: dict[str, Any]) -> dict[str, Any]:
        suggested = time.perf_counter()
        value = problem.objective(params)
        values.append(value)
        stamps.extend([suggested, time.perf_counter()])
        return {"loss": value, "status": STATUS_OK}

    fmin(objective, hyperopt_space(problem), algo=tpe.suggest, max_evals=budget,
         trials=Trials(), rstate=np.random.default_rng(seed), show_progressbar=False)
    # suggestion time = from the end of one evaluation to the start of the next
    times = [stamps[2 * i + 1] - stamps[2 * i] for i in range(len(values))]
    return {"values": values, "suggest_seconds": times}


METHODS: dict[str, Callable[[Problem, int, int], Trace]] = {
    "hypersweep-bayes": _bayes,
    "hypersweep-bayes-c4": _bayes_c4,
    "hypersweep-random": _random,
    "optuna-tpe": _optuna(_tpe_sampler),
    "optuna-gp": _optuna(_gp_sampler),
    "hyperopt-tpe": _hyperopt,
}


def run_method(method: str, problem: Problem, budget: int, seed: int) -> Trace:
    """Run one method on one problem for ``budget`` trials with ``seed``."""
    return METHODS[method](problem, budget, seed)
