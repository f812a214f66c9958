"""Pareto analysis: table, vital-few rule, bad input, chart."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from qilab import QIDataError  # noqa: E402
from qilab.tools._drawing import text_overlaps  # noqa: E402
from qilab.tools.pareto import ParetoResult, pareto  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


ERRORS = {"Interruptions during the drug round": 42, "Look-alike packaging": 25,
          "Illegible prescription": 14, "Stock not available": 9, "Patient off the ward": 6,
          "Wrong patient": 3, "Calculation error": 2, "Other": 1}


def test_table_is_tidy_sorted_and_correct():
    r = pareto(ERRORS)
    t = r.table
    assert list(t.columns) == ["category", "count", "percent", "cumulative_percent", "vital_few"]
    assert t["count"].tolist() == sorted(ERRORS.values(), reverse=True)
    assert t["percent"].sum() == pytest.approx(100)
    assert t["cumulative_percent"].iloc[-1] == 100
    assert t["cumulative_percent"].iloc[1] == pytest.approx((42 + 25) / 102 * 100)
    # 42+25+14 = 81 / 102 = 79.4%: not yet; +9 = 88.2% reaches 80%, so 4 vital
    assert r.vital_few == list(ERRORS)[:4]
    assert r.total == 102


def test_rule_includes_the_category_that_reaches_exactly_80():
    r = pareto(category=list("ABCD"), count=[50, 30, 15, 5])
    assert r.vital_few == ["A", "B"]
    r = pareto(category=list("ABCD"), count=[50, 29.9, 15.1, 5])
    assert r.vital_few == ["A", "B", "C"]


def test_rule_with_floating_point_sums_still_counts_80():
    # 0.1 steps do not add up exactly in binary
    r = pareto(category=list("ABCDEFGHIJ"), count=[0.1] * 10)
    assert r.vital_few == list("ABCDEFGH")


def test_ties_keep_first_appearance():
    r = pareto(category=["Z", "A", "M"], count=[5, 5, 5])
    assert r.table["category"].tolist() == ["Z", "A", "M"]


def test_custom_cut():
    assert pareto(category=list("ABC"), count=[60, 30, 10], cut=50).vital_few == ["A"]
    with pytest.raises(QIDataError, match="cut"):
        pareto(category=["A"], count=[1], cut=0)


def test_other_is_last_whatever_its_size_and_never_vital():
    # usual practice: the catch-all is not one kind of problem, so it is drawn last and never
    # counted among the vital few, however big it is
    r = pareto({"Labelling": 30, "Other": 25, "Wrong dose": 20, "Omitted": 15, "Late": 10})
    assert r.table["category"].tolist() == ["Labelling", "Wrong dose", "Omitted", "Late", "Other"]
    # 30 + 20 + 15 + 10 = 75% < 80% without "Other": every named category is vital, "Other" is not
    assert r.vital_few == ["Labelling", "Wrong dose", "Omitted", "Late"]
    assert r.table["cumulative_percent"].tolist() == [30, 50, 65, 75, 100]
    assert "catch-all category is too big" in r.explain()
    assert "'Other' (25, 25%) is a catch-all" in r.explain()
    # a small "Other" that happens to sit inside the 80% is still not vital
    r = pareto({"A": 50, "other": 35, "B": 10, "C": 5})
    assert r.table["category"].tolist() == ["A", "B", "C", "other"]
    assert r.vital_few == ["A", "B", "C"]
    r = pareto({"A": 70, "Other": 20, "B": 10})
    assert r.vital_few == ["A", "B"]
    assert "The most common is 'A'" in r.explain()


def test_other_can_be_renamed_or_switched_off():
    counts = {"A": 50, "Miscellaneous": 40, "B": 10}
    assert pareto(counts, other="Miscellaneous").table["category"].tolist() == [
        "A", "B", "Miscellaneous"]
    assert pareto({"A": 50, "Other": 40, "B": 10}, other=None).vital_few == ["A", "Other"]
    only = pareto({"Other": 3})
    assert only.vital_few == [] and "no vital few" in only.explain()
    with pytest.raises(QIDataError, match="catch-all") as info:
        pareto(counts, other="  ")
    assert info.value.field == "other"
    again = ParetoResult.from_dict(pareto(counts, other="Miscellaneous").to_dict())
    assert again.vital_few == ["A", "B"]


def test_raw_events_are_counted():
    df = pd.DataFrame({"reason": ["Fall", "Error", "Fall", "Fall", "Delay"]})
    r = pareto(df, category="reason")
    assert r.table.set_index("category")["count"].to_dict() == {"Fall": 3, "Error": 1, "Delay": 1}
    assert r.category_label == "reason"
    assert pareto(category=["x", "y", "x"]).table["count"].tolist() == [2, 1]


def test_dataframe_with_count_column_adds_duplicates_and_says_so():
    df = pd.DataFrame({"cause": ["A", "B", "A"], "n": [2, 5, 4]})
    r = pareto(df, category="cause", count="n")
    assert r.table["count"].tolist() == [6, 5]
    assert "added together" in r.explain()
    assert r.count_label == "n"


@pytest.mark.parametrize("kwargs, words, row, column", [
    (dict(category=["A", "B"], count=[3, -1]), "Row 2 .*negative", 2, "count"),
    (dict(category=["A", "B"], count=[3, "lots"]), "Row 2 .*'lots' is not a number", 2, "count"),
    (dict(category=["A", "B"], count=[None, 2]), "Row 1 .*missing", 1, "count"),
    (dict(category=["A", None], count=[1, 2]), "Row 2: the 'category' value is blank", 2,
     "category"),
    (dict(category=["A"], count=[float("inf")]), "not a finite", 1, "count"),
    (dict(category=["A", "B"], count=[0, 0]), "zero", None, "count"),
    (dict(category=[], count=[]), "no rows", None, None),
])
def test_bad_input_names_row_and_column(kwargs, words, row, column):
    with pytest.raises(QIDataError, match=words) as info:
        pareto(**kwargs)
    assert info.value.row == row
    assert info.value.column == column


def test_bad_dataframe_names_column_and_row():
    df = pd.DataFrame({"cause": ["A", "B", "C"], "n": [1, 2, "x"]})
    with pytest.raises(QIDataError, match="Row 3 .*'x'") as info:
        pareto(df, category="cause", count="n")
    assert info.value.column == "n"
    with pytest.raises(QIDataError, match="Column 'nope' is not in the data"):
        pareto(df, category="nope")
    with pytest.raises(QIDataError, match="Column 'm'"):
        pareto(df, category="cause", count="m")


def test_other_bad_calls():
    with pytest.raises(QIDataError, match="one count for each category"):
        pareto(category=["A", "B"], count=[1])
    with pytest.raises(QIDataError, match="Give the data"):
        pareto()
    with pytest.raises(QIDataError, match="DataFrame"):
        pareto(42)
    with pytest.raises(QIDataError, match="not a number"):
        pareto(category=["A"], count=[True])


def test_numeric_text_counts_are_read():
    assert pareto(category=["A", "B"], count=["1,200", " 3 "]).table["count"].tolist() == [1200, 3]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=25)
       .filter(lambda xs: sum(xs) > 0))
def test_vital_few_rule_holds_for_any_counts(counts):
    r = pareto(category=[f"c{i}" for i in range(len(counts))], count=counts)
    t = r.table
    k = len(r.vital_few)
    assert t["vital_few"].tolist() == [True] * k + [False] * (len(t) - k)
    assert t["cumulative_percent"].iloc[k - 1] >= 80 - 1e-9
    if k > 1:
        assert t["cumulative_percent"].iloc[k - 2] < 80 - 1e-9
    assert np.all(np.diff(t["count"]) <= 0)


def test_words():
    r = pareto(ERRORS, title="Medication errors by cause", category_label="Cause",
               count_label="Errors")
    text = r.explain()
    assert "102 errors in all" in text and "vital few are the top 4" in text
    alt = r.alt_text()
    assert "Wrong patient 3 (97% cumulative)" in alt and "vital few" in alt
    flat = pareto(category=list("ABCD"), count=[1, 1, 1, 1]).explain()
    assert "No small group stands out" in flat


def test_round_trip():
    r = pareto(ERRORS, cut=70)
    again = ParetoResult.from_dict(r.to_dict())
    pd.testing.assert_frame_equal(again.table, r.table)
    assert again.cut == 70


def test_plot_bars_line_hatching_and_no_overlaps():
    r = pareto(ERRORS, title="Medication errors by cause")
    ax = r.plot()
    bars = ax.patches
    assert len(bars) == 8
    assert [b.get_hatch() for b in bars] == ["///"] * 4 + [None] * 4
    twin = [a for a in ax.figure.axes if a is not ax][0]
    line = twin.get_lines()[0]
    assert np.allclose(line.get_ydata(), r.table["cumulative_percent"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("Vital few" in t for t in legend)
    assert text_overlaps(ax) == []
    assert ax.figure.get_size_inches()[0] <= 12


def test_plot_into_given_axes_and_export(tmp_path):
    fig, ax = plt.subplots()
    r = pareto(ERRORS)
    assert r.plot(ax=ax) is ax
    assert "<svg" in r.save_svg(tmp_path / "p.svg").read_text(encoding="utf-8")
    assert r.save_png(tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
