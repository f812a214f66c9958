"""Dice dashboard: daily totals with a secretly loaded die, for a run or XmR chart to find.

The group rolls the dice day by day ("Roll the next day"); from a day the dashboard keeps
secret, one die is swapped for a loaded one (:func:`qilab.sims.dice.roll_days`, seeded). The
chart is a run chart or an XmR (I) chart from :func:`qilab.spc` through the simulator's
hand-off, which leaves out the hidden column. "Reveal the loaded die" shades the loaded days and
says what theory and the data show (:func:`qilab.sims.dice.reveal`).

>>> game = DiceGame()
>>> game.shown
10
>>> game.next_button.click()
>>> game.shown, "loaded" in game.chart.alt
(11, False)
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ... import spc
from ...errors import QIDataError
from ...sims import dice as dc
from ..forms import MessageArea, button, dropdown_field, form, paragraph
from ._common import ChartArea, int_slider, seed_field, text_block

__all__ = ["DiceGame", "LOOK_FOR", "secret_day"]

LOOK_FOR = ("Look for a run of points on one side of the centre line, or a point outside the "
            "limits: that is the signal that something in the system (a die) changed.")

CHARTS = [("Run chart (median, runs rules)", "run"), ("XmR chart (individuals, control limits)",
                                                      "i")]
LOADING = [("Yes, from a day the dashboard keeps secret", "secret"), ("No, all dice fair", "none")]


def secret_day(days: int, seed: int) -> int:
    """The day the loaded die comes in: somewhere in the middle third, fixed by the seed.

    >>> secret_day(30, 1) == secret_day(30, 1), 10 <= secret_day(30, 1) <= 21
    (True, True)
    """
    low, high = max(2, days // 3), max(2, (2 * days) // 3)
    return int(np.random.default_rng([seed, days, 6]).integers(low, high + 1))


class DiceGame:
    """Dice with a loaded die as a widget (``.ui``). ``df`` holds all planned days (with the
    hidden ``loaded`` column), ``shown`` how many have been rolled, ``result`` the chart."""

    def __init__(self, seed: int = 1, start: int = 10) -> None:
        self.df: pd.DataFrame | None = None
        self.result: Any = None
        self.revealed = False
        self.shown = start
        self.days = int_slider("Days to roll in all", 30, 10, 60, 5)
        self.dice = int_slider("Dice rolled each day", 3, 2, 5)
        self.loading = dropdown_field("Load a die part-way through?", LOADING, value="secret")
        self.seed = seed_field(seed)
        self.chart_type = dropdown_field("Chart", CHARTS, value="run")
        self.next_button = button("Roll the next day", primary=True)
        self.all_button = button("Roll all the days")
        self.reveal_button = button("Reveal the loaded die")
        self.new_button = button("New game (new seed)")
        self.messages = MessageArea()
        self.chart = ChartArea()
        self.explanation = widgets.HTML()

        self.next_button.on_click(lambda _: self.roll_next())
        self.all_button.on_click(lambda _: self.roll_all())
        self.reveal_button.on_click(lambda _: self.toggle_reveal())
        self.new_button.on_click(lambda _: self.new_game())
        self.chart_type.observe(lambda _: self.redraw(), names="value")
        for control in (self.days, self.dice, self.loading, self.seed):
            control.observe(lambda _: self.simulate(), names="value")

        self.ui = widgets.VBox([
            form(paragraph("Each day the group rolls the dice and records the total. At some "
                           "point one die may be swapped, without telling anyone, for a loaded "
                           "one."), self.days, self.dice, self.loading, self.seed,
                 label="The dice"),
            form(self.chart_type, widgets.HBox([self.next_button, self.all_button,
                                                self.reveal_button, self.new_button]),
                 label="Roll and chart"),
            self.messages, self.chart, self.explanation,
        ])
        self.ui.add_class("qilab-game")
        self.simulate()

    # ---- actions ----------------------------------------------------------------------------
    def simulate(self) -> bool:
        """Plan every day's roll with the current settings (the loaded day stays secret)."""
        days, seed = int(self.days.value), int(self.seed.value)
        loaded_from = secret_day(days, seed) if self.loading.value == "secret" else None
        try:
            self.df = dc.roll_days(days=days, dice=int(self.dice.value), loaded_from=loaded_from,
                                   seed=seed)
        except QIDataError as exc:
            self.messages.error(str(exc))
            return False
        self.shown = max(2, min(self.shown, days))
        self.redraw()
        return True

    def roll_next(self) -> None:
        """Roll one more day."""
        assert self.df is not None
        if self.shown >= len(self.df):
            self.messages.info(f"All {len(self.df)} days are rolled. Reveal the loaded die, or "
                               "start a new game.")
            return
        self.shown += 1
        self.redraw()

    def roll_all(self) -> None:
        """Roll every remaining day."""
        assert self.df is not None
        self.shown = len(self.df)
        self.redraw()

    def toggle_reveal(self) -> None:
        """Show (or hide again) which days used the loaded die."""
        self.revealed = not self.revealed
        self.reveal_button.description = ("Hide the answer" if self.revealed else
                                          "Reveal the loaded die")
        self.redraw()

    def new_game(self) -> None:
        """A new seed, back to day 10, answer hidden."""
        self.revealed = False
        self.reveal_button.description = "Reveal the loaded die"
        self.shown = 10
        self.messages.clear()
        self.seed.value = int(self.seed.value) + 1  # re-simulates through its observer

    # ---- drawing ----------------------------------------------------------------------------
    def rolled(self) -> pd.DataFrame:
        """The days rolled so far (with the hidden column, for the reveal only)."""
        assert self.df is not None
        out = self.df.iloc[:self.shown].reset_index(drop=True)
        out.attrs.update(self.df.attrs)
        return out

    def redraw(self) -> None:
        """Chart the days rolled so far."""
        if self.df is None:
            return
        days = self.rolled()
        handoff = dc.spc_handoff(days)
        try:
            self.result = spc(handoff.data, **{**handoff.kwargs, "chart": self.chart_type.value})
        except QIDataError as exc:
            self.messages.error(str(exc))
            return
        fig = Figure(figsize=(9, 4))
        ax = fig.add_subplot()
        self.result.plot(ax=ax)
        alt = self.result.alt_text()
        texts = [self.result.explain()]
        if self.revealed:
            if days["loaded"].any():
                first = int(days.loc[days["loaded"], "day"].min())
                ax.axvspan(first - 0.5, int(days["day"].max()) + 0.5, color="#ED8B00",
                           alpha=0.18, hatch="//", label="Loaded die")
                ax.legend(loc="upper left", fontsize=8)
                alt += f" Days from {first} are shaded and hatched: the loaded die was used."
            texts.append(dc.reveal(days))
            if not days["loaded"].any() and self.df["loaded"].any():
                texts.append("The loaded die comes in on a later day: roll on to see it.")
        ax.set_title(f"Dice: daily total of {int(self.dice.value)} dice, {self.shown} days")
        self.chart.draw(fig, alt)
        self.explanation.value = text_block(texts, "The answer" if self.revealed else
                                            "What the chart says")
