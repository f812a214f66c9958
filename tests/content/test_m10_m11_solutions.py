"""Modules M10 (sustain and spread) and M11 (data for improvement at system level): every page
runs cleanly, and every number, signal and ranking the text states is what qilab gives on the
page's own data.

The pages' own code cells are run in order, in the page's folder, with warnings as errors; the
values they leave behind are checked, and so is the text that states them. If a page, qilab or
the data change so that a written answer is no longer true, this fails.
"""
from __future__ import annotations

import pytest

from ._pages import M10, M10_PAGES, M11, M11_PAGES, ROOT, prose, read, run_page

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def says(folder, name: str, *phrases: str) -> None:
    """The page's prose states each phrase."""
    text = " ".join(prose(read(folder / name)).split())
    for phrase in phrases:
        assert phrase in text, f"{name} no longer says {phrase!r}"


def test_pages_found_and_linked_from_the_pathway():
    assert len(M10_PAGES) == 6 and len(M11_PAGES) == 6
    pathway = read(ROOT / "book" / "pathways" / "practitioner.md")
    assert "](../../modules/m10-sustain-and-spread/overview.md)" in pathway
    assert "](../../modules/m11-system-level-data/overview.md)" in pathway


# ---- M10: will it last? --------------------------------------------------------------------

def test_ward7_self_assessment_points_to_three_factors():
    ns = run_page(M10, "will-it-last.md")
    ward7 = ns["ward7"]
    assert len(ward7.ratings) == 4
    s = ward7.summary().set_index("factor")
    assert ward7.discuss_first() == ["Training and involvement", "Infrastructure",
                                     "Senior leaders"]
    assert s.loc["Infrastructure", "median"] == 2.5
    assert s.loc["Training and involvement", "median"] == 2.5
    assert (s.loc["Training and involvement", "lowest"],
            s.loc["Training and involvement", "highest"]) == (1, 3)
    assert (s.loc["Senior leaders", "lowest"], s.loc["Senior leaders", "highest"],
            s.loc["Senior leaders", "not_sure"]) == (2, 4, 2)
    assert ns["form"].assessment is ward7
    says(M10, "will-it-last.md", "Infrastructure (median 2.5)",
         "Training and involvement (median 2.5, ratings from 1 to 3)",
         "Senior leaders (ratings from 2 to 4, and two people not sure)",
         "The model has ten factors in three groups", "19 project teams", "Only 6 teams")


# ---- M10: watching after the project -------------------------------------------------------

def test_the_handed_over_chart_signals_a_shift_before_any_point_crosses_a_limit():
    ns = run_page(M10, "after-the-project.md")
    watched, handed_over = ns["watched"], ns["handed_over"]
    assert len(handed_over) == 16
    row = watched.summary.iloc[0]
    assert round(row["mean"], 1) == 58.4 and round(row["upl"], 1) == 74.7
    assert str(row["variation"]) == "special_cause_concern"
    pts = watched.points
    signals = pts[pts["point_type"] != "common_cause"]
    assert signals["shift"].all() and not signals["outside_limits"].any()
    assert f"{ns['first_signal']:%d %B %Y}" == "16 December 2019"
    assert len(signals) == 7 and f"{signals['date'].iloc[-1]:%d %B %Y}" == "27 January 2020"
    assert ns["highest_new"] == 66
    says(M10, "after-the-project.md", "upper process limit of 74.7 minutes",
         "from 16 December the weeks were all above the mean of 58.4",
         "On 27 January 2020 there were 7 in a row", "from 75.1 to 58.4 minutes",
         "16 weeks")


# ---- M10: practice -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def m10_practice() -> dict:
    return run_page(M10, "practice.md")


def test_home_care_team_talks_about_clinical_leaders_then_adaptability(m10_practice):
    team = m10_practice["home_care"]
    assert team.discuss_first() == ["Clinical leaders", "Adaptability"]
    s = team.summary().set_index("factor")
    assert s.loc["Clinical leaders", "median"] == 2.0
    assert (s.loc["Adaptability", "lowest"], s.loc["Adaptability", "highest"]) == (2, 4)
    assert s.loc["Benefits beyond helping patients", "discuss"] == ""
    says(M10, "practice.md", "the median is 2, the lowest of the ten", "from 2 to 4")


