"""Invalid constructor inputs: the right HypersweepError, naming the field and the value."""

from __future__ import annotations

import math

import pytest

from hypersweep import (
    AsyncHyperBandPolicy,
    BanditPolicy,
    ConfigurationError,
    ConfigurationTypeError,
    HypersweepError,
    MedianStoppingPolicy,
    TruncationSelectionPolicy,
)

CE, CTE = ConfigurationError, ConfigurationTypeError

# (id, callable, error type, field named, value shown)
CASES = [
    ("bandit-no-slack", lambda: BanditPolicy(), CE, "slack_factor", "neither"),
    ("bandit-both-slacks", lambda: BanditPolicy(slack_factor=0.1, slack_amount=0.2), CE,
     "slack_amount", "0.2"),
    ("bandit-factor-zero", lambda: BanditPolicy(slack_factor=0), CE, "slack_factor", "0"),
    ("bandit-factor-negative", lambda: BanditPolicy(slack_factor=-0.1), CE, "slack_factor",
     "-0.1"),
    ("bandit-factor-inf", lambda: BanditPolicy(slack_factor=math.inf), CE, "slack_factor",
     "inf"),
    ("bandit-factor-nan", lambda: BanditPolicy(slack_factor=math.nan), CE, "slack_factor",
     "nan"),
    ("bandit-factor-str", lambda: BanditPolicy(slack_factor="0.1"), CTE, "slack_factor",
     "'0.1'"),
    ("bandit-factor-bool", lambda: BanditPolicy(slack_factor=True), CTE, "slack_factor",
     "True"),
    ("bandit-factor-list", lambda: BanditPolicy(slack_factor=[0.1]), CTE, "slack_factor",
     "[0.1]"),
    ("bandit-amount-zero", lambda: BanditPolicy(slack_amount=0), CE, "slack_amount", "0"),
    ("bandit-amount-negative", lambda: BanditPolicy(slack_amount=-1), CE, "slack_amount", "-1"),
    ("bandit-interval-fraction", lambda: BanditPolicy(slack_factor=0.1, evaluation_interval=1.5),
     CTE, "evaluation_interval", "1.5"),
    ("bandit-interval-bool", lambda: BanditPolicy(slack_factor=0.1, evaluation_interval=True),
     CTE, "evaluation_interval", "True"),
    ("bandit-delay-negative", lambda: BanditPolicy(slack_factor=0.1, delay_evaluation=-5), CE,
     "delay_evaluation", "-5"),
    ("bandit-delay-str", lambda: BanditPolicy(slack_factor=0.1, delay_evaluation="5"), CTE,
     "delay_evaluation", "'5'"),
    ("median-delay-none", lambda: MedianStoppingPolicy(delay_evaluation=None), CTE,
     "delay_evaluation", "None"),
    ("median-delay-bool", lambda: MedianStoppingPolicy(delay_evaluation=False), CTE,
     "delay_evaluation", "False"),
    ("truncation-zero", lambda: TruncationSelectionPolicy(0), CE, "truncation_percentage", "0"),
    ("truncation-100", lambda: TruncationSelectionPolicy(100), CE, "truncation_percentage",
     "100"),
    ("truncation-negative", lambda: TruncationSelectionPolicy(-5), CE, "truncation_percentage",
     "-5"),
    ("truncation-fraction", lambda: TruncationSelectionPolicy(20.5), CTE,
     "truncation_percentage", "20.5"),
    ("truncation-bool", lambda: TruncationSelectionPolicy(True), CTE, "truncation_percentage",
     "True"),
    ("truncation-str", lambda: TruncationSelectionPolicy("20"), CTE, "truncation_percentage",
     "'20'"),
    ("truncation-none", lambda: TruncationSelectionPolicy(None), CTE, "truncation_percentage",
     "None"),
    ("truncation-exclude-int", lambda: TruncationSelectionPolicy(20, exclude_finished_jobs=1),
     CTE, "exclude_finished_jobs", "1"),
    ("truncation-exclude-str",
     lambda: TruncationSelectionPolicy(20, exclude_finished_jobs="yes"), CTE,
     "exclude_finished_jobs", "'yes'"),
    ("asha-min-zero", lambda: AsyncHyperBandPolicy(0), CE, "min_interval", "0"),
    ("asha-min-fraction", lambda: AsyncHyperBandPolicy(1.5), CTE, "min_interval", "1.5"),
    ("asha-min-bool", lambda: AsyncHyperBandPolicy(True), CTE, "min_interval", "True"),
    ("asha-eta-one", lambda: AsyncHyperBandPolicy(1, 1), CE, "reduction_factor", "1"),
    ("asha-eta-fraction", lambda: AsyncHyperBandPolicy(1, 2.5), CTE, "reduction_factor", "2.5"),
    ("asha-eta-str", lambda: AsyncHyperBandPolicy(1, "3"), CTE, "reduction_factor", "'3'"),
    ("asha-max-equal-min", lambda: AsyncHyperBandPolicy(4, max_interval=4), CE, "max_interval",
     "4"),
    ("asha-max-below-min", lambda: AsyncHyperBandPolicy(4, max_interval=2), CE, "max_interval",
     "2"),
    ("asha-max-zero", lambda: AsyncHyperBandPolicy(max_interval=0), CE, "max_interval", "0"),
    ("asha-max-bool", lambda: AsyncHyperBandPolicy(max_interval=True), CTE, "max_interval",
     "True"),
]


@pytest.mark.parametrize(("make", "error", "field", "shown"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_invalid_constructor_input(make, error, field, shown):
    with pytest.raises(error) as info:
        make()
    assert isinstance(info.value, HypersweepError)
    message = str(info.value)
    assert field in message
    assert shown in message


def test_bandit_positional_order_is_hyperdrives():
    # HyperDrive: BanditPolicy(evaluation_interval=1, slack_factor=None, slack_amount=None,
    # delay_evaluation=0)
    policy = BanditPolicy(2, 0.1, None, 5)
    assert (policy.evaluation_interval, policy.slack_factor, policy.delay_evaluation) == (
        2, 0.1, 5)
    with pytest.raises(TypeError):
        BanditPolicy(0.1)  # an evaluation_interval of 0.1 is not an integer


@pytest.mark.parametrize("interval", [0, -1, 4, 1.0, "1"])
def test_interval_outside_the_logged_values_is_refused(interval):
    with pytest.raises(ConfigurationError, match="interval"):
        MedianStoppingPolicy().should_terminate("a", interval, {"a": [1, 2, 3]}, "maximize")


def test_unknown_run_is_refused():
    with pytest.raises(ConfigurationError, match="'nope'"):
        TruncationSelectionPolicy(20).should_terminate("nope", 1, {"a": [1]}, "maximize")
