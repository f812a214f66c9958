"""Showing figures with real alt text, in notebooks, the book and Voila.

Matplotlib's inline display gives an image no alt text (the book would fall back to a file
path). Every figure qilab shows goes through :func:`show`, which embeds the picture as a PNG
with the alt text you give and an optional caption, and closes the matplotlib figure so it is
not shown twice.

:func:`table` shows a pandas table for readers rather than programmers: no row-number column,
and headings in words ("Total red", not ``total_red``).
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .errors import QIDataError


@dataclass(frozen=True)
class ShownFigure:
    """A rendered figure: PNG bytes, alt text and caption. Displays itself as HTML."""

    png: bytes
    alt: str
    caption: str | None = None

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        img = (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}"'
               ' style="max-width:100%;height:auto" />')
        if self.caption:
            return (f'<figure class="qilab-figure">{img}<figcaption>'
                    f"{html.escape(self.caption)}</figcaption></figure>")
        return f'<figure class="qilab-figure">{img}</figure>'

    def _repr_png_(self) -> bytes:
        return self.png

    def save(self, path) -> None:
        """Write the PNG to ``path``."""
        from .storage import atomic_write_bytes

        atomic_write_bytes(path, self.png)


def figure_of(obj: Figure | Axes) -> Figure:
    """The matplotlib Figure behind a Figure or an Axes."""
    if isinstance(obj, Axes):
        return obj.figure
    if isinstance(obj, Figure):
        return obj
    raise QIDataError(f"Expected a matplotlib Figure or Axes to show, got {type(obj).__name__}.",
                      field="figure")


def show(obj: Figure | Axes, alt: str, caption: str | None = None, *, dpi: int = 110) -> ShownFigure:
    """Render a figure with meaningful alt text and close it.

    ``alt`` must describe what the figure shows (not its file name); qilab's results pass the
    first sentences of their ``.explain()``.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2, 3])
    >>> shown = show(ax, alt="A line rising from 1 to 3.")
    >>> 'alt="A line rising from 1 to 3."' in shown._repr_html_()
    True
    """
    if not alt or not alt.strip():
        raise QIDataError("A figure needs alt text that says what it shows.", field="alt")
    fig = figure_of(obj)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return ShownFigure(buffer.getvalue(), alt.strip(), caption)


def heading(name: object, group: str | None = None) -> str:
    """A column name in words: ``total_red`` -> ``Total red``; with ``group="day"``, ``1`` ->
    ``Day 1``.

    >>> heading("management_says"), heading(3, group="day")
    ('Management says', 'Day 3')
    """
    text = " ".join(str(name).replace("_", " ").split())
    if group and not any(c.isalpha() for c in text):
        text = f"{group.replace('_', ' ')} {text}"
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class ShownTable:
    """A table to read: shows as HTML without the index column, with worded headings."""

    data: pd.DataFrame
    caption: str | None = None

    def _repr_html_(self) -> str:
        caption = (f"<caption>{html.escape(self.caption)}</caption>" if self.caption else "")
        head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in self.data.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
            for row in self.data.itertuples(index=False))
        return (f'<table class="qilab-table">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{rows}</tbody></table>")


def table(data: pd.DataFrame, caption: str | None = None) -> ShownTable:
    """A pandas table shown for readers: a named index (such as ``worker``) becomes the first
    column, an unnamed one (row numbers) is left out, and headings are words.

    >>> shown = table(pd.DataFrame({"worker": ["Ann"], "total_red": [9]}))
    >>> list(shown.data.columns), "<th" in shown._repr_html_() and "index" not in shown._repr_html_()
    (['Worker', 'Total red'], True)
    """
    if not isinstance(data, pd.DataFrame):
        raise QIDataError(f"table() needs a pandas DataFrame, got {type(data).__name__}.",
                          field="data")
    group = data.columns.name
    frame = data.reset_index() if any(n is not None for n in data.index.names) else data
    frame = frame.reset_index(drop=True)
    named = {c: heading(c, group if c in data.columns else None) for c in frame.columns}
    return ShownTable(frame.rename(columns=named), caption)
