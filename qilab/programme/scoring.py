"""Scoring knowledge-test answers: the 0-9 rubric as a plain function and a form for raters.

A rater reads a learner's aim, measure and change for one scenario and ticks each criterion of
:data:`qilab.programme.scenarios.RUBRIC` the answer meets; the score is the number of ticks.
The form saves each score as a row of ``knowledge.csv`` in the import's own columns, so the
file goes straight into ``qilab programme import``.

>>> score({"aim": (True, True, False), "measure": (True, False, False),
...        "change": (True, True, True)})
6
>>> form = ScoringForm("scores/knowledge.csv", rater="r1")
>>> form.fill(learner="ann", phase="pre", scenario="gp-call-backs", date="01/02/2025",
...           ticks={"aim": (True, True, True)})
>>> form.score_label.value
'Score: 3 out of 9'
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import QIDataError
from ..storage import atomic_append_text
from .scenarios import RUBRIC, SCENARIOS

COLUMNS = ("learner", "phase", "scenario", "rater", "score", "date")


def score(ticks: Mapping[str, Sequence[bool]]) -> int:
    """The 0-9 score: how many of the nine criteria the answer meets."""
    unknown = set(ticks) - set(RUBRIC)
    if unknown:
        raise QIDataError(f"Unknown rubric part(s) {sorted(unknown)}: the parts are "
                          f"{', '.join(RUBRIC)}.", field="ticks")
    total = 0
    for part, criteria in RUBRIC.items():
        marks = list(ticks.get(part, ()))
        if len(marks) > len(criteria):
            raise QIDataError(f"{part} has {len(criteria)} criteria; got {len(marks)} ticks.",
                              field=part)
        total += sum(bool(m) for m in marks)
    return total


class ScoringForm:
    """An ipywidgets form for one rater: scenario text, nine tick boxes, the score, Save.

    ``.widget`` is the form to display. Saving appends a row to ``path`` (written
    atomically), refusing an empty learner id, a date that is not dd/mm/yyyy, and a second
    score by the same rater for the same learner, phase and scenario.
    """

    def __init__(self, path: str | os.PathLike, rater: str) -> None:
        import ipywidgets as widgets

        from ..widgets.forms import MessageArea, button, dropdown_field, text_field

        if not rater.strip():
            raise QIDataError("Give the rater's id (for example your initials).", field="rater")
        self.path, self.rater = Path(path), rater.strip()
        self.learner = text_field("Learner id")
        self.phase = dropdown_field("Before or after", ["pre", "post"])
        self.scenario = dropdown_field("Scenario", sorted(SCENARIOS))
        self.date = text_field("Date answered (dd/mm/yyyy)")
        self.scenario_text = widgets.HTML()
        self.boxes = {part: [widgets.Checkbox(description=f"{part.capitalize()}: {text}",
                                              value=False, indent=False,
                                              layout=widgets.Layout(width="auto"))
                             for text in criteria] for part, criteria in RUBRIC.items()}
        self.score_label = widgets.HTML()
        self.messages = MessageArea()
        self.save_button = button("Save this score", primary=True)
        for boxes in self.boxes.values():
            for box in boxes:
                box.observe(lambda _: self._update(), names="value")
        self.scenario.observe(lambda _: self._update(), names="value")
        self.save_button.on_click(lambda _: self.save())
        self.widget = widgets.VBox([self.learner, self.phase, self.scenario, self.scenario_text,
                                    self.date, *[b for bs in self.boxes.values() for b in bs],
                                    self.score_label, self.save_button, self.messages])
        self._update()

    def ticks(self) -> dict[str, tuple[bool, ...]]:
        return {part: tuple(b.value for b in boxes) for part, boxes in self.boxes.items()}

    def _update(self) -> None:
        import html

        self.scenario_text.value = f"<p>{html.escape(SCENARIOS[self.scenario.value])}</p>"
        self.score_label.value = f"Score: {score(self.ticks())} out of 9"

    def fill(self, *, learner: str, phase: str, scenario: str, date: str,
             ticks: Mapping[str, Sequence[bool]]) -> None:
        """Set the form's fields (as a rater would), for scripts and tests."""
        self.learner.value, self.phase.value = learner, phase
        self.scenario.value, self.date.value = scenario, date
        for part, boxes in self.boxes.items():
            marks = list(ticks.get(part, ())) + [False] * len(boxes)
            for box, mark in zip(boxes, marks):
                box.value = bool(mark)
        self._update()

    def save(self) -> bool:
        """Append this score to the file; say what happened in the message area."""
        from .values import parse_date

        learner = self.learner.value.strip()
        if not learner:
            self.messages.error("Enter the learner id.")
            return False
        try:
            parse_date(self.date.value)
        except ValueError as exc:
            self.messages.error(str(exc))
            return False
        key = (learner.casefold(), self.phase.value, self.scenario.value, self.rater)
        if self.path.exists():
            for row in csv.DictReader(io.StringIO(self.path.read_text(encoding="utf-8"))):
                if (row["learner"].casefold(), row["phase"], row["scenario"],
                        row["rater"]) == key:
                    self.messages.error(f"You have already scored {learner}'s {key[1]} answer "
                                        f"to {key[2]}.")
                    return False
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if not self.path.exists():
            writer.writerow(COLUMNS)
        value = score(self.ticks())
        writer.writerow([learner, self.phase.value, self.scenario.value, self.rater, value,
                         self.date.value.strip()])
        atomic_append_text(self.path, out.getvalue())
        self.messages.success(f"Saved: {learner}, {self.phase.value}, {self.scenario.value}: "
                              f"{value} out of 9.")
        return True
