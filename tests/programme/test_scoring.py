"""The raters' scoring form: the rubric adds up, and its file goes straight into the import."""
from __future__ import annotations

from datetime import date

import pytest

from qilab import QIDataError
from qilab.programme.db import open_database
from qilab.programme.importer import import_files
from qilab.programme.scoring import ScoringForm, score


def test_score_counts_ticks_and_refuses_unknown_parts():
    assert score({}) == 0
    assert score({"aim": (1, 1, 1), "measure": (1, 1, 1), "change": (1, 1, 1)}) == 9
    with pytest.raises(QIDataError, match="Unknown rubric part"):
        score({"aims": (True,)})
    with pytest.raises(QIDataError, match="3 criteria"):
        score({"aim": (True,) * 4})


def test_form_saves_rows_the_import_accepts(tmp_path):
    path = tmp_path / "knowledge.csv"
    form = ScoringForm(path, rater="r1")
    form.fill(learner="ann", phase="pre", scenario="care-home-falls", date="01/02/2025",
              ticks={"aim": (True, True, False), "change": (True,)})
    assert form.score_label.value == "Score: 3 out of 9"
    assert form.save() and form.messages.kind == "success"
    # the same rater cannot score the same answer twice
    assert not form.save() and "already scored" in form.messages.text
    form.fill(learner="ann", phase="post", scenario="care-home-falls", date="31/02/2025",
              ticks={})
    assert not form.save() and "dd/mm/yyyy" in form.messages.text
    form.date.value = "01/05/2025"
    assert form.save()
    (tmp_path / "organisations.csv").write_text("organisation,sector\nRiverside,Social care\n")
    (tmp_path / "enrolments.csv").write_text(
        "learner,organisation,role,patient_or_carer,consent_to_share,tier,cohort,started\n"
        "ann,Riverside,manager,no,yes,practitioner,c1,01/01/2025\n")
    engine = open_database("sqlite:///" + str(tmp_path / "p.sqlite"))
    report = import_files(engine, [tmp_path / "organisations.csv", tmp_path / "enrolments.csv",
                                   path], today=date(2025, 12, 31))
    assert report.added["knowledge"] == 2
