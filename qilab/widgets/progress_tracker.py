"""A form for coaches and teams: record a team's progress score at a review, and see every
team's scores on one chart (qilab.tools.progress_tracker).

The form only collects text and shows messages; :func:`qilab.tools.progress_tracker.record_score`
checks the score and writes the file, and :func:`qilab.progress_tracker` draws the chart and
says in words what it shows (the chart's alt text too).

>>> import tempfile, pathlib
>>> form = ProgressTrackerForm(pathlib.Path(tempfile.mkdtemp()) / "team-records.csv")
>>> form.team.value, form.when.value = "Ward 7 falls", "31/05/2019"
>>> form.score.value, form.agreed_by.value = 2.0, "Team and coach"
>>> form.save_button.click()
>>> form.messages.kind, form.tracker.teams
('success', ['Ward 7 falls'])
"""
from __future__ import annotations

import os
from pathlib import Path

import ipywidgets as widgets

from ..cohort.coach_evidence import MIN_SCORE
from ..errors import QIDataError
from ..tools.progress_tracker import (
    PROGRESS_SCALE,
    ProgressTracker,
    progress_tracker,
    record_score,
)
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

__all__ = ["ProgressTrackerForm", "SCORE_OPTIONS"]

#: The progress scores, with the short meaning of each, for a drop-down list.
SCORE_OPTIONS = [(f"{score:g}: {name}", score) for score, name, _ in PROGRESS_SCALE]


class ProgressTrackerForm(StaticPreview, widgets.VBox):
    """Team, review date, progress score and who agreed it; "Add this score" redraws the chart.

    ``path`` is the team records file (``team,date,progress_score,agreed_by``), the one
    ``qilab cohort coach-check`` reads. If it already has scores, the chart is drawn at once.
    """

    def __init__(self, path: str | os.PathLike = "team-records.csv", *, team: str = "",
                 when: str = "", score: float | None = None, agreed_by: str = "") -> None:
        self.path = Path(path)
        self.team = text_field("Team", value=team)
        self.when = date_field("Date of the review", value=when)
        self.score = dropdown_field("Progress score agreed",
                                    [("Choose one", None), *SCORE_OPTIONS], value=score)
        self.agreed_by = text_field("Agreed by", value=agreed_by,
                                    placeholder="e.g. the team and its coach")
        self.save_button = button("Add this score", primary=True)
        self.messages = MessageArea()
        self.chart = widgets.Output()
        self.tracker: ProgressTracker | None = None
        self.save_button.on_click(lambda _: self.save())
        intro = paragraph("Add the score the team agreed at its review. The chart shows every "
                          "team in the file, one line each, with its name at the end of its "
                          f"line and a dotted line at {MIN_SCORE:g}.")
        super().__init__([form(intro, self.team,
                               self.when, self.score, self.agreed_by, self.save_button,
                               label="Progress tracker: add a review"), self.messages, self.chart])
        if self.path.exists():
            self._load()
            self._draw()

    def _load(self) -> None:
        try:
            self.tracker = progress_tracker(self.path)
        except QIDataError as exc:
            self.tracker = None
            self.messages.error(f"{self.path.name} cannot be read: {exc}")

    def _draw(self) -> None:
        from ..display import show

        self.chart.outputs = ()
        if self.tracker is not None:
            self.chart.append_display_data(show(self.tracker.plot(),
                                                alt=self.tracker.alt_text()))

    def save(self) -> None:
        """Check the score and add it to the records, or say what to fix; then redraw."""
        if self.score.value is None:
            self.messages.error("Please choose the progress score.")
            return
        team = read_text(self.team)
        try:
            record_score(self.path, team=team, date=read_text(self.when),
                         progress_score=self.score.value, agreed_by=read_text(self.agreed_by))
        except QIDataError as exc:
            self.messages.error(str(exc))
            return
        self._load()
        self._draw()
        if self.tracker is None:
            return
        self.messages.success(f"Saved to {self.path.name}. " + self.tracker.explain())

    @property
    def value(self) -> list[dict] | None:
        """The records as plain rows (team, date, progress_score, agreed_by), or None."""
        if self.tracker is None:
            return None
        rows = self.tracker.records.assign(date=self.tracker.records["date"].dt.date)
        return rows.to_dict("records")

    def _preview_extra(self) -> str:
        """The static preview shows the chart of the records already in the file."""
        if self.tracker is None or self.chart.outputs:
            return ""
        from ..display import show

        return show(self.tracker.plot(), alt=self.tracker.alt_text())._repr_html_()
