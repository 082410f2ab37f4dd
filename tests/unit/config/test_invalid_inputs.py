"""Table of invalid inputs: each raises the right HypersweepError naming the field."""

from __future__ import annotations

import warnings

import pytest

from hypersweep import (
    AsyncHyperBandPolicy,
    BanditPolicy,
    BayesianParameterSampling,
    ConfigurationError,
    ConfigurationTypeError,
    Environment,
    GridParameterSampling,
    HyperDriveConfig,
    HypersweepError,
    HypersweepWarning,
    MedianStoppingPolicy,
    PrimaryMetricGoal,
    RandomParameterSampling,
    ScriptRunConfig,
    SearchSpaceError,
    TruncationSelectionPolicy,
    choice,
    loguniform,
    normal,
    quniform,
    randint,
    uniform,
)

SRC = ScriptRunConfig(source_directory=".", script="train.py")
SAMPLING = RandomParameterSampling({"lr": uniform(0.01, 0.1)}, seed=1)


def hd(**overrides):
    kwargs = dict(run_config=SRC, hyperparameter_sampling=SAMPLING,
                  primary_metric_name="accuracy", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                  max_total_runs=10, max_concurrent_runs=2)
    kwargs.update(overrides)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        return HyperDriveConfig(**kwargs)


CASES = [
    # (id, callable, error type, text the message must contain)
    ("choice-empty", lambda: choice(), SearchSpaceError, "choice"),
    ("choice-empty-list", lambda: choice([]), SearchSpaceError, "choice"),
    ("choice-empty-range", lambda: choice(range(0)), SearchSpaceError, "choice"),
    ("choice-list-mixed", lambda: choice([1, 2], 3), SearchSpaceError, "choice"),
    ("choice-dict-value", lambda: choice({"a": 1}), ConfigurationTypeError, "choice"),
    ("choice-nan", lambda: choice(float("nan")), SearchSpaceError, "choice"),
    ("randint-zero", lambda: randint(0), SearchSpaceError, "upper"),
    ("randint-float", lambda: randint(2.5), ConfigurationTypeError, "upper"),
    ("randint-bool", lambda: randint(True), ConfigurationTypeError, "upper"),
    ("uniform-lo-eq-hi", lambda: uniform(1, 1), SearchSpaceError, "min_value"),
    ("uniform-lo-gt-hi", lambda: uniform(2, 1), SearchSpaceError, "max_value"),
    ("uniform-str", lambda: uniform("0", 1), ConfigurationTypeError, "min_value"),
    ("uniform-inf", lambda: uniform(0, float("inf")), SearchSpaceError, "max_value"),
    ("quniform-q-zero", lambda: quniform(0, 10, 0), SearchSpaceError, " q "),
    ("quniform-q-negative", lambda: quniform(0, 10, -1), SearchSpaceError, " q "),
    ("loguniform-lo-gt-hi", lambda: loguniform(-1, -6), SearchSpaceError, "min_value"),
    ("normal-negative-sigma", lambda: normal(0, -1), SearchSpaceError, "sigma"),
    ("normal-none", lambda: normal(None, 1), ConfigurationTypeError, "mu"),
    ("space-not-dict", lambda: RandomParameterSampling([uniform(0, 1)]),
     ConfigurationTypeError, "parameter_space"),
    ("space-empty", lambda: RandomParameterSampling({}), SearchSpaceError, "parameter_space"),
    ("space-bad-value", lambda: RandomParameterSampling({"lr": 0.1}),
     ConfigurationTypeError, "'lr'"),
    ("seed-negative", lambda: RandomParameterSampling({"x": uniform(0, 1)}, seed=-1),
     ConfigurationError, "seed"),
    ("grid-with-uniform", lambda: GridParameterSampling({"lr": uniform(0, 1)}),
     SearchSpaceError, "'lr'"),
    ("bayes-normal", lambda: BayesianParameterSampling({"lr": normal(0, 1)}),
     SearchSpaceError, "'lr'"),
    ("bayes-loguniform", lambda: BayesianParameterSampling({"lr": loguniform(-6, -1)}),
     SearchSpaceError, "'lr'"),
    ("max-total-runs-zero", lambda: hd(max_total_runs=0), ConfigurationError, "max_total_runs"),
    ("max-total-runs-missing", lambda: hd(max_total_runs=None), ConfigurationError,
     "max_total_runs"),
    ("max-total-runs-float", lambda: hd(max_total_runs=2.5), ConfigurationTypeError,
     "max_total_runs"),
    ("max-total-runs-azure-cap", lambda: hd(max_total_runs=1001, compat="azure"),
     ConfigurationError, "max_total_runs"),
    ("concurrency-negative", lambda: hd(max_concurrent_runs=-1), ConfigurationError,
     "max_concurrent_runs"),
    ("concurrency-azure-cap", lambda: hd(max_concurrent_runs=101, max_total_runs=200,
                                         compat="azure"), ConfigurationError,
     "max_concurrent_runs"),
    ("duration-zero", lambda: hd(max_duration_minutes=0), ConfigurationError,
     "max_duration_minutes"),
    ("duration-str", lambda: hd(max_duration_minutes="10"), ConfigurationTypeError,
     "max_duration_minutes"),
    ("trial-timeout-negative", lambda: hd(trial_timeout=-5), ConfigurationError,
     "trial_timeout"),
    ("missing-run-config", lambda: hd(run_config=None), ConfigurationError, "run_config"),
    ("run-config-wrong-type", lambda: hd(run_config="train.py"), ConfigurationTypeError,
     "run_config"),
    ("missing-sampling", lambda: hd(hyperparameter_sampling=None), ConfigurationError,
     "hyperparameter_sampling"),
    ("sampling-is-a-dict", lambda: hd(hyperparameter_sampling={"lr": uniform(0, 1)}),
     ConfigurationTypeError, "hyperparameter_sampling"),
    ("missing-metric-name", lambda: hd(primary_metric_name=None), ConfigurationError,
     "primary_metric_name"),
    ("empty-metric-name", lambda: hd(primary_metric_name=" "), ConfigurationError,
     "primary_metric_name"),
    ("bad-goal", lambda: hd(primary_metric_goal="biggest"), ConfigurationError,
     "primary_metric_goal"),
    ("goal-wrong-type", lambda: hd(primary_metric_goal=1), ConfigurationTypeError,
     "primary_metric_goal"),
    ("policy-wrong-type", lambda: hd(policy="bandit"), ConfigurationTypeError, "policy"),
    ("estimator", lambda: hd(estimator=object()), ConfigurationError, "estimator"),
    ("compat-unknown", lambda: hd(compat="gcp"), ConfigurationError, "compat"),
    ("resume-from-six", lambda: hd(resume_from=[f"r{i}" for i in range(6)]),
     ConfigurationError, "resume_from"),
    ("resume-child-duplicates", lambda: hd(resume_child_runs=["a", "a"]), ConfigurationError,
     "resume_child_runs"),
    ("script-missing", lambda: ScriptRunConfig(source_directory="."), ConfigurationError,
     "script"),
    ("arguments-str", lambda: ScriptRunConfig(".", "t.py", arguments="--epochs 10"),
     ConfigurationTypeError, "arguments"),
    ("arguments-dict-item", lambda: ScriptRunConfig(".", "t.py", arguments=[{"a": 1}]),
     ConfigurationTypeError, "arguments[0]"),
    ("conda-file-missing", lambda: Environment.from_conda_specification("e", "nope.yml"),
     ConfigurationError, "nope.yml"),
    ("env-bad-name", lambda: ScriptRunConfig(".", "t.py", environment={"1X": "a"}),
     ConfigurationError, "environment_variables"),
    ("resume-from-item", lambda: hd(resume_from=["HD_a", 42]), ConfigurationTypeError,
     "resume_from[1]: expected a run"),
    ("resume-child-over-budget", lambda: hd(max_total_runs=1, resume_child_runs=["a", "b"]),
     ConfigurationError, "at most 1 runs (max_total_runs)"),
    ("hyperparameter-shadows-run-id", lambda: RandomParameterSampling({"RUN_ID": choice(1)}),
     SearchSpaceError, "HYPERSWEEP_RUN_ID"),
]


