"""Funnel dashboard: Deming's rules 1–4 dropped marble by marble, side by side.

All four rules use the same random noise (:func:`qilab.sims.funnel.run_all_rules`, seeded), so
the only difference between the four scatters is the rule for moving the funnel. The
facilitator drops one marble at a time ("Drop the next marble"), several, or all of them, and
switches between the scatter per rule and the view over time. The table puts the simulated
variance ratio (spread around the target compared with rule 1) beside the theoretical one from
:func:`qilab.sims.funnel.theoretical_variance_ratio`.

>>> game = FunnelGame()
>>> game.shown
10
>>> game.step_button.click()
>>> game.shown, game.chart.alt.startswith("Four scatters")
(11, True)
"""
from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...errors import QIDataError
from ...sims import funnel as fn
from ..forms import MessageArea, button, dropdown_field, form, paragraph
from ._common import ChartArea, html_table, int_slider, seed_field, text_block

__all__ = ["FunnelGame", "LOOK_FOR", "variance_table"]

LOOK_FOR = ("Look at how far the marbles land from the target under each rule: every "
            "adjustment (rules 2, 3 and 4) makes the spread wider than leaving a stable "
            "process alone (rule 1).")

VIEWS = [("Scatter per rule", "scatter"), ("Over time: distance from the target", "time")]
COLOURS = {1: "#005EB8", 2: "#ED8B00", 3: "#DA291C", 4: "#330072"}
MARKERS = {1: "o", 2: "s", 3: "^", 4: "D"}


def variance_table(df: pd.DataFrame) -> pd.DataFrame:
    """Simulated against theoretical variance ratios for the drops in ``df``.

    The simulated ratio is the mean squared distance from the target under each rule divided
    by that under rule 1 (from :func:`qilab.sims.funnel.spread`). The theory for these drops is
    the average of :func:`~qilab.sims.funnel.theoretical_variance_ratio` over drops 1 to *k*;
    the long-run ratio is 1, 2 or without limit.

    >>> t = variance_table(fn.run_all_rules(drops=200, seed=3))
    >>> t["rule"].tolist(), t.loc[1, "theory_long_run"]
    ([1, 2, 3, 4], '2')
    """
    s = fn.spread(df)
    msd = (s["rms_x"] ** 2 + s["rms_y"] ** 2) / 2
    base = float(msd[s["rule"] == 1].iloc[0])
    rows = []
    for r, value in zip(s.itertuples(), msd):
        k = int(r.drops)
        theory_k = float(np.mean([fn.theoretical_variance_ratio(int(r.rule), d)
                                  for d in range(1, k + 1)]))
        long_run = fn.theoretical_variance_ratio(int(r.rule))
        rows.append({"rule": int(r.rule), "drops": k, "mean_distance": r.mean_distance,
                     "max_distance": r.max_distance, "simulated_ratio": value / base,
                     "theory_these_drops": theory_k,
                     "theory_long_run": "no limit" if math.isinf(long_run) else f"{long_run:g}"})
    return pd.DataFrame(rows)


