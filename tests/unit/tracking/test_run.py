"""``get_context()``, ``ScriptRun`` and ``OfflineRun``: the lines of the trial contract,
the run's identity, and offline printing."""

from __future__ import annotations

import io
import json
import math
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hypersweep import tracking
from hypersweep.tracking import MetricTypeError, MetricValueError, OfflineRun, ScriptRun
from tests.unit.tracking.conftest import records

NOW = 1700000000.25


@pytest.fixture
def frozen_time(monkeypatch):
    monkeypatch.setattr(tracking._run.time, "time", lambda: NOW)


def test_every_method_writes_its_documented_line(channel, frozen_time):
    run = tracking.get_context()
    run.log("accuracy", 0.5)
    run.log("accuracy", 1, description="ignored")
    run.log("optimizer", "adam")
    run.log("diverged", True)
    run.log_list("losses", [0.3, 0.2], description="ignored")
    run.log_row("curve", "ignored", epoch=1, loss=0.25)
    run.log_table("confusion", {"pred": [0, 1], "true": [0, 0]})
    run.tag("owner", "me")
    run.tag("baseline")
    run.tag("seed", 7)
    t = repr(NOW)
    assert channel.read_text().splitlines() == [
        f'{{"kind":"metric","name":"accuracy","value":0.5,"time":{t}}}',
        f'{{"kind":"metric","name":"accuracy","value":1,"time":{t}}}',
        f'{{"kind":"metric","name":"optimizer","value":"adam","time":{t}}}',
        f'{{"kind":"metric","name":"diverged","value":1,"time":{t}}}',
        f'{{"kind":"list","name":"losses","values":[0.3,0.2],"time":{t}}}',
        f'{{"kind":"row","name":"curve","row":{{"epoch":1,"loss":0.25}},"time":{t}}}',
        f'{{"kind":"table","name":"confusion","table":{{"pred":[0,1],"true":[0,0]}},'
        f'"time":{t}}}',
        f'{{"kind":"tag","name":"owner","value":"me","time":{t}}}',
        f'{{"kind":"tag","name":"baseline","value":"","time":{t}}}',
        f'{{"kind":"tag","name":"seed","value":"7","time":{t}}}',
    ]


def test_set_tags_writes_one_tag_line_each(channel):
    tracking.get_context().set_tags({"model": "mlp", "epochs": 20})
    assert records(channel) == [{"kind": "tag", "name": "model", "value": "mlp"},
                                {"kind": "tag", "name": "epochs", "value": "20"}]


def test_azure_run_idioms_in_a_script(channel):
    run = tracking.get_context()
    assert run.experiment.name == "digits" and run.parent.id == "HD_0123abcd"
    run.add_properties({"data": "v2"})
    run.tag("model", "mlp")
    assert run.get_tags() == {"data": "v2", "model": "mlp"}
    assert records(channel) == [{"kind": "tag", "name": "data", "value": "v2"},
                                {"kind": "tag", "name": "model", "value": "mlp"}]


def test_repeated_logs_keep_their_order_as_a_series(channel):
    run = tracking.get_context()
    for i in range(200):
        run.log("loss", 1 / (i + 1))
        run.log("step", i)
    lines = records(channel)
    assert [r["value"] for r in lines if r["name"] == "loss"] == [1 / (i + 1) for i in
                                                                  range(200)]
    assert [r["value"] for r in lines if r["name"] == "step"] == list(range(200))
    times = [json.loads(x)["time"] for x in channel.read_text().splitlines()]
    assert times == sorted(times)


def test_each_call_is_on_disk_when_it_returns(channel):
    run = tracking.get_context()
    run.log("a", 1)
    assert channel.read_bytes().count(b"\n") == 1  # no buffering, no flush() needed
    run.flush()
    run.complete()
    run.log("a", 2)
    assert channel.read_bytes().count(b"\n") == 2


def test_nan_and_infinity_are_written_as_json_tokens(channel):
    run = tracking.get_context()
    for value in (math.nan, math.inf, -math.inf):
        run.log("loss", value)
    raw = channel.read_text()
    assert [x.split('"value":')[1].split(",")[0] for x in raw.splitlines()] == [
        "NaN", "Infinity", "-Infinity"]
    values = [r["value"] for r in records(channel)]
    assert math.isnan(values[0]) and values[1:] == [math.inf, -math.inf]


@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.text()))
def test_any_finite_float_or_string_round_trips_through_the_line(tmp_path_factory, value):
    path = tmp_path_factory.mktemp("channel") / "metrics.jsonl"
    run = ScriptRun(str(path), run_id="r")
    run.log("v", value)
    run._channel.close()
    loaded = json.loads(path.read_text(encoding="utf-8"))["value"]
    assert loaded == value and type(loaded) is type(value)
    if isinstance(value, float):
        assert math.copysign(1, loaded) == math.copysign(1, value)  # -0.0 stays -0.0


