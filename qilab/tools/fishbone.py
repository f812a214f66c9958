"""Fishbone (cause and effect, or Ishikawa) diagrams.

The effect (the problem) sits in the "head" on the right; each category of causes is a bone
joining the spine, with the team's suspected causes written along it.

Default categories
------------------
:data:`DEFAULT_CATEGORIES` adapts the classic manufacturing "6 Ms" (manpower, methods,
machines, mother nature, materials, measurement) into plain, inclusive health and social care
words: **People**, **Methods and processes**, **Equipment**, **Environment**, **Materials and
supplies**, and **Measurement and policies**. Policies sit with measurement because in care
settings the rules, guidelines and targets a team works to are often where a cause hides.
Teams can rename, drop or add categories: the categories are a prompt for thinking, not a rule.

>>> from qilab.tools.fishbone import Fishbone
>>> f = Fishbone("Discharges after 5 pm", {"People": ["Doctor not free to write TTOs"],
...                                        "Methods and processes": ["Pharmacy queue"]})
>>> f.category_names()
['People', 'Methods and processes']
>>> Fishbone("Missed doses").category_names()[0]
'People'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from matplotlib.axes import Axes

from ..errors import QIDataError
from ._drawing import EDGE, FILL, Diagram, block_height, box, canvas, clean, key, wrap

__all__ = ["Fishbone", "Category", "DEFAULT_CATEGORIES"]

DEFAULT_CATEGORIES: tuple[str, ...] = (
    "People", "Methods and processes", "Equipment", "Environment", "Materials and supplies",
    "Measurement and policies")
"""Default bones: the "6 Ms" in health and social care words (see the module notes)."""


@dataclass(frozen=True)
class Category:
    """One bone of the fishbone: a category name and its causes."""

    name: str
    causes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "causes": list(self.causes)}


def _categories(value: Any) -> tuple[Category, ...]:
    if value is None:
        return tuple(Category(name) for name in DEFAULT_CATEGORIES)
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, str):
        raise QIDataError("Categories should be a list of names or a dict of name to causes, "
                          "not a single string.", field="categories")
    else:
        for i, item in enumerate(value, start=1):
            if isinstance(item, Category):
                pairs.append((item.name, item.causes))
            elif isinstance(item, Mapping):
                pairs.append((item.get("name", ""), item.get("causes", ())))
            elif isinstance(item, str):
                pairs.append((item, ()))
            else:
                raise QIDataError(f"Category {i} should be a name or {{'name': ..., 'causes': "
                                  f"[...]}}, got {item!r}.", field="categories")
    out = []
    for i, (name, causes) in enumerate(pairs, start=1):
        name = clean(name, f"Category {i} name")
        if causes is None:
            causes = ()
        if isinstance(causes, str):
            causes = [causes]
        cleaned = tuple(clean(c, f"Cause {j} under {name!r}") for j, c in enumerate(causes, 1))
        out.append(Category(name, cleaned))
    return tuple(out)


@dataclass(frozen=True)
class Fishbone(Diagram):
    """A cause-and-effect diagram: an effect and categories of causes.

    ``categories`` is a dict ``{category: [causes]}``, a list of category names, or None for
    :data:`DEFAULT_CATEGORIES` (all empty, ready to fill in).

    >>> f = Fishbone("Falls at night", {"Environment": ["Poor lighting", "Wet floors"]})
    >>> f.n_causes()
    2
    >>> "Environment: Poor lighting; Wet floors" in f.explain()
    True
    """

    effect: str
    categories: tuple[Category, ...] | None = None
    title: str = "Cause and effect (fishbone) diagram"

    SCHEMA = "qilab.fishbone"
    SCHEMA_VERSION = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "effect", clean(self.effect, "Effect (the problem)"))
        object.__setattr__(self, "title", clean(self.title, "Title", allow_empty=True)
                           or "Cause and effect (fishbone) diagram")
        cats = _categories(self.categories)
        if not cats:
            raise QIDataError("A fishbone needs at least one category of causes.",
                              field="categories")
        seen: set[str] = set()
        for cat in cats:
            if key(cat.name) in seen:
                raise QIDataError(f"Category {cat.name!r} appears twice: merge the two.",
                                  field=cat.name)
            seen.add(key(cat.name))
            causes_seen: set[str] = set()
            for cause in cat.causes:
                if key(cause) in causes_seen:
                    raise QIDataError(f"Cause {cause!r} is listed twice under {cat.name!r}.",
                                      field=cat.name)
                causes_seen.add(key(cause))
        object.__setattr__(self, "categories", cats)

    # ---- plain data -------------------------------------------------------------------------
    def category_names(self) -> list[str]:
        """The category names in order."""
        return [c.name for c in self.categories]

    def n_causes(self) -> int:
        """How many causes the diagram lists in all."""
        return sum(len(c.causes) for c in self.categories)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``{"title", "effect", "categories": [{"name", "causes"}]}``."""
        return {"title": self.title, "effect": self.effect,
                "categories": [c.to_dict() for c in self.categories]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Fishbone":
        """Rebuild a fishbone from :meth:`to_dict` output."""
        if not isinstance(data, Mapping):
            raise QIDataError("A fishbone must be a dict with an 'effect'.", field="effect")
        return cls(effect=data.get("effect", ""), categories=data.get("categories"),
                   title=data.get("title", "Cause and effect (fishbone) diagram"))

    def to_markdown(self) -> str:
        """The diagram as a Markdown outline."""
        lines = [f"# {self.title}", "", f"**Effect:** {self.effect}", ""]
        for cat in self.categories:
            lines.append(f"- **{cat.name}**")
            lines.extend(f"  - {cause}" for cause in cat.causes)
            if not cat.causes:
                lines.append("  - _(no causes yet)_")
        return "\n".join(lines)

    def explain(self) -> str:
        """The diagram in plain English."""
        parts = [f"{self.title}. The effect (problem) is: {self.effect}. "
                 f"{len(self.categories)} categories of possible causes list "
                 f"{self.n_causes()} causes in all."]
        for cat in self.categories:
            if cat.causes:
                parts.append(f"{cat.name}: {'; '.join(cat.causes)}.")
            else:
                parts.append(f"{cat.name}: no causes yet.")
        return " ".join(parts)

    def alt_text(self) -> str:
        """Alt text for the figure: the diagram in words."""
        return self.explain()

    # ---- drawing ----------------------------------------------------------------------------
    FONT_SIZE = 8.5
    SLOT = 2.5  # inches along the spine per pair of bones

    def _draw(self, ax: Axes | None) -> Axes:
        fs, slot = self.FONT_SIZE, self.SLOT
        cats = list(self.categories)
        top, bottom = cats[0::2], cats[1::2]
        n_slots = math.ceil(len(cats) / 2)
        cause_w = slot - 0.95
        gap_between = 0.1
        blocks = {}
        for cat in cats:
            items = [wrap(c, cause_w, fs) for c in cat.causes]
            need = sum(block_height(len(i), fs) for i in items) + gap_between * len(items)
            label = wrap(cat.name, slot - 0.3, fs + 1, "bold")
            blocks[cat.name] = (items, need, label)
        bone = max([1.3] + [b[1] + 0.45 for b in blocks.values()])
        label_h = max(block_height(len(b[2]), fs + 1) for b in blocks.values()) + 0.16
        dx = 0.42 * bone
        margin, title_h = 0.15, 0.45
        head_w = 1.9
        head_lines = wrap(self.effect, head_w - 0.24, fs + 1.5, "bold")
        head_h = block_height(len(head_lines), fs + 1.5) + 0.3
        below = (bone + 0.12 + label_h) if bottom else max(head_h / 2, 0.3)
        above = bone + 0.12 + label_h
        spine_y = margin + max(below, head_h / 2)
        height = spine_y + max(above, head_h / 2) + title_h + margin
        x_first = margin + slot - 0.35  # where the first bone's outer end sits
        x_spine_end = x_first + (n_slots - 1) * slot + dx + 0.45
        width = x_spine_end + head_w + margin
        ax = canvas(width, height, ax)
        ax.text(width / 2, height - margin - title_h / 2, self.title, ha="center", va="center",
                fontsize=fs + 3.5, fontweight="bold")
        # spine and head
        ax.annotate("", xy=(x_spine_end, spine_y), xytext=(margin + 0.1, spine_y),
                    arrowprops={"arrowstyle": "-|>", "lw": 2.2, "color": EDGE,
                                "shrinkA": 0, "shrinkB": 0, "mutation_scale": 16}, zorder=1)
        box(ax, x_spine_end + head_w / 2, spine_y, head_w, head_h, head_lines, fs + 1.5,
            fill=FILL["change"], weight="bold", rounded=False)
        for side, group in ((1, top), (-1, bottom)):
            for j, cat in enumerate(group):
                items, _, label = blocks[cat.name]
                x_out = x_first + j * slot
                x_join = x_out + dx
                y_out = spine_y + side * bone

                def bone_x(y: float, x_out: float = x_out) -> float:
                    # x of the bone at height y (linear from outer end to the spine)
                    return x_out + dx * (1 - abs(y - spine_y) / bone)

                ax.plot([x_out, x_join], [y_out, spine_y], color=EDGE, lw=1.5, zorder=1)
                lh = block_height(len(label), fs + 1)
                box(ax, x_out, y_out + side * (0.1 + (lh + 0.16) / 2), slot - 0.2, lh + 0.16,
                    label, fs + 1, fill=FILL["neutral"], weight="bold")
                # causes from the outer end towards the spine
                dist = bone - 0.2
                for lines in items:
                    h = block_height(len(lines), fs)
                    y_centre = spine_y + side * (dist - h / 2)
                    y_far = y_centre + side * h / 2  # the end of the text furthest from spine
                    x_right = bone_x(y_far) - 0.1
                    ax.text(x_right, y_centre, "\n".join(lines), ha="right", va="center",
                            fontsize=fs, linespacing=1.2, multialignment="right", zorder=3)
                    ax.plot([x_right + 0.03, bone_x(y_centre)], [y_centre, y_centre],
                            color="#777777",
                            lw=0.8, zorder=1)
                    dist -= h + gap_between
        return ax
