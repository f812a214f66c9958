"""Modules M0, M2 and M4: every page runs cleanly, and every practice solution (and every
number the teaching text states) is what the code on the page gives.

The code under test is the pages' own code: the code cells of a page are run in order, in the
page's folder, and the values they leave behind are checked against what the text says. If the
page, qilab or the data change so that a written answer is no longer true, this fails.
"""
from __future__ import annotations

import pytest

from ._pages import (
    M0,
    M0_PAGES,
    M2,
    M2_PAGES,
    M4,
    M4_PAGES,
    run_page,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

PAGES = M0_PAGES + M2_PAGES + M4_PAGES




# ---- every page -------------------------------------------------------------------------------

def test_pages_found():
    assert len(M0_PAGES) >= 5
    assert len(M2_PAGES) >= 7
    assert len(M4_PAGES) >= 7


# ---- M0: why improve? ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def m0_red_beads() -> dict:
    pytest.importorskip("qilab.sims.red_beads")
    return run_page(M0, "red-beads.md")


@pytest.fixture(scope="module")
def m0_practice() -> dict:
    pytest.importorskip("qilab.sims.red_beads")
    return run_page(M0, "practice.md")


def test_m0_red_beads_leaderboard_is_as_the_page_says(m0_red_beads):
    table = m0_red_beads["board"].table
    assert len(m0_red_beads["draws"]) == 24
    # "It looks as if Ellie is a star and Femi is a poor worker."
    assert table.iloc[0]["worker"] == "Ellie" and table.iloc[0]["management_says"].startswith("Best")
    assert table.iloc[-1]["worker"] == "Femi" and table.iloc[-1]["management_says"].startswith("Worst")
    # "Every worker is inside it."
    assert table["within_system"].all()


def test_m0_red_beads_p_chart_shows_one_system(m0_red_beads):
    chart = m0_red_beads["chart"]
    assert chart.chart == "p" and len(chart.points) == 24
    # "All 24 points sit inside the limits. There are no long runs ..."
    assert not chart.points["sigma_signal"].any()
    assert not chart.parts["runs_signal"].any()
    # "each paddle gets about 10 red beads": 20% of 50, the centre line near 20%
    assert abs(chart.points["cl"].iloc[0] - 20) < 2


def test_m0_exercise_2_seed_7(m0_practice):
    table = m0_practice["board_7"].table
    assert (table.iloc[0]["worker"], int(table.iloc[0]["total_red"])) == ("Ellie", 34)
    assert (table.iloc[-1]["worker"], int(table.iloc[-1]["total_red"])) == ("Ben", 40)
    assert table["within_system"].all()
    # "this time Femi is in the middle"
    assert table.loc[table["worker"] == "Femi", "rank"].item() not in (1, 6)


def test_m0_exercise_3_changing_the_system_gives_a_signal(m0_practice):
    chart = m0_practice["changed_chart"]
    points, part = chart.points, chart.parts.iloc[0]
    assert len(points) == 48
    assert bool(part["runs_signal"])
    assert int(part["longest_run"]) == 15 and int(part["longest_run_max"]) == 9
    assert int(part["n_crossings"]) < int(part["n_crossings_min"])
    after = points.iloc[24:]
    assert int((after["y"] < after["cl"]).sum()) == 20
    # "One point in the first four days is above the upper limit."
    outside = points.index[points["sigma_signal"]].tolist()
    assert len(outside) == 1 and outside[0] < 24
    assert points.loc[outside[0], "y"] > points.loc[outside[0], "ucl"]


# ---- M2: understanding the system ---------------------------------------------------------------

@pytest.fixture(scope="module")
def m2_practice() -> dict:
    pytest.importorskip("qilab.tools.process_map")
    return run_page(M2, "practice.md")


def _longest_lane_changes(pm) -> int:
    """Most hand-overs (moves between lanes) on any path from a start to an end, no loops."""
    steps = {s.name: s for s in pm.steps}
    best = 0

    def walk(name, seen, changes):
        nonlocal best
        step = steps[name]
        if step.kind == "end":
            best = max(best, changes)
        for _label, target in step.targets():
            if target not in seen:
                walk(target, seen | {target}, changes + (steps[target].lane != step.lane))

    for s in pm.steps:
        if s.kind == "start":
            walk(s.name, {s.name}, 0)
    return best


def test_m2_process_map_worked_example():
    ns = run_page(M2, "process-maps.md")
    pm = ns["repeat_rx"]
    assert pm.lanes == ("Patient", "Reception", "GP", "Pharmacist")
    assert sum(s.kind == "decision" for s in pm.steps) == 2
    # "On its longest path, a request moves between lanes six times."
    assert _longest_lane_changes(pm) == 6


def test_m2_fishbone_and_five_whys_worked_examples():
    fish = run_page(M2, "fishbone.md")["late_rx"]
    assert fish.category_names() == ["People", "Methods and processes", "Equipment",
                                     "Environment", "Materials and supplies",
                                     "Measurement and policies"]
    whys = run_page(M2, "five-whys.md")["missed_dose"]
    assert whys.depth == 5 and whys.is_complete()


def test_m2_pareto_worked_example_numbers():
    chart = run_page(M2, "pareto.md")["all_homes"]
    t = chart.table
    # "Four kinds of incident out of eight make up 81% of the total. The biggest ... is 39%"
    assert len(t) == 8 and len(chart.vital_few) == 4
    assert round(float(t.loc[t["vital_few"], "count"].sum()) / chart.total * 100) == 81
    assert t.iloc[0]["category"] == "Dose missed or not signed for"
    assert round(float(t.iloc[0]["percent"])) == 39
    assert t.iloc[1]["category"] == "Given at the wrong time"
    # '"Other" (19 incidents) sits last'
    assert t.iloc[-1]["category"] == "Other" and t.iloc[-1]["count"] == 19
    # "'Medicine out of stock' is third"
    assert t.iloc[2]["category"] == "Medicine out of stock"


def test_m2_stakeholder_worked_example_quadrants():
    grid = run_page(M2, "stakeholders.md")["round_project"]
    assert grid.quadrant("Residents and families") == "keep informed"
    assert grid.quadrant("GP practice") == "keep satisfied"
    assert grid.quadrant("Senior carers who give medicines") == "manage closely"


def test_m2_exercise_1_broken_map_is_refused_and_the_fix_draws(m2_practice):
    import qilab
    from qilab.tools.process_map import Step

    with pytest.raises(qilab.QIDataError, match="Referral complete.*no 'no' branch"):
        qilab.ProcessMap("x", [Step("Referral received", "start", "Admin",
                                    next="Referral complete?"),
                               Step("Referral complete?", "decision", "Admin",
                                    yes="Triaged by nurse"),
                               Step("Triaged by nurse", "end", "Nurse")])
    fixed = m2_practice["referral"]
    decision = fixed.step("Referral complete?")
    assert decision.no == "Referrer asked for details"
    assert fixed.step("Referrer asked for details").next == "Referral complete?"  # the loop


def test_m2_exercise_2_cedar_court_vital_few_leave_other_out(m2_practice):
    chart = m2_practice["cedar_chart"]
    # "Other" is last whatever its size and never one of the vital few
    assert chart.vital_few == ["Dose missed or not signed for", "Medicine out of stock",
                               "Given at the wrong time", "Wrong dose given"]
    assert chart.table["category"].iloc[-1] == "Other"
    t = chart.table.set_index("category")["count"]
    assert chart.total == 99
    assert round(float(t[chart.vital_few].sum()) / chart.total * 100) == 81
    # "With 8 incidents it is bigger than every named category outside the vital few"
    assert t["Other"] == 8
    assert t["Other"] > t.drop(chart.vital_few + ["Other"]).max()
    assert t["Medicine out of stock"] == t["Given at the wrong time"] == 17


def test_m2_exercise_4_quadrants(m2_practice):
    quadrants = dict(m2_practice["cmht"].table()[["name", "quadrant"]].values)
    assert quadrants == {
        "Team manager": "manage closely",
        "People waiting for an appointment": "keep informed",
        "GPs who refer": "manage closely",
        "Commissioner": "keep satisfied",
        "Estates team": "monitor",
    }


# ---- M4: measurement for improvement ------------------------------------------------------------

@pytest.fixture(scope="module")
def m4_practice() -> dict:
    pytest.importorskip("qilab.tools.measures")
    return run_page(M4, "practice.md")


def test_m4_operational_definition_examples():
    ns = run_page(M4, "operational-definitions.md")
    assert ns["assessed"].validate() == []
    problems = ns["draft"].problem_fields()
    # "qilab finds two gaps: nobody has said who is included, and ... a denominator"
    assert sorted(field for field, _ in problems) == ["denominator", "inclusions"]


def test_m4_data_plan_example():
    ns = run_page(M4, "data-plans.md")
    plan = ns["plan"]
    assert plan.complete
    assert [m.kind for m in plan.measures] == ["outcome", "process", "balancing"]


def test_m4_chart_choices_on_the_chart_page():
    ns = run_page(M4, "choosing-a-chart.md")
    assert ns["process_choice"].chart == "p"
    assert ns["outcome_choice"].chart == "u"
    assert (ns["early_choice"].chart, ns["early_choice"].then) == ("run", "i")


def test_m4_exercise_2_definition_is_complete(m4_practice):
    assert m4_practice["draft"].validate()  # the draft has problems ...
    assert m4_practice["seen_in_5_days"].validate() == []  # ... the answer has none


def test_m4_exercise_3_plan_lacks_a_balancing_measure(m4_practice):
    assert m4_practice["missing"] == ["balancing"]
    assert all(m.validate() == [] for m in m4_practice["care_home_plan"].measures)


def test_m4_exercise_4_chart_choices(m4_practice):
    charts = {k: c.chart for k, c in m4_practice["choices"].items()}
    assert charts == {"triaged same day": "p", "complaints": "c", "days to first visit": "i",
                      "6 weeks of data": "run"}
