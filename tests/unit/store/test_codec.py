"""Metric values survive their columns: what a script logged is what get_metrics() gives."""

from __future__ import annotations

import math
import sys

from hypothesis import given
from hypothesis import strategies as st

from hypersweep.store import decode_value, encode_value


@given(st.one_of(st.integers(min_value=-(10**600), max_value=10**600),
                 st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20)))
def test_a_value_decodes_to_what_was_logged(value):
    number, text = encode_value(value)
    back = decode_value(number, text, None)
    assert type(back) is type(value)
    assert back == value or (isinstance(value, float) and math.isnan(value) and math.isnan(back))
    if number is None:  # nothing to rank by: a string, a non-finite float, a huge int
        assert (isinstance(value, str)
                or (isinstance(value, float) and not math.isfinite(value))
                or (isinstance(value, int) and abs(value) > sys.float_info.max))
    else:  # the column queries rank by
        assert math.isfinite(number) and number == float(value)
