"""Funnel: the rules as written, shared noise, spread, and simulated variance against theory."""
from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from qilab.errors import QIDataError  # noqa: E402
from qilab.sims import funnel as fn  # noqa: E402


def test_shape_and_reproducibility():
    df = fn.run_funnel(2, drops=50, seed=9)
    assert list(df.columns) == fn.COLUMNS
    assert df["drop"].tolist() == list(range(1, 51))
    assert (df["rule"] == 2).all()
    pd.testing.assert_frame_equal(df, fn.run_funnel(2, drops=50, seed=9))
    assert not df["x"].equals(fn.run_funnel(2, drops=50, seed=10)["x"])
    assert np.allclose(df["distance"], np.hypot(df["x"], df["y"]))


@pytest.mark.parametrize("target", [(0.0, 0.0), (3.0, -2.0)])
def test_each_rule_moves_the_funnel_as_written(target):
    t = np.array(target)
    frames = {r: fn.run_funnel(r, drops=30, seed=4, target=target) for r in fn.RULES}
    # The same seed gives the same noise whatever the rule: landing minus funnel.
    noise = {r: f[["x", "y"]].to_numpy() - f[["funnel_x", "funnel_y"]].to_numpy()
             for r, f in frames.items()}
    for r in (2, 3, 4):
        assert np.allclose(noise[r], noise[1])
    for r, f in frames.items():
        a = f[["funnel_x", "funnel_y"]].to_numpy()
        z = f[["x", "y"]].to_numpy()
        assert np.allclose(a[0], t)  # every rule starts over the target
        if r == 1:
            assert np.allclose(a, t)
        elif r == 2:
            assert np.allclose(a[1:], a[:-1] - (z[:-1] - t))
        elif r == 3:
            assert np.allclose(a[1:], t - (z[:-1] - t))
        else:
            assert np.allclose(a[1:], z[:-1])


def test_run_all_rules_and_spread():
    df = fn.run_all_rules(drops=300, seed=1)
    assert df.groupby("rule").size().to_dict() == {1: 300, 2: 300, 3: 300, 4: 300}
    s = fn.spread(df)
    assert list(s.columns) == ["rule", "drops", "sd_x", "sd_y", "rms_x", "rms_y",
                               "mean_distance", "max_distance"]
    s = s.set_index("rule")
    assert s.loc[2, "sd_x"] > s.loc[1, "sd_x"] and s.loc[2, "sd_y"] > s.loc[1, "sd_y"]
    assert s.loc[3, "mean_distance"] > 2 * s.loc[1, "mean_distance"]
    assert s.loc[4, "mean_distance"] > 2 * s.loc[1, "mean_distance"]
    # Rule 1 with sigma 1: mean distance from target is Rayleigh, sqrt(pi / 2).
    assert s.loc[1, "mean_distance"] == pytest.approx(math.sqrt(math.pi / 2), rel=0.1)


def test_spread_uses_the_target_of_the_run():
    df = fn.run_funnel(1, drops=200, seed=2, target=(10.0, 10.0))
    s = fn.spread(df)
    assert s.loc[0, "mean_distance"] < 2.0  # measured from (10, 10), not from (0, 0)


def test_theoretical_ratios():
    assert [fn.theoretical_variance_ratio(r) for r in fn.RULES] == [1.0, 2.0, math.inf,
                                                                     math.inf]
    assert fn.theoretical_variance_ratio(2, drop=1) == 1.0
    assert fn.theoretical_variance_ratio(3, drop=50) == 50.0
    assert fn.theoretical_variance_ratio(4, drop=7) == 7.0
    assert fn.theoretical_variance(2, drop=5, sigma=3.0) == pytest.approx(18.0)


def test_rule_2_doubles_the_variance_over_many_seeds():
    """Mean squared error from the target over 100 tables of 50 drops each: ratio near 2."""
    seeds = range(100)
    msq = {}
    for rule in (1, 2):
        z = np.concatenate([fn.run_funnel(rule, drops=50, seed=s)[["x", "y"]].to_numpy()[1:]
                            for s in seeds])
        msq[rule] = float(np.mean(z ** 2))
    assert msq[1] == pytest.approx(1.0, rel=0.05)
    assert msq[2] / msq[1] == pytest.approx(fn.theoretical_variance_ratio(2), rel=0.08)


@pytest.mark.parametrize("rule", [3, 4])
def test_rules_3_and_4_grow_as_theory_says(rule):
    """Across 4000 tables, the variance at drop k is k sigma^2 (k = 1, 10, 25, 50)."""
    sigma = 2.0
    _, landing = fn.funnel_paths(rule, drops=50, runs=4000, sigma=sigma, seed=77)
    for k in (1, 10, 25, 50):
        simulated = float(np.mean(landing[:, k - 1] ** 2))  # target (0, 0), so E[z] = 0
        assert simulated == pytest.approx(fn.theoretical_variance(rule, k, sigma), rel=0.08)
    # Growing without limit: later drops are much further out than early ones.
    assert np.mean(landing[:, 49] ** 2) > 20 * np.mean(landing[:, 0] ** 2)


def test_rule_1_and_2_are_stable_across_drops():
    _, landing = fn.funnel_paths(2, drops=40, runs=3000, seed=5)
    early = float(np.mean(landing[:, 1:10] ** 2))
    late = float(np.mean(landing[:, 30:40] ** 2))
    assert early == pytest.approx(2.0, rel=0.06) and late == pytest.approx(2.0, rel=0.06)


def test_plot_and_alt_text():
    df = fn.run_all_rules(drops=40, seed=3)
    ax = fn.plot_funnel(df)
    assert ax.get_title() == "Funnel: rules compared"
    alt = fn.alt_text(df)
    assert alt.startswith("Scatter of 40 marble drops")
    assert all(f"Rule {r}" in alt for r in fn.RULES)
    plt.close("all")


@pytest.mark.parametrize(("call", "field"), [
    (lambda: fn.run_funnel(5), "rule"),
    (lambda: fn.run_funnel("two"), "rule"),
    (lambda: fn.run_funnel(1, drops=0), "drops"),
    (lambda: fn.run_funnel(1, sigma=0), "sigma"),
    (lambda: fn.run_funnel(1, sigma=float("nan")), "sigma"),
    (lambda: fn.run_funnel(1, target=(1.0,)), "target"),
    (lambda: fn.run_funnel(1, target=("a", 2)), "target"),
    (lambda: fn.run_funnel(1, seed=-4), "seed"),
    (lambda: fn.theoretical_variance_ratio(3, drop=0), "drop"),
    (lambda: fn.spread(pd.DataFrame({"x": [1.0]})), "rule"),
    (lambda: fn.spread("results"), "df"),
])
def test_bad_input_names_the_field(call, field):
    with pytest.raises(QIDataError) as info:
        call()
    assert info.value.field == field
