"""The channel's JSON encoder and its append-only file."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hypersweep.tracking import MetricValueError
from hypersweep.tracking._channel import MAX_LINE, Channel, encode, line, metric_line

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (st.lists(inner, max_size=4)
                   | st.dictionaries(st.text(), inner, max_size=4)),
    max_leaves=16)


@given(json_values)
def test_the_encoder_writes_what_json_dumps_writes(value):
    assert encode(value) == json.dumps(value, separators=(",", ":"))


@given(name=st.text(min_size=1, max_size=255),
       value=st.integers() | st.floats() | st.text(), when=st.floats(0, 4e9))
def test_the_metric_fast_path_writes_the_generic_line(name, value, when):
    record = {"kind": "metric", "name": name, "value": value, "time": when}
    assert metric_line(name, value, when) == line(record)


def test_the_metric_fast_path_refuses_what_the_generic_line_refuses():
    with pytest.raises(MetricValueError, match="more than the channel's limit"):
        metric_line("big", "x" * MAX_LINE, 1.0)


def test_special_floats_use_the_json_module_tokens():
    assert encode([float("nan"), float("inf"), -float("inf")]) == "[NaN,Infinity,-Infinity]"
    assert json.loads(encode({"v": float("inf")})) == {"v": float("inf")}


def test_the_encoder_refuses_other_types():
    with pytest.raises(TypeError, match="set"):
        encode({1, 2})


def test_a_line_is_one_newline_terminated_utf8_json_object():
    data = line({"kind": "metric", "name": "é\n", "value": 1})
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    assert json.loads(data) == {"kind": "metric", "name": "é\n", "value": 1}


def test_lines_longer_than_the_controller_accepts_are_refused():
    record = {"kind": "list", "name": "big", "values": ["x" * 1000] * (MAX_LINE // 1000)}
    with pytest.raises(MetricValueError, match=r"'big'.*limit"):
        line(record)


def test_the_channel_appends_and_reopens_after_close(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_bytes(b"earlier\n")
    channel = Channel(str(path))
    assert channel._fd is None  # nothing is opened until the first write
    channel.write(b"a\n")
    channel.close()
    channel.write(b"b\n")
    channel.close()
    channel.close()
    assert path.read_bytes() == b"earlier\na\nb\n"


def test_the_descriptor_is_append_only_and_not_inherited(tmp_path):
    channel = Channel(str(tmp_path / "m.jsonl"))
    channel.write(b"x\n")
    import fcntl

    assert fcntl.fcntl(channel._fd, fcntl.F_GETFL) & os.O_APPEND
    assert not os.get_inheritable(channel._fd)
    channel.close()


def test_an_unopenable_channel_names_the_variable_and_path(tmp_path):
    channel = Channel(str(tmp_path / "missing" / "m.jsonl"))
    with pytest.raises(FileNotFoundError) as info:
        channel.write(b"x\n")
    assert "HYPERSWEEP_METRICS_PATH" in str(info.value)
    assert str(tmp_path / "missing") in str(info.value)


def test_subclasses_of_json_types_are_encoded_as_their_base():
    import collections
    import enum

    class Level(enum.IntEnum):
        HIGH = 3

    class Name(str):
        pass

    value = collections.OrderedDict(a=[Level.HIGH, Name("x"), (1.5,)])
    assert encode(value) == '{"a":[3,"x",[1.5]]}'
