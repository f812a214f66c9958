"""Module M6 (statistical process control): every page runs cleanly, and every number, signal
and rule the text states is what qilab gives on the page's own data.

The code under test is the pages' own code: the code cells of a page are run in order, in the
page's folder, with warnings as errors, and the values they leave behind are checked against
what the text says. If a page, qilab or the data change so that a written answer is no longer
true, this fails.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from ._pages import M6, M6_PAGES, ROOT, prose, read, run_page

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def positions(mask) -> list[int]:
    """1-based positions (weeks, months, ulcers) where ``mask`` is true."""
    return [int(i) + 1 for i in np.flatnonzero(np.asarray(mask, bool))]


def text(name: str) -> str:
    return prose(read(M6 / name))


def test_pages_found_and_the_chart_chooser_links_to_a_real_page():
    from qilab.tools.chart_chooser import BOOK_PAGE

    assert len(M6_PAGES) == 10
    assert (ROOT / f"{BOOK_PAGE}.md").is_file()


# ---- limits: standard deviation against moving ranges ----------------------------------------

@pytest.fixture(scope="module")
def limits() -> dict:
    return run_page(M6, "limits.md")


def test_sd_limits_hide_the_change_that_moving_range_limits_show(limits):
    sd, mr = limits["sd_chart"], limits["mr_chart"]
    assert round(sd.details["parts"][0]["sd"], 1) == 12.1
    assert (round(sd.points["lcl"].iloc[0]), round(sd.points["ucl"].iloc[0])) == (31, 104)
    assert positions(sd.points["sigma_signal"]) == [9]
    assert round(mr.details["parts"][0]["mr_bar"], 2) == 5.61
    assert (round(mr.points["lcl"].iloc[0]), round(mr.points["ucl"].iloc[0])) == (53, 83)
    assert positions(mr.points["sigma_signal"]) == [9, 23, 24, 25, 28]
    below = mr.points["y"] < mr.points["lcl"]
    assert positions(below) == [23, 24, 25, 28]
    # both find the long run: the run rules do not use the limits
    assert bool(sd.parts["runs_signal"].iloc[0]) and bool(mr.parts["runs_signal"].iloc[0])
    assert "3 standard deviations" in text("limits.md")


def test_the_story_behind_the_sepsis_data(limits):
    sepsis, y = limits["sepsis"], limits["y"]
    assert len(sepsis) == 36
    assert sepsis["note"].fillna("").tolist().index("Record system down for a day") == 8
    assert sepsis["note"].fillna("").tolist().index("Sepsis trolley") == 20
    assert round(sepsis[y].iloc[:20].mean()) == 75 and round(sepsis[y].iloc[20:].mean()) == 58
    ranges = np.abs(np.diff(sepsis[y].to_numpy()))
    mr_bar = limits["mr_chart"].details["parts"][0]["mr_bar"]
    assert ranges[19] > mr_bar                       # week 20 to 21: one larger moving range
    assert sorted(np.argsort(ranges)[-2:]) == [7, 8]  # the two largest: into and out of week 9


def test_screening_leaves_out_the_two_moving_ranges_around_week_9(limits):
    screened, unscreened = limits["mr_chart"], limits["unscreened"]
    assert screened.details["parts"][0]["mr_screened_out"] == 2
    assert round(unscreened.details["parts"][0]["mr_bar"], 2) == 7.83
    assert (round(unscreened.points["lcl"].iloc[0]),
            round(unscreened.points["ucl"].iloc[0])) == (47, 88)
    assert positions(unscreened.points["sigma_signal"]) == [9, 23]
    assert screened.points["cl"].iloc[0] == unscreened.points["cl"].iloc[0]


# ---- choosing a chart ----------------------------------------------------------------------

def test_chart_chooser_examples():
    ns = run_page(M6, "choosing-a-chart.md")
    import qilab

    assert qilab.choose_chart("measurement", subgroup_size=1, n_points=36).chart == "i"
    assert qilab.choose_chart("count", rare_events=True, n_points=24).chart == "t"
    assert ns["four_hour"].chart == "p"
    assert ns["chooser"].value["book_page"] == "modules/m6-spc/choosing-a-chart"


# ---- P, U and Laney P' --------------------------------------------------------------------

@pytest.fixture(scope="module")
def attribute() -> dict:
    return run_page(M6, "attribute-charts.md")


def test_ward7_p_chart_signals_after_the_changes(attribute):
    chart, ward7 = attribute["assessed"], attribute["ward7"]
    assert ward7["change_tested"].fillna("").tolist().index("PDSA 1: admission checklist") == 12
    assert round(chart.points["cl"].iloc[0], 1) == 54.4
    assert positions(chart.points["sigma_signal"]) == [19, 22, 23, 24, 26]
    assert (chart.points["y"] > chart.points["ucl"]).sum() == 5
    assert int(chart.parts["longest_run"].iloc[0]) == 11
    assert positions(chart.points["y"] > chart.points["cl"])[-11:] == list(range(16, 27))
    pts = chart.points
    assert pts["n"].idxmax() == 25 and pts["n"].max() == 38
    assert pts["n"].idxmin() == 16 and pts["n"].min() == 15
    assert (round(pts["lcl"].iloc[25], 1), round(pts["ucl"].iloc[25], 1)) == (30.2, 78.7)
    assert (round(pts["lcl"].iloc[16], 1), round(pts["ucl"].iloc[16], 1)) == (15.8, 93.0)


def test_ward7_falls_u_chart_has_no_signal(attribute):
    falls = attribute["falls"]
    assert not falls.points["sigma_signal"].any()
    assert not bool(falls.parts["runs_signal"].iloc[0])


def test_laney_p_prime_absorbs_the_over_dispersion(attribute):
    p, pp = attribute["p_chart"], attribute["p_prime"]
    assert int(p.points["sigma_signal"].sum()) == 22 and len(p.points) == 36
    assert int(pp.points["sigma_signal"].sum()) == 0
    assert round(attribute["sigma_z"], 1) == 5.2
    assert round(p.points["cl"].iloc[0]) == 89
    assert 20_000 < attribute["region"]["attendances"].mean() < 22_000


# ---- rare events ---------------------------------------------------------------------------

def test_g_and_t_charts_find_the_longer_gaps():
    ns = run_page(M6, "rare-events.md")
    g, t = ns["g_chart"].points, ns["t_chart"].points
    assert round(g["cl"].iloc[0]) == 44 and round(g["ucl"].iloc[0]) == 176
    assert ns["above"] == [16, 18, 19, 20, 21, 23, 24]             # seven of the nine
    assert len(g) - 15 == 9
    assert positions(t["y"] > t["ucl"]) == ns["above"] and round(t["ucl"].iloc[0]) == 49
    assert (g["lcl"] == 0).all()


# ---- rule sets -----------------------------------------------------------------------------

def test_rule_sets_on_ward7_are_as_the_page_says():
    ns = run_page(M6, "rules.md")
    fired = ns["fired"]
    for rules in ("western_electric", "provost_murray", "nelson"):
        assert fired[rules]["outside_3sigma"] == "19, 22, 23, 24, 26"
    assert fired["mdc"]["outside_limits"] == "19, 22, 23, 24, 26"
    assert fired["mdc"]["two_in_three"] == "18, 20, 21"
    weeks_16_to_26 = ", ".join(str(w) for w in range(16, 27))
    assert fired["western_electric"]["eight_one_side"] == weeks_16_to_26
    assert fired["nelson"]["nine_one_side"] == weeks_16_to_26
    assert fired["mdc"]["shift"] == weeks_16_to_26
    assert fired["western_electric"]["two_of_three_beyond_2sigma"].startswith("18, 19")


def test_rules_and_thresholds_in_the_text_are_qilabs():
    """The thresholds the pages teach are the constants qilab uses."""
    from qilab.charts import mdc as mdc_chart
    from qilab.charts import mdc_rules
    from qilab.charts.constants import D2_MR, MR_SCREEN
    from qilab.charts.shewhart_rules import MIN_POINTS, NELSON, PROVOST_MURRAY, WESTERN_ELECTRIC

    rules, limits = text("rules.md"), text("limits.md")
    assert "divided by 1.128" in limits and D2_MR == 1.128
    assert "2.66 times the average moving range" in limits and mdc_chart.LIMIT == 2.66
    assert "at least 3.267 times the average" in limits and MR_SCREEN == 3.267
    assert mdc_chart.SCREEN == 3.267
    assert "two thirds of the way to a limit" in rules and mdc_rules.NEAR_FRACTION == 2 / 3
    assert "7 in a row on one side of the mean" in rules and mdc_rules.RUN_LENGTH == 7
    assert "7 in a row going up or going down" in rules
    assert "9 in a row on one side" in rules and MIN_POINTS["nine_one_side"] == 9
    assert "8 in a row on one side" in rules and MIN_POINTS["eight_one_side"] == 8
    assert "6 in a row going up or going down" in rules and MIN_POINTS["six_trend"] == 6
    assert "15 in a row within 1 sigma" in rules and MIN_POINTS["fifteen_within_1sigma"] == 15
    assert "eight rules" in rules and len(NELSON) == 8
    assert len(WESTERN_ELECTRIC) == 4 and len(PROVOST_MURRAY) == 5
    # the practice page's MDC quiz answer: 7 in a row below the mean is a signal
    import qilab

    below = qilab.spc(y=[9, 11, 8, 12, 9, 11, 10, 9, 8.5, 9, 8, 9, 8.5, 9], chart="i",
                      rules="mdc", freeze=7)
    assert below.points["shift"].tolist() == [False] * 7 + [True] * 7
    assert not below.points["sigma_signal"].any() and not below.points["two_in_three"].any()


# ---- baselines -----------------------------------------------------------------------------

def test_fixed_rebased_and_excluded_lines():
    ns = run_page(M6, "baselines.md")
    fp = ns["frozen"].points
    assert (round(fp["cl"].iloc[0], 1), round(fp["lcl"].iloc[0], 1),
            round(fp["ucl"].iloc[0], 1)) == (75.1, 61.9, 88.3)
    assert len(ns["below"]) == 10 and min(ns["below"]) >= 21
    assert (fp["y"].iloc[20:] < fp["cl"].iloc[20:]).all() and len(fp) - 20 == 16
    rebased = ns["rebased"]
    lines = rebased.points.groupby("part")[["cl", "lcl", "ucl"]].first().round(1)
    assert lines.loc[2].tolist() == [58.4, 42.1, 74.7]
    assert not rebased.parts["runs_signal"].any()
    assert positions(rebased.points["sigma_signal"]) == [9]
    lines = ns["without_week_9"].points.groupby("part")[["cl", "lcl", "ucl"]].first().round(1)
    assert lines.loc[1].tolist() == [72.9, 58.7, 87.1]
    assert bool(ns["without_week_9"].points["sigma_signal"].iloc[8])   # still tested


# ---- tampering -----------------------------------------------------------------------------

def test_funnel_distances_are_as_the_page_says():
    ns = run_page(M6, "tampering.md")
    spread = ns["spread"].set_index("rule")["mean_distance"].round(2)
    assert spread.to_dict() == {1: 1.32, 2: 2.00, 3: 7.18, 4: 3.11}
    from qilab.sims import funnel

    assert [funnel.theoretical_variance_ratio(r) for r in (1, 2)] == [1.0, 2.0]
    assert np.isinf(funnel.theoretical_variance_ratio(3))
    assert np.isinf(funnel.theoretical_variance_ratio(4))


# ---- Making Data Count ---------------------------------------------------------------------

def test_making_data_count_icons_are_as_the_page_says():
    ns = run_page(M6, "making-data-count.md")
    summary = ns["sepsis_mdc"].summary
    assert len(summary) == 2
    before, after = summary.iloc[0], summary.iloc[1]
    assert (round(before["mean"], 1), round(before["lpl"], 1)) == (75.1, 61.9)
    assert before["assurance"] == "consistent_fail"
    assert (round(after["mean"], 1), round(after["lpl"], 1), round(after["upl"], 1)) == (
        58.4, 42.1, 74.7)
    assert after["assurance"] == "inconsistent" and after["variation"] == "common_cause"
    assert str(ns["sepsis"]["week_start"].iloc[20].date()) == "2019-08-19"       # week 21
    board = ns["board"].summary.set_index("facet")
    assert board.loc["RQM", "variation"] == "common_cause"
    assert board.loc["RRK", "variation"] == "special_cause_concern"
    assert board.loc["RRK", "latest"] == 10670 and round(board.loc["RRK", "upl"]) == 4594
    assert board.loc["RRK", "latest"] > board.loc["RRK", "upl"]
    assert (board["n"] == 36).all()


# ---- practice ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def practice() -> dict:
    return run_page(M6, "practice.md")


def test_exercise_1_limits_by_hand(practice):
    days = practice["days"]
    assert sum(days) == 171 and round(np.mean(days), 2) == 10.69
    ranges = np.abs(np.diff(days))
    assert ranges.tolist() == [1, 2, 3, 2, 1, 2, 1, 6, 1, 1, 2, 1, 1, 1, 1] and ranges.sum() == 26
    assert round(np.std(days, ddof=1), 2) == 3.79
    hand, wrong = practice["by_hand"].points, practice["wrong_way"].points
    assert (round(hand["lcl"].iloc[0], 2), round(hand["ucl"].iloc[0], 2)) == (6.08, 15.30)
    assert positions(hand["sigma_signal"]) == [4, 12, 16]
    assert (round(wrong["lcl"].iloc[0], 2), round(wrong["ucl"].iloc[0], 2)) == (-0.68, 22.06)
    assert not wrong["sigma_signal"].any()
    import qilab

    default = qilab.spc(y=days, chart="i")
    assert default.details["parts"][0]["mr_screened_out"] == 1 and 6 >= 3.267 * 26 / 15
    assert default.points["ucl"].iloc[0] < hand["ucl"].iloc[0]        # a little narrower


def test_exercise_2_chart_choices(practice):
    assert practice["choices"] == ["i", "u", "g", "run"]


def test_exercise_3_false_alarms(practice):
    assert practice["false_alarms"] == {"anhoej": 27, "western_electric": 39,
                                        "provost_murray": 37, "nelson": 46, "mdc": 35}
    assert max(practice["false_alarms"], key=practice["false_alarms"].get) == "nelson"


def test_exercise_6_funnel_variance_ratio(practice):
    assert round(practice["variance_ratio"], 1) == 2.0


def test_quiz_questions_each_have_one_answer_in_the_choices():
    page = read(M6 / "practice.md")
    quiz = page.split("## Check your understanding", 1)[1].split("## Apply it", 1)[0]
    questions = re.findall(r"^\*\*\d+\. .*\*\*$\n\n(a\) .*)\n\n:::\{admonition\} Answer\n"
                           r":class: dropdown\n\*\*([a-c])\) ", quiz, re.M)
    assert len(questions) == 8
    for choices, right in questions:
        assert re.findall(r"\b([a-c])\) ", choices) == ["a", "b", "c"]
    # the right answers are not all the same letter
    assert len({right for _, right in questions}) == 3


def test_synthetic_m6_data_reproduce(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_synthetic",
                                                  ROOT / "data" / "make_synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("sepsis_antibiotics", "regional_four_hour", "pressure_ulcer_intervals"):
        getattr(module, name)().to_csv(tmp_path / f"{name}.csv", index=False)
        assert (tmp_path / f"{name}.csv").read_text() == (ROOT / "data" / f"{name}.csv").read_text()
        assert f"## {name}.csv (synthetic)" in read(ROOT / "data" / "README.md")
