"""The Azure ML v2 sweep YAML → SweepSpec."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from hypersweep import ConfigurationError, HypersweepError, HypersweepWarning
from hypersweep.config import load_sweep_yaml, spec_from_yaml_data

BASE = {
    "trial": {"code": ".", "command": "python train.py --lr ${{search_space.lr}} "
                                      "--k ${{search_space.kernel}} --epochs ${{inputs.epochs}}"},
    "inputs": {"epochs": 7},
    "search_space": {"lr": {"type": "loguniform", "min_value": -6, "max_value": -1},
                     "kernel": {"type": "choice", "values": ["rbf", "linear"]}},
    "sampling_algorithm": {"type": "random", "seed": 3, "rule": "sobol"},
    "objective": {"goal": "minimize", "primary_metric": "loss"},
    "limits": {"max_total_trials": 12, "max_concurrent_trials": 3, "timeout": 600,
               "trial_timeout": 60},
    "early_termination": {"type": "bandit", "slack_factor": 0.1, "evaluation_interval": 2,
                          "delay_evaluation": 4},
    "experiment_name": "yamlx",
}


def data(**changes):
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    out.update(changes)
    return out


def test_full_yaml_becomes_a_spec(tmp_path):
    spec, name = spec_from_yaml_data(data(), base_dir=tmp_path)
    assert name == "yamlx"
    assert spec.command == ("python", "train.py", "--lr", "${{search_space.lr}}", "--k",
                            "${{search_space.kernel}}", "--epochs", "7")
    assert spec.max_total_runs == 12 and spec.max_concurrent_runs == 3
    assert spec.max_duration_minutes == 10 and spec.trial_timeout_seconds == 60
    assert spec.primary_metric_goal == "MINIMIZE"
    assert spec.sampling["rule"] == "sobol" and spec.sampling["seed"] == 3
    assert spec.policy["type"] == "bandit" and spec.policy["slack_factor"] == 0.1
    assert spec.source_directory == str(tmp_path.resolve())


def test_load_from_file(tmp_path):
    path = tmp_path / "sweep.yml"
    path.write_text(yaml.safe_dump(data()))
    spec, _ = load_sweep_yaml(path)
    assert spec.space["lr"].to_json() == ["loguniform", [-6, -1]]


@pytest.mark.parametrize(("changes", "text"), [
    ({"limitz": {}}, "'limits'"),
    ({"limits": {"max_total_trial": 3}}, "max_total_trials"),
    ({"objective": {"goal": "minimize"}}, "primary_metric"),
    ({"objective": {"goal": "down", "primary_metric": "x"}}, "objective.goal"),
    ({"sampling_algorithm": "annealing"}, "sampling_algorithm"),
    ({"sampling_algorithm": {"type": "random", "seed": -1}}, "sampling_algorithm.seed must"),
    ({"sampling_algorithm": {"type": "random", "rule": "halton"}},
     "sampling_algorithm.rule must"),
    ({"trial": {"command": "python t.py --x ${{search_space.nope}}"}}, "nope"),
    ({"trial": {"command": "python t.py --e ${{inputs.missing}}"}}, "inputs.missing"),
    ({"trial": {"command": "python t.py --e ${{foo.bar}}"}}, "placeholder"),
    ({"trial": {"comand": "python t.py"}}, "'command'"),
    ({"search_space": {"lr": {"type": "uniform", "min_value": 1, "max_value": 0}}}, "lr"),
    ({"limits": {"max_total_trials": 0}}, "max_total_trials"),
    ({"limits": {"timeout": -1}}, "timeout"),
    ({"early_termination": {"type": "bandit", "slack_factr": 0.1}}, "slack_factor"),
])
def test_bad_yaml_is_reported_with_the_field(changes, text):
    with pytest.raises(HypersweepError) as info:
        spec_from_yaml_data(data(**changes))
    assert text in str(info.value)


def test_unknown_top_level_key_suggests_the_nearest():
    with pytest.raises(ConfigurationError, match="did you mean 'search_space'"):
        spec_from_yaml_data(data(search_spac={}))


def test_not_yaml_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text(textwrap.dedent("""\
        trial: [unclosed
    """))
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        load_sweep_yaml(path)
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_sweep_yaml(tmp_path / "missing.yml")


def test_bayesian_with_a_policy_needs_the_yaml_opt_in(tmp_path):
    import warnings

    space = {"lr": {"type": "uniform", "min_value": 0.0, "max_value": 1.0},
             "kernel": {"type": "choice", "values": ["rbf", "linear"]}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the 20 × parameters budget warning
        with pytest.raises(ConfigurationError, match="does not support early termination"):
            spec_from_yaml_data(data(sampling_algorithm="bayesian", search_space=space),
                                base_dir=tmp_path)
        spec, _ = spec_from_yaml_data(
            data(sampling_algorithm={"type": "bayesian", "allow_early_termination": True},
                 search_space=space), base_dir=tmp_path)
        assert spec.sampling["type"] == "bayesian" and spec.policy["type"] == "bandit"
        asha = {"type": "asha", "min_interval": 1, "reduction_factor": 3}
        spec, _ = spec_from_yaml_data(data(sampling_algorithm="bayesian", search_space=space,
                                           early_termination=asha), base_dir=tmp_path)
        assert spec.policy["type"] == "asha"
        with pytest.raises(HypersweepError, match="allow_early_termination must be true"):
            spec_from_yaml_data(
                data(sampling_algorithm={"type": "bayesian", "allow_early_termination": "yes"},
                     search_space=space), base_dir=tmp_path)


def test_azure_spacing_of_placeholders_is_the_same_placeholder(tmp_path):
    # Azure's schema reference writes ${{ search_space.lr }}; it once reached the script as
    # three literal tokens
    command = "python t.py --lr ${{ search_space.lr }} --e ${{  inputs.epochs}} --o ${{outputs.m }}"
    spec, _ = spec_from_yaml_data(data(trial={"code": ".", "command": command}),
                                  base_dir=tmp_path)
    assert spec.command == ("python", "t.py", "--lr", "${{search_space.lr}}", "--e", "7",
                            "--o", "${{outputs.m}}")


def test_a_local_input_path_is_made_absolute_from_the_yaml_folder(tmp_path):
    inputs = {"epochs": 7, "csv": {"type": "uri_file", "path": "./data/iris.csv"},
              "folder": {"type": "uri_folder", "path": "../shared"},
              "literal": {"type": "string", "value": "./kept"},
              "blob": {"type": "uri_file", "path": "wasbs://c@a.blob.core.windows.net/x.csv"},
              "asset": {"type": "uri_folder", "path": "azureml:iris-data@latest"}}
    command = ("python t.py --csv ${{inputs.csv}} --f ${{inputs.folder}} --l "
               "${{inputs.literal}} --b ${{inputs.blob}} --a ${{inputs.asset}} "
               "--lr ${{search_space.lr}}")
    with pytest.warns(HypersweepWarning) as caught:
        spec, _ = spec_from_yaml_data(data(trial={"code": ".", "command": command},
                                           inputs=inputs), base_dir=tmp_path)
    assert spec.command[2:] == (
        "--csv", str(tmp_path.resolve() / "data" / "iris.csv"),
        "--f", str(tmp_path.resolve().parent / "shared"), "--l", "./kept",
        "--b", "wasbs://c@a.blob.core.windows.net/x.csv", "--a", "azureml:iris-data@latest",
        "--lr", "${{search_space.lr}}")
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2 and "inputs.asset" in messages[0] and "inputs.blob" in messages[1]


@pytest.mark.parametrize("compute", ["azureml:cpu-cluster", "cpu-cluster",
                                     "azureml:/subscriptions/x/computes/gpu"])
def test_an_azure_ml_compute_runs_locally_with_a_warning(compute, tmp_path):
    with pytest.warns(HypersweepWarning, match="Azure ML compute"):
        spec, _ = spec_from_yaml_data(data(compute=compute), base_dir=tmp_path)
    assert spec.compute["type"] == "local"


@pytest.mark.parametrize("compute", ["local", "azureml:local"])
def test_local_compute_needs_no_warning(compute, tmp_path, recwarn):
    spec, _ = spec_from_yaml_data(data(compute=compute), base_dir=tmp_path)
    assert spec.compute["type"] == "local"
    assert not [w for w in recwarn if issubclass(w.category, HypersweepWarning)
                and "compute" in str(w.message)]


def test_azure_job_settings_without_local_meaning_are_accepted(tmp_path):
    spec, _ = spec_from_yaml_data(data(identity={"type": "managed"},
                                       queue_settings={"job_tier": "standard"},
                                       services={"my_ssh": {"type": "ssh"}},
                                       properties={"team": "x"}), base_dir=tmp_path)
    assert spec.max_total_runs == 12


def test_errors_and_warnings_use_the_yaml_field_names(tmp_path):
    bayes = {"sampling_algorithm": "bayesian", "early_termination": None,
             "search_space": {"lr": {"type": "uniform", "min_value": 0, "max_value": 1},
                              "kernel": {"type": "choice", "values": ["rbf", "linear"]}}}
    with pytest.raises(ConfigurationError) as info:
        spec_from_yaml_data(data(**{**bayes, "early_termination": {
            "type": "bandit", "slack_factor": 0.1}}), base_dir=tmp_path)
    assert str(info.value).startswith("early_termination: ")
    assert "sampling_algorithm: {type: bayesian, allow_early_termination: true}" in str(
        info.value) and "allow_early_termination_with_bayesian" not in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        spec_from_yaml_data(data(**{**bayes, "search_space": {
            "lr": {"type": "lognormal", "mu": 0, "sigma": 1},
            "kernel": {"type": "choice", "values": ["rbf"]}}}), base_dir=tmp_path)
    assert str(info.value).startswith("search_space['lr']: ")
    assert "allow_all_expressions: true" in str(info.value)
    with pytest.warns(HypersweepWarning) as caught:
        spec_from_yaml_data(data(**bayes), base_dir=tmp_path)
    assert any(str(w.message).startswith("limits.max_total_trials=12 is below")
               for w in caught)


def test_exponents_without_a_dot_are_numbers_as_in_azure(tmp_path):
    """YAML 1.1 (PyYAML) reads 1e-3 as a string; Azure's schema reads it as a number."""
    path = tmp_path / "s.yml"
    path.write_text(textwrap.dedent("""\
        trial: {command: "python t.py --c ${{search_space.c}}", code: .}
        search_space:
          c: {type: loguniform, min_value: -1e1, max_value: 1E+0}
          d: {type: choice, values: [3e2, "1e5", 7]}
        objective: {goal: maximize, primary_metric: acc}
        early_termination: {type: bandit, slack_amount: 1e-2}
        limits: {max_total_trials: 2}
        """))
    spec, _ = load_sweep_yaml(path)
    assert spec.space["c"].to_json() == ["loguniform", [-10.0, 1.0]]
    assert list(spec.space["d"].values()) == [300.0, "1e5", 7]
    assert spec.to_json()["policy"]["slack_amount"] == 0.01


def test_a_command_job_yaml_is_told_where_its_command_goes():
    with pytest.raises(ConfigurationError, match="type must be 'sweep', got 'command'; a "
                                                 "command job's command goes under trial"):
        spec_from_yaml_data({"type": "command", "command": "python x.py"})
