"""The PDSA widget and ramp view, driven headlessly as a learner would use them."""
from __future__ import annotations

import json
import os

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from qilab.pdsa import PDSACycle, PDSALog  # noqa: E402
from qilab.widgets.pdsa import PDSAWidget, RampView  # noqa: E402

PLAN = {
    "title": "Falls leaflet, 1 patient",
    "aim": "Reduce falls on Ward 7 from 8 to 4 a month by March 2027",
    "change_idea": "Give the falls leaflet at admission",
    "questions": "Will the patient read it?\nHow long does it take?",
    "plan_who": "Staff nurse, early shift",
    "plan_what": "Give and explain the leaflet",
    "plan_where": "Ward 7, bay 2",
    "plan_when": "14/03/2027",
    "plan_data": "Minutes taken; one tip said back",
}


def fill(widget: PDSAWidget, values: dict[str, str]) -> None:
    for name, value in values.items():
        widget.fields[name].value = value


def on_disk(path) -> list[dict]:
    return json.loads(path.read_text())["cycles"]


@pytest.fixture
def log_path(tmp_path):
    return tmp_path / "learner" / "pdsa.json"


def test_every_control_is_labelled(log_path) -> None:
    widget = PDSAWidget(log_path)
    for name, control in widget.fields.items():
        assert control.description.strip(), name
        assert control.style.description_width == "initial"
    for b in (widget.back_button, widget.save_button, widget.next_button):
        assert b.description.strip()
    assert 'aria-current="step"' in widget.progress.value and "Step 1 of 4" in widget.progress.value


def test_no_prediction_no_do(log_path) -> None:
    widget = PDSAWidget(log_path)
    fill(widget, PLAN)
    assert widget.next_button.description == "Save and go to Do"
    widget.next_button.click()
    assert widget.step == "plan"
    assert widget.messages.kind == "warning"
    assert "prediction" in widget.messages.text and "expected" in widget.messages.text
    # the draft is saved, and nothing typed is lost
    saved = on_disk(log_path)
    assert len(saved) == 1 and saved[0]["prediction"] == "" and saved[0]["stage"] == "plan"
    assert all(widget.fields[k].value == v for k, v in PLAN.items())
    widget.fields["prediction"].value = "The patient reads it; it takes 2 minutes"
    widget.next_button.click()
    assert widget.step == "do" and widget.messages.kind == "success"
    assert widget.next_button.description == "Save and go to Study"
    saved = on_disk(log_path)
    assert len(saved) == 1 and saved[0]["prediction"].startswith("The patient")
    assert saved[0]["plan_when"] == "2027-03-14" and saved[0]["stage"] == "do"


def test_whole_cycle_and_next_in_ramp(log_path) -> None:
    widget = PDSAWidget(log_path)
    fill(widget, {**PLAN, "prediction": "2 minutes"})
    widget.next_button.click()
    fill(widget, {"do_what_happened": "Leaflet given", "do_date": "15/03/2027"})
    widget.next_button.click()
    assert widget.step == "study" and "2 minutes" in widget.prediction_reminder.value
    fill(widget, {"study_results": "Took 4 minutes", "study_learning": "Give it after lunch"})
    widget.next_button.click()
    assert widget.step == "act"
    widget.fields["act_decision"].value = "adapt"
    widget.fields["act_next_step"].value = "Try after lunch with 5 patients"
    widget.next_button.click()
    assert widget.messages.kind == "success" and "complete" in widget.messages.text
    assert widget.value["stage"] == "complete" and widget.value["act_decision"] == "adapt"
    assert widget.next_cycle_button.layout.display == ""
    json.dumps(widget.value)
    widget.next_cycle_button.click()
    assert widget.step == "plan" and widget.fields["follows"].value == "C1"
    assert widget.fields["aim"].value == PLAN["aim"] and widget.fields["title"].value == ""
    fill(widget, {**PLAN, "title": "Leaflet after lunch, 5 patients", "prediction": "4 of 5 read it",
                  "plan_when": "20/03/2027"})
    widget.next_button.click()
    assert widget.value["id"] == "C2" and widget.value["follows"] == "C1"
    assert [[c.id for c in r] for r in PDSALog(log_path).ramps()] == [["C1", "C2"]]
    ramp = RampView(log_path)
    assert ramp.value == [["C1", "C2"]]
    assert "alt=" in ramp.figure.value and "C1 &#x27;Falls leaflet" in ramp.figure.value
    assert "Ramp 1" in ramp.summary.value


