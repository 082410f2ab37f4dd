"""Bayesian sampling: the HyperDrive-compatible configuration and its validation.

HyperDrive accepts only ``choice``, ``uniform`` and ``quniform`` here (any ``choice``:
its values are categories, so numbers, strings and None may be mixed). Beyond HyperDrive,
``allow_all_expressions=True`` lets every expression type through: the model works in a
transformed space (log for log expressions, the normal's quantiles for normal ones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypersweep._checks import checked_arguments, describe
from hypersweep.errors import ConfigurationTypeError, SearchSpaceError
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.sampling import _bayes as bayes
from hypersweep.sampling._base import Observation, ParameterSampling
from hypersweep.space._expressions import Choice, QUniform, Uniform

__all__ = ["BayesianParameterSampling"]

_HYPERDRIVE_KINDS = (Choice, Uniform, QUniform)


class BayesianParameterSampling(ParameterSampling):
    """Model-based sampling that picks each new configuration from the results so far.

    Example::

        BayesianParameterSampling({"learning_rate": uniform(0.05, 0.1),
                                   "batch_size": choice(16, 32, 64, 128)})

    Recommended budget: ``max_total_runs >= 20 ×`` the number of hyperparameters, and
    few concurrent runs (each new run then benefits from more finished ones).
    """

    sampling_name = "bayesian"

    @checked_arguments
    def __init__(self, parameter_space: Mapping[str, Any], properties: Mapping | None = None,
                 *, seed: int | None = None, allow_all_expressions: bool = False) -> None:
        super().__init__(parameter_space, properties, seed=seed)
        if not isinstance(allow_all_expressions, bool):
            raise ConfigurationTypeError(
                f"allow_all_expressions must be True or False, got "
                f"{describe(allow_all_expressions)}")
        self._allow_all = allow_all_expressions
        for name, expr in self.space.items():
            self._check(name, expr)

    def _check(self, name: str, expr: Any) -> None:
        where = f"parameter_space[{name!r}]"
        if not self._allow_all and not isinstance(expr, _HYPERDRIVE_KINDS):
            raise SearchSpaceError(
                f"{where}: Bayesian sampling supports only choice, uniform and quniform "
                f"(as HyperDrive), got {expr!r}; pass allow_all_expressions=True to use "
                "every expression type")

    @property
    def allow_all_expressions(self) -> bool:
        """True when expressions beyond HyperDrive's (normal, log…) are accepted."""
        return self._allow_all

    def options(self) -> dict[str, Any]:
        return {"seed": self.seed, "allow_all_expressions": self._allow_all}

    def suggest(self, history: Sequence[Observation], n: int, *,
                goal: PrimaryMetricGoal = PrimaryMetricGoal.MAXIMIZE) -> list[dict[str, Any]]:
        # Sobol points first, then a Gaussian process with log expected improvement;
        # the algorithm and its measurements are described in docs/bayesian.md.
        return bayes.suggest(self.space, history, n, goal=PrimaryMetricGoal.parse(goal),
                             seed=self.seed)

