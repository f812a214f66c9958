"""qilab.mdc: properties (hypothesis), bad input, the BI summary, plot and words."""
from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qilab
from qilab import QIDataError, QIWarning

matplotlib.use("Agg")


def frame(values, start="2022-01-01", **extra) -> pd.DataFrame:
    df = pd.DataFrame({"month": pd.date_range(start, periods=len(values), freq="MS"),
                       "y": np.asarray(values, dtype=float)})
    for k, v in extra.items():
        df[k] = v
    return df


def quiet_mdc(df, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QIWarning)
        return qilab.mdc(df, *args, **kw)


series = st.lists(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False,
                            allow_infinity=False).map(lambda v: round(v, 2)),
                  min_size=2, max_size=40)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# ---- properties ------------------------------------------------------------------------------

@SETTINGS
@given(values=series, shift=st.integers(min_value=-10_000, max_value=10_000))
def test_adding_a_constant_moves_lines_and_keeps_point_types(values, shift):
    a = quiet_mdc(frame(values), "y", "month")
    b = quiet_mdc(frame(np.asarray(values) + shift), "y", "month")
    for col in ("mean", "lpl", "upl"):
        np.testing.assert_allclose(b.points[col], a.points[col] + shift, rtol=0, atol=1e-6,
                                   equal_nan=True)
    # rule outcomes are the same unless a value sits (to rounding) on a line
    on_a_line = np.zeros(len(values), dtype=bool)
    for col in ("mean", "lpl", "upl"):
        for k in (1 / 3, 2 / 3, 1):
            if col == "mean" and k != 1:
                continue
            line = a.points["mean"] + k * (a.points[col] - a.points["mean"]) \
                if col != "mean" else a.points["mean"]
            on_a_line |= np.isclose(a.points["y"], line, atol=1e-6)
    if not on_a_line.any():
        assert a.points["point_type"].tolist() == b.points["point_type"].tolist()


@SETTINGS
@given(values=series)
def test_flipping_the_direction_swaps_improvement_and_concern(values):
    up = quiet_mdc(frame(values), "y", "month", improvement_direction="increase")
    down = quiet_mdc(frame(values), "y", "month", improvement_direction="decrease")
    swap = {"special_cause_improvement": "special_cause_concern",
            "special_cause_concern": "special_cause_improvement",
            "common_cause": "common_cause"}
    assert [swap[t] for t in up.points["point_type"].astype(str)] == \
        down.points["point_type"].astype(str).tolist()
    neutral = quiet_mdc(frame(values), "y", "month", improvement_direction="neutral")
    assert ((neutral.points["point_type"] == "common_cause")
            == (up.points["point_type"] == "common_cause")).all()


@SETTINGS
@given(values=series)
def test_screening_never_widens_the_limits(values):
    screened = quiet_mdc(frame(values), "y", "month", screen_outliers=True).summary.iloc[0]
    plain = quiet_mdc(frame(values), "y", "month", screen_outliers=False).summary.iloc[0]
    if np.isnan(screened["upl"]):
        return  # every moving range screened (all equal): no limits at all
    assert screened["upl"] - screened["mean"] <= plain["upl"] - plain["mean"] + 1e-9
    assert screened["mean"] == plain["mean"]


@SETTINGS
@given(groups=st.lists(series, min_size=1, max_size=5))
def test_faceted_call_equals_one_call_per_facet(groups):
    df = pd.concat([frame(v, facet=f"ind{i}") for i, v in enumerate(groups)],
                   ignore_index=True)
    together = quiet_mdc(df.sample(frac=1, random_state=0), "y", "month", facet="facet")
    for i, v in enumerate(groups):
        alone = quiet_mdc(frame(v), "y", "month")
        mine = together.points[together.points["facet"] == f"ind{i}"]
        np.testing.assert_allclose(mine["upl"], alone.points["upl"], equal_nan=True)
        assert mine["point_type"].tolist() == alone.points["point_type"].tolist()


# ---- behaviour ------------------------------------------------------------------------------

def test_all_equal_values_have_no_limits_and_no_signals():
    res = quiet_mdc(frame([5.0] * 15), "y", "month")
    assert res.summary["lpl"].isna().all() and res.summary["upl"].isna().all()
    assert (res.points["point_type"] == "common_cause").all()
    unscreened = quiet_mdc(frame([5.0] * 15), "y", "month", screen_outliers=False)
    assert unscreened.summary["upl"].iloc[0] == 5.0
    assert (unscreened.points["point_type"] == "common_cause").all()


def test_fix_after_n_points_uses_only_the_baseline_but_tests_every_point():
    values = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9] + [30, 31]
    res = quiet_mdc(frame(values), "y", "month", fix_after_n_points=12)
    assert res.summary["mean"].iloc[0] == pytest.approx(np.mean(values[:12]))
    assert res.points["point_type"].tolist()[-2:] == ["special_cause_improvement"] * 2


