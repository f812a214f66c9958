"""Cheating and faults in one graded cohort of the fixture assignment.

One cohort is released, submitted, collected and autograded once (module fixture); each test
then checks one learner. None of these may hang or stop the batch, and no learner may change
another's grade: the honest learners' grades are checked against their expected values in
every run, including the re-run.

The fixture assignment (tests/cohort/fixtures/exercises/fixture-quiz) has one autograded answer
(``median-answer``), one test cell worth 2 points with a hidden test (``median-test``) and one
manually graded answer worth 1 point, so every submission's maximum is 3.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import nbformat
import pytest
from cohort_helpers import FIXTURE_EXERCISES, cell_by_id, make_submission

from qilab.cohort import steps
from qilab.cohort.autograde import Limits, autograde
from qilab.cohort.course import init_course

ASSIGNMENT = "fixture-quiz"
GOOD = ("def median_wait(values):\n    ordered = sorted(values)\n    n = len(ordered)\n"
        "    mid = n // 2\n"
        "    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2\n")
ON_TIME = datetime(2025, 1, 9, 12, 0, tzinfo=timezone.utc)
LATE = datetime(2025, 1, 12, 12, 0, tzinfo=timezone.utc)


def answer(code: str):
    def edit(nb):
        cell_by_id(nb, "median-answer").source = code
    return edit


def _edit_test_cell(nb):
    cell_by_id(nb, "median-answer").source = "def median_wait(values):\n    return 0.0\n"
    cell_by_id(nb, "median-test").source = "pass  # nothing to see here"


def _delete_test_cell(nb):
    cell_by_id(nb, "median-answer").source = "def median_wait(values):\n    return 0.0\n"
    nb.cells = [c for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") != "median-test"]


def _change_metadata(nb):
    cell_by_id(nb, "median-answer").source = "def median_wait(values):\n    return 0.0\n"
    test = cell_by_id(nb, "median-test")
    test.metadata.nbgrader.update(points=100, locked=False)
    test.source = "pass"
    ans = cell_by_id(nb, "median-answer")
    ans.metadata.nbgrader.update(grade=True, points=50)


def _huge(nb):
    cell_by_id(nb, "median-answer").source = GOOD
    nb.cells.append(nbformat.v4.new_markdown_cell("x" * 6_000_000))


LEARNERS = {
    # id: (edit, submitted at, expected score out of 3)
    "strong": (answer(GOOD), ON_TIME, 2.0),
    "weak": (answer("def median_wait(values):\n    return float(max(values))\n"),
             ON_TIME, 0.0),
    "blank": (None, ON_TIME, 0.0),
    "late": (answer(GOOD), LATE, 2.0),
    "loop": (answer("while True:\n    pass\n" + GOOD), ON_TIME, 0.0),
    "stubborn": (answer("import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
                        "    except KeyboardInterrupt:\n        pass\n" + GOOD), ON_TIME, 0.0),
    "sysexit": (answer(GOOD + "import sys\nsys.exit(3)\n"), ON_TIME, 2.0),
    "osexit": (answer(GOOD + "import os\nos._exit(0)\n"), ON_TIME, 0.0),
    "segfault": (answer(GOOD + "import ctypes\nctypes.string_at(0)\n"), ON_TIME, 0.0),
    "membomb": (answer(GOOD + "hog = bytearray(8 * 1024 ** 3)\n"), ON_TIME, 2.0),
    "flood": (answer(GOOD + "for i in range(300_000):\n    print('spam ' * 20, i)\n"),
              ON_TIME, 2.0),
    "edittest": (_edit_test_cell, ON_TIME, 0.0),
    "deltest": (_delete_test_cell, ON_TIME, 0.0),
    "metadata": (_change_metadata, ON_TIME, 0.0),
    "fakeeq": (answer("class Anything(float):\n    def __eq__(self, other):\n        return True\n"
                      "    __hash__ = float.__hash__\n"
                      "def median_wait(values):\n    return Anything(0)\n"), ON_TIME, 0.0),
    "assertpatch": (answer("import builtins\nbuiltins.AssertionError = type('Quiet', "
                           "(Exception,), {})\nAssertionError = None\n"
                           "def median_wait(values):\n    return 0.0\n"), ON_TIME, 0.0),
    "hidefail": (answer("get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
                        "def median_wait(values):\n    return 0.0\n"), ON_TIME, 0.0),
    "snoop": (answer("from pathlib import Path\n"
                     "print('SEEN', sorted(p.name for p in Path('../..').iterdir()))\n"
                     "print('HOME', sorted(p.name for p in Path.home().iterdir()))\n"
                     "def median_wait(values):\n    return 0.0\n"), ON_TIME, 0.0),
    "vandal": (answer(GOOD + "for rel in ['../../../gradebook.db', '../../../../gradebook.db']:\n"
                      "    try:\n        open(rel, 'wb').write(b'ruined')\n"
                      "    except OSError as exc:\n        print('blocked', exc)\n"), ON_TIME, 2.0),
    "huge": (_huge, ON_TIME, 0.0),
    "envspy": (answer("import os\nprint('ENV', sorted(k for k in os.environ if 'SECRET' in k "
                      "or 'QILAB' in k or 'TOKEN' in k))\n"
                      "def median_wait(values):\n    return 0.0\n"), ON_TIME, 0.0),
}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """A course with every learner above submitted, collected and autograded once."""
    base = tmp_path_factory.mktemp("faults")
    course = init_course(base / "course", course_id="qi-faults", faculty="Test Faculty",
                         exercises=FIXTURE_EXERCISES)
    steps.release(course, ASSIGNMENT, due="2025-01-10 17:00")
    released = course.root / "release" / ASSIGNMENT
    for learner, (edit, when, _) in LEARNERS.items():
        folder = make_submission(released, base / "work" / learner, edit)
        steps.submit_for(course, learner, ASSIGNMENT, folder, when=when)
    # a notebook that is not even JSON
    folder = make_submission(released, base / "work" / "garbage")
    (folder / "quiz.ipynb").write_text("{ this is not a notebook")
    steps.submit_for(course, "garbage", ASSIGNMENT, folder, when=ON_TIME)
    steps.collect(course, ASSIGNMENT)
    limits = Limits(cell_timeout=3, memory_mb=1536, submission_timeout=120)
    first = autograde(course, ASSIGNMENT, workers=2, limits=limits, progress=False)
    second = autograde(course, ASSIGNMENT, workers=2, limits=limits, progress=False)
    return course, first, second


def _autograded(course, learner: str) -> nbformat.NotebookNode:
    return nbformat.read(course.root / "autograded" / learner / ASSIGNMENT / "quiz.ipynb",
                         as_version=4)


def _outputs_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.append(" ".join(out.get("traceback", [])))
        parts.append(str(out.get("ename", "")))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("learner", sorted(LEARNERS))
def test_expected_grade(cohort, learner):
    course, first, _ = cohort
    expected = LEARNERS[learner][2]
    result = {r.student: r for r in first.results}[learner]
    assert result.score == expected, result
    assert result.max_score == 3.0, "a learner changed the assignment's points"


@pytest.mark.slow
def test_rerun_gives_identical_grades(cohort):
    _, first, second = cohort
    assert first.scores() == second.scores()


@pytest.mark.slow
def test_gradebook_backed_up_before_each_run(cohort):
    course, first, second = cohort
    assert first.backup.exists() and second.backup.exists() and first.backup != second.backup
    with sqlite3.connect(first.backup) as db:
        assert db.execute("select count(*) from assignment").fetchone()[0] == 1


@pytest.mark.slow
def test_late_submission_is_flagged(cohort):
    course, first, _ = cohort
    notes = {r.student: r.notes for r in first.results}
    assert any(n.startswith("late by") for n in notes["late"])
    assert not any(n.startswith("late by") for n in notes["strong"])


@pytest.mark.slow
def test_infinite_loop_times_out_and_later_cells_run(cohort):
    course, _, _ = cohort
    nb = _autograded(course, "loop")
    assert "CellTimeoutError" in _outputs_text(cell_by_id(nb, "median-answer"))


@pytest.mark.slow
def test_loop_that_ignores_interrupts_gets_a_fresh_kernel(cohort):
    course, _, _ = cohort
    nb = _autograded(course, "stubborn")
    assert "KernelStopped" in _outputs_text(cell_by_id(nb, "median-answer"))


@pytest.mark.slow
@pytest.mark.parametrize("learner", ["osexit", "segfault"])
def test_dead_kernel_marks_the_cell_and_grading_goes_on(cohort, learner):
    course, first, _ = cohort
    nb = _autograded(course, learner)
    assert "KernelStopped" in _outputs_text(cell_by_id(nb, "median-answer"))
    assert {r.student: r.status for r in first.results}[learner] == "graded"


@pytest.mark.slow
def test_sys_exit_is_just_an_error_in_that_cell(cohort):
    course, _, _ = cohort
    assert "SystemExit" in _outputs_text(cell_by_id(_autograded(course, "sysexit"),
                                                    "median-answer"))


@pytest.mark.slow
def test_memory_bomb_hits_the_limit(cohort):
    course, _, _ = cohort
    assert "MemoryError" in _outputs_text(cell_by_id(_autograded(course, "membomb"),
                                                     "median-answer"))


@pytest.mark.slow
def test_output_flood_is_capped(cohort):
    course, _, _ = cohort
    path = course.root / "autograded" / "flood" / ASSIGNMENT / "quiz.ipynb"
    assert path.stat().st_size < 200_000
    assert "output stopped here" in _outputs_text(cell_by_id(_autograded(course, "flood"),
                                                             "median-answer"))


@pytest.mark.slow
@pytest.mark.parametrize("learner", ["edittest", "deltest", "metadata"])
def test_test_cells_and_metadata_are_restored(cohort, learner):
    course, _, _ = cohort
    source = nbformat.read(course.root / "source" / ASSIGNMENT / "quiz.ipynb", as_version=4)
    graded = _autograded(course, learner)
    test = cell_by_id(graded, "median-test")
    assert cell_by_id(source, "median-test").source in test.source  # hidden test included
    assert cell_by_id(graded, "median-answer").metadata.nbgrader.get("points") is None
    assert test.metadata.nbgrader["points"] == cell_by_id(source, "median-test").metadata.nbgrader[
        "points"]
    assert test.metadata.nbgrader["locked"] is True


@pytest.mark.slow
def test_snooping_sees_only_its_own_submission(cohort):
    course, _, _ = cohort
    text = _outputs_text(cell_by_id(_autograded(course, "snoop"), "median-answer"))
    assert "SEEN ['snoop']" in text
    assert "strong" not in text and "gradebook" not in text


@pytest.mark.slow
def test_writing_to_the_gradebook_by_path_does_not_reach_it(cohort):
    course, first, second = cohort
    with sqlite3.connect(course.gradebook) as db:
        assert db.execute("select count(*) from student").fetchone()[0] == len(LEARNERS) + 1
    assert second.scores()["strong"] == 2.0


@pytest.mark.slow
def test_huge_notebook_is_not_parsed_and_says_why(cohort):
    course, first, _ = cohort
    result = {r.student: r for r in first.results}["huge"]
    assert result.status == "oversized" and "limit" in result.notes[0]
    nb = _autograded(course, "huge")
    assert "Not graded" in nb.cells[0].source
    # the learner's own file is kept as submitted
    assert (course.root / "submitted" / "huge" / ASSIGNMENT / "quiz.ipynb").stat().st_size > 5e6


@pytest.mark.slow
def test_broken_notebook_fails_alone(cohort):
    _, first, _ = cohort
    status = {r.student: r.status for r in first.results}
    assert status["garbage"] == "failed"
    assert sum(s == "failed" for s in status.values()) == 1


@pytest.mark.slow
def test_kernels_never_see_the_faculty_secret(cohort, faculty_secret):
    course, _, _ = cohort
    text = _outputs_text(cell_by_id(_autograded(course, "envspy"), "median-answer"))
    assert "ENV []" in text
    for learner in LEARNERS:
        nb_path = course.root / "autograded" / learner / ASSIGNMENT / "quiz.ipynb"
        if nb_path.exists():
            assert faculty_secret.read_text().strip() not in nb_path.read_text()


@pytest.mark.slow
def test_submission_time_budget_stops_the_rest(cohort):
    """With a 4 s budget, the stubborn loop uses it up and later cells are not run."""
    course, _, _ = cohort
    report = autograde(course, ASSIGNMENT, student="stubborn", workers=1, progress=False,
                       limits=Limits(cell_timeout=2, memory_mb=1536, submission_timeout=4))
    assert report.results[0].score == 0.0
    nb = _autograded(course, "stubborn")
    assert "NotRun" in _outputs_text(cell_by_id(nb, "median-test"))
    assert report.seconds < 60
