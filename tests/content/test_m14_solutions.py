"""Module M14 (telling the story): every page runs cleanly, and every number the text states is
what qilab gives on the page's own data.

The code under test is the pages' own code: a page's code cells run in order, in its folder,
with warnings as errors, and the values they leave behind are checked against the text.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from ._pages import M14, M14_PAGES, ROOT, prose, read, run_page

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def text(name: str) -> str:
    return re.sub(r"\s+", " ", prose(read(M14 / name)))


def test_pages_found_and_module_time_adds_up():
    assert [p.name for p in M14_PAGES] == [
        "honest-charts.md", "knowledge-sharing-event.md", "overview.md", "practice.md",
        "sharing-failures.md", "storyboards-and-a3s.md"]
    assert "about 2 hours 40 minutes" in read(M14 / "overview.md")
    assert "all its pages (2 hours 40 minutes)" in read(ROOT / "book/pathways/practitioner.md")


@pytest.fixture(scope="module")
def honest() -> dict:
    return run_page(M14, "honest-charts.md")


def test_the_honest_chart_and_its_reading(honest):
    chart, page = honest["chart"], text("honest-charts.md")
    assert len(chart.points) == 26 and honest["changes"] == {
        13: "PDSA 1: admission checklist", 17: "PDSA 2: safety huddle",
        21: "PDSA 3: electronic prompt"}
    assert round(chart.parts["cl"].iloc[0], 1) == 51.9
    assert chart.parts["longest_run"].iloc[0] == 15 and bool(chart.parts["runs_signal"].iloc[0])
    y = chart.points["y"].to_numpy()
    assert (y[11:] > 51.9).all() and y[10] < 51.9  # the run is weeks 12 to 26
    assert y[11] - 51.9 < 2 < y[12] - 51.9            # week 12 only just above; week 13 well
    assert "The baseline median is 51.9%." in page
    assert "The last 15 weeks, from week 12 to week 26, are all above it." in page
    assert honest["check_presentation"](chart, honest["honest"]) == []
    assert honest["honest"].get_ylim()[0] == 0


def test_the_hurried_chart_misleads_by_the_stated_amounts(honest):
    chart, page = honest["chart"], text("honest-charts.md")
    problems = honest["check_presentation"](chart, honest["hurried"])
    assert problems[0].startswith("It shows 6 of the 26 points")
    assert "the change from 87 to 85.7 looks 15.9 times as big as it is" in problems[1]
    assert problems[2].startswith("It has no notes")
    y = chart.points["y"].to_numpy()
    assert (y[23], y[25]) == (100.0, 84.2)
    assert ("The fall from 100% in week 24 to 84.2% in week 26" in page
            and "from 87% to 85.7% look 15.9 times as big" in page)
    low, high = honest["hurried"].get_ylim()
    assert (round(low), round(high)) == (82, 101)  # the alt text's "about 82% to 101%"
    assert (y[20:] > 51.9).all()  # "still far above the old median"


def test_lie_factor_of_the_median_rise(honest):
    ward = honest["ward"]
    assert np.median(ward["pct_assessed"].iloc[20:]) == 86.35
    assert round(honest["lie_factor"](51.9, 86.35, axis_from=40), 1) == 4.4
    assert round((86.35 - 51.9) / 51.9, 2) == 0.66  # "up by two thirds"
    assert "from 51.9% to 86.35%, on an axis that starts at 40%" in text("honest-charts.md")
    assert "on an axis from 40% it looks 4.4 times as big as it is" in text("honest-charts.md")


def test_the_annotated_chart_exercise_starts_as_described(honest):
    builder = honest["builder"]
    value = builder.value
    assert value is not None and len(value["y"]) == 26
    assert builder.result.notes == honest["chart"].notes
    assert bool(builder.result.parts["runs_signal"].iloc[0])


def test_storyboard_numbers():
    ns = run_page(M14, "storyboards-and-a3s.md")
    page = text("storyboards-and-a3s.md")
    assert (round(ns["before"], 1), round(ns["after"], 2), ns["weeks"]) == (51.9, 86.35, 26)
    assert "the median rose from 51.9% in the 12 weeks before any change to 86.35% in the " \
        "last 6 weeks" in page
    assert ns["after"] < 90 and "did not reach its aim of 90%" in page
    assert "A run chart of the 26 weeks" in page
    assert "A3 (297 by 420 millimetres)" in page
    # "Falls did not yet show a signal"
    import qilab

    falls = qilab.spc(ns["ward"], y="falls_per_1000_obd", chart="run", freeze=12)
    assert not falls.parts["runs_signal"].any()


@pytest.fixture(scope="module")
def practice() -> dict:
    return run_page(M14, "practice.md")


def test_practice_1_lie_factor(practice):
    assert round(practice["lie_factor"](80, 84, axis_from=75), 1) == 16.0
    assert (4 / 80, 4 / 5) == (0.05, 0.8)
    assert "The lie factor is 80% ÷ 5% = 16" in text("practice.md")


def test_practice_2_waits_are_stable_and_the_board_chart_misleads(practice):
    chart, page = practice["waits_chart"], text("practice.md")
    assert len(chart.points) == 24 and not bool(chart.parts["runs_signal"].iloc[0])
    assert (chart.parts["longest_run"].iloc[0], chart.parts["n_crossings"].iloc[0]) == (3, 12)
    assert "the longest run is 3 points (the limit is 8) and the line crosses the median 12 " \
        "times" in page
    low, high = practice["board"].get_ylim()
    assert (round(low), round(high)) == (7, 11)  # the alt text's "from about 7 to 11 days"
    problems = practice["check_presentation"](chart, practice["board"])
    assert problems[0].startswith("It shows 8 of the 24 points")
    assert "starts at 7.25, not 0: the change from 8.5 to 9.3 looks 6.8 times" in problems[1]
    assert "Its y axis starts at 7.25 days, not 0, so the change from 8.5 to 9.3 days" in page
    assert "looks 6.8 times as big as it is" in page


def test_quiz_2_lie_factor():
    from qilab.charts.presentation import lie_factor

    assert round(lie_factor(60, 66, axis_from=55), 6) == 12
    assert "**c) 12**" in read(M14 / "practice.md")


def test_practice_5_plan_agrees_with_the_worked_example(honest):
    page = text("practice.md")
    assert "the median rose from 51.9% in the baseline to 86.35% in the last 6 weeks, with 15 " \
        "weeks in a row above the old median" in page
