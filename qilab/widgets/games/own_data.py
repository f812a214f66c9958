"""Your own data: a learner's run chart that grows from one workshop session to the next.

The learner names their measure, adds today's point (date, value and an optional note, such as
"PDSA 2 started") and the run chart redraws. Everything is saved (atomically, with a schema
version) to a small JSON file per measure in the workshop folder, so at the next session the
learner loads it and carries on. The chart itself is the shared run chart builder
(:class:`qilab.widgets.RunChartBuilder`), so the rule sets, baseline, goal line and saving work
as in the book.

Each learner's files are kept apart (a folder per name typed in "Your name or initials"), and
a measure that already has saved points is never replaced without the learner saying so:
adding a point to it before loading it asks first, and starting again keeps a backup.

>>> import tempfile
>>> game = OwnDataGame(folder=tempfile.mkdtemp())
>>> game.learner.value, game.measure.value = "AB", "Falls per week"
>>> for d, v in [("01/03", "4"), ("08/03", "6"), ("15/03", "5")]:
...     game.date.value, game.value.value = d, v
...     game.add_button.click()
>>> len(game.points), game.builder.result.chart
(3, 'run')
>>> later = OwnDataGame(folder=game.folder)
>>> later.learner.value = "AB"
>>> later.load("Falls per week")
3
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ...errors import QIDataError
from ...storage import atomic_write_bytes, read_document, set_aside, write_document
from ..forms import MessageArea, button, form, paragraph, read_text, text_field
from ..run_chart_builder import MAX_ABS_VALUE, MAX_POINTS, RunChartBuilder, _number
from ._common import workshop_folder

__all__ = ["OwnDataGame", "LOOK_FOR", "SCHEMA", "SCHEMA_VERSION"]

LOOK_FOR = ("Look for a shift (a long run on one side of the median) or a trend after the "
            "changes you noted: that is the sign that your changes are working.")

LEARNER_LABEL = "Your name or initials"
MEASURE_LABEL = "Your measure (for example 'Falls per week')"

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
        self.current: Path | None = None  # the file self.points came from (or was started as)
        self.last_backup: Path | None = None
        self.learner = text_field(LEARNER_LABEL, width="30em", placeholder="e.g. Sam P or SP")
        self.measure = text_field(MEASURE_LABEL, width="30em")
        self.load_button = button("Load my saved data")
        self.date = text_field("Date or label of the new point", width="24em",
                               placeholder="e.g. 14/03/2027 or Week 12")
        self.value = text_field("Value", width="16em", placeholder="e.g. 7")
        self.note = text_field("Note (optional: a change you made)", width="30em",
                               placeholder="e.g. PDSA 2 started")
        self.add_button = button("Add this point and save", primary=True)
        self.undo_button = button("Remove the last point")
        self.replace_button = button("Start this measure again (keep a backup)")
        self.replace_button.layout.display = "none"
        self.messages = MessageArea()
        self.builder = RunChartBuilder(folder=str(self.folder), root=self.folder)

        self.load_button.on_click(lambda _: self.load())
        self.add_button.on_click(lambda _: self.add())
        self.undo_button.on_click(lambda _: self.remove_last())
        self.replace_button.on_click(lambda _: self.start_again())
        self.ui = widgets.VBox([
            form(paragraph("Type your name or initials and name your measure, then load it to "
                           "carry on from a past session. Add each new point as you collect "
                           "it; it is saved at once."),
                 self.learner, self.measure, self.load_button, label="Your measure"),
            form(self.date, self.value, self.note,
                 widgets.HBox([self.add_button, self.undo_button]), self.replace_button,
                 label="Add a point"),
            self.messages, self.builder,
        ])
        self.ui.add_class("qilab-game")

    # ---- files ------------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        """The file the current measure is saved in: ``<folder>/<your name>/<measure>.json``."""
        who = read_text(self.learner)
        if not slug(who):
            raise QIDataError(f"{LEARNER_LABEL}: type your name or initials first (letters or "
                              "numbers), so your files are kept apart from everyone else's.",
                              field="learner")
        name = read_text(self.measure)
        if not slug(name):
            raise QIDataError(f"{MEASURE_LABEL}: name your measure first (letters or numbers), "
                              "for example 'Falls per week'.", field="measure")
        return self.folder / slug(who) / f"{slug(name)}.json"

    def load(self, measure: str | None = None) -> int | None:
        """Load a saved measure; returns how many points it has (None if there is a problem)."""
        if measure is not None:
            self.measure.value = measure
        try:
            path = self.path
        except QIDataError as exc:
            self.messages.error(str(exc))
            return None
        self.replace_button.layout.display = "none"
        if not path.exists():
            self.points, self.sessions, self.current = [], 0, path
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
            self.points, self.sessions, self.current = [], 0, path
            self._sync()
            return None
        self.points, self.sessions = points, int(doc.get("sessions", 0)) + 1
        self.current = path
        self._sync()
        self.messages.success(f"Loaded {len(points)} point(s) of '{read_text(self.measure)}'. "
                              f"This is session {self.sessions}.")
        return len(points)

    def _save(self) -> Path:
        path = self.path
        if path.exists():  # the version before this save, in case of a slip
            atomic_write_bytes(path.with_name(path.name + ".bak"), path.read_bytes())
        return write_document(path, SCHEMA, SCHEMA_VERSION,
                              {"measure": read_text(self.measure), "sessions": self.sessions,
                               "points": self.points})

    def _saved_count(self, path: Path) -> int | None:
        try:
            return len(read_document(path, SCHEMA, SCHEMA_VERSION)["points"])
        except (QIDataError, KeyError, TypeError, OSError):
            return None

    def start_again(self) -> bool:
        """Replace the saved measure with the typed point, after keeping a dated backup."""
        try:
            path = self.path
        except QIDataError as exc:
            self.messages.error(str(exc))
            return False
        if path.exists():
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            self.last_backup = atomic_write_bytes(
                path.with_name(f"{path.stem}.backup-{stamp}.json"), path.read_bytes())
        self.points, self.sessions, self.current = [], 0, path
        self.replace_button.layout.display = "none"
        return self.add()

    # ---- points -----------------------------------------------------------------------------
    def add(self) -> bool:
        """Add the typed point to the chart and save; keeps the typing if anything is wrong."""
        label, text, note = read_text(self.date), read_text(self.value), read_text(self.note)
        try:
            path = self.path
            if not label:
                raise QIDataError("Type the date or label of the new point.", field="date")
            if re.search(r"[,;\t]", label):
                raise QIDataError("The date or label cannot contain commas, semicolons or tabs; "
                                  "write 14/03/2027 or 'Week 12'.", field="date")
            value = None if re.fullmatch(r"-?\d+,(\d{1,2}|\d{4,})", text) else _number(text)
            if value is None:
                hint = (f" Use a decimal point: {text.replace(',', '.')}."
                        if re.fullmatch(r"\d+,\d+", text) else " Type a number such as 7 "
                        "or 4.5.")
                raise QIDataError(f"Value: {text!r} is not a number.{hint}", field="value")
            if abs(value) > MAX_ABS_VALUE:
                raise QIDataError(f"Value: {text} is too large to chart; type a number between "
                                  f"-{MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}.", field="value")
            if len(self.points) >= MAX_POINTS:
                raise QIDataError(f"This measure has {MAX_POINTS:,} points, the most a chart "
                                  "here takes; start a new measure name.", field="value")
            if ":" in note:
                note = note.replace(":", " -")
        except QIDataError as exc:
            self.messages.error(str(exc))
            return False
        if path != self.current:
            if path.exists():  # saved before, but not loaded in this page: ask first
                count = self._saved_count(path)
                self.replace_button.layout.display = None
                self.messages.warning(
                    f"'{read_text(self.measure)}' already has "
                    f"{'some' if count is None else count} saved point(s) from an earlier "
                    "session, and nothing was saved now. Press 'Load my saved data' to carry "
                    "on from them, or 'Start this measure again (keep a backup)' to replace "
                    "them with this point.")
                return False
            self.points, self.sessions, self.current = [], 0, path  # a new measure
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
        try:
            if self.path != self.current:
                raise QIDataError("Load your saved data first: only points you can see on the "
                                  "chart can be removed.", field="measure")
        except QIDataError as exc:
            self.messages.error(str(exc))
            return False
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
