"""The coaching log: a session is checked the way coach-check reads it, written atomically,
and the form says what to fix and how many sessions the coach has."""
from __future__ import annotations

import doctest

import pytest

import qilab.tools.coaching_log as tool
import qilab.widgets.coaching_log as widget_module
from qilab import QIDataError
from qilab.cohort.coach_evidence import read_coaching_log
from qilab.tools.coaching_log import log_session, sessions_for
from qilab.widgets.coaching_log import CoachingLogForm


def fill(form, **values):
    defaults = dict(coach="Ann", team="Ward 7", when="14/03/2025", stage="testing",
                    agreed="Test the handover sheet", score=2.5)
    for name, value in {**defaults, **values}.items():
        getattr(form, name).value = value


def test_sessions_are_added_and_read_back_by_coach_check(tmp_path):
    log = tmp_path / "log.csv"
    for day in ("2025-03-14", "14/04/2025"):
        log_session(log, coach="Ann", team="Ward 7", date=day, stage="Testing",
                    agreed="next test", progress_score="2.5")
    rows = read_coaching_log(log)
    assert [r["date"].isoformat() for r in rows] == ["2025-03-14", "2025-04-14"]
    assert rows[0]["stage"] == "testing" and sessions_for(log, "Ann") == 2
    assert sessions_for(tmp_path / "none.csv", "Ann") == 0


@pytest.mark.parametrize("change,field", [({"stage": "dancing"}, "stage"),
                                          ({"progress_score": 6}, "progress_score"),
                                          ({"date": "31/02/2025"}, "date"),
                                          ({"agreed": "  "}, "agreed")])
def test_a_bad_session_is_refused_and_the_log_is_unchanged(tmp_path, change, field):
    log = tmp_path / "log.csv"
    good = dict(coach="Ann", team="Ward 7", date="2025-03-14", stage="testing",
                agreed="next test", progress_score=2)
    log_session(log, **good)
    before = log.read_text()
    with pytest.raises(QIDataError) as info:
        log_session(log, **{**good, **change})
    assert info.value.field == field or info.value.column == field
    assert log.read_text() == before


def test_form_saves_and_counts_towards_the_certificate(tmp_path):
    form = CoachingLogForm(tmp_path / "log.csv")
    fill(form)
    form.save_button.click()
    assert form.messages.kind == "success"
    assert "Ann has 1 session in the log" in form.messages.text
    assert "needs 6: 5 to go" in form.messages.text
    assert form.agreed.value == ""                      # ready for the next session


def test_form_says_what_to_fix(tmp_path):
    form = CoachingLogForm(tmp_path / "log.csv")
    fill(form, stage="")
    form.save_button.click()
    assert form.messages.kind == "error" and "choose the stage" in form.messages.text
    fill(form, when="next Tuesday")
    form.save_button.click()
    assert form.messages.kind == "error" and "not a date" in form.messages.text
    assert not (tmp_path / "log.csv").exists()


def test_every_field_has_a_visible_label(tmp_path):
    form = CoachingLogForm(tmp_path / "log.csv")
    for field in (form.coach, form.team, form.when, form.stage, form.agreed, form.score):
        assert field.description.strip()


def test_docstring_examples_run():
    for module in (tool, widget_module):
        result = doctest.testmod(module)
        assert result.attempted >= 1 and result.failed == 0
