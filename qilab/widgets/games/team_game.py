"""PDSA team game dashboards: each team's entry form, and the facilitator's live view.

Each team opens the entry dashboard in its own browser (its own Voila kernel) and, round by
round, records the change it tested, its prediction and the actual result (time, and accuracy
for Mr Potato Head). Every submission goes to one shared SQLite file in WAL mode
(:class:`qilab.sims.team_game.TeamGameStore`), so many kernels can write at the same moment
without losing or doubling a row. The facilitator's dashboard reads the same file and shows a
run chart per team (:func:`qilab.spc` through :func:`qilab.sims.helicopter.spc_handoff`), all
teams side by side, and a summary table, updating itself every few seconds.

Remote groups without props use the simulated test: the team sets up its helicopter, coin spin
or Mr Potato Head change and the teaching model (:mod:`qilab.sims.helicopter`, with noise)
gives the result. The prediction still comes first.

Settings come from the environment so every kernel shares them:

- ``QILAB_TEAM_GAME_DB`` — the database file (default ``~/qilab-workshop/team-game.sqlite``,
  or ``$QILAB_WORKSHOP_DIR/team-game.sqlite``);
- ``QILAB_TEAM_GAME`` — ``potato_head`` (default), ``helicopter`` or ``coin_spin``.

>>> import tempfile, pathlib
>>> db = pathlib.Path(tempfile.mkdtemp()) / "game.sqlite"
>>> entry = TeamEntry(path=db, game="potato_head", seed=1)
>>> entry.team.value, entry.change.value = "Red", "Baseline"
>>> entry.prediction.value, entry.actual.value, entry.accuracy.value = "90", "84.5", 3
>>> entry.submit_button.click()
>>> entry.messages.kind, entry.round.value
('success', '2')
>>> FacilitatorView(path=db, auto=False).rounds["team"].tolist()
['Red']
"""
from __future__ import annotations

import math
import os
import re
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ... import spc
from ...errors import QIDataError, QIWarning
from ...sims import helicopter as hc
from ...sims._common import make_rng
from ...sims.team_game import GAMES, TeamGameStore
from ..forms import (
    MessageArea,
    button,
    dropdown_field,
    form,
    paragraph,
    read_text,
    text_field,
)
from ._common import (
    ChartArea,
    empty_axes,
    float_slider,
    html_table,
    int_slider,
    text_block,
    workshop_folder,
)

__all__ = ["TeamEntry", "FacilitatorView", "GAME_INFO", "database_path", "game_name",
           "LOOK_FOR_TEAM", "LOOK_FOR_FACILITATOR", "DB_ENV", "GAME_ENV"]

DB_ENV = "QILAB_TEAM_GAME_DB"
GAME_ENV = "QILAB_TEAM_GAME"

#: What each game measures, and which way is better.
GAME_INFO: dict[str, dict[str, Any]] = {
    "potato_head": {"title": "Mr Potato Head", "measure": "Assembly time (seconds)",
                    "higher_is_better": False, "accuracy": True, "verb": "Assemble"},
    "helicopter": {"title": "Paper helicopter", "measure": "Flight time (seconds)",
                   "higher_is_better": True, "accuracy": False, "verb": "Fly"},
    "coin_spin": {"title": "Coin spin", "measure": "Spin time (seconds)",
                  "higher_is_better": True, "accuracy": False, "verb": "Spin"},
    "other": {"title": "PDSA game", "measure": "Time (seconds)", "higher_is_better": False,
              "accuracy": True, "verb": "Test"},
}

LOOK_FOR_TEAM = ("After each round, compare your prediction with what happened: the gap is "
                 "what you learned, and the run chart shows whether your changes are real "
                 "improvements or just noise.")
LOOK_FOR_FACILITATOR = ("Look for teams whose run chart shows a shift or a run after a change, "
                        "and for teams whose predictions get closer to their results: that is "
                        "learning from PDSA cycles.")

TEAM_LABEL = "Team name"
ROUND_LABEL = "Round"
CHANGE_LABEL = "Change tested this round (round 1: 'baseline')"
CORRECTION_LABEL = "This corrects a round we already sent"
#: A second press of Send this soon after a round was sent, on the emptied form, is the same
#: press twice (a double click), not a new round.
DOUBLE_CLICK_S = 10.0

