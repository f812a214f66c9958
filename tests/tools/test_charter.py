"""The project charter and the project's monthly progress scores."""
from __future__ import annotations

import doctest
import json

import pytest

from qilab import ProjectCharter, QIDataError
from qilab.tools import charter as charter_module
from qilab.tools import progress_score as progress_module
from qilab.tools.progress_score import SCALE, describe, read_progress, record_progress

AIM = "Reduce falls among Oak House residents from 8 a month to 4 a month by March 2027."
FULL = dict(title="Fewer falls", aim=AIM, scope_in="All residents", scope_out="Respite stays",
            team="Deputy manager (lead)\nSenior carer, nights\n", patient_voice="A daughter",
            sponsor="Registered manager", measures=["Falls a month"], start="01/04/2026",
            milestones=[], review="2027-03-31", system_priority="Fewer falls in care homes")


def test_a_complete_charter_passes_and_round_trips(tmp_path):
    charter = ProjectCharter(**FULL)
    assert charter.complete and charter.aim_check.passes
    assert charter.team == ("Deputy manager (lead)", "Senior carer, nights")
    assert charter.start.isoformat() == "2026-04-01"
    path = charter.save(tmp_path / "charter.json")
    doc = json.loads(path.read_text())
    assert doc["schema"] == "qilab.project_charter" and doc["schema_version"] == 1
    assert ProjectCharter.load(path) == charter
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left behind


def test_the_aim_is_checked_by_the_aim_checks():
    charter = ProjectCharter(**{**FULL, "aim": "Nurses should remember the falls checklist."})
    assert not charter.aim_check.passes and not charter.complete
    assert charter.problems()[0].startswith("The aim does not pass the aim checks: Focus on "
                                            "the system")


def test_a_draft_says_what_it_still_needs():
    problems = ProjectCharter(title="Falls", aim=AIM, team=["Lead"]).problems()
    assert problems == [
        "In scope is empty: say what the project covers (which people, service, times).",
        "Out of scope is empty: say what it leaves out, so nobody expects it to fix "
        "everything.",
        "List at least 2 team members by role (1 so far).",
        "Patient, service-user or carer voice is empty: say how patients, service users or "
        "carers take part, or why that was not feasible and what you did instead.",
        "Sponsor is empty: name the senior person who removes obstacles for the team.",
        "List the project's measures: at least an outcome, a process and a balancing measure.",
        "Give a start date and a review date.",
        "System priority it serves is empty: name the system priority the project serves "
        "(for example an integrated care board or trust priority).",
    ]


@pytest.mark.parametrize("change,field", [
    ({"title": " "}, "title"), ({"aim": ""}, "aim"), ({"sponsor": 3}, "sponsor"),
    ({"team": [1, 2]}, "team"), ({"start": "31/02/2026"}, "start"),
    ({"review": "2025-01-01"}, "review"),
])
def test_impossible_values_name_the_field(change, field):
    with pytest.raises(QIDataError) as info:
        ProjectCharter(**{**FULL, **change})
    assert info.value.field == field


def test_a_bad_file_names_the_file_and_field(tmp_path):
    path = ProjectCharter(**FULL).save(tmp_path / "charter.json")
    doc = json.loads(path.read_text())
    doc["charter"]["budget"] = "none"
    path.write_text(json.dumps(doc))
    with pytest.raises(QIDataError) as info:
        ProjectCharter.load(path)
    assert str(path) in str(info.value) and info.value.field == "budget"
    with pytest.raises(QIDataError, match="There is no charter file"):
        ProjectCharter.load(tmp_path / "nope.json")


def test_the_scale_has_ten_half_steps_with_their_words():
    assert list(SCALE) == [0.5 * k for k in range(1, 11)]
    assert describe(0.5) == "intending to take part"
    assert describe(5) == "outstanding sustainable results"
    with pytest.raises(QIDataError):
        describe(2.2)


def test_scores_are_monthly_and_checked(tmp_path):
    path = tmp_path / "progress-scores.csv"
    record_progress(path, "Falls, Oak House", "2026-05-31", 1.5, "Coach")
    record_progress(path, "Falls, Oak House", "30/06/2026", 2, "Coach")
    assert path.read_text().splitlines() == [
        "team,date,progress_score,agreed_by", '"Falls, Oak House",2026-05-31,1.5,Coach',
        '"Falls, Oak House",2026-06-30,2,Coach']
    with pytest.raises(QIDataError) as info:
        record_progress(path, "Falls, Oak House", "2026-06-01", 2.5, "Coach")
    assert info.value.row == 3 and "already has a score for June 2026" in str(info.value)
    with pytest.raises(QIDataError) as info:
        record_progress(path, "Falls, Oak House", "2026-07-31", 2.7, "Coach")
    assert info.value.field == "progress_score" and str(path) in str(info.value)
    assert len(path.read_text().splitlines()) == 3  # refused rows are not written
    tracker = read_progress(path)
    assert tracker.latest["progress_score"].tolist() == [2.0]


def test_docstring_examples_run():
    for module in (charter_module, progress_module):
        result = doctest.testmod(module)
        assert result.attempted >= 1 and result.failed == 0
