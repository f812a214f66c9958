"""qilab.funnel: funnel plots for comparing organisations.

The limits and the organisations flagged must be those of the reference case
15_u_hospital_infections_facets_funnel (qicharts2: a U chart of hospital infections with the
hospital as a categorical x, ordered by risk days), to its tolerances; bad input must say what
to fix; the figure must not use colour as its only signal.
"""
from __future__ import annotations

import doctest
import json
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from _cases import CASES_DIR, in_ci, missing_reason

matplotlib.use("Agg")

import qilab  # noqa: E402
import qilab.charts.funnel as module  # noqa: E402
from qilab import QIDataError  # noqa: E402

CASE = "15_u_hospital_infections_facets_funnel"


def close(a: float, b: float) -> bool:
    """The reference cases' tolerance, as in test_spc_cases.close: 1e-6 relative."""
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-12)


@pytest.fixture(scope="module")
def case():
    if not (CASES_DIR / f"{CASE}.json").is_file():
        if in_ci():
            pytest.fail(missing_reason())
        pytest.skip(missing_reason())
    spec = json.loads((CASES_DIR / f"{CASE}.json").read_text())
    data = pd.read_csv(CASES_DIR / f"{CASE}.csv")
    analysis = next(a for a in spec["analyses"] if a["name"].startswith("funnel"))
    return data, analysis


@pytest.mark.parametrize("infection", ["BAC", "CDI", "UTI"])
def test_funnel_matches_the_qicharts2_reference_case(case, infection):
    data, analysis = case
    expected = next(e for e in analysis["expected"]["summary"] if e["facet1"] == infection)
    rows = data[(data["month"] >= "2016-07-01") & (data["infection"] == infection)]
    result = qilab.funnel(rows, "n", "days", "hospital", chart="u",
                          multiply=analysis["settings"]["multiply"])
    assert len(result.units) == expected["n_obs"]
    assert close(result.centre, expected["CL"])
    assert close(result.units["lcl"].mean(), expected["aLCL"])
    assert close(result.units["ucl"].mean(), expected["aUCL"])
    assert int((result.units["signal"] != "").sum()) == expected["sigma_signal"]
    flagged = [f"{u} ({'above UCL' if s == 'above' else 'below LCL'})"
               for u, s in zip(result.units["unit"], result.units["signal"]) if s]
    assert flagged == analysis["expected"]["flagged"][infection]
    # smallest denominator first, and each unit's limits narrow as its denominator grows
    assert result.units["denominator"].is_monotonic_increasing
    assert (np.diff(result.units["ucl"] - result.units["lcl"]) <= 1e-12).all()


def test_a_p_funnel_uses_p_chart_limits():
    trusts = pd.DataFrame({"trust": ["A", "B", "C", "D"], "seen": [80, 185, 930, 1900],
                           "patients": [100, 200, 1000, 2000]})
    result = qilab.funnel(trusts, "seen", "patients", "trust", chart="p", multiply=100)
    p = 3095 / 3300
    n = trusts["patients"].to_numpy(float)
    assert close(result.centre, 100 * p)
    assert np.allclose(result.units["ucl"], np.minimum(100, 100 * (p + 3 * np.sqrt(p * (1 - p) / n))))
    assert result.below() == ["A"] and result.above() == []
    assert "A is below its lower limit" in result.explain()


def test_rows_of_one_unit_are_added_up_before_comparing():
    months = pd.DataFrame({"home": ["X", "X", "Y", "Y", "Z"], "falls": [1, 2, 5, 5, 3],
                           "days": [100, 200, 300, 300, 400]})
    units = qilab.funnel(months, "falls", "days", "home").units.set_index("unit")
    assert units.loc["X", "numerator"] == 3 and units.loc["X", "denominator"] == 300
    assert units.loc["Y", "value"] == pytest.approx(10 / 600)


def test_league_table_ranks_by_value_and_keeps_the_signal():
    homes = pd.DataFrame({"home": ["A", "B", "C", "D"], "falls": [4, 30, 9, 10],
                          "bed_days": [1000, 2500, 3000, 4000]})
    result = qilab.funnel(homes, "falls", "bed_days", "home", multiply=1000)
    table = result.league_table()
    assert table["unit"].tolist() == ["B", "A", "C", "D"]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table.loc[0, "signal"] == "above"


@pytest.mark.parametrize("change, words", [
    (lambda d: d.drop(columns="days"), "no column 'days'"),
    (lambda d: d.assign(n=[1, -2, 3]), "0 or more"),
    (lambda d: d.assign(n=[1, None, 3]), "'B'"),
    (lambda d: d.assign(days=[10, 0, 30]), "'B' has a total 'days' of 0"),
    (lambda d: d.assign(ward=None), "blank"),
])
def test_bad_input_says_what_to_fix(change, words):
    data = pd.DataFrame({"ward": ["A", "B", "C"], "n": [1, 2, 3], "days": [10, 20, 30]})
    with pytest.raises(QIDataError, match=words):
        qilab.funnel(change(data), "n", "days", "ward")


def test_a_proportion_above_one_and_a_single_unit_are_refused():
    data = pd.DataFrame({"ward": ["A", "B"], "n": [5, 2], "d": [4, 20]})
    with pytest.raises(QIDataError, match="cannot be more than 1"):
        qilab.funnel(data, "n", "d", "ward", chart="p")
    with pytest.raises(QIDataError, match="2 or more"):
        qilab.funnel(data[data["ward"] == "A"], "n", "d", "ward", chart="u")
    with pytest.raises(QIDataError, match="'p'"):
        qilab.funnel(data, "n", "d", "ward", chart="i")


def test_outliers_are_marked_by_shape_and_name_not_colour_alone():
    homes = pd.DataFrame({"home": ["A", "B", "C", "D"], "falls": [4, 30, 9, 10],
                          "bed_days": [1000, 2500, 3000, 4000]})
    result = qilab.funnel(homes, "falls", "bed_days", "home", multiply=1000,
                          denominator_name="occupied bed days")
    ax = result.plot()
    assert ax.get_xlabel() == "Occupied bed days"
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["B"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Above the upper limit" in legend
    html = result._repr_html_()
    assert 'alt="This funnel plot compares 4 organisations' in html and "B is above" in html


def test_docstring_examples_run():
    result = doctest.testmod(module)
    assert result.attempted >= 2 and result.failed == 0
