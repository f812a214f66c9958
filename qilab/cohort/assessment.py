"""The Aware assessment without code: a question paper per learner, a saved answers file, marks.

The Aware assessment (``exercises/aware-assessment``) is answered with widgets
(:mod:`qilab.cohort.assessment_app`): radio choices and one short text box, then Submit. No
learner writes code. This module holds what the app and the grader share:

* **The paper.** :func:`paper` gives a learner their questions: ``CHOICE_QUESTIONS`` chosen
  from the Aware question bank with the options in the learner's own order, and one short
  text question, all from the learner's seed (:func:`qilab.cohort.identity.learner_seed` for
  ``aware-assessment``). Each question has an id from the bank (``"c07"``, ``"t2"``), so the
  answers name the questions they answer. The paper never holds the key.
* **The answers file.** The app saves ``aware-answers.json`` in the assignment folder,
  atomically (:func:`save_answers`), so ``nbgrader submit`` carries it with the notebook:
  ``{"schema": "qilab.aware-answers", "schema_version": 1, "assignment": ..., "learner": ...,
  "answers": {"c07": "B", "t2": "plan do study act", ...}}``.
* **The marks.** :func:`check_answers` reads the file's text and marks the items (question
  numbers 1 to ``LENGTH``) asked for. It trusts nothing in the file: a file that is too large,
  not JSON, of another schema, assignment or learner, or that names a question not on this
  learner's paper (or more answers than the paper has) is refused as a whole with a clear
  reason, so every item scores 0; a value that is not a letter or a short text scores 0 for
  its item. The grader reads the file from its own copy of the submission, never from the
  learner's kernel (:mod:`qilab.cohort.marking`).

>>> seed = learner_seed("ann", ASSIGNMENT)
>>> p = paper(seed)
>>> len(p), [q["kind"] for q in p].count("text")
(8, 1)
>>> text = answers_text("ann", _key(seed))
>>> check_answers(text, seed).details
{'right': 8, 'asked': 8}
>>> check_answers(text, learner_seed("bob", ASSIGNMENT))
Traceback (most recent call last):
...
qilab.errors.QIDataError: The answers file was saved for another learner, not for the one who submitted it: refused.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import QIDataError
from .identity import learner_seed

__all__ = ["ASSIGNMENT", "ANSWERS_FILE", "LENGTH", "CHOICE_QUESTIONS", "MAX_FILE_BYTES",
           "MAX_TEXT", "SCHEMA", "paper", "check_answers", "read_answers_file",
           "save_answers", "answers_text", "saved_answers"]

#: The assignment's id (its folder in ``exercises/``) and the answers file the app saves.
ASSIGNMENT = "aware-assessment"
ANSWERS_FILE = "aware-answers.json"
SCHEMA = "qilab.aware-answers"
#: Questions on each paper: choice questions from the bank, then one short text question.
CHOICE_QUESTIONS = 7
LENGTH = CHOICE_QUESTIONS + 1
#: The largest answers file the grader reads, and the longest short text answer.
MAX_FILE_BYTES = 16_000
MAX_TEXT = 200

# (id, question, accepted answers after normalising: lower case, letters and spaces only)
_TEXT_BANK: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("t1", "What do the letters PDSA stand for? Write the four words.",
     ("plan do study act",)),
    ("t2", "In the PDSA cycle, what comes after Plan? Write one word.", ("do",)),
    ("t3", "What do we call a measure plotted over time with its median? Write two words.",
     ("run chart", "a run chart")),
)


def _bank() -> list[tuple[str, str, str, tuple[str, ...]]]:
    from .checks import _QUIZ_BANK
    return [(f"c{i + 1:02d}", q, right, wrong) for i, (q, right, wrong) in enumerate(_QUIZ_BANK)]


def _paper_with_key(seed: int) -> list[dict[str, Any]]:
    from .checks import _LETTERS, _rng

    rng = _rng(seed, ASSIGNMENT)
    bank = _bank()
    chosen = rng.choice(len(bank), size=CHOICE_QUESTIONS, replace=False)
    out: list[dict[str, Any]] = []
    for index in chosen:
        qid, question, right, wrong = bank[int(index)]
        texts = [right, *wrong]
        order = rng.permutation(len(texts))
        options = {_LETTERS[i]: texts[int(j)] for i, j in enumerate(order)}
        key = next(letter for letter, text in options.items() if text == right)
        out.append({"id": qid, "kind": "choice", "question": question, "options": options,
                    "_key": key})
    qid, question, accepted = _TEXT_BANK[int(rng.integers(len(_TEXT_BANK)))]
    out.append({"id": qid, "kind": "text", "question": question, "_key": accepted})
    for number, item in enumerate(out, start=1):
        item["number"] = number
    return out


def paper(seed: int) -> list[dict[str, Any]]:
    """A learner's questions, in order: ``{"number", "id", "kind", "question"}`` and, for a
    choice question, ``"options"`` (``{"A": text, ...}``). No key.

    >>> [q["number"] for q in paper(7)] == list(range(1, LENGTH + 1))
    True
    """
    return [{k: v for k, v in q.items() if k != "_key"} for q in _paper_with_key(seed)]


def _key(seed: int) -> dict[str, Any]:
    """Question id -> the right letter, or the accepted texts (for tests and the source's
    model answers; never given to a learner's app)."""
    return {q["id"]: q["_key"] if q["kind"] == "choice" else q["_key"][0]
            for q in _paper_with_key(seed)}


def normalise_text(text: str) -> str:
    """Lower case, letters and single spaces only.

    >>> normalise_text("  Plan, Do, Study, Act! ")
    'plan do study act'
    """
    return " ".join(re.sub(r"[^a-z ]+", " ", text.lower()).split())


def answers_text(learner: str, answers: Mapping[str, str], seed: int | None = None) -> str:
    """The answers file's text for ``learner`` (``seed`` only checks the ids when given)."""
    if seed is not None:
        ids = {q["id"] for q in paper(seed)}
        stray = sorted(set(answers) - ids)
        if stray:
            raise QIDataError(f"Question {stray[0]!r} is not on this paper.", field="answers")
    body = {"schema": SCHEMA, "schema_version": 1, "assignment": ASSIGNMENT,
            "learner": learner, "answers": {str(k): str(v) for k, v in answers.items()}}
    return json.dumps(body, indent=1, ensure_ascii=False) + "\n"


def save_answers(folder: str | os.PathLike[str], learner: str, answers: Mapping[str, str]
                 ) -> Path:
    """Write the answers file in ``folder`` atomically (temporary file, fsync, rename)."""
    from ..storage import atomic_write_text

    return atomic_write_text(Path(folder) / ANSWERS_FILE, answers_text(learner, answers))


def read_answers_file(path: str | os.PathLike[str]) -> str:
    """The text of an answers file, refused (:class:`QIDataError`) if it is a link, not a
    plain file, larger than ``MAX_FILE_BYTES`` or not UTF-8. Only this many bytes are read."""
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        raise QIDataError(f"No answers were saved: {path.name} is missing from the submission "
                          "(answer the questions and press Submit).", field="answers")
    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise QIDataError(f"The answers file is larger than {MAX_FILE_BYTES} bytes: refused.",
                          field="answers")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise QIDataError("The answers file is not UTF-8 text: refused.",
                          field="answers") from None


def saved_answers(name: str = ANSWERS_FILE) -> str:
    """The saved answers file's text from the current folder, or ``""`` if there is none
    (what the assignment's hidden tests hand to the check). The grader does not use this: it
    reads the file from its own copy of the submission."""
    try:
        return read_answers_file(Path(name))
    except QIDataError:
        return ""


def _parse(text: Any, seed: int) -> dict[str, Any]:
    """The answers in the file's text, checked against the paper made from ``seed``."""
    if not isinstance(text, str) or not text.strip():
        raise QIDataError("No answers were saved (answer the questions and press Submit).",
                          field="answers")
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise QIDataError(f"The answers file is larger than {MAX_FILE_BYTES} bytes: refused.",
                          field="answers")
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise QIDataError("The answers file is not valid JSON: refused.",
                          field="answers") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA \
            or doc.get("schema_version") != 1:
        raise QIDataError(f"The answers file is not a {SCHEMA} file of version 1: refused.",
                          field="schema")
    extra = sorted(set(doc) - {"schema", "schema_version", "assignment", "learner", "answers"})
    if extra:
        raise QIDataError(f"The answers file has fields it should not have ({extra[0]!r}): "
                          "refused.", field="answers")
    if doc.get("assignment") != ASSIGNMENT:
        raise QIDataError(f"The answers file is not for {ASSIGNMENT}: refused.",
                          field="assignment")
    learner = doc.get("learner")
    if not isinstance(learner, str) or not learner.strip() \
            or learner_seed(learner, ASSIGNMENT) != seed:
        raise QIDataError("The answers file was saved for another learner, not for the one "
                          "who submitted it: refused.", field="learner")
    answers = doc.get("answers")
    if not isinstance(answers, dict):
        raise QIDataError("The answers file holds no answers: refused.", field="answers")
    ids = [q["id"] for q in paper(seed)]
    stray = [k for k in answers if k not in ids]
    if stray:
        raise QIDataError(f"The answers file answers {len(stray)} question(s) not on this "
                          f"learner's paper (such as {str(stray[0])[:20]!r}): refused.",
                          field="answers")
    return answers


def check_answers(text: Any, seed: int, items: Sequence[int] | None = None):  # -> CheckResult
    """Mark the answers file's ``text`` for the paper made from ``seed``; ``items`` are
    question numbers (default: all). ``details`` has ``right`` and ``asked``.

    A file refused as a whole raises :class:`QIDataError` (the grader then scores 0 with the
    reason); a missing or ill-formed answer fails its question.
    """
    from .checks import CheckResult

    answers = _parse(text, seed)
    questions = _paper_with_key(seed)
    numbers = list(range(1, LENGTH + 1)) if items is None else list(items)
    right, problems = 0, []
    for number in numbers:
        if isinstance(number, bool) or not isinstance(number, int) \
                or not 1 <= number <= LENGTH:
            raise QIDataError(f"There is no question {number!r}.", field="items")
        q = questions[number - 1]
        given = answers.get(q["id"])
        if q["kind"] == "choice":
            if not isinstance(given, str) or given.strip().upper() not in q["options"]:
                problems.append(f"Question {number} has no answer (choose one option).")
            elif given.strip().upper() == q["_key"]:
                right += 1
            else:
                problems.append(f"Question {number} is not right.")
        elif not isinstance(given, str) or not given.strip() or len(given) > MAX_TEXT:
            problems.append(f"Question {number} has no answer (write up to {MAX_TEXT} "
                            "characters).")
        elif normalise_text(given) in q["_key"]:
            right += 1
        else:
            problems.append(f"Question {number} is not right.")
    return CheckResult(ok=not problems, messages=tuple(problems),
                       details={"right": right, "asked": len(numbers)})
