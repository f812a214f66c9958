"""A form for writing operational definitions and building a measurement plan.

The logic is in :mod:`qilab.tools.measures`; this widget only collects text and shows
messages.

>>> from qilab.widgets.measures import MeasureBuilder
>>> b = MeasureBuilder()
>>> b.fields["name"].value = "Falls"
>>> b.check_button.click()
>>> b.messages.kind
'warning'
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..errors import QIDataError
from ..tools.measures import KINDS, MeasureDefinition, MeasurementPlan
from .forms import (
    MessageArea,
    button,
    dropdown_field,
    form,
    heading,
    paragraph,
    read_text,
    text_field,
)
from .static import StaticPreview

__all__ = ["MeasureBuilder"]


class MeasureBuilder(StaticPreview, widgets.VBox):
    """Write an operational definition, check it, and add it to a measurement plan.

    ``.value`` is the definition as typed (a plain dictionary with its problems);
    ``.plan`` is the :class:`~qilab.tools.measures.MeasurementPlan` built so far, and
    ``.plan_value`` its plain form. Adding a measure clears the form for the next one; a
    measure with problems is not added and nothing typed is cleared.
    """

    def __init__(self, plan: MeasurementPlan | None = None, **kwargs: Any) -> None:
        self.plan = plan if plan is not None else MeasurementPlan()
        kind_options = [("Choose a kind", "")] + [
            (f"{k.capitalize()}: {why}", k) for k, why in KINDS.items()]
        self.fields: dict[str, widgets.Widget] = {
            "name": text_field("Name of the measure", placeholder="e.g. Falls per 1,000 bed days"),
            "kind": dropdown_field("Kind of measure", kind_options, value=""),
            "numerator": text_field("Numerator (what is counted)", multiline=True, rows=2),
            "denominator": text_field("Denominator (leave empty for a count)", multiline=True,
                                      rows=2),
            "inclusions": text_field("Included (who or what is counted)", multiline=True, rows=2),
            "exclusions": text_field("Excluded", multiline=True, rows=2,
                                     placeholder="Write 'none' if nothing is excluded"),
            "data_source": text_field("Data source", placeholder="e.g. the incident system"),
            "frequency": text_field("How often", placeholder="e.g. weekly"),
            "owner": text_field("Who collects it", placeholder="e.g. the ward manager"),
            "direction": dropdown_field("Better is", [("Choose", ""), ("An increase", "increase"),
                                                      ("A decrease", "decrease")], value=""),
        }
        self.check_button = button("Check this definition", primary=True)
        self.add_button = button("Add to my measurement plan")
        self.messages = MessageArea()
        self.plan_summary = widgets.HTML()
        self.check_button.on_click(lambda _: self.check())
        self.add_button.on_click(lambda _: self.add_to_plan())
        self._show_plan()
        super().__init__([
            heading("Define a measure"),
            paragraph("An operational definition says exactly what is counted, so that anyone "
                      "collecting the data gets the same number."),
            form(*self.fields.values()),
            widgets.HBox([self.check_button, self.add_button]), self.messages,
            self.plan_summary,
        ], **kwargs)

    @property
    def definition(self) -> MeasureDefinition:
        """The definition as typed (not yet checked)."""
        return MeasureDefinition(**{name: read_text(w) if not isinstance(w, widgets.Dropdown)
                                    else (w.value or "") for name, w in self.fields.items()})

    @property
    def value(self) -> dict[str, Any]:
        """The definition as plain values, with its problems."""
        definition = self.definition
        return {**definition.to_dict(), "problems": definition.validate()}

    def to_dict(self) -> dict[str, Any]:
        """Same as :attr:`value`."""
        return self.value

    @property
    def plan_value(self) -> dict[str, Any]:
        """The measurement plan as plain values, with its problems."""
        return {**self.plan.to_dict(), "problems": self.plan.check()}

    def check(self) -> list[str]:
        """Check the definition, show the result and return the problems."""
        problems = self.definition.validate()
        if problems:
            self.messages.warning("This definition is not complete yet.", details=problems)
        else:
            self.messages.success("This is a complete operational definition.")
        return problems

    def add_to_plan(self) -> bool:
        """Add the definition to the plan if it is complete, then clear the form."""
        definition = self.definition
        try:
            definition.validate(strict=True)
            self.plan.add(definition)
        except QIDataError as exc:
            self.messages.error("Not added yet.", details=definition.validate() or [str(exc)])
            return False
        for w in self.fields.values():
            w.value = ""
        missing = self.plan.missing_kinds()
        still = (f" Still needed: a {', a '.join(missing)} measure." if missing
                 else " The plan has outcome, process and balancing measures.")
        self.messages.success(f"Added '{definition.name}' to your plan.{still}")
        self._show_plan()
        return True

    def _show_plan(self) -> None:
        import html

        if not self.plan.measures:
            self.plan_summary.value = "<p>Your measurement plan has no measures yet.</p>"
            return
        items = "".join(f"<li>{html.escape(m.name)} ({html.escape(m.kind)})</li>"
                        for m in self.plan.measures)
        self.plan_summary.value = f"<h4>Your measurement plan</h4><ul>{items}</ul>"
