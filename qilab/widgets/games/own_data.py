"""Your own data: a learner's run chart that grows from one workshop session to the next.

The learner names their measure, adds today's point (date, value and an optional note, such as
"PDSA 2 started") and the run chart redraws. Everything is saved (atomically, with a schema
version) to a small JSON file per measure in the workshop folder, so at the next session the
learner loads it and carries on. The chart itself is the shared run chart builder
(:class:`qilab.widgets.RunChartBuilder`), so the rule sets, baseline, goal line and saving work
as in the book.

>>> import tempfile
>>> game = OwnDataGame(folder=tempfile.mkdtemp())
>>> game.measure.value = "Falls per week"
>>> for d, v in [("01/03", "4"), ("08/03", "6"), ("15/03", "5")]:
...     game.date.value, game.value.value = d, v
...     game.add_button.click()
>>> len(game.points), game.builder.result.chart
(3, 'run')
>>> OwnDataGame(folder=game.folder).load("Falls per week")
3
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ...errors import QIDataError
from ...storage import read_document, set_aside, write_document
from ..forms import MessageArea, button, form, paragraph, read_text, text_field
from ..run_chart_builder import RunChartBuilder, _number
from ._common import workshop_folder

__all__ = ["OwnDataGame", "LOOK_FOR", "SCHEMA", "SCHEMA_VERSION"]

LOOK_FOR = ("Look for a shift (a long run on one side of the median) or a trend after the "
            "changes you noted: that is the sign that your changes are working.")

SCHEMA = "qilab.own_data"
SCHEMA_VERSION = 1
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    """A file-name-safe version of a measure's name.

    >>> slug("Falls per week (Ward 7)")
    'falls-per-week-ward-7'
    """
    return _SLUG.sub("-", name.lower()).strip("-")[:60]


class OwnDataGame:
    """A learner's own run chart, saved session by session (``.ui`` is the widget).

    ``points`` is the list of ``{"date", "value", "note"}`` dicts; ``folder`` where they are
    saved (``$QILAB_WORKSHOP_DIR/own-data`` by default).
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else workshop_folder() / "own-data"
        self.points: list[dict[str, Any]] = []
        self.sessions = 0
        self.measure = text_field("Your measure (for example 'Falls per week')", width="30em")
        self.load_button = button("Load my saved data")
        self.date = text_field("Date or label of the new point", width="24em",
                               placeholder="e.g. 14/03/2027 or Week 12")
        self.value = text_field("Value", width="16em", placeholder="e.g. 7")
        self.note = text_field("Note (optional: a change you made)", width="30em",
                               placeholder="e.g. PDSA 2 started")
        self.add_button = button("Add this point and save", primary=True)
        self.undo_button = button("Remove the last point")
        self.messages = MessageArea()
        self.builder = RunChartBuilder(folder=str(self.folder))

        self.load_button.on_click(lambda _: self.load())
        self.add_button.on_click(lambda _: self.add())
        self.undo_button.on_click(lambda _: self.remove_last())
        self.ui = widgets.VBox([
            form(paragraph("Name your measure and load it to carry on from a past session. "
                           "Add each new point as you collect it; it is saved at once."),
                 self.measure, self.load_button, label="Your measure"),
            form(self.date, self.value, self.note,
                 widgets.HBox([self.add_button, self.undo_button]), label="Add a point"),
            self.messages, self.builder,
        ])
        self.ui.add_class("qilab-game")

    # ---- files ------------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        """The file the current measure is saved in."""
        name = read_text(self.measure)
        if not slug(name):
            raise QIDataError("Name your measure first (letters or numbers), for example "
                              "'Falls per week'.", field="measure")
        return self.folder / f"{slug(name)}.json"

    def load(self, measure: str | None = None) -> int | None:
        """Load a saved measure; returns how many points it has (None if there is a problem)."""
        if measure is not None:
            self.measure.value = measure
        try:
            path = self.path
        except QIDataError as exc:
            self.messages.error(str(exc))
            return None
        if not path.exists():
            self.points, self.sessions = [], 0
            self._sync()
            self.messages.info(f"No saved data for '{read_text(self.measure)}' yet: add your "
                               "first point below.")
            return 0
        try:
            doc = read_document(path, SCHEMA, SCHEMA_VERSION)
            points = [{"date": str(p["date"]), "value": float(p["value"]),
                       "note": str(p.get("note", ""))} for p in doc["points"]]
        except (QIDataError, KeyError, TypeError, ValueError) as exc:
            backup = set_aside(path)
            self.messages.error(f"The saved file could not be read ({exc}); it was moved to "
                                f"{backup.name} and you can start again.")
            self.points, self.sessions = [], 0
            self._sync()
            return None
        self.points, self.sessions = points, int(doc.get("sessions", 0)) + 1
        self._sync()
        self.messages.success(f"Loaded {len(points)} point(s) of '{read_text(self.measure)}'. "
                              f"This is session {self.sessions}.")
        return len(points)

    def _save(self) -> Path:
        return write_document(self.path, SCHEMA, SCHEMA_VERSION,
                              {"measure": read_text(self.measure), "sessions": self.sessions,
                               "points": self.points})

    # ---- points -----------------------------------------------------------------------------
    def add(self) -> bool:
        """Add the typed point to the chart and save; keeps the typing if anything is wrong."""
        label, text, note = read_text(self.date), read_text(self.value), read_text(self.note)
        try:
            _ = self.path
            if not label:
                raise QIDataError("Type the date or label of the new point.", field="date")
            if re.search(r"[,;\t]", label):
                raise QIDataError("The date or label cannot contain commas, semicolons or tabs; "
                                  "write 14/03/2027 or 'Week 12'.", field="date")
            value = _number(text)
            if value is None:
                raise QIDataError(f"Value: {text!r} is not a number. Type a number such as 7 "
                                  "or 4.5.", field="value")
            if ":" in note:
                note = note.replace(":", " -")
        except QIDataError as exc:
            self.messages.error(str(exc))
            return False
        self.points.append({"date": label, "value": value, "note": note})
        try:
            saved = self._save()
        except OSError as exc:
            self.points.pop()
            self.messages.error(f"Could not save to {self.folder}: {exc.strerror or exc}.")
            return False
        self._sync()
        self.date.value, self.value.value, self.note.value = "", "", ""
        self.messages.success(f"Added point {len(self.points)} ({label}: {value:g}) and saved "
                              f"it to {saved.name}.")
        return True

    def remove_last(self) -> bool:
        """Remove the last point (and save)."""
        if not self.points:
            self.messages.error("There are no points to remove.")
            return False
        removed = self.points.pop()
        try:
            self._save()
        except (OSError, QIDataError) as exc:
            self.points.append(removed)
            self.messages.error(f"Could not save: {exc}.")
            return False
        self._sync()
        self.messages.info(f"Removed the point for {removed['date']}.")
        return True

    def _sync(self) -> None:
        """Put the points into the run chart builder (which redraws)."""
        b = self.builder
        lines = [f"{p['date']}, {p['value']:g}" for p in self.points]
        notes = [f"{i}: {p['note']}" for i, p in enumerate(self.points, 1) if p["note"]]
        b._busy = True  # set both fields, then draw once
        try:
            b.source.value = "paste"
            b.chart_title.value = read_text(self.measure) or "Run chart"
            b.notes.value = "\n".join(notes)
            b.paste.value = "\n".join(lines)
        finally:
            b._busy = False
        if len(self.points) >= 2:
            b.update()
        else:
            b.picture.value = ""
            b.explanation.value = ("<p>A run chart needs at least two points; add another.</p>"
                                   if self.points else "")
