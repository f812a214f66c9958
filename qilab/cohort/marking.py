"""Marks the grader decides: every autograded cell scored from trusted sources, not the kernel.

nbgrader scores a test cell by what the learner's kernel displayed (full marks without an
error, or a number it shows). Code in a learner's notebook controls that display, so
``qilab cohort autograde`` does not use it for any cell the grader can check. Instead:

1. **What to mark** comes from the test cell's source as the trainer wrote it, read from the
   gradebook: each ``verify_in_clean_process("task", answer, items=[...])`` call in a hidden
   test names the task, the expression that holds the answer and (as literals) the items to
   check (:func:`grader_checks`).
2. **The answer's value** is the only thing the kernel supplies. Right after the test cell
   runs, the grader asks the kernel for each answer expression's value as JSON text
   (:func:`take_answers`) and reads it as plain data, within a size limit. A value that
   cannot be read scores 0.
3. **The marks** are worked out here, in the grader's process, by
   :func:`qilab.cohort.checks.run_task` with the learner's seed from the gradebook's learner
   id, and written to the gradebook's ``Grade.auto_score`` by :class:`SaveGraderMarks` (which
   takes the place of nbgrader's ``SaveAutoGrades``). A cell earns its points only if every
   check in it passes. The cell's outputs are replaced by the grader's verdict, so Formgrader
   and the feedback show what was marked, and say so when the kernel had shown a pass that
   the grader did not find.

An answer written as ``saved_answers('<file>')`` (the Aware assessment, answered with widgets
that save a file) is not asked of the kernel at all: the grader reads that file from its own
copy of the submission (:func:`file_answer`, :func:`read_submitted_file`).

Graded test cells without such a call (tests a course adds of its own) keep nbgrader's
scoring; ``tests/exercises/test_marking.py`` checks that every test cell in ``exercises/`` has
one. :func:`for_feedback` keeps, of all outputs, only the grader's verdicts.

>>> [(c.task, c.answer, c.items) for c in grader_checks(
...     "_clean.require(_clean.verify_in_clean_process('aware.quiz', answers, items=[3]))")]
[('aware.quiz', 'answers', (3,))]
"""
from __future__ import annotations

import ast
import asyncio
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import QIDataError

#: Where :func:`take_answers` leaves the values it read, in nbconvert's ``resources``.
ANSWERS = "qilab_answers"
#: The most JSON text one answer may take.
MAX_ANSWER_CHARS = 1_000_000
#: The most characters of a check's messages shown with the marks.
MAX_MESSAGE_CHARS = 600
_CALL = "verify_in_clean_process"
_AS_JSON = "__import__('qilab.cohort.checks', fromlist=['_plain_json'])._plain_json({})"


@dataclass(frozen=True)
class GraderCheck:
    """One check a test cell asks for: a task, the answer's expression, and the items."""

    task: str
    answer: str
    items: tuple[Any, ...] | None = None


def grader_checks(source: str) -> list[GraderCheck]:
    """The grader checks in a test cell's (trusted) source, in order.

    Raises :class:`qilab.QIDataError` if a call is malformed: a task that is not a literal
    string or not a known task, or ``items`` that are not a literal list.
    """
    from .checks import TASKS

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)),
                   key=lambda n: (n.lineno, n.col_offset))
    for node in calls:
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        if name != _CALL:
            continue
        if len(node.args) != 2 or not isinstance(node.args[0], ast.Constant) \
                or node.args[0].value not in TASKS:
            raise QIDataError(f"A test calls {_CALL} without a known task as a literal "
                              "string and an answer: the grader cannot mark it.", field="task")
        items = None
        for kw in node.keywords:
            if kw.arg != "items":
                raise QIDataError(f"A test passes {kw.arg!r} to {_CALL}: the grader only "
                                  "takes items=[...].", field="items")
            try:
                items = tuple(ast.literal_eval(kw.value))
            except (ValueError, TypeError, SyntaxError):
                raise QIDataError(f"A test's items for {node.args[0].value!r} are not a "
                                  "literal list.", field="items") from None
        found.append(GraderCheck(node.args[0].value,
                                 ast.get_source_segment(source, node.args[1]) or "", items))
    return found


