"""Parsing channel lines: exact rows, steps, malformed lines skipped and counted."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from hypersweep.controller._ingest import ChannelState, parse_channel, summary
from hypersweep.controller._outcome import classify_exit, missing_metric_message
from hypersweep.status import RunStatus
from hypersweep.store import decode_value


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


def test_a_string_primary_value_counts_as_nan_and_is_named_in_the_runs_flag():
    from hypersweep.controller._outcome import no_finite_value_message

    data = (line(kind="metric", name="acc", value="0.9", time=1.0)
            + line(kind="metric", name="acc", value=float("nan"), time=2.0))
    state = ChannelState()
    _, added = parse_channel("r", data, state, "acc", now=9.0)
    assert added == 2 and all(math.isnan(v) for v in state.primary)
    assert state.non_numeric == 1
    assert no_finite_value_message("acc", 2, state.non_numeric) == (
        "metric 'acc' was logged 2 time(s), 1 of them not as a number (e.g. a string: log a "
        "float); NaN, ±inf and non-numbers are never best: this run has no best value")


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


# -- the parser against json.loads ------------------------------------------------------
# parse_channel skips json.loads' per-call layers for speed; this reference is the plain
# rule written with json.loads, and the two must agree on every line.
_KINDS = {"metric": "value", "list": "values", "row": "row", "table": "table", "tag": "value"}


def _reference_record(text: str):
    if len(text) > 1024 * 1024:
        return None
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    kind, name = obj.get("kind"), obj.get("name")
    if not isinstance(kind, str) or kind not in _KINDS or not isinstance(name, str) \
            or not name or len(name) > 255:
        return None
    payload = obj.get(_KINDS[kind])
    valid = {"metric": isinstance(payload, int | float | str),
             "list": isinstance(payload, list), "row": isinstance(payload, dict),
             "table": isinstance(payload, dict),
             "tag": payload is None or isinstance(payload, str | int | float)}[kind]
    when = obj.get("time")
    if not valid or (when is not None and not isinstance(when, int | float)):
        return None
    return kind, name, payload, when


def _reference(data: bytes, primary: str) -> tuple[list, int, int, dict, list]:
    rows, bad, tags, values = [], 0, {}, []
    counts: dict[str, int] = {}
    for text in data.decode("utf-8", errors="replace").split("\n"):
        if not text or text.isspace():
            continue
        rec = _reference_record(text)
        if rec is None:
            bad += 1
            continue
        kind, name, payload, when = rec
        if kind == "tag":
            tags[name] = "" if payload is None else str(payload)
            continue
        counts[name] = counts.get(name, 0) + 1
        rows.append((name, counts[name], kind, json.dumps(payload),
                     float(when) if when is not None else 9.0))
        if kind == "metric" and name == primary:
            values.append(payload)
    return rows, bad, len(values), tags, values


_values = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
                    st.lists(st.integers(), max_size=3),
                    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
_records = st.fixed_dictionaries(
    {"kind": st.one_of(st.sampled_from([*_KINDS, "image", ""]), st.lists(st.text(), max_size=1),
                       st.integers())},
    optional={"name": st.one_of(st.sampled_from(["acc", "loss", ""]), st.integers(),
                                st.text(max_size=4)),
              "value": _values, "values": _values, "row": _values, "table": _values,
              "time": st.one_of(st.floats(0, 1e10), st.integers(0, 10**10), st.booleans(),
                                st.text(max_size=2), st.none())})
_valid = st.one_of(  # well-formed records, so that what surrounds them decides
    st.builds(lambda n, v, w: {"kind": "metric", "name": n, "value": v, **w},
              st.sampled_from(["acc", "loss"]),
              st.one_of(st.floats(allow_nan=True), st.integers(), st.text(max_size=3)),
              st.sampled_from([{}, {"time": 3.5}, {"time": 7}])),
    st.builds(lambda v: {"kind": "list", "name": "l", "values": v}, st.lists(st.integers())),
    st.builds(lambda v: {"kind": "tag", "name": "t", "value": v},
              st.one_of(st.none(), st.text(max_size=3), st.integers())))
_anything = st.one_of(_valid, _records).map(json.dumps)
_lines = st.one_of(
    _anything,
    st.tuples(_anything, st.sampled_from(["", " ", "\t", "\r", "\x0c", " x", ",1", "}",
                                          " {}"]),
              st.sampled_from(["", " ", "\t\r", "\x0b", "\x0c"])
              ).map(lambda t: t[2] + t[0] + t[1]),
    _anything.map(lambda s: s[: len(s) // 2]),     # cut short
    st.sampled_from(["null", "[]", "1", '"s"', "{}", "{", "[{}]", "NaN", "[" * 3000,
                     '{"kind": "metric", "name": "acc", "value": NaN}',
                     '{"kind": "metric", "name": "acc", "value": -Infinity, "time": 5}']),
    st.text(max_size=20))


@given(st.lists(_lines, max_size=12))
def test_the_parser_agrees_with_json_loads_on_any_line(lines):
    data = "\n".join(lines).encode("utf-8", errors="surrogatepass") + b"\n"
    state = ChannelState()
    rows, added = parse_channel("r", data, state, "acc", 9.0)
    ref_rows, bad, ref_added, tags, values = _reference(data, "acc")
    assert state.bad_lines == bad and added == ref_added and state.tags == tags
    got = [(r.name, r.step, r.kind,
            r.value_json if r.value_json is not None else None, r.time) for r in rows]
    assert [(n, s, k, t) for n, s, k, _, t in got] == [(n, s, k, t) for n, s, k, _, t in ref_rows]
    for row, (_, _, kind, payload_json, _) in zip(rows, ref_rows, strict=True):
        if kind != "metric":
            assert row.value_json == payload_json
    expected = [float(v) if isinstance(v, int | float) else math.nan for v in values]
    assert len(state.primary) == len(expected)
    assert all(a == b or (math.isnan(a) and math.isnan(b))
               for a, b in zip(state.primary, expected, strict=True))


def test_a_line_with_an_unhashable_kind_is_counted_not_fatal():
    # {"kind": []} once raised TypeError (a list is no dict key) and stopped the controller
    state = ChannelState()
    data = b'{"kind": [], "name": "acc", "value": 1}\n{"kind": {}, "name": "acc"}\n' + \
        line(kind="metric", name="acc", value=0.5)
    rows, added = parse_channel("r", data, state, "acc", 1.0)
    assert state.bad_lines == 2 and added == 1 and [r.value for r in rows] == [0.5]


def test_an_int_beyond_any_float_is_kept_and_counts_as_infinite():
    # float(10**400) raises OverflowError: once a crash of the controller on one line
    big = 10**400
    state = ChannelState()
    data = (b'{"kind": "metric", "name": "acc", "value": ' + str(big).encode() + b"}\n"
            + b'{"kind": "metric", "name": "acc", "value": -' + str(big).encode() + b"}\n"
            + line(kind="metric", name="acc", value=7))
    rows, added = parse_channel("r", data, state, "acc", 1.0)
    assert added == 3 and state.primary == [math.inf, -math.inf, 7.0]
    assert [decode_value(r.value, r.value_text, r.value_json) for r in rows] == [big, -big, 7]
    assert summary(state, maximize=True)["primary_best"] == 7.0


def test_a_payload_json_cannot_write_back_is_counted_not_fatal(monkeypatch):
    # a list nested close to the recursion limit can parse and still fail to dump
    import hypersweep.controller._ingest as ingest

    real = json.dumps

    def dumps(obj, *args, **kwargs):
        if obj == {"deep": 1}:
            raise RecursionError("maximum recursion depth exceeded while encoding")
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(ingest.json, "dumps", dumps)
    state = ChannelState()
    data = (line(kind="row", name="r", row={"deep": 1}) + line(kind="row", name="r", row={"a": 2})
            + line(kind="metric", name="acc", value=0.5))
    rows, added = parse_channel("r", data, state, "acc", 1.0)
    assert state.bad_lines == 1 and added == 1
    assert [(r.name, r.step) for r in rows] == [("r", 1), ("acc", 1)]


def test_the_first_records_time_is_kept_for_a_run_whose_start_was_never_recorded():
    import json

    from hypersweep.controller._ingest import ChannelState, parse_channel

    state = ChannelState()
    lines = b"".join(json.dumps({"kind": "metric", "name": "acc", "value": v,
                                 "time": 100.0 + v}).encode() + b"\n" for v in (1.0, 2.0))
    parse_channel("r", lines, state, "acc", now=500.0)
    parse_channel("r", lines, state, "acc", now=500.0)
    assert state.first_time == 101.0


def test_a_process_start_time_reads_as_unix_time():
    import os
    import time

    from hypersweep.execution._procs import process_start_time, process_start_wall

    started = process_start_wall(process_start_time(os.getpid()))
    assert started is not None and 0 <= time.time() - started < 600
    assert process_start_wall(None) is None
