"""End to end: the Aware assessment answered with widgets only, through ``qilab cohort``.

Learners answer in the app (:class:`qilab.cohort.assessment_app.AwareAssessment`) exactly as
its page would: set each radio button's and the text box's value, then click Submit, which
saves the answers file in the assignment folder and runs the real ``nbgrader submit``. The
trainer's ``qilab cohort`` steps then collect, autograde in the sandbox and certify.

- aa-pass answers all 8 right: certified;
- aa-five answers 5 right (62%): refused, with the reason (6 of 8, 75%, passes:
  test_assessment_units.py);
- tampered answers files, each graded in the same batch and refused item by item with a clear
  reason (0 for every item), never stopping the batch: another learner's file copied in, an
  extra answer to a question id not on the paper, a "score" field, an oversized file and text
  that is not JSON. (An answers file that is a link never reaches the
  grader: collect refuses the whole entry. A missing file or bytes that are not UTF-8 are refused
  by the same reader: tests/cohort/test_assessment_units.py.)
"""
from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone

import nbformat
import pytest
from cohort_helpers import cell_by_id

from qilab.cohort import assessment, steps
from qilab.cohort.assessment_app import AwareAssessment, nbgrader_submit
from qilab.cohort.course import EXERCISES_DIR, init_course, venv_env
from qilab.cohort.identity import learner_seed
from qilab.cohort.register import read_register

pytestmark = pytest.mark.slow
ASSIGNMENT = assessment.ASSIGNMENT
COURSE_ID = "qi-aware"
ON_TIME = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
#: learners who answer in the app: how many of their 8 answers are right
IN_THE_APP = {"aa-pass": 8, "aa-five": 5}


def _key(learner: str) -> dict[str, str]:
    return assessment._key(learner_seed(learner, ASSIGNMENT))


def answer_in_the_app(app: AwareAssessment, right: int) -> None:
    """Set the widgets' values, as a learner's clicks and typing would, then click Submit."""
    key = _key(app.learner)
    for number, (q, control) in enumerate(zip(app.paper, app.questions), start=1):
        if q["kind"] == "choice":
            letters = [value for _, value in control.options]
            control.value = key[q["id"]] if number <= right else next(
                x for x in letters if x != key[q["id"]])
        else:
            control.value = key[q["id"]].title() + "!" if number <= right else "no idea"
    app.submit_button.click()


def _tampered() -> dict[str, tuple[str, str]]:
    """learner -> (the answers file's text, the reason it is refused)."""
    other = assessment.answers_text("aa-pass", _key("aa-pass"))
    own = _key("aa-extra")
    extra = assessment.answers_text("aa-extra", {**own, "c99": "A"})
    doc = json.loads(assessment.answers_text("aa-score", _key("aa-score")))
    doc["score"] = 8
    return {
        "aa-copier": (other, "saved for another learner"),
        "aa-extra": (extra, "not on this learner's paper"),
        "aa-score": (json.dumps(doc), "fields it should not have"),
        "aa-big": (assessment.answers_text("aa-big", {"c01": "A" * 40_000}),
                   f"larger than {assessment.MAX_FILE_BYTES} bytes"),
        "aa-notjson": ("answers: A, B, C, D", "not valid JSON"),
    }


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    base = tmp_path_factory.mktemp("aware-assessment")
    course = init_course(base / "course", course_id=COURSE_ID, faculty="Test QI Faculty",
                         exercises=EXERCISES_DIR)
    steps.release(course, ASSIGNMENT)
    released = course.root / "release" / ASSIGNMENT
    apps = {}
    for learner, right in IN_THE_APP.items():
        # where nbgrader's fetch puts it when courses share an exchange, as on the hub
        folder = base / "homes" / learner / COURSE_ID / ASSIGNMENT
        shutil.copytree(released, folder)
        submit = functools.partial(nbgrader_submit, extra_args=(
            f"--CourseDirectory.student_id={learner}", f"--Exchange.root={course.exchange}",
            f"--Exchange.cache={base / 'cache' / learner}"))
        apps[learner] = app = AwareAssessment(folder, learner=learner, submit=submit)
        answer_in_the_app(app, right)
    tampered = _tampered()
    for learner, (content, _) in tampered.items():
        folder = base / "homes" / learner / ASSIGNMENT
        shutil.copytree(released, folder)
        path = folder / assessment.ANSWERS_FILE
        path.write_text(content)
        steps.submit_for(course, learner, ASSIGNMENT, folder, when=ON_TIME)
    collected = steps.collect(course, ASSIGNMENT)
    graded = subprocess.run(
        [sys.executable, "-m", "qilab.cli", "cohort", "autograde", ASSIGNMENT, "--workers", "2",
         "--course-dir", str(course.root)], capture_output=True, text=True, env=venv_env(),
        timeout=600)
    from nbgrader.api import Gradebook
    with Gradebook(course.db_url, course.course_id) as gb:
        for learner in [*IN_THE_APP, *tampered]:
            gb.update_or_create_student(learner, first_name="Learner", last_name=learner)
        scores = {s.student.id: float(s.score) for s in gb.assignment_submissions(ASSIGNMENT)}
    certified = subprocess.run(
        [sys.executable, "-m", "qilab.cli", "cohort", "certify", "--tier", "aware", "--date",
         "2025-03-15", "--no-pdf", "--course-dir", str(course.root)], capture_output=True,
        text=True, env=venv_env(), timeout=300)
    return dict(course=course, apps=apps, tampered=tampered, collected=collected,
                graded=graded, scores=scores, certified=certified)


