"""Diagram builder widgets, driven headlessly: fields, Draw, messages, .value and saving."""
from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from qilab.widgets.diagrams import (  # noqa: E402
    CommunicationPlanBuilder,
    DriverDiagramBuilder,
    FishboneBuilder,
    FiveWhysBuilder,
    ParetoBuilder,
    ProcessMapBuilder,
    StakeholderGridBuilder,
)

ALL = [DriverDiagramBuilder, FishboneBuilder, ParetoBuilder, ProcessMapBuilder,
       StakeholderGridBuilder, CommunicationPlanBuilder, FiveWhysBuilder]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def controls(widget):
    out, todo = [], [widget]
    while todo:
        w = todo.pop()
        if isinstance(w, widgets.Box):
            todo.extend(w.children)
        else:
            out.append(w)
    return out


@pytest.mark.parametrize("cls", ALL)
def test_every_control_has_a_visible_label(cls):
    w = cls()
    for c in controls(w):
        if isinstance(c, (widgets.Text, widgets.Textarea, widgets.Button, widgets.Dropdown)):
            assert c.description.strip(), c
        if isinstance(c, (widgets.Text, widgets.Textarea)):
            assert c.style.description_width == "initial"


@pytest.mark.parametrize("cls", ALL)
def test_empty_builder_has_no_value_and_says_what_to_fix(cls):
    w = cls()
    assert w.value is None
    w.draw_button.click()
    assert w.messages.kind == "error" and w.messages.text


def test_driver_diagram_builder(tmp_path):
    w = DriverDiagramBuilder(folder=str(tmp_path))
    w.aim.value = "Reduce falls on ward 7 by half by March"
    w.primary.value = "Safe environment\nReliable assessment\n"
    w.secondary.value = "Clutter-free bays -> Safe environment\nCall bell in reach → Safe environment; Reliable assessment"
    w.changes.value = "Daily declutter -> Clutter-free bays"
    w.draw_button.click()
    assert w.messages.kind == "success"
    assert "Reduce falls" in w.last_figure.alt
    assert w.value["secondary"][1] == {"name": "Call bell in reach",
                                      "parents": ["Safe environment", "Reliable assessment"]}
    w.save_png_button.click()
    assert (tmp_path / "driver-diagram.png").read_bytes()[:4] == b"\x89PNG"
    w.save_svg_button.click()
    assert "<svg" in (tmp_path / "driver-diagram.svg").read_text(encoding="utf-8")
    w.save_json_button.click()
    doc = json.loads((tmp_path / "driver-diagram.json").read_text(encoding="utf-8"))
    assert doc["schema"] == "qilab.driver_diagram" and doc["aim"].startswith("Reduce")


def test_driver_diagram_bad_line_keeps_entries():
    w = DriverDiagramBuilder()
    w.aim.value = "Aim"
    w.primary.value = "P"
    w.secondary.value = "S without an arrow"
    w.draw_button.click()
    assert w.messages.kind == "error" and "line 1" in w.messages.text and "->" in w.messages.text
    assert w.secondary.value == "S without an arrow"  # nothing lost
    w.secondary.value = "S -> Q"
    w.draw_button.click()
    assert "'Q'" in w.messages.text


def test_value_setter_fills_fields_and_round_trips():
    first = DriverDiagramBuilder()
    data = {"aim": "A", "primary": ["P"], "secondary": [{"name": "S", "parents": ["P"]}],
            "changes": [{"name": "C", "parents": ["S"]}], "title": "Driver diagram"}
    first.value = data
    assert first.secondary.value == "S -> P"
    assert first.value == data
    other = DriverDiagramBuilder(value=first.value)
    assert other.value == data


def test_value_setter_rejects_bad_data_without_changing_fields():
    w = DriverDiagramBuilder()
    w.aim.value = "Kept"
    with pytest.raises(Exception):
        w.value = {"aim": ""}
    assert w.aim.value == "Kept"


def test_fishbone_builder():
    w = FishboneBuilder()
    w.effect.value = "Falls at night"
    w.causes.value = "environment: Poor lighting\nPeople: New staff\nPeople: Tired staff"
    assert w.value["categories"][0] == {"name": "People", "causes": ["New staff", "Tired staff"]}
    w.draw_button.click()
    assert w.messages.kind == "success"
    w.causes.value = "Weather: Snow"
    w.draw_button.click()
    assert "'Weather' is not in the list" in w.messages.text
    w.causes.value = "No colon here"
    w.draw_button.click()
    assert "line 1" in w.messages.text
    w2 = FishboneBuilder(value={"effect": "E", "categories": [{"name": "Kit", "causes": ["x"]}]})
    assert w2.categories.value == "Kit" and w2.causes.value == "Kit: x"


