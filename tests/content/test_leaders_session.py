"""The Leaders session guide: both agendas add up to what their headings say, the red beads
game gets the time its page asks for, and the facts the facilitator is told to draw out are the
ones the module's board report gives."""
from __future__ import annotations

import re

import pytest

from ._pages import M0, M12, ROOT, read
from .test_workshop import agendas as workshop_agendas
from .test_workshop import group_minutes, minutes_in, rows_add_up

GUIDE = ROOT / "book" / "trainers" / "facilitating-leaders-session.md"


def agendas():
    return workshop_agendas(GUIDE)


def test_there_is_a_90_minute_and_a_half_day_agenda():
    assert set(agendas()) == {"90 minutes", "half day"}


@pytest.mark.parametrize("title", ["90 minutes", "half day"])
def test_agenda_adds_up_to_what_it_says(title):
    stated, rows, section = agendas()[title]
    total = rows_add_up(rows)
    assert minutes_in(stated) == total, f"{title}: the rows add up to {total} minutes"
    breaks = [m for _, m, a in rows if a == "Break"]
    if breaks:
        said = re.search(r"runs for (.*?) from welcome to close, including a (\d+)-minute "
                         r"break", section)
        assert minutes_in(said.group(1)) == total and [int(said.group(2))] == breaks
    else:
        said = re.search(r"runs for (.*?) from welcome to close, with no break", section)
        assert minutes_in(said.group(1)) == total
    # every part of the session has its own "Running each part" section
    assert rows[-1][2].startswith("Close")


def test_red_beads_game_has_the_time_its_page_asks_for():
    _, rows, _ = agendas()["half day"]
    slots = [m for _, m, a in rows if a.startswith("Red beads game")]
    assert len(slots) == 1 and slots[0] >= group_minutes(M0 / "red-beads.md")


def test_points_to_draw_out_match_the_module():
    guide = read(GUIDE)
    worked = read(M12 / "rag-to-spc.md")
    for fact in ("met it in only 2 of the 36 months", "1,488 breaches in June 2018, then 6,499"):
        assert fact in worked
    assert "met in 2 of 36 months" in guide
    assert "went from 1,488 to 6,499 in one month" in guide
    assert "three more days than February" in guide
    # the code the facilitator runs uses the module's made-up targets and says so
    assert 'target={"RQM": 1000, "RRK": 2000}' in guide and 'target={"RQM": 1000, "RRK": 2000}' \
        in worked
    assert "not NHS targets" in guide


def test_the_code_the_facilitator_runs_makes_the_report_and_the_rag_table(tmp_path,
                                                                            monkeypatch):
    code = re.search(r"```python\n(.*?)```", read(GUIDE), re.S).group(1)
    code = "\n".join(line[2:] for line in code.splitlines())       # the block is indented
    code = code.replace('"data/ae_attendances_england.csv"',
                        repr(str(ROOT / "data" / "ae_attendances_england.csv")))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "facilitating-leaders-session.md", "exec"), namespace)
    assert (tmp_path / "board-report.html").exists()
    assert (tmp_path / "rag-table.csv").read_text().count("\n") == 4   # header and 3 rows
    pdf = namespace["report"].pdf_path
    if pdf is not None:                              # printed when chromium is installed
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))
        assert pages == 3 and "three A4 pages" in read(GUIDE)


# ---- the Aware webinar ---------------------------------------------------------------------

WEBINAR = ROOT / "book" / "trainers" / "facilitating-aware-webinar.md"


def test_aware_webinar_is_60_minutes_that_add_up():
    plans = workshop_agendas(WEBINAR)
    assert set(plans) == {"webinar"}
    stated, rows, section = plans["webinar"]
    total = rows_add_up(rows)
    assert minutes_in(stated) == total == 60
    said = re.search(r"runs for (.*?) from welcome to close, with no break", section)
    assert minutes_in(said.group(1)) == 60
    assert not [a for _, _, a in rows if a == "Break"]


def test_aware_webinar_states_the_quiz_as_certifying_does():
    webinar = read(WEBINAR)
    certifying = read(ROOT / "book" / "trainers" / "certifying-a-cohort.md")
    assert "| `aware-quiz` | Aware | 8 multiple-choice questions; 6 right to pass |" in certifying
    assert "8 questions, 6 right to pass" in webinar
