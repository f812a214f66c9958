"""Widgets for PDSA cycles: a step-by-step cycle form and a ramp view.

The logic lives in :mod:`qilab.pdsa`. :class:`PDSAWidget` walks a learner through Plan, Do,
Study and Act, saving to their :class:`~qilab.pdsa.PDSALog` at every step; it will not move on
to Do without a prediction. :class:`RampView` draws the log's linked cycles.

>>> import tempfile, pathlib
>>> from qilab.widgets.pdsa import PDSAWidget
>>> w = PDSAWidget(pathlib.Path(tempfile.mkdtemp()) / "pdsa.json")
>>> w.fields["title"].value = "Falls leaflet, 1 patient"
>>> w.next_button.click()
>>> w.step, "prediction" in w.messages.text
('plan', True)
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..errors import QIDataError
from ..pdsa import DECISIONS, FIELD_LABELS, PDSACycle, PDSALog, _uk
from .forms import (
    MessageArea,
    button,
    date_field,
    dropdown_field,
    heading,
    paragraph,
    read_lines,
    read_text,
    text_field,
)
from .static import StaticPreview

__all__ = ["PDSAWidget", "RampView"]

STEP_ORDER: tuple[str, ...] = ("plan", "do", "study", "act")
STEP_TITLES = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act"}
STEP_HELP = {
    "plan": "Say what you will test, what you expect to happen (your prediction), and who will "
            "do what, where and when, and what data you will collect.",
    "do": "Carry out the test. Record what happened, anything you noticed, and the date.",
    "study": "Compare what happened with your prediction. What did you learn?",
    "act": "Decide: adopt the change, adapt it and test again, or abandon it. What comes next?",
}
_DECISION_HELP = {"adopt": "Adopt: keep the change as it is",
                  "adapt": "Adapt: change it and test again",
                  "abandon": "Abandon: stop testing this idea"}
_DECISION_OPTIONS = [("Choose a decision", "")] + [(_DECISION_HELP[d], d) for d in DECISIONS]
_NO_LINK = "(none: this is the first cycle in a ramp)"


def _open_log(log: PDSALog | str | Path) -> PDSALog:
    return log if isinstance(log, PDSALog) else PDSALog(log)


class PDSAWidget(StaticPreview, widgets.VBox):
    """A step-by-step PDSA form (Plan → Do → Study → Act) saved to a learner's PDSA log.

    ``log`` is a :class:`~qilab.pdsa.PDSALog` or the path of its file; the widget keeps it as
    ``.pdsa_log`` (``.log`` is the widget's own logger). Give ``cycle_id`` to
    carry on with a cycle already in the log, or ``follows`` to start a new cycle that builds
    on an earlier one (a ramp).

    Each "Save and go to ..." press saves what has been typed to the log (even when something
    is still missing), then moves on only if the step is complete. The Plan step needs a
    prediction before Do. Bad input (such as an impossible date) and failed saves show a
    message; nothing the learner typed is ever cleared.

    ``.value`` is the saved cycle as a plain dictionary (``None`` before the first save), so an
    exercise can grade it; ``.draft()`` is the cycle as currently typed.
    """

    def __init__(self, log: PDSALog | str | Path, cycle_id: str | None = None, *,
                 follows: str | None = None, aim: str = "", **kwargs: Any) -> None:
        self.pdsa_log = _open_log(log)
        self._id: str | None = None
        self.step = "plan"
        self.messages = MessageArea()
        f: dict[str, widgets.Widget] = {
            "title": text_field("Title of this test", placeholder="e.g. Falls leaflet, 1 patient"),
            "aim": text_field("Aim it serves", multiline=True, rows=2, value=aim,
                              placeholder="e.g. Reduce falls on Ward 7 from 8 to 4 a month by March 2027"),
            "change_idea": text_field("Change idea", multiline=True, rows=2,
                                      placeholder="What change are you testing?"),
            "questions": text_field("Question(s) this test will answer, one a line",
                                    multiline=True, rows=2,
                                    placeholder="e.g. Will patients read the leaflet?"),
            "prediction": text_field("Prediction: what do you expect to happen?", multiline=True,
                                     rows=2, placeholder="e.g. 4 of 5 patients will read it"),
            "plan_who": text_field("Who will do it", placeholder="e.g. the staff nurse on the early shift"),
            "plan_what": text_field("What they will do", multiline=True, rows=2),
            "plan_where": text_field("Where", placeholder="e.g. Ward 7, bay 2"),
            "plan_when": date_field("When (date)"),
            "plan_data": text_field("Data to collect", multiline=True, rows=2,
                                    placeholder="e.g. minutes taken; could the patient say one tip back?"),
            "follows": dropdown_field("Builds on cycle", [(_NO_LINK, "")], value=""),
            "do_what_happened": text_field("What happened", multiline=True, rows=3),
            "do_observations": text_field("Observations and surprises", multiline=True, rows=3),
            "do_date": date_field("Date done"),
            "study_results": text_field("Results compared with your prediction", multiline=True,
                                        rows=3),
            "study_learning": text_field("What you learned", multiline=True, rows=3),
            "act_decision": dropdown_field("Decision", _DECISION_OPTIONS, value=""),
            "act_next_step": text_field("Next step", multiline=True, rows=2,
                                        placeholder="e.g. test with 5 patients next week"),
        }
        self.fields = f
        self.prediction_reminder = widgets.HTML()
        self._pages: dict[str, list[widgets.Widget]] = {
            "plan": [f["title"], f["aim"], f["change_idea"], f["questions"], f["prediction"],
                     f["plan_who"], f["plan_what"], f["plan_where"], f["plan_when"],
                     f["plan_data"], f["follows"]],
            "do": [f["do_what_happened"], f["do_observations"], f["do_date"]],
            "study": [self.prediction_reminder, f["study_results"], f["study_learning"]],
            "act": [f["act_decision"], f["act_next_step"]],
        }
        self.progress = widgets.HTML()
        self.page = widgets.VBox()
        self.back_button = button("Back", tooltip="Go back a step (nothing is lost)")
        self.save_button = button("Save", tooltip="Save what you have typed to your PDSA log")
        self.next_button = button("Save and go to Do", primary=True)
        self.next_cycle_button = button("Start the next cycle in this ramp",
                                        tooltip="A new cycle that builds on this one")
        self.back_button.on_click(lambda _: self.go_back())
        self.save_button.on_click(lambda _: self.save())
        self.next_button.on_click(lambda _: self.save(advance=True))
        self.next_cycle_button.on_click(lambda _: self.start_next_cycle())
        self.buttons = widgets.HBox([self.back_button, self.save_button, self.next_button,
                                     self.next_cycle_button])
        self._refresh_links()
        if cycle_id is not None:
            self.load(cycle_id)
        elif follows is not None:
            self.pdsa_log.get(follows)  # check it exists (raises QIDataError naming 'id')
            f["follows"].value = follows
        super().__init__([heading("PDSA cycle"), self.progress, self.page, self.messages,
                          self.buttons], **kwargs)
        self._show_step()
        if self.pdsa_log.recovered_from is not None:
            self.messages.warning(
                "Your PDSA log could not be read, so a new one has been started. The old file "
                f"is kept as {self.pdsa_log.recovered_from.name} in the same folder: ask your "
                "facilitator if you need its cycles back.")

    # ------------------------------------------------------------------ building the cycle
    def _read(self) -> dict[str, Any]:
        f = self.fields
        data: dict[str, Any] = {name: read_text(widget) for name, widget in f.items()
                                if name not in ("questions", "follows", "act_decision")}
        data["questions"] = read_lines(f["questions"])
        data["follows"] = f["follows"].value or None
        data["act_decision"] = f["act_decision"].value or ""
        return data

    def draft(self) -> PDSACycle:
        """The cycle as currently typed. Raises :class:`QIDataError` naming a bad field."""
        return PDSACycle(**self._read(), id=self._id or "")

    @property
    def cycle(self) -> PDSACycle | None:
        """The cycle as last saved to the log (``None`` before the first save)."""
        if self._id is None or self._id not in self.pdsa_log:
            return None
        return self.pdsa_log.get(self._id)

    @property
    def value(self) -> dict[str, Any] | None:
        """The saved cycle as plain values (``None`` before the first save)."""
        cycle = self.cycle
        return cycle.to_dict() if cycle is not None else None

    def to_dict(self) -> dict[str, Any] | None:
        """Same as :attr:`value`."""
        return self.value

    # ------------------------------------------------------------------ actions
    def save(self, advance: bool = False) -> bool:
        """Save the typed cycle to the log; with ``advance``, move on if the step is complete.

        Returns True if the cycle was saved. Never clears a field.
        """
        try:
            cycle = self.draft()
        except QIDataError as exc:
            label = FIELD_LABELS.get(exc.field or "", exc.field or "a field")
            self.messages.error(f"Not saved yet: please check '{label}'.", details=[str(exc)])
            return False
        try:
            if self._id is None:
                cycle = self.pdsa_log.add(cycle)
                self._id = cycle.id
            else:
                cycle = self.pdsa_log.update(cycle)
        except QIDataError as exc:
            self.messages.error("Not saved yet: please check the cycle.", details=[str(exc)])
            return False
        except OSError as exc:
            self.messages.error(
                f"Your cycle could not be saved to {self.pdsa_log.path.name} "
                f"({exc.strerror or exc}). Everything you typed is still here: try Save again, "
                "or copy your text somewhere safe.")
            return False
        self._refresh_links()
        saved = f"Saved cycle {cycle.id} to {self.pdsa_log.path.name}."
        if not advance:
            self.messages.success(saved)
            self._show_step()
            return True
        problems = cycle.problems(self.step)
        if problems:
            if "prediction" in cycle.missing(self.step):
                self.messages.warning(
                    "Before you go on to Do, write your prediction: what do you expect to "
                    "happen? Predicting first is what turns a test into learning - in Study "
                    "you compare what happened with what you expected.",
                    details=[f"Your plan is saved as a draft (cycle {cycle.id})."] + problems[1:])
            else:
                self.messages.warning(f"{saved} Before you go on, fill in what this step still "
                                      "needs.", details=problems)
            self._show_step()
            return True
        index = STEP_ORDER.index(self.step)
        if index + 1 < len(STEP_ORDER):
            self.step = STEP_ORDER[index + 1]
            self.messages.success(f"{saved} Now: {STEP_TITLES[self.step]}.",
                                  details=[STEP_HELP[self.step]])
        else:
            self.messages.success(
                f"{saved} This cycle is complete: you decided to {cycle.act_decision}. "
                "Start the next cycle in this ramp when you are ready.")
        self._show_step()
        return True

    def go_back(self) -> None:
        """Go back one step. Nothing is cleared or saved."""
        index = STEP_ORDER.index(self.step)
        if index > 0:
            self.step = STEP_ORDER[index - 1]
        self.messages.clear()
        self._show_step()

    def go_to(self, step: str) -> None:
        """Show ``step`` if the cycle as saved has reached it (you cannot skip ahead)."""
        if step not in STEP_ORDER:
            raise QIDataError(f"Unknown step {step!r}: use plan, do, study or act.", field="step")
        cycle = self.cycle
        reached = STEP_ORDER.index(cycle.stage) if cycle and cycle.stage in STEP_ORDER else (
            len(STEP_ORDER) - 1 if cycle else 0)
        if STEP_ORDER.index(step) > reached:
            self.messages.warning(f"Finish {STEP_TITLES[STEP_ORDER[reached]]} first.",
                                  details=cycle.problems(STEP_ORDER[reached]) if cycle else [])
            return
        self.step = step
        self._show_step()

    def load(self, cycle_id: str) -> None:
        """Fill the form with a cycle from the log and show the step it has reached."""
        cycle = self.pdsa_log.get(cycle_id)
        self._id = cycle.id
        self._refresh_links()
        for name, widget in self.fields.items():
            value = getattr(cycle, name)
            if name == "questions":
                widget.value = "\n".join(value)
            elif name in ("plan_when", "do_date"):
                widget.value = value.strftime("%d/%m/%Y") if value else ""
            else:
                widget.value = value or ""
        self.step = cycle.stage if cycle.stage in STEP_ORDER else "act"
        if cycle.stage == "complete":
            self.messages.info(f"Cycle {cycle.id} is complete ({cycle.act_decision}).")
        self._show_step()

    def start_next_cycle(self) -> None:
        """Start a new, empty cycle that follows this one, keeping the aim."""
        cycle = self.cycle
        if cycle is None:
            self.messages.warning("Save this cycle first: the next one builds on it.")
            return
        for name, widget in self.fields.items():
            if name in ("aim", "follows"):
                continue
            widget.value = ""
        self._id = None
        self._refresh_links()
        self.fields["follows"].value = cycle.id
        self.step = "plan"
        self.messages.info(f"New cycle building on {cycle.id} ('{cycle.title}'). "
                           f"Your learning from it: {cycle.study_learning or 'not recorded'}.")
        self._show_step()

    # ------------------------------------------------------------------ display
    def _refresh_links(self) -> None:
        dropdown = self.fields["follows"]
        current = dropdown.value
        options = [(_NO_LINK, "")] + [(f"{c.id}: {c.title}", c.id) for c in self.pdsa_log
                                      if c.id != self._id]
        dropdown.options = options
        dropdown.value = current if current in {v for _, v in options} else ""

    def _show_step(self) -> None:
        index = STEP_ORDER.index(self.step)
        items = "".join(
            f'<li aria-current="step"><strong>{STEP_TITLES[s]} (this step)</strong></li>'
            if s == self.step else f"<li>{STEP_TITLES[s]}</li>" for s in STEP_ORDER)
        self.progress.value = (
            f'<nav aria-label="PDSA steps"><p>Step {index + 1} of 4: '
            f"<strong>{STEP_TITLES[self.step]}</strong></p>"
            f'<ol style="display:flex;gap:1.5em;list-style-position:inside;padding:0">{items}</ol></nav>')
        prediction = read_text(self.fields["prediction"])
        self.prediction_reminder.value = (
            f"<p><strong>Your prediction was:</strong> {html.escape(prediction)}</p>"
            if prediction else "<p><strong>No prediction was recorded.</strong></p>")
        self.page.children = [heading(STEP_TITLES[self.step], 4), paragraph(STEP_HELP[self.step]),
                              *self._pages[self.step]]
        self.back_button.disabled = index == 0
        if index + 1 < len(STEP_ORDER):
            self.next_button.description = f"Save and go to {STEP_TITLES[STEP_ORDER[index + 1]]}"
        else:
            self.next_button.description = "Save and finish the cycle"
        self.next_button.tooltip = self.next_button.description
        cycle = self.cycle
        complete = cycle is not None and cycle.stage == "complete"
        self.next_cycle_button.layout.display = "" if complete else "none"


class RampView(StaticPreview, widgets.VBox):
    """The ramps in a PDSA log as a picture (with alt text) and a list; press Refresh to redraw.

    ``.value`` is the ramps as lists of cycle ids.

    >>> import tempfile, pathlib
    >>> from qilab.pdsa import PDSALog, PDSACycle
    >>> log = PDSALog(pathlib.Path(tempfile.mkdtemp()) / "pdsa.json")
    >>> _ = log.add(PDSACycle(title="Leaflet"))
    >>> RampView(log).value
    [['C1']]
    """

    def __init__(self, log: PDSALog | str | Path, **kwargs: Any) -> None:
        self.pdsa_log = _open_log(log)
        self.figure = widgets.HTML()
        self.summary = widgets.HTML()
        self.refresh_button = button("Refresh the ramp chart")
        self.refresh_button.on_click(lambda _: self.refresh())
        super().__init__([heading("Your PDSA ramps"), self.figure, self.summary,
                          self.refresh_button], **kwargs)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the log file and redraw."""
        import matplotlib.pyplot as plt

        from ..display import show

        self.pdsa_log = PDSALog(self.pdsa_log.path)
        ax = self.pdsa_log.plot_ramp()
        alt = self.pdsa_log.alt_text()
        self.alt_text = alt
        self.figure.value = show(ax, alt)._repr_html_()
        plt.close("all")
        items = []
        for r, ramp in enumerate(self.pdsa_log.ramps(), start=1):
            steps = " → ".join(
                html.escape(f"{c.id} {c.title} ({c.act_decision or c.stage}"
                            f"{', ' + _uk(c.do_date or c.plan_when) if (c.do_date or c.plan_when) else ''})")
                for c in ramp)
            items.append(f"<li>Ramp {r}: {steps}</li>")
        self.summary.value = (f"<ul>{''.join(items)}</ul>" if items
                                  else "<p>No cycles logged yet.</p>")

    @property
    def value(self) -> list[list[str]]:
        """The ramps, each a list of cycle ids from first to last."""
        return [[c.id for c in ramp] for ramp in self.pdsa_log.ramps()]

