"""rules="nelson": the eight Nelson rules with qcc's conventions (issue 16, item 5).

qcc (luca-scr/qcc, R/rules.R) marks the point that completes a pattern; qilab marks every point
of a run pattern, and for "k of m" rules the points beyond the zone. The cross-check below is
a plain loop written from the rule text (spec section 3a): on random data each rule fires on
the same charts, and every point qcc would mark is marked here too.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from qilab import spc
from qilab.charts.shewhart_rules import NELSON


def nelson(y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return spc(y=y, chart="i", rules="nelson", **kw)


def test_the_eight_columns_in_nelson_order():
    r = nelson(np.random.default_rng(0).normal(0, 1, 30))
    assert list(r.points.columns[-8:]) == list(NELSON) == [
        "outside_3sigma", "nine_one_side", "six_trend", "fourteen_alternating",
        "two_of_three_beyond_2sigma", "four_of_five_beyond_1sigma", "fifteen_within_1sigma",
        "eight_beyond_1sigma_both_sides"]
    assert "Nelson rules" in r.explain()


def test_nine_on_one_side_not_eight():
    base = list(np.tile([2.0, -2.0], 6))
    r8 = nelson(base + [0.5] * 8 + [-0.5], cl=0.0)
    assert not r8.points["nine_one_side"].any()
    r9 = nelson(base + [0.5] * 9 + [-0.5], cl=0.0)
    assert r9.points["nine_one_side"].iloc[12:21].all() and r9.points["nine_one_side"].sum() == 9


def test_a_tie_breaks_a_trend_as_in_qcc():
    wiggle = list(np.tile([2.0, -2.0], 6))
    rising = nelson(wiggle + [-1.0, -0.5, 0, 0.5, 1, 1.5], cl=0.0)
    assert rising.points["six_trend"].iloc[-6:].all()
    tied = nelson(wiggle + [-1.0, -0.5, 0, 0, 0.5, 1, 1.5], cl=0.0)
    assert not tied.points["six_trend"].any()
    # Provost and Murray count a tie once instead, so their trend fires on the same data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pm = spc(y=wiggle + [-1.0, -0.5, 0, 0, 0.5, 1, 1.5], chart="i", cl=0.0,
                 rules="provost_murray")
    assert pm.points["six_trend"].iloc[-7:].all()


def test_fourteen_alternating():
    zigzag = [0.3 * (-1) ** i for i in range(14)]
    r = nelson([2.0, 2.1] + zigzag, cl=0.0)
    assert r.points["fourteen_alternating"].iloc[2:].all()
    assert not nelson([2.0, 2.1] + zigzag[:13], cl=0.0).points["fourteen_alternating"].any()


def test_within_one_sigma_is_inclusive():
    wide = [3.0, -3.0] * 3
    sigma = nelson(wide + [0.0] * 15, cl=0.0).points["ucl"].iloc[0] / 3
    on_edge = wide + [sigma, -sigma, 0.2] * 5           # |z| = 1 counts as within (qcc)
    assert nelson(on_edge, cl=0.0).points["fifteen_within_1sigma"].iloc[6:].all()


def test_eight_beyond_one_sigma_needs_both_sides():
    calm = [0.01, -0.01] * 5
    r = nelson(calm + [1.0, -1.0] * 4, cl=0.0)
    sigma = r.points["ucl"].iloc[0] / 3
    assert 1 < 1 / sigma < 2
    assert r.points["eight_beyond_1sigma_both_sides"].tolist() == [False] * 10 + [True] * 8
    r = nelson(calm + [1.0] * 8, cl=0.0, screened_mr=False)
    assert not r.points["eight_beyond_1sigma_both_sides"].any()
    assert r.points["four_of_five_beyond_1sigma"].iloc[-8:].all()


def test_nelson_needs_control_limits():
    from qilab import QIDataError

    with pytest.raises(QIDataError, match="Nelson rules need control limits"):
        spc(y=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], rules="nelson")


# --- cross-check: a plain loop per rule, written from the rule text -------------------------

def _completing_points(y: np.ndarray, z: np.ndarray) -> dict[str, set[int]]:
    """The points that complete each pattern (qcc's marks), by brute force."""
    n = len(y)
    marks: dict[str, set[int]] = {name: set() for name in NELSON}
    for i in range(n):
        if abs(z[i]) > 3:
            marks["outside_3sigma"].add(i)
        w = range(i - 8, i + 1)
        if i >= 8 and (all(z[j] > 0 for j in w) or all(z[j] < 0 for j in w)):
            marks["nine_one_side"].add(i)
        if i >= 5:
            d = [y[j + 1] - y[j] for j in range(i - 5, i)]
            if all(v > 0 for v in d) or all(v < 0 for v in d):
                marks["six_trend"].add(i)
        if i >= 13:
            d = [y[j + 1] - y[j] for j in range(i - 13, i)]
            if all(d[j] * d[j + 1] < 0 for j in range(12)):
                marks["fourteen_alternating"].add(i)
        for name, k, m, zone in (("two_of_three_beyond_2sigma", 2, 3, 2),
                                 ("four_of_five_beyond_1sigma", 4, 5, 1)):
            if i >= m - 1:
                win = [z[j] for j in range(i - m + 1, i + 1)]
                if (z[i] > zone and sum(v > zone for v in win) >= k) or \
                        (z[i] < -zone and sum(v < -zone for v in win) >= k):
                    marks[name].add(i)
        if i >= 14 and all(abs(z[j]) <= 1 for j in range(i - 14, i + 1)):
            marks["fifteen_within_1sigma"].add(i)
        if i >= 7:
            win = [z[j] for j in range(i - 7, i + 1)]
            if all(abs(v) > 1 for v in win) and max(win) > 1 and min(win) < -1:
                marks["eight_beyond_1sigma_both_sides"].add(i)
    return marks


@pytest.mark.parametrize("seed", range(50))
def test_cross_check_with_the_rule_text(seed):
    rng = np.random.default_rng(seed)
    kind = seed % 5
    y = rng.normal(0, 1, 60)
    if kind == 1:
        y[30:] += 1.2                                   # a shift
    elif kind == 2:
        y = np.round(y * 2) / 2                         # ties
    elif kind == 3:                                     # a mixture after a calm baseline
        y[30:] = np.where(np.arange(30) % 2, 2.0, -2.0) + rng.normal(0, 0.3, 30)
    elif kind == 4:                                     # a mixture throughout: wide limits
        y = np.where(np.arange(60) % 2, 1.4, -1.4) + rng.normal(0, 0.2, 60)
    r = nelson(y, freeze=30 if kind == 3 else None)
    pts = r.points
    z = ((pts["y"] - pts["cl"]) / ((pts["ucl"] - pts["cl"]) / 3)).to_numpy()
    expected = _completing_points(y, z)
    for name in NELSON:
        ours = set(np.flatnonzero(pts[name].to_numpy(bool)).tolist())
        assert expected[name] <= ours, name
        assert bool(expected[name]) == bool(ours), name
