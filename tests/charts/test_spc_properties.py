"""Property-based tests of qilab.spc (hypothesis)."""
from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from qilab import spc

values = st.lists(st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 2)),
                  min_size=3, max_size=60)


def quiet(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return spc(**kw)


@settings(max_examples=80, deadline=None)
@given(values)
def test_reversing_time_keeps_the_longest_run(y):
    a = quiet(y=y).parts.iloc[0]
    b = quiet(y=y[::-1]).parts.iloc[0]
    assert a["longest_run"] is b["longest_run"] or a["longest_run"] == b["longest_run"]
    assert a["n_crossings"] is b["n_crossings"] or a["n_crossings"] == b["n_crossings"]


@settings(max_examples=80, deadline=None)
@given(values, st.sampled_from(["run", "i"]), st.integers(-500, 500))
def test_adding_a_constant_moves_every_line(y, chart, shift):
    a = quiet(y=y, chart=chart).points
    b = quiet(y=[v + shift for v in y], chart=chart).points
    for col in ("y", "cl", "lcl", "ucl"):
        np.testing.assert_allclose(b[col], a[col] + shift, rtol=1e-9, atol=1e-6)
    assert (a["sigma_signal"] == b["sigma_signal"]).all()


@settings(max_examples=80, deadline=None)
@given(values)
def test_screening_never_widens_i_chart_limits(y):
    s = quiet(y=y, chart="i").points
    u = quiet(y=y, chart="i", screened_mr=False).points
    width_s = (s["ucl"] - s["lcl"]).iloc[0]
    width_u = (u["ucl"] - u["lcl"]).iloc[0]
    assert np.isnan(width_s) or width_s <= width_u + 1e-9


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 50)), min_size=3, max_size=40),
       st.sampled_from(["p", "pp"]))
def test_p_chart_limits_stay_within_0_and_1(pairs, chart):
    d = [min(a, b) for a, b in pairs]
    n = [b for _, b in pairs]
    pts = quiet(y=d, n=n, chart=chart).points
    for col in ("lcl", "ucl", "lcl_95", "ucl_95"):
        v = pts[col].dropna()
        assert ((v >= 0) & (v <= 1)).all()


@settings(max_examples=60, deadline=None)
@given(values, st.sampled_from(["run", "i", "c"]), st.sampled_from([100, 1000, 0.5]),
       st.sampled_from(["anhoej", "ihi", "western_electric"]))
def test_multiply_scales_lines_not_signals(y, chart, factor, rules):
    if chart == "run" and rules == "western_electric":
        return
    if chart == "c":
        y = [abs(v) for v in y]
    a = quiet(y=y, chart=chart, rules=rules)
    b = quiet(y=y, chart=chart, rules=rules, multiply=factor)
    for col in ("y", "cl", "lcl", "ucl"):
        np.testing.assert_allclose(b.points[col], a.points[col] * factor, rtol=1e-12)
    bool_cols = [c for c in a.points.columns if a.points[c].dtype == bool]
    assert (a.points[bool_cols] == b.points[bool_cols]).all().all()
    assert (a.parts["runs_signal"] == b.parts["runs_signal"]).all()
