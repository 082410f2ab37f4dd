"""Azure ML v2 ``early_termination`` mappings and the JSON round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hypersweep import (
    AsyncHyperBandPolicy,
    BanditPolicy,
    ConfigurationError,
    ConfigurationTypeError,
    HypersweepError,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
)
from hypersweep.policy import policy_from_json, policy_from_v2

VALID = [
    (None, NoTerminationPolicy()),
    ({"type": "none"}, NoTerminationPolicy()),
    ({"type": "bandit", "slack_factor": 0.1, "evaluation_interval": 1, "delay_evaluation": 5},
     BanditPolicy(slack_factor=0.1, evaluation_interval=1, delay_evaluation=5)),
    ({"type": "bandit", "slack_amount": 0.2}, BanditPolicy(slack_amount=0.2)),
    ({"type": "bandit", "slack_factor": 0.1, "slack_amount": 0.0},
     BanditPolicy(slack_factor=0.1)),
    ({"type": "bandit", "slack_factor": 0, "slack_amount": 0.3}, BanditPolicy(slack_amount=0.3)),
    ({"type": "bandit", "slack_factor": 0.1, "slack_amount": None},
     BanditPolicy(slack_factor=0.1)),
    ({"type": "median_stopping", "evaluation_interval": 1, "delay_evaluation": 5},
     MedianStoppingPolicy(1, 5)),
    ({"type": "median_stopping"}, MedianStoppingPolicy()),
    ({"type": "truncation_selection", "truncation_percentage": 20, "evaluation_interval": 1,
      "delay_evaluation": 5}, TruncationSelectionPolicy(20, 1, 5)),
    ({"type": "truncation_selection", "truncation_percentage": 10,
      "exclude_finished_jobs": True}, TruncationSelectionPolicy(10, exclude_finished_jobs=True)),
    ({"type": "asha"}, AsyncHyperBandPolicy()),
    ({"type": "asha", "min_interval": 2, "reduction_factor": 4, "max_interval": 100},
     AsyncHyperBandPolicy(2, 4, max_interval=100)),
    # Azure REST spellings
    ({"policyType": "Bandit", "slackFactor": 0.15, "slackAmount": 0.0, "evaluationInterval": 1,
      "delayEvaluation": 10}, BanditPolicy(slack_factor=0.15, delay_evaluation=10)),
    ({"policyType": "MedianStopping", "evaluationInterval": 2}, MedianStoppingPolicy(2)),
    ({"policyType": "TruncationSelection", "truncationPercentage": 30},
     TruncationSelectionPolicy(30)),
    ({"type": "Median-Stopping"}, MedianStoppingPolicy()),
    ({"type": "AsyncHyperBand", "minInterval": 3}, AsyncHyperBandPolicy(3)),
]


@pytest.mark.parametrize(("data", "expected"), VALID)
def test_valid_v2(data, expected):
    assert policy_from_v2(data) == expected


# (data, error type, text the message must contain)
INVALID = [
    ([], ConfigurationTypeError, "early_termination"),
    ("bandit", ConfigurationTypeError, "early_termination"),
    (1, ConfigurationTypeError, "early_termination"),
    ({}, ConfigurationError, "type is required"),
    ({"type": None}, ConfigurationError, "type is required"),
    ({"type": 1}, ConfigurationTypeError, "type"),
    ({"type": ["bandit"]}, ConfigurationTypeError, "type"),
    ({"type": {"bandit": 1}}, ConfigurationTypeError, "type"),
    ({"type": "bandt"}, ConfigurationError, "did you mean 'bandit'"),
    ({"type": "median"}, ConfigurationError, "median_stopping"),
    ({"type": "bandit"}, ConfigurationError, "slack_factor"),
    ({"type": "bandit", "slack_facter": 0.1}, ConfigurationError, "did you mean 'slack_factor'"),
    ({"type": "bandit", "slack_factor": 0.1, "evaluation_intervall": 1}, ConfigurationError,
     "did you mean 'evaluation_interval'"),
    ({"type": "bandit", "slack_factor": 0.1, "zzz": None}, ConfigurationError, "'zzz'"),
    ({"type": "median_stopping", "slack_factor": 0.1}, ConfigurationError, "slack_factor"),
    ({"type": "bandit", "slack_factor": 0, "slack_amount": 0}, ConfigurationError, "exactly one"),
    ({"type": "bandit", "slack_factor": 0.1, "slack_amount": 0.2}, ConfigurationError,
     "exactly one"),
    ({"type": "bandit", "slack_factor": 0}, ConfigurationError, "slack_factor"),
    ({"type": "bandit", "slack_factor": [0.1]}, ConfigurationTypeError, "slack_factor"),
    ({"type": "bandit", "slack_factor": {"a": [1, {"b": 2}]}}, ConfigurationTypeError,
     "slack_factor"),
    ({"type": "bandit", "slack_factor": "0.1"}, ConfigurationTypeError, "slack_factor"),
    ({"type": "bandit", "slack_factor": 0.1, "delay_evaluation": True}, ConfigurationTypeError,
     "delay_evaluation"),
    ({"type": "bandit", "slack_factor": 0.1, "slackFactor": 0.2}, ConfigurationError,
     "slack_factor"),
    ({1: "bandit"}, ConfigurationTypeError, "1"),
    ({"type": "truncation_selection"}, ConfigurationError, "truncation_percentage is required"),
    ({"type": "truncation_selection", "truncation_percentage": 100}, ConfigurationError,
     "truncation_percentage"),
    ({"type": "truncation_selection", "truncation_percentage": [20]}, ConfigurationTypeError,
     "truncation_percentage"),
    ({"type": "asha", "reduction_factor": 1}, ConfigurationError, "reduction_factor"),
    ({"type": "none", "slack_factor": 0.1}, ConfigurationError, "no options"),
    ({"type": "hyperband"}, ConfigurationError, "did you mean 'asha'"),
    ({"type": "bogus"}, ConfigurationError, "asha, none"),
    ({"policyType": "bandit", "type": "median_stopping"}, ConfigurationError,
     "'type' and 'policyType' are the same option"),
]


@pytest.mark.parametrize(("data", "error", "text"), INVALID)
def test_invalid_v2(data, error, text):
    with pytest.raises(error) as info:
        policy_from_v2(data)
    assert text in str(info.value)


def test_v2_errors_say_where():
    with pytest.raises(ConfigurationError, match=r"^early_termination \(bandit\): slack_factor"):
        policy_from_v2({"type": "bandit", "slack_factor": -1})


JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8)
KEYS = st.sampled_from(["type", "policyType", "slack_factor", "slack_amount", "slackFactor",
                        "evaluation_interval", "delay_evaluation", "truncation_percentage",
                        "exclude_finished_jobs", "min_interval", "reduction_factor",
                        "max_interval", "bogus"])
TYPES = st.sampled_from(["bandit", "median_stopping", "truncation_selection", "asha", "none",
                         "Bandit", "MedianStopping", "TruncationSelection", "nope"])


@given(st.one_of(JUNK, st.dictionaries(KEYS, JUNK | TYPES, max_size=5)))
def test_malformed_input_raises_only_hypersweep_errors(data):
    try:
        policy = policy_from_v2(data)
    except HypersweepError:
        return
    assert policy_from_json(policy.to_json()) == policy


@given(st.dictionaries(KEYS, JUNK | TYPES, max_size=5))
def test_malformed_json_raises_only_hypersweep_errors(data):
    data = {**data, "type": data.get("type", "bandit")}
    try:
        policy = policy_from_json(data)
    except HypersweepError:
        return
    assert policy_from_json(policy.to_json()) == policy


ALL = [NoTerminationPolicy(), BanditPolicy(slack_factor=0.1, delay_evaluation=5),
       BanditPolicy(slack_amount=0.25, evaluation_interval=2), MedianStoppingPolicy(1, 5),
       TruncationSelectionPolicy(20, 1, 5),
       TruncationSelectionPolicy(10, exclude_finished_jobs=True),
       AsyncHyperBandPolicy(), AsyncHyperBandPolicy(2, 4, max_interval=64)]


@pytest.mark.parametrize("policy", ALL, ids=repr)
def test_json_round_trip(policy):
    data = policy.to_json()
    assert policy_from_json(data) == policy
    assert policy_from_json(data).to_json() == data
    assert policy_from_v2(data) == policy


def test_json_forms():
    assert BanditPolicy(slack_factor=0.1, delay_evaluation=5).to_json() == {
        "type": "bandit", "slack_factor": 0.1, "evaluation_interval": 1, "delay_evaluation": 5}
    assert AsyncHyperBandPolicy().to_json() == {
        "type": "asha", "min_interval": 1, "reduction_factor": 3, "max_interval": None}
    assert TruncationSelectionPolicy(20).to_json() == {
        "type": "truncation_selection", "truncation_percentage": 20, "evaluation_interval": 1,
        "delay_evaluation": 0, "exclude_finished_jobs": False}


@pytest.mark.parametrize(("data", "text"), [
    ({"type": "bandit", "slack_factor": 0.1, "slak_amount": 1}, "did you mean 'slack_amount'"),
    ({"type": "truncation_selection"}, "truncation_percentage is required"),
    ({"type": ["bandit"]}, "policy type"),
])
def test_policy_from_json_errors(data, text):
    with pytest.raises(ConfigurationError, match=text):
        policy_from_json(data)
