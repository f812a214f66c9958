"""Communication plans: who needs to hear what about the project, how, how often, and from whom.

A plan is a list of lines, each with five parts:

* **audience**: a person or group (often a stakeholder from the grid);
* **message**: what they need to know, or what you need from them;
* **channel**: how you will reach them (a meeting, the ward huddle, a newsletter);
* **how often**: weekly, monthly, at each PDSA cycle;
* **owner**: who in the team does it.

Every part must be filled in: a line with no owner is a line nobody does.
:meth:`CommunicationPlan.draft` turns a :class:`~qilab.tools.stakeholders.StakeholderGrid` into
a first draft, one line a stakeholder, with a channel and a frequency suggested by their
quadrant; :meth:`CommunicationPlan.missing` names the stakeholders a plan leaves out.

>>> from qilab.tools.stakeholders import StakeholderGrid
>>> grid = StakeholderGrid([("Ward manager", 5, 5), ("Pharmacy", 4, 2)])
>>> plan = CommunicationPlan.draft(grid, owner="Project lead")
>>> [(line.audience, line.how_often) for line in plan.lines]
[('Ward manager', 'every week'), ('Pharmacy', 'every month')]
>>> CommunicationPlan([plan.lines[0]]).missing(grid)
['Pharmacy']
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd
from matplotlib.axes import Axes

from ..errors import QIDataError
from ._drawing import FILL, Diagram, block_height, box, canvas, clean, key, wrap
from .stakeholders import StakeholderGrid

__all__ = ["CommunicationPlan", "PlanLine", "SUGGESTED", "FIELDS"]

#: The parts of a plan line, in order, with the words used for them in tables and messages.
FIELDS: dict[str, str] = {"audience": "Audience", "message": "What they need to know",
                          "channel": "How", "how_often": "How often", "owner": "Who"}

#: What a draft suggests for each quadrant of the stakeholder grid: (message, channel, how often).
SUGGESTED: dict[str, tuple[str, str, str]] = {
    "manage closely": ("Plan the next tests together and agree decisions",
                       "Meeting in person or a call", "every week"),
    "keep satisfied": ("What affects them, what we need from them, and results so far",
                       "Short briefing", "every month"),
    "keep informed": ("Progress, what we are testing next, and how to share ideas",
                      "Huddle, noticeboard or newsletter", "every two weeks"),
    "monitor": ("A short update, and a check on whether their view has changed",
                "Email or a word in passing", "every three months"),
}


@dataclass(frozen=True)
class PlanLine:
    """One line of a communication plan. Every part is required."""

    audience: str
    message: str
    channel: str
    how_often: str
    owner: str

    def to_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}


def _lines(values: Any) -> tuple[PlanLine, ...]:
    out = []
    for i, item in enumerate(values or (), start=1):
        if isinstance(item, PlanLine):
            item = item.to_dict()
        if isinstance(item, Mapping):
            parts = [item.get(name) for name in FIELDS]
        elif isinstance(item, (tuple, list)) and len(item) == len(FIELDS):
            parts = list(item)
        else:
            raise QIDataError(f"Plan line {i} should have five parts (audience, what they need "
                              f"to know, how, how often, who), got {item!r}.", row=i,
                              field="lines")
        cleaned = []
        for name, value in zip(FIELDS, parts):
            try:
                cleaned.append(clean(value, f"Plan line {i}, {FIELDS[name].lower()}"))
            except QIDataError as exc:
                raise QIDataError(f"{exc} Every line needs all five parts: a line with no "
                                  "owner is a line nobody does.", row=i, field=name) from None
        out.append(PlanLine(*cleaned))
    return tuple(out)


@dataclass(frozen=True)
class CommunicationPlan(Diagram):
    """A communication plan: lines of audience, message, channel, how often and owner.

    >>> plan = CommunicationPlan([("Matron", "Results so far", "Meeting", "every month",
    ...                           "Ana")])
    >>> plan.table()["Who"].tolist()
    ['Ana']
    """

    lines: tuple[PlanLine, ...] = ()
    title: str = "Communication plan"

    SCHEMA = "qilab.communication_plan"
    SCHEMA_VERSION = 1

    def __post_init__(self) -> None:
        lines = _lines(self.lines)
        if not lines:
            raise QIDataError("A communication plan needs at least one line: audience, what "
                              "they need to know, how, how often, who.", field="lines")
        object.__setattr__(self, "lines", lines)
        object.__setattr__(self, "title", clean(self.title, "Title", allow_empty=True)
                           or "Communication plan")

    @classmethod
    def draft(cls, grid: StakeholderGrid, owner: str = "Project lead",
              title: str = "Communication plan") -> "CommunicationPlan":
        """A first draft from a stakeholder grid: one line a stakeholder, in the grid's order,
        with the message, channel and frequency :data:`SUGGESTED` for their quadrant. Edit it
        with your team: it is a starting point, not the plan."""
        if not isinstance(grid, StakeholderGrid):
            raise QIDataError("draft() needs a StakeholderGrid.", field="grid")
        if not grid.stakeholders:
            raise QIDataError("The stakeholder grid is empty: add stakeholders first.",
                              field="grid")
        owner = clean(owner, "Owner")
        return cls([(p.name, *SUGGESTED[p.quadrant], owner) for p in grid.stakeholders],
                   title=title)

    def missing(self, grid: StakeholderGrid) -> list[str]:
        """The stakeholders of ``grid`` that no line of the plan is for (case and spacing
        do not matter)."""
        covered = {key(line.audience) for line in self.lines}
        return [p.name for p in grid.stakeholders if key(p.name) not in covered]

    def owners(self) -> dict[str, int]:
        """How many lines each owner has, most first: is one person doing it all?"""
        counts = pd.Series([line.owner for line in self.lines]).value_counts(sort=True)
        return {str(k): int(v) for k, v in counts.items()}

    def table(self) -> pd.DataFrame:
        """One row a line, with the column headings people see."""
        return pd.DataFrame([[getattr(line, f) for f in FIELDS] for line in self.lines],
                            columns=list(FIELDS.values()))

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "lines": [line.to_dict() for line in self.lines]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CommunicationPlan":
        """Rebuild a plan from :meth:`to_dict` output."""
        if not isinstance(data, Mapping):
            raise QIDataError("A communication plan must be a dict with 'lines'.", field="lines")
        return cls(data.get("lines", ()), title=data.get("title", "Communication plan"))

    def explain(self) -> str:
        """The plan in plain English, a sentence a line."""
        n = len(self.lines)
        text = [f"{self.title}: {n} line{'s' if n != 1 else ''}."]
        for line in self.lines:
            text.append(f"{line.audience}: {line.message}; by {line.channel.lower()}, "
                        f"{line.how_often}; {line.owner} does it.")
        return " ".join(text)

    def alt_text(self) -> str:
        """Alt text: the table in words."""
        return "A table of the communication plan. " + self.explain()

    FONT_SIZE = 8
    WIDTHS = (1.5, 2.4, 1.6, 1.1, 1.1)
    PAD = 0.08

    def _draw(self, ax: Axes | None) -> Axes:
        fs, pad = self.FONT_SIZE, self.PAD
        rows = [(list(FIELDS.values()), "bold", FILL["aim"])]
        rows += [([getattr(line, f) for f in FIELDS], "normal", "#ffffff")
                 for line in self.lines]
        laid = []
        for cells, weight, fill in rows:
            wrapped = [wrap(text, w - 2 * pad, fs, weight) for text, w in zip(cells, self.WIDTHS)]
            height = block_height(max(len(w) for w in wrapped), fs) + 2 * pad
            laid.append((wrapped, weight, fill, height))
        margin, title_h = 0.12, 0.45
        width = 2 * margin + sum(self.WIDTHS)
        height = 2 * margin + title_h + sum(r[3] for r in laid)
        ax = canvas(width, height, ax)
        ax.text(width / 2, height - margin - title_h / 2, self.title, ha="center", va="center",
                fontsize=fs + 4, fontweight="bold")
        y = height - margin - title_h
        for wrapped, weight, fill, h in laid:
            x = margin
            for lines, w in zip(wrapped, self.WIDTHS):
                box(ax, x + w / 2, y - h / 2, w, h, lines, fs, fill=fill, weight=weight,
                    rounded=False)
                x += w
            y -= h
        return ax
