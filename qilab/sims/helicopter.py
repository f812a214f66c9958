"""PDSA games for remote groups: paper helicopter, coin spin and Mr Potato Head, simulated.

In the room, teams build and test the real thing. Online, or without props, these models stand
in for it, so a team can still plan a change, predict, test and study the result.

**These are teaching simulations, not physics.** Each response model is a smooth, plausible
formula with an optimum inside the allowed settings and random noise on top, chosen so that
PDSA cycles behave as they do with real props: one change at a time helps, single trials
mislead, and predictions improve with learning. Do not use them to design a helicopter.

Paper helicopter (:class:`Design`, :func:`expected_flight_time`, :func:`fly`) — flight time in
seconds from a drop of about 2.5 m::

    mean = 3.0 - 0.020 (rotor - 9.5)^2 - 0.012 (body - 6.5)^2
               - 0.25 (clips - 1)^2 - 0.10 (clips - 1) - 0.10 (folds - 1)^2      (at least 0.6 s)
    sd   = 0.08 + 0.12 / (1 + clips)        (no paper clip: it wobbles and varies more)

so the best mean (3.0 s) is a 9.5 cm rotor, 6.5 cm body, one paper clip and one fold.

Coin spin (:class:`CoinSpin`, :func:`expected_spin_time`, :func:`spin`) — spin time in seconds::

    mean = (1.5 + 0.12 (diameter_mm - 18)) x surface factor x technique factor
           x (1 + 0.25 (1 - exp(-practice / 4)))
    actual = mean x lognormal noise (sd 0.15 on the log scale)

Mr Potato Head (:class:`PotatoHeadModel`) — assembly time in seconds falls with practice (a
power-law learning curve) and with good changes; accuracy is scored 1 to 3 (3: every part in
the right place, 2: one part wrong, 1: two or more wrong)::

    mean time in round k = floor + (start - floor) x k^(-learning) x product of change factors
    P(accuracy 3) = 0.55 + 0.05 (k - 1) + sum of change accuracy effects   (kept in 0.05-0.95)

Every team frame has the columns the live game records (:mod:`qilab.sims.team_game`): ``team``,
``round``, ``change_tested``, ``prediction`` and ``actual`` (and ``accuracy`` for Mr Potato
Head), so a simulated team and a live team look the same on a dashboard.

>>> df = simulate_team("Red", rounds=5, seed=1)
>>> list(df.columns[:6])
['team', 'round', 'change_tested', 'prediction', 'actual', 'adopted']
>>> bool(df.equals(simulate_team("Red", rounds=5, seed=1)))
True
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import QIDataError
from ._common import SPCHandoff, check_int, check_number, check_text, make_rng

__all__ = [
    "Design", "expected_flight_time", "flight_time_sd", "fly", "simulate_team", "simulate_teams",
    "COINS", "SURFACES", "TECHNIQUES", "CoinSpin", "expected_spin_time", "spin",
    "simulate_coin_team",
    "POTATO_CHANGES", "PotatoHeadModel", "simulate_potato_team", "simulate_potato_teams",
    "best_so_far", "spc_handoff", "plot_rounds", "alt_text",
]

# --------------------------------------------------------------------------- paper helicopter

#: Allowed range of each helicopter setting (inclusive) and the step a team changes it by.
DESIGN_RANGES: dict[str, tuple[float, float, float]] = {
    "rotor_length_cm": (3.0, 14.0, 1.0),
    "body_length_cm": (3.0, 12.0, 1.0),
    "paper_clips": (0, 3, 1),
    "folds": (0, 2, 1),
}


@dataclass(frozen=True)
class Design:
    """A paper helicopter design.

    ``rotor_length_cm`` (3–14), ``body_length_cm`` (3–12), ``paper_clips`` on the body (0–3)
    and ``folds`` at the foot of the body (0–2).

    >>> Design(rotor_length_cm=9).rotor_length_cm
    9.0
    >>> Design(paper_clips=5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    qilab.errors.QIDataError: 'paper_clips' must be a whole number from 0 to 3; 5 is outside ...
    """

    rotor_length_cm: float = 7.0
    body_length_cm: float = 7.0
    paper_clips: int = 1
    folds: int = 0

    def __post_init__(self) -> None:
        for name in ("rotor_length_cm", "body_length_cm"):
            low, high, _ = DESIGN_RANGES[name]
            object.__setattr__(self, name, check_number(getattr(self, name), name, low=low,
                                                        high=high))
        for name in ("paper_clips", "folds"):
            low, high, _ = DESIGN_RANGES[name]
            object.__setattr__(self, name, check_int(getattr(self, name), name, low=int(low),
                                                     high=int(high)))


def expected_flight_time(design: Design) -> float:
    """Mean flight time in seconds of a design under the teaching model (no noise).

    >>> expected_flight_time(Design(9.5, 6.5, 1, 1))
    3.0
    >>> round(expected_flight_time(Design()), 3)
    2.772
    """
    d = _check_design(design)
    c = d.paper_clips - 1
    mean = (3.0 - 0.020 * (d.rotor_length_cm - 9.5) ** 2 - 0.012 * (d.body_length_cm - 6.5) ** 2
            - 0.25 * c ** 2 - 0.10 * c - 0.10 * (d.folds - 1) ** 2)
    return max(0.6, round(mean, 12))


def flight_time_sd(design: Design) -> float:
    """Standard deviation of one flight (wobble plus stopwatch) under the teaching model.

    >>> flight_time_sd(Design(paper_clips=0)), flight_time_sd(Design(paper_clips=1))
    (0.2, 0.14)
    """
    d = _check_design(design)
    return round(0.08 + 0.12 / (1 + d.paper_clips), 12)


def fly(design: Design, seed: int | np.random.Generator | None = None) -> float:
    """One timed flight in seconds (to the hundredth, like a stopwatch).

    >>> fly(Design(), seed=3) == fly(Design(), seed=3)
    True
    """
    rng = make_rng(seed)
    time = rng.normal(expected_flight_time(design), flight_time_sd(design))
    return round(max(0.3, float(time)), 2)


def _helicopter_neighbours(design: Design, rng: np.random.Generator) -> tuple[Design, str]:
    names = list(DESIGN_RANGES)
    while True:
        name = names[int(rng.integers(len(names)))]
        low, high, step = DESIGN_RANGES[name]
        old = getattr(design, name)
        new = old + step * (1 if rng.random() < 0.5 else -1)
        if low <= new <= high:
            break
    label = {"rotor_length_cm": ("rotor length", " cm"), "body_length_cm": ("body length", " cm"),
             "paper_clips": ("paper clips", ""), "folds": ("folds", "")}[name]
    text = f"{label[0].capitalize()} {old:g} to {new:g}{label[1]}"
    return replace(design, **{name: new}), text


def simulate_team(team: str = "Team 1", rounds: int = 6, seed: int | None = None, *,
                  start: Design | None = None) -> pd.DataFrame:
    """A simulated team running PDSA cycles on a paper helicopter, one change per round.

    Round 1 flies the starting design (the baseline). In each later round the team changes one
    setting by one step, predicts the flight time (usually optimistic) and flies once; they keep
    the change if it beat their best time so far. One row per round: ``team``, ``round``,
    ``change_tested``, ``prediction``, ``actual`` (seconds), ``adopted`` and the design flown
    (``rotor_length_cm``, ``body_length_cm``, ``paper_clips``, ``folds``).

    >>> df = simulate_team("Blue", rounds=4, seed=2)
    >>> df.loc[0, "change_tested"]
    'Baseline: starting design'
    >>> df["round"].tolist()
    [1, 2, 3, 4]
    """
    start = Design() if start is None else _check_design(start)
    return _simulate_rounds(team, rounds, make_rng(seed), start, _helicopter_neighbours, fly,
                            higher_is_better=True, optimism=0.15, spread=0.15)


def simulate_teams(teams: int | Sequence[str] = 4, rounds: int = 6, seed: int | None = None,
                   *, start: Design | None = None) -> pd.DataFrame:
    """Several helicopter teams, each with its own random stream from one seed, stacked.

    >>> df = simulate_teams(3, rounds=4, seed=1)
    >>> df.groupby("team").size().tolist()
    [4, 4, 4]
    """
    names = _team_names(teams)
    start = Design() if start is None else _check_design(start)
    frames = [_simulate_rounds(name, rounds, rng, start, _helicopter_neighbours, fly,
                               higher_is_better=True, optimism=0.15, spread=0.15)
              for name, rng in zip(names, _streams(seed, len(names)))]
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------------------------ coin spin

#: Diameters in millimetres of UK coins.
COINS: dict[str, float] = {"1p": 20.3, "2p": 25.9, "5p": 18.0, "10p": 24.5, "20p": 21.4,
                           "50p": 27.3, "£1": 23.43, "£2": 28.4}
#: How long coins spin on each surface, relative to a table.
SURFACES: dict[str, float] = {"table": 1.0, "tray": 1.15, "glass": 1.25, "book": 0.8,
                              "carpet": 0.35}
#: How long each way of spinning makes a coin spin, relative to a flick.
TECHNIQUES: dict[str, float] = {"flick": 1.0, "pinch and twist": 1.2, "two fingers": 1.1}


@dataclass(frozen=True)
class CoinSpin:
    """A coin-spin set-up: which coin, on what surface, spun how, after how much practice.

    >>> CoinSpin(coin="£2").coin
    '£2'
    """

    coin: str = "10p"
    surface: str = "table"
    technique: str = "flick"
    practice: int = 0

    def __post_init__(self) -> None:
        for name, options in (("coin", COINS), ("surface", SURFACES), ("technique", TECHNIQUES)):
            value = getattr(self, name)
            if value not in options:
                raise QIDataError(f"'{name}' must be one of {', '.join(options)}; "
                                  f"{value!r} is not.", field=name)
        object.__setattr__(self, "practice", check_int(self.practice, "practice", low=0))


def expected_spin_time(setup: CoinSpin) -> float:
    """Mean spin time in seconds under the teaching model.

    >>> round(expected_spin_time(CoinSpin()), 3)
    2.28
    """
    if not isinstance(setup, CoinSpin):
        raise QIDataError(f"'setup' must be a CoinSpin, not {type(setup).__name__}.",
                          field="setup")
    base = 1.5 + 0.12 * (COINS[setup.coin] - 18.0)
    learning = 1 + 0.25 * (1 - math.exp(-setup.practice / 4))
    return base * SURFACES[setup.surface] * TECHNIQUES[setup.technique] * learning


def spin(setup: CoinSpin, seed: int | np.random.Generator | None = None) -> float:
    """One timed spin in seconds (to the hundredth).

    >>> spin(CoinSpin(), seed=1) == spin(CoinSpin(), seed=1)
    True
    """
    rng = make_rng(seed)
    return round(expected_spin_time(setup) * float(np.exp(rng.normal(0.0, 0.15))), 2)


def _coin_neighbours(setup: CoinSpin, rng: np.random.Generator) -> tuple[CoinSpin, str]:
    options = {"coin": COINS, "surface": SURFACES, "technique": TECHNIQUES}
    name = list(options)[int(rng.integers(3))]
    old = getattr(setup, name)
    choices = [v for v in options[name] if v != old]
    new = choices[int(rng.integers(len(choices)))]
    return replace(setup, **{name: new}), f"{name.capitalize()} {old} to {new}"


def simulate_coin_team(team: str = "Team 1", rounds: int = 6, seed: int | None = None, *,
                       start: CoinSpin | None = None) -> pd.DataFrame:
    """A simulated team improving how long a coin spins, one change per round.

    Practice grows by one each round whatever is changed. Columns as
    :func:`simulate_team`, with the set-up (``coin``, ``surface``, ``technique``,
    ``practice``) instead of the helicopter design.

    >>> df = simulate_coin_team("Green", rounds=3, seed=4)
    >>> df["practice"].tolist()
    [0, 1, 2]
    """
    start = CoinSpin() if start is None else start
    if not isinstance(start, CoinSpin):
        raise QIDataError(f"'start' must be a CoinSpin, not {type(start).__name__}.",
                          field="start")

    def neighbours(setup: CoinSpin, rng: np.random.Generator) -> tuple[CoinSpin, str]:
        new, text = _coin_neighbours(setup, rng)
        return replace(new, practice=setup.practice + 1), text

    def practised(setup: CoinSpin) -> CoinSpin:
        return replace(setup, practice=setup.practice + 1)

    return _simulate_rounds(team, rounds, make_rng(seed), start, neighbours, spin,
                            higher_is_better=True, optimism=0.3, spread=0.3,
                            carry=practised)


# ------------------------------------------------------------------------------ Mr Potato Head

#: Changes a Mr Potato Head team can test: (time factor, effect on P(accuracy 3)).
POTATO_CHANGES: dict[str, tuple[float, float]] = {
    "Lay the parts out in order": (0.85, 0.10),
    "Give each person one job": (0.80, 0.00),
    "Use the picture of the finished head": (0.95, 0.25),
    "Pass the head along a line": (0.90, 0.00),
    "Swap roles": (1.05, 0.00),
    "Rush: go as fast as possible": (0.88, -0.35),
    "No change (practice only)": (1.00, 0.00),
}


@dataclass(frozen=True)
class PotatoHeadModel:
    """The teaching model of assembly time and accuracy (see the module docstring).

    >>> m = PotatoHeadModel()
    >>> m.expected_time(1), round(m.expected_time(4), 1)
    (90.0, 66.2)
    >>> round(m.expected_time(4, ["Give each person one job"]), 1)
    56.9
    """

    start_s: float = 90.0
    floor_s: float = 20.0
    learning: float = 0.3
    noise: float = 0.08

    def __post_init__(self) -> None:
        check_number(self.floor_s, "floor_s", low=0, low_open=True)
        check_number(self.start_s, "start_s", low=self.floor_s, low_open=True)
        check_number(self.learning, "learning", low=0, high=2)
        check_number(self.noise, "noise", low=0, high=1)

    def expected_time(self, round_: int, changes: Sequence[str] = ()) -> float:
        """Mean assembly time (seconds) in round ``round_`` with the changes kept so far."""
        k = check_int(round_, "round", low=1)
        factor = math.prod(_potato_change(c)[0] for c in changes)
        return self.floor_s + (self.start_s - self.floor_s) * k ** (-self.learning) * factor

    def accuracy_probabilities(self, round_: int, changes: Sequence[str] = ()
                               ) -> tuple[float, float, float]:
        """Probabilities of accuracy 1, 2 and 3 in round ``round_``.

        >>> [round(p, 3) for p in PotatoHeadModel().accuracy_probabilities(1)]
        [0.135, 0.315, 0.55]
        """
        k = check_int(round_, "round", low=1)
        p3 = 0.55 + 0.05 * (k - 1) + sum(_potato_change(c)[1] for c in changes)
        p3 = min(0.95, max(0.05, p3))
        return ((1 - p3) * 0.3, (1 - p3) * 0.7, p3)

    def assemble(self, round_: int, changes: Sequence[str] = (),
                 seed: int | np.random.Generator | None = None) -> tuple[float, int]:
        """One timed assembly: (seconds to the tenth, accuracy 1–3).

        >>> PotatoHeadModel().assemble(2, seed=1) == PotatoHeadModel().assemble(2, seed=1)
        True
        """
        rng = make_rng(seed)
        time = self.expected_time(round_, changes) * float(np.exp(rng.normal(0, self.noise)))
        accuracy = int(rng.choice([1, 2, 3], p=self.accuracy_probabilities(round_, changes)))
        return round(time, 1), accuracy


def simulate_potato_team(team: str = "Team 1", rounds: int = 5, seed: int | None = None, *,
                         changes: Sequence[str] | None = None,
                         model: PotatoHeadModel | None = None) -> pd.DataFrame:
    """A simulated Mr Potato Head team: one change per round after a baseline round.

    ``changes`` lists the change tested in rounds 2, 3, ... (names from
    :data:`POTATO_CHANGES`); without it the team picks changes at random, not repeating one.
    A change is kept if the time fell and accuracy did not; later rounds build on kept
    changes. One row per round: ``team``, ``round``, ``change_tested``, ``prediction``,
    ``actual`` (seconds), ``accuracy`` (1–3) and ``adopted``.

    >>> df = simulate_potato_team("Yellow", rounds=3, seed=1,
    ...                           changes=["Lay the parts out in order", "Swap roles"])
    >>> df["change_tested"].tolist()
    ['Baseline: first assembly', 'Lay the parts out in order', 'Swap roles']
    """
    return _simulate_potato(team, rounds, make_rng(seed), changes, model)


def simulate_potato_teams(teams: int | Sequence[str] = 4, rounds: int = 5,
                          seed: int | None = None) -> pd.DataFrame:
    """Several Mr Potato Head teams, each with its own random stream from one seed.

    >>> simulate_potato_teams(["A", "B"], rounds=3, seed=1)["team"].unique().tolist()
    ['A', 'B']
    """
    names = _team_names(teams)
    return pd.concat([_simulate_potato(name, rounds, rng, None, None)
                      for name, rng in zip(names, _streams(seed, len(names)))],
                     ignore_index=True)


def _simulate_potato(team: str, rounds: int, rng: np.random.Generator,
                     changes: Sequence[str] | None, model: PotatoHeadModel | None
                     ) -> pd.DataFrame:
    team = check_text(team, "team", max_length=60)
    rounds = check_int(rounds, "rounds", low=1, high=100)
    model = PotatoHeadModel() if model is None else model
    if not isinstance(model, PotatoHeadModel):
        raise QIDataError(f"'model' must be a PotatoHeadModel, not {type(model).__name__}.",
                          field="model")
    if changes is not None:
        changes = [_potato_change_name(c) for c in changes]
        if len(changes) < rounds - 1:
            raise QIDataError(f"'changes' lists {len(changes)} change(s) but {rounds} rounds "
                              f"need {rounds - 1} (round 1 is the baseline); add more or use "
                              "fewer rounds.", field="changes")
    kept: list[str] = []
    untried = list(POTATO_CHANGES)
    rows = []
    best_time, best_acc = math.inf, 0
    for k in range(1, rounds + 1):
        if k == 1:
            change, trial = "Baseline: first assembly", []
            prediction = round(model.start_s * float(np.exp(rng.normal(0, 0.25))), 1)
        else:
            if changes is not None:
                change = changes[k - 2]
            else:
                change = untried.pop(int(rng.integers(len(untried)))) if untried else \
                    "No change (practice only)"
            trial = kept + [change]
            guess = POTATO_CHANGES[change][0] * 0.95  # teams expect a little more than practice
            prediction = round(best_time * guess * float(np.exp(rng.normal(0, 0.1))), 1)
        actual, accuracy = model.assemble(k, trial, rng)
        adopted = k == 1 or (actual < best_time and accuracy >= best_acc)
        if adopted:
            kept = trial
            best_time, best_acc = actual, accuracy
        rows.append({"team": team, "round": k, "change_tested": change,
                     "prediction": prediction, "actual": actual, "accuracy": accuracy,
                     "adopted": bool(adopted)})
    return pd.DataFrame(rows).astype({"round": "int64", "accuracy": "int64"})


def _potato_change_name(change: Any) -> str:
    _potato_change(change)
    return change


def _potato_change(change: Any) -> tuple[float, float]:
    if change not in POTATO_CHANGES:
        raise QIDataError(f"Unknown Mr Potato Head change {change!r} in 'changes'; choose from: "
                          f"{'; '.join(POTATO_CHANGES)}.", field="changes")
    return POTATO_CHANGES[change]


# ------------------------------------------------------------------------- shared team engine

def _simulate_rounds(team: str, rounds: int, rng: np.random.Generator, start: Any,
                     neighbours: Callable[[Any, np.random.Generator], tuple[Any, str]],
                     response: Callable[[Any, np.random.Generator], float], *,
                     higher_is_better: bool, optimism: float, spread: float,
                     carry: Callable[[Any], Any] | None = None) -> pd.DataFrame:
    """Baseline, then one change a round; keep it if it beats the best so far."""
    team = check_text(team, "team", max_length=60)
    rounds = check_int(rounds, "rounds", low=1, high=100)
    sign = 1.0 if higher_is_better else -1.0
    current = start
    best = None
    rejected: set[str] = set()  # changes already tried and dropped from the current set-up
    rows = []
    for k in range(1, rounds + 1):
        if k == 1:
            trial, change = current, "Baseline: starting design"
            prediction = None
        else:
            for _ in range(50):  # a team does not re-test a change it has just dropped
                trial, change = neighbours(current, rng)
                if change not in rejected:
                    break
            prediction = round(best + sign * float(rng.normal(optimism, spread)), 2)
        actual = response(trial, rng)
        if prediction is None:  # a first guess, before anything has been flown
            prediction = round(actual + float(rng.normal(0, spread * 2)), 2)
        adopted = k == 1 or sign * (actual - best) > 0
        if adopted:
            current, best = trial, actual
            rejected.clear()
        else:
            rejected.add(change)
            if carry is not None:
                current = carry(current)
        rows.append({"team": team, "round": k, "change_tested": change,
                     "prediction": prediction, "actual": actual, "adopted": bool(adopted),
                     **asdict(trial)})
    return pd.DataFrame(rows).astype({"round": "int64"})


def _streams(seed: int | None, count: int) -> list[np.random.Generator]:
    if seed is not None:
        make_rng(seed)  # validates
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(count)]


def _team_names(teams: int | Sequence[str]) -> list[str]:
    if isinstance(teams, str):
        return [check_text(teams, "teams", max_length=60)]
    if isinstance(teams, Sequence):
        names = [check_text(t, "teams", max_length=60) for t in teams]
        if not names or len(set(names)) != len(names):
            raise QIDataError("'teams' must name at least one team, each name different.",
                              field="teams")
        return names
    count = check_int(teams, "teams", low=1, high=200)
    return [f"Team {i}" for i in range(1, count + 1)]


def _check_design(design: Any) -> Design:
    if not isinstance(design, Design):
        raise QIDataError(f"'design' must be a Design, not {type(design).__name__}.",
                          field="design")
    return design


# ------------------------------------------------------------------------ charts and hand-off

def best_so_far(df: pd.DataFrame, higher_is_better: bool = True) -> pd.DataFrame:
    """Add a ``best_so_far`` column per team (highest, or lowest for times you want shorter).

    >>> best_so_far(simulate_team(rounds=4, seed=1))["best_so_far"].is_monotonic_increasing
    True
    """
    _check_frame(df)
    out = df.reset_index(drop=True)
    g = out.sort_values(["team", "round"], kind="stable").groupby("team", sort=False)["actual"]
    out["best_so_far"] = g.cummax() if higher_is_better else g.cummin()  # aligned on the index
    return out


def spc_handoff(df: pd.DataFrame, team: str) -> SPCHandoff:
    """One team's rounds ready for a run chart: ``qilab.spc(data, y="actual", x="round",
    chart="run")``.

    >>> h = spc_handoff(simulate_potato_team("A", seed=1), "A")
    >>> h.kwargs
    {'y': 'actual', 'x': 'round', 'chart': 'run'}
    """
    _check_frame(df)
    data = df[df["team"] == team].sort_values("round").reset_index(drop=True)
    if data.empty:
        raise QIDataError(f"There are no rounds for team {team!r}; teams in these results: "
                          f"{', '.join(map(str, df['team'].unique()))}.", field="team")
    return SPCHandoff(data=data, y="actual", x="round", chart="run",
                      note=f"Run chart of {team}'s result per round.")


def plot_rounds(df: pd.DataFrame, ax: Axes | None = None, *, higher_is_better: bool = True,
                ylabel: str = "Time (seconds)") -> Axes:
    """Results per round for every team, with predictions (hollow) and the best so far (steps).

    >>> ax = plot_rounds(simulate_teams(2, rounds=4, seed=1))
    >>> ax.get_xlabel()
    'Round'
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    data = best_so_far(df, higher_is_better)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    for i, (team, part) in enumerate(data.groupby("team", sort=False)):
        colour, marker, line = team_style(i)
        ax.plot(part["round"], part["actual"], marker=marker, color=colour, linewidth=1.2,
                linestyle=line, label=f"{team}")
        ax.plot(part["round"], part["prediction"], marker=marker, linestyle="none",
                markerfacecolor="none", color=colour)
        ax.step(part["round"], part["best_so_far"], where="post", color=colour, alpha=0.5,
                linestyle="--")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Round")
    ax.set_ylabel(ylabel)
    ax.set_title("PDSA rounds: results, predictions and best so far")
    keys = [Line2D([], [], color="#425563", marker="o", label="Result (filled)"),
            Line2D([], [], color="#425563", marker="o", markerfacecolor="none",
                   linestyle="none", label="Prediction (hollow)"),
            Line2D([], [], color="#425563", linestyle="--", alpha=0.5,
                   label="Best so far (dashed)")]
    handles, _labels = ax.get_legend_handles_labels()
    ax.legend(handles=[*handles, *keys], fontsize=9, loc="upper left",
              bbox_to_anchor=(1.01, 1), frameon=False, ncol=1 + len(handles) // 14)
    return ax


#: Ten colours (matplotlib's default cycle), then markers and line styles, so that teams
#: beyond the tenth still look different and colour is never the only cue.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<")
_LINES = ("-", (0, (5, 2)), (0, (1, 1.5)), (0, (5, 2, 1, 2)))


def team_style(i: int) -> tuple[str, str, Any]:
    """(colour, marker, line style) for the ``i``-th team: distinct for 40 teams.

    >>> team_style(0), team_style(10)[0] == team_style(0)[0], team_style(10)[1:] != team_style(0)[1:]
    (('C0', 'o', '-'), True, True)
    """
    return f"C{i % 10}", _MARKERS[(i + i // 10) % len(_MARKERS)], _LINES[(i // 10) % len(_LINES)]


def alt_text(df: pd.DataFrame, *, higher_is_better: bool = True) -> str:
    """Alt text for :func:`plot_rounds`.

    >>> alt_text(simulate_team("Red", rounds=3, seed=1)).startswith("Chart of 3 rounds for 1 team")
    True
    """
    data = best_so_far(df, higher_is_better)
    teams = data["team"].nunique()
    parts = []
    for team, part in data.groupby("team", sort=False):
        first, best = part["actual"].iloc[0], part["best_so_far"].iloc[-1]
        parts.append(f"{team} went from {first:g} to a best of {best:g}")
    rounds = int(data["round"].max())
    return (f"Chart of {rounds} rounds for {teams} team{'s' if teams != 1 else ''}, with each "
            "round's prediction and the best result so far. " + "; ".join(parts) + ".")


def _check_frame(df: pd.DataFrame) -> None:
    if not isinstance(df, pd.DataFrame):
        raise QIDataError(f"Expected a DataFrame of rounds, not {type(df).__name__}.",
                          field="df")
    missing = [c for c in ("team", "round", "prediction", "actual") if c not in df.columns]
    if missing:
        raise QIDataError(f"The rounds are missing column(s) {', '.join(missing)}; pass a frame "
                          "from a simulate_... function or team_game rounds().", field=missing[0])
    if df.empty:
        raise QIDataError("There are no rounds to show yet.", field="df")

