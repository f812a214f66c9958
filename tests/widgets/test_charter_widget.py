"""The charter form: fill in, check, save to the project folder; errors name the field."""
from __future__ import annotations

import doctest

from qilab.tools.charter import LABELS, ProjectCharter
from qilab.widgets import charter as widget_module
from qilab.widgets.charter import CharterForm

AIM = "Reduce falls among Oak House residents from 8 a month to 4 a month by March 2027."


def fill(form: CharterForm) -> None:
    values = {"title": "Fewer falls", "aim": AIM, "scope_in": "All residents",
              "scope_out": "Respite stays", "team": "Lead\nSenior carer",
              "patient_voice": "A daughter joins the team", "sponsor": "Manager",
              "measures": "Falls\nChecks done\nResidents woken", "start": "01/04/2026",
              "review": "31/03/2027", "system_priority": "Fewer falls in care homes"}
    for name, value in values.items():
        form.fields[name].value = value


def test_a_complete_charter_is_checked_and_saved(tmp_path):
    form = CharterForm(folder=tmp_path)
    fill(form)
    form.check_button.click()
    assert form.messages.kind == "success"
    form.save_button.click()
    saved = ProjectCharter.load(tmp_path / "charter.json")
    assert saved.team == ("Lead", "Senior carer") and saved.review.isoformat() == "2027-03-31"
    # opening the folder again shows the saved charter
    again = CharterForm(folder=tmp_path)
    assert again.sponsor.value == "Manager" and again.team.value == "Lead\nSenior carer"


def test_the_check_says_what_is_missing_and_keeps_what_was_typed(tmp_path):
    form = CharterForm(folder=tmp_path)
    fill(form)
    form.aim.value = "Staff must try harder."
    form.sponsor.value = ""
    form.check_button.click()
    assert form.messages.kind == "warning"
    assert "Focus on the system" in form.messages.text and "Sponsor is empty" in \
        form.messages.text
    assert form.value["aim_passes"] is False and len(form.value["missing"]) == 2
    form.review.value = "31/02/2027"
    form.save_button.click()
    assert form.messages.kind == "error" and "review" in form.messages.text
    assert form.review.value == "31/02/2027" and not (tmp_path / "charter.json").exists()


def test_a_damaged_saved_charter_is_reported_not_raised(tmp_path):
    (tmp_path / "charter.json").write_text("{oops", encoding="utf-8")
    form = CharterForm(folder=tmp_path)
    assert form.messages.kind == "error" and "could not be read" in form.messages.text
    assert (tmp_path / "charter.json").read_text(encoding="utf-8") == "{oops"


def test_every_field_has_a_visible_label(tmp_path):
    form = CharterForm(folder=tmp_path)
    assert [f.description for f in form.fields.values()] == list(LABELS.values())


def test_docstring_examples_run():
    result = doctest.testmod(widget_module)
    assert result.attempted >= 1 and result.failed == 0
