"""The Foundation workshop guide: each timed agenda adds up to what its heading says, each game
has the time its own page asks for, and the promised template and games guide are linked."""
from __future__ import annotations

import re

import pytest

from ._pages import M0, M5, M7, ROOT, read

GUIDE = ROOT / "book" / "trainers" / "facilitating-foundation-workshop.md"


def minutes_in(words: str) -> int:
    """'6 hours 15 minutes' -> 375; '45 minutes' -> 45; '3 hours' -> 180."""
    m = re.fullmatch(r"(?:(\d+) hours?)?\s*(?:(\d+) minutes?)?", words.strip())
    assert m and any(m.groups()), f"not a duration: {words!r}"
    return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)


def clock(text: str) -> int:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def agendas(guide=GUIDE) -> dict[str, tuple[str, list[tuple[int, int, str]], str]]:
    """{title: (stated duration, [(start, minutes, activity)], the section's text)} of a
    facilitator guide (the Foundation workshop's unless another is given)."""
    text = read(guide)
    found = {}
    for m in re.finditer(r"^## Timed agenda: (.*?) \((.*?)\)\n(.*?)(?=^## )", text, re.M | re.S):
        rows = [(clock(a), int(b), c.strip()) for a, b, c in
                re.findall(r"^\| (\d+:\d\d) \| (\d+) \| (.*?) \|$", m.group(3), re.M)]
        found[m.group(1)] = (m.group(2), rows, m.group(3))
    return found


def group_minutes(page) -> int:
    """The least time a page's Time label gives for running it with a group."""
    label = re.search(r"\*\*Time\*\*: (.*)", read(page)).group(1)
    m = (re.search(r"(\d+)(?: to \d+)? minutes (?:for a game )?in a group", label)
         or re.search(r"about (\d+) minutes to run it with a group", label))
    return int(m.group(1))


def rows_add_up(rows: list[tuple[int, int, str]]) -> int:
    """Assert each row starts when the one before ends; return the agenda's total minutes."""
    assert rows[0][0] == 0
    for (start, minutes, _), (after, _, activity) in zip(rows, rows[1:]):
        assert start + minutes == after, f"{activity!r} should start at {start + minutes}"
    return rows[-1][0] + rows[-1][1]


def test_there_are_two_agendas():
    assert set(agendas()) == {"half day", "full day"}


@pytest.mark.parametrize("title", ["half day", "full day"])
def test_agenda_adds_up_to_what_it_says(title):
    stated, rows, section = agendas()[title]
    total = rows_add_up(rows)
    # the heading says the whole length, lunch included ("6 hours, plus lunch" was wrong)
    duration = stated.split(",")[0]
    assert minutes_in(duration) == total, f"{title}: the rows add up to {total} minutes"
    lunch = sum(m for _, m, a in rows if a == "Lunch")
    breaks = [m for _, m, a in rows if a == "Break"]
    sessions = total - lunch - sum(breaks)
    if lunch:
        assert "including lunch" in stated
        summary = re.search(r"runs for (.*?) from welcome to close: (.*?) of sessions, a "
                            r"(\d+)-minute lunch and two breaks of (\d+) and (\d+) minutes",
                            section)
        assert minutes_in(summary.group(1)) == total
        assert minutes_in(summary.group(2)) == sessions
        assert int(summary.group(3)) == lunch
        assert sorted(int(b) for b in summary.group(4, 5)) == sorted(breaks)
    else:
        summary = re.search(r"runs for (.*?) from welcome to close, including a (\d+)-minute "
                            r"break", section)
        assert minutes_in(summary.group(1)) == total and [int(summary.group(2))] == breaks


@pytest.mark.parametrize("title", ["half day", "full day"])
def test_each_game_has_the_time_its_page_asks_for(title):
    _, rows, _ = agendas()[title]
    games = {"Red beads game": M0 / "red-beads.md", "Dice game": M5 / "dice-game.md",
             "PDSA game": M7 / "games.md"}
    for name, page in games.items():
        slots = [(m, a) for _, m, a in rows if a.startswith(name)]
        if name == "Dice game" and title == "half day":
            assert not slots   # the half day leaves the dice game out
            continue
        assert len(slots) == 1, f"{title}: the {name} has a slot of its own"
        assert slots[0][0] >= group_minutes(page), (
            f"{title}: {slots[0][1]!r} has {slots[0][0]} minutes; the {name} needs "
            f"{group_minutes(page)}")
    # the dice game is not squeezed into another activity's slot
    assert not [a for _, _, a in rows if "dice" in a.lower() and not a.startswith("Dice game")]


def test_group_minutes_reads_the_time_labels():
    assert group_minutes(M5 / "dice-game.md") == 30
    assert group_minutes(M0 / "red-beads.md") == 30
    assert group_minutes(M7 / "games.md") == 45


def test_the_promised_template_and_the_games_guide_are_linked():
    text = read(GUIDE)
    assert "(paper-helicopter-template.md)" in text
    assert "Have a template ready" not in text
    assert "(running-workshop-games.md)" in text
    assert (GUIDE.parent / "paper-helicopter-template.md").exists()
