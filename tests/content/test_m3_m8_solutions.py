"""Modules M3 (driver diagrams, change ideas and evidence) and M8 (the human side of change):
every page runs cleanly, and every number the text states is what qilab gives on the page's own
data.

As for M6, the code under test is the pages' own code: their cells run in order, in the page's
folder, with warnings as errors, and the values they leave behind are checked against the words.
"""
from __future__ import annotations

import re

import pytest
from scipy.stats import norm

from ._pages import M3, M3_PAGES, M8, M8_PAGES, prose, read, run_page

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def text(folder, name: str) -> str:
    return " ".join(prose(read(folder / name)).split())


def test_pages_found():
    assert len(M3_PAGES) == 7 and len(M8_PAGES) == 7


# ---- M3 worked example: the delirium project -------------------------------------------------

@pytest.fixture(scope="module")
def delirium() -> dict:
    return run_page(M3, "worked-example.md")


def test_baseline_rate_and_aim(delirium):
    baseline, words = delirium["baseline"], text(M3, "worked-example.md")
    cases, admissions = baseline["new_delirium"].sum(), baseline["admissions"].sum()
    assert (len(baseline), cases, admissions) == (12, 58, 484)
    assert f"{cases} new cases in {admissions} admissions: {delirium['rate']:.1f} in every 100" \
        in words
    assert round(delirium["rate"]) == 12
    # the aim: from 12 to 8 in every 100, a reduction of a third
    assert "from 12 to 8 in every 100" in delirium["aim"]
    assert (12 - 8) / 12 == pytest.approx(1 / 3) and "a reduction of a third" in words


def test_the_aim_checker_scores_the_three_drafts_as_the_text_says(delirium):
    checks, words = delirium["checks"], text(M3, "worked-example.md")
    assert [c.score for c in checks] == [0, 1, 3]
    assert checks[0].feedback and not checks[0].system_focused      # blames nurses
    assert checks[1].system_focused and not checks[1].how_much and not checks[1].by_when
    assert checks[2].passes
    assert "finds three problems" in words and "scores 0 out of 3" in words
    assert "scores 1" in words and "passes all three checks" in words


def test_driver_diagram_counts_and_shared_links(delirium):
    diagram, words = delirium["diagram"], text(M3, "worked-example.md")
    assert diagram.counts() == {"primary": 4, "secondary": 7, "changes": 6}
    assert "4 primary drivers, 7 secondary drivers and 6 change ideas" in words
    shared = [item.name for item in (*diagram.secondary, *diagram.changes)
              if len(item.parents) == 2]
    assert shared == ["Changes in behaviour reported at each handover",
                      "'Know me' sheet filled in with the family"]
    assert "Two items have two links" in words
    assert diagram.aim == delirium["drafts"][2]


def test_builder_page_starts_from_the_worked_example():
    page = run_page(M3, "builder.md")
    delirium = run_page(M3, "worked-example.md")["diagram"]
    start = page["start"]
    assert start.aim == delirium.aim and set(start.primary) <= set(delirium.primary)
    assert {s.name for s in start.secondary} <= {s.name for s in delirium.secondary}


# ---- M3 practice --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def m3_practice() -> dict:
    return run_page(M3, "practice.md")


def test_fix_the_aim_scores(m3_practice):
    assert m3_practice["aim_scores"] == [0, 1, 3, 3]
    words = text(M3, "practice.md")
    assert "The first scores 0" in words and "The second scores 1" in words
    assert "The third scores 3" in words


def test_unlinked_change_idea_is_named_and_the_fix_counts(m3_practice):
    message = m3_practice["builder_message"]
    assert "'Buy a new blood pressure machine'" in message and "'Equipment ready'" in message
    assert m3_practice["fixed_counts"] == {"primary": 2, "secondary": 3, "changes": 2}


def test_quiz_has_one_right_letter_an_answer(m3_practice):
    for folder in (M3, M8):
        quiz = read(folder / "practice.md").split("## Check your understanding")[1]
        questions = re.findall(r"^\*\*\d+\. ", quiz, re.M)
        choices = re.findall(r"^a\) .* b\) .* c\) .*$", quiz, re.M)
        answers = re.findall(r":class: dropdown\n\*\*([abc])\) ", quiz)
        assert len(questions) == len(choices) == len(answers) == 8
        # the right answer is not always in the same place
        assert len(set(answers)) == 3
        assert "6 or more of the 8 right (75%)" in quiz


# ---- M8 worked example: Brookside Home Care ---------------------------------------------------

