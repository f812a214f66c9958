"""Modules M5, M7 and M9, the run chart cheat sheet and the community pages: every page runs
cleanly, and every practice solution (and every number the teaching text states) is what the
code on the page gives.

The code under test is the pages' own code: the code cells of a page are run in order, in the
page's folder, and the values they leave behind are checked against what the text says. If the
page, qilab or the data change so that a written answer is no longer true, this fails.
"""
from __future__ import annotations

import re

import pytest

from ._pages import (
    M5,
    M5_PAGES,
    M7,
    M7_PAGES,
    M9,
    M9_PAGES,
    ROOT,
    code_cells,
    read,
    run_page,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

PAGES = M5_PAGES + M7_PAGES + M9_PAGES




# ---- every page -------------------------------------------------------------------------------

def test_pages_found():
    assert len(M5_PAGES) >= 8


# ---- M5: variation and run charts -------------------------------------------------------------

@pytest.fixture(scope="module")
def m5_practice() -> dict:
    pytest.importorskip("qilab.sims.dice")
    return run_page(M5, "practice.md")


def test_m5_exercise_2_median_and_useful_observations(m5_practice):
    row = m5_practice["falls_chart"].parts.iloc[0]
    assert row["cl"] == 4 and int(row["n_obs"]) == 12 and int(row["n_useful"]) == 8
    assert int(row["longest_run_max"]) == 6 and int(row["n_crossings_min"]) == 1


def test_m5_exercise_3_ihi_shift_but_no_anhoej_signal(m5_practice):
    anhoej, ihi = m5_practice["lounge_anhoej"], m5_practice["lounge_ihi"]
    row = anhoej.parts.iloc[0]
    assert not bool(row["runs_signal"])
    assert row["cl"] == 29.5 and int(row["longest_run_max"]) == 8
    assert int(row["n_crossings"]) == 13 and int(row["n_crossings_min"]) == 8
    shift = ihi.points["shift"]
    assert shift.tolist() == [8 <= i <= 13 for i in range(24)]   # weeks 9 to 14
    assert not ihi.points["trend"].any()


def test_m5_exercise_4_dice_detection_counts(m5_practice):
    # both false-signal rates are reported: a frozen baseline finds more, and cries wolf more
    assert m5_practice["found"] == {"median from all days": 13,
                                    "median fixed at days 1 to 20": 36,
                                    "fair dice, median from all days": 2,
                                    "fair dice, median fixed at days 1 to 20": 9}


def test_m5_exercise_5_new_baseline_has_no_signal():
    import pandas as pd

    import qilab

    gp = pd.read_csv(ROOT / "data" / "gp_routine_access.csv")
    chart = qilab.spc(gp, y="pct_seen_within_14_days", part=16)
    assert not chart.parts["runs_signal"].any()
    assert int(chart.parts["n_obs"].iloc[1]) == 14


def test_m5_baseline_and_worked_example_numbers():
    import pandas as pd

    import qilab

    gp = pd.read_csv(ROOT / "data" / "gp_routine_access.csv")
    y = "pct_seen_within_14_days"
    base = qilab.spc(gp.iloc[:16], y=y)
    assert base.parts["cl"].iloc[0] == 63.6 and int(base.parts["n_useful"].iloc[0]) == 14
    assert not base.parts["runs_signal"].iloc[0]
    assert not qilab.spc(gp.iloc[:16], y=y, rules="ihi").parts["runs_signal"].iloc[0]
    assert 52 < gp[y].iloc[:16].min() < 54 and 70 < gp[y].iloc[:16].max() < 71
    whole = qilab.spc(gp, y=y)
    assert whole.parts["cl"].iloc[0] == 69.35 and bool(whole.parts["runs_signal"].iloc[0])
    frozen = qilab.spc(gp, y=y, freeze=16)
    row = frozen.parts.iloc[0]
    assert (int(row["n_useful"]), int(row["longest_run"]), int(row["longest_run_max"]),
            int(row["n_crossings"]), int(row["n_crossings_min"])) == (28, 16, 8, 5, 9)
    assert (frozen.points["y"].iloc[14:] > 63.6).all() and frozen.points["y"].iloc[13] < 63.6
    after = gp[y].iloc[16:]
    assert (after >= 70).all() and int((after >= 80).sum()) == 2
    assert gp["change_tested"].fillna("").tolist().index("Care navigator at first call") == 16
    ihi = qilab.spc(gp, y=y, freeze=16, rules="ihi")
    points = ihi.points
    assert int(points["shift"].sum()) == 16
    assert points.index[points["trend"]].tolist() == list(range(13, 22))   # weeks 14 to 22
    assert "astronomical" not in points.columns            # a judgement, left to the reader
    after = gp[y].iloc[16:]
    assert after.max() == gp[y].iloc[29] == 85.2 and gp[y].iloc[24] == 81.9
    assert after.min() == 70.9
    assert bool(points["runs_too_few"].iloc[0])


def test_m5_community_team_trend_is_the_only_ihi_signal():
    import pandas as pd

    import qilab

    waits = pd.read_csv(ROOT / "data" / "community_team_waits.csv")
    y = "median_days_to_first_visit"
    assert not qilab.spc(waits, y=y).parts["runs_signal"].iloc[0]
    p = qilab.spc(waits, y=y, rules="ihi").points
    assert p.index[p["trend"]].tolist() == [0, 1, 2, 3, 4]
    assert waits[y].iloc[0] == 10.3 and waits[y].iloc[4] == 7.6
    for rule in ("shift", "runs_too_few", "runs_too_many"):
        assert not p[rule].any(), rule
    assert 5.5 < waits[y].min() and waits[y].max() < 11


def test_m5_dice_game_signals_as_the_page_says():
    import qilab
    from qilab.sims import dice

    game = dice.roll_days(days=40, dice=3, loaded_from=21, seed=20)
    public = dice.public_view(game)
    whole = qilab.spc(public, y="total", x="day").parts.iloc[0]
    assert int(whole["longest_run"]) > int(whole["longest_run_max"])
    assert int(whole["n_crossings"]) < int(whole["n_crossings_min"])
    frozen = qilab.spc(public, y="total", x="day", freeze=20).parts.iloc[0]
    assert bool(frozen["runs_signal"]) and int(frozen["longest_run"]) > int(frozen["longest_run_max"])
    assert not qilab.spc(public.iloc[:20], y="total", x="day").parts["runs_signal"].iloc[0]
    assert dice.expected_total(3) == 10.5 and dice.expected_total(3, dice.DEFAULT_LOADED) == 12.25


def test_m5_limits_table_and_cheat_sheet_agree_with_qilab():
    from qilab.charts.runs import longest_run_max, n_crossings_min, runs_limits

    sheet = read(ROOT / "book" / "resources" / "cheat-sheet-run-charts.md")
    rows = re.findall(r"^\| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|\s*$", sheet, re.M)
    assert len(rows) >= 6
    for n, low, high, run, cross in (tuple(map(int, r)) for r in rows):
        assert runs_limits(n) == (low, high), n
        assert longest_run_max(n) == run, n
        assert n_crossings_min(n) == cross, n
    # the rules page's quiz and text
    assert longest_run_max(10) == 6 and longest_run_max(24) == 8 and longest_run_max(50) == 9
    assert n_crossings_min(24) == 8
    assert runs_limits(10) == (3, 9) and runs_limits(20) == (6, 16)


def test_synthetic_m5_data_reproduce(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_synthetic", ROOT / "data" / "make_synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("gp_routine_access", "community_team_waits"):
        getattr(module, name)().to_csv(tmp_path / f"{name}.csv", index=False)
        assert (tmp_path / f"{name}.csv").read_text() == (ROOT / "data" / f"{name}.csv").read_text()


# ---- M7: testing changes with PDSA ------------------------------------------------------------

@pytest.fixture(scope="module")
def m7_practice() -> dict:
    pytest.importorskip("qilab.sims.helicopter")
    return run_page(M7, "practice.md")


def test_m7_exercise_2_no_prediction_no_do(m7_practice):
    plan = m7_practice["plan"]
    assert not plan.can_start_do and plan.missing("plan") == ["prediction"]
    assert plan.problems("plan")[0].startswith("Add a prediction")
    fixed = m7_practice["with_prediction"]
    assert fixed.can_start_do and fixed.stage == "do"


def test_m7_exercise_3_one_ramp_adopt_adapt_adopt(m7_practice):
    ramps = m7_practice["drinks_ramps"]
    assert len(ramps) == 1
    assert [c.id for c in ramps[0]] == ["C1", "C2", "C3"]
    assert [c.act_decision for c in ramps[0]] == ["adopt", "adapt", "adopt"]


def test_m7_exercise_4_blue_team(m7_practice):
    assert m7_practice["kept"] == ["Folds 0 to 1", "Rotor length 7 to 8 cm", "Body length 7 to 8 cm"]
    assert m7_practice["too_hopeful"] == 7
    assert m7_practice["best"] == 3.03


def test_m7_exercise_5_rush_lowers_accuracy(m7_practice):
    no_change, rush = m7_practice["perfect"]
    assert round(no_change, 2) == 0.60 and round(rush, 2) == 0.25
    before, after = m7_practice["times"]
    assert round(before, 1) == 76.9 and round(after, 1) == 70.0


def test_m7_ramp_worked_example_is_as_the_page_says():
    ns = run_page(M7, "ramps.md")
    log = ns["log"]
    assert [[c.id for c in r] for r in log.ramps()] == [["C1", "C2", "C4", "C5"], ["C1", "C3"]]
    assert [c.act_decision for c in log] == ["adapt", "adapt", "abandon", "adopt", "adapt"]
    assert log.get("C4").title.startswith("Checklist email on Ward 3")


def test_m7_games_are_as_the_page_says():
    from qilab.sims import helicopter

    teams = helicopter.simulate_teams(["Red", "Blue", "Green", "Yellow"], rounds=6, seed=2019)
    tests = teams[teams["round"] > 1]
    assert (tests["prediction"] > tests["actual"]).sum() > len(tests) / 2   # "most predictions"
    yellow = tests[tests["team"] == "Yellow"]
    green = tests[tests["team"] == "Green"]
    assert yellow["adopted"].all() and not green["adopted"].any()
    folds = [c for c in yellow["change_tested"] if c.startswith("Folds")]
    assert folds == ["Folds 0 to 1", "Folds 1 to 2", "Folds 2 to 1", "Folds 1 to 2"]
    h = helicopter.spc_handoff(teams, "Yellow")
    assert not h.spc().parts["runs_signal"].iloc[0]
    potato = helicopter.simulate_potato_team(
        "Team 1", rounds=5, seed=3,
        changes=["Lay the parts out in order", "Give each person one job",
                 "Rush: go as fast as possible", "Use the picture of the finished head"])
    rush = potato.iloc[3]
    assert rush["actual"] < potato.iloc[2]["actual"] and rush["accuracy"] < potato.iloc[2]["accuracy"]
    assert not rush["adopted"]


# ---- M9: co-production ------------------------------------------------------------------------

def test_m9_aims_on_the_pages_pass_the_aim_checks():
    import qilab

    ns = run_page(M9, "patient-led-questions.md")
    assert qilab.check_aim(ns["aim"]).passes
    solution = re.search(r'One good answer: "([^"]+)"', read(M9 / "practice.md")).group(1)
    assert qilab.check_aim(solution).passes, solution


def test_m9_practice_has_no_code_solutions_to_run():
    # M9's practice answers are written judgements; its one code example is checked above
    assert not [src for tags, src in code_cells(M9 / "practice.md") if "solution" in tags]


def test_community_pages_name_the_issue_templates_that_exist():
    text = read(ROOT / "book" / "community" / "sharing-your-work.md")
    for name in ("share-a-story.md", "share-a-tool.md", "report-a-problem.md"):
        assert f".github/ISSUE_TEMPLATE/{name}" in text
        assert (ROOT / ".github" / "ISSUE_TEMPLATE" / name).exists()
