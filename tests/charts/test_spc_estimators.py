"""The estimators qcc users meet (issue 16, item 6): the R chart, the Xbar chart with sigma from
the average range (qcc's default), and the I chart with the overall standard deviation
(sigma="sd"), which is what a spreadsheet does and is wrong for SPC."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from qilab import QIDataError, spc
from qilab.charts.constants import d2, d3


def quiet(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return spc(*args, **kw)


def _subgroups(seed: int = 3, k: int = 20, n: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"sample": np.repeat(np.arange(1, k + 1), n),
                         "value": rng.normal(10, 2, k * n).round(2)})


def test_d2_and_d3_constants():
    # d2 to three decimals, as printed in the usual tables (and used by qcc and qicharts2)
    assert [d2(n) for n in (2, 3, 4, 5, 10)] == [1.128, 1.693, 2.059, 2.326, 3.078]
    # d3 computed exactly: for pairs, the range is sqrt(2)|Z|, so d3 = sqrt(2 - 4/pi)
    assert d3(2) == pytest.approx(math.sqrt(2 - 4 / math.pi), rel=1e-9)
    assert [round(d3(n), 4) for n in (3, 4, 5, 10)] == [0.8884, 0.8798, 0.8641, 0.7971]


def test_r_chart_limits_are_d3_and_d4_times_r_bar():
    data = _subgroups()
    r = spc(data, y="value", x="sample", chart="r")
    ranges = data.groupby("sample")["value"].agg(lambda v: v.max() - v.min()).to_numpy()
    assert r.points["y"].to_numpy() == pytest.approx(ranges)
    r_bar = ranges.mean()
    assert r.points["cl"].iloc[0] == pytest.approx(r_bar)
    assert r.points["ucl"].iloc[0] == pytest.approx(r_bar * (1 + 3 * d3(5) / d2(5)))
    assert r.points["ucl"].iloc[0] / r_bar == pytest.approx(2.1145, abs=1e-4)    # D4(5)
    assert r.points["lcl"].iloc[0] == 0                                           # D3(5) = 0
    assert r.chart == "r" and "R chart" in r.explain()


def test_xbar_with_r_bar_sigma_as_qcc():
    data = _subgroups()
    r = spc(data, y="value", x="sample", chart="xbar", sigma="rbar")
    ranges = data.groupby("sample")["value"].agg(lambda v: v.max() - v.min())
    sigma = (ranges / d2(5)).mean()
    centre = data["value"].mean()
    assert r.points["cl"].iloc[0] == pytest.approx(centre)
    assert r.points["ucl"].iloc[0] == pytest.approx(centre + 3 * sigma / math.sqrt(5))
    default = spc(data, y="value", x="sample", chart="xbar")
    assert default.points["ucl"].iloc[0] != pytest.approx(r.points["ucl"].iloc[0], rel=1e-9)
    assert "average subgroup range" in r.explain()


def test_i_chart_sigma_from_the_standard_deviation_hides_a_shift():
    y = [10.0, 11, 10, 12, 11, 10, 11, 12, 10, 11, 16, 17, 16, 18, 17, 16, 17, 18, 16, 25]
    mr = spc(y=y, chart="i")
    sd = spc(y=y, chart="i", sigma="sd")
    assert sd.points["ucl"].iloc[0] == pytest.approx(np.mean(y) + 3 * np.std(y, ddof=1))
    # the shift inflates the standard deviation, so the wild last point hides inside the limits
    assert mr.points["sigma_signal"].iloc[-1] and not sd.points["sigma_signal"].iloc[-1]
    text = sd.explain()
    assert "standard deviation of all the points" in text and "moving ranges" in text


def test_sigma_choice_must_fit_the_chart():
    with pytest.raises(QIDataError, match="sigma='sd' is not available for a P chart"):
        spc(y=[1, 2, 3, 2, 1, 2], n=[10] * 6, chart="p", sigma="sd")
    with pytest.raises(QIDataError, match="Unknown sigma 'range'"):
        spc(y=[1, 2, 3, 2, 1, 2], chart="i", sigma="range")
    with pytest.raises(QIDataError, match="sigma='rbar'"):
        spc(y=[1, 2, 3, 2, 1, 2], chart="i", sigma="rbar")


def test_r_chart_subgroups_of_one_have_no_limits():
    data = pd.DataFrame({"sample": [1, 1, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8],
                         "value": [5.0, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 7, 5, 6, 6]})
    r = quiet(data, y="value", x="sample", chart="r")
    assert np.isnan(r.points["ucl"].iloc[1]) and np.isnan(r.points["y"].iloc[1])
    assert not np.isnan(r.points["ucl"].iloc[0])