_FILE_CALL = "saved_answers"
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def file_answer(expression: str) -> str | None:
    """The file named by an answer written as ``saved_answers('name')`` (or
    ``module.saved_answers('name')``), or None for any other answer expression.

    >>> file_answer("_clean.saved_answers('aware-answers.json')")
    'aware-answers.json'
    >>> file_answer("answers") is None, file_answer("saved_answers('../x')") is None
    (True, True)
    """
    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Call) or node.keywords or len(node.args) != 1:
        return None
    name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
    arg = node.args[0]
    if name != _FILE_CALL or not isinstance(arg, ast.Constant) or not isinstance(arg.value, str):
        return None
    return arg.value if _FILE_NAME.fullmatch(arg.value) and ".." not in arg.value else None


def read_submitted_file(folder: str | os.PathLike[str] | None, name: str) -> tuple[str, Any]:
    """``("ok", text)`` of a saved answers file in the grader's copy of a submission, or
    ``("refused", reason)``; never follows a link, reads at most the size limit."""
    from .assessment import read_answers_file

    if folder is None:
        return ("refused", "the grader could not find the submission's folder")
    try:
        return ("ok", read_answers_file(Path(folder) / name))
    except QIDataError as exc:
        return ("refused", str(exc))
    except OSError as exc:
        return ("refused", f"the answers file could not be read ({type(exc).__name__})")


def _is_test_cell(cell: Any) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) \
        and not meta.get("solution")


async def take_answers(client: Any, cell: Any) -> None:
    """After a test cell ran, read the value of each answer its grader checks name.

    ``client`` is the nbclient ``NotebookClient`` that ran the cell (its kernel is still the
    learner's). Values go to ``client.resources[ANSWERS][grade_id][expression]`` as
    ``("ok", value)`` or ``("unreadable", reason)``; the kernel supplies nothing else. Raises
    ``RuntimeError`` if the kernel does not answer in time (the caller replaces the kernel).
    """
    if not _is_test_cell(cell):
        return
    try:
        wanted = grader_checks(cell.source)
    except QIDataError:
        return  # SaveGraderMarks reports it and scores 0
    wanted = [check for check in wanted if file_answer(check.answer) is None]
    if not wanted:
        return
    from jupyter_core.utils import ensure_async

    exprs = {f"a{i}": _AS_JSON.format(check.answer) for i, check in enumerate(wanted)}
    msg_id = await ensure_async(client.kc.execute("", silent=True, store_history=False,
                                                  user_expressions=exprs))
    try:
        reply = await asyncio.wait_for(client.async_wait_for_reply(msg_id),
                                       timeout=float(client.timeout or 30))
    except asyncio.TimeoutError:
        raise RuntimeError("the kernel did not hand over the answers in time") from None
    got = ((reply or {}).get("content") or {}).get("user_expressions") or {}
    store = client.resources.setdefault(ANSWERS, {})
    mine = store.setdefault(cell.metadata["nbgrader"]["grade_id"], {})
    for i, check in enumerate(wanted):
        mine[check.answer] = read_value(got.get(f"a{i}"))


def read_value(result: Any) -> tuple[str, Any]:
    """Plain data from one user-expression result, or why it cannot be read.

    The reason never quotes the kernel's text (it is the learner's code's to choose).

    >>> read_value({"status": "ok", "data": {"text/plain": repr('{"a": [1, 2]}')}})
    ('ok', {'a': [1, 2]})
    >>> read_value({"status": "error", "ename": "NameError"})[0]
    'unreadable'
    """
    if not isinstance(result, dict) or result.get("status") != "ok":
        return ("unreadable", "the answer could not be read (is it defined, and is it plain "
                              "data: numbers, text, True or False, lists and dictionaries?)")
    text = (result.get("data") or {}).get("text/plain")
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS + 10:
        return ("unreadable", "the answer is too large to mark")
    try:
        raw = ast.literal_eval(text)
        if not isinstance(raw, str):
            raise ValueError
        return ("ok", json.loads(raw))
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return ("unreadable", "the answer could not be read as plain data")


def mark_cell(checks_: list[GraderCheck], answers: dict[str, tuple[str, Any]], student: str,
              points: float) -> tuple[float, str]:
    """``(score, message)`` for one test cell: ``points`` if every check passes, else 0."""
    from . import checks
    from .identity import learner_seed

    problems: list[str] = []
    for check in checks_:
        state, value = answers.get(check.answer, ("unreadable", "the test did not run to its "
                                                  "end, so no answer was read"))
        if state == "refused":
            problems.append(str(value))
            continue
        if state != "ok":
            problems.append(f"Not marked: {value}.")
            continue
        try:
            seed = learner_seed(student, checks.TASKS[check.task])
            result = checks.run_task(check.task, value, seed, check.items)
        except QIDataError as exc:
            problems.append(str(exc))
            continue
        except Exception as exc:  # noqa: BLE001 - odd data must cost marks, never the batch
            problems.append(f"The answer could not be checked ({type(exc).__name__}).")
            continue
        if not result.ok:
            problems.append(result.explain())
    message = " ".join(problems)
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[:MAX_MESSAGE_CHARS - 3] + "..."
    return (0.0 if problems else float(points)), message


