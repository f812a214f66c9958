"""Knowledge statistics and project verdicts, on cases worked by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qilab import QIDataError
from qilab.programme.knowledge import paired_gain, weighted_kappa
from qilab.programme.outcomes import judge
from qilab.programme.synthetic import _series


def test_weighted_kappa_hand_worked():
    # two categories: weighted and Cohen's kappa agree, 1 - 0.25 / 0.5
    assert weighted_kappa([0, 0, 1, 1], [0, 1, 1, 1], categories=2) == pytest.approx(0.5)
    # three categories, quadratic weights: 1 - 0.125 / 0.34375 = 7/11
    assert weighted_kappa([0, 1, 2, 2], [0, 2, 2, 1], categories=3) == pytest.approx(7 / 11)
    assert weighted_kappa([3, 5, 7], [3, 5, 7]) == 1.0


def test_weighted_kappa_refuses_unpaired_or_out_of_range_scores():
    with pytest.raises(QIDataError, match="in pairs"):
        weighted_kappa([1, 2], [1])
    with pytest.raises(QIDataError, match="from 0 to 9"):
        weighted_kappa([1, 10], [1, 2])


def test_paired_gain_matches_the_t_interval():
    from scipy import stats

    pre, post = [2, 3, 4, 5, 1, 6], [4, 4, 6, 8, 3, 6]
    diff = np.subtract(post, pre)
    low, high = stats.t.interval(0.95, len(diff) - 1, loc=diff.mean(), scale=stats.sem(diff))
    g = paired_gain(pre, post)
    assert (g.n, g.mean) == (6, pytest.approx(diff.mean()))
    assert (g.low, g.high) == (pytest.approx(low), pytest.approx(high))
    assert "95% confidence interval" in g.explain()


RULES = [("run", "anhoej"), ("run", "ihi"), ("i", "mdc"), ("i", "western_electric"),
         ("i", "provost_murray")]


@pytest.mark.parametrize("chart, rules", RULES)
@pytest.mark.parametrize("direction", ["increase", "decrease"])
@pytest.mark.parametrize("kind, status", [("improve", "improvement"), ("flat", "no signal yet"),
                                          ("worse", "concern")])
def test_verdict_follows_the_intended_direction(chart, rules, direction, kind, status):
    values = pd.Series(_series(np.random.default_rng(7), kind, direction, 24))
    outcome = judge(values, direction=direction, chart=chart, rules=rules, baseline_points=12)
    assert outcome.status == status
    if status != "no signal yet":
        assert direction in outcome.reason and "points 13 to 24" in outcome.reason


def test_a_trend_alone_is_read_by_its_slope():
    values = pd.Series([50, 52, 49, 51, 50, 52, 49, 51, 50, 52, 49, 51,
                        50, 49, 48, 47, 46, 45, 44, 51], dtype=float)
    outcome = judge(values, direction="decrease", chart="run", rules="ihi", baseline_points=12)
    assert outcome.status == "improvement" and "trend" in outcome.reason


def test_too_few_points_after_the_baseline():
    outcome = judge(pd.Series([5.0] * 12), direction="increase", chart="run", rules="anhoej",
                    baseline_points=12)
    assert outcome.status == "no signal yet" and outcome.chart is None