def test_the_app_shows_questions_without_code_and_never_holds_the_key(cohort):
    app = cohort["apps"]["aa-pass"]
    kinds = [type(c).__name__ for c in app.questions]
    assert kinds == ["RadioButtons"] * 7 + ["Text"]
    assert all("_key" not in q for q in app.paper)
    assert all(c.value for c in app.questions)
    assert app.messages.kind == "success", app.messages.text
    # the released notebook: one app cell, nothing to edit, no hidden test or key
    released = cohort["course"].root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(released, as_version=4)
    assert not any(c.metadata.get("nbgrader", {}).get("solution") for c in nb.cells)
    text = json.dumps(nb)
    assert "verify_in_clean_process" not in text and "_key" not in text


def test_submit_saves_the_answers_in_the_submission(cohort):
    course = cohort["course"]
    assert set(cohort["collected"]) >= set(IN_THE_APP)
    for learner in IN_THE_APP:
        saved = course.root / "submitted" / learner / ASSIGNMENT / assessment.ANSWERS_FILE
        doc = json.loads(saved.read_text())
        assert doc["learner"] == learner and len(doc["answers"]) == assessment.LENGTH
        assert not list(saved.parent.glob(".*tmp*"))  # written atomically: no stray temp file


def test_marks_are_the_right_answers_given_in_the_app(cohort):
    assert cohort["graded"].returncode == 0, cohort["graded"].stdout + cohort["graded"].stderr
    for learner, right in IN_THE_APP.items():
        assert cohort["scores"][learner] == float(right), learner


def test_tampered_answers_files_are_refused_item_by_item(cohort):
    course = cohort["course"]
    for learner, (_, why) in cohort["tampered"].items():
        assert cohort["scores"][learner] == 0.0, learner
        graded = course.root / "autograded" / learner / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        nb = nbformat.read(graded, as_version=4)
        for n in range(1, assessment.LENGTH + 1):
            verdict = "".join(o.get("text", "") for o in cell_by_id(nb, f"question-{n}").outputs)
            assert verdict.startswith("Marked by the grader: 0 of 1 point."), (learner, verdict)
            assert why in verdict, (learner, n, verdict)


def test_aware_certificate_for_75_percent_and_over_only(cohort):
    certified = cohort["certified"]
    assert certified.returncode == 0, certified.stdout + certified.stderr
    issued = {row["learner"] for row in read_register(cohort["course"].register)}
    assert issued == {"aa-pass"}
    assert "aa-five" in certified.stdout and "62%" in certified.stdout, certified.stdout


def test_the_app_refuses_to_submit_until_every_question_is_answered(tmp_path):
    calls = []
    app = AwareAssessment(tmp_path, learner="ann", submit=calls.append)
    app.questions[0].value = app.questions[0].options[0][1]
    app.submit_button.click()
    assert app.messages.kind == "error" and "question 2" in app.messages.text
    assert not (tmp_path / assessment.ANSWERS_FILE).exists() and calls == []
