"""The digits sweep in HyperDrive's Python style: only the import line differs.

    python examples/digits/submit.py
"""

from pathlib import Path

from hypersweep import (
    BanditPolicy,
    Experiment,
    HyperDriveConfig,
    PrimaryMetricGoal,
    RandomParameterSampling,
    ScriptRunConfig,
    Workspace,
    choice,
    loguniform,
)

script_run_config = ScriptRunConfig(source_directory=str(Path(__file__).parent),
                                    script="train.py", arguments=["--epochs", 15])
param_sampling = RandomParameterSampling({
    "learning_rate": loguniform(-8.5, -2.5),
    "hidden_size": choice(16, 32, 64, 128),
    "batch_size": choice(32, 64, 128),
})
early_termination_policy = BanditPolicy(slack_factor=0.1, evaluation_interval=1,
                                        delay_evaluation=5)
hd_config = HyperDriveConfig(run_config=script_run_config,
                             hyperparameter_sampling=param_sampling,
                             policy=early_termination_policy,
                             primary_metric_name="accuracy",
                             primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                             max_total_runs=60,
                             max_concurrent_runs=2)

if __name__ == "__main__":
    hyperdrive_run = Experiment(Workspace.from_config(), "digits").submit(hd_config)
    hyperdrive_run.wait_for_completion(show_output=True)
    best_run = hyperdrive_run.get_best_run_by_primary_metric()
    best_run_metrics = best_run.get_metrics()
    parameter_values = best_run.get_details()["runDefinition"]["arguments"]
    print("Best Run Id: ", best_run.id)
    print("\n Accuracy:", max(best_run_metrics["accuracy"]))
    print("\n learning rate:", parameter_values[3])
    print("\n hidden size:", parameter_values[5])
    print("\n batch size:", parameter_values[7])