def test_the_other_eight_weeks_give_one_point_above_the_limit(m10_practice):
    signals, other = m10_practice["signals"], m10_practice["other"]
    assert len(signals) == 1
    assert f"{signals['date'].iloc[0]:%d %B %Y}" == "30 December 2019"
    assert signals["y"].iloc[0] == 77 and bool(signals["outside_limits"].iloc[0])
    assert str(other.summary["variation"].iloc[0]) == "common_cause"
    says(M10, "practice.md", "30 December 2019, at 77 minutes",
         "above the upper process limit of 74.7")


# ---- M11: from a BI extract to one summary --------------------------------------------------

def test_the_extracts_and_the_one_summary():
    ns = run_page(M11, "bi-extract-to-summary.md")
    falls, ae = ns["falls"], ns["ae"]
    assert len(falls) == 480 and falls["organisation"].nunique() == 20
    assert falls["period"].nunique() == 24
    assert ae.groupby(["indicator", "organisation"]).size().tolist() == [36, 36, 36]
    area = ns["area_chart"].summary.iloc[0]
    assert (round(area["mean"], 2), round(area["lpl"], 2), round(area["upl"], 2)) == \
        (6.25, 4.70, 7.80)
    assert str(area["variation"]) == "common_cause"
    summary = ns["summary"]
    assert len(summary) == 4
    concern = summary[summary["variation"] != "common_cause"]
    assert concern["facet"].tolist() == ["RRK"]
    assert str(concern["variation"].iloc[0]) == "special_cause_concern"
    assert concern["latest"].iloc[0] == 10670 and round(concern["upl"].iloc[0]) == 4594
    says(M11, "bi-extract-to-summary.md", "That is 480 rows: 20 care homes for 24 months",
         "Its mean is 6.25 falls per 1,000 occupied bed days",
         "from 4.70 to 7.80", "(10,670)", "(4,594)", "three series, each for 36 months")


# ---- M11: small numbers --------------------------------------------------------------------

def test_small_home_rates_and_league_tables_jump_about():
    ns = run_page(M11, "small-numbers.md")
    first_year = ns["ch04"].head(12)
    assert (first_year["numerator"].min(), first_year["numerator"].max()) == (0, 3)
    assert (first_year["rate"].min(), first_year["rate"].max()) == (0.0, 9.8)
    assert 280 <= ns["ch04"]["denominator"].mean() <= 320           # "about 300" a month
    assert round(1000 / ns["ch04"]["denominator"].mean(), 1) == 3.3
    chart = ns["ch04_chart"]
    assert not chart.points["sigma_signal"].any() and not chart.parts["runs_signal"].iloc[0]
    assert (chart.points["lcl"] == 0).all()
    ranked = ns["ranked"]
    bottom = ranked.iloc[-1]
    assert (bottom["rank"], bottom["unit"], bottom["numerator"], bottom["denominator"]) == \
        (20, "CH04", 10, 3595)
    assert round(bottom["value"], 2) == 2.78
    small = ns["falls"].groupby("organisation")["denominator"].sum().idxmin()
    assert small == "CH04"
    ranks = ns["ranks"]
    assert ranks.loc["CH12"].tolist() == [2, 14]
    assert ranks.loc["CH07"].tolist() == [1, 1]
    says(M11, "small-numbers.md", "between 0 and 3 falls a month", "from 0 to 9.8",
         "about 3.3", "average of 6.25", "only 10 falls in 3,595 bed days, a rate of 2.78",
         "CH12 was 2nd in the first year and 14th in the second", "CH07 was 1st both times")


# ---- M11: funnel plots ---------------------------------------------------------------------

