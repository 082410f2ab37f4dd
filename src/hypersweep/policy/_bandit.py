"""Bandit policy (SPEC §4): stop runs that fall outside a slack of the best run."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence, Set
from fractions import Fraction
from typing import Any

from hypersweep._checks import checked_arguments
from hypersweep.errors import ConfigurationError
from hypersweep.goal import PrimaryMetricGoal
from hypersweep.policy._base import EarlyTerminationPolicy
from hypersweep.policy._series import prefix_best_score
from hypersweep.policy._support import (
    exact,
    near,
    others_reaching,
    pair,
    positive_number,
    run_values,
    show,
)

__all__ = ["BanditPolicy"]

# Metric names that are usually <= 0 or change sign (sklearn's neg_* scorers, R², rewards).
_SIGNED_NAME_HINTS = ("neg", "log_likelihood", "loglik", "log_prob", "logprob", "elbo", "r2",
                      "reward", "return", "profit")


class BanditPolicy(EarlyTerminationPolicy):
    """Stop a run whose best value is not within a slack of the best run's (HyperDrive).

    At each scheduled interval N, ``Y`` is this run's best value over its first N values
    and ``B`` the best such value over every run that logged at least N values (this one
    included). Exactly one slack is given; the run stops when, strictly,

    ========  ===========================  ======================
    goal      ``slack_factor`` s           ``slack_amount`` a
    ========  ===========================  ======================
    maximize  ``Y < B / (1 + s)``          ``Y < B - a``
    minimize  ``Y > B * (1 + s)``          ``Y > B + a``
    ========  ===========================  ======================

    A run exactly on the threshold lives, the threshold taken as computed by hand from
    the numbers as written (B = 0.8, slack_amount 0.1: a best of 0.7 lives, although
    ``0.8 - 0.1 != 0.7`` in floating point); with no other run at interval N nothing stops;
    NaN/±inf values count as the worst (a run with no finite value stops as soon as
    another run has one). Both slacks must be finite and > 0 (a zero slack would stop
    every run not tied with the best, so it is refused).

    Ratio slack assumes a positive metric. **(ours)** When B is negative the ratio is
    applied to B's magnitude on the worse side: maximize stops ``Y < B * (1 + s)``,
    minimize stops ``Y > B / (1 + s)``. So the best run is never stopped, and negating
    the values and flipping the goal gives the same decisions. At B = 0 the threshold is
    0 (no slack at all). :meth:`warnings_for` tells when a metric looks signed.

    The positional order is HyperDrive's (``evaluation_interval`` first), so
    ``BanditPolicy(1, 0.1)`` means ``slack_factor=0.1``; name the slack to be clear.

    Example::

        >>> from hypersweep import PrimaryMetricGoal
        >>> policy = BanditPolicy(slack_factor=0.2)
        >>> table = {"good": [0.7, 0.8], "poor": [0.5, 0.6]}
        >>> policy.should_terminate("poor", 2, table, PrimaryMetricGoal.MAXIMIZE)
        'BanditPolicy at interval 2: best 0.6 < 0.6667 = 0.8 / (1 + 0.2)'
    """

    policy_name = "bandit"

    @checked_arguments
    def __init__(self, evaluation_interval: int = 1, slack_factor: float | None = None,
                 slack_amount: float | None = None, delay_evaluation: int = 0) -> None:
        super().__init__(evaluation_interval, delay_evaluation)
        if (slack_factor is None) == (slack_amount is None):
            given = "neither" if slack_factor is None else (
                f"both (slack_factor={slack_factor!r}, slack_amount={slack_amount!r})")
            raise ConfigurationError(
                f"BanditPolicy needs exactly one of slack_factor or slack_amount, got {given}")
        field, value = (("slack_factor", slack_factor) if slack_amount is None
                        else ("slack_amount", slack_amount))
        self._slack_field = field
        self._slack = positive_number(field, value)

    @property
    def slack_factor(self) -> float | None:
        return self._slack if self._slack_field == "slack_factor" else None

    @property
    def slack_amount(self) -> float | None:
        return self._slack if self._slack_field == "slack_amount" else None

    def options(self) -> dict[str, Any]:
        return {self._slack_field: self._slack, **super().options()}

    def threshold(self, best: float, goal: PrimaryMetricGoal) -> tuple[float, str]:
        """The threshold for a best value ``best`` (B), and the formula that gives it."""
        op = self._operation(best, goal)
        slack = self._slack
        formula = {"-": "{} - {}", "+": "{} + {}", "/": "{} / (1 + {})", "*": "{} * (1 + {})"}
        return _apply(op, best, slack), formula[op].format(show(best), show(slack))

    def _exact_threshold(self, best: float, goal: PrimaryMetricGoal) -> Fraction:
        """:meth:`threshold` in exact decimal arithmetic (see ``_support.exact``)."""
        return _apply(self._operation(best, goal), exact(best), exact(self._slack))

    def _operation(self, best: float, goal: PrimaryMetricGoal) -> str:
        """How the slack moves B to the worse side: ``-``/``+`` (amount), ``/``/``*``
        (factor: towards zero for a B on the goal's side of it, away from zero else)."""
        maximize = goal is PrimaryMetricGoal.MAXIMIZE
        if self._slack_field == "slack_amount":
            return "-" if maximize else "+"
        return "/" if maximize == (best >= 0) else "*"

    def should_terminate(self, run_id: str, interval: int,
                         table: Mapping[str, Sequence[float]], goal: PrimaryMetricGoal,
                         finished: Set[str] = frozenset()) -> str | None:
        """The reason ``run_id`` stops at ``interval`` (see the class docstring), or None."""
        values = run_values(run_id, interval, table)
        others = others_reaching(run_id, interval, table)
        if not self.is_scheduled(interval) or not others:
            return None
        goal = PrimaryMetricGoal.parse(goal, "goal")
        top = max(prefix_best_score(goal, table[run], interval) for run in (run_id, *others))
        if top == -math.inf:  # no finite value anywhere: nothing to compare with
            return None
        best = goal.sign * top
        mine = prefix_best_score(goal, values, interval)
        own = None if mine == -math.inf else goal.sign * mine
        prefix = f"BanditPolicy at interval {interval}: "
        if own is None:
            return (prefix + "best non-finite (NaN/inf counts as the worst value), "
                    f"while the best run's best is {show(best)}")
        limit, formula = self.threshold(best, goal)
        maximize = goal is PrimaryMetricGoal.MAXIMIZE
        if near(own, limit):  # on the threshold as written, up to float rounding?
            mine_x, limit_x = exact(own), self._exact_threshold(best, goal)
            beyond = mine_x < limit_x if maximize else mine_x > limit_x
        else:
            beyond = own < limit if maximize else own > limit
        if not beyond:
            return None
        mine, theirs = pair(own, limit)
        return f"{prefix}best {mine} {'<' if maximize else '>'} {theirs} = {formula}"

    def warnings_for(self, goal: PrimaryMetricGoal | str, values: Iterable[float] = (),
                     metric_name: str | None = None) -> list[str]:
        """Messages to raise as ``HypersweepWarning`` when ratio slack looks ill-defined.

        Pure: the config layer calls it with the goal and the primary-metric name, the
        controller may call it again with early logged values. It returns one message when
        ``slack_factor`` is used and a logged finite value is <= 0 or the metric name
        suggests a signed metric (``neg_*``, log-likelihood, R², reward); otherwise ``[]``.
        """
        goal = PrimaryMetricGoal.parse(goal, "goal")
        if self._slack_field != "slack_factor":
            return []
        causes = []
        seen = [v for v in values if v is not None and math.isfinite(v) and v <= 0]
        if seen:
            causes.append(f"a logged value is {show(seen[0])}")
        if metric_name is not None and any(h in metric_name.lower() for h in _SIGNED_NAME_HINTS):
            causes.append(f"the metric name {metric_name!r} suggests values <= 0")
        if not causes:
            return []
        return [f"BanditPolicy(slack_factor={show(self._slack)}) assumes a positive "
                f"primary metric, but {' and '.join(causes)}; with a best value B <= 0 "
                f"({goal.value.lower()}) the ratio slack is ill-defined: hypersweep applies it "
                "to |B| on the worse side, and B = 0 leaves no slack. Prefer slack_amount."]


def _apply(op: str, best: Any, slack: Any) -> Any:
    """B moved by the slack as ``op`` says, in whatever arithmetic B and the slack have
    (floats, or exact fractions)."""
    if op == "-":
        return best - slack
    if op == "+":
        return best + slack
    return best / (1 + slack) if op == "/" else best * (1 + slack)
