"""The observed coaching session rubric: the pass rule at its boundaries, clear errors, and the
paper form page shows every criterion from the one rubric in qilab."""
from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import qilab.tools.coaching_rubric as module
from qilab import QIDataError
from qilab.tools.coaching_rubric import PASS_TOTAL, RUBRIC, mark_observation

ROOT = Path(__file__).resolve().parents[2]


def marks(**changes):
    return {**{c.id: 2 for c in RUBRIC}, **changes}


def test_pass_rule_boundaries():
    assert PASS_TOTAL == 14 and len(RUBRIC) == 6
    all_partly = mark_observation(marks())                     # 12: every one partly
    assert not all_partly.met and all_partly.reasons == ["total 12 is below 14"]
    two_fully = mark_observation(marks(chart=3, questions=3))  # 14
    assert two_fully.met and "meets the standard" in two_fully.explain()
    one_missing = mark_observation(marks(chart=3, questions=3, teaching=3, purpose=3, record=1))
    assert one_missing.total == 15 and not one_missing.met
    assert one_missing.reasons == [
        "Agrees the progress score and records the session: not seen (needs at least partly)"]


@pytest.mark.parametrize("bad,field", [({"purpose": 4}, "purpose"), ({"purpose": True}, "purpose"),
                                       ({"rapport": 3}, "rapport")])
def test_bad_marks_name_the_criterion(bad, field):
    with pytest.raises(QIDataError) as info:
        mark_observation(marks(**bad))
    assert info.value.field == field
    with pytest.raises(QIDataError, match="No mark for 'purpose'"):
        mark_observation({k: v for k, v in marks().items() if k != "purpose"})


def test_paper_form_page_uses_the_rubric():
    page = (ROOT / "book" / "resources" / "coaching-forms.md").read_text(encoding="utf-8")
    assert "rubric_table()" in page and f"{PASS_TOTAL} or more" in page
    assert "coach,team,date,stage,agreed,progress_score" in page
    # the printed marking table lists the rubric's criteria, in order
    marking = page.split("| Criterion | Mark (1, 2 or 3) |")[1]
    listed = [row.split("|")[1].strip() for row in marking.splitlines()[2:]
              if row.startswith("| ") and not row.startswith("| **Total")]
    assert listed == [c.what for c in RUBRIC]


def test_docstring_example_runs():
    result = doctest.testmod(module)
    assert result.attempted >= 3 and result.failed == 0
