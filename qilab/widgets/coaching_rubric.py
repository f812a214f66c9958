"""A form for assessors: mark an observed coaching session against the rubric
(qilab.tools.coaching_rubric) and see whether it meets the standard, and why not.

Each criterion is a drop-down list (1 not seen, 2 partly, 3 fully) labelled with what the
assessor looks for; what "partly" and "fully" look like is written under it, so the marks
never depend on colour or on memory. :func:`qilab.tools.coaching_rubric.mark_observation`
applies the rule; the form only collects marks and shows the result in words.

>>> form = ObservedSessionForm(coach="Ann")
>>> for field in form.marks.values():
...     field.value = 3
>>> form.mark_button.click()
>>> form.messages.kind, form.result.total
('success', 18)
"""
from __future__ import annotations

import html

import ipywidgets as widgets

from ..errors import QIDataError
from ..tools.coaching_rubric import LEVELS, RUBRIC, ObservationResult, mark_observation
from .forms import (
    MessageArea,
    button,
    date_field,
    dropdown_field,
    form,
    paragraph,
    read_text,
    text_field,
)
from .static import StaticPreview

__all__ = ["ObservedSessionForm"]

MARK_OPTIONS = [("Choose a mark", None), *((f"{k} {v}", k) for k, v in LEVELS.items())]


class ObservedSessionForm(StaticPreview, widgets.VBox):
    """Coach, assessor, date, a mark for each criterion and notes; "Mark the session".

    ``marks`` maps each criterion id to its drop-down list; ``result`` holds the last
    :class:`~qilab.tools.coaching_rubric.ObservationResult` (None until marked).
    """

    def __init__(self, *, coach: str = "", assessor: str = "", when: str = "",
                 marks: dict[str, int] | None = None) -> None:
        given = marks or {}
        self.coach = text_field("Coach observed", value=coach)
        self.assessor = text_field("Assessor", value=assessor)
        self.when = date_field("Date of the session", value=when)
        self.marks: dict[str, widgets.Dropdown] = {}
        rows: list[widgets.Widget] = []
        for criterion in RUBRIC:
            field = dropdown_field(criterion.what, MARK_OPTIONS, value=given.get(criterion.id))
            self.marks[criterion.id] = field
            rows += [field, widgets.HTML(
                f'<p class="qi-rubric-help">Partly (2): {html.escape(criterion.partly)}. '
                f"Fully (3): {html.escape(criterion.fully)}.</p>")]
        self.notes = text_field("What you saw", multiline=True, rows=4,
                                placeholder="e.g. asked the team what the chart told them")
        self.mark_button = button("Mark the session", primary=True)
        self.messages = MessageArea()
        self.result: ObservationResult | None = None
        self.mark_button.on_click(lambda _: self.mark())
        intro = paragraph("Watch a real session with an improvement team. Mark each criterion "
                          "1 (not seen), 2 (partly) or 3 (fully), then mark the session.")
        super().__init__([form(intro, self.coach,
                               self.assessor, self.when, *rows, self.notes, self.mark_button,
                               label="Observed coaching session"), self.messages])

    def mark(self) -> ObservationResult | None:
        """Apply the rubric's rule to the marks, and say whether the session meets it."""
        unmarked = [c.what for c in RUBRIC if self.marks[c.id].value is None]
        if unmarked:
            self.messages.error(f"Please mark every criterion. Not marked yet: "
                                f"{'; '.join(unmarked)}.")
            self.result = None
            return None
        try:
            result = mark_observation({k: f.value for k, f in self.marks.items()})
        except QIDataError as exc:
            self.messages.error(str(exc))
            return None
        self.result = result
        coach = read_text(self.coach) or "the coach"
        record = (f"Record it in the evidence file as the item observed-session for {coach}, "
                  f"met {'yes' if result.met else 'no'}.")
        if result.met:
            self.messages.success(result.explain(), [record])
        else:
            self.messages.warning(result.explain(), [record])
        return result

    @property
    def value(self) -> dict | None:
        """The marked session as plain values, or None until it has been marked."""
        if self.result is None:
            return None
        return {"coach": read_text(self.coach), "assessor": read_text(self.assessor),
                "date": read_text(self.when), "marks": dict(self.result.marks),
                "total": self.result.total, "met": self.result.met,
                "notes": read_text(self.notes)}