ACCURACY = [("Choose the accuracy score", None),
            ("3: every part in the right place", 3),
            ("2: one part wrong", 2),
            ("1: two or more parts wrong", 1)]


def database_path() -> Path:
    """The shared results file: ``$QILAB_TEAM_GAME_DB`` or ``team-game.sqlite`` in the
    workshop folder.

    >>> database_path().name
    'team-game.sqlite'
    """
    env = os.environ.get(DB_ENV)
    return Path(env).expanduser() if env else workshop_folder() / "team-game.sqlite"


def game_name() -> str:
    """The game being played: ``$QILAB_TEAM_GAME`` or ``potato_head``.

    >>> game_name() in GAME_INFO
    True
    """
    name = os.environ.get(GAME_ENV, "").strip() or "potato_head"
    if name not in GAMES:
        raise QIDataError(f"{GAME_ENV} must be one of {', '.join(GAMES)}; it is {name!r}.",
                          field=GAME_ENV)
    return name


def open_store(path: str | os.PathLike | None = None, game: str | None = None
               ) -> TeamGameStore:
    """Open (or create) the shared store; an existing file keeps the game it was made for."""
    path = Path(path) if path is not None else database_path()
    if path.exists():
        return TeamGameStore(path)
    return TeamGameStore(path, game=game or game_name())


def _run_chart(ax: Any, data: pd.DataFrame, team: str) -> tuple[Any, list[str]]:
    """One team's run chart on ``ax`` (qilab.spc), or its points when there is only one.

    Returns the SPC result (None for one round) and qilab's notes about the chart (such as
    too few points for the runs rules), for the explanation rather than the log.
    """
    part = data[data["team"] == team]
    if len(part) >= 2:
        handoff = hc.spc_handoff(data, team)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QIWarning)
            result = spc(handoff.data, **handoff.kwargs, title=str(team))
        notes = [str(w.message) for w in caught if issubclass(w.category, QIWarning)]
        result.plot(ax=ax)
        ax.set_title(str(team), fontsize=10)
        ax.set_xlabel("Round")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        return result, notes
    ax.plot(part["round"], part["actual"], marker="o", color="#005EB8", label="Data")
    ax.set_title(f"{team} (one round so far)", fontsize=10)
    ax.set_xlabel("Round")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return None, []


def read_round(field: widgets.Text) -> int:
    """The round number typed in ``field``: a whole number from 1 to 1000, never clamped.

    >>> read_round(widgets.Text(value=" 3 "))
    3
    >>> read_round(widgets.Text(value="2.5"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    qilab.errors.QIDataError: Round: '2.5' is not a whole number...
    """
    text = read_text(field)
    if not text.isdigit():
        raise QIDataError(f"{ROUND_LABEL}: {text!r} is not a whole number. Type the round as 1, "
                          "2, 3 ...", field="round")
    value = int(text)
    if not 1 <= value <= 1000:
        raise QIDataError(f"{ROUND_LABEL}: {value} is out of range; rounds go from 1 to 1000.",
                          field="round")
    return value


def read_seconds(field: widgets.Text, missing: str) -> float:
    """A time in seconds typed in ``field`` (more than 0, at most a day), or a clear message
    naming the field by its label; "55,2" gets a hint to use a decimal point.

    >>> read_seconds(widgets.Text(value="55.2", description="Actual"), "")
    55.2
    >>> read_seconds(widgets.Text(value="55,2", description="Actual"), "")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    qilab.errors.QIDataError: Actual: '55,2' is not a number. Use a decimal point: 55.2.
    """
    label, text = field.description, read_text(field)
    if not text:
        raise QIDataError(f"{label}: this is empty. {missing}".strip(), field=label)
    try:
        value = float(text)
    except ValueError:
        hint = ""
        if re.fullmatch(r"\d+,\d+", text):
            hint = f" Use a decimal point: {text.replace(',', '.')}."
        raise QIDataError(f"{label}: {text!r} is not a number.{hint or ' Type seconds, for example 55.2.'}",
                          field=label) from None
    if not (math.isfinite(value) and 0 < value <= 86_400):
        raise QIDataError(f"{label}: {text} is out of range; type a time in seconds, more than 0 "
                          "and at most 86400 (one day).", field=label)
    return value


def _in_form_words(message: str) -> str:
    """Put the store's messages in the form's words (its labels, the correction tick box)."""
    return message.replace("submit it again with replace=True",
                           f"tick '{CORRECTION_LABEL}' and send it again")


