"""Hypothesis strategies for parameter expressions, shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from hypersweep import space as sp

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)
# text a process can receive (choice values with NUL or a lone surrogate are refused)
process_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                       min_size=1, max_size=8)
scalar_values = st.one_of(st.integers(-1000, 1000), process_text,
                          st.floats(-1e6, 1e6, allow_nan=False), st.booleans())


@st.composite
def bounds(draw, *, strict: bool = True, width_max: float = 1e4):
    lo = draw(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False))
    width = draw(st.floats(min_value=1e-3, max_value=width_max, allow_nan=False))
    return lo, lo + width


@st.composite
def log_bounds(draw):
    lo = draw(st.floats(min_value=-20, max_value=10, allow_nan=False))
    width = draw(st.floats(min_value=0.0, max_value=10, allow_nan=False))
    return lo, lo + width


@st.composite
def expressions(draw):
    """Any valid parameter expression."""
    kind = draw(st.sampled_from(["choice", "randint", "uniform", "quniform", "loguniform",
                                 "qloguniform", "normal", "qnormal", "lognormal",
                                 "qlognormal"]))
    if kind == "choice":
        return sp.choice(draw(st.lists(scalar_values, min_size=1, max_size=6)))
    if kind == "randint":
        return sp.randint(draw(st.integers(1, 1000)))
    q = draw(st.sampled_from([1, 2, 0.5, 0.1, 5]))
    if kind in ("uniform", "quniform"):
        lo, hi = draw(bounds())
        return sp.uniform(lo, hi) if kind == "uniform" else sp.quniform(lo, hi, q)
    if kind in ("loguniform", "qloguniform"):
        lo, hi = draw(log_bounds())
        return sp.loguniform(lo, hi) if kind == "loguniform" else sp.qloguniform(lo, hi, q)
    mu = draw(st.floats(-100, 100, allow_nan=False))
    sigma = draw(st.floats(0, 50, allow_nan=False))
    if kind.endswith("lognormal"):
        mu, sigma = mu / 20, sigma / 20
    return {"normal": sp.normal, "lognormal": sp.lognormal}[kind](mu, sigma) if kind in (
        "normal", "lognormal") else {"qnormal": sp.qnormal, "qlognormal": sp.qlognormal}[kind](
        mu, sigma, q)
