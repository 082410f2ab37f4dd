"""HyperDrive's scikit-learn sample, with keys written "--kernel" and "--penalty".

    python examples/iris/submit.py
"""

from pathlib import Path

from hypersweep import (
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    PrimaryMetricGoal,
    ScriptRunConfig,
    Workspace,
    choice,
)

src = ScriptRunConfig(source_directory=str(Path(__file__).parent), script="train.py")
param_sampling = GridParameterSampling({
    "--kernel": choice("linear", "rbf", "poly", "sigmoid"),
    "--penalty": choice(0.5, 1, 1.5),
})
hyperdrive_config = HyperDriveConfig(run_config=src,
                                     hyperparameter_sampling=param_sampling,
                                     primary_metric_name="Accuracy",
                                     primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                                     max_total_runs=12,
                                     max_concurrent_runs=2)

if __name__ == "__main__":
    hyperdrive_run = Experiment(Workspace.from_config(), "iris").submit(hyperdrive_config)
    hyperdrive_run.wait_for_completion(show_output=True)
    best_run = hyperdrive_run.get_best_run_by_primary_metric()
    print(best_run.id, best_run.get_metrics()["Accuracy"],
          best_run.get_details()["runDefinition"]["arguments"])
