"""The Aware assessment's paper, answers file and marking rules, without nbgrader (fast)."""
from __future__ import annotations

import json

import pytest

from qilab import QIDataError
from qilab.cohort import assessment, marking
from qilab.cohort.identity import learner_seed
from qilab.cohort.standard import AssignmentRule, decide, load_standard

SEED = learner_seed("ann", assessment.ASSIGNMENT)


def _key(learner: str = "ann") -> dict[str, str]:
    return assessment._key(learner_seed(learner, assessment.ASSIGNMENT))


def test_each_learner_has_their_own_paper_and_no_key_in_it():
    papers = {learner: assessment.paper(learner_seed(learner, assessment.ASSIGNMENT))
              for learner in ("ann", "bob", "cat", "dev")}
    assert papers["ann"] == assessment.paper(SEED)  # the same every time
    as_text = {json.dumps(p) for p in papers.values()}
    assert len(as_text) == 4 and "_key" not in "".join(as_text)
    for p in papers.values():
        assert [q["kind"] for q in p] == ["choice"] * 7 + ["text"]
        assert len({q["id"] for q in p}) == assessment.LENGTH


@pytest.mark.parametrize("given, right", [
    ({}, 0), ("all", 8), ("all-upper-text", 8), ("lower-letters", 8), ("one-wrong", 7)])
def test_marks_come_from_the_values_on_the_learners_own_paper(given, right):
    key = _key()
    if given == "all":
        answers = key
    elif given == "all-upper-text":
        answers = {k: v.upper() + " !" if k.startswith("t") else v for k, v in key.items()}
    elif given == "lower-letters":
        answers = {k: v.lower() if k.startswith("c") else v for k, v in key.items()}
    elif given == "one-wrong":
        first = next(k for k in key if k.startswith("c"))
        answers = {**key, first: "D" if key[first] != "D" else "A"}
    else:
        answers = {}
    result = assessment.check_answers(assessment.answers_text("ann", answers), SEED)
    assert result.details["right"] == right and result.ok == (right == 8)


@pytest.mark.parametrize("text, why", [
    ("", "No answers were saved"),
    ("[1, 2]", "not a qilab.aware-answers file"),
    ("{" * 5000 + "}" * 5000, "not valid JSON"),
    (assessment.answers_text("bob", _key("bob")), "saved for another learner"),
    (assessment.answers_text("ann", _key("bob")), "not on this learner's paper"),
    (assessment.answers_text("ann", {**_key(), "c99": "A"}), "not on this learner's paper"),
    (json.dumps({**json.loads(assessment.answers_text("ann", _key())), "score": 8}),
     "fields it should not have"),
    (assessment.answers_text("ann", {"c01": "A" * 20_000}), "larger than"),
])
def test_a_file_that_is_not_the_learners_own_is_refused_with_the_reason(text, why):
    with pytest.raises(QIDataError, match=why):
        assessment.check_answers(text, SEED, [1])


def test_an_answer_that_is_not_a_letter_or_short_text_fails_its_question_only():
    key = _key()
    first = next(k for k in key if k.startswith("c"))
    text_q = next(k for k in key if k.startswith("t"))
    doc = json.loads(assessment.answers_text("ann", key))
    doc["answers"][first] = ["A"]
    doc["answers"][text_q] = "plan " * 100
    result = assessment.check_answers(json.dumps(doc), SEED)
    assert result.details["right"] == 6 and len(result.messages) == 2


def test_the_reader_refuses_links_bytes_and_absence(tmp_path):
    good = assessment.save_answers(tmp_path, "ann", _key())
    assert assessment.read_answers_file(good) == good.read_text()
    link = tmp_path / "link.json"
    link.symlink_to(good)
    (tmp_path / "bytes.json").write_bytes(b"\xff\xfe{}")
    for name, why in (("link.json", "missing"), ("bytes.json", "not UTF-8"),
                      ("none.json", "missing")):
        state, reason = marking.read_submitted_file(tmp_path, name)
        assert state == "refused" and why in reason, (name, reason)
    assert marking.read_submitted_file(None, "x.json")[0] == "refused"


def test_the_grader_scores_a_refused_file_zero_with_its_reason():
    checks_ = marking.grader_checks(
        "_clean.require(_clean.verify_in_clean_process('aware.assessment', "
        "_assessment.saved_answers('aware-answers.json'), items=[3]))")
    expr = checks_[0].answer
    assert marking.file_answer(expr) == "aware-answers.json"
    score, message = marking.mark_cell(checks_, {expr: ("refused", "The file is huge.")},
                                       "ann", 1)
    assert (score, message) == (0.0, "The file is huge.")
    good = ("ok", assessment.answers_text("ann", _key()))
    assert marking.mark_cell(checks_, {expr: good}, "ann", 1) == (1.0, "")
    assert marking.mark_cell(checks_, {expr: good}, "bob", 1)[0] == 0.0  # not bob's answers


def test_aware_needs_75_percent_of_the_assessment_or_of_the_coded_quiz():
    tier = load_standard().tier("aware")
    assert tier.assignments[0] == AssignmentRule("aware-assessment", 75.0,
                                                 instead=("aware-quiz",))
    six = {"aware-assessment": {"aware-assessment": {"all": (6.0, 8.0)}}}
    five = {"aware-assessment": {"aware-assessment": {"all": (5.0, 8.0)}}}
    assert decide(tier, "ann", six, {}).met
    assert decide(tier, "bob", five, {}).reasons == (
        "aware-assessment: 62% of the points, below the 75% needed",)
    both = {**five, "aware-quiz": {"aware-quiz": {"all": (7.0, 8.0)}}}
    assert decide(tier, "cat", both, {}).met
    quiz_low = {"aware-quiz": {"aware-quiz": {"all": (5.0, 8.0)}}}
    assert decide(tier, "dev", quiz_low, {}).reasons == (
        "aware-quiz: 62% of the points, below the 75% needed",)