def _verdict_output(score: float, points: float, message: str, kernel_score: float | None
                    ) -> Any:
    from nbformat import NotebookNode

    unit = "point" if points == 1 else "points"
    text = f"Marked by the grader: {score:g} of {points:g} {unit}."
    if message:
        text += f" {message}"
    if kernel_score and kernel_score > score:
        text += (" (The notebook's own run of this test showed a pass; the grader's check did "
                 "not find one.)")
    return NotebookNode(output_type="stream", name="stdout" if score == points else "stderr",
                        text=text + "\n")


def _save_grader_marks_class() -> type:
    from nbgrader import utils
    from nbgrader.preprocessors import SaveAutoGrades

    class SaveGraderMarks(SaveAutoGrades):
        """nbgrader's ``SaveAutoGrades``, except that a test cell with grader checks gets
        the grader's marks (:func:`mark_cell`), and the grader's verdict as its output."""

        def _submission_folder(self) -> Path | None:
            """The grader's copy of this submission, as collected (``submitted_directory``,
            which ``qilab cohort autograde`` stages before any kernel starts)."""
            course = self.config.get("CourseDirectory", {})
            root, sub = course.get("root"), course.get("submitted_directory")
            if not root or not sub:
                return None
            return Path(root) / sub / self.student_id / self.assignment_id

        def _add_score(self, cell: Any, resources: Any) -> None:
            if not _is_test_cell(cell):
                return super()._add_score(cell, resources)
            from nbgrader.api import MissingEntry

            grade_id = cell.metadata["nbgrader"]["grade_id"]
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                         self.assignment_id).source
            except MissingEntry:
                return super()._add_score(cell, resources)
            try:
                wanted = grader_checks(source)
            except QIDataError as exc:
                wanted, broken = [GraderCheck("", "")], str(exc)
            else:
                broken = ""
            if not wanted:
                return super()._add_score(cell, resources)
            grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id,
                                              self.student_id)
            points = float(grade.max_score)
            if broken:
                score, message = 0.0, broken
            else:
                answers = dict(resources.get(ANSWERS, {}).get(grade_id, {}))
                for check in wanted:
                    name = file_answer(check.answer)
                    if name is not None:  # read by the grader, never asked of the kernel
                        answers[check.answer] = read_submitted_file(
                            self._submission_folder(), name)
                score, message = mark_cell(wanted, answers, self.student_id, points)
            kernel_score, _ = utils.determine_grade(cell, self.log)
            cell.outputs = [_verdict_output(score, points, message, kernel_score)]
            grade.auto_score = score
            grade.needs_manual_grade = grade.manual_score is not None
            self.gradebook.db.commit()

    return SaveGraderMarks


def save_grader_marks() -> type:
    """The preprocessor class that replaces nbgrader's ``SaveAutoGrades`` in autograde."""
    global _SAVE_CLASS
    if _SAVE_CLASS is None:
        _SAVE_CLASS = _save_grader_marks_class()
    return _SAVE_CLASS


_SAVE_CLASS: type | None = None


def for_feedback(nb: Any) -> Any:
    """A copy of an autograded notebook fit to give the learner: every output, and the widget
    state, removed, except the grader's verdicts on test cells with grader checks.

    Outputs and widget state made while grading come from the learner's code running on the
    grading machine, so they are no channel back to the learner for anything read there.
    """
    import copy

    out = copy.deepcopy(nb)
    out.metadata.pop("widgets", None)  # widget state the kernel left while graded
    for cell in out.cells:
        if cell.get("cell_type") != "code":
            continue
        keep = False
        if _is_test_cell(cell):
            try:
                keep = bool(grader_checks(cell.source))
            except QIDataError:
                keep = False
        if keep:
            cell.outputs = [o for o in cell.outputs if o.get("output_type") == "stream"
                            and str(o.get("text", "")).startswith("Marked by the grader:")][:1]
        else:
            cell.outputs = []
        cell.execution_count = None
    return out
