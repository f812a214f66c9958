"""The nbgrader assignments: valid sources, safe releases, and answers that are per learner.

One temporary nbgrader course is made for the session (see conftest.py). Notebooks run in
fresh kernels as different learners (JUPYTERHUB_USER, or an nbgrader autograde folder).
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from qilab.cohort import checks
from qilab.cohort.identity import learner_seed

from .conftest import ASSIGNMENTS, LEARNERS, learner_spec

PER_LEARNER = ("foundation", "aware-quiz", "practice-run-charts")
#: Learners each source runs as: 5 for the certification assignments; practice does not count
#: towards a certificate, so 2 are enough (and keep the suite quick).
RUN_AS = {"foundation": LEARNERS, "aware-quiz": LEARNERS, "practice-run-charts": LEARNERS[:2]}


def _test_cells(results: list[dict]) -> list[dict]:
    return [r for r in results if r["grade"] and not r["solution"]]


def _by_id(results: list[dict]) -> dict[str, dict]:
    return {r["grade_id"]: r for r in results}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_validate_passes_on_every_source(course, assignment) -> None:
    out = course.validate_output[assignment]
    assert course.validate_codes[assignment] == 0, out
    assert "Success! Your notebook passes all the tests." in out, out


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_sources_are_committed_without_outputs(course, assignment) -> None:
    nb = nbformat.read(course.source(assignment), as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
    assert len(ids) == len(set(ids))
    assert all(c.metadata["nbgrader"]["schema_version"] == 3 for c in nb.cells)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_gives_no_answers_away(course, assignment) -> None:
    text = course.release(assignment).read_text(encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "verify_in_clean_process",
                   "model_answer", "model_aims", "_clean", "_sys"):
        assert secret not in text, secret
    source = course.source(assignment).read_text(encoding="utf-8")
    if "BEGIN SOLUTION" in source:
        assert "raise NotImplementedError()" in text or "YOUR ANSWER HERE" in text
    # values from the model solutions do not leak into the release
    for value in ("Beech Ward from 9 to 4", "Discharge letters sent", "Fewer falls at Oak House",
                  "progress_score = 3.5", "Intentional rounding at 2 am"):
        assert value not in text
    nb = nbformat.reads(text, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.fixture(scope="session")
def source_runs(course, run_notebooks, tmp_path_factory):
    """Every per-learner source notebook run as several learners (solutions in place)."""
    base = tmp_path_factory.mktemp("runs")
    specs, keys = [], []
    for assignment in PER_LEARNER:
        for learner in RUN_AS[assignment]:
            specs.append(learner_spec(course.source(assignment), learner,
                                      base / assignment / learner))
            keys.append((assignment, learner))
    return dict(zip(keys, run_notebooks(specs)))


@pytest.mark.parametrize("assignment", PER_LEARNER)
def test_model_solutions_pass_visible_and_hidden_tests_for_each_learner(source_runs,
                                                                         assignment) -> None:
    for learner in RUN_AS[assignment]:
        results = source_runs[(assignment, learner)]
        problems = [(r["grade_id"], r["error"], r["stderr"]) for r in results
                    if r["error"] or (r["grade"] and r["stderr"])]
        assert not problems, (learner, problems)
        assert _test_cells(results)


def test_each_learner_is_told_whose_data_they_have(source_runs) -> None:
    for learner in LEARNERS:
        setup = _by_id(source_runs[("foundation", learner)])["setup"]
        assert f"made for {learner!r}" in setup["stdout"]


def test_public_tests_fail_in_the_release_without_answers(course) -> None:
    """``nbgrader validate --invert`` on every release: no test passes without answers."""
    out = course.validate_output["releases"]
    assert course.validate_codes["releases"] == 0, out
    assert out.count("Success! The notebook does not pass any tests.") == len(ASSIGNMENTS), out


def _foundation_answers(learner: str) -> dict[str, str]:
    """Replacement answer cells holding ``learner``'s right answers as literal values."""
    seed = learner_seed(learner, "foundation")
    run_chart = checks.model_answer("foundation.run_chart", seed)
    measures = checks.model_answer("foundation.measures", seed)
    return {"run-chart-answer": f"run_chart_answer = {json.dumps(run_chart)}"
                                .replace("true", "True").replace("false", "False"),
            "measures-answer": f"measures_answer = {measures!r}"}