@pytest.fixture(scope="module")
def brookside() -> dict:
    return run_page(M8, "stakeholders-and-communication.md")


def test_stakeholder_quadrants_as_the_text_says(brookside):
    words = text(M8, "stakeholders-and-communication.md")
    assert brookside["quadrant_counts"].to_dict() == {
        "manage closely": 4, "keep informed": 2, "keep satisfied": 1, "monitor": 1}
    assert ("Four stakeholders are in \"manage closely\", two in \"keep informed\", one in "
            "\"keep satisfied\" and one in \"monitor\"") in words
    assert brookside["grid"].quadrant("People who use the service and families") == \
        "keep informed"
    rescored = brookside["rescored"]
    assert rescored.quadrant("People who use the service and families") == "manage closely"
    assert (rescored.table()["quadrant"] == "manage closely").sum() == 5
    assert "Now five stakeholders are in \"manage closely\"" in words


def test_the_plan_against_the_grid(brookside):
    draft, plan, words = brookside["draft"], brookside["plan"], text(
        M8, "stakeholders-and-communication.md")
    assert len(draft.lines) == len(brookside["rescored"].stakeholders) == 8
    assert {line.owner for line in draft.lines} == {"Amira"}
    assert brookside["left_out"] == ["Rota software supplier"]
    assert "The plan leaves out the rota software supplier" in words
    assert plan.owners() == {"Amira": 4, "Tom (care coordinator)": 2, "Operations director": 1}
    assert "Amira still owns 4 of the 7 lines, Tom 2 and the operations director 1" in words
    commissioner = next(line for line in plan.lines if "commissioner" in line.audience)
    assert commissioner.owner == "Operations director"


# ---- M8 practice and the diffusion page ---------------------------------------------------------

@pytest.fixture(scope="module")
def m8_practice() -> dict:
    return run_page(M8, "practice.md")


def test_mental_health_grid_and_plan(m8_practice):
    quadrants = dict(zip(m8_practice["mental_health"].table()["name"],
                         m8_practice["mental_health"].table()["quadrant"]))
    assert quadrants == {
        "Service manager": "manage closely", "Psychologists": "manage closely",
        "Finance team": "keep satisfied", "Referring GP practices": "keep informed",
        "People waiting for a first appointment": "keep informed", "Car park team": "monitor"}
    assert len(m8_practice["mh_draft"].lines) == 6
    assert m8_practice["mh_left_out"] == ["Finance team", "Car park team"]
    assert "The draft has 6 lines" in text(M8, "practice.md")


def test_rogers_shares_match_the_bell_curve_and_the_diffusion_table(m8_practice):
    shares = m8_practice["rogers_shares"]
    assert sum(shares.values()) == 100
    # Rogers' groups are bands of standard deviations from the mean adoption time
    bands = [norm.cdf(-2), norm.cdf(-1) - norm.cdf(-2), 0.5 - norm.cdf(-1),
             norm.cdf(1) - 0.5, 1 - norm.cdf(1)]
    for stated, exact in zip(shares.values(), bands):
        assert abs(stated - 100 * exact) < 0.5
    table = dict(re.findall(r"^\| ([A-Z][a-z ]+) \| ([\d.]+)% \|", read(M8 / "diffusion.md"),
                            re.M))
    assert {k.lower(): float(v) for k, v in table.items()} == shares


def test_early_adopters_in_a_team_of_40(m8_practice):
    expected, words = m8_practice["expected"], text(M8, "practice.md")
    assert m8_practice["team_size"] == 40
    assert (expected["innovators"], expected["early adopters"], expected["early majority"]) == \
        (1, 5, 14)
    assert 40 * 13.5 / 100 == pytest.approx(5.4) and 40 * 34 / 100 == pytest.approx(13.6)
    assert "About 1 innovator (2.5% of 40), 5 early adopters (13.5% of 40 is 5.4) and 14 in " \
        "the early majority (34% of 40 is 13.6)" in words
    assert "about 6 people" in words and expected["innovators"] + expected["early adopters"] == 6


def test_exercise_page_builders_hold_the_examples():
    page = run_page(M8, "exercise.md")
    assert [line.audience for line in page["example"].lines] == [
        "Operations director (sponsor)", "Care workers"]
    brookside = run_page(M8, "stakeholders-and-communication.md")
    assert set(page["example"].lines) <= set(brookside["plan"].lines)
    assert set(page["example_grid"].stakeholders) <= set(brookside["grid"].stakeholders)
