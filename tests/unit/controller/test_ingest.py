"""Parsing channel lines: exact rows, steps, malformed lines skipped and counted."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from hypersweep.controller._ingest import ChannelState, parse_channel, summary
from hypersweep.controller._outcome import classify_exit, missing_metric_message
from hypersweep.status import RunStatus


def line(**obj) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def test_series_get_steps_and_primary_values():
    data = (line(kind="metric", name="acc", value=0.5, time=1.0)
            + line(kind="metric", name="loss", value=2, time=1.5)
            + line(kind="metric", name="acc", value=0.7, time=2.0))
    state = ChannelState()
    rows, added = parse_channel("r", data, state, "acc", now=9.0)
    assert [(r.name, r.step, r.value) for r in rows] == [
        ("acc", 1, 0.5), ("loss", 1, 2.0), ("acc", 2, 0.7)]
    assert added == 2 and state.primary == [0.5, 0.7]
    assert summary(state, maximize=True)["primary_best"] == 0.7
    assert summary(state, maximize=False)["primary_best"] == 0.5


def test_malformed_lines_are_skipped_and_counted_the_rest_kept():
    data = (b"not json\n" + line(kind="metric", name="acc", value=1)
            + b"\xff\xfe binary\n" + line(kind="metric", name="acc", value=[1])
            + b"[1, 2]\n" + line(kind="bogus", name="acc", value=1)
            + line(kind="metric", name="", value=1)
            + b'{"kind": "metric", "name": "acc", "value": 2, "time": "x"}\n'
            + b"x" * (2 * 1024 * 1024) + b"\n"
            + line(kind="metric", name="acc", value=3))
    state = ChannelState()
    rows, added = parse_channel("r", data, state, "acc", now=0.0)
    assert [r.value for r in rows] == [1.0, 3.0]
    assert [r.step for r in rows] == [1, 2]
    assert added == 2 and state.primary == [1.0, 3.0]
    assert state.bad_lines == 8


def test_nan_and_strings_are_kept_and_count_as_nan_for_the_primary():
    data = (b'{"kind": "metric", "name": "acc", "value": NaN}\n'
            + line(kind="metric", name="acc", value="diverged"))
    state = ChannelState()
    rows, _ = parse_channel("r", data, state, "acc", now=0.0)
    assert [r.value_text for r in rows] == ["nan", "s:diverged"]
    assert all(math.isnan(v) for v in state.primary)
    assert summary(state, maximize=True)["primary_best"] is None


def test_lists_rows_tables_and_tags():
    data = (line(kind="list", name="l", values=[1, 2]) + line(kind="row", name="r", row={"a": 1})
            + line(kind="table", name="t", table={"a": [1, 2]})
            + line(kind="tag", name="k", value="v"))
    state = ChannelState()
    rows, _ = parse_channel("r", data, state, "acc", now=0.0)
    assert [(r.kind, json.loads(r.value_json)) for r in rows] == [
        ("list", [1, 2]), ("row", {"a": 1}), ("table", {"a": [1, 2]})]
    assert state.tags == {"k": "v"}


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=50))
def test_every_valid_value_is_kept_in_order(values):
    data = b"".join(line(kind="metric", name="acc", value=v) for v in values)
    state = ChannelState()
    rows, added = parse_channel("r", data, state, "acc", now=0.0)
    assert [r.value for r in rows] == [float(v) for v in values]
    assert added == len(values)


def test_exit_classification():
    assert classify_exit(0, None) == (RunStatus.COMPLETED, None)
    assert classify_exit(3, None) == (RunStatus.FAILED, "exit code 3")
    status, message = classify_exit(-9, None)
    assert status is RunStatus.FAILED and "SIGKILL" in message and "out-of-memory" in message
    assert classify_exit(0, "BanditPolicy ...")[0] is RunStatus.CANCELED
    assert classify_exit(None, None)[1].startswith("controller lost the run")


def test_missing_metric_message_names_what_was_logged():
    assert missing_metric_message("accuracy", ["loss", "Accuracy"]) == (
        "metric 'accuracy' was never logged; logged names were: 'Accuracy', 'loss'")