class FunnelGame:
    """The funnel experiment as a widget (``.ui``); ``df`` holds every planned drop and
    ``shown`` how many have been dropped so far."""

    def __init__(self, seed: int = 1, drops: int = 50, start: int = 10) -> None:
        self.df: pd.DataFrame | None = None
        self.table_data: pd.DataFrame | None = None
        self.shown = 0
        self._scatter: tuple[Figure, dict[int, tuple[Any, Any, Any]]] | None = None
        self.drops = int_slider("Marbles to drop in all", drops, 10, 200, 10)
        self.seed = seed_field(seed)
        self.step_size = int_slider("Marbles per step", 1, 1, 20)
        self.step_button = button("Drop the next marble", primary=True)
        self.all_button = button("Drop them all")
        self.reset_button = button("Start again")
        self.view = dropdown_field("Show", VIEWS, value="scatter")
        self.messages = MessageArea()
        self.chart = ChartArea()
        self.table = widgets.HTML()
        self.explanation = widgets.HTML()

        self.step_button.on_click(lambda _: self.step())
        self.all_button.on_click(lambda _: self.drop_all())
        self.reset_button.on_click(lambda _: self.reset())
        self.view.observe(lambda _: self.redraw(), names="value")
        self.step_size.observe(self._step_label, names="value")
        for control in (self.drops, self.seed):
            control.observe(lambda _: self.simulate(keep=True), names="value")

        self.ui = widgets.VBox([
            form(paragraph("A marble is dropped through a funnel over a target. The four rules "
                           "say how the funnel is moved after each drop; all four use the same "
                           "random bounces."),
                 widgets.HTML("<ul>" + "".join(f"<li>{fn.RULES[r]}</li>" for r in fn.RULES)
                              + "</ul>"),
                 self.drops, self.seed, label="The funnel"),
            form(self.step_size, widgets.HBox([self.step_button, self.all_button,
                                               self.reset_button]), self.view,
                 label="Drop the marbles"),
            self.messages, self.chart, self.table, self.explanation,
        ])
        self.ui.add_class("qilab-game")
        self.simulate(start=start)

    def _step_label(self, _: Any = None) -> None:
        n = int(self.step_size.value)
        self.step_button.description = ("Drop the next marble" if n == 1 else
                                        f"Drop the next {n} marbles")

    # ---- actions ----------------------------------------------------------------------------
    def simulate(self, start: int | None = None, keep: bool = False) -> bool:
        """Plan every drop for all four rules with the current seed; show ``start`` of them."""
        try:
            self.df = fn.run_all_rules(drops=int(self.drops.value), seed=int(self.seed.value))
        except QIDataError as exc:
            self.messages.error(str(exc))
            return False
        total = int(self.drops.value)
        self.shown = min(total, self.shown if keep else (start if start is not None else 1))
        self.shown = max(self.shown, 2)
        self.redraw()
        return True

    def step(self) -> None:
        """Drop the next marble (or the next few) under every rule."""
        total = int(self.drops.value)
        if self.shown >= total:
            self.messages.info(f"All {total} marbles have been dropped. Start again, or drop "
                               "more marbles in all.")
            return
        self.shown = min(total, self.shown + int(self.step_size.value))
        self.redraw()

    def drop_all(self) -> None:
        """Drop every remaining marble."""
        self.shown = int(self.drops.value)
        self.redraw()

    def reset(self) -> None:
        """Back to the first two drops."""
        self.messages.clear()
        self.shown = 2
        self.redraw()

    # ---- drawing ----------------------------------------------------------------------------
    def visible(self) -> pd.DataFrame:
        """The drops made so far, all four rules."""
        assert self.df is not None
        out = self.df[self.df["drop"] <= self.shown].reset_index(drop=True)
        out.attrs.update(self.df.attrs)
        return out

    def redraw(self) -> None:
        """Draw the chosen view and the variance table for the drops made so far."""
        if self.df is None:
            return
        data = self.visible()
        self.table_data = variance_table(data)
        if self.view.value == "scatter":
            self._draw_scatter(data)
        else:
            self._draw_time(data)
        shown = self.table_data.rename(columns={
            "rule": "Rule", "drops": "Drops", "mean_distance": "Mean distance from target",
            "max_distance": "Furthest", "simulated_ratio": "Variance ratio (simulated)",
            "theory_these_drops": "Variance ratio (theory, these drops)",
            "theory_long_run": "Variance ratio (theory, long run)"})
        fmt = {c: "{:.2f}" for c in shown.columns if c not in ("Rule", "Drops",
                                                               "Variance ratio (theory, long run)")}
        self.table.value = html_table(shown, f"Spread after {self.shown} drops, compared with "
                                      "rule 1 (never adjust)", fmt)
        t = self.table_data.set_index("rule")
        self.explanation.value = text_block([
            f"After {self.shown} drops, rule 2 spreads {t.loc[2, 'simulated_ratio']:.1f} times as "
            f"much as rule 1 (theory: {t.loc[2, 'theory_these_drops']:.1f}, and 2 in the long "
            "run).",
            f"Rules 3 and 4 keep growing: {t.loc[3, 'simulated_ratio']:.1f} and "
            f"{t.loc[4, 'simulated_ratio']:.1f} times rule 1 so far (theory "
            f"{t.loc[4, 'theory_these_drops']:.1f}); with more drops they have no limit.",
            "Adjusting a stable process in response to each result (tampering) always makes it "
            "worse.",
        ], "What the funnel shows")

    def _scatter_figure(self) -> tuple[Figure, dict[int, tuple[Any, Any, Any]]]:
        """The 2 x 2 figure, built once and reused: only the points move on each step.

        Re-using the axes saves matplotlib re-creating every tick on each drop, which keeps
        the round trip of "Drop the next marble" short.
        """
        if self._scatter is None:
            fig = Figure(figsize=(8, 7.6))
            axes = fig.subplots(2, 2)
            fig.subplots_adjust(left=0.07, right=0.98, bottom=0.06, top=0.9, wspace=0.2,
                                hspace=0.3)
            artists = {}
            for ax, rule in zip(axes.flat, fn.RULES):
                points = ax.scatter([], [], s=16, alpha=0.75, color=COLOURS[rule],
                                    marker=MARKERS[rule])
                last = ax.scatter([], [], s=80, facecolors="none", edgecolors="black",
                                  linewidths=1.5)
                ax.plot([0], [0], marker="+", markersize=16, color="black")
                ax.set_aspect("equal")
                artists[rule] = (ax, points, last)
            self._scatter = (fig, artists)
        return self._scatter

    def _draw_scatter(self, data: pd.DataFrame) -> None:
        fig, artists = self._scatter_figure()
        reach = float(np.nanmax(np.abs(data[["x", "y"]].to_numpy()))) * 1.1 or 1.0
        for rule, (ax, points, last) in artists.items():
            part = data[data["rule"] == rule]
            xy = part[["x", "y"]].to_numpy()
            points.set_offsets(xy)
            last.set_offsets(xy[-1:])
            ax.set_xlim(-reach, reach)
            ax.set_ylim(-reach, reach)
            ax.set_title(f"Rule {rule}: mean distance {part['distance'].mean():.2f}",
                         fontsize=10)
        fig.suptitle(f"Funnel: {self.shown} drops per rule (target +, last drop circled)")
        alt = ("Four scatters, one per rule, on the same scale. " + fn.alt_text(data))
        self.chart.draw(fig, alt)

    def _draw_time(self, data: pd.DataFrame) -> None:
        fig = Figure(figsize=(9, 4.2))
        ax = fig.add_subplot()
        for rule in fn.RULES:
            part = data[data["rule"] == rule]
            ax.plot(part["drop"], part["distance"], marker=MARKERS[rule], markersize=4,
                    color=COLOURS[rule], linewidth=1, label=f"Rule {rule}")
        ax.set_xlabel("Drop")
        ax.set_ylabel("Distance from the target")
        ax.set_title("Funnel over time: distance from the target per drop")
        ax.legend(fontsize=8, ncols=4)
        half = max(1, self.shown // 2)
        parts = []
        for rule in fn.RULES:
            part = data[data["rule"] == rule]
            early = part.loc[part["drop"] <= half, "distance"].mean()
            late = part.loc[part["drop"] > half, "distance"].mean()
            parts.append(f"rule {rule} averages {early:.2f} in the first half and {late:.2f} "
                         "in the second")
        alt = (f"Line chart of the distance from the target for drops 1 to {self.shown} under "
               "each rule: " + "; ".join(parts) + ".")
        self.chart.draw(fig, alt)
