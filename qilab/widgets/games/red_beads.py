"""Red beads dashboard: management's ranking first, then the p chart that shows one system.

The facilitator sets the bead box (share of red beads), the paddle, the workers and the days,
and runs the experiment (:func:`qilab.sims.red_beads.run_red_beads`, seeded). The first view
is "management's": workers ranked, the best praised, the worst put on probation. The second is
the p chart (:func:`qilab.spc` through the simulator's hand-off), which shows every draw
coming from one stable system. "Change the system" gives the box a different mix from a chosen
day; the p chart, with its limits from the days before the change, shows the special cause.

>>> game = RedBeadsGame()
>>> game.view.value
'management'
>>> game.run_button.click()
>>> game.view.value = "chart"
>>> game.chart.alt.startswith("This P chart")
True
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ... import spc
from ...errors import QIDataError
from ...sims import red_beads as rb
from ..forms import MessageArea, button, dropdown_field, form, paragraph
from ._common import ChartArea, float_slider, html_table, int_slider, seed_field, text_block

__all__ = ["RedBeadsGame", "LOOK_FOR"]

#: The one sentence the dashboard gives on what to look for.
LOOK_FOR = ("Look at how different the workers' results are, then at the p chart: every point "
            "comes from the same system, so ranking, praise and blame change nothing; only "
            "changing the system moves the results.")

#: Names for up to ten willing workers (the simulator's six, then four more).
WORKER_NAMES: tuple[str, ...] = (*rb.DEFAULT_WORKERS, "Gita", "Hamza", "Isla", "Jon")

VIEWS = [("Management's view: rank, praise and blame", "management"),
         ("The p chart: one system", "chart")]


class RedBeadsGame:
    """The red beads game as a widget (``.ui``), with its state as plain attributes.

    ``df`` holds the draws, ``board`` the :class:`~qilab.sims.red_beads.Leaderboard`,
    ``result`` the p chart (an SPC result) and ``change`` the system change, if any.
    """

    def __init__(self, seed: int = 1) -> None:
        self.df: pd.DataFrame | None = None
        self.board: rb.Leaderboard | None = None
        self.result: Any = None
        self.change: rb.SystemChange | None = None

        self.red_share = float_slider("Share of red beads in the box", 0.2, 0.05, 0.5, 0.05)
        self.paddle = int_slider("Paddle size (beads per draw)", 50, 10, 100, 5)
        self.workers = int_slider("Willing workers", 6, 2, 10)
        self.days = int_slider("Days", 4, 2, 10)
        self.seed = seed_field(seed)
        self.run_button = button("Run the experiment", primary=True)
        self.new_seed_button = button("New experiment (new seed)")
        self._last_seed: int | None = None
        self.view = dropdown_field("Show", VIEWS, value="management")
        self.new_share = float_slider("New share of red beads after the change", 0.1, 0.05, 0.5,
                                      0.05)
        self.from_day = int_slider("Change from day", 3, 2, 10)
        self.change_button = button("Change the system")
        self.undo_button = button("Back to the original system")
        self.messages = MessageArea()
        self.chart = ChartArea()
        self.table = widgets.HTML()
        self.explanation = widgets.HTML()

        self.run_button.on_click(lambda _: self.run_again())
        self.new_seed_button.on_click(lambda _: self.new_seed())
        self.change_button.on_click(lambda _: self.change_system())
        self.undo_button.on_click(lambda _: self.undo_change())
        self.view.observe(lambda _: self.redraw(), names="value")
        self.days.observe(self._days_changed, names="value")
        for control in (self.red_share, self.paddle, self.workers, self.seed):
            control.observe(lambda _: self.run(), names="value")

        self.ui = widgets.VBox([
            form(paragraph("Set up the box and the paddle, then run the experiment: each "
                           "worker draws one paddle of beads a day; red beads are defects."),
                 self.red_share, self.paddle, self.workers, self.days, self.seed,
                 widgets.HBox([self.run_button, self.new_seed_button]), label="The bead box"),
            form(self.view, label="What to show"),
            self.messages, self.chart, self.table, self.explanation,
            form(paragraph("Management cannot change the result by ranking workers. Changing "
                           "the box changes the system for everyone from that day."),
                 self.new_share, self.from_day,
                 widgets.HBox([self.change_button, self.undo_button]),
                 label="Change the system"),
        ])
        self.ui.add_class("qilab-game")
        self.run()

    # ---- actions ----------------------------------------------------------------------------
    def _days_changed(self, _: Any = None) -> None:
        self.from_day.max = max(2, int(self.days.value))
        self.run()

    def run(self) -> bool:
        """Run the experiment with the current settings (and the system change, if any)."""
        try:
            box = rb.BeadBox(red_share=round(float(self.red_share.value), 4))
            changes = []
            if self.change is not None:
                if self.change.from_day > int(self.days.value):
                    raise QIDataError(f"The change is set for day {self.change.from_day} but "
                                      f"the experiment has {self.days.value} days; use more "
                                      "days or an earlier change.", field="from_day")
                changes = [rb.change_the_system(box, red_share=self.change.box.red_share,
                                                from_day=self.change.from_day)]
            self.df = rb.run_red_beads(box, paddle=int(self.paddle.value),
                                       workers=list(WORKER_NAMES[:int(self.workers.value)]),
                                       days=int(self.days.value), changes=changes,
                                       seed=int(self.seed.value))
            self.board = rb.leaderboard(self.df)
            handoff = rb.spc_handoff(self.df)
            freeze = None
            if changes:  # limits from the days before the change, so the change shows
                freeze = int((self.df["day"] < changes[0].from_day).sum())
            self.result = spc(handoff.data, **handoff.kwargs, freeze=freeze)
        except QIDataError as exc:
            self.messages.error(str(exc))
            return False
        if self.messages.kind == "error":
            self.messages.clear()
        self._last_seed = int(self.seed.value)
        self.redraw()
        return True

    def run_again(self) -> bool:
        """The Run button: run, saying so when the seed (so every draw) is the same as before."""
        same = self._last_seed == int(self.seed.value)
        ok = self.run()
        if ok and same:
            self.messages.info(f"Run again with the same random seed ({self.seed.value}), so "
                               "every draw is the same as before. Press 'New experiment (new "
                               "seed)' or change the seed for different draws.")
        return ok

    def new_seed(self) -> bool:
        """Run with the next seed: new draws from the same system."""
        self.seed.value = (int(self.seed.value) + 1) % (self.seed.max + 1)  # runs (observed)
        self.messages.info(f"New experiment with random seed {self.seed.value}: new draws "
                           "from the same box.")
        return True

    def change_system(self) -> bool:
        """Change the box's mix from the chosen day and show the p chart."""
        try:
            self.change = rb.change_the_system(rb.BeadBox(red_share=float(self.red_share.value)),
                                               red_share=round(float(self.new_share.value), 4),
                                               from_day=int(self.from_day.value))
        except QIDataError as exc:
            self.messages.error(str(exc))
            return False
        ok = self.run()
        if ok:
            self.messages.info(f"From day {self.change.from_day} the box holds "
                               f"{self.change.box.red_share:.0%} red beads instead of "
                               f"{float(self.red_share.value):.0%}. The p chart's limits come "
                               "from the days before the change.")
            self.view.value = "chart"
        return ok

    def undo_change(self) -> bool:
        """Go back to the original box for every day."""
        self.change = None
        ok = self.run()
        if ok:
            self.messages.info("Back to the original box for every day.")
        return ok

    # ---- drawing ----------------------------------------------------------------------------
    def redraw(self) -> None:
        """Draw the chosen view of the current results."""
        if self.df is None or self.board is None:
            return
        if self.view.value == "management":
            self._draw_management()
        else:
            self._draw_chart()

    def _draw_management(self) -> None:
        table = self.board.table
        fig = Figure(figsize=(9, 4.2), layout="constrained")
        ax = fig.add_subplot()
        order = table.sort_values("rank")
        bars = ax.bar(order["worker"].astype(str), order["total_red"], color="#AEB7BD",
                      edgecolor="#212B32", linewidth=1)
        for bar, says, total in zip(bars, order["management_says"], order["total_red"]):
            word = ""
            if says.startswith("Best"):
                bar.set_facecolor("#78BE20")
                bar.set_hatch("//")
                word = "\nbest"
            elif says.startswith("Worst"):
                bar.set_facecolor("#F28B82")
                bar.set_hatch("xx")
                word = "\nworst"
            bar.set_edgecolor("#212B32")  # the hatching is drawn in the edge colour: dark
            ax.annotate(f"{int(total)}{word}", (bar.get_x() + bar.get_width() / 2,
                                                bar.get_height()),
                        ha="center", va="bottom", fontsize=10)
        ax.set_ylim(0, float(order["total_red"].max()) * 1.3)
        ax.set_ylabel("Total red beads (fewer is better)")
        ax.set_xlabel("Worker, ranked from best to worst")
        ax.set_title("Management's league table")
        ax.legend(handles=[Patch(facecolor="#78BE20", edgecolor="#212B32", hatch="//",
                                 label="Best: praised"),
                           Patch(facecolor="#F28B82", edgecolor="#212B32", hatch="xx",
                                 label="Worst: on probation")],
                  loc="upper left", fontsize=10, frameon=False)
        best, worst = order.iloc[0], order.iloc[-1]
        alt = ("Bar chart of total red beads per worker, ranked: "
               + ", ".join(f"{w} {int(t)}" for w, t in zip(order["worker"],
                                                          order["total_red"]))
               + f". Management praises {best['worker']} and puts {worst['worker']} on "
               "probation.")
        self.chart.draw(fig, alt)
        shown = table[["rank", "worker", "total_red", "management_says"]].rename(columns={
            "rank": "Rank", "worker": "Worker", "total_red": "Total red beads",
            "management_says": "Management says"})
        self.table.value = html_table(shown, "Management's ranking of the willing workers")
        self.explanation.value = text_block(
            ["Management ranks the workers by their red beads, praises the best and puts the "
             "worst on probation. Is that fair? Switch 'Show' to the p chart to see."],
            "Management's view")

    def _draw_chart(self) -> None:
        fig = Figure(figsize=(9, 4), layout="constrained")
        ax = fig.add_subplot()
        self.result.plot(ax=ax)
        ax.set_title("p chart: share of red beads per draw, all workers")
        self.chart.draw(fig, self.result.alt_text())
        paddle = int(self.paddle.value)
        theory = rb.hypergeometric_limits(rb.BeadBox(red_share=float(self.red_share.value)),
                                          paddle)
        theory_text = (f"Theory for this box and paddle: {theory.mean:.1f} red beads a draw "
                       f"on average, and between {theory.lower:.1f} and {theory.upper:.1f} "
                       "from the system alone (3 sigma).")
        table = self.board.table[["worker", "total_red", "expected_red", "lower", "upper",
                                  "within_system"]].copy()
        table["within_system"] = table["within_system"].map({True: "Yes", False: "No"})
        table = table.rename(columns={"worker": "Worker", "total_red": "Total red beads",
                                      "expected_red": "Expected", "lower": "System low",
                                      "upper": "System high",
                                      "within_system": "Inside what the system gives?"})
        self.table.value = html_table(table, "Each worker against what the system alone gives",
                                      {"Expected": "{:.1f}", "System low": "{:.1f}",
                                       "System high": "{:.1f}"})
        self.explanation.value = text_block([self.result.explain(), self.board.explain(),
                                             theory_text], "What the chart says")
