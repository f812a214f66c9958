"""Presenting a chart honestly: the same data drawn fairly and drawn to mislead, and a check
that says in plain English what a drawn chart does to its reader.

The *lie factor* compares the size of an effect as a picture shows it with its size in the
data (Tufte): 1 is honest. On a line or bar whose axis starts at ``axis_from`` instead of 0, a
change from ``before`` to ``after`` looks ``before / (before - axis_from)`` times as big as it
is.

>>> round(lie_factor(52, 48, axis_from=0), 2), round(lie_factor(52, 48, axis_from=45), 2)
(1.0, 7.43)
>>> from qilab import spc
>>> chart = spc(y=[52, 50, 53, 51, 52, 49, 51, 48, 47, 48], chart="run")
>>> check_presentation(chart, misleading_view(chart, last=4))[0]
'It shows 4 of the 10 points: the earlier points, and the baseline they give, are left out.'
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import QIDataError, QIWarning

if TYPE_CHECKING:
    from .spc import SPCResult


def lie_factor(before: float, after: float, axis_from: float = 0.0) -> float:
    """How many times bigger a change from ``before`` to ``after`` looks, drawn as heights
    above an axis starting at ``axis_from``, than it is in the data."""
    if before <= axis_from or after < axis_from:
        raise QIDataError(f"axis_from ({axis_from:g}) must be below both values ({before:g} and "
                          f"{after:g}): a value below the axis is not drawn at all.",
                          field="axis_from")
    if before == 0 or before == after:
        return 1.0
    shown = ((after - axis_from) - (before - axis_from)) / (before - axis_from)
    real = (after - before) / before
    return shown / real


def honest_view(result: "SPCResult", ax: Any = None) -> Any:
    """Draw ``result`` as it is: every point, its parts and notes, and (for values that cannot
    be negative) a y axis that starts at 0. Returns the Axes."""
    ax = result.plot(ax=ax)
    y = result.points["y"].to_numpy(float)
    if np.nanmin(y) >= 0:
        ax.set_ylim(bottom=0)
    return ax


def misleading_view(result: "SPCResult", last: int, ax: Any = None) -> Any:
    """Draw only the last ``last`` points of ``result``, with no notes or parts, on a y axis
    squeezed to the data: the chart a hurried report might show. Returns the Axes."""
    from .spc import spc

    k = len(result.points)
    if not 2 <= last <= k:
        raise QIDataError(f"last must be from 2 to the number of points ({k}); got {last}.",
                          field="last")
    tail = result.points.iloc[k - last:]
    x = tail["x"].tolist() if result.x_kind != "position" else None
    with warnings.catch_warnings():  # a short run chart's rules cannot fire: not the point here
        warnings.simplefilter("ignore", QIWarning)
        short = spc(y=tail["y"].to_numpy(float), x=x, chart="run", title=result.title)
    ax = short.plot(ax=ax)
    y = tail["y"].to_numpy(float)
    spread = float(np.nanmax(y) - np.nanmin(y)) or 1.0
    ax.set_ylim(np.nanmin(y) - 0.05 * spread, np.nanmax(y) + 0.05 * spread)
    ax.set_title(result.title or "")
    return ax


def check_presentation(result: "SPCResult", ax: Any) -> list[str]:
    """What a chart drawn on ``ax`` from ``result`` does to a reader, in plain English: a
    y axis that does not start at 0 (with its lie factor), points left out, and no notes on
    the changes. An empty list when none of these is found."""
    problems = []
    y = result.points["y"].to_numpy(float)
    k = len(y)
    shown = sum(len(c.get_offsets()) for c in ax.collections if c.get_label() == "Data") or k
    if shown < k:
        problems.append(f"It shows {shown} of the {k} points: the earlier points, and the "
                        "baseline they give, are left out.")
    bottom = ax.get_ylim()[0]
    on_show = y[k - shown:]
    if np.nanmin(y) >= 0 and bottom > 0 and shown >= 2:
        half = shown // 2
        before = float(np.nanmedian(on_show[:half]))
        after = float(np.nanmedian(on_show[shown - half:]))
        factor = lie_factor(before, after, bottom)
        problems.append(f"The y axis starts at {bottom:.3g}, not 0: the change from "
                        f"{before:.3g} to {after:.3g} looks {factor:.1f} times as big as it "
                        "is.")
    if result.notes and not ax.texts:
        problems.append("It has no notes: the reader cannot see when the changes were made.")
    if not ax.get_title():
        problems.append("It has no title: say what is measured, where and how often.")
    return problems
