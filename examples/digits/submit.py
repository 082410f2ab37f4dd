"""The digits sweep in HyperDrive's Python style: only the import line differs.

Runs 16 trials of train.py, two at a time, in a background controller (closing this
script or notebook does not stop the sweep), then prints the best run.

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
                                    script="train.py", arguments=["--epochs", 20])
param_sampling = RandomParameterSampling({
    "learning_rate": loguniform(-8.5, -2.5),  # natural-log bounds: e^-8.5 … e^-2.5
    "hidden_size": choice(16, 32, 64, 128),
    "alpha": loguniform(-11.5, -2.3),
    "batch_size": choice(32, 64, 128),
})
early_termination_policy = BanditPolicy(slack_factor=0.1, evaluation_interval=1,
                                        delay_evaluation=5)
hd_config = HyperDriveConfig(run_config=script_run_config,
                             hyperparameter_sampling=param_sampling,
                             policy=early_termination_policy,
                             primary_metric_name="accuracy",
                             primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
                             max_total_runs=16,
                             max_concurrent_runs=2,
                             max_duration_minutes=10)

if __name__ == "__main__":
    run = Experiment(Workspace.from_config(), "digits").submit(hd_config)
    run.wait_for_completion(show_output=True)
    best = run.get_best_run_by_primary_metric()
    if best is None:
        raise SystemExit("no run logged accuracy; see the runs' logs/std_log.txt")
    print(best.id, best.get_metrics()["accuracy"], best.get_details()["runDefinition"]["arguments"])
