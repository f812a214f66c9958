"""Stakeholder grid: scores, quadrants, words and drawing."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from qilab import QIDataError  # noqa: E402
from qilab.tools._drawing import text_overlaps  # noqa: E402
from qilab.tools.stakeholders import QUADRANTS, StakeholderGrid, quadrant_for  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def ward() -> StakeholderGrid:
    return StakeholderGrid([
        ("Ward manager", 5, 5), ("Director of nursing", 5, 3), ("Finance lead", 4, 2),
        ("Patients on the ward", 2, 5), ("Carers and families", 2, 5),
        ("Healthcare assistants", 2, 4), ("Pharmacy team", 3, 3), ("Estates", 2, 1),
        ("Night staff", 2, 4), ("Consultant physicians", 4, 3), ("IT department", 3, 1),
        ("Patient safety team", 4, 4)], title="Falls project stakeholders")


@pytest.mark.parametrize("power, interest, quadrant", [
    (5, 5, "manage closely"), (3, 3, "manage closely"), (3, 2, "keep satisfied"),
    (5, 1, "keep satisfied"), (2, 3, "keep informed"), (1, 5, "keep informed"),
    (2, 2, "monitor"), (1, 1, "monitor")])
def test_quadrant_rule(power, interest, quadrant):
    assert quadrant_for(power, interest) == quadrant


def test_table_and_dict():
    g = ward()
    t = g.table()
    assert list(t.columns) == ["name", "power", "interest", "quadrant", "action", "note"]
    assert set(t["quadrant"]) == set(QUADRANTS)
    assert StakeholderGrid.from_dict(g.to_dict()) == g


def test_scores_are_checked():
    assert StakeholderGrid([("A", "4", 2.0)]).stakeholders[0].power == 4
    for bad in (0, 6, 2.5, "high", None, True):
        with pytest.raises(QIDataError, match="'A'") as info:
            StakeholderGrid([("A", bad, 3)])
        assert info.value.field == "A"


def test_other_bad_input():
    with pytest.raises(QIDataError, match="listed twice"):
        StakeholderGrid([("A", 1, 1), ("a", 2, 2)])
    with pytest.raises(QIDataError, match="Stakeholder 1 has no name"):
        StakeholderGrid([{"name": "", "power": 1, "interest": 1}])
    with pytest.raises(QIDataError, match="Stakeholder 1 should be"):
        StakeholderGrid(["Just a name"])
    with pytest.raises(QIDataError, match="no stakeholder called"):
        ward().quadrant("Nobody")


def test_words():
    text = ward().explain()
    assert "Manage closely: Ward manager (power 5, interest 5)" in text
    assert "Monitor: Estates (power 2, interest 1)." in text
    assert StakeholderGrid([]).explain().endswith("no stakeholders yet.")


def test_renderer_places_every_name_in_its_cell_without_overlap():
    g = ward()
    ax = g.plot()
    texts = [t.get_text() for t in ax.texts]
    for p in g.stakeholders:
        assert any(p.name in t.replace("\n", " ") for t in texts)
    for q in QUADRANTS:
        assert q.capitalize() in texts
    assert text_overlaps(ax) == []


def test_crowded_cell_grows_instead_of_overlapping():
    g = StakeholderGrid([(f"Team member number {i}", 4, 4) for i in range(9)])
    ax = g.plot()
    assert text_overlaps(ax) == []


def test_exports(tmp_path):
    assert "<svg" in ward().save_svg(tmp_path / "s.svg").read_text(encoding="utf-8")
    assert ward().save_png(tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
