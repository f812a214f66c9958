"""Five whys: asking "why?" until the team reaches a cause it can act on.

Start with the problem, ask why it happened, then ask why about each answer. Five is a rule
of thumb, not a limit: stop when the answer is a cause the team can change (the root cause),
which may take fewer or more than five. Then agree a counter-measure to test with PDSA.

>>> from qilab.tools.five_whys import FiveWhys
>>> fw = FiveWhys("Patient's 8 am insulin was given at 10 am",
...               ["The nurse was still on the drug round", "The round started late",
...                "Handover ran over", "Handover is verbal at the bedside for 28 patients"],
...               root_cause="Handover is long because it is verbal for every patient",
...               countermeasure="Test a written handover sheet on one bay for one week")
>>> fw.depth, fw.is_complete()
(4, True)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from matplotlib.axes import Axes

from ..errors import QIDataError
from ._drawing import FILL, Diagram, block_height, box, canvas, clean, wrap

__all__ = ["FiveWhys"]


@dataclass(frozen=True)
class FiveWhys(Diagram):
    """A problem, a chain of answers to "why?", the root cause and a counter-measure.

    ``whys`` may have any number of answers from one up; the root cause and counter-measure
    may stay empty while the team is still working.

    >>> FiveWhys("Late clinic", ["Notes missing"]).explain().startswith("Five whys")
    True
    """

    problem: str
    whys: tuple[str, ...] = ()
    root_cause: str = ""
    countermeasure: str = ""
    title: str = "Five whys"

    SCHEMA = "qilab.five_whys"
    SCHEMA_VERSION = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "problem", clean(self.problem, "Problem"))
        whys = [self.whys] if isinstance(self.whys, str) else list(self.whys or ())
        if not whys:
            raise QIDataError("Add at least one answer to 'Why did this happen?'.", field="whys")
        object.__setattr__(self, "whys", tuple(clean(w, f"Why {i}")
                                               for i, w in enumerate(whys, start=1)))
        object.__setattr__(self, "root_cause", clean(self.root_cause, "Root cause",
                                                     allow_empty=True))
        object.__setattr__(self, "countermeasure", clean(self.countermeasure, "Counter-measure",
                                                         allow_empty=True))
        object.__setattr__(self, "title", clean(self.title, "Title", allow_empty=True)
                           or "Five whys")
        if self.countermeasure and not self.root_cause:
            raise QIDataError("There is a counter-measure but no root cause: say which cause "
                              "the counter-measure tackles.", field="root_cause")

    @property
    def depth(self) -> int:
        """How many times the team asked "why?"."""
        return len(self.whys)

    def is_complete(self) -> bool:
        """True when the chain has a root cause and a counter-measure."""
        return bool(self.root_cause and self.countermeasure)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: problem, whys (list), root cause, counter-measure and title."""
        return {"title": self.title, "problem": self.problem, "whys": list(self.whys),
                "root_cause": self.root_cause, "countermeasure": self.countermeasure}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FiveWhys":
        """Rebuild from :meth:`to_dict` output."""
        if not isinstance(data, Mapping):
            raise QIDataError("Five whys must be a dict with a 'problem'.", field="problem")
        return cls(problem=data.get("problem", ""), whys=data.get("whys", ()),
                   root_cause=data.get("root_cause", ""),
                   countermeasure=data.get("countermeasure", ""),
                   title=data.get("title", "Five whys"))

    def to_markdown(self) -> str:
        """The chain as a Markdown list.

        >>> print(FiveWhys("Late clinic", ["Notes missing"]).to_markdown())
        # Five whys
        <BLANKLINE>
        **Problem:** Late clinic
        <BLANKLINE>
        1. Why? Notes missing
        <BLANKLINE>
        **Root cause:** _not agreed yet_
        <BLANKLINE>
        **Counter-measure:** _not agreed yet_
        """
        lines = [f"# {self.title}", "", f"**Problem:** {self.problem}", ""]
        lines += [f"{i}. Why? {w}" for i, w in enumerate(self.whys, start=1)]
        lines += ["", f"**Root cause:** {self.root_cause or '_not agreed yet_'}", "",
                  f"**Counter-measure:** {self.countermeasure or '_not agreed yet_'}"]
        return "\n".join(lines)

    def explain(self) -> str:
        """The chain in plain English."""
        text = [f"{self.title}. Problem: {self.problem}. The team asked why "
                f"{self.depth} time{'s' if self.depth != 1 else ''}."]
        text += [f"Why {i}: {w}." for i, w in enumerate(self.whys, start=1)]
        text.append(f"Root cause: {self.root_cause}." if self.root_cause
                    else "The root cause is not agreed yet.")
        text.append(f"Counter-measure to test: {self.countermeasure}." if self.countermeasure
                    else "No counter-measure yet.")
        return " ".join(text)

    def alt_text(self) -> str:
        """Alt text: the chain in words, top to bottom."""
        return "A column of boxes joined by arrows, read top to bottom. " + self.explain()

    FONT_SIZE = 9
    WIDTH = 5.6

    def _draw(self, ax: Axes | None) -> Axes:
        fs, bw = self.FONT_SIZE, self.WIDTH
        items = [("Problem", self.problem, FILL["change"], "bold")]
        items += [(f"Why {i}?", w, FILL["step"], "normal") for i, w in enumerate(self.whys, 1)]
        items.append(("Root cause", self.root_cause or "(not agreed yet)", FILL["secondary"],
                      "bold"))
        items.append(("Counter-measure", self.countermeasure or "(not agreed yet)",
                      FILL["primary"], "normal"))
        label_w = 1.35
        boxes = []
        for label, text, fill, weight in items:
            lines = wrap(text, bw - 0.3, fs, weight)
            boxes.append((label, lines, fill, weight, block_height(len(lines), fs) + 0.24))
        margin, title_h, arrow = 0.12, 0.45, 0.34
        width = 2 * margin + label_w + bw
        height = (2 * margin + title_h + sum(b[4] for b in boxes)
                  + arrow * (len(boxes) - 1))
        ax = canvas(width, height, ax)
        ax.text(width / 2, height - margin - title_h / 2, self.title, ha="center", va="center",
                fontsize=fs + 3, fontweight="bold")
        x = margin + label_w + bw / 2
        y = height - margin - title_h
        for i, (label, lines, fill, weight, h) in enumerate(boxes):
            cy = y - h / 2
            box(ax, x, cy, bw, h, lines, fs, fill=fill, weight=weight)
            ax.text(margin + label_w - 0.1, cy, label, ha="right", va="center", fontsize=fs,
                    fontweight="bold")
            y -= h
            if i < len(boxes) - 1:
                ax.annotate("", xy=(x, y - arrow), xytext=(x, y),
                            arrowprops={"arrowstyle": "-|>", "color": "#444444", "lw": 1.2,
                                        "shrinkA": 1, "shrinkB": 1, "mutation_scale": 11})
                y -= arrow
        return ax
