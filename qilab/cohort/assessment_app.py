"""The Aware assessment as an app: questions with radio choices and a text box, and Submit.

The assignment notebook (``exercises/aware-assessment``) shows :class:`AwareAssessment` and
nothing else, so it works as a Voila app with no code shown, and in JupyterLab. The learner
chooses and types; **Submit** saves the answers in the assignment folder
(:func:`qilab.cohort.assessment.save_answers`, atomically) and then hands the folder to
nbgrader's own ``nbgrader submit`` (:func:`nbgrader_submit`), so the learner never needs the
Assignments panel. The app holds the learner's paper (questions and options), never the key.

>>> import tempfile
>>> app = AwareAssessment(tempfile.mkdtemp(), learner="ann", submit=None)
>>> len(app.questions), app.submit_button.description
(8, 'Submit my answers')
>>> app.submit_button.click()
>>> app.messages.kind, app.saved is None
('error', True)
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets

from ..errors import QIDataError
from ..widgets.forms import MessageArea, button, heading, paragraph, text_field
from .assessment import ANSWERS_FILE, ASSIGNMENT, MAX_TEXT, paper, save_answers
from .identity import identify, learner_seed

__all__ = ["AwareAssessment", "nbgrader_submit"]

#: ipywidgets gives each radio option one fixed-height line, so a long option wraps over the
#: next one (which then cannot be clicked): let options take the height they need.
_STYLE = """<style>
.qi-assessment .widget-radio-box label { height: auto !important; min-height: 1.6em;
  line-height: 1.4 !important; white-space: normal !important; margin: 0 0 0.45em 0;
  align-items: flex-start; }
.qi-assessment .widget-radio-box input { margin-top: 0.25em; flex: none; }
.qi-assessment .widget-radio-box { height: auto !important; }
</style>"""


def nbgrader_submit(folder: str | os.PathLike[str], course: str | None = None,
                    extra_args: tuple[str, ...] = (), timeout: float = 120) -> str:
    """Run ``nbgrader submit`` for the assignment in ``folder``, as the Assignments panel does.

    ``folder`` is ``<home>/<course>/<assignment>``, where nbgrader's fetch puts an assignment
    when courses share an exchange (``path_includes_course``, as on the hub); ``course``
    defaults to the parent folder's name. The learner's own nbgrader configuration (exchange,
    submit class) applies. Returns nbgrader's log; raises :class:`QIDataError` if it failed.
    """
    folder = Path(folder).resolve()
    course = course or folder.parent.name
    cmd = [sys.executable, "-m", "nbgrader", "submit", folder.name, "--course", course,
           "--Exchange.path_includes_course=True", *extra_args]
    done = subprocess.run(cmd, cwd=folder.parent.parent, capture_output=True, text=True,
                          timeout=timeout)
    log = done.stdout + done.stderr
    if done.returncode != 0:
        tail = " ".join(log.strip().splitlines()[-3:])
        raise QIDataError(f"Your answers are saved, but sending them to your trainer failed: "
                          f"{tail[-400:]}", field="submit")
    return log


class AwareAssessment(widgets.VBox):
    """The learner's Aware assessment: their questions, their answers, and Submit.

    ``folder`` is the assignment folder the answers are saved in (default: the current
    folder, where the notebook is). ``learner`` defaults to who the learner is
    (:func:`qilab.cohort.identity.identify`). ``submit`` is called with the folder after the
    answers are saved (default :func:`nbgrader_submit`; ``None`` only saves).

    ``questions`` are the answer widgets in paper order (a ``RadioButtons`` per choice
    question, a ``Text`` for the short answer); ``saved`` is the answers file once saved.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None, *,
                 learner: str | None = None,
                 submit: Callable[[Path], Any] | None = nbgrader_submit) -> None:
        self.folder = Path(folder) if folder is not None else Path.cwd()
        who = identify()
        self.learner = learner or who.learner_id
        self.paper = paper(learner_seed(self.learner, ASSIGNMENT))
        self._submit = submit
        self.saved: Path | None = None
        self.questions: list[widgets.Widget] = []
        parts: list[widgets.Widget] = [
            widgets.HTML(_STYLE),
            heading("Aware assessment: what quality improvement is", 2),
            paragraph(f"There are {len(self.paper)} questions; you need 6 right (75%) to pass. "
                      "Your questions and the order of the options are chosen for you "
                      f"alone ({self.learner}). Answer each one, then press Submit."),
        ]
        for q in self.paper:
            label = f"Question {q['number']}"
            if q["kind"] == "choice":
                control = widgets.RadioButtons(
                    options=[(f"{letter}. {text}", letter) for letter, text in
                             q["options"].items()],
                    value=None, description=label, style={"description_width": "initial"},
                    layout=widgets.Layout(width="auto"))
            else:
                control = text_field(label, placeholder=f"Your answer (up to {MAX_TEXT} "
                                     "characters)")
            self.questions.append(control)
            parts += [heading(f"{q['number']}. {q['question']}", 3), control]
        self.submit_button = button("Submit my answers", primary=True,
                                    tooltip="Save your answers and send them to your trainer")
        self.submit_button.on_click(lambda _: self.submit())
        self.messages = MessageArea()
        parts += [self.submit_button, self.messages]
        super().__init__(parts, layout=widgets.Layout(max_width="52em"))
        self.add_class("qi-assessment")

    def answers(self) -> dict[str, str]:
        """The answers given so far, by question id."""
        out = {}
        for q, control in zip(self.paper, self.questions):
            value = control.value
            if isinstance(value, str) and value.strip():
                out[q["id"]] = value.strip()[:MAX_TEXT]
        return out

    def submit(self) -> None:
        """Check every question is answered, save the answers, then hand them in."""
        given = self.answers()
        missing = [str(q["number"]) for q in self.paper if q["id"] not in given]
        if missing:
            self.messages.error("Answer every question before you submit.",
                                [f"Not answered yet: question {', '.join(missing)}."])
            return
        try:
            self.saved = save_answers(self.folder, self.learner, given)
        except OSError as exc:
            self.messages.error(f"Your answers could not be saved ({exc.strerror or exc}).")
            return
        if self._submit is None:
            self.messages.success(f"Your answers are saved in {ANSWERS_FILE}.")
            return
        try:
            self._submit(self.folder)
        except (QIDataError, OSError, subprocess.SubprocessError) as exc:
            self.messages.error(str(exc))
            return
        self.messages.success("Submitted. Your trainer will mark your answers; you can change "
                              "them and submit again until the due date.")
