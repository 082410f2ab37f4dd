"""HyperDrive code that names Azure ML things hypersweep does not have runs unchanged,
with a warning that says what happens instead."""

from __future__ import annotations

import sys

import pytest

from hypersweep import Environment, HypersweepWarning, ScriptRunConfig


def test_an_azure_compute_name_runs_locally_with_a_warning():
    with pytest.warns(HypersweepWarning, match="'cpu-cluster' is an Azure ML compute"):
        src = ScriptRunConfig(".", "t.py", compute_target="cpu-cluster")
    assert src.compute_target == {"type": "local"}


def test_environments_from_conda_and_pip_files(tmp_path):
    conda = tmp_path / "conda.yml"
    conda.write_text("dependencies: [python=3.11, scikit-learn]\n")
    with pytest.warns(HypersweepWarning, match="install the packages of"):
        env = Environment.from_conda_specification(name="sk", file_path=str(conda))
    assert env.name == "sk" and env.register(workspace=None) is env
    pip = tmp_path / "requirements.txt"
    pip.write_text("scikit-learn\n")
    with pytest.warns(HypersweepWarning):
        env = Environment.from_pip_requirements("sk", pip)
    src = ScriptRunConfig(".", "t.py", environment=env)
    assert src.environment is env


def test_a_curated_environment_and_a_user_managed_interpreter():
    with pytest.warns(HypersweepWarning, match="AzureML-sklearn"):
        env = Environment.get(workspace=None, name="AzureML-sklearn-1.0-ubuntu20.04-py38-cpu")
    env.python.user_managed_dependencies = True
    env.python.interpreter_path = sys.executable
    assert env.python_interpreter == sys.executable
    assert env.to_json()["python_interpreter"] == sys.executable
    env.environment_variables = {"1X": "a"}  # assigned later: checked when it is used
    with pytest.raises(Exception, match="environment_variables"):
        env.to_json()


@pytest.mark.parametrize(("make", "expected"), [
    (lambda: __import__("hypersweep").HyperDriveConfig(max_total_run=2),
     "HyperDriveConfig: unknown argument 'max_total_run'; did you mean 'max_total_runs'?"),
    (lambda: __import__("hypersweep").BanditPolicy(slack_factr=0.1),
     "BanditPolicy: unknown argument 'slack_factr'; did you mean 'slack_factor'?"),
    (lambda: __import__("hypersweep").MedianStoppingPolicy(delay_evalution=5),
     "did you mean 'delay_evaluation'?"),
    (lambda: ScriptRunConfig(argumnts=[]), "did you mean 'arguments'?"),
    (lambda: __import__("hypersweep").TruncationSelectionPolicy(),
     "TruncationSelectionPolicy: truncation_percentage is required"),
    (lambda: __import__("hypersweep").RandomParameterSampling(space={}),
     "RandomParameterSampling: unknown argument 'space'; allowed: parameter_space"),
])
def test_a_misspelt_or_missing_argument_is_named_with_what_is_allowed(make, expected):
    from hypersweep import ConfigurationTypeError

    with pytest.raises(ConfigurationTypeError) as info:
        make()
    assert expected in str(info.value)
    assert isinstance(info.value, TypeError)  # what Python itself would have raised


def test_sampling_properties_are_read_or_warned_about():
    from hypersweep import GridParameterSampling, RandomParameterSampling, choice, uniform

    sampling = RandomParameterSampling({"x": uniform(0, 1)}, properties={"Rule": "sobol",
                                                                         "seed": 5})
    assert (sampling.rule, sampling.seed) == ("sobol", 5)
    explicit = RandomParameterSampling({"x": uniform(0, 1)}, {"seed": 5}, seed=6)
    assert explicit.seed == 6  # the keyword wins
    with pytest.warns(HypersweepWarning, match="'bogus' are not used"):
        RandomParameterSampling({"x": uniform(0, 1)}, properties={"bogus": 1})
    with pytest.warns(HypersweepWarning, match="known: none"):
        GridParameterSampling({"x": choice(1)}, properties={"seed": 1})
