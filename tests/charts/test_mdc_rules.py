"""Tests of the Making Data Count rule helpers against NHSRplotthedots 0.2.2 (spc-case 22)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _cases import CASES_DIR as CASES  # noqa: E402

from qilab.charts import mdc_rules as R
from qilab.charts.mdc_rules import mdc_rule_flags, special_cause_label

CASE22 = CASES / "22_mdc_rule_unit_vectors.json"


def _analyses(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["analyses"]


def _params(path: Path, function: str | None = None):
    items = [a for a in _analyses(path)
             if function is None or a["settings"].get("function") == function]
    if not items:
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"reference cases not found at {path} (or no analyses of that kind)"))]
    return [pytest.param(a, id=a["name"]) for a in items]


def _start(n: int) -> np.ndarray:
    s = np.zeros(n, dtype=bool)
    if n:
        s[0] = True
    return s


@pytest.mark.parametrize("case", _params(CASE22, "seven_point_one_side_mean"))
def test_shift_markers_case22(case):
    rtm = np.array(case["inputs"]["relative_to_mean"], dtype=np.int8)
    got = R._shift_markers(rtm, _start(rtm.size))
    assert (np.abs(got) == 1).astype(int).tolist() == case["expected"]


@pytest.mark.parametrize("case", _params(CASE22, "part_of_seven_trend"))
def test_spread_back_case22(case):
    marker = np.array(case["inputs"]["marker"])
    got = R._spread_back(marker, _start(marker.size))
    assert got.astype(int).tolist() == case["expected"]


@pytest.mark.parametrize("case", _params(CASE22, "seven_point_trend"))
def test_trend_markers_case22(case):
    y = np.array(case["inputs"]["y"], dtype=float)
    assert R._trend_markers(y, _start(y.size)).astype(int).tolist() == case["expected"]


@pytest.mark.parametrize("case", _params(CASE22, "two_in_three"))
def test_two_in_three_windows_case22(case):
    close = np.array(case["inputs"]["close"], dtype=bool)
    rtm = np.array(case["inputs"]["relative_to_mean"], dtype=np.int8)
    got = R._two_in_three_windows(close, rtm, _start(close.size))
    assert got.astype(int).tolist() == case["expected"]


@pytest.mark.parametrize("case", _params(CASE22, "part_of_two_in_three"))
def test_part_of_two_in_three_case22(case):
    close = np.array(case["inputs"]["close"], dtype=bool)
    rtm = np.array(case["inputs"]["relative_to_mean"], dtype=np.int8)
    got = R._two_in_three_windows(close, rtm, _start(close.size)) & close
    assert got.astype(int).tolist() == case["expected"]


@pytest.mark.parametrize("case", _params(CASE22, "special_cause_type"))
def test_precedence_and_labels_case22(case):
    inp = case["inputs"]
    y = np.array(inp["y"], dtype=float)
    rule, direction = R._label(
        y, np.array(inp["relative_to_mean"], dtype=np.int8),
        np.array(inp["outside_limits"]) != 0, np.array(inp["part_of_seven_point_trend"]) != 0,
        np.array(inp["part_of_two_in_three"]) != 0,
        np.array(inp["part_of_seven_point_one_side_mean"]) != 0, _start(y.size))
    labels = [special_cause_label(R.RULE_NAMES[r], d) for r, d in zip(rule, direction)]
    assert labels == case["expected"]


# --- the public function --------------------------------------------------------------------

def test_flags_columns_and_types():
    flags = mdc_rule_flags([1.0, 2.0], [1.5, 1.5], [0.0, 0.0], [3.0, 3.0], [0, 0])
    assert list(flags.columns) == ["outside_limits", "two_in_three", "trend", "shift",
                                   "direction"]
    assert all(flags[c].dtype == bool for c in ["outside_limits", "two_in_three", "trend",
                                                "shift"])
    assert flags["direction"].dtype.kind == "i"


def test_seven_below_mean_is_a_low_shift():
    y = [1, 2, 1, 2, 1, 2, 1, 5]
    flags = mdc_rule_flags(y, [3] * 8, [-10] * 8, [16] * 8, [0] * 8)
    assert flags["shift"].tolist() == [True] * 7 + [False]
    assert flags["direction"].tolist() == [-1] * 7 + [0]


def test_point_on_the_mean_breaks_a_shift():
    y = [5, 5, 5, 4, 5, 5, 5, 5]
    flags = mdc_rule_flags(y, [4] * 8, [-10] * 8, [18] * 8, [0] * 8)
    assert not flags["shift"].any()


def test_rules_do_not_cross_series():
    # 4 points above the mean in series a, 4 in series b: no 7-point shift anywhere
    y = [5.0] * 8
    flags = mdc_rule_flags(y, [4] * 8, [-10] * 8, [18] * 8, ["a"] * 4 + ["b"] * 4)
    assert not flags["shift"].any()
    # the same 8 points as one series do make a shift
    assert mdc_rule_flags(y, [4] * 8, [-10] * 8, [18] * 8, ["a"] * 8)["shift"].all()


def test_trend_direction_comes_from_the_run_not_the_side():
    y = np.arange(7, dtype=float)  # rising, all below the mean of 100
    flags = mdc_rule_flags(y, [100] * 7, [-1000] * 7, [1000] * 7, [0] * 7)
    assert flags["trend"].all()
    assert flags["shift"].all()  # also 7 below the mean, but trend comes first
    assert (flags["direction"] == 1).all()


def test_trend_needs_strict_steps():
    y = [1, 2, 3, 3, 4, 5, 6, 7]
    flags = mdc_rule_flags(y, [100] * 8, [-1000] * 8, [1000] * 8, [0] * 8)
    assert not flags["trend"].any()


def test_two_in_three_flags_only_close_points_on_one_side():
    # mean 0, limits +/-3, near limits +/-2
    y = [2.5, 0.5, 2.5, -2.5, 0.1, -2.5]
    flags = mdc_rule_flags(y, [0] * 6, [-3] * 6, [3] * 6, [0] * 6)
    assert flags["two_in_three"].tolist() == [True, False, True, False, False, False]
    assert flags["direction"].tolist() == [1, 0, 1, 0, 0, 0]


def test_outside_limits_is_strict_and_missing_never_signals():
    y = [3.0, 3.0001, np.nan, -3.0001]
    flags = mdc_rule_flags(y, [0] * 4, [-3] * 4, [3] * 4, [0] * 4)
    assert flags["outside_limits"].tolist() == [False, True, False, True]
    assert flags["direction"].tolist() == [0, 1, 0, -1]
    nan_limits = mdc_rule_flags([5.0, 6.0], [0, 0], [np.nan] * 2, [np.nan] * 2, [0, 0])
    assert not nan_limits["outside_limits"].any()


def test_unequal_lengths_is_a_data_error():
    from qilab import QIDataError
    with pytest.raises(QIDataError, match="same length"):
        mdc_rule_flags([1, 2, 3], [1, 2], [0, 0, 0], [5, 5, 5], [0, 0, 0])


def test_many_series_match_one_at_a_time():
    rng = np.random.default_rng(7)
    frames = []
    for g in range(30):
        y = np.cumsum(rng.normal(size=25))
        m = np.full(25, y.mean())
        frames.append(pd.DataFrame({"y": y, "mean": m, "lpl": m - 2, "upl": m + 2, "g": g}))
    df = pd.concat(frames, ignore_index=True)
    together = mdc_rule_flags(df["y"], df["mean"], df["lpl"], df["upl"], df["g"])
    apart = pd.concat([mdc_rule_flags(f["y"], f["mean"], f["lpl"], f["upl"], f["g"])
                       for f in frames], ignore_index=True)
    pd.testing.assert_frame_equal(together, apart)
