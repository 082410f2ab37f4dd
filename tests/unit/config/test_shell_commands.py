"""Which trial commands run under a shell (as Azure runs every command) and which are
started directly, each placeholder value one argument."""

from __future__ import annotations

import pytest

from hypersweep import ScriptRunConfig
from hypersweep._shell import SHELL, needs_shell


@pytest.mark.parametrize("text", [
    "python train.py --lr ${{search_space.lr}}",
    "python train.py --name 'a b; c' --x=${{ search_space.x }}",
    'python train.py --pattern "x|y"',
    "python -u train.py --out ${{outputs.model}}",
])
def test_plain_commands_need_no_shell(text):
    assert not needs_shell(text)


@pytest.mark.parametrize("text", [
    "cd src && python train.py",
    "python train.py > out.txt",
    "python a.py; python b.py",
    "python train.py --epochs $EPOCHS",
    "python train.py --data ~/data",
    "python train.py\npython eval.py",
    "python train.py | tee log.txt",
    "python train.py --seed `date +%s`",
])
def test_shell_syntax_needs_a_shell(text):
    assert needs_shell(text)


def test_script_run_config_commands():
    assert ScriptRunConfig(".", command="python t.py \\\n  --a 1").command == [
        "python", "t.py", "--a", "1"]
    assert ScriptRunConfig(".", command="cd x && python t.py").command == [
        SHELL, "-c", "cd x && python t.py"]
    # a shell command split into words, as in Azure's own examples, is joined again
    words = ["export", "P=$PWD", "&&", "python", "t.py"]
    assert ScriptRunConfig(".", command=words).command == [
        SHELL, "-c", "export P=$PWD && python t.py"]
    assert ScriptRunConfig(".", command=["python", "t.py", "--n", 3]).command == [
        "python", "t.py", "--n", "3"]


def test_a_command_without_placeholders_warns_that_values_are_only_in_the_environment():
    import warnings

    from hypersweep import (
        HyperDriveConfig,
        HypersweepWarning,
        PrimaryMetricGoal,
        RandomParameterSampling,
        uniform,
    )

    def config(command):
        return HyperDriveConfig(
            run_config=ScriptRunConfig(".", command=command),
            hyperparameter_sampling=RandomParameterSampling({"c": uniform(0, 1)}),
            primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            max_total_runs=2)

    with pytest.warns(HypersweepWarning, match="no \\$\\{\\{search_space.NAME\\}\\}"):
        config(["python", "t.py", "--epochs", "1"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", HypersweepWarning)
        config("python t.py --c ${{search_space.c}}")
