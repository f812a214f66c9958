"""The grader's marking rules (qilab.cohort.marking, checks.run_task), without kernels.

End-to-end attacks through ``qilab cohort autograde`` are in tests/cohort/test_attacks_marks.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import qilab
from qilab.cohort import checks, marking
from qilab.cohort.identity import learner_seed

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = ("aware-quiz", "aware-assessment", "foundation", "practitioner",
               "practice-run-charts")
SEED = learner_seed("ada", "foundation")


def _test_cells(assignment: str) -> list[nbformat.NotebookNode]:
    nb = nbformat.read(ROOT / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.nbgrader.get("grade")
            and not c.metadata.nbgrader.get("solution")]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_autograded_test_cell_is_marked_by_the_grader(assignment):
    """No autograded cell of any assignment is left to what the kernel shows."""
    cells = _test_cells(assignment)
    assert cells
    for cell in cells:
        found = marking.grader_checks(cell.source)
        assert found, cell.metadata.nbgrader["grade_id"]
        for check in found:
            assert checks.TASKS[check.task] == assignment
            assert check.items is None or (
                check.items and set(check.items) <= set(checks.task_items(check.task)))


def test_the_foundation_chart_test_is_checked_by_the_grader():
    """The one test that had no grader check (10 points and a note) now has one."""
    cell = next(c for c in _test_cells("foundation")
                if c.metadata.nbgrader["grade_id"] == "test-my-run-chart")
    assert [c.task for c in marking.grader_checks(cell.source)] == ["foundation.my_chart"]


def test_grader_checks_read_task_answer_and_literal_items():
    src = ("x = 1\n_c.require(_c.verify_in_clean_process('foundation.run_chart', answer,\n"
           "    items=['median']))\n_c.verify_in_clean_process('foundation.aim', my_aim)\n")
    assert marking.grader_checks(src) == [
        marking.GraderCheck("foundation.run_chart", "answer", ("median",)),
        marking.GraderCheck("foundation.aim", "my_aim", None)]
    assert marking.grader_checks("no checks here") == []
    for bad in ("verify_in_clean_process(task, answer)",
                "verify_in_clean_process('no.such.task', answer)",
                "verify_in_clean_process('aware.quiz', answers, items=pick())",
                "verify_in_clean_process('aware.quiz', answers, seed=3)"):
        with pytest.raises(qilab.QIDataError):
            marking.grader_checks(bad)


# ------------------------------------------------------------------ checks go through the items
def test_an_empty_question_list_or_answer_never_passes():
    seed = learner_seed("ada", "aware-quiz")
    key = checks.model_answer("aware.quiz", seed)
    # the old hidden tests' answer shape, with the question list emptied
    assert not checks.run_task("aware.quiz", {"answers": {}, "questions": []}, seed, [1]).ok
    assert not checks.run_task("aware.quiz", {}, seed).ok
    with pytest.raises(qilab.QIDataError, match="names no items"):
        checks.run_task("aware.quiz", key, seed, [])
    assert checks.run_task("aware.quiz", key, seed, [3]).ok
    assert checks.run_task("aware.quiz", {**key, 99: "A", "extra": "B"}, seed).ok


def test_an_empty_or_partial_run_chart_answer_never_passes():
    right = checks.model_answer("foundation.run_chart", SEED)
    empty = checks.run_task("foundation.run_chart", {}, SEED)
    assert not empty.ok and len(empty.messages) == 5
    assert not checks.check_run_chart_answer(checks.foundation_run_chart_data(SEED), {}).ok
    partial = {k: right[k] for k in ("median", "longest_run", "n_crossings")}
    assert checks.run_task("foundation.run_chart", partial, SEED,
                           ["median", "longest_run", "n_crossings"]).ok
    assert not checks.run_task("foundation.run_chart", partial, SEED).ok
    assert checks.run_task("foundation.run_chart", {**right, "extra": 1}, SEED).ok


def test_evidence_items_asked_for_must_be_there():
    charter = {"title": "Fewer falls", "team": ["Lead", "Carer"], "sponsor": "Manager",
               "aim": "Reduce falls among Oak House residents from 8 a month to 4 a month by "
                      "March 2027.", "patient_voice": "A relative joins the team."}
    assert checks.run_task("practitioner.evidence", {"charter": charter}, 1, ["charter"]).ok
    other = checks.run_task("practitioner.evidence", {"progress_score": 3}, 1, ["charter"])
    assert not other.ok and "charter is missing" in other.explain()
    assert not checks.run_task("practitioner.evidence", {}, 1, ["charter"]).ok


@pytest.mark.parametrize("chart,ok", [
    (qilab.spc(y=list(range(10)), notes={3: "PDSA 1"}), True),
    (qilab.spc(y=list(range(9)), notes={3: "PDSA 1"}), False),
    (qilab.spc(y=list(range(12))), False),
])
def test_my_chart_task(chart, ok):
    plain = checks.evidence_to_plain(chart=chart)
    assert checks.run_task("foundation.my_chart", plain, SEED).ok is ok
    assert not checks.run_task("foundation.my_chart", {}, SEED).ok


@pytest.mark.parametrize("answer", [
    {"pdsa_cycles": [{"id": f"C{i}", "follows": f"C{i - 1}"} for i in range(30_000)]},
    {"charter": {"aim": "x" * 50_000}},
    {"chart": {"y": json.loads("[" * 40 + "1" + "]" * 40)}},
])
def test_answers_too_large_to_be_real_are_refused_before_checking(answer):
    with pytest.raises(qilab.QIDataError, match="too"):
        checks.run_task("practitioner.evidence", answer, 1)


# ------------------------------------------------------------------ values from the kernel
def _expr(text: str) -> dict:
    return {"status": "ok", "data": {"text/plain": repr(text)}}


@pytest.mark.parametrize("result", [
    {"status": "error", "ename": "NameError", "evalue": "LEAK: another learner's marks"},
    {"status": "ok", "data": {"text/plain": "12"}},  # not JSON text
    {"status": "ok", "data": {"text/plain": "__import__('os')"}},
    _expr("[" * 100_000 + "]" * 100_000),  # nested too deep to read
    _expr("{not json"),
    {"status": "ok", "data": {"text/plain": repr("1" * (marking.MAX_ANSWER_CHARS + 100))}},
    None,
])
def test_values_that_are_not_plain_data_are_unreadable(result):
    state, why = marking.read_value(result)
    assert state == "unreadable" and "LEAK" not in why


def test_mark_cell_is_all_or_nothing_and_never_crashes():
    right = checks.model_answer("foundation.run_chart", SEED)
    both = [marking.GraderCheck("foundation.run_chart", "a", ("median",)),
            marking.GraderCheck("foundation.run_chart", "b", ("anhoej_signal",))]
    good = {"a": ("ok", right), "b": ("ok", right)}
    assert marking.mark_cell(both, good, "ada", 3) == (3.0, "")
    half = {"a": ("ok", right), "b": ("ok", {**right, "anhoej_signal": "yes"})}
    assert marking.mark_cell(both, half, "ada", 3)[0] == 0.0
    score, message = marking.mark_cell(both, {"a": ("ok", right)}, "ada", 3)
    assert score == 0.0 and "did not run" in message
    # another learner's right answer is wrong for ada
    theirs = checks.model_answer("foundation.run_chart", learner_seed("bashir", "foundation"))
    assert marking.mark_cell(both[:1], {"a": ("ok", theirs)}, "ada", 3)[0] == 0.0
    odd = {"a": ("ok", [[[]]]), "b": ("ok", {"median": {"x": [1]}})}
    assert marking.mark_cell(both, odd, "ada", 3)[0] == 0.0


def test_feedback_copy_keeps_only_the_graders_verdicts():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print(open('/secret').read())", outputs=[
            nbformat.v4.new_output("stream", text="LEAK")]),
        nbformat.v4.new_code_cell(
            "_c.require(_c.verify_in_clean_process('foundation.aim', my_aim))", outputs=[
                nbformat.v4.new_output("stream", text="Marked by the grader: 2 of 2 points.\n"),
                nbformat.v4.new_output("stream", text="LEAK")]),
        nbformat.v4.new_code_cell("assert f() == 1", outputs=[
            nbformat.v4.new_output("stream", text="LEAK")])])
    nb.cells[0].metadata.nbgrader = {"grade": False, "solution": True}
    for cell in nb.cells[1:]:
        cell.metadata.nbgrader = {"grade": True, "solution": False, "points": 2}
    nb.metadata.widgets = {"application/vnd.jupyter.widget-state+json": {"state": "LEAK"}}
    out = marking.for_feedback(nb)
    assert [len(c.outputs) for c in out.cells] == [0, 1, 0]
    assert "LEAK" not in nbformat.writes(out)
    assert out.cells[1].outputs[0].text.startswith("Marked by the grader")
    assert "LEAK" in nb.cells[0].outputs[0].text  # the original is untouched
