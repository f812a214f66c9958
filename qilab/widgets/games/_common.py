"""Building blocks the workshop game dashboards share: a chart area, labelled sliders, tables.

A chart is shown as a ``widgets.HTML`` holding a PNG in :class:`qilab.display.ShownFigure`'s
markup, with the alt text the game gives (what the chart shows, in words), so a screen reader
hears the result and a test can see the picture change. Every slider has a visible label (the Voila
template names the slider handle from it) and sends its value when it is let go, so sliding
with the keyboard redraws once per step rather than once per pixel.
"""
from __future__ import annotations

import hashlib
import html
import io
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.ticker import AutoLocator, ScalarFormatter
from PIL import Image

from ...display import ShownFigure, figure_of
from ...errors import QIDataError
from ..forms import LABEL_STYLE

__all__ = ["ChartArea", "int_slider", "float_slider", "seed_field", "html_table", "text_block",
           "workshop_folder", "readable", "empty_axes", "PROJECTOR_PX", "MIN_CHART_TEXT_PX"]

#: Width, in CSS pixels, a chart is shown at on a 1280-pixel-wide projector page (the page's
#: content width; the template makes every chart as wide as the page).
PROJECTOR_PX = 1180
#: Smallest chart text, in CSS pixels, at that width.
MIN_CHART_TEXT_PX = 14.0


def readable(fig: Figure, width_px: float = PROJECTOR_PX,
             min_px: float = MIN_CHART_TEXT_PX) -> float:
    """Make ``fig`` safe and legible to show ``width_px`` wide; return its smallest text (pt).

    Every piece of text is raised to at least ``min_px`` CSS pixels at that width, and is
    drawn as typed (no mathtext), so a measure called "Cost in $ and $ saved" is shown as it
    is rather than failing to draw.

    >>> fig = Figure(figsize=(9, 4)); ax = fig.add_subplot(); _ = ax.set_title("$a", fontsize=6)
    >>> round(readable(fig, 1180, 14), 2)
    7.69
    """
    min_pt = min_px * fig.get_figwidth() * 72 / width_px
    for ax in fig.axes:  # tick labels are made as the axes are drawn: set their size here
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            size = axis._major_tick_kw.get("labelsize", rcParams[f"{name}tick.labelsize"])
            if FontProperties(size=size).get_size_in_points() < min_pt:
                ax.tick_params(axis=name, which="both", labelsize=min_pt)
    smallest = math.inf
    for text in fig.findobj(Text):
        text.set_parse_math(False)
        if not text.get_text():
            continue
        if text.get_fontsize() < min_pt:
            text.set_fontsize(min_pt)
        smallest = min(smallest, text.get_fontsize())
    return smallest if math.isfinite(smallest) else min_pt


def empty_axes(ax: Axes) -> Axes:
    """Take everything drawn off ``ax`` (lines, points, shading, notes, legend, titles) so a
    chart can be drawn on it afresh, keeping the axes themselves.

    A redraw on the same axes gives the same picture as one on a new figure, more quickly:
    ``ax.clear()`` and a new figure build every tick mark and label again, which was about a
    third of the processor time of a team's Send. The tick locators and formatters go back
    to matplotlib's defaults, as on new axes; tick label styles (size, rotation) stay.

    >>> fig = Figure(); ax = fig.add_subplot(); _ = ax.plot([1, 5], label="a")
    >>> _ = ax.legend(); _ = ax.set_title("A")
    >>> ax = empty_axes(ax); _ = ax.plot([2, 3])
    >>> len(ax.lines), ax.get_legend(), ax.get_title(), tuple(ax.get_ylim()) == (1.95, 3.05)
    (1, None, '', True)
    """
    for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images,
                   *ax.artists, *ax.tables]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.set_title("")
    ax.set_xlabel("")
    ax.set_ylabel("")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(AutoLocator())
        axis.set_major_formatter(ScalarFormatter())
    ax.set_prop_cycle(None)  # colours start again from the first
    ax.ignore_existing_data_limits = True  # the next thing drawn sets the limits
    ax.set_autoscale_on(True)
    return ax


#: Environment variable naming the folder workshop results are kept in.
WORKSHOP_ENV = "QILAB_WORKSHOP_DIR"


def workshop_folder() -> Path:
    """The folder for workshop files: ``$QILAB_WORKSHOP_DIR`` or ``~/qilab-workshop``.

    >>> isinstance(workshop_folder(), Path)
    True
    """
    return Path(os.environ.get(WORKSHOP_ENV) or Path.home() / "qilab-workshop").expanduser()