class TeamEntry:
    """One team's form: enter a round, see the team's own run chart (``.ui``).

    ``store`` is the shared :class:`~qilab.sims.team_game.TeamGameStore`; ``last_row`` the last
    row stored; ``seed`` fixes the simulated results (None: fresh each time).
    """

    def __init__(self, path: str | os.PathLike | None = None, game: str | None = None,
                 seed: int | None = None) -> None:
        self.store = open_store(path, game)
        self.game = self.store.game if self.store.game in GAME_INFO else "other"
        self.info = GAME_INFO[self.game]
        self.rng = make_rng(seed)
        self.last_row: dict[str, Any] | None = None
        self._sent_at = -math.inf  # time.monotonic() of the last round sent
        self.result: Any = None
        self._figure: Figure | None = None  # the team chart, drawn again for each round

        self.team = text_field(TEAM_LABEL, width="24em", placeholder="e.g. Red team")
        self.round = text_field(ROUND_LABEL, value="1", width="14em")
        self.change = text_field(CHANGE_LABEL)
        self.prediction = text_field(f"Prediction: {self.info['measure'].lower()} you expect",
                                     width="30em", placeholder="e.g. 60")
        self.actual = text_field(f"Actual {self.info['measure'].lower()}", width="30em",
                                 placeholder="e.g. 55.2")
        self.accuracy = dropdown_field("Accuracy", ACCURACY, value=None, width="30em")
        self.accuracy.layout.display = None if self.info["accuracy"] else "none"
        self.correction = widgets.Checkbox(value=False, indent=False, description=CORRECTION_LABEL)
        self.submit_button = button("Send this round", primary=True)
        self.messages = MessageArea()
        self.chart = ChartArea()
        self.table = widgets.HTML()
        self.explanation = widgets.HTML()

        self.sim_controls, self.sim_button = self._simulation_controls()
        self.submit_button.on_click(lambda _: self.submit())
        self.sim_button.on_click(lambda _: self.simulate())
        self.team.observe(self._team_changed, names="value")

        self.ui = widgets.VBox([
            form(paragraph(f"{self.info['title']}: one change a round. Write your prediction "
                           "before you test the change, then enter what happened."),
                 self.team, self.round, self.change, self.prediction, self.actual,
                 self.accuracy, self.correction, self.submit_button,
                 label="Your round"),
            form(paragraph("Remote, or no props? Set up your test here and the teaching model "
                           "(not real physics) gives a result with random noise. Write your "
                           "prediction first."), *self.sim_controls, self.sim_button,
                 label="Simulated test"),
            self.messages, self.chart, self.explanation, self.table,
        ])
        self.ui.add_class("qilab-game")

    # ---- simulation -------------------------------------------------------------------------
    def _simulation_controls(self) -> tuple[list[widgets.Widget], widgets.Button]:
        verb = self.info["verb"]
        if self.game == "helicopter":
            self.rotor = float_slider("Rotor length (cm)", 7.0, 3.0, 14.0, 0.5, ".1f")
            self.body = float_slider("Body length (cm)", 7.0, 3.0, 12.0, 0.5, ".1f")
            self.clips = int_slider("Paper clips", 1, 0, 3)
            self.folds = int_slider("Folds at the foot", 0, 0, 2)
            controls = [self.rotor, self.body, self.clips, self.folds]
        elif self.game == "coin_spin":
            self.coin = dropdown_field("Coin", list(hc.COINS), value="10p", width="24em")
            self.surface = dropdown_field("Surface", list(hc.SURFACES), value="table",
                                          width="24em")
            self.technique = dropdown_field("Way of spinning", list(hc.TECHNIQUES),
                                            value="flick", width="24em")
            controls = [self.coin, self.surface, self.technique]
        else:
            self.sim_change = dropdown_field("Change to test", list(hc.POTATO_CHANGES),
                                             value="No change (practice only)")
            controls = [self.sim_change]
        return controls, button(f"{verb} it (simulated)")

    def simulate(self) -> bool:
        """Fill in the actual result (and accuracy) from the teaching model."""
        if not read_text(self.prediction):
            self.messages.error("Write your prediction first (the P in PDSA), then run the "
                                "simulated test.")
            return False
        mine = self._my_rounds()
        try:
            k = read_round(self.round)
        except QIDataError as exc:
            self.messages.error(str(exc))
            return False
        accuracy = None
        if self.game == "helicopter":
            design = hc.Design(float(self.rotor.value), float(self.body.value),
                               int(self.clips.value), int(self.folds.value))
            actual = hc.fly(design, self.rng)
            text = (f"Rotor {design.rotor_length_cm:g} cm, body {design.body_length_cm:g} cm, "
                    f"{design.paper_clips} clip(s), {design.folds} fold(s)")
        elif self.game == "coin_spin":
            setup = hc.CoinSpin(self.coin.value, self.surface.value, self.technique.value,
                                practice=len(mine))
            actual = hc.spin(setup, self.rng)
            text = f"{setup.coin} on {setup.surface}, {setup.technique}"
        else:
            change = self.sim_change.value
            kept = self._kept_changes(mine)
            actual, accuracy = hc.PotatoHeadModel().assemble(k, [*kept, change], self.rng)
            text = change
        self.actual.value = f"{actual:g}"
        if accuracy is not None:
            self.accuracy.value = accuracy
        if not read_text(self.change):
            self.change.value = "Baseline" if k == 1 and not mine.shape[0] else text
        self.messages.info(f"Simulated result: {actual:g} seconds"
                           + (f", accuracy {accuracy}" if accuracy is not None else "")
                           + ". Check the details, then send the round.")
        return True

    def _kept_changes(self, mine: pd.DataFrame) -> list[str]:
        """Potato changes that beat the best time so far (a team keeps what worked)."""
        kept, best = [], math.inf
        for row in mine.sort_values("round").itertuples():
            if row.change_tested in hc.POTATO_CHANGES and row.actual < best:
                kept.append(row.change_tested)
            best = min(best, row.actual)
        return kept

    # ---- submitting -------------------------------------------------------------------------
    def _my_rounds(self) -> pd.DataFrame:
        team = read_text(self.team)
        if not team:
            return self.store.rounds().iloc[0:0]
        return self.store.rounds(team)

    def _team_changed(self, _: Any = None) -> None:
        if not read_text(self.team):
            return
        mine = self._my_rounds()
        self.round.value = str(int(mine["round"].max()) + 1 if len(mine) else 1)
        self.redraw(mine)

    def _form_is_empty(self) -> bool:
        return not (read_text(self.change) or read_text(self.prediction)
                    or read_text(self.actual)) and self.accuracy.value is None

    def submit(self) -> bool:
        """Send the round to the shared store; on a problem say why and keep the typing.

        A second press straight after a round was sent (a double click reaches the kernel as
        two presses, the second on the emptied form) is recognised: the round is stored once
        and the success message stays.
        """
        if (self.last_row is not None and self._form_is_empty()
                and time.monotonic() - self._sent_at < DOUBLE_CLICK_S):
            return True
        self.submit_button.disabled = True
        try:
            return self._submit()
        finally:
            self.submit_button.disabled = False

    def _check_form(self) -> dict[str, Any]:
        """The form's values, checked, with problems named by the form's own labels."""
        team = " ".join(read_text(self.team).split())
        if not team:
            raise QIDataError(f"{TEAM_LABEL}: type your team's name, for example 'Red team'.",
                              field="team")
        if len(team) > 60:
            raise QIDataError(f"{TEAM_LABEL}: use at most 60 characters.", field="team")
        round_ = read_round(self.round)
        change = read_text(self.change)
        if not change:
            raise QIDataError(f"{CHANGE_LABEL}: say what you changed this round (for the first "
                              "round write 'baseline').", field="change")
        if len(change) > 200:
            raise QIDataError(f"{CHANGE_LABEL}: use at most 200 characters.", field="change")
        prediction = read_seconds(self.prediction, "Write down the time you expect before you "
                                  "test the change (the P in PDSA).")
        actual = read_seconds(self.actual, "Enter the time you measured.")
        accuracy = self.accuracy.value if self.info["accuracy"] else None
        if self.game == "potato_head" and accuracy is None:
            raise QIDataError("Accuracy: choose the accuracy score (3, 2 or 1) before you send "
                              "the round.", field="accuracy")
        return {"team": team, "round": round_, "change": change, "prediction": prediction,
                "actual": actual, "accuracy": accuracy}

    def _submit(self) -> bool:
        try:
            form = self._check_form()
            row = self.store.record_round(form["team"], form["round"], form["change"],
                                          form["prediction"], form["actual"], form["accuracy"],
                                          replace=bool(self.correction.value))
        except QIDataError as exc:
            self.messages.error(_in_form_words(str(exc)))
            return False
        self.last_row = row
        self._sent_at = time.monotonic()
        corrected = row["revision"] > 1
        gap = row["actual"] - row["prediction"]
        self.messages.success(
            f"{'Corrected' if corrected else 'Sent'}: {row['team']} round {row['round']}, "
            f"{row['actual']:g} s against a prediction of {row['prediction']:g} s "
            f"({abs(gap):g} s {'more' if gap > 0 else 'less' if gap < 0 else 'difference'}).")
        self.change.value = self.prediction.value = self.actual.value = ""
        self.accuracy.value = None
        self.correction.value = False
        mine = self._my_rounds()
        self.round.value = str(int(mine["round"].max()) + 1)
        self.redraw(mine)
        return True

    def redraw(self, mine: pd.DataFrame | None = None) -> None:
        """The team's own run chart and rounds table."""
        mine = self._my_rounds() if mine is None else mine
        if mine.empty:
            self.chart.clear()
            self.table.value = ""
            self.explanation.value = ""
            return
        team = str(mine["team"].iloc[0])
        ax = self._empty_axes()
        self.result, notes = _run_chart(ax, mine, team)
        ax.plot(mine["round"], mine["prediction"], linestyle="none", marker="o",
                markersize=8, markerfacecolor="none", color="#425563",
                label="Prediction (hollow)")
        ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        ax.set_ylabel(self.info["measure"])
        alt = hc.alt_text(mine, higher_is_better=self.info["higher_is_better"])
        if self.result is not None:
            alt += " " + self.result.alt_text()
        self.chart.draw(ax.figure, alt)
        cols = ["round", "change_tested", "prediction", "actual"] + (
            ["accuracy"] if self.info["accuracy"] else [])
        shown = mine[cols].rename(columns={"round": "Round", "change_tested": "Change tested",
                                           "prediction": "Prediction (s)", "actual": "Actual (s)",
                                           "accuracy": "Accuracy (1-3)"})
        self.table.value = html_table(shown, f"{team}'s rounds",
                                      {"Prediction (s)": "{:g}", "Actual (s)": "{:g}"})
        self.explanation.value = text_block(
            [self.result.explain() if self.result is not None else
             "One round so far: the run chart starts with the second round.", *notes],
            "Your run chart")

    def _empty_axes(self) -> Axes:
        """The team chart's axes, made once and emptied for each redraw (see
        :func:`~qilab.widgets.games._common.empty_axes`)."""
        if self._figure is None:
            self._figure = Figure(figsize=(9, 4))
            self._figure.subplots_adjust(left=0.09, right=0.74, bottom=0.17, top=0.9)
            return self._figure.add_subplot()
        return empty_axes(self._figure.axes[0])