def test_short_group_warning():
    with pytest.warns(QIWarning, match="fewer than 13 points"):
        qilab.mdc(frame(range(12)), "y", "month")
    with warnings.catch_warnings():
        warnings.simplefilter("error", QIWarning)
        qilab.mdc(frame(np.sin(np.arange(13))), "y", "month")


def test_missing_values_are_gaps_and_reported():
    values = [1.0, 2.0, np.nan, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0]
    with pytest.warns(QIWarning, match="1 point"):
        res = qilab.mdc(frame(values), "y", "month")
    assert len(res.points) == 14
    assert res.summary["n"].iloc[0] == 13
    assert res.points["point_type"].iloc[2] == "common_cause"


def test_target_per_facet_and_assurance():
    df = pd.concat([frame(np.r_[np.tile([90.0, 92.0], 10)], facet="A"),
                    frame(np.r_[np.tile([70.0, 72.0], 10)], facet="B")], ignore_index=True)
    res = quiet_mdc(df, "y", "month", facet="facet", target={"A": 50, "B": 95})
    assert res.summary.set_index("facet")["assurance"].astype(str).to_dict() == \
        {"A": "consistent_pass", "B": "consistent_fail"}
    down = quiet_mdc(df, "y", "month", facet="facet", target={"A": 50, "B": 95},
                     improvement_direction="decrease")
    assert down.summary.set_index("facet")["assurance"].astype(str).to_dict() == \
        {"A": "consistent_fail", "B": "consistent_pass"}
    neutral = quiet_mdc(df, "y", "month", facet="facet", target=80,
                        improvement_direction="neutral")
    assert neutral.summary["assurance"].isna().all()
    none = quiet_mdc(df, "y", "month", facet="facet")
    assert none.summary["assurance"].isna().all()
    df["goal"] = 91.0
    col = quiet_mdc(df, "y", "month", facet="facet", target="goal")
    assert col.summary["assurance"].astype(str).tolist() == ["inconsistent", "consistent_fail"]


def test_rebase_mapping_per_facet():
    wiggle = np.array([0, 1] * 6 + [0], dtype=float)
    df = pd.concat([frame(np.r_[wiggle, wiggle + 50], facet="A"),
                    frame(np.arange(26) % 3, facet="B")], ignore_index=True)
    res = quiet_mdc(df, "y", "month", facet="facet", rebase={"A": "2023-02-01"})
    s = res.summary
    assert s[s["facet"] == "A"]["rebase_group"].tolist() == [0, 1]
    assert s[s["facet"] == "B"]["rebase_group"].tolist() == [0]
    assert s[s["facet"] == "A"]["mean"].iloc[1] == pytest.approx(50 + 6 / 13)


def test_summary_is_one_row_per_indicator():
    rng = np.random.default_rng(3)
    df = pd.concat([frame(rng.normal(size=24), facet=f"i{k:02d}") for k in range(25)],
                   ignore_index=True)
    res = quiet_mdc(df, "y", "month", facet="facet", target=0.0)
    assert len(res.summary) == 25
    assert list(res.summary.columns[:11]) == ["facet", "rebase_group", "start", "end", "n",
                                              "latest", "mean", "lpl", "upl", "target",
                                              "variation"]
    assert set(res.summary["assurance"].astype(str)) == {"inconsistent"}
    last = res.points.groupby("facet", observed=True).tail(1)
    assert res.summary["variation"].tolist() == last["point_type"].tolist()
    assert res.summary["latest"].tolist() == last["y"].tolist()


# ---- bad input ------------------------------------------------------------------------------

def test_empty_frame():
    with pytest.raises(QIDataError, match="no rows"):
        qilab.mdc(pd.DataFrame({"month": [], "y": []}), "y", "month")


def test_all_missing():
    with pytest.raises(QIDataError, match="no values"):
        qilab.mdc(frame([np.nan] * 5), "y", "month")


def test_non_numeric_values_name_the_row():
    df = frame([1, 2, 3])
    df["y"] = ["1", "2", "three"]
    with pytest.raises(QIDataError, match=r"'three'.*index 2") as err:
        qilab.mdc(df, "y", "month")
    assert err.value.column == "y"


def test_missing_column_lists_columns():
    with pytest.raises(QIDataError, match=r"no column 'value'.*month, y"):
        qilab.mdc(frame([1, 2]), "value", "month")


def test_rebase_date_not_in_data():
    with pytest.raises(QIDataError, match=r"2030-01-01.*not dates of any point"):
        quiet_mdc(frame(range(20)), "y", "month", rebase=["2030-01-01"])


@pytest.mark.parametrize("fix", [11, 0, -3, 12.5, "12"])
def test_fix_after_n_points_below_12_or_not_whole(fix):
    with pytest.raises(QIDataError, match="fix_after_n_points"):
        qilab.mdc(frame(range(20)), "y", "month", fix_after_n_points=fix)


