"""The public names are pinned: HyperDrive users rely on them."""

from __future__ import annotations

import subprocess
import sys

import hypersweep

HYPERDRIVE_NAMES = {
    "BayesianParameterSampling", "GridParameterSampling", "HyperDriveConfig",
    "NoTerminationPolicy", "PrimaryMetricGoal", "RandomParameterSampling", "ScriptRunConfig",
    "choice", "lognormal", "loguniform", "normal", "qlognormal", "qloguniform", "qnormal",
    "quniform", "randint", "uniform",
}


def test_all_is_sorted_and_resolvable():
    assert hypersweep.__all__ == sorted(hypersweep.__all__)
    for name in hypersweep.__all__:
        assert getattr(hypersweep, name) is not None, name


def test_hyperdrive_names_are_exported():
    assert set(hypersweep.__all__) >= HYPERDRIVE_NAMES


def test_importing_the_package_imports_nothing_heavy():
    code = ("import sys, hypersweep; "
            "print(any(m.split('.')[0] in ('numpy', 'scipy', 'sqlalchemy') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_seed_document_examples_run_unchanged():
    from hypersweep import (
        BayesianParameterSampling,
        GridParameterSampling,
        HyperDriveConfig,
        PrimaryMetricGoal,
        RandomParameterSampling,
        ScriptRunConfig,
        choice,
        normal,
        uniform,
    )

    space = {"batch_size": choice(16, 32, 64, 128), "number_of_hidden_layers": choice(range(1, 5))}
    assert space["number_of_hidden_layers"].values() == (1, 2, 3, 4)
    RandomParameterSampling({"learning_rate": normal(10, 3),
                             "keep_probability": uniform(0.05, 0.1),
                             "batch_size": choice(16, 32, 64, 128)})
    GridParameterSampling({"num_hidden_layers": choice(1, 2, 3), "batch_size": choice(16, 32)})
    BayesianParameterSampling({"learning_rate": uniform(0.05, 0.1),
                               "batch_size": choice(16, 32, 64, 128)})
    param_sampling = RandomParameterSampling({"learning_rate": uniform(0.0005, 0.005),
                                              "momentum": uniform(0.9, 0.99)})
    script_run_config = ScriptRunConfig(source_directory=".", script="pytorch_train.py")
    hd_config = HyperDriveConfig(run_config=script_run_config,
                                 hyperparameter_sampling=param_sampling,
                                 policy=None,
                                 primary_metric_name="accuracy",
                                 primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                                 max_total_runs=100,
                                 max_concurrent_runs=4)
    assert hd_config.max_total_runs == 100
