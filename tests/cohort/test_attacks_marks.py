"""Hostile learners against the marks, end to end: the real Aware and Foundation assignments
through ``qilab cohort release``, ``collect``, ``autograde``, ``feedback`` and ``certify``.

Every trick here beat nbgrader's own scoring (a test cell scores full marks when it shows no
error, or the number it displays): a hook that displays each cell's marks before its error,
the same hook switched on only while grading (and written so the tamper scan sees nothing),
custom exception handlers that swallow errors, an answer object that makes the grader's
question list or run chart answer empty, answers with extra or missing keys, objects with a
rigged ``__eq__``, and a fake chart that passed the one test the grader did not check itself.
Each learner must score exactly what their real answers earn, the honest learners graded in
the same batch exactly their grades, and only those whose real answers meet the standard get
a certificate. Feedback holds only HTML pages, never another learner's grades, anything read
while grading, or the faculty secret.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from cohort_helpers import cell_by_id, make_submission

from qilab.cohort import checks, steps
from qilab.cohort.course import EXERCISES_DIR, init_course, venv_env
from qilab.cohort.identity import learner_seed
from qilab.cohort.register import read_register

pytestmark = pytest.mark.slow
ON_TIME = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)

# ------------------------------------------------------------------ the tricks (answer cells)
#: Displays each test cell's marks (read from its "(N marks)" comment) before it runs.
DISPLAY = '''
import re
_ip = get_ipython()
def _show_marks(info):
    found = re.search(r"\\((\\d+) marks?", info.raw_cell)
    if found:
        _ip.displayhook(int(found.group(1)))
_ip.events.register("pre_run_cell", _show_marks)
'''
#: The same, only while grading, and with no name the tamper scan looks for.
GRADING_TIME_ONLY = '''
_g = globals()["get_" + "ipython"]()
if "autograded" in getattr(__import__("o" + "s"), "get" + "cwd")():
    def _show(info, _g=_g):
        import re as _re
        _m = _re.search(r"\\((\\d+) marks?", info.raw_cell)
        if _m:
            getattr(_g, "display" + "hook")(int(_m.group(1)))
    getattr(getattr(_g, "eve" + "nts"), "reg" + "ister")("pre_run_cell", _show)
'''
#: Errors swallowed: IPython's custom exception handler and sys.excepthook.
CUSTOM_EXC = '''
import sys
def _quiet(*args, **kwargs):
    return None
get_ipython().set_custom_exc((BaseException,), _quiet)
sys.excepthook = _quiet
'''
#: Errors never shown.
SHOW_TRACEBACK = '''
get_ipython().showtraceback = lambda *args, **kwargs: None
'''

#: Works in a folder named as nbgrader names another learner's, so that code which finds out
#: who is graded from the working folder (the in-kernel checks do) takes it for aw-honest.
IMPOSTOR = '''
import os, tempfile
_fake = os.path.join(tempfile.mkdtemp(), "autograded", "aw-honest", "aware-quiz")
os.makedirs(_fake)
os.chdir(_fake)
'''


def handing_over(plain: str) -> str:
    """Every answer the grader (or a hidden test) reads becomes ``plain``, errors hidden."""
    return CUSTOM_EXC + f'''
import builtins
_real_import = builtins.__import__
def _import(name, *args, **kwargs):
    module = _real_import(name, *args, **kwargs)
    if name == "qilab.cohort.checks":
        module._plain_json = lambda value: {plain!r}
    return module
builtins.__import__ = _import
'''


RIGGED = '''
class Yes(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
    def strip(self):
        return self
class Anything(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
class AllRules(list):
    def __eq__(self, other):
        return True
'''


def cli(course, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "qilab.cli", "cohort", *args, "--course-dir", str(course.root)]
    return subprocess.run(cmd, capture_output=True, text=True, env=venv_env(), timeout=900)


def replace_cells(cells: dict[str, str]):
    def edit(nb):
        for grade_id, source in cells.items():
            cell_by_id(nb, grade_id).source = source
    return edit


def scores(course, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook
    with Gradebook(course.db_url, course.course_id) as gb:
        return {s.student.id: float(s.score) for s in gb.assignment_submissions(assignment)}


# ------------------------------------------------------------------ Aware
def quiz_answers(learner: str, right: int) -> dict[int, str]:
    """``learner``'s quiz with the first ``right`` answers right and the rest wrong."""
    key = checks.model_answer("aware.quiz", learner_seed(learner, "aware-quiz"))
    return {n: key[n] if n <= right else next(x for x in "ABCD" if x != key[n]) for n in key}


def quiz_cell(learner: str, right: int, trick: str = "") -> str:
    return f"answers = {quiz_answers(learner, right)!r}\n{trick}"