def test_pareto_builder_reports_lines_not_rows():
    w = ParetoBuilder()
    w.data.value = "Interruptions, 12\n\nLook-alike packs, -3"
    w.draw_button.click()
    assert w.messages.kind == "error"
    assert w.messages.text.startswith("Line 3") and "negative" in w.messages.text
    w.data.value = "Interruptions, 12\nLook-alike, packs, 3\nPoor lighting, 1"
    w.count_label.value = "Errors"
    w.draw_button.click()
    assert w.messages.kind == "success"
    assert w.value["categories"] == ["Interruptions", "Look-alike, packs", "Poor lighting"]
    assert w.value["count_label"] == "Errors"
    w.data.value = "Just a name"
    assert w.value is None
    w.draw_button.click()
    assert "Line 1" in w.messages.text
    again = ParetoBuilder(value={"categories": ["A", "B"], "counts": [3, 1]})
    assert again.data.value == "A, 3\nB, 1"


def test_process_map_builder(tmp_path):
    w = ProcessMapBuilder(folder=str(tmp_path))
    w.map_title.value = "Blood test"
    w.steps.value = "\n".join([
        "start | Test needed | Doctor | Request made",
        "step | Request made | Doctor | Sample taken?",
        "decision | Sample taken? | Nurse | Sent to lab | Request made",
        "end | Sent to lab | Nurse"])
    w.draw_button.click()
    assert w.messages.kind == "success"
    assert w.value["lanes"] == ["Doctor", "Nurse"]
    restored = ProcessMapBuilder(value=w.value)
    assert restored.value == w.value
    w.steps.value = "decision | Q? | Nurse | A"
    w.draw_button.click()
    assert "a decision line has 5 parts" in w.messages.text
    w.steps.value = "loop | Q | Nurse"
    w.draw_button.click()
    assert "start the line with start" in w.messages.text
    w.steps.value = "start | S | A | Missing\nend | E | A"
    w.draw_button.click()
    assert "'Missing'" in w.messages.text


def test_stakeholder_builder():
    w = StakeholderGridBuilder()
    w.people.value = "Ward manager, 5, 5\nSmith, Jones and partners, 2, 1"
    assert [p["name"] for p in w.value["stakeholders"]] == ["Ward manager",
                                                            "Smith, Jones and partners"]
    w.people.value = "Ward manager, 9, 5"
    w.draw_button.click()
    assert "'Ward manager'" in w.messages.text and "1 to 5" in w.messages.text
    w.people.value = "Ward manager 5 5"
    w.draw_button.click()
    assert "line 1" in w.messages.text


def test_communication_plan_builder(tmp_path):
    w = CommunicationPlanBuilder(folder=str(tmp_path))
    w.plan.value = ("Matron | Results so far | Meeting | every month | Ana\n\n"
                    "Care workers | What changes | WhatsApp group | every week")
    w.draw_button.click()
    assert w.messages.kind == "error" and "line 3" in w.messages.text
    assert "every week" in w.plan.value  # nothing typed is cleared
    w.plan.value = w.plan.value + " | Tom"
    w.draw_button.click()
    assert w.messages.kind == "success"
    assert [line["owner"] for line in w.value["lines"]] == ["Ana", "Tom"]
    assert w.save("json").exists()
    again = CommunicationPlanBuilder(value=w.value)
    assert again.value == w.value and again.plan.value.splitlines()[0].startswith("Matron | ")


def test_five_whys_builder_adds_fields_and_keeps_gaps_visible(tmp_path):
    w = FiveWhysBuilder(folder=str(tmp_path))
    w.problem.value = "Insulin late"
    for f, text in zip(w.why_fields, ["Round late", "Handover long", "", "x"]):
        f.value = text
    w.draw_button.click()
    assert "Why 3 is empty" in w.messages.text
    w.why_fields[2].value = "Verbal handover"
    extra = w.add_why()
    assert extra.description == "Why 6?" and len(w.whys_box.children) == 6
    w.add_why_button.click()
    assert len(w.why_fields) == 7
    w.root_cause.value = "Verbal handover for all"
    w.countermeasure.value = "Written sheet"
    w.draw_button.click()
    assert w.messages.kind == "success"
    assert w.value["whys"] == ["Round late", "Handover long", "Verbal handover", "x"]
    long = {"problem": "P", "whys": [f"w{i}" for i in range(8)], "root_cause": "",
            "countermeasure": "", "title": "Five whys"}
    w.value = long
    assert len(w.why_fields) == 8 and w.value == long


def test_bad_file_name_and_unwritable_folder(tmp_path):
    w = StakeholderGridBuilder(folder=str(tmp_path))
    w.people.value = "A, 3, 3"
    w.file_name.value = "../escape"
    assert w.save("png") is None and "File name" in w.messages.text
    blocker = tmp_path / "file"
    blocker.write_text("x")
    w.file_name.value = "grid"
    w.folder.value = str(blocker)
    assert w.save("png") is None and "Could not save" in w.messages.text
    w.folder.value = str(tmp_path / "new folder")
    assert w.save("svg").exists()
    assert w.last_saved.name == "grid.svg"
