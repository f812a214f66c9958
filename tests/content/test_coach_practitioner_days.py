"""The Practitioner and Coach session plans: every day's agenda adds up to what it says, each
day has its own "Running" section with words to say and debrief questions, the number of days
is what the pathways promise, every module a pathway lists is planned for by its title, and the
figures the trainer is told (certificate rules, progress scores) are the ones qilab checks."""
from __future__ import annotations

import re

import pytest

from ._pages import ROOT, read
from .test_workshop import agendas, clock, minutes_in, rows_add_up

TRAINERS = ROOT / "book" / "trainers"
PRACTITIONER = TRAINERS / "facilitating-practitioner-days.md"
COACH = TRAINERS / "facilitating-coach-days.md"
PATHWAYS = ROOT / "book" / "pathways"
DAYS = {PRACTITIONER: 5, COACH: 6}


@pytest.mark.parametrize("guide", DAYS, ids=lambda g: g.stem)
def test_one_agenda_a_day_as_many_days_as_the_pathway_allows(guide):
    titles = list(agendas(guide))
    assert titles == [f"day {n}" for n in range(1, DAYS[guide] + 1)]
    tier = "practitioner" if guide == PRACTITIONER else "coach"
    time = read(PATHWAYS / f"{tier}.md").split("## Time")[1].split("## ")[0]
    low, high = {"practitioner": (3, 5), "coach": (6, 7)}[tier]
    words = {3: "Three", 5: "five", 6: "Six", 7: "seven"}
    assert f"{words[low]} to {words[high]} taught days" in time
    assert low <= DAYS[guide] <= high


@pytest.mark.parametrize("guide", DAYS, ids=lambda g: g.stem)
def test_every_day_adds_up_to_what_it_says(guide):
    for title, (stated, rows, section) in agendas(guide).items():
        total = rows_add_up(rows)
        assert stated.endswith(", including lunch")
        assert minutes_in(stated.split(",")[0]) == total, f"{title}: rows add up to {total}"
        lunch = [m for _, m, a in rows if a == "Lunch"]
        breaks = sorted(m for _, m, a in rows if a == "Break")
        said = re.search(r"runs for (.*?) from welcome to close: (.*?) of sessions, a "
                         r"(\d+)-minute lunch and two breaks of (\d+) and (\d+) minutes", section)
        assert said, title
        assert minutes_in(said.group(1)) == total
        assert minutes_in(said.group(2)) == total - sum(lunch) - sum(breaks)
        assert [int(said.group(3))] == lunch
        assert sorted(int(b) for b in said.group(4, 5)) == breaks
        assert rows[-1][2].startswith("Close")
        # a working day: lunch between 11:30 and 14:00 after a 9:30 start
        lunch_at = next(start for start, _, a in rows if a == "Lunch")
        assert clock("2:00") <= lunch_at <= clock("4:30"), title


@pytest.mark.parametrize("guide", DAYS, ids=lambda g: g.stem)
def test_every_day_says_how_to_run_it(guide):
    text = read(guide)
    for n in range(1, DAYS[guide] + 1):
        running = text.split(f"## Running day {n}\n")[1].split("\n## ")[0]
        parts = re.findall(r"^### (.+)$", running, re.M)
        assert len(parts) >= 3, f"day {n}: fewer than three parts explained"
        assert running.count("**Debrief questions**") == len(parts)
        assert "**Say**" in running or "**Ask**" in running, f"day {n}: nothing to say"
        # each part it explains is a session on that day's agenda
        _, rows, _ = agendas(guide)[f"day {n}"]
        activities = " ".join(a for _, _, a in rows).lower()
        for part in parts:
            assert part.lower().split(":")[0].split(",")[0] in activities, (n, part)


def pathway_titles(tier: str) -> list[tuple[str, bool]]:
    """(title, linked) for each module the pathway lists."""
    section = read(PATHWAYS / f"{tier}.md").split("## The modules")[1].split("\n## ")[0]
    out = []
    for line in re.findall(r"^\d+\. (.+)$", section, re.M):
        link = re.match(r"\[([^\]]+)\]\(", line)
        out.append((link.group(1), True) if link else (line.strip(), False))
    return out


@pytest.mark.parametrize("guide,tier", [(PRACTITIONER, "practitioner"), (COACH, "coach")],
                         ids=["practitioner", "coach"])
def test_the_plan_covers_every_module_of_the_pathway_by_its_title(guide, tier):
    text = read(guide)
    table = text.split("## The days and their modules")[1].split("\n## ")[0]
    titles = pathway_titles(tier)
    assert len(titles) == {"practitioner": 12, "coach": 10}[tier]
    for title, linked in titles:
        if linked:
            assert re.search(rf"\[{re.escape(title)}\]\(\.\./\.\./modules/[^)]+\.md\)", table), \
                title
        else:
            # a module being written: named in italics, not linked (no page yet)
            assert f"*{title}*" in table, f"{title} is not planned for"
    # every link in the guide goes to a page that exists
    for target in re.findall(r"\]\(((?:\.\./)*[\w./-]+\.md)(?:#[\w-]+)?\)", text):
        assert (guide.parent / target).resolve().is_file(), target


def test_coach_days_state_the_certificate_as_qilab_checks_it():
    from qilab.cohort.coach_evidence import MIN_SCORE, MIN_SESSIONS
    from qilab.tools.coaching_rubric import PASS_TOTAL, RUBRIC

    text = " ".join(read(COACH).split())
    assert f"it needs at least {MIN_SESSIONS} sessions" in text
    assert (f"at least {MIN_SESSIONS} logged sessions, a team the coach coached at a progress "
            f"score of {MIN_SCORE:g} or more") in text
    assert (f"every criterion at least partly met and a total of {PASS_TOTAL} or more out of "
            f"{3 * len(RUBRIC)}") in text


def test_coach_scoring_cards_agree_with_the_scale():
    from qilab.tools.progress_tracker import PROGRESS_SCALE

    names = {score: name for score, name, _ in PROGRESS_SCALE}
    answers = read(COACH).split("Scores the evidence supports")[1].split(":::")[0]
    found = re.findall(r"^\d\. \*\*(\d(?:\.5)?)\*\*, ([a-z ,]+?)(?::|\.)", answers, re.M)
    assert [float(s) for s, _ in found] == [1.5, 2.5, 3.0, 4.0]
    for score, name in found:
        assert name.strip() == names[float(score)]


def test_practitioner_days_state_the_progress_score_the_certificate_needs():
    standard = read(ROOT / "book" / "pathways" / "practitioner.md")
    assert "a project progress score of 2.5 or more" in standard
    assert "including a progress score of 2.5 or more" in read(PRACTITIONER)
