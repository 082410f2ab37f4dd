"""The hypersweep command line against real sweeps."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from hypersweep import Workspace
from tests.sweeps import processes_left

pytestmark = pytest.mark.integration


def cli(ws, *args, check=True, timeout=120):
    out = subprocess.run([sys.executable, "-m", "hypersweep", "--workspace", ws, *args],
                         capture_output=True, text=True, timeout=timeout)
    if check:
        assert out.returncode == 0, out.stderr
    return out


@pytest.fixture
def sweep_yml(source, tmp_path):
    def make(mode="ok", total=4, concurrency=2, sleep=0.0, name="clitest", extra=""):
        data = {
            "experiment_name": name,
            "trial": {"code": str(source),
                      "command": f"python behave.py --mode {mode} --sleep {sleep} "
                                 "--x ${{search_space.x}} --steps ${{search_space.steps}}"
                                 + extra,
                      "environment_variables": {"HS_TEST_NOTE": "a b"}},
            "search_space": {"x": {"type": "uniform", "min_value": 0, "max_value": 1},
                             "steps": {"type": "choice", "values": [2, 3]}},
            "sampling_algorithm": {"type": "random", "seed": 4},
            "objective": {"goal": "maximize", "primary_metric": "acc"},
            "limits": {"max_total_trials": total, "max_concurrent_trials": concurrency},
        }
        path = tmp_path / f"{name}.yml"
        path.write_text(yaml.safe_dump(data))
        return str(path)
    return make


def test_run_then_read_commands(tmp_path, sweep_yml, source):
    ws = str(tmp_path / "ws")
    out = cli(ws, "run", sweep_yml())
    assert "Completed" in out.stdout and "best run:" in out.stdout
    listing = json.loads(cli(ws, "ls", "--json").stdout)
    assert len(listing) == 1 and listing[0]["runs"] == 4 and listing[0]["name"] == "clitest"
    status = json.loads(cli(ws, "status", "clitest", "--json").stdout)
    assert [r["status"] for r in status["runs"]] == ["Completed"] * 4
    best = json.loads(cli(ws, "best", "clitest", "--json").stdout)
    values = [r["primary_best"] for r in status["runs"]]
    assert best["value"] == max(values)
    assert best["command"][1:3] == ["behave.py", "--mode"]
    assert best["environment"] == {"HS_TEST_NOTE": "a b"}  # part of the re-run command
    assert "&& HS_TEST_NOTE='a b' " in cli(ws, "best", "clitest").stdout
    text = cli(ws, "status", "clitest").stdout
    assert "acc" in text and "steps" in text and " *" in text
    log = cli(ws, "logs", best["run_id"]).stdout
    assert log == ""  # behave.py prints nothing on success
    logs = json.loads(cli(ws, "logs", best["run_id"], "--json").stdout)
    assert logs["run_id"] == best["run_id"] and logs["status"] == "Completed"
    assert logs["log"] == "" and logs["path"].endswith(os.path.join("logs", "std_log.txt"))
    for bad in ("0", "-1", "x"):
        out = cli(ws, "logs", best["run_id"], "--tail", bad, check=False)
        assert out.returncode == 2 and "--tail: must be a whole number >= 1" in out.stderr
    out = cli(ws, "logs", best["run_id"], "--json", "--follow", check=False)
    assert out.returncode == 2 and "cannot --follow" in out.stderr
    assert "re-run it" in cli(ws, "best", listing[0]["id"]).stdout
    # the re-run command runs in the user's source folder and leaves the experiment's
    # snapshot of the code untouched
    assert best["cwd"] == str(source) and os.path.isfile(os.path.join(best["snapshot"],
                                                                      "behave.py"))
    before = sorted(os.listdir(best["snapshot"]))
    rerun = subprocess.run(best["command"], cwd=best["cwd"], capture_output=True, text=True,
                           timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(os.listdir(best["snapshot"])) == before
    # rerun: the same command line in a fresh copy of the snapshot, metrics printed offline
    folder = tmp_path / "again"
    out = cli(ws, "rerun", best["run_id"], "--dir", str(folder))
    assert f"[offline] acc = {best['value']!r}" in out.stdout.splitlines()
    ran = json.loads((folder / "outputs" / "times.json").read_text())
    assert ran["argv"] == best["arguments"] and (folder / "behave.py").is_file()
    assert sorted(os.listdir(best["snapshot"])) == before
    again = cli(ws, "rerun", best["run_id"], "--dir", str(folder), check=False)
    assert again.returncode == 2 and "already exists" in again.stderr
    out = cli(ws, "cancel", "clitest")  # a finished sweep: said so, nothing changes
    assert "already ended (Completed)" in out.stdout
    assert json.loads(cli(ws, "status", "clitest", "--json").stdout)["experiment"][
        "status"] == "Completed"


def test_re_runs_never_write_into_the_recorded_runs_outputs(tmp_path, sweep_yml):
    """A ${{outputs.x}} placeholder was filled with the run's own outputs/ folder: the
    re-run commands point it elsewhere, so what the best run saved is never overwritten."""
    ws = str(tmp_path / "ws")
    cli(ws, "run", sweep_yml(total=1, extra=" --out ${{outputs.model}}"))
    best = json.loads(cli(ws, "best", "clitest", "--json").stdout)
    recorded = [a for a in best["arguments"] if a.endswith("outputs")]
    assert len(recorded) == 1 and os.path.isabs(recorded[0])
    assert recorded[0] not in best["command"] and "outputs" in best["command"]
    assert "mkdir -p outputs && " in cli(ws, "best", "clitest").stdout
    def saved():
        return {n: open(os.path.join(recorded[0], n), "rb").read()
                for n in sorted(os.listdir(recorded[0]))}

    before = saved()
    folder = tmp_path / "again"
    cli(ws, "rerun", best["run_id"], "--dir", str(folder))
    ran = json.loads((folder / "outputs" / "times.json").read_text())
    assert str(folder / "outputs") in ran["argv"] and recorded[0] not in ran["argv"]
    assert saved() == before


def test_status_says_why_a_run_failed(tmp_path, sweep_yml):
    ws = str(tmp_path / "ws")
    out = cli(ws, "run", sweep_yml(mode="exit1", total=1, concurrency=1), check=False)
    assert out.returncode == 1 and "failed: run 0: exit code 1: about to fail" in out.stdout
    lines = cli(ws, "status", "clitest").stdout.splitlines()
    failed = [line for line in lines if line.startswith("0 ")]
    assert len(failed) == 1 and failed[0].rstrip().endswith("exit code 1: about to fail")


def test_errors_are_one_clear_line(tmp_path, sweep_yml):
    ws = str(tmp_path / "ws")
    out = cli(ws, "status", "nope", check=False)
    assert out.returncode == 2 and out.stderr.startswith("hypersweep: error:")
    bad = tmp_path / "bad.yml"
    bad.write_text("trial: {command: python x.py}\nsearch_space: {}\nobjective: {}\n")
    out = cli(ws, "run", str(bad), check=False)
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_ctrl_c_cancels_cleanly(tmp_path, sweep_yml):
    ws = str(tmp_path / "ws")
    proc = subprocess.Popen([sys.executable, "-m", "hypersweep", "--workspace", ws, "run",
                             sweep_yml(mode="hang", total=3, concurrency=3)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        out = cli(ws, "status", "clitest", "--json", check=False)
        if out.returncode == 0 and sum(r["status"] == "Running"
                                       for r in json.loads(out.stdout)["runs"]) == 3:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode == 130  # not 0: a script or CI job must see the interruption
    status = json.loads(cli(ws, "status", "clitest", "--json").stdout)
    assert status["experiment"]["status"] == "Canceled"
    assert [r["status"] for r in status["runs"]] == ["Canceled"] * 3
    assert processes_left(status["experiment"]["runId"]) == []


def test_detach_then_cancel_from_another_process(tmp_path, sweep_yml):
    ws = str(tmp_path / "ws")
    started = json.loads(cli(ws, "run", "--detach", "--json",
                             sweep_yml(mode="hang", total=2)).stdout)
    sweep_id = started["experiment"]
    assert sweep_id.startswith("HD_") and started["status"] in ("Queued", "Running")
    deadline = time.time() + 30
    while time.time() < deadline:
        runs = json.loads(cli(ws, "status", sweep_id, "--json").stdout)["runs"]
        if sum(r["status"] == "Running" for r in runs) == 2:
            break
        time.sleep(0.2)
    cli(ws, "cancel", sweep_id)
    deadline = time.time() + 60
    while time.time() < deadline:
        status = json.loads(cli(ws, "status", sweep_id, "--json").stdout)
        if status["experiment"]["status"] == "Canceled":
            break
        time.sleep(0.3)
    assert status["experiment"]["status"] == "Canceled"
    assert {r["status"] for r in status["runs"]} == {"Canceled"}
    assert processes_left(sweep_id) == []
    assert os.path.exists(os.path.join(ws, ".hypersweep", "experiments", sweep_id,
                                       "controller.log"))


_ARGV_SCRIPT = """\
import json, os, sys
from hypersweep import Run
run = Run.get_context()
os.makedirs("outputs", exist_ok=True)
with open(os.path.join(run.output_dir, "argv.json"), "w") as fh:
    json.dump({"argv": sys.argv[1:], "python": sys.executable, "cwd": os.getcwd()}, fh)
