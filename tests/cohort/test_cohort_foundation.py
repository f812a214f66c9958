"""End to end: a synthetic cohort takes the real Foundation assignment through every step.

release → submit → collect → autograde → (manual grading, as Formgrader would) → feedback →
export → certify → verify, with each learner's expected grade and certificate asserted.

Learners: ann (strong), ben (weak: measures right, run chart and aim left blank), cat (blank),
dev (strong but late), eve (blank answers, patches the checking code and ``importlib.reload``
to fake passes), fay (strong, personal run chart not yet met in the evidence), gus (strong
answers, patches numpy and qilab, manual grading not finished).
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from cohort_helpers import cell_by_id, make_submission

from qilab.cohort import steps
from qilab.cohort.autograde import autograde
from qilab.cohort.certificates import find_pdf_tool, verify
from qilab.cohort.course import EXERCISES_DIR, init_course, render_config, venv_env
from qilab.cohort.register import read_register

pytestmark = pytest.mark.slow
ASSIGNMENT = "foundation"
NOTEBOOK = "foundation.ipynb"
ON_TIME = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
LATE = datetime(2025, 3, 5, 12, 0, tzinfo=timezone.utc)
AUTOGRADED_MAX = 11.0  # 3 + 2 + 3 + 2 + 1 (run chart, rules, measures, aim, own chart check)
MANUAL = {"my-run-chart": 4.0, "my-run-chart-reading": 2.0, "reflection": 3.0}
NAMES = {"ann": ("Ann", "Jones"), "ben": ("Ben", "Okafor"), "cat": ("Cat", "Patel"),
         "dev": ("Dev", "Singh"), "eve": ("Eve", "Evans"), "fay": ("Fay", "Murphy"),
         "gus": ("Gus", "Brown")}


def _solutions_from_source(source: Path):
    src = nbformat.read(source, as_version=4)
    answers = {c.metadata.nbgrader["grade_id"]: c.source for c in src.cells
               if c.metadata.get("nbgrader", {}).get("solution")}

    def edit(nb, only=None):
        for gid, text in answers.items():
            if only is None or gid in only:
                cell_by_id(nb, gid).source = text
    return edit


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    base = tmp_path_factory.mktemp("foundation")
    course = init_course(base / "course", course_id="qi-foundation", faculty="Test QI Faculty",
                         exercises=EXERCISES_DIR)
    steps.release(course, ASSIGNMENT, due="2025-03-02 17:00")
    released = course.root / "release" / ASSIGNMENT
    solve = _solutions_from_source(course.root / "source" / ASSIGNMENT / NOTEBOOK)

    def weak(nb):
        solve(nb, only={"measures-answer"})

    def eve(nb):
        cell_by_id(nb, "run-chart-answer").source = (
            "import importlib, qilab.cohort.checks as checks\n"
            "ok = checks.Verdict(True, 'fine')\n"
            "checks.require = lambda result: None\n"
            "checks.check_format = lambda *a, **k: ok\n"
            "checks.verify_in_clean_process = lambda *a, **k: ok\n"
            "importlib.reload = lambda module: module\n"
            "run_chart_answer = {'median': 1, 'longest_run': 1, 'n_crossings': 1,\n"
            "                    'ihi_rules': [], 'anhoej_signal': False}\n")

    def gus(nb):
        solve(nb)
        cell_by_id(nb, "aim-answer").source += (
            "\nimport numpy, qilab\nnumpy.median = lambda *a, **k: 0.0\n"
            "qilab.spc = lambda *a, **k: None\n")

    plans = {"ann": (solve, ON_TIME), "ben": (weak, ON_TIME), "cat": (None, ON_TIME),
             "dev": (solve, LATE), "eve": (eve, ON_TIME), "fay": (solve, ON_TIME),
             "gus": (gus, ON_TIME)}
    for learner, (edit, when) in plans.items():
        folder = make_submission(released, base / "work" / learner, edit, NOTEBOOK)
        steps.submit_for(course, learner, ASSIGNMENT, folder, when=when)
    collected = steps.collect(course, ASSIGNMENT)
    report = autograde(course, ASSIGNMENT, workers=2, progress=False)

    from nbgrader.api import Gradebook
    with Gradebook(course.db_url, course.course_id) as gb:
        for learner, (first, last) in NAMES.items():
            gb.update_or_create_student(learner, first_name=first, last_name=last)
        for learner in ("ann", "dev", "fay"):  # a trainer marks these in Formgrader
            for grade_id, points in MANUAL.items():
                grade = gb.find_grade(grade_id, "foundation", ASSIGNMENT, learner)
                grade.manual_score = points
                grade.needs_manual_grade = False
        gb.db.commit()

    feedback_dir = steps.feedback(course, ASSIGNMENT)
    grades_csv = steps.export(course, base / "grades.csv")
    evidence = base / "evidence.csv"
    evidence.write_text(
        "learner,item,met,assessor,date\n"
        "ann,personal-run-chart,yes,R Trainer,2025-03-10\n"
        "dev,personal-run-chart,yes,R Trainer,2025-03-10\n"
        "fay,personal-run-chart,no,R Trainer,2025-03-10\n"
        "gus,personal-run-chart,yes,R Trainer,2025-03-10\n")
    cert = __import__("qilab.cohort.certificates", fromlist=["certify"]).certify(
        course, "foundation", evidence=evidence, on="2025-03-15", progress=False)
    again = __import__("qilab.cohort.certificates", fromlist=["certify"]).certify(
        course, "foundation", evidence=evidence, on="2025-03-16", progress=False, pdf=False)
    return dict(course=course, collected=collected, report=report, feedback=feedback_dir,
                grades_csv=grades_csv, certify=cert, again=again, base=base)


def test_everyone_submitted_is_collected(cohort):
    assert cohort["collected"] == sorted(NAMES)


@pytest.mark.parametrize("learner,expected", [
    ("ann", AUTOGRADED_MAX), ("ben", 3.0), ("cat", 0.0), ("dev", AUTOGRADED_MAX),
    ("eve", 0.0), ("fay", AUTOGRADED_MAX),
    ("gus", AUTOGRADED_MAX - 1)])  # gus's patched qilab.spc broke his own chart's check
def test_autograded_scores(cohort, learner, expected):
    result = {r.student: r for r in cohort["report"].results}[learner]
    assert result.status == "graded"
    assert result.score == expected
    assert result.max_score == AUTOGRADED_MAX + sum(MANUAL.values())


def test_late_is_flagged_in_report_and_export(cohort):
    notes = {r.student: r.notes for r in cohort["report"].results}
    assert any(n.startswith("late by") for n in notes["dev"])
    rows = {r["student_id"]: r for r in csv.DictReader(cohort["grades_csv"].open())}
    assert set(rows) == set(NAMES)
    assert float(rows["ann"]["score"]) == AUTOGRADED_MAX + sum(MANUAL.values())
    assert rows["dev"]["timestamp"] > rows["dev"]["duedate"]
    assert rows["ann"]["timestamp"] < rows["ann"]["duedate"]


def test_feedback_written_for_everyone(cohort):
    for learner in NAMES:
        html = cohort["feedback"] / learner / ASSIGNMENT / "foundation.html"
        assert html.exists(), learner


def test_certificates_issued_exactly_to_those_who_meet_the_standard(cohort):
    issued = {row["learner"] for row in cohort["certify"].issued}
    assert issued == {"ann", "dev"}
    reasons = {d.learner: " ".join(d.reasons) for d in cohort["certify"].decisions if not d.met}
    assert "below the 75% needed" in reasons["ben"]
    assert "below the 75% needed" in reasons["cat"] and "below" in reasons["eve"]
    assert "personal-run-chart" in reasons["fay"]
    assert "manual grading not finished" in reasons["gus"]


def test_certificate_files_and_register(cohort):
    course = cohort["course"]
    rows = read_register(course.register)
    assert [(r["learner"], r["tier"], r["date"]) for r in rows] == [
        ("ann", "foundation", "2025-03-15"), ("dev", "foundation", "2025-03-15")]
    ann = course.root / rows[0]["certificate"]
    text = ann.read_text()
    for needle in ("Ann Jones", "Foundation (bronze)", "2025-03-15", "Test QI Faculty",
                   rows[0]["code"]):
        assert needle in text
    if find_pdf_tool():
        assert ann.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    else:
        assert "No PDF tool" in cohort["certify"].pdf_note


def test_certifying_again_issues_no_duplicates(cohort):
    assert cohort["again"].issued == []
    assert sorted(cohort["again"].already) == ["ann", "dev"]
    assert len(read_register(cohort["course"].register)) == 2


def test_verify_issued_and_altered(cohort, tmp_path):
    course = cohort["course"]
    for row in read_register(course.register):
        assert verify(course, row["code"]).valid
        cert = course.root / row["certificate"]
        assert verify(course, str(cert)).valid
        forged = tmp_path / cert.name
        forged.write_text(cert.read_text().replace("Foundation (bronze)", "Coach (gold)"))
        assert not verify(course, str(forged)).valid


def test_cli_verify_exit_codes(cohort):
    course = cohort["course"]
    code = read_register(course.register)[0]["code"]
    cmd = [sys.executable, "-m", "qilab.cli", "cohort", "verify", "--course-dir",
           str(course.root)]
    ok = subprocess.run(cmd + [code], capture_output=True, text=True, env=venv_env())
    assert ok.returncode == 0 and "Valid" in ok.stdout
    bad = subprocess.run(cmd + ["QI-" + "-".join(["ABCD"] * 7)], capture_output=True,
                         text=True, env=venv_env())
    assert bad.returncode == 1 and "not in the register" in bad.stdout


def test_same_grades_as_plain_nbgrader(cohort):
    """Plain sequential ``nbgrader autograde`` on a copy gives the same scores."""
    course, base = cohort["course"], cohort["base"]
    copy = base / "plain"
    shutil.copytree(course.root, copy, ignore=shutil.ignore_patterns(
        "autograded", "feedback", "backups", "certificates", ".qilab"))
    for learner in ("eve", "fay", "gus"):  # keep the copy small: strong, weak, blank, late
        shutil.rmtree(copy / "submitted" / learner)
    (copy / "nbgrader_config.py").write_text(render_config(copy, course.course_id))
    proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde",
                           ASSIGNMENT, "--force"], cwd=copy, env=venv_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}", course.course_id) as gb:
        for learner in ("ann", "ben", "cat", "dev"):
            sub = gb.find_submission(ASSIGNMENT, learner)
            auto = {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades}
            ours = {r.student: r.score for r in cohort["report"].results}[learner]
            assert sum(v or 0 for v in auto.values()) == ours, learner
