"""Hostile strings: a trial's command is an argv list, never a shell string. Values that a
shell would interpret arrive in the script verbatim, each as one argument, whether they
come from HyperDriveConfig or from a v2 YAML command; values a process cannot receive
(NUL, lone surrogates) are refused when configured. Everything hypersweep writes is
owner-only, whatever the umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import warnings

import pytest
import yaml

from hypersweep import (
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    HypersweepError,
    HypersweepWarning,
    PrimaryMetricGoal,
    ScriptRunConfig,
    choice,
)
from hypersweep.experiment._runner import run_sweep

pytestmark = pytest.mark.integration

HOSTILE = ["; rm -rf ~", "$(reboot)", "`reboot`", "a\nb", "line1\r\nline2", "λ 日本 😀",
           "-x", "--lr", "", " spaced  out ", "'single'", '"double"', "\\back\\slash",
           "${HOME}", "$HOME", "*", "|| true && echo pwned", "\t", "%s%n%x", "> /tmp/x",
           "${{search_space.v}}", "${{outputs.model}}", "\udcff", "a" * 5000]


def _received(run) -> dict:
    with open(os.path.join(run.outputs_dir, "received.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _check_verbatim(hd, prefix: list[str]) -> None:
    children = hd.get_children()
    assert len(children) == len(HOSTILE)
    seen = set()
    for child in children:
        assert child.get_status() == "Completed", child.get_details()
        value = child.hyperparameters["v"]
        got = _received(child)
        assert got["argv"] == [*prefix, value], (value, got["argv"])
        assert got["env"]["HYPERSWEEP_v"] == value
        assert got["env"]["AZUREML_SWEEP_v"] == value
        assert child.get_details()["runDefinition"]["arguments"][-1] == value
        seen.add(value)
    assert seen == set(HOSTILE)


def test_hostile_choice_values_arrive_verbatim_via_hyperdriveconfig(workspace, source):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypersweepWarning)
        cfg = HyperDriveConfig(
            run_config=ScriptRunConfig(str(source), "echo_args.py",
                                       arguments=["$(id)", "; ls", "-"]),
            hyperparameter_sampling=GridParameterSampling({"v": choice(HOSTILE)}),
            primary_metric_name="acc", primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
            max_total_runs=len(HOSTILE), max_concurrent_runs=4)
    hd = Experiment(workspace, "hostile").create(cfg)
    assert run_sweep(workspace, hd.id).value == "Completed"
    _check_verbatim(hd, ["$(id)", "; ls", "-", "--v"])


def test_hostile_choice_values_arrive_verbatim_via_v2_yaml(workspace, source, tmp_path):
    document = {
        "trial": {"command": "python echo_args.py --fixed 'a b;c' --v ${{search_space.v}}",
                  "code": str(source)},
        "search_space": {"v": {"type": "choice", "values": HOSTILE}},
        "sampling_algorithm": "grid",
        "objective": {"goal": "maximize", "primary_metric": "acc"},
        "limits": {"max_total_trials": len(HOSTILE), "max_concurrent_trials": 4},
    }
    path = tmp_path / "sweep.yml"
    # surrogateescape: the one value that is not valid UTF-8 (a raw 0xff byte)
    path.write_bytes(yaml.safe_dump(document, allow_unicode=True).encode(
        "utf-8", "surrogateescape"))
    done = subprocess.run([sys.executable, "-m", "hypersweep", "--workspace", workspace.url,
                           "run", str(path), "--name", "hostile", "--json"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    from hypersweep import HyperDriveRun

    sweep_id = json.loads(done.stdout)["experiment"]
    hd = HyperDriveRun(Experiment(workspace, "hostile"), sweep_id)
    _check_verbatim(hd, ["--fixed", "a b;c", "--v"])


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_values_a_process_cannot_receive_are_refused_at_once(bad):
    for make in (lambda: choice(bad), lambda: ScriptRunConfig(".", "t.py", arguments=[bad]),
                 lambda: ScriptRunConfig(".", "t.py", environment={"A": bad})):
        with pytest.raises(HypersweepError) as info:
            make()
        assert "NUL" in str(info.value) or "surrogate" in str(info.value)


def _mode(path: str) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_store_run_folders_and_outputs_are_owner_only_whatever_the_umask(workspace, source):
    old = os.umask(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HypersweepWarning)
            cfg = HyperDriveConfig(
                run_config=ScriptRunConfig(str(source), "echo_args.py"),
                hyperparameter_sampling=GridParameterSampling({"v": choice("a", "b")}),
                primary_metric_name="acc", primary_metric_goal="maximize", max_total_runs=2)
        hd = Experiment(workspace, "modes").create(cfg)
        from hypersweep.experiment._experiment import start_background_controller

        start_background_controller(workspace, hd.id)
        hd.wait_for_completion(poll=0.1)
    finally:
        os.umask(old)
    root = workspace.root
    db = workspace.url.removeprefix("sqlite:///")
    assert _mode(root) == 0o700
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            assert _mode(db + suffix) == 0o600, db + suffix
    sweep_dir = os.path.join(root, "experiments", hd.id)
    for folder in (os.path.join(root, "experiments"), sweep_dir, os.path.join(sweep_dir, "runs")):
        assert _mode(folder) == 0o700, folder
    assert _mode(os.path.join(sweep_dir, "controller.log")) == 0o600
    for child in hd.get_children():
        run_dir = child._row["run_dir"]
        for folder in (run_dir, child.outputs_dir, os.path.join(run_dir, "logs")):
            assert _mode(folder) == 0o700, folder
        for name in ("std_log.txt", "metrics.jsonl", "exit_code"):
            assert _mode(os.path.join(run_dir, "logs", name)) == 0o600, name
