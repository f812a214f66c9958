"""A form for coaches: add a coaching session to the coaching log (qilab.tools.coaching_log).

The form only collects text and shows messages; :func:`qilab.tools.coaching_log.log_session`
checks the session and writes the file.

>>> import tempfile, pathlib
>>> form = CoachingLogForm(pathlib.Path(tempfile.mkdtemp()) / "log.csv")
>>> form.coach.value, form.team.value = "Ann", "Ward 7"
>>> form.when.value, form.stage.value = "14/03/2025", "testing"
>>> form.agreed.value, form.score.value = "Test the handover sheet", 2.5
>>> form.save_button.click()
>>> form.messages.kind
'success'
"""
from __future__ import annotations

import os
from pathlib import Path

import ipywidgets as widgets

from ..cohort.coach_evidence import MIN_SESSIONS, STAGES
from ..errors import QIDataError
from ..tools.coaching_log import log_session, sessions_for
from .forms import (
    MessageArea,
    button,
    date_field,
    dropdown_field,
    form,
    heading,
    read_text,
    text_field,
)
from .static import StaticPreview

__all__ = ["CoachingLogForm"]

SCORES = [0.5 * k for k in range(1, 11)]


class CoachingLogForm(StaticPreview, widgets.VBox):
    """Coach, team, date, stage, what was agreed and the progress score; "Add to the log"."""

    def __init__(self, path: str | os.PathLike = "coaching-log.csv") -> None:
        self.path = Path(path)
        self.coach = text_field("Coach (your name)")
        self.team = text_field("Team")
        self.when = date_field("Date of the session")
        self.stage = dropdown_field("Stage in the Model for Improvement",
                                    [("Choose one", ""), *((s.capitalize(), s) for s in STAGES)])
        self.agreed = text_field("What was agreed", multiline=True,
                                 placeholder="e.g. test the new handover sheet on two shifts")
        self.score = dropdown_field("Progress score agreed",
                                    [("Choose one", None), *((f"{s:g}", s) for s in SCORES)])
        self.save_button = button("Add to the log", primary=True)
        self.messages = MessageArea()
        self.save_button.on_click(lambda _: self.save())
        super().__init__([form(heading("Coaching log: add a session"), self.coach, self.team,
                               self.when, self.stage, self.agreed, self.score,
                               self.save_button, label="Coaching log"), self.messages])

    def save(self) -> None:
        """Check the session and add it to the log, or say what to fix."""
        if not self.stage.value or self.score.value is None:
            missing = "the stage" if not self.stage.value else "the progress score"
            self.messages.error(f"Please choose {missing}.")
            return
        coach = read_text(self.coach)
        try:
            log_session(self.path, coach=coach, team=read_text(self.team),
                        date=read_text(self.when), stage=self.stage.value,
                        agreed=read_text(self.agreed), progress_score=self.score.value)
        except QIDataError as exc:
            self.messages.error(str(exc))
            return
        count = sessions_for(self.path, coach)
        more = (f"The Coach certificate needs {MIN_SESSIONS}: {MIN_SESSIONS - count} to go."
                if count < MIN_SESSIONS else "That is enough sessions for the Coach "
                "certificate.")
        self.messages.success(f"Saved to {self.path.name}. {coach} has {count} "
                              f"session{'s' if count != 1 else ''} in the log. {more}")
        self.agreed.value = ""
