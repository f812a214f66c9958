"""A form for the sustainability self-assessment (qilab.tools.sustainability).

Each team member types their name, rates the ten factors and presses "Add my ratings"; the
team's summary and chart appear under the form. The form only collects choices: the checks
and the summary are :class:`qilab.tools.sustainability.SustainabilityAssessment`'s.

>>> form = SustainabilityForm("Ward 7 falls")
>>> form.person.value = "Ann"
>>> for box in form.factors.values():
...     box.value = 3
>>> form.add_button.click()
>>> form.messages.kind, list(form.assessment.ratings)
('success', ['Ann'])
"""
from __future__ import annotations

import ipywidgets as widgets

from ..errors import QIDataError
from ..tools.sustainability import FACTORS, LEVELS, SustainabilityAssessment
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

__all__ = ["SustainabilityForm"]

NOT_CHOSEN = "choose"
CHOICES = [("Choose a rating", NOT_CHOSEN), *((f"{k} {v.lower()}", k) for k, v in LEVELS.items()),
           ("Not sure", None)]


class SustainabilityForm(StaticPreview, widgets.VBox):
    """Name, ten ratings and "Add my ratings"; the team's summary is drawn under the form."""

    def __init__(self, project: str = "my project",
                 assessment: SustainabilityAssessment | None = None) -> None:
        self.assessment = assessment or SustainabilityAssessment(project)
        self.person = text_field("Your name or initials")
        self.factors: dict[str, widgets.Dropdown] = {}
        rows: list[widgets.Widget] = []
        for group in ("Process", "Staff", "Organisation"):
            rows.append(heading(group, level=4))
            for g, key, name, question in FACTORS:
                if g != group:
                    continue
                rows.append(paragraph(question))
                self.factors[key] = dropdown_field(name, CHOICES, value=NOT_CHOSEN)
                rows.append(self.factors[key])
        self.add_button = button("Add my ratings", primary=True)
        self.messages = MessageArea()
        self.result = widgets.Output()
        self.add_button.on_click(lambda _: self.add())
        super().__init__([form(self.person, *rows, self.add_button,
                               label="Sustainability self-assessment"),
                          self.messages, self.result])
        if self.assessment.ratings:
            self._show()

    def add(self) -> None:
        """Add this person's ratings to the team's, or say what to fix."""
        unrated = [box.description for box in self.factors.values() if box.value == NOT_CHOSEN]
        if unrated:
            self.messages.error(f"Please choose a rating (or Not sure) for {unrated[0]}.")
            return
        name = read_text(self.person)
        try:
            self.assessment.add(name, {k: box.value for k, box in self.factors.items()})
        except QIDataError as exc:
            self.messages.error(str(exc))
            return
        people = len(self.assessment.ratings)
        self.messages.success(f"Added {name}'s ratings. The team summary below now has "
                              f"{people} {'person' if people == 1 else 'people'}.")
        self.person.value = ""
        for box in self.factors.values():
            box.value = NOT_CHOSEN
        self._show()

    def _show(self) -> None:
        from ..display import table

        self.result.outputs = ()
        self.result.append_display_data(table(self.assessment.summary()))
        self.result.append_display_data(self.assessment)
