"""Driver diagram: model, validation, words and drawing."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from qilab import QIDataError  # noqa: E402
from qilab.tools._drawing import text_overlaps  # noqa: E402
from qilab.tools.driver_diagram import DriverDiagram  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def falls() -> DriverDiagram:
    return DriverDiagram(
        aim="Reduce inpatient falls on wards 7 and 8 by 50% by March 2026",
        primary=["Reliable falls risk assessment", "Safe ward environment",
                 "Engaged patients and families"],
        secondary={"Assessment within 6 hours of admission": "Reliable falls risk assessment",
                   "Lying and standing blood pressure recorded": ["Reliable falls risk assessment"],
                   "Clutter-free bays and corridors": "Safe ward environment",
                   "Call bell within reach": ["Safe ward environment",
                                              "Engaged patients and families"],
                   "Families know the falls plan": "Engaged patients and families"},
        changes={"Admission checklist": "Assessment within 6 hours of admission",
                 "Blood pressure prompt on e-obs": "Lying and standing blood pressure recorded",
                 "Daily 10 am declutter": "Clutter-free bays and corridors",
                 "Bedside safety check at every handover": ["Call bell within reach",
                                                            "Clutter-free bays and corridors"],
                 "Leaflet and talk with families on day 1": "Families know the falls plan"})


def test_counts_and_multi_parent_links():
    d = falls()
    assert d.counts() == {"primary": 3, "secondary": 5, "changes": 5}
    bell = [s for s in d.secondary if s.name == "Call bell within reach"][0]
    assert bell.parents == ("Safe ward environment", "Engaged patients and families")


def test_round_trip_through_dict_and_json(tmp_path):
    d = falls()
    again = DriverDiagram.from_dict(d.to_dict())
    assert again == d
    path = d.save_json(tmp_path / "dd.json")
    assert DriverDiagram.load_json(path) == d


def test_accepts_list_of_dicts_and_tidies_spaces():
    d = DriverDiagram("  Aim   one ", ["P"], [{"name": " S ", "parents": ["p"]}],
                      [("C", "s")])
    assert d.aim == "Aim one" and d.secondary[0].name == "S"


@pytest.mark.parametrize("kwargs, words", [
    (dict(aim="  "), "Aim is empty"),
    (dict(aim="A", primary=["P", "p"]), "'p' is used twice"),
    (dict(aim="A", primary=["P"], secondary={"P": "P"}), "used twice"),
    (dict(aim="A", primary=["P"], secondary={"S": []}), "Secondary driver 'S' is not linked"),
    (dict(aim="A", primary=["P"], secondary={"S": "Q"}), "linked to 'Q'"),
    (dict(aim="A", primary=["P"], secondary={"S": "P"}, changes={"C": "P"}),
     "Change idea 'C' is linked to 'P'"),
    (dict(aim="A", primary=["P"], secondary={"S": "P"}, changes={"C": []}),
     "Change idea 'C' is not linked"),
    (dict(aim="A", primary=["P"], secondary={"S": ["P", "P"]}), "same primary driver twice"),
])
def test_validation_names_the_item(kwargs, words):
    with pytest.raises(QIDataError, match=words):
        DriverDiagram(**kwargs)


def test_orphan_error_sets_field():
    with pytest.raises(QIDataError) as info:
        DriverDiagram("A", ["P"], {"Lonely": []})
    assert info.value.field == "Lonely"


def test_markdown_outline_lists_items_under_each_parent():
    md = falls().to_markdown()
    assert md.startswith("# Driver diagram")
    assert md.count("**Secondary driver:** Call bell within reach") == 2
    assert "    - **Change idea:** Admission checklist" in md


def test_explain_and_alt_text_describe_the_diagram():
    text = falls().explain()
    assert "Reduce inpatient falls" in text and "3 primary drivers" in text
    assert "'Call bell within reach'" in text
    assert falls().alt_text() == text
    lonely = DriverDiagram("A", ["P"]).explain()
    assert "no secondary drivers yet" in lonely


def test_renderer_draws_every_item_without_overlaps():
    d = falls()
    ax = d.plot()
    texts = {t.get_text().replace("\n", " ") for t in ax.texts}
    for name in [d.aim, *d.primary, *(s.name for s in d.secondary), *(c.name for c in d.changes)]:
        assert name in texts
    assert {"Aim", "Primary drivers", "Secondary drivers", "Change ideas"} <= texts
    assert text_overlaps(ax) == []
    assert ax.figure.get_size_inches()[0] <= 11  # fits a notebook
    # one connector per link: 3 + 6 + 6
    assert len([c for c in ax.get_children() if type(c).__name__ == "Annotation"]) == 15


def test_renderer_uses_given_axes():
    fig, ax = plt.subplots(figsize=(12, 6))
    assert falls().plot(ax=ax) is ax


def test_save_svg_and_png(tmp_path):
    d = falls()
    svg = d.save_svg(tmp_path / "out" / "dd.svg")
    png = d.save_png(tmp_path / "dd.png")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "<svg" in svg.read_text(encoding="utf-8")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob("**/*.tmp"))


def test_show_uses_explanation_as_alt_text():
    shown = falls().show()
    assert "Reduce inpatient falls" in shown.alt
    assert shown.png[:4] == b"\x89PNG"