@pytest.mark.parametrize(("values", "label"), [
    ({**PLAN, "plan_when": "31/02/2027"}, "When (date)"),
    ({**PLAN, "plan_when": "soon"}, "When (date)"),
    ({**PLAN, "title": ""}, "Title"),
])
def test_bad_input_shows_a_message_and_keeps_fields(log_path, values, label) -> None:
    widget = PDSAWidget(log_path)
    fill(widget, {**values, "prediction": "It works"})
    widget.next_button.click()
    assert widget.step == "plan" and widget.messages.kind == "error"
    assert label in widget.messages.text
    assert all(widget.fields[k].value == v for k, v in values.items())
    assert not log_path.exists()  # nothing half-valid was written


def test_do_date_before_plan_date(log_path) -> None:
    widget = PDSAWidget(log_path)
    fill(widget, {**PLAN, "prediction": "It works"})
    widget.next_button.click()
    fill(widget, {"do_what_happened": "Done", "do_date": "01/03/2027"})
    widget.next_button.click()
    assert widget.step == "do" and widget.messages.kind == "error"
    assert "before the planned date" in widget.messages.text
    assert widget.fields["do_date"].value == "01/03/2027"
    assert on_disk(log_path)[0]["do_date"] is None


def test_missing_do_fields_are_listed(log_path) -> None:
    widget = PDSAWidget(log_path)
    fill(widget, {**PLAN, "prediction": "It works"})
    widget.next_button.click()
    widget.fields["do_what_happened"].value = "Done"
    widget.next_button.click()
    assert widget.step == "do" and "Date done" in widget.messages.text


def test_failed_save_keeps_typing_and_file(log_path, monkeypatch) -> None:
    widget = PDSAWidget(log_path)
    fill(widget, {**PLAN, "prediction": "It works"})
    widget.next_button.click()
    before = log_path.read_bytes()
    fill(widget, {"do_what_happened": "Leaflet given", "do_date": "15/03/2027"})

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    widget.next_button.click()
    assert widget.step == "do" and widget.messages.kind == "error"
    assert "still here" in widget.messages.text and "No space" in widget.messages.text
    assert widget.fields["do_what_happened"].value == "Leaflet given"
    assert log_path.read_bytes() == before
    monkeypatch.undo()
    widget.next_button.click()
    assert widget.step == "study" and on_disk(log_path)[0]["do_date"] == "2027-03-15"


def test_back_keeps_everything_and_cannot_skip(log_path) -> None:
    widget = PDSAWidget(log_path)
    fill(widget, {**PLAN, "prediction": "It works"})
    widget.next_button.click()
    widget.fields["do_what_happened"].value = "Half done"
    widget.back_button.click()
    assert widget.step == "plan" and widget.fields["do_what_happened"].value == "Half done"
    widget.go_to("study")
    assert widget.step == "plan" and "Finish Do first" in widget.messages.text
    widget.go_to("do")
    assert widget.step == "do"


def test_reopen_a_cycle(log_path) -> None:
    log = PDSALog(log_path)
    log.add(PDSACycle(title="Teach-back", prediction="Half repeat it", change_idea="Teach-back",
                      questions=["Does it work?"], plan_who="HCA", plan_what="Ask",
                      plan_when="2027-04-01", plan_data="Count"))
    widget = PDSAWidget(log_path, cycle_id="C1")
    assert widget.step == "do" and widget.fields["plan_when"].value == "01/04/2027"
    assert widget.fields["questions"].value == "Does it work?"
    assert widget.value["title"] == "Teach-back"
    follow = PDSAWidget(log, follows="C1")
    assert follow.fields["follows"].value == "C1" and follow.value is None


def test_exports() -> None:
    import qilab.widgets

    assert qilab.widgets.PDSAWidget is PDSAWidget and qilab.widgets.RampView is RampView


def test_damaged_log_is_set_aside_and_the_learner_told(log_path) -> None:
    from qilab import QIWarning

    log_path.parent.mkdir(parents=True)
    log_path.write_text('{"schema": "qilab.pdsa_log", "cycles": [', encoding="utf-8")
    with pytest.warns(QIWarning):
        widget = PDSAWidget(log_path)
    backup = widget.pdsa_log.recovered_from
    assert backup is not None and backup.exists()
    assert widget.messages.kind == "warning" and backup.name in widget.messages.text
    fill(widget, {**PLAN, "prediction": "It works"})
    widget.next_button.click()
    assert widget.step == "do" and len(on_disk(log_path)) == 1
    assert backup.read_text(encoding="utf-8").endswith("[")