def test_another_learners_answers_fail_and_the_autograde_path_decides(course, run_notebooks,
                                                                       tmp_path) -> None:
    """bashir submits ada's answers. As bashir they fail the hidden tests; graded in an
    nbgrader autograde folder for ada they pass, even though JUPYTERHUB_USER says bashir."""
    copied = _foundation_answers("ada")
    own = _foundation_answers("bashir")
    assert copied["run-chart-answer"] != own["run-chart-answer"]
    as_bashir = learner_spec(course.source("foundation"), "bashir", tmp_path / "bashir",
                             replace=copied)
    as_ada_path = learner_spec(course.source("foundation"), "bashir",
                               tmp_path / "course" / "autograded" / "ada" / "foundation",
                               replace=copied)
    bashir, ada_path = run_notebooks([as_bashir, as_ada_path])
    failed = {r["grade_id"] for r in _test_cells(bashir) if r["error"]}
    assert {"test-run-chart-numbers", "test-run-chart-rules"} <= failed
    if copied["measures-answer"] != own["measures-answer"]:
        assert "test-measures" in failed
    for r in _test_cells(bashir):
        if r["error"]:
            assert "AssertionError" in r["error"] and "bashir" in r["error"]
    ok = _by_id(ada_path)
    assert not ok["test-run-chart-numbers"]["error"] and not ok["test-measures"]["error"]


CHEAT = '''
import os, subprocess
import numpy as np
import qilab
import qilab.charts.spc as spc_module
from qilab.cohort import checks as C

class Yes(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__

run_chart_answer = {"median": -1.0, "longest_run": 99, "n_crossings": 99,
                    "ihi_rules": ["too many runs"], "anhoej_signal": True}
# make everything in this kernel agree with the wrong answers
C.expected_run_chart_answer = lambda data: dict(run_chart_answer)
C.check_run_chart_answer = lambda *a, **k: C.CheckResult(True)
C.verify_in_clean_process = lambda *a, **k: C.Verdict(True, "fine")
C.require = lambda *a, **k: None
qilab.spc = spc_module.spc = lambda *a, **k: None
np.median = lambda *a, **k: -1.0
subprocess.run = lambda *a, **k: None
os.posix_spawn = lambda *a, **k: 0
import importlib
importlib.reload = lambda module: module
# make every later `assert` statement pass
get_ipython().input_transformers_cleanup.append(
    lambda lines: [line.replace("assert ", "assert True or ") for line in lines])
'''


def test_a_learner_who_patches_their_kernel_still_fails_the_hidden_tests(course, run_notebooks,
                                                                          tmp_path) -> None:
    seed = learner_seed("chen-li", "foundation")
    kinds = checks._measure_kinds(seed)
    wrong = {k: next(letter for letter, kind in kinds.items() if kind != k)
             for k in ("outcome", "process", "balancing")}
    replace = {"run-chart-answer": CHEAT,
               "measures-answer": "measures_answer = {k: Yes(v) for k, v in %r.items()}" % wrong,
               "aim-answer": 'my_aim = Yes("We will all try to do better")'}
    (results,) = run_notebooks([learner_spec(course.source("foundation"), "chen-li",
                                             tmp_path / "chen-li", replace=replace)])
    by_id = _by_id(results)
    assert by_id["run-chart-answer"]["error"] is None  # the cheat itself ran
    for gid in ("test-run-chart-numbers", "test-run-chart-rules", "test-measures", "test-aim"):
        assert by_id[gid]["error"] and "AssertionError" in by_id[gid]["error"], by_id[gid]
    # and the tamper scan shows the trainer what was tried
    nb = nbformat.read(course.source("foundation"), as_version=4)
    for cell in nb.cells:
        if cell.metadata["nbgrader"]["grade_id"] in replace:
            cell.source = replace[cell.metadata["nbgrader"]["grade_id"]]
    whys = {f.why for f in checks.scan_notebook(nb)}
    assert "rewrites later cells before they run" in whys
    assert "replaces part of a library the checks use" in whys


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_tamper_scan_on_model_solutions(course, assignment) -> None:
    """The model solutions are clean, except that the keyed tasks' solutions ask for the
    model answer, which the scan rightly flags (a learner doing so would be looking it up)."""
    whys = {f.why for f in checks.scan_notebook(Path(course.source(assignment)))}
    assert whys <= {"asks the marking code for the model answer"}
    assert bool(whys) == (assignment in ("aware-quiz", "foundation"))