def test_the_funnel_finds_ch07_and_with_two_years_ch16():
    ns = run_page(M11, "funnel-plots.md")
    homes = ns["homes"]
    assert round(homes.centre, 2) == 6.25
    assert homes.above() == ["CH07"] and homes.below() == []
    units = homes.units.set_index("unit")
    assert units.loc["CH07", ["numerator", "denominator"]].tolist() == [264, 27006]
    assert (round(units.loc["CH07", "value"], 2), round(units.loc["CH07", "ucl"], 2)) == \
        (9.78, 7.69)
    assert round(units.loc["CH04", "lcl"], 2) == 2.29
    assert units.loc["CH16", ["numerator", "denominator"]].tolist() == [15, 4265]
    assert round(units.loc["CH16", "value"], 2) == 3.52 and units.loc["CH16", "signal"] == ""
    two = ns["two_years"]
    assert two.above() == ["CH07"] and two.below() == ["CH16"]
    assert len(homes.units) - 2 == 18
    says(M11, "funnel-plots.md", "The centre line is 6.25", "264 falls in 27,006 bed days, 9.78",
         "Its upper limit is 7.69", "with 2.78, is inside its limits",
         "Its lower limit is 2.29", "The other 18 are inside",
         "15 falls in 4,265 bed days, 3.52 per 1,000",
         "Over two years, CH16 is below its lower limit, and CH07 is still above")


# ---- M11: the dashboard ----------------------------------------------------------------------

def test_the_dashboard_reads_as_the_page_says():
    ns = run_page(M11, "indicator-dashboard.md")
    d = ns["dashboard"].set_index("indicator")
    assert d.loc["4-hour breaches, RQM", ["variation", "assurance"]].tolist() == \
        ["common_cause", "inconsistent"]
    assert d.loc["4-hour breaches, RRK", "variation"] == "special_cause_concern"
    assert d.loc["A&E attendances, England", "variation"] == "common_cause"
    falls = d.loc["Care home falls per 1,000 bed days"]
    assert (round(falls["mean"], 2), round(falls["lower limit"], 2),
            round(falls["upper limit"], 2)) == (6.25, 4.70, 7.80)
    assert falls["assurance"] == "inconsistent" and falls["lower limit"] < 6 < falls["upper limit"]
    says(M11, "indicator-dashboard.md", "a mean of 6.25 and limits from 4.70 to 7.80",
         "The made-up target of 6 lies between them")


# ---- M11: practice -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def m11_practice() -> dict:
    return run_page(M11, "practice.md")


def test_rate_of_totals_against_mean_of_rates(m11_practice):
    assert round(m11_practice["rate_of_totals"], 2) == 6.52
    assert round(m11_practice["mean_of_rates"], 2) == 6.23
    assert len(m11_practice["march"]) == 20
    says(M11, "practice.md", "gives 6.52 falls per 1,000 bed days",
         "The average of the 20 rates gives 6.23")


def test_one_fall_in_a_small_home():
    assert round(1000 / 300, 1) == 3.3 and 1000 / 0.5 == 2000 and 2000 / 300 > 6
    says(M11, "practice.md", "about 3.3 falls per 1,000 bed days", "= 2,000 bed days",
         "more than 6 months")


def test_review_funnel_flags_larch_not_damson(m11_practice):
    f = m11_practice["review_funnel"]
    units = f.units.set_index("unit")
    assert round(f.centre, 1) == 78.4
    assert f.below() == ["Larch"] and f.above() == []
    assert (round(units.loc["Larch", "value"], 1), round(units.loc["Larch", "lcl"], 1)) == \
        (55.0, 58.8)
    assert (round(units.loc["Damson", "value"], 1), round(units.loc["Damson", "lcl"], 1)) == \
        (60.0, 55.8)
    second_lowest = units["value"].sort_values().index[1]
    assert second_lowest == "Damson" and units.loc["Damson", "denominator"] == 30
    says(M11, "practice.md", "78.4% of new residents", "Larch (55.0%) is below its lower limit "
         "of 58.8%", "Damson (60.0%) is inside its limits (lower limit 55.8%)",
         "only 30 residents")


def test_first_year_funnel_flags_only_ch07(m11_practice):
    f = m11_practice["year1_funnel"]
    assert round(f.centre, 2) == 6.25
    assert f.above() == ["CH07"] and f.below() == []
    says(M11, "practice.md", "The overall rate is 6.25", "Only CH07 is outside")
