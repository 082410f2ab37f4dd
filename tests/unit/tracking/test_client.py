"""The tracking client: exact channel lines, clear errors, offline mode, crash safety."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hypersweep import tracking
from hypersweep.tracking import MetricTypeError, MetricValueError, OfflineRun, ScriptRun


@pytest.fixture
def channel(tmp_path, monkeypatch):
    path = tmp_path / "metrics.jsonl"
    monkeypatch.setenv("HYPERSWEEP_METRICS_PATH", str(path))
    monkeypatch.setenv("HYPERSWEEP_RUN_ID", "HD_t_3")
    monkeypatch.setenv("HYPERSWEEP_OUTPUT_DIR", str(tmp_path / "outputs"))
    tracking._CACHE.clear()
    yield path
    tracking._CACHE.clear()


def lines(path) -> list[dict]:
    out = []
    for line in path.read_text().splitlines():
        obj = json.loads(line)
        assert isinstance(obj.pop("time"), float)
        out.append(obj)
    return out


def test_every_method_writes_its_documented_line(channel):
    run = tracking.get_context()
    assert isinstance(run, ScriptRun) and run.id == "HD_t_3"
    assert tracking.get_context() is run
    run.log("acc", 0.5)
    run.log("acc", 1)
    run.log("flag", True)
    run.log("note", "diverged")
    run.log_list("losses", [0.3, 0.2])
    run.log_row("curve", epoch=1, loss=0.25)
    run.log_table("t", {"a": [1, 2], "b": [3, 4]})
    run.tag("owner", "me")
    assert lines(channel) == [
        {"kind": "metric", "name": "acc", "value": 0.5},
        {"kind": "metric", "name": "acc", "value": 1},
        {"kind": "metric", "name": "flag", "value": 1},
        {"kind": "metric", "name": "note", "value": "diverged"},
        {"kind": "list", "name": "losses", "values": [0.3, 0.2]},
        {"kind": "row", "name": "curve", "row": {"epoch": 1, "loss": 0.25}},
        {"kind": "table", "name": "t", "table": {"a": [1, 2], "b": [3, 4]}},
        {"kind": "tag", "name": "owner", "value": "me"},
    ]
    assert run.output_dir.endswith("outputs") and os.path.isdir(run.output_dir)


def test_nan_is_accepted_and_numpy_scalars_become_plain(channel):
    np = pytest.importorskip("numpy")
    run = tracking.get_context()
    run.log("a", math.nan)
    run.log("b", np.float32(0.5))
    run.log("c", np.int64(3))
    values = [json.loads(x)["value"] for x in channel.read_text().splitlines()]
    assert math.isnan(values[0]) and values[1:] == [0.5, 3]


@pytest.mark.parametrize(("call", "error", "text"), [
    (lambda r: r.log("acc", [1, 2]), MetricTypeError, "log_list"),
    (lambda r: r.log("acc", None), MetricTypeError, "'acc'"),
    (lambda r: r.log("acc", {"a": 1}), MetricTypeError, "'acc'"),
    (lambda r: r.log(3, 0.5), MetricTypeError, "metric name"),
    (lambda r: r.log("", 0.5), MetricValueError, "metric name"),
    (lambda r: r.log_list("l", "abc"), MetricTypeError, "log_list"),
    (lambda r: r.log_row("r"), MetricValueError, "column"),
    (lambda r: r.log_table("t", {"a": [1], "b": [1, 2]}), MetricValueError, "lengths"),
    (lambda r: r.log("acc", object()), MetricTypeError, "'acc'"),
])
def test_bad_values_raise_clear_errors(channel, call, error, text):
    with pytest.raises(error) as info:
        call(tracking.get_context())
    assert text in str(info.value)
    assert isinstance(info.value, TypeError | ValueError)


def test_offline_run_prints_and_never_fails(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("HYPERSWEEP_METRICS_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    tracking._CACHE.clear()
    run = tracking.get_context()
    assert isinstance(run, OfflineRun) and run.id.startswith("OfflineRun_")
    run.log("accuracy", 0.93)
    run.log_row("curve", epoch=1)
    run.tag("a")
    out = capsys.readouterr().out
    assert "[offline] accuracy = 0.93" in out and "[offline] curve = {'epoch': 1}" in out
    tracking._CACHE.clear()


@given(st.one_of(st.floats(allow_nan=False), st.text(max_size=30), st.integers(-2**62, 2**62)))
def test_values_round_trip_through_the_line(tmp_path_factory, value):
    path = tmp_path_factory.mktemp("c") / "m.jsonl"
    run = ScriptRun(str(path), "r", "e", str(path.parent), None)
    run.log("v", value)
    assert json.loads(path.read_text())["value"] == value


def test_sigkill_mid_logging_leaves_only_whole_lines(tmp_path):
    path = tmp_path / "m.jsonl"
    code = ("from hypersweep.tracking import get_context\n"
            "r = get_context()\n"
            "for i in range(100_000):\n    r.log('acc', i)\n")
    proc = subprocess.Popen([sys.executable, "-c", code],
                            env={**os.environ, "HYPERSWEEP_METRICS_PATH": str(path)})
    while not path.exists() or path.stat().st_size < 200_000:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    data = path.read_bytes()
    body, _, tail = data.rpartition(b"\n")
    values = [json.loads(x)["value"] for x in body.split(b"\n")]
    assert values == list(range(len(values)))
    assert tail == b""  # one write() per line: nothing half-written


def test_two_writers_never_interleave_within_a_line(tmp_path):
    path = tmp_path / "m.jsonl"
    code = ("import sys\nfrom hypersweep.tracking import get_context\n"
            "r = get_context()\n"
            "for i in range(20_000):\n    r.log('w' + sys.argv[1], i)\n")
    env = {**os.environ, "HYPERSWEEP_METRICS_PATH": str(path)}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(k)], env=env) for k in (1, 2)]
    for p in procs:
        p.wait()
    by_writer: dict[str, list[int]] = {"w1": [], "w2": []}
    for line in path.read_text().splitlines():
        obj = json.loads(line)
        by_writer[obj["name"]].append(obj["value"])
    assert by_writer == {"w1": list(range(20_000)), "w2": list(range(20_000))}


def test_the_client_imports_only_the_standard_library():
    code = ("import sys; from hypersweep import Run; Run.get_context(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'numpy', 'scipy', 'sqlalchemy', 'yaml'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={k: v for k, v in os.environ.items()
                                          if not k.startswith("HYPERSWEEP_")})
    assert out.stdout.strip().endswith("[]")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


@given(json_values)
def test_the_light_encoder_writes_what_json_reads(value):
    from hypersweep.tracking._encode import encode

    decoded = json.loads(encode(value))
    assert json.dumps(decoded, sort_keys=True) == json.dumps(
        json.loads(json.dumps(value)), sort_keys=True)