def test_a_bad_call_raises_and_writes_nothing(channel):
    run = tracking.get_context()
    bad = [
        (lambda: run.log("acc", [0.9]), MetricTypeError, "log_list()"),
        (lambda: run.log("acc", None), MetricTypeError, "'acc'"),
        (lambda: run.log(None, 0.9), MetricTypeError, "metric name"),
        (lambda: run.log("", 0.9), MetricValueError, "metric name"),
        (lambda: run.log_list("l", "abc"), MetricTypeError, "'l'"),
        (lambda: run.log_list("l", [1, None]), MetricTypeError, "'l[1]'"),
        (lambda: run.log_row("r"), MetricValueError, "at least one column"),
        (lambda: run.log_row("r", x=[1]), MetricTypeError, "'r.x'"),
        (lambda: run.log_table("t", [1, 2]), MetricTypeError, "dict"),
        (lambda: run.log_table("t", {}), MetricTypeError, "non-empty"),
        (lambda: run.log_table("t", {"a": [1], "b": [1, 2]}), MetricValueError,
         "{'a': 1, 'b': 2}"),
        (lambda: run.log_table("t", {"a": 1}), MetricTypeError, "'t.a'"),
        (lambda: run.log_table("t", {3: [1]}), MetricTypeError, "column name"),
        (lambda: run.tag(5, "x"), MetricTypeError, "tag name"),
        (lambda: run.set_tags([("a", "b")]), MetricTypeError, "set_tags()"),
    ]
    for call, error, text in bad:
        with pytest.raises(error) as info:
            call()
        assert text in str(info.value), str(info.value)
    assert not channel.exists() or channel.read_bytes() == b""


def test_numpy_values_and_arrays_are_accepted(channel):
    np = pytest.importorskip("numpy")
    run = tracking.get_context()
    run.log("acc", np.float64(0.75))
    run.log_list("curve", np.linspace(0, 1, 3))
    run.log_table("t", {"a": np.arange(2), "b": [0.5, 1.5]})
    assert records(channel) == [
        {"kind": "metric", "name": "acc", "value": 0.75},
        {"kind": "list", "name": "curve", "values": [0.0, 0.5, 1.0]},
        {"kind": "table", "name": "t", "table": {"a": [0, 1], "b": [0.5, 1.5]}}]


# -- identity and context ---------------------------------------------------------------
def test_a_sweep_run_takes_its_identity_from_the_environment(channel, tmp_path):
    run = tracking.get_context()
    assert isinstance(run, ScriptRun)
    assert (run.id, run.experiment_name, run.sweep_id) == ("HD_0123abcd_3", "digits",
                                                           "HD_0123abcd")
    assert run.channel_path == str(channel) and run.resume_from is None
    assert not (tmp_path / "outputs").exists()  # created on first access only
    assert run.output_dir == str(tmp_path / "outputs") and (tmp_path / "outputs").is_dir()


def test_get_context_returns_one_run_per_channel(channel, clean_env, tmp_path):
    run = tracking.get_context()
    assert tracking.get_context() is run
    other = tmp_path / "other.jsonl"
    clean_env.setenv("HYPERSWEEP_METRICS_PATH", str(other))
    assert tracking.get_context() is not run
    assert tracking.get_context().channel_path == str(other)
    clean_env.setenv("HYPERSWEEP_METRICS_PATH", str(channel))
    assert tracking.get_context() is run


def test_run_get_context_is_the_same_run(clean_env):
    from hypersweep import Run

    assert Run.get_context() is tracking.get_context()


@pytest.mark.parametrize("variable", ["HYPERSWEEP_RESUME_FROM",
                                      "AZUREML_DATAREFERENCE_MODEL_LOCATION"])
def test_resume_from_comes_from_either_variable(channel, clean_env, variable):
    clean_env.setenv(variable, "/runs/HD_x_1/outputs")
    assert tracking.get_context().resume_from == "/runs/HD_x_1/outputs"


def test_hyperparameters_come_back_as_rendered(channel, clean_env):
    rendered = {"learning_rate": "0.001", "hidden_size": "64", "kernel": "rbf",
                "big": "1e-05", "label": "007", "flag": "True", "under": "1_000"}
    for name, text in rendered.items():
        clean_env.setenv(f"AZUREML_SWEEP_{name}", text)
        clean_env.setenv(f"HYPERSWEEP_{name}", text)
    run = tracking.get_context()
    expected = {"learning_rate": 0.001, "hidden_size": 64, "kernel": "rbf", "big": 1e-05,
                "label": "007", "flag": "True", "under": "1_000"}
    assert run.get_hyperparameters() == expected and run.parameters == expected
    assert type(run.parameters["hidden_size"]) is int