class FacilitatorView:
    """The facilitator's live view of every team (``.ui``), read from the shared store.

    ``rounds`` holds the last rows read; ``auto`` starts a background refresh every
    ``interval`` seconds that redraws only when a team has sent something new, once no new
    round has arrived for ``settle`` seconds (see :meth:`wait_until_settled`).
    """

    def __init__(self, path: str | os.PathLike | None = None, game: str | None = None,
                 auto: bool = True, interval: float = 5.0, settle: float = 1.0) -> None:
        self.store = open_store(path, game)
        self.game = self.store.game if self.store.game in GAME_INFO else "other"
        self.info = GAME_INFO[self.game]
        self.interval = float(interval)
        self.settle = min(max(float(settle), 0.05), self.interval)
        self.rounds = self.store.rounds()
        self._signature: tuple = ()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.refreshes = 0

        self.view = dropdown_field("Show", [("All teams side by side", "all"),
                                            ("One team", "one"),
                                            ("All teams on one chart", "together")],
                                   value="all")
        self.team = dropdown_field("Team", [], width="24em")
        self.refresh_button = button("Refresh now", primary=True)
        self.auto = widgets.Checkbox(value=auto, indent=False,
                                     description=f"Update automatically every "
                                                 f"{self.interval:g} seconds")
        self.sim_teams = int_slider("Simulated teams to add", 4, 1, 12)
        self.sim_rounds = int_slider("Rounds each", 5, 2, 10)
        self.sim_button = button("Add simulated teams (a demonstration)")
        self.status = widgets.HTML()
        self.messages = MessageArea()
        self.chart = ChartArea()
        self.summary = widgets.HTML()
        self.explanation = widgets.HTML()

        self.refresh_button.on_click(lambda _: self.refresh(force=True))
        self.sim_button.on_click(lambda _: self.add_simulated_teams())
        self.view.observe(lambda _: self.redraw(), names="value")
        self.team.observe(lambda _: self.redraw() if self.view.value == "one" else None,
                          names="value")
        self.auto.observe(lambda _: self._start_auto(), names="value")

        self.ui = widgets.VBox([
            form(paragraph(f"{self.info['title']}: results arrive here as teams send them "
                           f"from their own dashboards. Results file: {self.store.path}."),
                 self.view, self.team, widgets.HBox([self.refresh_button]), self.auto,
                 self.status, label="Live results"),
            self.messages, self.chart, self.explanation, self.summary,
            form(paragraph("No teams yet, or a remote group? Add simulated teams from the "
                           "teaching model to show how the charts work."),
                 self.sim_teams, self.sim_rounds, self.sim_button,
                 label="Simulated teams"),
        ])
        self.ui.add_class("qilab-game")
        self.refresh(force=True)
        self._start_auto()

    # ---- reading ----------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> bool:
        """Read the store; redraw if anything changed (or ``force``). Returns True on a redraw.

        Whether anything changed is asked of the store's :meth:`~TeamGameStore.version`, so
        an unchanged file is not read again.
        """
        with self._lock:
            try:
                signature = self.store.version()
                if not force and signature == self._signature:
                    return False  # nothing new: send nothing, so an unwatched kernel goes idle
                rounds = self.store.rounds()
            except QIDataError as exc:
                self.messages.error(str(exc))
                return False
            self._signature = signature
            self.status.value = (f"<p>{len(rounds)} round(s) from {rounds['team'].nunique()} "
                                 f"team(s); last change seen at {time.strftime('%H:%M:%S')}."
                                 "</p>")
            self.rounds = rounds
            teams = sorted(rounds["team"].unique(), key=str.lower) if len(rounds) else []
            current = self.team.value
            self.team.options = teams
            if teams:
                self.team.value = current if current in teams else teams[0]
            self.redraw()
            self.refreshes += 1
            return True

    def wait_until_settled(self, sleep: Any = time.sleep) -> int:
        """While rounds are still arriving, wait: until no new round has come for
        ``settle`` seconds, or for one ``interval`` at most. Returns how many waits it took.

        Teams often press Send together. Drawing every team's chart is the costliest work in
        the game, so the live view draws a burst of rounds once, after it, instead of
        competing for the processor with the teams' own charts while they are being drawn.
        A steady stream of rounds is still drawn at least every two intervals.
        """
        try:
            seen = self.store.version()
        except QIDataError:
            return 0  # refresh() will say what went wrong
        waits = 0
        while seen != self._signature and waits * self.settle < self.interval:
            sleep(self.settle)
            waits += 1
            try:
                now = self.store.version()
            except QIDataError:
                break
            if now == seen:
                break
            seen = now
        return waits

    def _start_auto(self) -> None:
        if not self.auto.value or (self._thread is not None and self._thread.is_alive()):
            return

        def loop() -> None:
            while self.auto.value:
                time.sleep(self.interval)
                try:
                    self.wait_until_settled()
                    self.refresh()
                except Exception as exc:  # noqa: BLE001 - keep polling; say what went wrong
                    self.messages.error(f"Could not read the results ({exc}).")

        self._thread = threading.Thread(target=loop, name="qilab-team-game-refresh",
                                        daemon=True)
        self._thread.start()

    def add_simulated_teams(self) -> int:
        """Add simulated teams (named 'Simulated 1', ...) to the store; returns rows added."""
        count, rounds = int(self.sim_teams.value), int(self.sim_rounds.value)
        taken = {t.lower() for t in self.store.teams()}
        names, i = [], 1
        while len(names) < count:
            if f"simulated {i}" not in taken:
                names.append(f"Simulated {i}")
            i += 1
        seed = int(np.random.default_rng().integers(0, 1_000_000))
        if self.game == "helicopter":
            df = hc.simulate_teams(names, rounds=rounds, seed=seed)
        elif self.game == "coin_spin":
            df = pd.concat([hc.simulate_coin_team(n, rounds=rounds, seed=seed + j)
                            for j, n in enumerate(names)], ignore_index=True)
        else:
            df = hc.simulate_potato_teams(names, rounds=rounds, seed=seed)
        try:
            added = self.store.record_rounds(df)
        except QIDataError as exc:
            self.messages.error(str(exc))
            return 0
        self.messages.success(f"Added {count} simulated team(s), {rounds} rounds each.")
        self.refresh(force=True)
        return added

    # ---- drawing ----------------------------------------------------------------------------
    def summary_table(self) -> pd.DataFrame:
        """One row per team: rounds, first, best so far, latest and the mean prediction gap."""
        data = hc.best_so_far(self.rounds, self.info["higher_is_better"])
        rows = []
        for team, part in data.groupby("team", sort=False):
            part = part.sort_values("round")
            rows.append({"Team": team, "Rounds": len(part), "First (s)": part["actual"].iloc[0],
                         "Best so far (s)": part["best_so_far"].iloc[-1],
                         "Latest (s)": part["actual"].iloc[-1],
                         "Mean gap, actual minus prediction (s)":
                             float((part["actual"] - part["prediction"]).mean())})
        return pd.DataFrame(rows)

    def redraw(self) -> None:
        """Draw the chosen view of the rounds read last."""
        data = self.rounds
        if data.empty:
            self.chart.clear()
            self.summary.value = ""
            self.explanation.value = text_block(["No rounds yet. Teams send their rounds from "
                                                 "the team dashboard; they appear here."])
            return
        teams = sorted(data["team"].unique(), key=str.lower)
        hib = self.info["higher_is_better"]
        if self.view.value == "one" and self.team.value in teams:
            team = self.team.value
            fig = Figure(figsize=(9, 4), layout="constrained")
            ax = fig.add_subplot()
            result, notes = _run_chart(ax, data, team)
            ax.set_ylabel(self.info["measure"])
            part = data[data["team"] == team]
            alt = hc.alt_text(part, higher_is_better=hib)
            texts = [result.explain() if result is not None else "One round so far.", *notes]
            if result is not None:
                alt += " " + result.alt_text()
        elif self.view.value == "together":
            fig = Figure(figsize=(10, 4.5), layout="constrained")
            ax = fig.add_subplot()
            hc.plot_rounds(data, ax=ax, higher_is_better=hib, ylabel=self.info["measure"])
            alt = hc.alt_text(data, higher_is_better=hib)
            texts = ["Every team on one chart: results (filled), predictions (hollow) and the "
                     "best so far (dashed). Use the side-by-side view to read each team."]
        else:
            cols = min(3, len(teams))
            nrows = math.ceil(len(teams) / cols)
            fig = Figure(figsize=(3.6 * cols + 0.6, 2.8 * nrows + 0.8), layout="constrained")
            axes = np.atleast_1d(fig.subplots(nrows, cols, squeeze=False)).ravel()
            signals = []
            for ax, team in zip(axes, teams):
                result, _notes = _run_chart(ax, data, team)
                ax.set_xlabel("Round", fontsize=8)
                ax.set_ylabel("")
                ax.tick_params(labelsize=7)
                if ax.get_legend() is not None:
                    ax.get_legend().remove()
                if result is not None and bool(result.parts["runs_signal"].any()):
                    signals.append(str(team))
            for ax in axes[len(teams):]:
                ax.set_visible(False)
            fig.suptitle(f"{self.info['measure']}: one run chart per team", fontsize=14)
            alt = (f"Run charts of {len(teams)} teams side by side. "
                   + hc.alt_text(data, higher_is_better=hib))
            texts = [f"{len(teams)} team(s), {len(data)} round(s). "
                     + (f"The runs rules find a signal for: {', '.join(signals)}."
                        if signals else "No team's run chart shows a signal from the runs "
                                        "rules yet (that needs about 10 rounds or more).")]
        self.chart.draw(fig, alt)
        self.explanation.value = text_block(texts, "What the charts say")
        self.summary.value = html_table(self.summary_table(), "Every team's results",
                                        {"First (s)": "{:g}", "Best so far (s)": "{:g}",
                                         "Latest (s)": "{:g}",
                                         "Mean gap, actual minus prediction (s)": "{:+.1f}"})