class ChartArea(widgets.HTML):
    """An image of a matplotlib figure with real alt text; redraws replace the picture.

    ``alt`` holds the alt text of the picture shown, ``digest`` a short hash of the PNG (it
    changes when the picture does) and ``draws`` how many times it was drawn.

    >>> import matplotlib.pyplot as plt
    >>> area = ChartArea()
    >>> fig, ax = plt.subplots(); _ = ax.plot([1, 2])
    >>> area.draw(ax, "A line rising from 1 to 2.")
    >>> area.alt, area.draws, 'alt="A line rising from 1 to 2."' in area.value
    ('A line rising from 1 to 2.', 1, True)
    >>> 'width="512" height="384"' in area.value  # its size, so the page keeps its layout
    True
    """

    def __init__(self, dpi: int = 80, **kwargs: Any) -> None:
        super().__init__(value="", **kwargs)
        self.dpi = dpi
        self.alt = ""
        self.digest = ""
        self.draws = 0
        self.min_text_pt = 0.0
        self.width_in = 0.0

    def draw(self, figure: Figure | Axes, alt: str, caption: str | None = None) -> None:
        """Render ``figure`` (closing it) and show it with ``alt`` as its alt text.

        The picture is drawn once on an Agg canvas and saved with light PNG compression, which
        is several times quicker than :func:`qilab.display.show` (a tight bounding box draws
        the figure twice); the markup, alt text and caption are :class:`ShownFigure`'s.
        """
        if not alt or not alt.strip():
            raise QIDataError("A chart needs alt text that says what it shows.", field="alt")
        fig = figure_of(figure)
        fig.set_dpi(self.dpi)
        self.min_text_pt = readable(fig)
        self.width_in = fig.get_figwidth()
        # a figure drawn again (see empty_axes) keeps its canvas, and with it the renderer and
        # the sizes of the texts it has measured
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        try:
            canvas.draw()
        except (ValueError, OverflowError, RuntimeError) as exc:
            plt.close(fig)
            raise QIDataError(f"The chart could not be drawn ({exc}); check for values that "
                              "are far too large or small.", field="chart") from exc
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        if image.getchannel("A").getextrema() == (255, 255):
            image = image.convert("RGB")  # opaque: the same picture, a fifth quicker to pack
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        plt.close(fig)
        shown = ShownFigure(buffer.getvalue(), alt.strip(), caption)
        self.alt = shown.alt
        self.digest = hashlib.sha1(shown.png).hexdigest()[:12]
        self.draws += 1
        width, height = image.size
        # the picture's size in pixels lets the browser keep its place on the page while the
        # new picture is decoded, instead of laying the page out again once it is
        self.value = shown._repr_html_().replace(
            '<figure class="qilab-figure">',
            f'<figure class="qilab-figure" data-width-in="{self.width_in:g}" '
            f'data-min-text-pt="{self.min_text_pt:.2f}">', 1).replace(
            ' style="max-width:100%;height:auto"',
            f' width="{width}" height="{height}" style="max-width:100%;height:auto"', 1)

    def clear(self) -> None:
        """Remove the picture."""
        self.alt = ""
        self.digest = ""
        self.value = ""


def int_slider(description: str, value: int, low: int, high: int, step: int = 1
               ) -> widgets.IntSlider:
    """A labelled whole-number slider that sends its value when let go.

    >>> int_slider("Days", 4, 1, 10).description
    'Days'
    """
    return widgets.IntSlider(value=value, min=low, max=high, step=step, description=description,
                             continuous_update=False, style=LABEL_STYLE,
                             layout=widgets.Layout(width="min(100%, 36em)"))


def float_slider(description: str, value: float, low: float, high: float, step: float,
                 readout_format: str = ".2f") -> widgets.FloatSlider:
    """A labelled decimal slider that sends its value when let go.

    >>> float_slider("Share of red beads", 0.2, 0.05, 0.5, 0.05).value
    0.2
    """
    return widgets.FloatSlider(value=value, min=low, max=high, step=step,
                               description=description, continuous_update=False,
                               readout_format=readout_format, style=LABEL_STYLE,
                               layout=widgets.Layout(width="min(100%, 36em)"))


def seed_field(value: int = 1) -> widgets.BoundedIntText:
    """The random seed: the same seed gives the same results (a run can be replayed).

    >>> seed_field(7).value
    7
    """
    return widgets.BoundedIntText(value=value, min=0, max=999_999,
                                  description="Random seed (same seed, same results)",
                                  style=LABEL_STYLE, layout=widgets.Layout(width="auto"))


def html_table(df: pd.DataFrame, caption: str, formats: dict[str, str] | None = None) -> str:
    """An accessible HTML table: a caption, column headers with ``scope="col"``, escaped text.

    >>> table = html_table(pd.DataFrame({"a": [1.234]}), "Numbers", {"a": "{:.1f}"})
    >>> '<caption>Numbers</caption>' in table, '<th scope="col">a</th>' in table
    (True, True)
    >>> '<td data-label="a">1.2</td>' in table
    True
    """
    formats = formats or {}
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in df.columns)
    rows = []
    for record in df.itertuples(index=False):
        cells = []
        for col, value in zip(df.columns, record):
            fmt = formats.get(col)
            text = fmt.format(value) if fmt and not _missing(value) else (
                "–" if _missing(value) else str(value))
            cells.append(f'<td data-label="{html.escape(str(col), quote=True)}">'
                         f"{html.escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def text_block(paragraphs: Sequence[str], heading: str | None = None, level: int = 3) -> str:
    """Escaped paragraphs of plain text, with an optional heading, as HTML.

    >>> text_block(["A & B."], "Why")
    '<h3>Why</h3><p>A &amp; B.</p>'
    """
    out = f"<h{level}>{html.escape(heading)}</h{level}>" if heading else ""
    return out + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
