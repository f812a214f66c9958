"""The progress tracker and observed-session forms: scores are checked the way coach-check
reads them and written atomically, the chart is redrawn with its words, the rubric applies the
assessor's rule and says why a session falls short, and the book shows a static preview."""
from __future__ import annotations

import doctest
import re

import pytest

import qilab.tools.progress_tracker as tracker_tool
import qilab.widgets.coaching_rubric as rubric_module
import qilab.widgets.progress_tracker as tracker_module
from qilab import QIDataError
from qilab.cohort.coach_evidence import read_team_records
from qilab.tools.coaching_rubric import RUBRIC
from qilab.tools.progress_tracker import record_score
from qilab.widgets import CoachingLogForm, ObservedSessionForm, ProgressTrackerForm
from qilab.widgets.static import BOX_MARKER, PREVIEW_CLASS

CONTROLS = re.compile(r"<(input|button|select|textarea)\b", re.I)


def test_scores_are_recorded_and_read_back_by_coach_check(tmp_path):
    records = tmp_path / "team-records.csv"
    record_score(records, team="Ward 7 falls", date="30/04/2019", progress_score=1.5,
                 agreed_by="Team and coach")
    record_score(records, team="Ward 7 falls", date="2019-05-31", progress_score="2",
                 agreed_by="Team and coach")
    rows = read_team_records(records)
    assert [(r["date"].isoformat(), r["progress_score"]) for r in rows] == [
        ("2019-04-30", 1.5), ("2019-05-31", 2.0)]


@pytest.mark.parametrize("change,field", [({"progress_score": 3.2}, "progress_score"),
                                          ({"date": "31/02/2019"}, "date"),
                                          ({"agreed_by": " "}, "agreed_by"),
                                          ({"progress_score": 4}, "date")])   # same date
def test_a_bad_score_is_refused_and_the_file_is_unchanged(tmp_path, change, field):
    records = tmp_path / "team-records.csv"
    good = dict(team="Ward 7 falls", date="2019-05-31", progress_score=2,
                agreed_by="Team and coach")
    record_score(records, **good)
    before = records.read_text()
    with pytest.raises(QIDataError) as info:
        record_score(records, **{**good, **change})
    assert info.value.field == field or info.value.column == field
    assert records.read_text() == before


def test_form_adds_a_score_and_redraws_the_chart_with_its_words(tmp_path):
    records = tmp_path / "team-records.csv"
    record_score(records, team="Community physiotherapy", date="2019-04-30",
                 progress_score=2, agreed_by="Team and coach")
    form = ProgressTrackerForm(records, team="Ward 7 falls", when="30/04/2019", score=3.0,
                               agreed_by="Team and coach")
    assert form.tracker.teams == ["Community physiotherapy"]     # drawn from the file at once
    form.save_button.click()
    assert form.messages.kind == "success"
    assert "1 of 2 teams have reached a score of 3 or more" in form.messages.text
    (shown,) = form.chart.outputs
    assert 'alt="Line chart of progress scores' in shown["data"]["text/html"]
    assert [r["team"] for r in form.value] == ["Community physiotherapy", "Ward 7 falls"]


def test_tracker_form_says_what_to_fix(tmp_path):
    form = ProgressTrackerForm(tmp_path / "team-records.csv", team="Ward 7 falls",
                               when="next month", agreed_by="Coach")
    form.save_button.click()
    assert form.messages.kind == "error" and "choose the progress score" in form.messages.text
    form.score.value = 2.5
    form.save_button.click()
    assert form.messages.kind == "error" and "not a date" in form.messages.text
    assert not (tmp_path / "team-records.csv").exists() and form.value is None


def test_score_choices_say_what_each_score_means():
    labels = [label for label, value in ProgressTrackerForm.__init__.__globals__[
        "SCORE_OPTIONS"]]
    assert len(labels) == 10 and labels[0].startswith("0.5: ") and labels[5] == (
        "3: modest improvement")


def test_rubric_form_marks_the_session_and_says_why_it_falls_short():
    form = ObservedSessionForm(coach="Ann", assessor="J Smith", when="14/03/2025")
    form.mark_button.click()
    assert form.messages.kind == "error" and "mark every criterion" in form.messages.text
    marks = {c.id: 3 for c in RUBRIC} | {"questions": 1}
    for key, value in marks.items():
        form.marks[key].value = value
    form.mark_button.click()
    assert form.messages.kind == "warning" and form.result.met is False
    assert "Asks questions rather than giving answers: not seen" in form.messages.text
    assert "observed-session for Ann, met no" in form.messages.text
    form.marks["questions"].value = 2
    form.mark_button.click()
    assert form.messages.kind == "success" and form.value["total"] == 17
    assert form.value["met"] is True and "met yes" in form.messages.text


def test_every_field_has_a_visible_label_and_the_descriptors_are_in_words():
    form = ObservedSessionForm()
    assert [f.description for f in form.marks.values()] == [c.what for c in RUBRIC]
    preview = form.static_preview()
    for criterion in RUBRIC:
        assert criterion.fully in preview
    tracker = ProgressTrackerForm("no-such-file.csv")
    for field in (tracker.team, tracker.when, tracker.score, tracker.agreed_by):
        assert field.description.strip()


def test_previews_for_the_book(tmp_path):
    records = tmp_path / "team-records.csv"
    record_score(records, team="Ward 7 falls", date="2019-04-30", progress_score=1.5,
                 agreed_by="Team and coach")
    for widget in (ProgressTrackerForm(records), ObservedSessionForm(coach="Ann"),
                   CoachingLogForm(tmp_path / "log.csv")):
        name = type(widget).__name__
        bundle = widget._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle, name
        preview = bundle["text/html"]
        assert preview.startswith(f'<div class="{PREVIEW_CLASS}" data-qi-widget="{name}">')
        assert preview.endswith(BOX_MARKER) and not CONTROLS.search(preview), name
    chart = ProgressTrackerForm(records).static_preview()
    assert re.search(r'<img src="data:image/png;base64,[^"]+" alt="Line chart of progress '
                     r'scores[^"]*Ward 7 falls: 1.5', chart)


def test_docstring_examples_run():
    for module in (tracker_tool, tracker_module, rubric_module):
        result = doctest.testmod(module)
        assert result.attempted >= 1 and result.failed == 0