def test_allow_offline_false_refuses_outside_a_sweep(clean_env):
    with pytest.raises(RuntimeError, match="HYPERSWEEP_METRICS_PATH"):
        tracking.get_context(allow_offline=False)
    assert isinstance(tracking.get_context(used_for_context_manager=False), OfflineRun)
    with pytest.raises(RuntimeError, match="allow_offline=False"):  # after an offline one too
        tracking.get_context(allow_offline=False)


# -- offline ------------------------------------------------------------------------------
def test_offline_run_prints_each_value(clean_env, tmp_path, capsys):
    clean_env.chdir(tmp_path)
    run = tracking.get_context()
    assert isinstance(run, OfflineRun) and tracking.get_context() is run
    assert run.id.startswith("OfflineRun_") and run.experiment_name == "offline"
    assert run.sweep_id is None and run.resume_from is None and run.parameters == {}
    run.log("accuracy", 0.93)
    run.log("optimizer", "adam")
    run.log("loss", math.nan)
    run.log_list("losses", [0.3, 0.2])
    run.log_row("curve", epoch=1, loss=0.25)
    run.log_table("t", {"a": [1, 2]})
    run.tag("owner", "me")
    assert capsys.readouterr().out.splitlines() == [
        "[offline] accuracy = 0.93",
        "[offline] optimizer = 'adam'",
        "[offline] loss = nan",
        "[offline] losses = [0.3, 0.2]",
        "[offline] curve = {'epoch': 1, 'loss': 0.25}",
        "[offline] t = {'a': [1, 2]}",
        "[offline] tag owner = 'me'",
    ]
    assert run.output_dir == str(tmp_path / "outputs") and os.path.isdir(run.output_dir)


def test_offline_run_reports_what_a_sweep_would_refuse_and_never_fails(clean_env, capsys):
    run = tracking.get_context()
    run.log("acc", [1])
    run.log_list("big", ["x" * 1000] * 1100)
    run.log(None, 1)
    run.log("n", None)
    run.log_row("r")
    run.log_table("t", {"a": [1], "b": [1, 2]})
    run.set_tags(["not", "a", "dict"])
    run.log_image("img", path="no-such.png")
    run.upload_file("outputs/a.txt", "no-such-file")
    run.log("acc", 0.5)  # still usable afterwards
    out, err = capsys.readouterr()
    assert out == "[offline] acc = 0.5\n"
    warnings = err.splitlines()
    assert len(warnings) == 9 and all(w.startswith("[offline] warning: ") for w in warnings)
    assert "metric 'acc'" in warnings[0] and warnings[0].endswith(
        "(under a sweep this call raises MetricTypeError)")
    assert "limit" in warnings[1] and "MetricValueError" in warnings[1]
    assert "no such file" in warnings[7] and "no such file" in warnings[8]
    # the same calls raise under a sweep (the checks are shared)
    with pytest.raises(MetricTypeError, match="'acc'"):
        ScriptRun(os.devnull, run_id="r").log("acc", [1])
    with pytest.raises(MetricValueError, match="limit"):
        ScriptRun(os.devnull, run_id="r").log_list("big", ["x" * 1000] * 1100)


def test_get_context_works_on_a_run_object_too(clean_env):
    run = tracking.get_context()
    assert run.get_context() is run


def test_offline_run_never_fails_on_a_broken_stdout(clean_env, monkeypatch):
    closed = io.StringIO()
    closed.close()
    OfflineRun(stream=closed).log("acc", 0.5)
    monkeypatch.setattr("sys.stdout", None)
    OfflineRun().log("acc", 0.5)


def test_offline_output_of_huge_values_is_shortened(capsys):
    OfflineRun().log_list("l", list(range(10_000)))
    out = capsys.readouterr().out
    assert out.endswith("...\n") and len(out) < 600


def test_offline_ids_are_unique():
    assert len({OfflineRun().id for _ in range(50)}) == 50


@pytest.mark.parametrize("where", ["sweep", "offline"])
def test_a_script_reads_back_what_its_run_logged(clean_env, tmp_path, where, capsys):
    """Azure ML's Run.get_context().get_metrics(): the same shapes as a child run's."""
    run = (ScriptRun(str(tmp_path / "metrics.jsonl"), run_id="r") if where == "sweep"
           else OfflineRun())
    run.log("acc", 0.5)
    run.log("acc", 0.7)
    run.log("lr", 0.01)
    run.log_list("sizes", [16, 32])
    run.log_row("curve", x=1, y=2)
    run.log_row("curve", x=3, y=4)
    run.tag("note", "kept apart")
    assert run.get_metrics() == {"acc": [0.5, 0.7], "lr": 0.01, "sizes": [16, 32],
                                 "curve": {"x": [1, 3], "y": [2, 4]}}
    assert run.get_metrics("acc") == {"acc": [0.5, 0.7]}
