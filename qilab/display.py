"""Showing figures with real alt text, in notebooks, the book and Voila.

Matplotlib's inline display gives an image no alt text (the book would fall back to a file
path). Every figure qilab shows goes through :func:`show`, which embeds the picture as a PNG
with the alt text you give and an optional caption, and closes the matplotlib figure so it is
not shown twice.
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib.pyplot as plt
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
