"""Drawing an :class:`~qilab.charts.spc.SPCResult` with matplotlib.

Each part is drawn separately (lines break at part boundaries). The baseline is shaded when a
chart is frozen, excluded points are hollow, and signal points get a marker shape per rule, so
colour is never the only cue. In Making Data Count mode the NHS palette is used: orange for
concern, blue for improvement, grey for common cause; without an improvement direction,
signals are purple (neutral).

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from qilab.charts.spc import spc
>>> ax = spc(y=[3, 4, 5, 4, 3, 4, 9], chart="i").plot()
>>> ax.get_title()
'I chart (individuals)'
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np

if TYPE_CHECKING:
    from .spc import SPCResult

MDC_CONCERN = "#ED8B00"
MDC_IMPROVEMENT = "#005EB8"
MDC_COMMON = "#7F7F7F"
MDC_NEUTRAL = "#7030A0"
LINE = "#425563"
POINT = "#005EB8"
SIGNAL = "#D5281B"

#: (marker, label) for each rule column; the 3-sigma rule is drawn for every chart.
MARKERS: dict[str, tuple[str, str]] = {
    "sigma_signal": ("D", "Outside the control limits"),
    "longest_run_point": ("s", "Unusually long run"),
    "shift": ("s", "Shift"),
    "trend": ("^", "Trend"),
    "two_of_three_beyond_2sigma": ("v", "2 of 3 beyond 2 sigma"),
    "four_of_five_beyond_1sigma": ("P", "4 of 5 beyond 1 sigma"),
    "eight_one_side": ("s", "8 in a row on one side"),
    "six_trend": ("^", "6 in a row up or down"),
    "fifteen_within_1sigma": ("X", "15 in a row within 1 sigma"),
    "nine_one_side": ("s", "9 in a row on one side"),
    "fourteen_alternating": ("d", "14 in a row alternating"),
    "eight_beyond_1sigma_both_sides": ("h", "8 in a row beyond 1 sigma, both sides"),
    "two_in_three": ("v", "2 of 3 near a limit"),
}

#: the most text labels drawn on the x axis (one per point takes seconds for long series)
MAX_X_LABELS = 24


def _x_positions(result: "SPCResult") -> tuple[np.ndarray, list[str] | None]:
    x = result.points["x"].to_numpy()
    if result.x_kind in ("label", "category"):
        return np.arange(1, x.size + 1), [str(v) for v in x]
    return x, None


def _draw_lines(ax: Any, xs: np.ndarray, result: "SPCResult", show_95: bool) -> None:
    pts = result.points
    first = True
    for part in np.unique(pts["part"]):
        sel = (pts["part"] == part).to_numpy()
        xp = xs[sel]
        runs_signal = bool(result.parts.loc[result.parts["part"] == part, "runs_signal"].iloc[0])
        ax.plot(xp, pts["cl"].to_numpy(float)[sel], color=SIGNAL if runs_signal else LINE,
                linestyle="--" if runs_signal else "-", linewidth=1.2,
                label="Centre line" if first else None)
        if not pts["ucl"].isna().all():
            for col in ("lcl", "ucl"):
                ax.plot(xp, pts[col].to_numpy(float)[sel], color=LINE, linestyle=":",
                        linewidth=1.2, label="Control limits" if first and col == "ucl" else None)
        if show_95:
            for col in ("lcl_95", "ucl_95"):
                ax.plot(xp, pts[col].to_numpy(float)[sel], color=LINE, linestyle=(0, (1, 4)),
                        linewidth=0.8, label="2-sigma lines" if first and col == "ucl_95" else None)
        if result.x_kind != "category":
            ax.plot(xp, pts["y"].to_numpy(float)[sel], color=POINT, linewidth=1.2)
        first = False


def _point_colours(result: "SPCResult") -> np.ndarray:
    pts = result.points
    colours = np.full(len(pts), POINT, dtype=object)
    if result.rules != "mdc":
        return colours
    direction = pts["direction"].to_numpy()
    sign = {"increase": 1, "decrease": -1}.get(result.improvement_direction or "", 0)
    colours[:] = MDC_COMMON
    if sign == 0:
        colours[direction != 0] = MDC_NEUTRAL
    else:
        colours[direction * sign > 0] = MDC_IMPROVEMENT
        colours[direction * sign < 0] = MDC_CONCERN
    return colours


def _draw_points(ax: Any, xs: np.ndarray, result: "SPCResult") -> None:
    pts = result.points
    y = pts["y"].to_numpy(float)
    inc = pts["include"].to_numpy(bool)
    colours = _point_colours(result)
    for keep, hollow in ((inc, False), (~inc, True)):
        if keep.any():
            ax.scatter(xs[keep], y[keep], s=22, zorder=3,
                       facecolors="white" if hollow else list(colours[keep]),
                       edgecolors=list(colours[keep]), linewidths=1.2,
                       label="Excluded from calculations" if hollow else "Data")
    for column, (marker, label) in MARKERS.items():
        if column not in pts or column == "runs_signal":
            continue
        hit = pts[column].to_numpy(bool)
        if hit.any():
            colour = SIGNAL if result.rules != "mdc" else list(colours[hit])
            ax.scatter(xs[hit], y[hit], marker=marker, s=70, zorder=4, facecolors="none",
                       edgecolors=colour, linewidths=1.5, label=label)


def _annotate(ax: Any, xs: np.ndarray, result: "SPCResult") -> None:
    y = result.points["y"].to_numpy(float)
    for pos, text in result.notes.items():
        if 1 <= pos <= xs.size and np.isfinite(y[pos - 1]):
            ax.annotate(text, (xs[pos - 1], y[pos - 1]), xytext=(0, 18),
                        textcoords="offset points", ha="center", fontsize=8,
                        arrowprops={"arrowstyle": "-", "color": LINE, "linewidth": 0.6})


def plot_spc(result: "SPCResult", ax: Any = None, show_95: bool = False) -> Any:
    """Draw ``result`` on ``ax`` (a new figure if None) and return the Axes."""
    from .spc import CHART_NAMES

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5))
    xs, labels = _x_positions(result)
    pts = result.points
    if not pts["baseline"].all():
        base = pts["baseline"].to_numpy(bool)
        ax.axvspan(xs[base][0], xs[base][-1], color="#E8EDEE", zorder=0,
                   label="Baseline (lines calculated here)")
    _draw_lines(ax, xs, result, show_95)
    _draw_points(ax, xs, result)
    if result.target is not None:
        ax.axhline(result.target, color="#009639", linestyle="-.", linewidth=1.2, label="Target")
    _annotate(ax, xs, result)
    if labels is not None:  # text labels: at most MAX_X_LABELS, evenly spaced, stay readable
        step = -(-len(xs) // MAX_X_LABELS)
        ax.set_xticks(xs[::step], list(labels)[::step], rotation=45, ha="right")
    ax.set_title(result.title or CHART_NAMES[result.chart])
    ax.set_xlabel(result.x_name or "Point")
    ax.set_ylabel(result.y_name if result.multiply == 1
                  else f"{result.y_name} (× {result.multiply:g})")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax
