"""Making Data Count charts against NHSRplotthedots 0.2.2 (spc-cases 22, 23 and 25).

The cases live in ../shared/reference/spc-cases next to the repository; they are read at test
time. Limits are compared to 1e-6 relative (7 significant figures for printed snapshot values);
point types, labels and icons must match exactly.
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from _cases import CASES_DIR as CASES  # noqa: E402

import qilab
from qilab import QIWarning

REL = 1e-6
PRINTED_REL = 5e-7


def _load(stem: str) -> dict | None:
    path = CASES / f"{stem}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _params(stem: str, keep=lambda a: True):
    case = _load(stem)
    if case is None:
        return [pytest.param(None, None, marks=pytest.mark.skip(
            reason=f"reference case {stem} not found under {CASES}"))]
    return [pytest.param(case, a, id=a["name"]) for a in case["analyses"] if keep(a)]


def _csv(case: dict, analysis: dict) -> pd.DataFrame:
    return pd.read_csv(CASES / analysis.get("data_file", case["data_file"]))


def _run(df, value, date, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = qilab.mdc(df, value, date, **kw)
    short = any(issubclass(w.category, QIWarning) and "trial limits" in str(w.message)
                for w in caught)
    return res, short


# ---- case 22: end-to-end --------------------------------------------------------------------

@pytest.mark.parametrize("case, analysis", _params(
    "22_mdc_rule_unit_vectors", lambda a: a["settings"].get("function") == "ptd_spc"))
def test_case22_end_to_end(case, analysis):
    y = analysis["inputs"]["y"]
    df = pd.DataFrame({"x": pd.date_range("2020-01-01", periods=len(y), freq="D"), "y": y})
    res, _ = _run(df, "y", "x",
                  improvement_direction=analysis["settings"]["improvement_direction"])
    exp = analysis["expected"]
    pts = res.points
    assert pts["mean"].iloc[0] == pytest.approx(exp["mean"], abs=1e-12)
    assert pts["lpl"].iloc[0] == pytest.approx(exp["lpl"], rel=REL)
    assert pts["upl"].iloc[0] == pytest.approx(exp["upl"], rel=REL)
    assert pts["point_type"].astype(str).tolist() == exp["all_point_types"]
    assert pts["point_type"].astype(str).tolist()[-2:] == exp["point_type_last_two"]
    # the last two points are close to the limits (but on opposite sides)
    near = (pts["y"] > pts["mean"] + (pts["upl"] - pts["mean"]) * 2 / 3) | (
        pts["y"] < pts["mean"] - (pts["mean"] - pts["lpl"]) * 2 / 3)
    assert near.tolist()[-2:] == exp["close_to_limits_last_two"]


# ---- case 23: seed 123 snapshots ------------------------------------------------------------

@pytest.mark.parametrize("case, analysis", _params("23_mdc_xmr_snapshot_seed123"))
def test_case23(case, analysis):
    df = _csv(case, analysis)
    df["x"] = pd.to_datetime(df["x"])
    s = analysis["settings"]
    kw = {"improvement_direction": s.get("improvement_direction", "increase"),
          "screen_outliers": s.get("screen_outliers", True)}
    if "fix_after_n_points" in s:
        kw["fix_after_n_points"] = s["fix_after_n_points"]
    if "target" in s:
        kw["target"] = s["target"]
    exp = analysis["expected"]
    if "facet_field" in s:
        res, short = _run(df, analysis["column"], "x", facet=s["facet_field"], **kw)
        facet_value = int(analysis["rows"].split("==")[1])
        summ = res.summary[res.summary["facet"] == facet_value].iloc[0]
        exact = exp["exact_computed"]
        assert summ["mean"] == pytest.approx(exact["mean"], rel=REL)
        assert summ["lpl"] == pytest.approx(exact["lpl"], rel=REL)
        assert summ["upl"] == pytest.approx(exact["upl"], rel=REL)
        printed = exp["printed"]
        assert float(f"{summ['mean']:.3g}") == pytest.approx(printed["mean_col"])
        assert float(f"{summ['lpl']:.3g}") == pytest.approx(printed["lpl"])
        assert float(f"{summ['upl']:.3g}") == pytest.approx(printed["upl"])
        assert summ["n"] == printed["n"]
        pts = res.points[res.points["facet"] == facet_value]
        assert (pts["point_type"] == "common_cause").sum() == printed["common_cause"]
        assert short is exp["short_group_warning"]
        assert bool(summ["trial_limits"]) is exp["short_group_warning"]
        return
    res, short = _run(df, analysis["column"], "x", **kw)
    pts, summ = res.points, res.summary.iloc[0]
    assert not short  # 20 points: no trial-limit warning
    if "mean_col" in exp:
        assert summ["mean"] == pytest.approx(exp["mean_col"], rel=PRINTED_REL)
        assert summ["lpl"] == pytest.approx(exp["lpl"], rel=PRINTED_REL)
        assert summ["upl"] == pytest.approx(exp["upl"], rel=PRINTED_REL)
    exact = exp.get("exact_computed", exp)
    if "mean" in exact:
        assert summ["mean"] == pytest.approx(exact["mean"], rel=REL)
        assert summ["lpl"] == pytest.approx(exact["lpl"], rel=REL)
        assert summ["upl"] == pytest.approx(exact["upl"], rel=REL)
        # limits are constant along the chart
        assert np.allclose(pts["lpl"], exact["lpl"], rtol=REL)
    if "amr" in exact:
        assert (summ["upl"] - summ["mean"]) / 2.66 == pytest.approx(exact["amr"], rel=REL)
    if "point_types" in exact:
        assert pts["point_type"].astype(str).tolist() == exact["point_types"]
    if "relative_to_mean_first13" in exp:
        rtm = np.sign(pts["y"] - pts["mean"]).astype(int).tolist()[:13]
        assert rtm == exp["relative_to_mean_first13"]
    if "variation_type" in exp:
        assert summ["variation"] == exp["variation_type"]
    if "special_cause_points" in exp:
        special = np.flatnonzero(pts["point_type"] != "common_cause") + 1
        assert special.tolist() == exp["special_cause_points"]
    if "assurance_type" in exp:
        assert summ["assurance"] == exp["assurance_type"]


# ---- case 25: A&E attendances ---------------------------------------------------------------

def _case25_frame(case, analysis) -> pd.DataFrame:
    df = _csv(case, analysis)
    df = df[df["series"] == analysis["series"]].copy()
    df["period"] = pd.to_datetime(df["period"])
    rows = analysis.get("rows", "")
    if rows.startswith("period <"):
        cutoff = pd.Timestamp(rows.split("<")[1].split("(")[0].strip())
        df = df[df["period"] < cutoff]
    return df


def _check_group(pts: pd.DataFrame, summ_row: pd.Series, exp: dict) -> None:
    assert summ_row["mean"] == pytest.approx(exp["mean"], rel=REL)
    assert summ_row["lpl"] == pytest.approx(exp["lpl"], rel=REL)
    assert summ_row["upl"] == pytest.approx(exp["upl"], rel=REL)
    assert pts["point_type"].astype(str).tolist() == exp["point_types"]
    if "special_cause_types" in exp:
        labels = {f"{d:%Y-%m}": str(t) for d, t in zip(pts["date"], pts["special_cause_type"])
                  if t != "Common Cause"}
        assert labels == exp["special_cause_types"]


@pytest.mark.parametrize("case, analysis", _params("25_mdc_ae_attendances"))
def test_case25(case, analysis):
    df = _case25_frame(case, analysis)
    s = analysis["settings"]
    kw = {"improvement_direction": s.get("improvement_direction", "increase")}
    if "target" in s:
        kw["target"] = s["target"]
    if "rebase" in s:
        kw["rebase"] = s["rebase"]
    res, short = _run(df, "value", "period", **kw)
    exp = analysis["expected"]
    if "groups" in exp:
        assert len(res.summary) == len(exp["groups"])
        for g in exp["groups"]:
            row = res.summary[res.summary["rebase_group"] == g["rebase_group"]].iloc[0]
            assert f"{row['start']:%Y-%m-%d}" == g["first"]
            assert row["n"] == g["n"]
            assert bool(row["trial_limits"]) is g["short_group_warning"]
            pts = res.points[res.points["rebase_group"] == g["rebase_group"]]
            _check_group(pts, row, g)
        assert short is any(g["short_group_warning"] for g in exp["groups"])
    else:
        assert len(res.summary) == 1
        _check_group(res.points, res.summary.iloc[0], exp)
    if "variation_type" in exp:
        assert res.summary["variation"].iloc[-1] == exp["variation_type"]
    if "assurance_type" in exp:
        assert res.summary["assurance"].iloc[-1] == exp["assurance_type"]


def test_case25_as_one_faceted_call_matches_separate_calls():
    """The BI path (all series at once) gives the same answer as one chart at a time."""
    case = _load("25_mdc_ae_attendances")
    if case is None:
        pytest.skip(f"reference case 25 not found under {CASES}")
    df = pd.read_csv(CASES / case["data_file"], parse_dates=["period"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QIWarning)
        together = qilab.mdc(df, "value", "period", facet="series",
                             improvement_direction="decrease")
        for name, part in df.groupby("series"):
            alone = qilab.mdc(part, "value", "period", improvement_direction="decrease")
            mine = together.points[together.points["facet"] == name].reset_index(drop=True)
            cols = ["date", "y", "mean", "lpl", "upl", "outside_limits", "trend",
                    "two_in_three", "shift"]
            pd.testing.assert_frame_equal(mine[cols], alone.points[cols])
            assert mine["point_type"].astype(str).tolist() == \
                alone.points["point_type"].astype(str).tolist()