@pytest.mark.parametrize(("make", "error", "field"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_invalid_input_is_rejected_with_a_clear_message(make, error, field):
    with pytest.raises(error) as info:
        make()
    assert isinstance(info.value, HypersweepError)
    assert field in str(info.value), str(info.value)


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30


def test_bayesian_with_a_policy_is_rejected_unless_allowed():
    from hypersweep.policy import EarlyTerminationPolicy

    class AlwaysStop(EarlyTerminationPolicy):
        policy_name = "always"

        def should_terminate(self, *args, **kwargs):
            return "stop"

    bayes = BayesianParameterSampling({"lr": uniform(0, 1)})
    with pytest.raises(ConfigurationError, match="policy"):
        hd(hyperparameter_sampling=bayes, policy=AlwaysStop(), max_total_runs=40)
    cfg = hd(hyperparameter_sampling=bayes, policy=AlwaysStop(), max_total_runs=40,
             allow_early_termination_with_bayesian=True)
    assert cfg.policy.policy_name == "always"
    for policy in (BanditPolicy(slack_factor=0.1), MedianStoppingPolicy(),
                   TruncationSelectionPolicy(20)):  # HyperDrive's policies: its error
        with pytest.raises(ConfigurationError, match="does not support early termination"):
            hd(hyperparameter_sampling=bayes, policy=policy, max_total_runs=40)


def test_asha_is_usable_with_bayesian_sampling():
    # SPEC §4: ASHA (beyond HyperDrive) is usable with any sampler, no opt-in needed
    bayes = BayesianParameterSampling({"lr": uniform(0, 1)})
    cfg = hd(hyperparameter_sampling=bayes, policy=AsyncHyperBandPolicy(1, 3, 27),
             max_total_runs=40)
    assert cfg.policy.policy_name == "asha"


def test_bayesian_warns_below_20_runs_per_parameter_and_above_20_concurrent():
    bayes = BayesianParameterSampling({"lr": uniform(0, 1), "k": choice(1, 2)})
    with pytest.warns(HypersweepWarning, match="20 × 2"):
        HyperDriveConfig(run_config=SRC, hyperparameter_sampling=bayes,
                         primary_metric_name="acc", primary_metric_goal="maximize",
                         max_total_runs=39, max_concurrent_runs=1)
    with pytest.warns(HypersweepWarning, match="max_concurrent_runs=21"):
        HyperDriveConfig(run_config=SRC, hyperparameter_sampling=bayes,
                         primary_metric_name="acc", primary_metric_goal="maximize",
                         max_total_runs=100, max_concurrent_runs=21)


def test_grid_larger_than_budget_warns():
    grid = GridParameterSampling({"a": choice(1, 2, 3), "b": choice(1, 2)})
    with pytest.warns(HypersweepWarning, match="6 points"):
        HyperDriveConfig(run_config=SRC, hyperparameter_sampling=grid,
                         primary_metric_name="acc", primary_metric_goal="maximize",
                         max_total_runs=4)


def test_valid_config_becomes_a_json_spec():
    cfg = hd(max_duration_minutes=0.5, trial_timeout=30)
    spec = cfg.to_spec()
    assert spec.max_concurrent_runs == 2
    assert spec.max_duration_minutes == 0.5
    assert spec.trial_timeout_seconds == 30
    assert spec.primary_metric_goal == "MAXIMIZE"
    from hypersweep.config import SweepSpec

    assert SweepSpec.from_json(spec.to_json()) == spec
    assert spec.make_sampling() == SAMPLING


def test_concurrency_defaults_to_total_runs():
    assert hd(max_concurrent_runs=None).max_concurrent_runs == 10


def test_azure_compat_caps_only_what_the_user_gave():
    # HyperDrive: without max_concurrent_runs all runs go at once; only a given value must
    # be 1..100, and max_total_runs may be up to 1000
    for total in (200, 1000):
        assert hd(max_total_runs=total, max_concurrent_runs=None,
                  compat="azure").max_concurrent_runs == total
    assert hd(max_total_runs=1000, max_concurrent_runs=100, compat="azure").max_total_runs == 1000