AWARE = {  # learner: (answer cell, marks the real answers earn)
    "aw-honest": (lambda me: quiz_cell(me, 8), 8.0),
    "aw-honest6": (lambda me: quiz_cell(me, 6), 6.0),
    "aw-mixed": (lambda me: quiz_cell(me, 6, DISPLAY), 6.0),
    "aw-display": (lambda me: quiz_cell(me, 0, DISPLAY), 0.0),
    "aw-gradetime": (lambda me: quiz_cell(me, 0, GRADING_TIME_ONLY), 0.0),
    "aw-customexc": (lambda me: quiz_cell(me, 0, CUSTOM_EXC), 0.0),
    "aw-showtb": (lambda me: quiz_cell(me, 0, SHOW_TRACEBACK), 0.0),
    "aw-emptylist": (lambda me: quiz_cell(me, 0, handing_over(
        '{"answers": {}, "questions": []}')), 0.0),
    "aw-rigged": (lambda me: RIGGED + "answers = {n: Yes(v) for n, v in "
                  f"{quiz_answers(me, 0)!r}.items()}}\n" + CUSTOM_EXC, 0.0),
    # aw-honest's answers, from a folder named as if it were aw-honest's: they earn what they
    # earn on the impostor's own quiz (1 right by chance)
    "aw-impostor": (lambda me: quiz_cell("aw-honest", 8, IMPOSTOR), 1.0),
}


@pytest.fixture(scope="module")
def aware(tmp_path_factory):
    base = tmp_path_factory.mktemp("aware-attacks")
    course = init_course(base / "course", course_id="qi-aware", faculty="Test QI Faculty",
                         exercises=EXERCISES_DIR)
    steps.release(course, "aware-quiz")
    released = course.root / "release" / "aware-quiz"
    for learner, (cell, _) in AWARE.items():
        folder = make_submission(released, base / "work" / learner,
                                 replace_cells({"answers": cell(learner)}))
        steps.submit_for(course, learner, "aware-quiz", folder, when=ON_TIME)
    steps.collect(course, "aware-quiz")
    graded = cli(course, "autograde", "aware-quiz", "--workers", "2")
    # the Practitioner's structure checks, in the same course: model evidence, and blank
    # evidence with the display trick
    steps.release(course, "practitioner")
    model = solutions(course.root / "source" / "practitioner" / "practitioner.ipynb")
    for learner, cells in (("pr-honest", model), ("pr-display", {"charter": DISPLAY})):
        folder = make_submission(course.root / "release" / "practitioner",
                                 base / "work" / learner, replace_cells(cells))
        steps.submit_for(course, learner, "practitioner", folder, when=ON_TIME)
    steps.collect(course, "practitioner")
    practitioner = cli(course, "autograde", "practitioner", "--workers", "2")
    from nbgrader.api import Gradebook
    with Gradebook(course.db_url, course.course_id) as gb:
        for learner in AWARE:
            gb.update_or_create_student(learner, first_name="Learner", last_name=learner)
    certified = cli(course, "certify", "--tier", "aware", "--date", "2025-03-15", "--no-pdf")
    return dict(course=course, base=base, graded=graded, certified=certified,
                practitioner=practitioner)


@pytest.mark.parametrize("learner", sorted(AWARE))
def test_aware_marks_are_what_the_real_answers_earn(aware, learner):
    assert aware["graded"].returncode == 0, aware["graded"].stdout + aware["graded"].stderr
    assert scores(aware["course"], "aware-quiz")[learner] == AWARE[learner][1]


def test_aware_certificates_only_for_real_passes(aware):
    assert aware["certified"].returncode == 0, aware["certified"].stderr
    issued = {row["learner"] for row in read_register(aware["course"].register)}
    assert issued == {"aw-honest", "aw-honest6", "aw-mixed"}


def test_practitioner_structure_marks_are_the_graders(aware):
    """12 points for the model evidence's structure, 0 for blank evidence and the trick (the
    rest is marked by a trainer)."""
    assert aware["practitioner"].returncode == 0, aware["practitioner"].stdout
    got = scores(aware["course"], "practitioner")
    assert got == {"pr-honest": 12.0, "pr-display": 0.0}


def test_grading_time_trick_hides_from_the_tamper_scan_but_not_the_grader(aware):
    """The tamper scan is a reason to look, not the defence: the grader's marks are."""
    course = aware["course"]
    submitted = course.root / "submitted" / "aw-gradetime" / "aware-quiz" / "aware-quiz.ipynb"
    assert checks.scan_notebook(submitted) == []
    assert scores(course, "aware-quiz")["aw-gradetime"] == 0.0


