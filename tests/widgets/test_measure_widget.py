"""The measure builder, driven headlessly."""
from __future__ import annotations

import json

from qilab.widgets.measures import MeasureBuilder

FALLS = dict(name="Falls per 1,000 occupied bed days", kind="outcome",
             numerator="Inpatient falls recorded on the incident system",
             denominator="Occupied bed days / 1,000", inclusions="All adult inpatients on Ward 7",
             exclusions="none", data_source="Incident system", frequency="Weekly",
             owner="Ward manager", direction="decrease")


def fill(builder: MeasureBuilder, values: dict[str, str]) -> None:
    for name, value in values.items():
        builder.fields[name].value = value


def test_labelled_controls() -> None:
    builder = MeasureBuilder()
    for control in builder.fields.values():
        assert control.description.strip()
        assert control.style.description_width == "initial"


def test_check_and_add() -> None:
    builder = MeasureBuilder()
    fill(builder, FALLS)
    builder.check_button.click()
    assert builder.messages.kind == "success"
    assert builder.value["problems"] == [] and builder.value["kind"] == "outcome"
    json.dumps(builder.value)
    builder.add_button.click()
    assert builder.messages.kind == "success" and "process, a balancing" in builder.messages.text
    assert builder.fields["name"].value == "" and builder.fields["kind"].value == ""
    assert builder.plan_value["measures"][0]["name"] == FALLS["name"]
    assert "Falls per 1,000" in builder.plan_summary.value


def test_incomplete_definition_is_not_added_and_fields_are_kept() -> None:
    builder = MeasureBuilder()
    fill(builder, {**FALLS, "owner": "", "direction": ""})
    builder.add_button.click()
    assert builder.messages.kind == "error"
    assert "Who collects it" in builder.messages.text and "Better is" in builder.messages.text
    assert builder.fields["name"].value == FALLS["name"]
    assert builder.plan.measures == []
    builder.check_button.click()
    assert builder.messages.kind == "warning"


def test_duplicate_name_is_refused() -> None:
    builder = MeasureBuilder()
    fill(builder, FALLS)
    builder.add_button.click()
    fill(builder, FALLS)
    assert builder.add_to_plan() is False
    assert "already has a measure" in builder.messages.text
    assert builder.fields["numerator"].value == FALLS["numerator"]


def test_export() -> None:
    import qilab
    import qilab.widgets

    assert qilab.widgets.MeasureBuilder is MeasureBuilder
    assert qilab.MeasureDefinition.__module__ == "qilab.tools.measures"
