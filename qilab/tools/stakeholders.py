"""Stakeholder grids: who has power over the work, who cares about it, and how to involve them.

Each stakeholder is scored 1 to 5 for **power** (how much they can help or block the work) and
**interest** (how much the work affects or matters to them). The grid then suggests how to work
with them:

==================  ==================  ===============================================
Power               Interest            Quadrant
==================  ==================  ===============================================
high (3 to 5)       high (3 to 5)       **manage closely**: involve fully, meet often
high (3 to 5)       low (1 or 2)        **keep satisfied**: consult on what affects them
low (1 or 2)        high (3 to 5)       **keep informed**: share progress, use their ideas
low (1 or 2)        low (1 or 2)        **monitor**: check in now and then
==================  ==================  ===============================================

A score of 3, the middle, counts as high: it is safer to involve someone a little more than
they need than to leave them out. Patients and carers often score low on power and high on
interest; the grid is a prompt to give them more power, not to leave them in "keep informed".

>>> from qilab.tools.stakeholders import StakeholderGrid
>>> g = StakeholderGrid([("Ward manager", 5, 5), ("Finance lead", 4, 2), ("Patients", 2, 5)])
>>> g.quadrant("Finance lead")
'keep satisfied'
>>> g.table()["quadrant"].tolist()
['manage closely', 'keep satisfied', 'keep informed']
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from ..errors import QIDataError
from ._drawing import EDGE, Diagram, block_height, canvas, clean, key, wrap

__all__ = ["StakeholderGrid", "Stakeholder", "quadrant_for", "QUADRANTS"]

HIGH_FROM = 3
"""Scores from this value up count as high (see the module notes)."""

QUADRANTS: dict[str, str] = {
    "manage closely": "Involve them fully: meet often, plan and decide together.",
    "keep satisfied": "Consult them on what affects them and keep them content; do not "
                      "overload them with detail.",
    "keep informed": "Share progress regularly and use their knowledge and ideas.",
    "monitor": "Check in now and then; their position may change.",
}
_FILL = {"manage closely": "#f4cccc", "keep satisfied": "#fff2cc", "keep informed": "#d9ead3",
         "monitor": "#eeeeee"}


def quadrant_for(power: int, interest: int) -> str:
    """The quadrant for a power and interest score (1 to 5 each).

    >>> quadrant_for(3, 3), quadrant_for(2, 2)
    ('manage closely', 'monitor')
    """
    high_power, high_interest = power >= HIGH_FROM, interest >= HIGH_FROM
    if high_power:
        return "manage closely" if high_interest else "keep satisfied"
    return "keep informed" if high_interest else "monitor"


def _score(value: Any, what: str, who: str) -> int:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise QIDataError(f"The {what} score for {who!r} is {value!r}: enter a whole number "
                              "from 1 to 5.", field=who) from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        raise QIDataError(f"The {what} score for {who!r} is {value!r}: enter a whole number "
                          "from 1 to 5.", field=who)
    if float(value) != int(value) or not 1 <= int(value) <= 5:
        raise QIDataError(f"The {what} score for {who!r} is {value!r}: it must be a whole "
                          "number from 1 to 5.", field=who)
    return int(value)


@dataclass(frozen=True)
class Stakeholder:
    """A person or group with their power and interest scores (1 to 5)."""

    name: str
    power: int
    interest: int
    note: str = ""

    def __post_init__(self) -> None:
        name = clean(self.name, "Stakeholder name")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "power", _score(self.power, "power", name))
        object.__setattr__(self, "interest", _score(self.interest, "interest", name))
        object.__setattr__(self, "note", clean(self.note, f"Note for {name!r}",
                                               allow_empty=True))

    @property
    def quadrant(self) -> str:
        return quadrant_for(self.power, self.interest)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "power": self.power, "interest": self.interest,
                "note": self.note}


def _people(values: Any) -> tuple[Stakeholder, ...]:
    out = []
    for i, item in enumerate(values or (), start=1):
        if isinstance(item, Stakeholder):
            out.append(item)
        elif isinstance(item, Mapping):
            if not str(item.get("name") or "").strip():
                raise QIDataError(f"Stakeholder {i} has no name.", field=f"stakeholder {i}")
            out.append(Stakeholder(item.get("name"), item.get("power"), item.get("interest"),
                                   item.get("note") or ""))
        elif isinstance(item, (tuple, list)) and len(item) in (3, 4):
            out.append(Stakeholder(*item))
        else:
            raise QIDataError(f"Stakeholder {i} should be (name, power, interest) or a dict, "
                              f"got {item!r}.", field=f"stakeholder {i}")
    return tuple(out)


@dataclass(frozen=True)
class StakeholderGrid(Diagram):
    """A power/interest grid of stakeholders.

    >>> g = StakeholderGrid([{"name": "Matron", "power": 4, "interest": 4}])
    >>> g.to_dict()["stakeholders"][0]["quadrant"]
    'manage closely'
    """

    stakeholders: tuple[Stakeholder, ...] = ()
    title: str = "Stakeholder map"

    SCHEMA = "qilab.stakeholders"
    SCHEMA_VERSION = 1

    def __post_init__(self) -> None:
        people = _people(self.stakeholders)
        seen: set[str] = set()
        for p in people:
            if key(p.name) in seen:
                raise QIDataError(f"{p.name!r} is listed twice: keep one entry.", field=p.name)
            seen.add(key(p.name))
        object.__setattr__(self, "stakeholders", people)
        object.__setattr__(self, "title", clean(self.title, "Title", allow_empty=True)
                           or "Stakeholder map")

    def quadrant(self, name: str) -> str:
        """The quadrant of the stakeholder called ``name``."""
        for p in self.stakeholders:
            if key(p.name) == key(name):
                return p.quadrant
        raise QIDataError(f"There is no stakeholder called {name!r}.", field=name)

    def table(self) -> pd.DataFrame:
        """One row a stakeholder: name, power, interest, quadrant and suggested action."""
        return pd.DataFrame(
            [{"name": p.name, "power": p.power, "interest": p.interest,
              "quadrant": p.quadrant, "action": QUADRANTS[p.quadrant], "note": p.note}
             for p in self.stakeholders],
            columns=["name", "power", "interest", "quadrant", "action", "note"])

    def to_dict(self) -> dict[str, Any]:
        """Plain data; each stakeholder also carries its quadrant (ignored when reading)."""
        return {"title": self.title,
                "stakeholders": [{**p.to_dict(), "quadrant": p.quadrant}
                                 for p in self.stakeholders]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "StakeholderGrid":
        """Rebuild a grid from :meth:`to_dict` output."""
        if not isinstance(data, Mapping):
            raise QIDataError("A stakeholder grid must be a dict with 'stakeholders'.",
                              field="stakeholders")
        people = [{k: v for k, v in p.items() if k != "quadrant"} if isinstance(p, Mapping)
                  else p for p in data.get("stakeholders", ())]
        return cls(people, title=data.get("title", "Stakeholder map"))

    def explain(self) -> str:
        """The grid in plain English, quadrant by quadrant."""
        n = len(self.stakeholders)
        if not n:
            return f"{self.title}: no stakeholders yet."
        text = [f"{self.title}: {n} stakeholder{'s' if n != 1 else ''} placed by power (up) and "
                "interest (across), each scored 1 to 5."]
        for quad, advice in QUADRANTS.items():
            people = [f"{p.name} (power {p.power}, interest {p.interest})"
                      for p in self.stakeholders if p.quadrant == quad]
            if people:
                text.append(f"{quad.capitalize()}: {'; '.join(people)}. {advice}")
        return " ".join(text)

    def alt_text(self) -> str:
        """Alt text: the grid in words."""
        return "Two-by-two grid of power against interest. " + self.explain()

    FONT_SIZE = 8
    CELL_WIDTH = 1.5

    def _draw(self, ax: Axes | None) -> Axes:
        fs, cw = self.FONT_SIZE, self.CELL_WIDTH
        cells: dict[tuple[int, int], list[list[str]]] = {}
        for p in self.stakeholders:
            cells.setdefault((p.interest, p.power), []).append(
                wrap("• " + p.name, cw - 0.16, fs))
        most = max((sum(len(n) for n in names) + 0.3 * (len(names) - 1)
                    for names in cells.values()), default=1)
        ch = max(0.72, block_height(1, fs) * most + 0.24)
        margin, title_h, band = 0.12, 0.45, 0.36
        left = margin + 0.75
        bottom = margin + band + 0.62
        width = left + 5 * cw + margin
        height = bottom + 5 * ch + band + title_h + margin
        ax = canvas(width, height, ax)
        ax.text(width / 2, height - margin - title_h / 2, self.title, ha="center", va="center",
                fontsize=fs + 4, fontweight="bold")
        top = bottom + 5 * ch
        split_x = left + 2 * cw
        split_y = bottom + 2 * ch
        quads = [("keep satisfied", left, split_y, 2 * cw, 3 * ch),
                 ("manage closely", split_x, split_y, 3 * cw, 3 * ch),
                 ("monitor", left, bottom, 2 * cw, 2 * ch),
                 ("keep informed", split_x, bottom, 3 * cw, 2 * ch)]
        for name, x0, y0, w, h in quads:
            ax.add_patch(Rectangle((x0, y0), w, h, facecolor=_FILL[name], edgecolor="none",
                                   zorder=0))
        for i in range(6):  # light cell lines
            ax.plot([left + i * cw] * 2, [bottom, top], color="#bbbbbb", lw=0.6, zorder=1)
            ax.plot([left, left + 5 * cw], [bottom + i * ch] * 2, color="#bbbbbb", lw=0.6,
                    zorder=1)
        ax.plot([split_x] * 2, [bottom, top], color=EDGE, lw=2, zorder=1)
        ax.plot([left, left + 5 * cw], [split_y] * 2, color=EDGE, lw=2, zorder=1)
        for s in range(1, 6):
            ax.text(left + (s - 0.5) * cw, bottom - 0.06, str(s), ha="center", va="top",
                    fontsize=fs + 1)
            ax.text(left - 0.08, bottom + (s - 0.5) * ch, str(s), ha="right", va="center",
                    fontsize=fs + 1)
        ax.text(left + 2.5 * cw, bottom - 0.3, "Interest (1 = low, 5 = high)", ha="center",
                va="top", fontsize=fs + 1.5)
        ax.text(margin + 0.12, bottom + 2.5 * ch, "Power (1 = low, 5 = high)", ha="center",
                va="center", rotation=90, fontsize=fs + 1.5)
        labels = {"keep satisfied": (left + cw, top + band / 2),
                  "manage closely": (split_x + 1.5 * cw, top + band / 2),
                  "monitor": (left + cw, margin + band / 2),
                  "keep informed": (split_x + 1.5 * cw, margin + band / 2)}
        for name, (x, y) in labels.items():
            ax.text(x, y, name.capitalize(), ha="center", va="center", fontsize=fs + 2,
                    fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": _FILL[name],
                          "edgecolor": "#888888"})
        for (interest, power), names in cells.items():
            x = left + (interest - 1) * cw + 0.08
            y = bottom + power * ch - 0.12
            for lines in names:
                ax.text(x, y, "\n".join(lines), ha="left", va="top", fontsize=fs,
                        linespacing=1.2, zorder=3)
                y -= block_height(len(lines), fs) + 0.3 * block_height(1, fs)
        return ax
