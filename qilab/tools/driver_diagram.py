"""Driver diagrams: an aim, what drives it, and the change ideas to test.

A driver diagram has four layers, read left to right:

* the **aim** (what the team wants to achieve, how much, by when);
* **primary drivers**: the few big things that must be in place to reach the aim;
* **secondary drivers**: smaller, more concrete parts of the system that act on a primary
  driver (one secondary driver can act on more than one primary driver);
* **change ideas**: things to test with PDSA cycles, each acting on one or more secondary
  drivers.

Items are linked by name. Names must be unique across the whole diagram (case and spacing do
not matter), every secondary driver must link to at least one primary driver and every change
idea to at least one secondary driver; otherwise :class:`qilab.QIDataError` names the item.

>>> from qilab.tools.driver_diagram import DriverDiagram
>>> d = DriverDiagram(
...     aim="Reduce inpatient falls on ward 7 by 50% by March",
...     primary=["Reliable risk assessment", "Safe environment"],
...     secondary={"Assessment within 6 hours of admission": "Reliable risk assessment",
...                "Clutter-free bays": "Safe environment"},
...     changes={"Admission checklist": ["Assessment within 6 hours of admission"]})
>>> d.counts()
{'primary': 2, 'secondary': 2, 'changes': 1}
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from matplotlib.axes import Axes

from ..errors import QIDataError
from ._drawing import FILL, Diagram, block_height, box, canvas, clean, key, names_list, wrap

__all__ = ["DriverDiagram", "Link"]


@dataclass(frozen=True)
class Link:
    """One secondary driver or change idea and the names of the items it acts on."""

    name: str
    parents: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "parents": list(self.parents)}


def _links(values: Any, layer: str) -> tuple[Link, ...]:
    """Accept a mapping name -> parent(s), a list of {"name", "parents"} or (name, parents)."""
    if values is None:
        return ()
    items: Iterable[tuple[Any, Any]]
    if isinstance(values, Mapping):
        items = values.items()
    else:
        pairs = []
        for i, item in enumerate(values, start=1):
            if isinstance(item, Link):
                pairs.append((item.name, item.parents))
            elif isinstance(item, Mapping):
                if "name" not in item:
                    raise QIDataError(f"{layer} item {i} has no 'name'.", field=layer)
                pairs.append((item["name"], item.get("parents", ())))
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                pairs.append((item[0], item[1]))
            else:
                raise QIDataError(f"{layer} item {i} should be a name with its parents, for "
                                  f"example {{'name': 'Clutter-free bays', 'parents': "
                                  f"['Safe environment']}}; got {item!r}.", field=layer)
        items = pairs
    out = []
    for i, (name, parents) in enumerate(items, start=1):
        name = clean(name, f"{layer} item {i}")
        out.append(Link(name, names_list(parents, f"Links of {layer} item {name!r}")))
    return tuple(out)


@dataclass(frozen=True)
class DriverDiagram(Diagram):
    """An aim, primary and secondary drivers, and change ideas, linked by name.

    ``secondary`` and ``changes`` are mappings ``{name: parent or [parents]}`` (or lists of
    ``{"name": ..., "parents": [...]}``). Secondary drivers link to primary drivers, change
    ideas to secondary drivers.

    >>> d = DriverDiagram("Cut waits in clinic to under 30 minutes by June",
    ...                   primary=["Right staff at the right time"],
    ...                   secondary={"Rota matches demand": "Right staff at the right time"},
    ...                   changes={"Stagger start times": "Rota matches demand"})
    >>> print(d.to_markdown().splitlines()[2])
    **Aim:** Cut waits in clinic to under 30 minutes by June
    """

    aim: str
    primary: tuple[str, ...] = ()
    secondary: tuple[Link, ...] = ()
    changes: tuple[Link, ...] = ()
    title: str = "Driver diagram"

    SCHEMA = "qilab.driver_diagram"
    SCHEMA_VERSION = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "aim", clean(self.aim, "Aim"))
        object.__setattr__(self, "title", clean(self.title, "Title", allow_empty=True)
                           or "Driver diagram")
        object.__setattr__(self, "primary", names_list(self.primary, "Primary driver"))
        object.__setattr__(self, "secondary", _links(self.secondary, "Secondary driver"))
        object.__setattr__(self, "changes", _links(self.changes, "Change idea"))
        self._validate()

    def _validate(self) -> None:
        seen: dict[str, str] = {key(self.aim): "the aim"}
        layers = [("primary driver", self.primary),
                  ("secondary driver", [s.name for s in self.secondary]),
                  ("change idea", [c.name for c in self.changes])]
        for layer, names in layers:
            for name in names:
                k = key(name)
                if k in seen:
                    raise QIDataError(f"The name {name!r} is used twice (as a {layer} and as "
                                      f"{seen[k]}). Give each item its own name.", field=name)
                seen[k] = f"a {layer}"
        primary = {key(p) for p in self.primary}
        secondary = {key(s.name) for s in self.secondary}
        for layer, items, allowed, parent_layer in (
                ("Secondary driver", self.secondary, primary, "primary driver"),
                ("Change idea", self.changes, secondary, "secondary driver")):
            for item in items:
                if not item.parents:
                    raise QIDataError(f"{layer} {item.name!r} is not linked to any "
                                      f"{parent_layer}: link it to at least one.",
                                      field=item.name)
                for parent in item.parents:
                    if key(parent) not in allowed:
                        raise QIDataError(f"{layer} {item.name!r} is linked to {parent!r}, which "
                                          f"is not a {parent_layer} in this diagram. Add it as a "
                                          f"{parent_layer} or fix the spelling.", field=item.name)
                if len({key(p) for p in item.parents}) != len(item.parents):
                    raise QIDataError(f"{layer} {item.name!r} lists the same {parent_layer} "
                                      "twice.", field=item.name)

    # ---- plain data -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The diagram as plain lists and dicts (what a widget's ``.value`` returns)."""
        return {"title": self.title, "aim": self.aim, "primary": list(self.primary),
                "secondary": [s.to_dict() for s in self.secondary],
                "changes": [c.to_dict() for c in self.changes]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "DriverDiagram":
        """Rebuild a diagram from :meth:`to_dict` output."""
        if not isinstance(data, Mapping):
            raise QIDataError("A driver diagram must be a dict with an 'aim'.", field="aim")
        return cls(aim=data.get("aim", ""), primary=data.get("primary", ()),
                   secondary=data.get("secondary", ()), changes=data.get("changes", ()),
                   title=data.get("title", "Driver diagram"))

    def counts(self) -> dict[str, int]:
        """How many items each layer has."""
        return {"primary": len(self.primary), "secondary": len(self.secondary),
                "changes": len(self.changes)}

    def _children(self, parent: str, items: tuple[Link, ...]) -> list[str]:
        return [i.name for i in items if key(parent) in {key(p) for p in i.parents}]

    def _canonical(self, name: str, names: Iterable[str]) -> str:
        for n in names:
            if key(n) == key(name):
                return n
        return name

    # ---- words ------------------------------------------------------------------------------
    def to_markdown(self) -> str:
        """The diagram as a Markdown outline (items with two parents appear under both).

        >>> d = DriverDiagram("Aim A", ["P"], {"S": "P"}, {"C": "S"})
        >>> print(d.to_markdown())
        # Driver diagram
        <BLANKLINE>
        **Aim:** Aim A
        <BLANKLINE>
        - **Primary driver:** P
          - **Secondary driver:** S
            - **Change idea:** C
        """
        lines = [f"# {self.title}", "", f"**Aim:** {self.aim}", ""]
        if not self.primary:
            lines.append("_No primary drivers yet._")
        for p in self.primary:
            lines.append(f"- **Primary driver:** {p}")
            for s in self._children(p, self.secondary):
                lines.append(f"  - **Secondary driver:** {s}")
                for c in self._children(s, self.changes):
                    lines.append(f"    - **Change idea:** {c}")
        return "\n".join(lines)

    def explain(self) -> str:
        """The diagram described in plain English, layer by layer."""
        parts = [f"{self.title}. The aim is: {self.aim}."]
        n = self.counts()
        parts.append(f"It has {_count(n['primary'], 'primary driver')}, "
                     f"{_count(n['secondary'], 'secondary driver')} and "
                     f"{_count(n['changes'], 'change idea')}.")
        for p in self.primary:
            kids = self._children(p, self.secondary)
            if kids:
                parts.append(f"Primary driver '{p}' is driven by {_join(kids)}.")
            else:
                parts.append(f"Primary driver '{p}' has no secondary drivers yet.")
        for s in self.secondary:
            ideas = self._children(s.name, self.changes)
            if ideas:
                parts.append(f"Change ideas for '{s.name}': {_join(ideas)}.")
        return " ".join(parts)

    def alt_text(self) -> str:
        """Alt text for the figure: the diagram in words."""
        return self.explain()

    # ---- drawing ----------------------------------------------------------------------------
    FONT_SIZE = 9
    BOX_WIDTH = 2.05
    COLUMN_GAP = 0.6
    BOX_GAP = 0.16
    PAD = 0.12

    def _layout(self) -> dict[str, Any]:
        fs, bw, pad = self.FONT_SIZE, self.BOX_WIDTH, self.PAD
        primary = list(self.primary)
        p_index = {key(p): i for i, p in enumerate(primary)}
        secondary = sorted(self.secondary,
                           key=lambda s: min(p_index[key(p)] for p in s.parents))
        s_index = {key(s.name): i for i, s in enumerate(secondary)}
        changes = sorted(self.changes, key=lambda c: min(s_index[key(p)] for p in c.parents))
        columns = [
            ("Aim", "aim", [(self.aim, ())]),
            ("Primary drivers", "primary", [(p, ()) for p in primary]),
            ("Secondary drivers", "secondary", [(s.name, s.parents) for s in secondary]),
            ("Change ideas", "change", [(c.name, c.parents) for c in changes]),
        ]
        laid = []
        for header, kind, items in columns:
            boxes = []
            for name, parents in items:
                weight = "bold" if kind == "aim" else "normal"
                lines = wrap(name, bw - 2 * pad, fs, weight)
                boxes.append({"name": name, "parents": parents, "lines": lines,
                              "h": block_height(len(lines), fs) + 2 * pad, "weight": weight})
            height = sum(b["h"] for b in boxes) + self.BOX_GAP * max(len(boxes) - 1, 0)
            laid.append({"header": header, "kind": kind, "boxes": boxes, "height": height})
        return {"columns": laid}

    def _draw(self, ax: Axes | None) -> Axes:
        fs, bw, gap = self.FONT_SIZE, self.BOX_WIDTH, self.COLUMN_GAP
        layout = self._layout()
        columns = layout["columns"]
        margin, header_h, title_h = 0.15, 0.35, 0.45
        body = max(c["height"] for c in columns)
        width = 2 * margin + 4 * bw + 3 * gap
        height = body + header_h + title_h + 2 * margin
        ax = canvas(width, height, ax)
        ax.text(width / 2, height - margin - title_h / 2, self.title, ha="center", va="center",
                fontsize=fs + 3, fontweight="bold")
        top = height - margin - title_h - header_h
        centres: dict[str, tuple[float, float, float]] = {}
        for ci, column in enumerate(columns):
            x = margin + bw / 2 + ci * (bw + gap)
            ax.text(x, top + header_h / 2, column["header"], ha="center", va="center",
                    fontsize=fs + 1, fontweight="bold")
            y = top - (body - column["height"]) / 2
            for b in column["boxes"]:
                cy = y - b["h"] / 2
                box(ax, x, cy, bw, b["h"], b["lines"], fs, fill=FILL[column["kind"]],
                    weight=b["weight"])
                centres[f"{column['kind']}:{key(b['name'])}"] = (x, cy, b["h"])
                y -= b["h"] + self.BOX_GAP
        # connectors: right edge of each parent to left edge of each child
        aim_x, aim_y, _ = centres[f"aim:{key(self.aim)}"]
        links = [(("aim", self.aim), ("primary", p)) for p in self.primary]
        links += [(("primary", p), ("secondary", s.name)) for s in self.secondary for p in s.parents]
        links += [(("secondary", p), ("change", c.name)) for c in self.changes for p in c.parents]
        for (pk, pn), (ck, cn) in links:
            px, py, _ = centres[f"{pk}:{key(pn)}"]
            cx, cy, _ = centres[f"{ck}:{key(cn)}"]
            ax.annotate("", xy=(cx - bw / 2, cy), xytext=(px + bw / 2, py),
                        arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.0,
                                    "shrinkA": 0, "shrinkB": 0, "mutation_scale": 9},
                        zorder=1)
        return ax


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _join(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