@pytest.mark.parametrize("direction", ["up", "Increase", None, 1])
def test_unknown_improvement_direction(direction):
    with pytest.raises(QIDataError, match="improvement_direction"):
        qilab.mdc(frame(range(20)), "y", "month", improvement_direction=direction)


def test_duplicate_dates_within_a_facet():
    df = frame(range(5))
    df.loc[4, "month"] = df.loc[1, "month"]
    with pytest.raises(QIDataError, match="more than once"):
        qilab.mdc(df, "y", "month")


def test_bad_dates_and_targets():
    df = frame(range(5))
    df["month"] = df["month"].astype(str)
    df.loc[3, "month"] = "whenever"
    with pytest.raises(QIDataError, match="'whenever'"):
        qilab.mdc(df, "y", "month")
    with pytest.raises(QIDataError, match="target"):
        quiet_mdc(frame(range(5)), "y", "month", target="nope")
    with pytest.raises(QIDataError, match="not in the data"):
        quiet_mdc(frame(range(5), facet="A"), "y", "month", facet="facet", target={"Z": 1})


def test_not_a_dataframe():
    with pytest.raises(QIDataError, match="DataFrame"):
        qilab.mdc([1, 2, 3], "y", "month")


# ---- result object: immutable, plot, words ---------------------------------------------------

def concern_chart():
    values = [80, 86, 78, 88, 79, 85, 81, 87, 77, 84, 80, 86, 79, 76, 78, 77, 79, 76, 78, 77]
    return quiet_mdc(frame(values), "y", "month", target=95)


def test_result_is_immutable():
    res = concern_chart()
    with pytest.raises(AttributeError):
        res.points = None  # type: ignore[misc]
    assert res.to_frame() is not res.points


def test_explain_says_what_a_manager_needs():
    text = concern_chart().explain()
    assert "special cause variation of concern" in text
    assert ("shows special cause variation of concern: 8 points in a row are below the mean "
            "of 80.55.") in text
    assert "The target of 95 lies above the upper process limit, so the process will " \
           "consistently fail to meet it without change." in text
    assert "Higher values are better." in text
    assert concern_chart().alt_text().startswith("Making Data Count chart of y")
    assert concern_chart().alt_text() in text


def test_explain_common_cause_and_pass():
    res = quiet_mdc(frame([10, 12, 11, 13, 10, 12, 11, 13, 12, 11, 13, 12, 11]), "y", "month",
                    target=2)
    text = res.explain()
    assert "shows common cause variation" in text
    assert "consistently meet it" in text


def test_plot_draws_the_mdc_look():
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    res = concern_chart()
    ax = res.plot()
    colours = {mcolors.to_hex(c) for coll in ax.collections for c in coll.get_facecolor()}
    assert "#ed8b00" in colours and "#7f7f7f" in colours
    labels = ax.get_legend_handles_labels()[1]
    assert {"Common cause", "Special cause: concern", "Target", "Mean",
            "Process limits"} <= set(labels)
    texts = " ".join(t.get_text() for a in [ax, *ax.child_axes] for t in a.texts)
    assert "Variation: special cause of concern, low" in texts
    assert "Assurance: target consistently missed" in texts
    plt.close(ax.figure)


def test_plot_uses_a_given_axes_and_needs_a_facet_when_many():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert concern_chart().plot(ax=ax) is ax
    plt.close(fig)
    df = pd.concat([frame(range(14), facet="A"), frame(range(14), facet="B")])
    res = quiet_mdc(df, "y", "month", facet="facet")
    with pytest.raises(QIDataError, match="choose one with facet"):
        res.plot()
    ax = res.plot(facet="B")
    plt.close(ax.figure)
    assert "for B" in res.explain(facet="B")


def test_repr_html_has_figure_alt_text_or_summary_table():
    html = concern_chart()._repr_html_()
    assert "<img" in html and 'alt="Making Data Count chart of y' in html
    df = pd.concat([frame(range(14), facet="A"), frame(range(14), facet="B")])
    many = quiet_mdc(df, "y", "month", facet="facet")._repr_html_()
    assert "<table" in many and "<img" not in many and "2 indicators" in many


def test_monthly_periods_and_categorical_facets_are_accepted():
    df = pd.DataFrame({"m": list(pd.period_range("2022-01", periods=14, freq="M")) * 2,
                       "y": np.r_[np.arange(14.0), np.arange(14.0)[::-1]],
                       "f": pd.Categorical(["a"] * 14 + ["b"] * 14, categories=["a", "b", "z"])})
    res = quiet_mdc(df, "y", "m", facet="f")
    assert res.summary["facet"].tolist() == ["a", "b"]
    assert str(pd.Timestamp(res.summary["start"].iloc[0]).date()) == "2022-01-01"
    # a steady climb of 14 points is a rising trend (improvement when higher is better)
    assert res.summary["variation"].astype(str).tolist() == ["special_cause_improvement",
                                                             "special_cause_concern"]
