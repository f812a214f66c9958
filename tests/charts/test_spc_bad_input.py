"""Bad input to qilab.spc: clear errors naming the row or column, warnings for what is changed."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from qilab import QIDataError, QIWarning, spc


def test_empty_data():
    with pytest.raises(QIDataError, match="no rows"):
        spc(pd.DataFrame({"y": []}), "y")


def test_one_point():
    with pytest.raises(QIDataError, match="at least 2 points"):
        spc(y=[4])


def test_all_missing():
    with pytest.raises(QIDataError, match="has no numbers"):
        spc(pd.DataFrame({"y": [np.nan, np.nan, np.nan]}), "y")


def test_text_in_numbers_names_row_and_column():
    data = pd.DataFrame({"week": [1, 2, 3, 4], "cost": ["1", "2", "3", "n/a"]})
    with pytest.raises(QIDataError, match=r"Column 'cost' has text in row 4 \('n/a'\)") as info:
        spc(data, "cost", "week")
    assert info.value.row == 4 and info.value.column == "cost"


def test_blank_text_is_a_missing_value_not_an_error():
    r = spc(y=["1", "2", " ", "4", "5"])
    assert np.isnan(r.points["y"].iloc[2]) and r.parts.loc[0, "n_obs"] == 5


@pytest.mark.parametrize("chart", ["c", "u", "p"])
def test_negative_counts(chart):
    data = pd.DataFrame({"x": [1, 2, 3], "d": [3, -1, 2], "n": [10, 10, 10]})
    with pytest.raises(QIDataError, match="negative count in row 2"):
        spc(data, "d", "x", None if chart == "c" else "n", chart=chart)


def test_numerator_above_denominator_for_p():
    data = pd.DataFrame({"x": [1, 2, 3], "d": [3, 12, 2], "n": [10, 10, 10]})
    with pytest.raises(QIDataError, match="row 2 the numerator 'd' is bigger"):
        spc(data, "d", "x", "n", chart="p")


def test_zero_denominator():
    data = pd.DataFrame({"x": [1, 2, 3], "d": [3, 0, 2], "n": [10, 0, 10]})
    with pytest.raises(QIDataError, match="'n' is 0 in row 2"):
        spc(data, "d", "x", "n", chart="u")


def test_missing_denominator():
    data = pd.DataFrame({"x": [1, 2, 3], "d": [3, 4, 2], "n": [10, None, 10]})
    with pytest.raises(QIDataError, match="'n' is blank in row 2"):
        spc(data, "d", "x", "n", chart="p")


def test_missing_denominator_and_numerator_is_a_gap():
    data = pd.DataFrame({"x": [1, 2, 3, 4], "d": [3, None, 2, 4], "n": [10, None, 10, 10]})
    r = spc(data, "d", "x", "n", chart="p")
    assert np.isnan(r.points["y"].iloc[1]) and len(r.points) == 4


def test_missing_x_rows_are_reported_and_dropped():
    data = pd.DataFrame({"x": [1, None, 3, 4], "y": [1.0, 2, 3, 4]})
    with pytest.warns(QIWarning, match=r"Row 2 had no x value"):
        r = spc(data, "y", "x")
    assert r.points["y"].tolist() == [1.0, 3.0, 4.0]


def test_unsorted_periods_are_sorted_with_a_warning():
    data = pd.DataFrame({"week": [3, 1, 2], "y": [30.0, 10, 20]})
    with pytest.warns(QIWarning, match="not in time order"):
        r = spc(data, "y", "week")
    assert r.points["x"].tolist() == [1, 2, 3] and r.points["y"].tolist() == [10.0, 20, 30]


def test_duplicate_periods_are_combined_with_a_warning():
    data = pd.DataFrame({"week": [1, 1, 2, 3], "y": [10.0, 20, 30, 40]})
    with pytest.warns(QIWarning, match="combined into one point"):
        r = spc(data, "y", "week")
    assert r.points["y"].tolist() == [15.0, 30.0, 40.0]


def test_mixed_date_formats():
    data = pd.DataFrame({"month": ["2024-01-01", "2024-02-01", "01/03/2024"], "y": [1, 2, 3]})
    with pytest.raises(QIDataError, match="mixes date formats.*row 3") as info:
        spc(data, "y", "month")
    assert info.value.row == 3


def test_dates_as_text_in_one_format_are_dates():
    data = pd.DataFrame({"month": ["01/02/2024", "01/01/2024", "01/03/2024"], "y": [2, 1, 3]})
    with pytest.warns(QIWarning, match="sorted"):
        r = spc(data, "y", "month")
    assert [d.month for d in pd.to_datetime(r.points["x"])] == [1, 2, 3]


@pytest.mark.parametrize("bad", [0, -2.5])
def test_t_chart_needs_positive_times(bad):
    with pytest.raises(QIDataError, match="T chart needs the time between events to be more"):
        spc(y=[3.0, 4.0, bad, 5.0], chart="t")


@pytest.mark.parametrize("kwargs, field", [({"freeze": 11}, "freeze"), ({"freeze": 0}, "freeze"),
                                           ({"part": 10}, "part"), ({"exclude": [0]}, "exclude"),
                                           ({"exclude": [3, 12]}, "exclude"),
                                           ({"part": [2.5]}, "part")])
def test_positions_out_of_range(kwargs, field):
    with pytest.raises(QIDataError, match=field) as info:
        spc(y=list(range(10)), chart="i", **kwargs)
    assert info.value.field == field


def test_unknown_chart_lists_choices():
    with pytest.raises(QIDataError, match="Unknown chart 'xmr'.*run, i, mr, xbar"):
        spc(y=[1, 2, 3], chart="xmr")


def test_unknown_rule_set_lists_choices():
    with pytest.raises(QIDataError, match="Unknown rule set 'minitab'.*anhoej, ihi"):
        spc(y=[1, 2, 3], rules="minitab")


def test_control_rules_on_a_run_chart_are_refused():
    with pytest.raises(QIDataError, match="need control limits"):
        spc(y=[1, 2, 3, 4], rules="western_electric")


def test_missing_column_lists_columns():
    with pytest.raises(QIDataError, match="no column 'cost'.*'week', 'value'"):
        spc(pd.DataFrame({"week": [1], "value": [2]}), "cost", "week")


def test_p_chart_needs_a_denominator():
    with pytest.raises(QIDataError, match="needs a denominator"):
        spc(y=[1, 2, 3], chart="p")


def test_too_few_points_for_a_rule_warns_not_errors():
    with pytest.warns(QIWarning, match="cannot fire"):
        r = spc(y=[1, 2, 3, 4], rules="ihi")
    assert not r.parts.loc[0, "runs_signal"]
    with pytest.warns(QIWarning, match="eight one side needs 8 points"):
        spc(y=[1, 3, 2, 4, 3], chart="i", rules="western_electric")


def test_freeze_with_part_is_ignored_with_a_warning():
    with pytest.warns(QIWarning, match="freeze was ignored"):
        r = spc(y=list(range(20)), part=10, freeze=5)
    assert r.points["baseline"].all()


def test_lengths_must_match():
    with pytest.raises(QIDataError, match="x has 2 values but y has 3"):
        spc(y=[1, 2, 3], x=[1, 2])


def test_nothing_silently_dropped_missing_values_are_points():
    r = spc(y=[1.0, None, 3.0, 4.0, None, 2.0])
    assert len(r.points) == 6 and int(r.parts.loc[0, "n_obs"]) == 6
    assert int(r.parts.loc[0, "n_useful"]) == 4


def test_non_default_index_is_named_in_errors():
    data = pd.DataFrame({"y": [1, "x", 3]}, index=["a", "b", "c"])
    with pytest.raises(QIDataError, match=r"row 2 \(index 'b'\)"):
        spc(data, "y")


def test_no_warnings_for_clean_data():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spc(pd.DataFrame({"m": pd.date_range("2024-01-01", periods=12, freq="MS"),
                          "y": np.arange(12.0)}), "y", "m", chart="i")
