"""A form for a project charter (qilab.tools.charter): fill it in, check it, save it.

The logic is in :class:`qilab.tools.charter.ProjectCharter`; this form only collects the
fields, shows what the charter still needs (the aim checks first) and saves ``charter.json``
in the project folder. Nothing typed is cleared when a check or a save fails.

>>> import tempfile
>>> f = CharterForm(folder=tempfile.mkdtemp())
>>> f.title.value = "Fewer falls at Oak House"
>>> f.aim.value = "Reduce falls among Oak House residents from 8 to 4 a month by March 2027."
>>> f.check_button.click()
>>> f.messages.kind, f.value["aim_passes"]
('warning', True)
>>> f.save_button.click()
>>> f.messages.kind
'success'
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..errors import QIDataError
from ..tools.charter import CHARTER_FILE, LABELS, ProjectCharter
from .forms import (
    MessageArea,
    button,
    date_field,
    form,
    heading,
    paragraph,
    read_lines,
    read_text,
    text_field,
)
from .static import StaticPreview

__all__ = ["CharterForm"]

_MULTILINE = {"aim", "scope_in", "scope_out", "team", "patient_voice", "measures", "milestones"}
_PLACEHOLDERS = {
    "title": "e.g. Fewer falls at Oak House",
    "aim": "e.g. Reduce falls among Oak House residents from 8 a month to 4 a month by "
           "March 2027.",
    "scope_in": "e.g. All residents, day and night",
    "scope_out": "e.g. Respite stays of under a week",
    "team": "One a line, by role: e.g. Deputy manager (project lead)",
    "patient_voice": "How patients, service users or carers take part, or why that was not "
                     "feasible and what you did instead",
    "sponsor": "e.g. Registered manager",
    "measures": "One a line: outcome, process and balancing measures",
    "milestones": "One a line: e.g. Baseline data by April 2027",
    "system_priority": "e.g. Integrated care board priority: fewer falls in care homes",
}


class CharterForm(StaticPreview, widgets.VBox):
    """The charter's fields, "Check my charter" and "Save charter" (to ``folder/charter.json``).

    ``.value`` is a plain dictionary (the fields, the aim checks and what is still missing);
    ``.charter`` is the :class:`~qilab.tools.charter.ProjectCharter` (or a
    :class:`qilab.QIDataError` naming the field at fault). An existing charter in ``folder``
    is loaded into the form.
    """

    def __init__(self, folder: str | os.PathLike = ".", **values: Any) -> None:
        self.folder = Path(folder)
        saved = self.folder / CHARTER_FILE
        problem = ""
        if saved.exists() and not values:
            try:
                values = ProjectCharter.load(saved).to_dict()
            except QIDataError as exc:
                problem = (f"Your saved charter could not be read ({exc}). The form is empty; "
                           "saving will replace that file, so copy it first if you need it.")
        self.fields: dict[str, widgets.Widget] = {}
        for name, label in LABELS.items():
            value = values.get(name) or ""
            if isinstance(value, (list, tuple)):
                value = "\n".join(value)
            if name in ("start", "review"):
                field = date_field(label, value=str(value))
            else:
                field = text_field(label, value=str(value), multiline=name in _MULTILINE,
                                   placeholder=_PLACEHOLDERS.get(name, ""))
            self.fields[name] = field
            setattr(self, name, field)
        self.check_button = button("Check my charter", primary=True,
                                   tooltip="Check the aim and what the charter still needs")
        self.save_button = button("Save charter", tooltip=f"Save to {saved}")
        self.messages = MessageArea()
        self.check_button.on_click(lambda _: self.check())
        self.save_button.on_click(lambda _: self.save())
        f = self.fields
        super().__init__([
            heading("Project charter"),
            paragraph("Agree the charter with your team and sponsor before you test changes. "
                      "It can be saved as a draft: the check says what is still missing."),
            form(f["title"], f["aim"], label="What and why"),
            form(f["scope_in"], f["scope_out"], label="Scope"),
            form(f["team"], f["patient_voice"], f["sponsor"], label="Who"),
            form(f["measures"], f["start"], f["milestones"], f["review"], label="Measures and "
                 "timeline"),
            form(f["system_priority"], label="Link to a system priority"),
            widgets.HBox([self.check_button, self.save_button]), self.messages,
        ])
        if problem:
            self.messages.error(problem)

    @property
    def charter(self) -> ProjectCharter:
        """The charter the fields make. Raises :class:`QIDataError` naming a bad field."""
        data: dict[str, Any] = {}
        for name, field in self.fields.items():
            data[name] = read_lines(field) if name in ("team", "measures", "milestones") \
                else read_text(field) or (None if name in ("start", "review") else "")
        return ProjectCharter(**data)

    def check(self) -> list[str] | None:
        """Show what the charter still needs; return it (``None`` if a field is bad)."""
        try:
            problems = self.charter.problems()
        except QIDataError as exc:
            self.messages.error(str(exc))
            return None
        if problems:
            self.messages.warning(f"The charter needs {len(problems)} more thing(s).",
                                  details=problems)
        else:
            self.messages.success("The charter is complete and its aim passes all three aim "
                                  "checks.")
        return problems

    @property
    def value(self) -> dict[str, Any]:
        """The fields, the aim checks and what is missing, as plain values."""
        try:
            charter = self.charter
        except QIDataError as exc:
            return {"charter": None, "problem": str(exc), "aim_passes": False, "missing": []}
        return {"charter": charter.to_dict(), "problem": None,
                "aim_passes": charter.aim_check.passes, "missing": charter.problems()}

    def save(self) -> Path | None:
        """Save ``charter.json`` in the folder (atomically); say so, or say what went wrong."""
        try:
            path = self.charter.save(self.folder / CHARTER_FILE)
        except QIDataError as exc:
            self.messages.error(f"Not saved: {exc}")
            return None
        except OSError as exc:
            self.messages.error(f"Could not save to {self.folder / CHARTER_FILE}: "
                                f"{exc.strerror or exc}. What you typed is still here.")
            return None
        self.messages.success(f"Saved {path}.")
        return path
