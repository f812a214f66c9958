"""Shared drawing helpers for the QI tool diagrams (private).

The diagrams are laid out in inches: a renderer works out how much room each piece of text
needs (measured with matplotlib's own font metrics, so nothing depends on a graphviz binary),
sizes the figure to fit, and draws in a coordinate system where one data unit is one inch.
That is what keeps boxes and labels from overlapping at typical notebook widths.

Also here: :class:`Diagram`, the mixin that gives every tool ``plot``, ``show``, ``save_svg``,
``save_png`` and JSON save/load, and :func:`text_overlaps`, which the tests use to check that
no two labels in a rendered figure overlap.
"""
from __future__ import annotations

import io
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyBboxPatch, Polygon
from matplotlib.text import Text
from matplotlib.textpath import TextToPath

from ..errors import QIDataError

LINE_SPACING = 1.2
"""Line spacing used for every multi-line label (matplotlib's default)."""

# Colours chosen for contrast with black text (all pass WCAG AA for 9 pt black text) and
# distinguishable in greyscale; meaning is never carried by colour alone.
FILL = {
    "aim": "#cfe2f3",
    "primary": "#d9ead3",
    "secondary": "#fff2cc",
    "change": "#f4cccc",
    "neutral": "#eeeeee",
    "start": "#d9ead3",
    "end": "#f4cccc",
    "decision": "#fff2cc",
    "step": "#ffffff",
}
EDGE = "#333333"

_T2P = TextToPath()


@lru_cache(maxsize=8192)
def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in inches of one line of ``text`` at font ``size`` points.

    >>> text_width("", 9)
    0.0
    >>> 0.1 < text_width("Falls", 9) < 0.5
    True
    """
    if not text:
        return 0.0
    props = FontProperties(size=size, weight=weight)
    width, _, _ = _T2P.get_text_width_height_descent(text, props, ismath=False)
    return width / 72.0


def line_height(size: float) -> float:
    """Height in inches of one line of text at ``size`` points, including line spacing."""
    return size * LINE_SPACING / 72.0


def wrap(text: str, width: float, size: float, weight: str = "normal") -> list[str]:
    """Wrap ``text`` into lines no wider than ``width`` inches at ``size`` points.

    Words longer than a line are broken. Existing line breaks are kept.

    >>> wrap("Reduce falls on ward 7 by half by March", 1.2, 9)
    ['Reduce falls on', 'ward 7 by half by', 'March']
    """
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        current = ""
        for word in words:
            while text_width(word, size, weight) > width and len(word) > 1:
                # break an over-long word into pieces that fit
                if current:
                    lines.append(current)
                    current = ""
                cut = len(word) - 1
                while cut > 1 and text_width(word[:cut] + "-", size, weight) > width:
                    cut -= 1
                lines.append(word[:cut] + "-")
                word = word[cut:]
            trial = f"{current} {word}" if current else word
            if text_width(trial, size, weight) <= width:
                current = trial
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def block_height(n_lines: int, size: float) -> float:
    """Height in inches of ``n_lines`` lines of text at ``size`` points."""
    return max(n_lines, 1) * line_height(size)


def canvas(width: float, height: float, ax: Axes | None = None) -> Axes:
    """Axes in which one data unit is one inch, ``width`` × ``height`` inches, axes hidden.

    With ``ax=None`` a new figure of exactly that size is made. With an ``ax`` given, the same
    coordinates are used and the aspect ratio is kept, but text keeps its point size, so a
    small ``ax`` can crowd the labels: let the renderer make its own figure when you can.
    """
    if ax is None:
        fig = plt.figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    return ax


def box(ax: Axes, x: float, y: float, w: float, h: float, lines: list[str], size: float, *,
        fill: str = "#ffffff", weight: str = "normal", gid: str | None = None,
        rounded: bool = True) -> Text:
    """Draw a box with its centre at (x, y) and centred, wrapped text inside. Returns the text."""
    style = "round,pad=0,rounding_size=0.08" if rounded else "square,pad=0"
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style, facecolor=fill,
                                edgecolor=EDGE, linewidth=1.0, zorder=2))
    text = ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=size,
                   fontweight=weight, linespacing=LINE_SPACING, zorder=3, multialignment="center",
                   wrap=False)
    if gid:
        text.set_gid(gid)
    return text


def diamond(ax: Axes, x: float, y: float, w: float, h: float, lines: list[str], size: float, *,
            fill: str = FILL["decision"]) -> Text:
    """Draw a decision diamond centred at (x, y) with text inside. Returns the text."""
    ax.add_patch(Polygon([(x - w / 2, y), (x, y + h / 2), (x + w / 2, y), (x, y - h / 2)],
                         closed=True, facecolor=fill, edgecolor=EDGE, linewidth=1.0, zorder=2))
    return ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=size,
                   linespacing=LINE_SPACING, zorder=3, multialignment="center")


def figure_bytes(fig: Figure, fmt: str, dpi: int = 150) -> bytes:
    """The figure rendered as ``fmt`` ("png" or "svg")."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight",
                metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def _visible_texts(fig: Figure) -> list[Text]:
    texts: list[Text] = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        candidates: list[Text] = list(ax.texts) + [ax.title, ax._left_title, ax._right_title]
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_visible():
                    candidates.append(axis.label)
                    candidates.extend(t for t in axis.get_ticklabels() if t.get_visible())
        for child in ax.get_children():
            if hasattr(child, "texts") and not isinstance(child, Axes):  # legends
                candidates.extend(child.texts)
        texts.extend(t for t in candidates if t.get_visible() and t.get_text().strip())
    texts.extend(t for t in fig.texts if t.get_visible() and t.get_text().strip())
    # de-duplicate (twin axes share nothing, but be safe)
    seen: set[int] = set()
    unique = []
    for t in texts:
        if id(t) not in seen:
            seen.add(id(t))
            unique.append(t)
    return unique


