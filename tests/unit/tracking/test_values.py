"""Which values a script may log, what they become, and the errors for the rest."""

from __future__ import annotations

import decimal
import fractions
import math

import pytest

from hypersweep.tracking import MetricTypeError, MetricValueError
from hypersweep.tracking._values import check_name, scalar, scalars


class IndexOnly:
    """An integer-like object from another library (like a torch integer tensor)."""

    def __index__(self) -> int:
        return 7


class RefusesIndex:
    """Like a torch float tensor: has ``__index__`` but refuses it, has ``__float__``."""

    def __index__(self) -> int:
        raise TypeError("only integer tensors can be converted to an index")

    def __float__(self) -> float:
        return 0.25


class ManyElements:
    """Like a tensor of several elements: ``__float__`` exists and raises."""

    def __float__(self) -> float:
        raise ValueError("only one element tensors can be converted")


@pytest.mark.parametrize(("value", "expected"), [
    (0.5, 0.5), (3, 3), (-0.0, -0.0), ("relu", "relu"), ("", ""),
    (True, 1), (False, 0),                       # bool is logged as 1 or 0
    (decimal.Decimal("0.125"), 0.125), (fractions.Fraction(1, 4), 0.25),
    (IndexOnly(), 7), (RefusesIndex(), 0.25),
])
def test_scalars_become_plain_json_types(value, expected):
    out = scalar("m", value)
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinities_are_accepted(value):
    out = scalar("m", value)
    assert type(out) is float and (math.isnan(out) if math.isnan(value) else out == value)


def test_numpy_scalars_become_plain_python_scalars():
    np = pytest.importorskip("numpy")
    cases = [(np.float64(0.5), 0.5), (np.float32(0.5), 0.5), (np.int64(3), 3),
             (np.int8(-2), -2), (np.bool_(True), 1), (np.str_("adam"), "adam"),
             (np.array(0.75), 0.75)]
    for value, expected in cases:
        out = scalar("m", value)
        assert out == expected and type(out) is type(expected), (value, out)


@pytest.mark.parametrize(("value", "words"), [
    (None, ["'acc'", "None"]),
    ([0.1, 0.2], ["'acc'", "[0.1, 0.2]", "list", "log_list()"]),
    ((1, 2), ["'acc'", "tuple", "log_list()"]),
    ({"a": 1}, ["'acc'", "dict", "log_row()"]),
    (b"raw", ["'acc'", "bytes"]),
    (object(), ["'acc'", "object"]),
    (1j, ["'acc'", "complex"]),
    (ManyElements(), ["'acc'", "only one element"]),
])
def test_unloggable_values_raise_a_type_error_naming_metric_and_value(value, words):
    with pytest.raises(MetricTypeError) as info:
        scalar("acc", value)
    assert isinstance(info.value, TypeError)
    for word in words:
        assert word in str(info.value)


def test_integers_beyond_float_range_are_refused():
    assert scalar("m", 2**900) == 2**900
    with pytest.raises(MetricValueError, match=r"'m'.*too large"):
        scalar("m", 10**400)


def test_long_values_are_shortened_in_messages():
    with pytest.raises(MetricTypeError) as info:
        scalar("m", list(range(1000)))
    assert len(str(info.value)) < 300 and "..." in str(info.value)


@pytest.mark.parametrize(("name", "error", "words"), [
    (3, MetricTypeError, ["metric name", "str", "3", "int"]),
    (None, MetricTypeError, ["metric name", "None"]),
    ("", MetricValueError, ["metric name", "1 to 255", "''"]),
    ("x" * 256, MetricValueError, ["256 characters"]),
])
def test_names_must_be_short_non_empty_strings(name, error, words):
    with pytest.raises(error) as info:
        check_name(name)
    for word in words:
        assert word in str(info.value)


def test_any_non_empty_string_up_to_255_characters_is_a_name():
    for name in ("a", "val/acc", "loss (train)", "ü" * 255, "line\nbreak"):
        assert check_name(name) == name


def test_lists_take_any_iterable_of_scalars():
    assert scalars("l", [1, 0.5, "a", True]) == [1, 0.5, "a", 1]
    assert scalars("l", (x / 2 for x in range(3))) == [0.0, 0.5, 1.0]
    assert scalars("l", range(3)) == [0, 1, 2]
    assert scalars("l", []) == []


def test_lists_refuse_strings_mappings_and_nesting():
    for value in ("abc", b"abc", {"a": 1}, 5, None):
        with pytest.raises(MetricTypeError, match="'l': log_list\\(\\) takes a list"):
            scalars("l", value)
    with pytest.raises(MetricTypeError, match=r"'l\[1\]'") as info:
        scalars("l", [1, [2]])
    assert "log_list()" not in str(info.value)  # no hint to the method being used
