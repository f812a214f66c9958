"""Operational definitions and measurement plans."""
from __future__ import annotations

import pytest

from qilab import QIDataError
from qilab.tools.measures import MeasureDefinition, MeasurementPlan

FALLS = dict(name="Falls per 1,000 occupied bed days", kind="outcome",
             numerator="Inpatient falls recorded on the incident system",
             denominator="Occupied bed days / 1,000", inclusions="All adult inpatients on Ward 7",
             exclusions="Falls before arrival on the ward", data_source="Incident system; bed census",
             frequency="Weekly", owner="Ward manager", direction="decrease")
RISK = dict(name="Percentage of patients with a falls risk assessment within 6 hours",
            kind="process", numerator="Patients with a completed assessment within 6 hours",
            denominator="All patients admitted to Ward 7", inclusions="Adults admitted to Ward 7",
            exclusions="none", data_source="Electronic record audit, 10 notes a week",
            frequency="Weekly", owner="Falls champion", direction="increase")
RESTRAINT = dict(name="Use of bed rails", kind="balancing", numerator="Patients with bed rails up",
                 inclusions="All inpatients on Ward 7", data_source="Daily safety huddle sheet",
                 frequency="Daily", owner="Nurse in charge", direction="decrease")


def test_complete_definitions_have_no_problems() -> None:
    for fields in (FALLS, RISK, RESTRAINT):
        assert MeasureDefinition(**fields).validate(strict=True) == []
    assert MeasureDefinition(**RESTRAINT).is_count
    assert not MeasureDefinition(**FALLS).is_count


def test_normalises_text() -> None:
    m = MeasureDefinition(name="  Falls ", kind=" Outcome", direction="DECREASE")
    assert (m.name, m.kind, m.direction) == ("Falls", "outcome", "decrease")


@pytest.mark.parametrize(("change", "field"), [
    ({"name": ""}, "name"),
    ({"kind": "structure"}, "kind"),
    ({"numerator": "  "}, "numerator"),
    ({"direction": "up"}, "direction"),
    ({"data_source": ""}, "data_source"),
    ({"owner": ""}, "owner"),
    ({"denominator": ""}, "denominator"),  # a percentage needs one
])
def test_problems_name_the_field(change, field) -> None:
    m = MeasureDefinition(**{**RISK, **change})
    problems = m.validate()
    assert problems and len(problems) == 1
    with pytest.raises(QIDataError) as info:
        m.validate(strict=True)
    assert info.value.field == field


def test_empty_definition_lists_everything() -> None:
    problems = MeasureDefinition().validate()
    assert len(problems) == 8
    assert all(p.endswith(".") for p in problems)


def test_wrong_types_and_round_trip() -> None:
    with pytest.raises(QIDataError) as info:
        MeasureDefinition(name="Falls", frequency=7)  # type: ignore[arg-type]
    assert info.value.field == "frequency"
    m = MeasureDefinition(**FALLS)
    assert MeasureDefinition.from_dict(m.to_dict()) == m
    with pytest.raises(QIDataError) as info:
        MeasureDefinition.from_dict({**FALLS, "target": "4"})
    assert info.value.field == "target"


def test_markdown() -> None:
    text = MeasureDefinition(**RESTRAINT).to_markdown()
    assert text.startswith("### Use of bed rails (balancing measure)")
    assert "| Denominator | none: this is a count |" in text and "| Better is | a decrease |" in text


def test_plan_needs_all_three_kinds() -> None:
    plan = MeasurementPlan([MeasureDefinition(**FALLS)])
    assert plan.missing_kinds() == ["process", "balancing"] and not plan.complete
    assert any("balancing" in p for p in plan.check())
    plan.add(MeasureDefinition(**RISK))
    plan.add(MeasureDefinition(**RESTRAINT))
    assert plan.complete and plan.check() == []
    with pytest.raises(QIDataError) as info:
        plan.add(MeasureDefinition(**{**RESTRAINT, "name": "use of BED rails"}))
    assert info.value.field == "name"
    again = MeasurementPlan.from_dict(plan.to_dict())
    assert again.measures == plan.measures
    md = plan.to_markdown()
    assert md.index("(outcome measure)") < md.index("(process measure)") < md.index("(balancing")
    assert "Still to do" not in md


def test_plan_reports_measure_problems() -> None:
    plan = MeasurementPlan([{**FALLS, "owner": ""}])
    problems = plan.check()
    assert any(p.startswith("Measure 1 (Falls per 1,000") and "Who collects it" in p for p in problems)
    with pytest.raises(QIDataError):
        MeasurementPlan(["falls"])  # type: ignore[list-item]
