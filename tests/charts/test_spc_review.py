"""Fixes from the expert review of the chart engine (issue 16, items 1 to 4).

Each test states a case the reviewers found wrong, with the behaviour a user should see.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from qilab import QIWarning, spc
from qilab.charts.spc import RULE_COLUMNS

RULES_WITH_LIMITS = ("western_electric", "provost_murray", "mdc")


def quiet(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return spc(**kw)


# --- 1. MDC "close to a limit" band on attribute charts -------------------------------------

def test_mdc_two_in_three_band_comes_from_untruncated_sigma():
    # c chart: mean 1.083, sigma 1.04, so LCL is floored at 0 and 2 sigma below is < 0;
    # the zeros are about 1 sigma below the mean, not close to a limit
    r = spc(y=[2, 1, 0, 0, 2, 3, 2, 0, 0, 0, 2, 1], chart="c", rules="mdc")
    assert not r.points["two_in_three"].any()
    assert not bool(r.parts.loc[0, "runs_signal"])
    we = spc(y=[2, 1, 0, 0, 2, 3, 2, 0, 0, 0, 2, 1], chart="c", rules="western_electric")
    assert not we.points["two_of_three_beyond_2sigma"].any()


def test_mdc_two_in_three_on_a_p_chart_near_its_capped_limit():
    # p = 0.9 with n = 20: UCL = 0.9 + 3 x 0.067 = 1.10 is capped at 1; 2 sigma is 1.034,
    # so a run of 100% months is never "close to the upper limit"
    y = [18, 19, 20, 20, 17, 18, 19, 20, 20, 18, 17, 18]
    r = quiet(y=y, n=[20] * 12, chart="p", rules="mdc")
    assert float(r.points["ucl"].iloc[0]) == 1.0
    assert not r.points["two_in_three"].any()


def test_mdc_two_in_three_still_fires_beyond_two_sigma():
    y = np.r_[np.tile([1.0, -1.0], 10), [4.2, 0.2, 4.4], np.tile([1.0, -1.0], 3)]
    r = quiet(y=y, chart="i", cl=0.0, rules="mdc")
    assert np.flatnonzero(r.points["two_in_three"]).tolist() == [20, 22]


# --- 2. Excluded points take part in no pattern rule ------------------------------------------

EXCLUDED_RUN = [10, 11, 10, 12, 11, 10, 11, 30, 31, 32, 33, 34, 35, 36, 11, 10]


@pytest.mark.parametrize("rules", ["anhoej", "ihi", "western_electric", "provost_murray",
                                   "mdc", "nelson"])
def test_excluded_points_take_part_in_no_pattern_rule(rules):
    if rules not in RULE_COLUMNS:
        pytest.skip("rule set not there yet")
    r = quiet(y=EXCLUDED_RUN, chart="i", exclude=[8, 9, 10, 11, 12, 13, 14], rules=rules)
    assert not bool(r.parts.loc[0, "runs_signal"])
    pattern = [c for c in RULE_COLUMNS[rules]
               if c not in ("outside_3sigma", "outside_limits", "direction", "runs_signal")]
    for column in pattern:
        assert not r.points[column].iloc[7:14].any(), column
    # still tested against the limits, as qicharts2 does
    assert r.points["sigma_signal"].iloc[7:14].all()
    if rules == "mdc":
        assert r.points["outside_limits"].iloc[7:14].all()
        assert (r.points["direction"].iloc[7:14] == 1).all()


# --- 4. The astronomical point is a judgement, not a computed flag -----------------------------

def test_ihi_rules_leave_the_astronomical_point_to_judgement():
    # after a real improvement, points far from the frozen median are expected, not odd
    y = [60.0, 62, 58, 61, 63, 59, 60, 62, 61, 59, 80, 82, 79, 85, 81, 83, 80, 84]
    r = quiet(y=y, rules="ihi", freeze=10)
    assert "astronomical" not in r.points.columns
    assert "astronomical" not in RULE_COLUMNS["ihi"]
    text = r.explain()
    assert "astronomical point" in text and "judgement" in text
    assert "flag" not in text.lower().split("astronomical")[1][:80]


def test_m5_worked_example_does_not_flag_week_30():
    from pathlib import Path

    import pandas as pd

    gp = pd.read_csv(Path(__file__).resolve().parents[2] / "data" / "gp_routine_access.csv")
    r = spc(gp, y="pct_seen_within_14_days", chart="run", freeze=16, rules="ihi")
    flagged = r.points[[c for c in RULE_COLUMNS["ihi"]]].any(axis=1)
    assert not flagged.iloc[29] or r.points["shift"].iloc[29]      # week 30: only the shift
    assert "week 30" not in r.explain() and "Point 30" not in r.explain()


# --- 3. Missing limits warn, with the real reason ----------------------------------------------

def test_xbar_with_single_value_subgroups_warns_and_explains_why():
    with pytest.warns(QIWarning, match="only one value"):
        r = spc(y=[5.0, 6, 5, 7, 6, 5, 6, 7], x=[1, 2, 3, 4, 5, 6, 7, 8], chart="xbar")
    assert r.points["ucl"].isna().all()
    text = r.explain()
    assert "only one value" in text and "every value is the same" not in text


def test_i_chart_without_neighbouring_values_warns_and_explains_why():
    y = [5.0, None, 6, None, 5, None, 7, None, 6, None, 5]
    with pytest.warns(QIWarning, match="neighbouring"):
        r = spc(y=y, chart="i")
    assert r.points["ucl"].isna().all()
    assert "neighbouring" in r.explain() and "every value is the same" not in r.explain()


def test_i_chart_of_equal_values_warns_that_nothing_varies():
    with pytest.warns(QIWarning, match="all the same"):
        r = spc(y=[5.0] * 12, chart="i")
    assert "all the same" in r.explain()


def test_a_chart_with_limits_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spc(y=[5.0, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 7], chart="i")
        spc(y=[5.0, 6, 5, 7, 6, 5, 6, 7] * 2, x=np.repeat(np.arange(8), 2), chart="xbar")


# --- 8. Long series: limits once per number of useful points, in linear time ------------------

def test_long_series_limits_agree_with_exact_integers():
    from qilab.charts import runs

    for n in [*range(1001, 1012), 4001]:
        assert runs.n_crossings_min(n) == runs._crossings_exact(n - 1), n
        assert runs.runs_limits(n) == runs._limits_exact(n // 2, n - n // 2), n


def test_a_100000_point_run_chart_gets_its_limits():
    from scipy.stats import binom

    from qilab.charts import runs

    y = np.random.default_rng(5).normal(0, 1, 100_000)
    runs.n_crossings_min.cache_clear()
    r = spc(y=y, rules="ihi")
    row = r.parts.iloc[0]
    assert int(row["n_crossings_min"]) == int(binom.ppf(0.05, 99_999, 0.5)) == 49739
    assert runs.n_crossings_min.cache_info().misses == 1        # once for the whole chart
    lower, upper = int(row["runs_lower"]), int(row["runs_upper"])
    assert lower < int(row["n_runs"]) < upper and upper - lower < 600


# --- 7. The IHI runs limits: computed, and their real tail chances said honestly ---------------

def test_ihi_runs_limits_false_signal_chance_per_tail():
    from qilab.charts.runs import runs_false_signal_chance, runs_limits

    assert runs_limits(10) == (3, 9) and runs_limits(20) == (6, 16) and runs_limits(30) == (11, 21)
    chances = {n: runs_false_signal_chance(n) for n in (10, 20, 30)}
    assert chances[10] == pytest.approx((2 / 252, 2 / 252))        # 2 of the C(10, 5) orders
    assert [round(100 * low, 2) for low, _ in chances.values()] == [0.79, 0.45, 1.99]
    every = [c for n in range(10, 61) for c in runs_false_signal_chance(n)]
    assert 0.002 < min(every) and max(every) < 0.026                # well under 5 % per tail


def test_runs_limits_wording_matches_the_engine():
    from pathlib import Path

    from qilab.charts import runs

    root = Path(__file__).resolve().parents[2]
    pages = [root / "modules" / "m5-variation-and-run-charts" / "run-chart-rules.md",
             root / "book" / "resources" / "cheat-sheet-run-charts.md"]
    for text in [runs.__doc__, runs.runs_limits.__doc__] + [p.read_text() for p in pages]:
        flat = " ".join(text.split())
        assert "5% in each tail" not in flat and "5 % in each tail" not in flat
        assert "reproduces the table" not in flat
    for page in pages:
        flat = " ".join(page.read_text().split())
        assert "0.8%" in flat and "0.45%" in flat and "2%" in flat, page.name
        assert "computed" in flat and "printed" in flat, page.name
