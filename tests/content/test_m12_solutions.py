"""Module M12 (leading and sponsoring improvement): the worked board report and every practice
solution say what the pages' own code gives on the public A&E data.

Each number the text states is worked out here from the namespace the page's code leaves
behind, formatted as the page writes it, and looked for in the text. If qilab, the data or the
page change so that a sentence is no longer true, this fails.
"""
from __future__ import annotations

import re

import pytest

from ._pages import M12, prose, read, run_page

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def n(x: float) -> str:
    return f"{x:,.0f}"


@pytest.fixture(scope="module")
def worked() -> dict:
    return run_page(M12, "rag-to-spc.md")


@pytest.fixture(scope="module")
def practice() -> dict:
    return run_page(M12, "practice.md")


def by_org(frame):
    return frame.set_index("organisation")


def test_worked_example_rag_table_is_what_the_text_says(worked):
    text = prose(read(M12 / "rag-to-spc.md"))
    rag = by_org(worked["rag"])
    rqm, rrk, total = rag.loc["RQM"], rag.loc["RRK"], rag.loc["All organisations"]
    assert rqm["rating"] == rrk["rating"] == "red" and total["rating"] == "no target"
    assert f"It had {n(rqm['latest'])} breaches in March against a target of 1,000" in text
    assert f"it is {n(-rqm['change'])} better than February ({n(rqm['previous'])})" in text
    assert f"It had {n(rrk['latest'])} breaches against 2,000" in text
    assert rrk["change"] < 0 and f"better than February ({n(rrk['previous'])})" in text
    assert (f"Attendances rose by {n(total['change'])} in a month, from "
            f"{n(total['previous'])} to {n(total['latest'])}") in text
    assert round(100 * total["change"] / total["previous"]) == 11 and "about 11%" in text
    assert round(100 * (31 - 28) / 28) == 11                   # the extra days in March


def test_worked_example_icons_are_what_the_text_says(worked):
    text = prose(read(M12 / "rag-to-spc.md"))
    rows = by_org(worked["report"].rows)
    rqm, rrk, total = rows.loc["RQM"], rows.loc["RRK"], rows.loc["All organisations"]
    assert (rqm["variation"], rqm["assurance"]) == ("common_cause", "inconsistent")
    assert f"inside the process limits ({n(rqm['lpl'])} to {n(rqm['upl'])})" in text
    assert worked["months_met"] == 2 and len(worked["rqm_breaches"]) == 36
    assert "It met it in only 2 of the 36 months" in text
    assert (rrk["variation"], rrk["assurance"]) == ("special_cause_concern", "consistent_fail")
    assert rrk["variation_icon"] == "H"
    assert f"far above the upper process limit of {n(rrk['upl'])}" in text
    assert rrk["target"] < rrk["lpl"]
    measures = worked["measures"]
    rrk_series = measures[measures["organisation"] == "RRK"].set_index("period")["value"]
    june, july = rrk_series["2018-06-01"], rrk_series["2018-07-01"]
    assert f"{n(june)} breaches in June 2018, then {n(july)} in July 2018" in text
    assert 4 < july / june < 5 and "more than four times as many" in text
    assert total["variation"] == "common_cause"
    assert f"limits of {n(total['lpl'])} to {n(total['upl'])}" in text


def test_practice_1_february_board(practice):
    text = prose(read(M12 / "practice.md"))
    rag = by_org(practice["feb_rag"])
    rows = by_org(practice["feb_report"].rows)
    rqm, rrk, total = rag.loc["RQM"], rag.loc["RRK"], rag.loc["All organisations"]
    assert rqm["change"] > 0 and rrk["change"] < 0 and total["change"] < 0
    assert (f"{n(rqm['latest'])} breaches, up {n(rqm['change'])} from January's "
            f"{n(rqm['previous'])}") in text
    assert (f"{n(rrk['latest'])}, down {n(-rrk['change'])} from {n(rrk['previous'])}"
            in text)
    assert f"Attendances fell by {n(-total['change'])} to {n(total['latest'])}" in text
    assert (rows.loc["RQM", "variation"], rows.loc["RQM", "assurance"]) == (
        "common_cause", "inconsistent")
    assert rows.loc["RRK", "variation"] == "special_cause_concern"
    assert rows.loc["RRK", "assurance"] == "consistent_fail"
    assert f"above its upper process limit of {n(rows.loc['RRK', 'upl'])}" in text
    assert rows.loc["All organisations", "variation"] == "common_cause"


def test_practice_2_a_target_below_the_lower_limit(practice):
    text = prose(read(M12 / "practice.md"))
    row = practice["tough"].summary.iloc[0]
    assert row["assurance"] == "consistent_fail" and row["target"] < row["lpl"]
    assert f"RQM's lower process limit is {n(row['lpl'])}" in text


def test_practice_3_no_surge(practice):
    text = prose(read(M12 / "practice.md"))
    demand, icons = practice["demand"], practice["demand_icons"]
    assert icons["variation"] == "common_cause" and icons["lpl"] < demand["latest"] < icons["upl"]
    assert (f"March 2019 had {n(demand['latest'])} attendances, up {n(demand['change'])} "
            "from February") in text
    assert f"({n(icons['lpl'])} to {n(icons['upl'])})" in text


def test_self_check_offers_plausible_wrong_options():
    quiz = read(M12 / "practice.md").split("## Check your understanding")[1]
    quiz = quiz.split("## Apply it")[0]
    questions = quiz.count(":::{admonition} Answer")
    assert questions == 6
    # the book's quiz format (CONTRIBUTING.md): choices on one line, the answer's letter first
    choices = re.findall(r"^a\) .+ b\) .+ c\) .+$", quiz, re.M)
    answers = re.findall(r":class: dropdown\n\*\*([abc])\)\*\*", quiz)
    assert len(choices) == 6 and len(answers) == 6
    assert len(set(answers)) == 3                # the right answer is not always in one place