def text_overlaps(obj: Figure | Axes, tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of visible labels whose drawn bounding boxes overlap (empty when all is clear).

    ``tolerance`` is in pixels: boxes that only touch within it do not count.

    >>> fig, ax = plt.subplots()
    >>> _ = ax.text(0.1, 0.5, "one"); _ = ax.text(0.8, 0.5, "two")
    >>> text_overlaps(fig)
    []
    >>> plt.close(fig)
    """
    fig = obj.figure if isinstance(obj, Axes) else obj
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = _visible_texts(fig)
    boxes = [t.get_window_extent(renderer) for t in texts]
    clashes: list[tuple[str, str]] = []
    for i in range(len(texts)):
        a = boxes[i]
        for j in range(i + 1, len(texts)):
            b = boxes[j]
            if (min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance
                    and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance):
                clashes.append((texts[i].get_text(), texts[j].get_text()))
    return clashes


def clean(value: Any, field: str, *, allow_empty: bool = False) -> str:
    """A stripped string for ``field``; raises QIDataError if it is not text or is empty."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        else:
            raise QIDataError(f"{field} must be text, not {type(value).__name__}.", field=field)
    value = " ".join(value.split())
    if not value and not allow_empty:
        raise QIDataError(f"{field} is empty: type some words.", field=field)
    return value


def names_list(values: Iterable[Any] | None, field: str) -> tuple[str, ...]:
    """A tuple of cleaned, non-empty strings (a single string counts as one item)."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out = []
    for i, value in enumerate(values, start=1):
        out.append(clean(value, f"{field} item {i}"))
    return tuple(out)


def key(name: str) -> str:
    """How names are compared: case and spacing do not matter."""
    return " ".join(name.split()).casefold()


class Diagram:
    """Mixin: plotting, showing, exporting and saving for the tool models.

    A subclass provides ``_draw(ax) -> Axes``, ``alt_text()``, ``to_dict()``, ``from_dict()``
    and the class attributes ``SCHEMA`` and ``SCHEMA_VERSION``.
    """

    SCHEMA = "qilab.diagram"
    SCHEMA_VERSION = 1

    def _draw(self, ax: Axes | None) -> Axes:  # pragma: no cover - subclasses implement
        raise NotImplementedError

    def alt_text(self) -> str:  # pragma: no cover - subclasses implement
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - subclasses implement
        raise NotImplementedError

    def plot(self, ax: Axes | None = None) -> Axes:
        """Draw the diagram and return the matplotlib Axes (a new figure if ``ax`` is None)."""
        return self._draw(ax)

    def show(self, caption: str | None = None):
        """Render the diagram with its description as alt text (see :func:`qilab.show`)."""
        from ..display import show

        return show(self.plot(), alt=self.alt_text(), caption=caption)

    def _repr_html_(self) -> str:
        """In a notebook or the book the diagram shows as a figure whose alt text describes it
        (not as the dataclass's text)."""
        return self.show()._repr_html_()

    def _export(self, path: str | os.PathLike, fmt: str, dpi: int = 150) -> Path:
        from ..storage import atomic_write_bytes

        ax = self.plot()
        try:
            data = figure_bytes(ax.figure, fmt, dpi=dpi)
        finally:
            plt.close(ax.figure)
        return atomic_write_bytes(path, data)

    def save_svg(self, path: str | os.PathLike) -> Path:
        """Write the diagram as an SVG file (atomically) and return its path."""
        return self._export(path, "svg")

    def save_png(self, path: str | os.PathLike, dpi: int = 150) -> Path:
        """Write the diagram as a PNG file (atomically) and return its path."""
        return self._export(path, "png", dpi=dpi)

    def save_json(self, path: str | os.PathLike) -> Path:
        """Save the model as a JSON document with its schema name and version."""
        from ..storage import write_document

        return write_document(path, self.SCHEMA, self.SCHEMA_VERSION, self.to_dict())

    @classmethod
    def load_json(cls, path: str | os.PathLike):
        """Read a model saved with :meth:`save_json`."""
        from ..storage import read_document

        doc = read_document(path, cls.SCHEMA, cls.SCHEMA_VERSION)
        body = {k: v for k, v in doc.items() if k not in {"schema", "schema_version", "saved_at"}}
        return cls.from_dict(body)  # type: ignore[attr-defined]

    def to_json(self) -> str:
        """The model as a JSON string (plain data, no schema header)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
