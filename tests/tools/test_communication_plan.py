"""Communication plans: every line complete, drafts follow the stakeholder grid's quadrants,
gaps against the grid are named, and the plan saves, loads and draws without clashing text."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from qilab import QIDataError  # noqa: E402
from qilab.tools._drawing import text_overlaps  # noqa: E402
from qilab.tools.communication_plan import SUGGESTED, CommunicationPlan  # noqa: E402
from qilab.tools.stakeholders import StakeholderGrid  # noqa: E402

GRID = StakeholderGrid([("Ward manager", 5, 5), ("Finance lead", 4, 1),
                        ("Patients and families", 2, 5), ("Porters", 1, 1)])


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_draft_has_a_line_a_stakeholder_suggested_by_their_quadrant():
    plan = CommunicationPlan.draft(GRID, owner="Sam")
    assert [line.audience for line in plan.lines] == [p.name for p in GRID.stakeholders]
    for line, person in zip(plan.lines, GRID.stakeholders):
        assert (line.message, line.channel, line.how_often) == SUGGESTED[person.quadrant]
        assert line.owner == "Sam"
    # the closer the quadrant, the more often
    assert [line.how_often for line in plan.lines] == [
        "every week", "every month", "every two weeks", "every three months"]
    assert plan.owners() == {"Sam": 4}


def test_missing_names_the_stakeholders_left_out_whatever_the_case():
    plan = CommunicationPlan([("WARD  manager", "Tests", "Meeting", "every week", "Sam"),
                              ("Everyone on the ward", "Results", "Huddle", "daily", "Kim")])
    assert plan.missing(GRID) == ["Finance lead", "Patients and families", "Porters"]
    assert CommunicationPlan.draft(GRID).missing(GRID) == []


@pytest.mark.parametrize("bad, words", [
    ([("Matron", "Results", "Meeting", "every month", "")], ["line 1", "who", "nobody"]),
    ([("Matron", "Results", "Meeting", "every month", "Ana"),
      ("Pharmacy", "  ", "Email", "monthly", "Ana")], ["line 2", "what they need to know"]),
    ([("Matron", "Results")], ["line 1", "five parts"]),
    ([], ["at least one line"]),
])
def test_incomplete_lines_are_refused_with_the_line_and_part_named(bad, words):
    with pytest.raises(QIDataError) as err:
        CommunicationPlan(bad)
    for word in words:
        assert word in str(err.value)


def test_draft_needs_a_grid_with_people():
    with pytest.raises(QIDataError, match="empty"):
        CommunicationPlan.draft(StakeholderGrid([]))
    with pytest.raises(QIDataError, match="StakeholderGrid"):
        CommunicationPlan.draft([("Matron", 5, 5)])


def test_saves_loads_and_describes_itself(tmp_path):
    plan = CommunicationPlan.draft(GRID, owner="Sam", title="Falls project")
    path = plan.save_json(tmp_path / "plan.json")
    assert CommunicationPlan.load_json(path) == plan
    assert CommunicationPlan.from_dict(plan.to_dict()) == plan
    assert list(plan.table().columns) == ["Audience", "What they need to know", "How",
                                          "How often", "Who"]
    alt = plan.alt_text()
    assert alt.startswith("A table of the communication plan. Falls project: 4 lines.")
    assert "Porters:" in alt and "Sam does it" in alt


def test_drawing_fits_long_text_without_overlaps():
    long = "A long message " * 6
    plan = CommunicationPlan([("Operations director (sponsor)", long, "Meeting in person",
                               "every two weeks", "Tom (care coordinator)")] * 3)
    ax = plan.plot()
    assert text_overlaps(ax.figure) == []