def test_graded_notebook_says_when_the_kernel_claimed_a_pass(aware):
    graded = aware["course"].root / "autograded" / "aw-display" / "aware-quiz"
    nb = nbformat.read(graded / "aware-quiz.ipynb", as_version=4)
    text = "".join(o.get("text", "") for o in cell_by_id(nb, "question-1").outputs)
    assert text.startswith("Marked by the grader: 0 of 1 point.")
    assert "showed a pass; the grader's check did not find one" in text


# ------------------------------------------------------------------ Foundation
def foundation_values(learner: str) -> dict[str, object]:
    seed = learner_seed(learner, "foundation")
    return {"run_chart": checks.model_answer("foundation.run_chart", seed),
            "measures": checks.model_answer("foundation.measures", seed),
            "scenario": checks.foundation_scenario(seed)["key"]}


def py(value: object) -> str:
    return json.dumps(value).replace("true", "True").replace("false", "False")


def solutions(source: Path) -> dict[str, str]:
    nb = nbformat.read(source, as_version=4)
    return {c.metadata.nbgrader["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def foundation_cells(learner: str, source: Path, kind: str) -> dict[str, str]:
    """Answer cells for ``learner``: the model solutions, then ``kind``'s changes."""
    cells = solutions(source)
    values = foundation_values(learner)
    wrong_chart = {"median": -1.0, "longest_run": 99, "n_crossings": 99,
                   "ihi_rules": ["too many runs"], "anhoej_signal": True}
    kinds = {k: next(letter for letter in "ABCDEF"
                     if checks.run_task("foundation.measures", {**values["measures"], k: letter},
                                        learner_seed(learner, "foundation")).ok is False)
             for k in ("outcome", "process", "balancing")}
    wrong = {"run-chart-answer": f"run_chart_answer = {py(wrong_chart)}",
             "measures-answer": f"measures_answer = {kinds!r}",
             "aim-answer": 'my_aim = "We will all try harder to do better on the ward."'}
    if kind == "honest9":
        cells["aim-answer"] = wrong["aim-answer"]
    elif kind in ("display", "customexc"):
        cells.update(wrong)
        cells["run-chart-answer"] += "\n" + (DISPLAY if kind == "display" else CUSTOM_EXC)
    elif kind == "emptyanswers":
        cells.update(wrong)
        cells["run-chart-answer"] += "\n" + handing_over("{}")
    elif kind == "keys":
        chart = {k: v for k, v in values["run_chart"].items() if k != "anhoej_signal"}
        cells["run-chart-answer"] = (f"run_chart_answer = {py({**chart, 'median_rounded': 1})}")
        cells["measures-answer"] = f"measures_answer = {({**values['measures'], 'extra': 'A'})!r}"
    elif kind == "rigged":
        cells.update({
            "run-chart-answer": RIGGED + "run_chart_answer = {'median': Anything(-1), "
            "'longest_run': Anything(99), 'n_crossings': Anything(99), "
            "'ihi_rules': AllRules(['trend']), 'anhoej_signal': Yes('maybe')}",
            "measures-answer": "measures_answer = {k: Yes(v) for k, v in "
                               f"{kinds!r}.items()}}",
            "aim-answer": 'my_aim = Yes("We will all try harder to do better on the ward.")'})
    elif kind == "blanked":
        cells["aim-answer"] = wrong["aim-answer"]
        cells["my-run-chart"] = ("class _Chart:\n    points = list(range(10))\n"
                                 "    notes = {1: 'a change'}\nmy_chart = _Chart()\n")
    return cells


#: learner: marks the real answers earn (of 11 autograded). display and customexc have wrong
#: answers but their own run chart is real (1 mark).
FOUNDATION = {
    "fd-honest": 11.0, "fd-honest9": 9.0, "fd-display": 1.0, "fd-customexc": 1.0,
    "fd-emptyanswers": 0.0, "fd-keys": 9.0, "fd-rigged": 1.0, "fd-blanked": 8.0,
}
MANUAL = {"my-run-chart": 4.0, "my-run-chart-reading": 2.0, "reflection": 3.0}


def snoop_cell(gradebook: Path, secret: Path) -> str:
    """Honest answers, plus printing what it can read of the gradebook and the secret."""
    return f'''
for _path in [{str(gradebook)!r}, {str(secret)!r}]:
    try:
        print("LE" + "AK", open(_path, "rb").read()[:20000])
    except OSError as _exc:
        print("blocked", type(_exc).__name__)
'''


@pytest.fixture(scope="module")
def foundation(tmp_path_factory, faculty_secret):
    base = tmp_path_factory.mktemp("foundation-attacks")
    course = init_course(base / "course", course_id="qi-found", faculty="Test QI Faculty",
                         exercises=EXERCISES_DIR)
    steps.release(course, "foundation")
    released = course.root / "release" / "foundation"
    source = course.root / "source" / "foundation" / "foundation.ipynb"
    for learner in FOUNDATION:
        cells = foundation_cells(learner, source, learner.removeprefix("fd-"))
        folder = make_submission(released, base / "work" / learner, replace_cells(cells))
        steps.submit_for(course, learner, "foundation", folder, when=ON_TIME)
    # fd-snoop: honest, and prints what it can read while graded; fd-linker: honest, and its
    # exchange entry holds links to the gradebook and the secret
    cells = foundation_cells("fd-snoop", source, "honest")
    cells["aim-answer"] += snoop_cell(course.gradebook, faculty_secret)
    folder = make_submission(released, base / "work" / "fd-snoop", replace_cells(cells))
    steps.submit_for(course, "fd-snoop", "foundation", folder, when=ON_TIME)
    folder = make_submission(released, base / "work" / "fd-linker", replace_cells(
        foundation_cells("fd-linker", source, "honest")))
    entry = steps.submit_for(course, "fd-linker", "foundation", folder, when=ON_TIME)
    (entry / "grades.db").symlink_to(course.gradebook)
    (entry / "key.txt").symlink_to(faculty_secret)
    steps.collect(course, "foundation")
    graded = cli(course, "autograde", "foundation", "--workers", "2")
    from nbgrader.api import Gradebook
    with Gradebook(course.db_url, course.course_id) as gb:
        for sub in gb.assignment_submissions("foundation"):
            learner = sub.student.id
            gb.update_or_create_student(learner, first_name="Learner", last_name=learner)
            for grade_id, points in MANUAL.items():
                grade = gb.find_grade(grade_id, "foundation", "foundation", learner)
                grade.manual_score = points
                grade.needs_manual_grade = False
        gb.db.commit()
    evidence = base / "evidence.csv"
    evidence.write_text("learner,item,met,assessor,date\n" + "".join(
        f"{learner},personal-run-chart,yes,R Trainer,2025-03-10\n" for learner in FOUNDATION))
    fed = cli(course, "feedback", "foundation")
    certified = cli(course, "certify", "--tier", "foundation", "--evidence", str(evidence),
                    "--date", "2025-03-15", "--no-pdf")
    return dict(course=course, graded=graded, fed=fed, certified=certified)


@pytest.mark.parametrize("learner", sorted(FOUNDATION))
def test_foundation_marks_are_what_the_real_answers_earn(foundation, learner):
    graded = foundation["graded"]
    assert graded.returncode == 0, graded.stdout + graded.stderr
    got = scores(foundation["course"], "foundation")[learner]
    assert got == FOUNDATION[learner] + sum(MANUAL.values())


def test_snooping_learner_keeps_exactly_their_honest_grade(foundation):
    got = scores(foundation["course"], "foundation")["fd-snoop"]
    assert got == 11.0 + sum(MANUAL.values())


def test_foundation_certificates_only_for_real_passes(foundation):
    assert foundation["certified"].returncode == 0, foundation["certified"].stderr
    issued = {row["learner"] for row in read_register(foundation["course"].register)}
    assert issued == {"fd-honest", "fd-honest9", "fd-keys"}


def test_feedback_holds_only_pages_and_nothing_read_while_grading(foundation, faculty_secret):
    assert foundation["fed"].returncode == 0, foundation["fed"].stderr
    course = foundation["course"]
    secret = faculty_secret.read_text().strip()
    pages = 0
    for path in (course.root / "feedback").rglob("*"):
        if path.is_dir():
            continue
        assert path.suffix == ".html" and not path.is_symlink(), path
        text = path.read_text(encoding="utf-8", errors="replace")
        assert secret not in text, path
        assert "LEAK" not in text, path
        me = path.relative_to(course.root / "feedback").parts[0]
        others = [who for who in [*FOUNDATION, "fd-snoop", "fd-linker"] if who != me]
        assert not [who for who in others if re.search(rf"(?<![\w-]){who}(?![\w-])", text)]
        pages += 1
    assert pages >= len(FOUNDATION)


def test_feedback_shows_the_graders_verdicts(foundation):
    page = (foundation["course"].root / "feedback" / "fd-honest9" / "foundation" /
            "foundation.html").read_text()
    assert "Marked by the grader: 3 of 3 points." in page
    assert "Marked by the grader: 0 of 2 points." in page  # the aim


def test_no_file_a_learner_receives_holds_the_secret(foundation, faculty_secret):
    course = foundation["course"]
    secret = faculty_secret.read_text().strip().encode()
    for folder in ("release", "feedback", "exchange"):
        for path in (course.root / folder).rglob("*"):
            if path.is_file() and not path.is_symlink():
                assert secret not in path.read_bytes(), path
