"""Rule sets of qilab.spc: IHI, Western Electric, Provost & Murray, MDC; limits formulas."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from qilab import spc
from qilab.charts.constants import a3, b3, b4, c4
from qilab.charts.runs import runs_limits, trend_points


def quiet(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return spc(**kw)


# --- constants and limits -------------------------------------------------------------------

@pytest.mark.parametrize("n, want_c4, want_a3, want_b3, want_b4", [
    (2, 0.7979, 2.6587, 0, 3.2665), (5, 0.9400, 1.4273, 0, 2.0890),
    (6, 0.9515, 1.2871, 0.0304, 1.9696), (10, 0.9727, 0.9754, 0.2837, 1.7163)])
def test_constants_match_the_spec_table(n, want_c4, want_a3, want_b3, want_b4):
    assert round(float(c4(n)), 4) == want_c4
    assert round(float(a3(n)), 4) == want_a3
    assert round(float(b3(n)), 4) == want_b3
    assert round(float(b4(n)), 4) == want_b4


def test_g_chart_shows_median_but_limits_from_mean():
    y = [3.0, 10, 4, 25, 7, 1, 12, 6, 30, 2]
    r = spc(y=y, chart="g")
    m = np.mean(y)
    assert r.points["cl"].iloc[0] == np.median(y)
    assert r.points["ucl"].iloc[0] == pytest.approx(m + 3 * np.sqrt(m * (m + 1)))
    assert r.points["lcl"].iloc[0] == 0


def test_t_chart_back_transforms_an_i_chart():
    y = np.array([12.0, 30, 7, 21, 15, 40, 9, 18, 25, 11])
    r = spc(y=y, chart="t")
    w = y ** (1 / 3.6)
    mr = np.abs(np.diff(w)).mean()
    assert r.points["cl"].iloc[0] == pytest.approx(w.mean() ** 3.6)
    assert r.points["ucl"].iloc[0] == pytest.approx((w.mean() + 3 * mr / 1.128) ** 3.6)


def test_known_cl_and_multiply():
    r = spc(y=[2, 3, 1, 4, 2, 3], n=[10] * 6, chart="p", cl=0.25, multiply=100)
    assert r.points["cl"].iloc[0] == pytest.approx(25)
    sigma = np.sqrt(0.25 * 0.75 / 10)
    assert r.points["ucl"].iloc[0] == pytest.approx(100 * (0.25 + 3 * sigma))


def test_all_equal_i_chart_has_no_limits_and_no_signal():
    r = quiet(y=[5.0] * 12, chart="i")
    assert r.points["ucl"].isna().all() and not r.points["sigma_signal"].any()
    assert int(r.parts.loc[0, "n_useful"]) == 0 and not r.parts.loc[0, "runs_signal"]
    assert "could not be worked out" in r.explain()
    r = quiet(y=[5.0] * 12, chart="i", screened_mr=False)
    assert (r.points["ucl"] == 5).all() and not r.points["sigma_signal"].any()


def test_point_exactly_on_limit_is_not_a_signal():
    r = spc(y=[0.0, 1, 0, 1, 0, 1, 0, 1], chart="c", cl=1.0)
    assert r.points["ucl"].iloc[0] == 4
    r = spc(y=[0.0, 1, 0, 4, 0, 1, 0, 1], chart="c", cl=1.0)
    assert not r.points["sigma_signal"].any()


def test_exclude_bridges_moving_ranges():
    y = [10.0, 11, 10, 50, 11, 10, 11, 10, 11, 10]
    r = spc(y=y, chart="i", exclude=[4])
    kept = np.array([v for i, v in enumerate(y) if i != 3])
    mr = np.abs(np.diff(kept)).mean()
    assert r.points["ucl"].iloc[0] == pytest.approx(kept.mean() + 3 * mr / 1.128)
    assert r.points["sigma_signal"].iloc[3] and not r.points["include"].iloc[3]


# --- IHI --------------------------------------------------------------------------------------

def test_runs_table_published_values():
    assert [runs_limits(n) for n in (10, 20, 24, 30)] == [(3, 9), (6, 16), (8, 18), (11, 21)]


def test_ihi_shift_skips_points_on_the_median():
    y = [1.0, 9, 1, 1, 5, 6, 7, 6, 5, 7, 6, 8, 2, 3, 2, 3, 4, 2, 3]
    r = quiet(y=y, rules="ihi", cl=4.5)
    assert r.points["shift"].iloc[4:12].all() and not r.points["shift"].iloc[:4].any()
    y2 = y[:]
    y2[7] = 4.5          # on the median: skipped, the shift of 7 useful points stays
    r2 = quiet(y=y2, rules="ihi", cl=4.5)
    assert r2.points["shift"].iloc[4:12].sum() == 7 and not r2.points["shift"].iloc[7]


def test_ihi_trend_counts_equal_neighbours_once():
    assert trend_points(np.array([1.0, 2, 2, 3, 4, 5])).all()
    assert not trend_points(np.array([1.0, 2, 2, 3, 3])).any()     # only 3 distinct rising
    assert trend_points(np.array([5.0, 4, 3, 2, 1, 2])).sum() == 5


def test_ihi_columns_and_too_few_runs():
    y = [1.0] * 6 + [9.0] * 6 + [1.0] * 6 + [9.0] * 6 + [4, 6] * 3
    r = quiet(y=y, rules="ihi")
    for col in ("shift", "trend", "runs_too_few", "runs_too_many"):
        assert r.points[col].dtype == bool
    assert r.points["runs_too_few"].all() and bool(r.parts.loc[0, "runs_signal"])
    assert "too few runs" in r.explain()


def test_ihi_too_many_runs():
    r = quiet(y=[1.0, 9] * 12, rules="ihi")
    assert r.points["runs_too_many"].all() and int(r.parts.loc[0, "n_runs"]) == 24


# --- Western Electric / Provost & Murray -------------------------------------------------------

def test_western_electric_rules():
    rng = np.random.default_rng(1)
    base = rng.normal(0, 1, 30)
    y = np.r_[base, [0.5, 0.6, 0.4, 0.7, 0.3, 0.8, 0.2, 0.9]]   # 8 above the mean
    r = quiet(y=y, chart="i", cl=0.0, rules="western_electric")
    assert r.points["eight_one_side"].iloc[-8:].all()
    assert list(r.points.columns[-4:]) == ["outside_3sigma", "two_of_three_beyond_2sigma",
                                           "four_of_five_beyond_1sigma", "eight_one_side"]


def test_two_of_three_flags_only_points_beyond():
    y = np.r_[np.tile([1.0, -1.0], 10), [4.2, 0.2, 4.4], np.tile([1.0, -1.0], 3)]
    r = quiet(y=y, chart="i", cl=0.0, rules="western_electric")
    sig = r.points["ucl"].iloc[0] / 3
    assert 2 * sig < 4.2 and 4.4 < 3 * sig
    flagged = np.flatnonzero(r.points["two_of_three_beyond_2sigma"]).tolist()
    assert flagged == [20, 22]


def test_provost_murray_trend_and_fifteen_within():
    y = np.r_[np.tile([3.0, -3.0], 5), np.tile([0.1, -0.1], 8), [1, 2, 3, 4, 5, 6.0]]
    r = quiet(y=y, chart="i", rules="provost_murray", cl=0.0)
    assert r.points["fifteen_within_1sigma"].iloc[10:26].all()
    assert r.points["six_trend"].iloc[-6:].all()


# --- MDC --------------------------------------------------------------------------------------

def test_mdc_columns_and_shift():
    y = [5.0, 6, 4, 5, 6, 4, 5, 6, 4, 5, 7, 7, 7, 7, 7, 7, 7]
    r = quiet(y=y, chart="i", rules="mdc", improvement_direction="increase")
    for col in ("outside_limits", "two_in_three", "trend", "shift", "direction"):
        assert col in r.points
    assert r.points["shift"].iloc[-7:].all() and (r.points["direction"].iloc[-7:] == 1).all()
    assert "Making Data Count" in r.explain()


# --- parts and freeze -------------------------------------------------------------------------

def test_rules_do_not_cross_part_boundaries():
    y = [1.0, 2, 1, 2, 1, 2, 1, 2, 9, 9, 9, 9] + [9, 9, 9, 9, 1, 2, 1, 2, 1, 2, 1, 2]
    r = quiet(y=y, part=12, rules="ihi", cl=[5, 5])
    assert r.points["shift"].iloc[8:12].sum() == 0 and r.points["shift"].iloc[12:16].sum() == 0


def test_freeze_keeps_testing_after_the_baseline():
    y = [5.0, 6, 5, 7, 6, 5, 6, 5, 7, 6, 5, 6, 20, 21]
    r = spc(y=y, chart="i", freeze=12)
    assert r.points["sigma_signal"].iloc[-2:].all()
    assert r.points["baseline"].tolist() == [True] * 12 + [False] * 2


def test_notes_and_target_are_kept():
    r = spc(y=[1, 2, 3, 4, 5, 6], notes={3: "new form"}, target=4)
    assert r.notes == {3: "new form"} and r.target == 4
    r = spc(pd.DataFrame({"y": [1, 2, 3], "why": [None, "audit", None]}), "y", notes="why")
    assert r.notes == {2: "audit"}