run.log("acc", float(sys.argv[sys.argv.index("--c") + 1]))
"""


@pytest.mark.parametrize("style", ["operators", "continuation", "variable"])
def test_v2_commands_written_for_a_shell_run_as_in_azure(tmp_path, style):
    """Azure runs trial.command in a shell: `cd sub && python ...`, a `|` block with
    backslash continuations, and `$VARIABLE`s from environment_variables all run the
    script with the right arguments, under the sweep's own Python."""
    code = tmp_path / "code"
    (code / "sub").mkdir(parents=True)
    (code / "train.py").write_text(_ARGV_SCRIPT)
    command = {
        "operators": "cd sub && python ../train.py --epochs 2 --c ${{search_space.c}} "
                     "&& echo done-marker",
        "continuation": "python train.py \\\n  --epochs 2 \\\n  --c ${{search_space.c}}\n",
        "variable": "python train.py --epochs $EPOCHS --c ${{search_space.c}}",
    }[style]
    data = {"experiment_name": "shell",
            "trial": {"code": str(code), "command": command,
                      "environment_variables": {"EPOCHS": "2"}},
            "search_space": {"c": {"type": "choice", "values": [0.25, 0.5]}},
            "sampling_algorithm": "grid",
            "objective": {"goal": "maximize", "primary_metric": "acc"},
            "limits": {"max_total_trials": 2, "max_concurrent_trials": 2}}
    path = tmp_path / "shell.yml"
    path.write_text(yaml.safe_dump(data))
    ws = str(tmp_path / "ws")
    cli(ws, "run", str(path))
    runs = sorted(Workspace(ws).store.runs(
        Workspace(ws).store.experiment("shell")["id"]),
        key=lambda r: r["number"])
    assert [r["status"] for r in runs] == ["Completed", "Completed"], runs
    for run, c in zip(runs, ("0.25", "0.5"), strict=True):
        with open(os.path.join(run["run_dir"], "outputs", "argv.json")) as fh:
            seen = json.load(fh)
        assert seen["argv"] == ["--epochs", "2", "--c", c]
        assert os.path.dirname(seen["python"]) == os.path.dirname(sys.executable)
        log = cli(ws, "logs", run["id"]).stdout
        assert ("done-marker" in log) == (style == "operators")
        assert seen["cwd"].endswith("sub") == (style == "operators")


@pytest.mark.parametrize("command", [["ls"], ["status", "x"], ["best", "x"], ["logs", "x_1"],
                                     ["cancel", "x"]])
def test_a_mistyped_workspace_is_an_error_not_an_empty_one(tmp_path, command):
    missing = tmp_path / "typo"
    out = cli(str(missing), *command, check=False)
    assert out.returncode == 2, out.stdout
    assert f"no hypersweep workspace at {missing}" in out.stderr
    assert not missing.exists()  # a read command creates nothing
