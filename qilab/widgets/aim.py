"""A form for building an aim statement part by part and checking it (QIKAT-R criteria).

The logic is in :mod:`qilab.tools.aim`; this widget only collects the parts, shows the sentence
they make and shows the feedback from :func:`qilab.tools.aim.check_aim`.

>>> from qilab.widgets.aim import AimBuilder
>>> builder = AimBuilder()
>>> builder.what.value = "Reduce falls"
>>> builder.for_whom.value = "on Ward 7"
>>> builder.baseline.value, builder.goal.value = "8", "4"
>>> builder.unit.value, builder.by_when.value = "falls a month", "March 2027"
>>> builder.check_button.click()
>>> builder.value["passes"], builder.messages.kind
(True, 'success')
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..errors import QIDataError
from ..storage import write_document
from ..tools.aim import AimCheck, AimStatement, check_aim
from .forms import MessageArea, button, form, heading, paragraph, read_text, text_field
from .static import StaticPreview

__all__ = ["AimBuilder"]

AIM_SCHEMA = "qilab.aim"
AIM_SCHEMA_VERSION = 1


class AimBuilder(StaticPreview, widgets.VBox):
    """Build an aim from its parts (or write it whole) and check it against the three criteria.

    The parts are: what will improve, for whom and where, from (baseline) and to (goal) as
    numbers, the unit, and by when. A learner who prefers can write the whole aim in the last
    box instead; when that box has text, it is the aim that is checked.

    ``.value`` is a plain dictionary (the aim's text, its parts, and the result of each check)
    that an exercise can grade; ``.check()`` returns the :class:`~qilab.tools.aim.AimCheck`.

    >>> b = AimBuilder(own_words="Staff must try harder.")
    >>> b.value["system_focused"], b.value["text"]
    (False, 'Staff must try harder.')
    """

    def __init__(self, *, what: str = "", for_whom: str = "", baseline: str = "",
                 goal: str = "", unit: str = "", by_when: str = "", own_words: str = "",
                 **kwargs: Any) -> None:
        self.what = text_field("What will improve (start with a verb)", value=what,
                               placeholder="e.g. Reduce falls")
        self.for_whom = text_field("For whom and where", value=for_whom,
                                   placeholder="e.g. among residents of Oak House care home")
        self.baseline = text_field("From (a number now)", value=str(baseline),
                                   placeholder="e.g. 8", width="22em")
        self.goal = text_field("To (the number you aim for)", value=str(goal),
                               placeholder="e.g. 4", width="22em")
        self.unit = text_field("Unit", value=unit, placeholder="e.g. falls a month, or %",
                               width="22em")
        self.by_when = text_field("By when", value=by_when,
                                  placeholder="e.g. March 2027, or within 6 months", width="22em")
        self.own_words = text_field("Or write the whole aim in your own words", value=own_words,
                                    multiline=True, rows=2,
                                    placeholder="Leave empty to use the parts above")
        self.preview = widgets.HTML()
        self.check_button = button("Check my aim", primary=True,
                                   tooltip="Check the aim: system focus, how much, by when")
        self.messages = MessageArea()
        self._last_check: AimCheck | None = None
        for control in self._fields():
            control.observe(self._update_preview, names="value")
        self.check_button.on_click(lambda _: self.check())
        self._update_preview()
        super().__init__([
            heading("Build your aim"),
            paragraph("A good aim says what will improve for whom, how much (a number) and by "
                      "when, and is about the system rather than people trying harder."),
            form(self.what, self.for_whom, self.baseline, self.goal, self.unit, self.by_when,
                 self.own_words),
            self.preview, self.check_button, self.messages,
        ], **kwargs)

    def _fields(self) -> list[widgets.Widget]:
        return [self.what, self.for_whom, self.baseline, self.goal, self.unit, self.by_when,
                self.own_words]

    @property
    def aim(self) -> AimStatement:
        """The aim built from the parts. Raises :class:`QIDataError` naming a bad part."""
        return AimStatement(what=read_text(self.what), for_whom=read_text(self.for_whom),
                            baseline=read_text(self.baseline), goal=read_text(self.goal),
                            unit=read_text(self.unit), by_when=read_text(self.by_when))

    @property
    def text(self) -> str:
        """The aim sentence being checked: the learner's own words if given, else the parts."""
        own = " ".join(read_text(self.own_words).split())
        return own if own else self.aim.text

    def _update_preview(self, _change: Any = None) -> None:
        try:
            text = self.text
        except QIDataError as exc:
            self.preview.value = f"<p><strong>Your aim:</strong> (not yet: {html.escape(str(exc))})</p>"
            return
        shown = html.escape(text) if text else "<em>fill in the parts above</em>"
        self.preview.value = f"<p><strong>Your aim:</strong> {shown}</p>"

    def check(self) -> AimCheck | None:
        """Check the aim, show the feedback and return the check (``None`` if a part is bad).

        Nothing the learner typed is changed: a bad part gets a message naming it.
        """
        try:
            result = check_aim(self.text)
        except QIDataError as exc:
            self._last_check = None
            self.messages.error(str(exc))
            return None
        self._last_check = result
        if result.passes:
            self.messages.success(f"Your aim meets all three checks: {result.text}",
                                  details=result.feedback[1:])
        else:
            self.messages.warning(f"Your aim meets {result.score} of the 3 checks.",
                                  details=result.feedback)
        return result

    @property
    def value(self) -> dict[str, Any]:
        """The aim and its checks as plain values (recomputed from the current fields)."""
        parts: dict[str, Any] | None
        problem: str | None = None
        try:
            parts = self.aim.to_dict()
            text = self.text
        except QIDataError as exc:
            parts, problem = None, str(exc)
            text = " ".join(read_text(self.own_words).split())
        result = check_aim(text)
        return {"text": text, "parts": parts, "problem": problem, "passes": result.passes,
                "score": result.score, "system_focused": result.system_focused,
                "how_much": result.how_much, "by_when": result.by_when,
                "feedback": list(result.feedback)}

    def to_dict(self) -> dict[str, Any]:
        """Same as :attr:`value`."""
        return self.value

    def save(self, path: str | Path) -> Path:
        """Save the aim and its checks to a JSON file (atomically, with a schema version).

        A failed save shows a message and keeps every field as typed; the error is re-raised.
        """
        try:
            saved = write_document(path, AIM_SCHEMA, AIM_SCHEMA_VERSION, {"aim": self.value})
        except OSError as exc:
            self.messages.error(f"Your aim could not be saved to {path} ({exc.strerror or exc}). "
                                "What you typed is still here: try again, or copy it somewhere safe.")
            raise
        self.messages.success(f"Your aim is saved in {Path(path).name}.")
        return saved
