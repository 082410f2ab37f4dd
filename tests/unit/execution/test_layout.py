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


def test_run_dir_is_owner_only_and_holds_its_own_view_of_the_snapshot(tmp_path):
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "train.py").write_text("print(1)")
    (snap / "outputs").mkdir()  # a stale outputs folder in the source is not shared
    (snap / "data").mkdir()
    (snap / "data" / "x.csv").write_text("1")
    (snap / "checkpoints").mkdir()  # empty: each run gets its own
    (snap / "pkg").mkdir()
    (snap / "pkg" / "__init__.py").write_text("")
    (snap / "config.yml").write_text("lr: 1")
    (snap / "run.sh").write_text("exit 0")
    os.chmod(snap / "run.sh", 0o755)
    os.symlink("train.py", snap / "alias.py")
    run = tmp_path / "run"
    prepare_run_dir(str(run), str(snap))
    # a small file, Python sources included, is the run's own copy, mode kept; folders
    # are the run's own; a symbolic link of the snapshot stays a link
    assert (run / "config.yml").read_text() == "lr: 1"
    assert not os.path.islink(run / "config.yml")
    assert not os.path.samefile(run / "config.yml", snap / "config.yml")
    assert stat.S_IMODE(os.stat(run / "run.sh").st_mode) & 0o100
    assert not os.path.islink(run / "train.py") and (run / "train.py").read_text() == \
        "print(1)"
    assert not os.path.islink(run / "pkg") and (run / "pkg" / "__init__.py").is_file()
    assert not os.path.islink(run / "data") and (run / "data" / "x.csv").read_text() == "1"
    assert (run / "checkpoints").is_dir() and not os.path.islink(run / "checkpoints")
    assert os.readlink(run / "alias.py") == str(snap / "alias.py")
    assert (run / "alias.py").read_text() == "print(1)"
    assert not os.path.islink(run / "outputs")
    assert stat.S_IMODE(os.stat(run / "outputs").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(run / "logs" / "metrics.jsonl").st_mode) == 0o600


def test_runs_that_write_into_their_source_files_do_not_see_each_other(tmp_path):
    """SPEC §7: each run works in its own copy of the snapshot. A script that rewrites a
    state file in place, saves into a folder of its source directory, or writes next to
    its own source (``Path(__file__).resolve().parent``, in a code-only folder too),
    changes neither the snapshot (what a re-run gets) nor another run's view."""
    snap = tmp_path / "snap"
    (snap / "checkpoints").mkdir(parents=True)
    (snap / "counter.txt").write_text("0")
    (snap / "utils").mkdir()
    (snap / "utils" / "cache.py").write_text("")
    runs = [tmp_path / f"run{i}" for i in range(3)]
    for i, run in enumerate(runs):
        prepare_run_dir(str(run), str(snap))
        seen = int((run / "counter.txt").read_text())
        with open(run / "counter.txt", "r+") as fh:  # in place, same inode
            fh.write(str(seen + 1))
        (run / "checkpoints" / "model.pt").write_text(str(i))
        here = (run / "utils" / "cache.py").resolve().parent  # a module's own folder
        (here / "cache.json").write_text(str(i))
        assert seen == 0
    assert (snap / "counter.txt").read_text() == "0"
    assert not (snap / "checkpoints" / "model.pt").exists()
    assert not (snap / "utils" / "cache.json").exists()
    assert [(r / "checkpoints" / "model.pt").read_text() for r in runs] == ["0", "1", "2"]


def test_a_large_file_is_shared_not_copied(tmp_path, monkeypatch):
    from hypersweep.execution import _layout

    monkeypatch.setattr(_layout, "COPY_LIMIT", 4)
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "big.bin").write_bytes(b"12345")
    (snap / "small.txt").write_bytes(b"1234")
    run = tmp_path / "run"
    stage_run_dir(str(run), str(snap))
    assert (run / "big.bin").read_bytes() == b"12345"
    assert not os.path.samefile(run / "small.txt", snap / "small.txt")
    # a hard link here (ext4, tmpfs); a copy-on-write clone on btrfs or XFS
    assert os.path.samefile(run / "big.bin", snap / "big.bin") or \
        os.stat(run / "big.bin").st_nlink == 1


def test_a_staged_run_dir_has_everything_but_the_log(tmp_path):
    # the log's existence marks a launch begun (a resumed controller relaunches a Queued
    # run without one), so a folder made ahead of time must not have it
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "train.py").write_text("print(1)")
    run = tmp_path / "run"
    stage_run_dir(str(run), str(snap))
    stage_run_dir(str(run), str(snap))  # again: nothing changes, nothing fails
    assert (run / "train.py").read_text() == "print(1)"
    assert stat.S_IMODE(os.stat(run / "logs").st_mode) == 0o700
    assert (run / "logs" / "metrics.jsonl").exists()
    assert not (run / "logs" / "std_log.txt").exists()
    prepare_run_dir(str(run), str(snap))
    assert stat.S_IMODE(os.stat(run / "logs" / "std_log.txt").st_mode) == 0o600


def test_a_large_file_is_linked_symbolically_where_hard_links_are_refused(tmp_path,
                                                                         monkeypatch):
    from hypersweep.execution import _layout

    monkeypatch.setattr(_layout, "COPY_LIMIT", 0)
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "data.csv").write_text("1")

    def refuse(*args, **kwargs):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    monkeypatch.setattr(_layout, "_clone", lambda *fds: False)
    run = tmp_path / "run"
    stage_run_dir(str(run), str(snap))
    assert os.readlink(run / "data.csv") == str(snap / "data.csv")
