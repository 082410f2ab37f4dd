"""Command lines and environments of trials: exact argv, hostile values stay one argument."""

from __future__ import annotations

import os
import stat

from hypersweep import SearchSpace, choice, uniform
from hypersweep.execution._layout import build_command, prepare_run_dir, stage_run_dir, trial_env

SPACE = SearchSpace({"lr": uniform(0, 1), "--kernel": choice("rbf", "; rm -rf ~", "$(reboot)")})


def test_script_arguments_then_sampled_values_in_space_order():
    argv, args = build_command(script="train.py", arguments=["--epochs", "10"], command=None,
                               space=SPACE, params={"--kernel": "rbf", "lr": 0.25},
                               python="/py", output_dir="/o")
    assert argv == ["/py", "train.py", "--epochs", "10", "--lr", "0.25", "--kernel", "rbf"]
    assert args == ["--epochs", "10", "--lr", "0.25", "--kernel", "rbf"]


def test_yaml_command_placeholders_are_filled_per_token():
    command = ["python", "train.py", "--k", "${{search_space.--kernel}}",
               "--lr=${{search_space.lr}}", "--out", "${{outputs.model}}"]
    argv, args = build_command(script=None, arguments=(), command=command, space=SPACE,
                               params={"--kernel": "; rm -rf ~", "lr": 1e-05},
                               python="/py", output_dir="/o")
    assert argv == ["/py", "train.py", "--k", "; rm -rf ~", "--lr=1e-05", "--out", "/o"]
    assert args == argv[2:]


def test_non_python_commands_are_kept():
    argv, args = build_command(script=None, arguments=(), command=["bash", "run.sh"],
                               space=SPACE, params={"--kernel": "rbf", "lr": 0.5},
                               python="/py", output_dir="/o")
    assert argv == ["bash", "run.sh"] and args == ["run.sh"]


def test_environment_names_and_values():
    env = trial_env(run_id="HD_x_1", experiment="e", sweep_id="HD_x", run_dir="/r",
                    channel_path="/r/logs/metrics.jsonl", space=SPACE,
                    params={"lr": 0.5, "--kernel": "$(reboot)"}, extra={"A": "1"},
                    resume_from="/prev/outputs")
    assert env["HYPERSWEEP_lr"] == "0.5" and env["AZUREML_SWEEP_kernel"] == "$(reboot)"
    assert env["HYPERSWEEP_OUTPUT_DIR"] == "/r/outputs" and env["A"] == "1"
    assert env["HYPERSWEEP_RESUME_FROM"] == env["AZUREML_DATAREFERENCE_MODEL_LOCATION"] == \
        "/prev/outputs"


def test_run_dir_is_owner_only_and_links_the_snapshot(tmp_path):
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "train.py").write_text("print(1)")
    (snap / "outputs").mkdir()  # a stale outputs folder in the source is not shared
    (snap / "data").mkdir()
    (snap / "data" / "x.csv").write_text("1")
    (snap / "config.yml").write_text("lr: 1")
    os.symlink("train.py", snap / "alias.py")
    run = tmp_path / "run"
    prepare_run_dir(str(run), str(snap))
    # a data file is the snapshot's own inode (a hard link), not a copy; a Python
    # source (Python resolves it: one shared __pycache__), a folder and a symbolic link
    # are linked symbolically
    assert os.path.samefile(run / "config.yml", snap / "config.yml")
    assert not os.path.islink(run / "config.yml")
    assert os.readlink(run / "train.py") == str(snap / "train.py")
    assert os.path.islink(run / "data") and (run / "data" / "x.csv").read_text() == "1"
    assert os.readlink(run / "alias.py") == str(snap / "alias.py")
    assert (run / "alias.py").read_text() == "print(1)"
    assert not os.path.islink(run / "outputs")
    assert stat.S_IMODE(os.stat(run / "outputs").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(run / "logs" / "metrics.jsonl").st_mode) == 0o600


def test_a_staged_run_dir_has_everything_but_the_log(tmp_path):
    # the log's existence marks a launch begun (a resumed controller relaunches a Queued
    # run without one), so a folder made ahead of time must not have it
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "train.py").write_text("print(1)")
    run = tmp_path / "run"
    stage_run_dir(str(run), str(snap))
    stage_run_dir(str(run), str(snap))  # again: nothing changes, nothing fails
    assert os.path.islink(run / "train.py")
    assert stat.S_IMODE(os.stat(run / "logs").st_mode) == 0o700
    assert (run / "logs" / "metrics.jsonl").exists()
    assert not (run / "logs" / "std_log.txt").exists()
    prepare_run_dir(str(run), str(snap))
    assert stat.S_IMODE(os.stat(run / "logs" / "std_log.txt").st_mode) == 0o600


def test_a_file_is_linked_symbolically_where_hard_links_are_refused(tmp_path, monkeypatch):
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "data.csv").write_text("1")

    def refuse(*args, **kwargs):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    run = tmp_path / "run"
    stage_run_dir(str(run), str(snap))
    assert os.readlink(run / "data.csv") == str(snap / "data.csv")
