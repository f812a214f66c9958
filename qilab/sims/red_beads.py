"""Deming's red beads: the same system, different "performance", and management's reaction.

In the real experiment a box holds 4000 beads, 20% of them red (defects). Each "willing worker"
dips a paddle with 50 holes into the box, the inspector counts the red beads, the beads go back
and the box is stirred. Workers are ranked, the best praised, the worst put on probation — yet
every difference between them comes from the system (the box and the paddle), not the worker.

This module simulates the experiment, seeded so a workshop can replay a run:

* each draw is hypergeometric (sampling *without* replacement from the box's contents), and the
  beads go back before the next draw, so draws are independent;
* :func:`leaderboard` is the "management" view, with a plain-English note that says why it is
  wrong;
* :func:`change_the_system` changes the box from a given day (a special cause), which is the only
  thing that moves the results;
* :func:`expected_red`, :func:`hypergeometric_limits` and :func:`binomial_limits` give the theory
  to compare with;
* :func:`spc_handoff` hands the draws to :func:`qilab.spc` as a p chart (red / paddle).

>>> df = run_red_beads(seed=1)
>>> list(df.columns)
['day', 'draw', 'worker', 'paddle', 'red', 'red_share', 'n_beads']
>>> len(df)  # 6 workers x 4 days
24
>>> bool(df.equals(run_red_beads(seed=1)))
True
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import QIDataError
from ._common import SPCHandoff, check_int, check_share, check_text, make_rng

__all__ = [
    "BeadBox", "SystemChange", "Limits", "Leaderboard", "DEFAULT_WORKERS", "run_red_beads",
    "change_the_system", "leaderboard", "expected_red", "hypergeometric_limits",
    "binomial_limits", "spc_handoff", "plot_draws", "alt_text",
]

#: The six willing workers used unless you name your own.
DEFAULT_WORKERS: tuple[str, ...] = ("Amira", "Ben", "Chloe", "Dev", "Ellie", "Femi")

COLUMNS = ["day", "draw", "worker", "paddle", "red", "red_share", "n_beads"]


@dataclass(frozen=True)
class BeadBox:
    """A box of beads: how many, and what share are red.

    The number of red beads is ``round(n_beads * red_share)``.

    >>> box = BeadBox()
    >>> box.n_red, box.n_white
    (800, 3200)
    """

    n_beads: int = 4000
    red_share: float = 0.2

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_beads", check_int(self.n_beads, "n_beads", low=2))
        object.__setattr__(self, "red_share", check_share(self.red_share, "red_share"))
        if self.n_red == 0 or self.n_white == 0:
            raise QIDataError(f"A box of {self.n_beads} beads with red_share {self.red_share:g} "
                              "has no red or no white beads; use more beads or a share nearer "
                              "0.5.", field="red_share")

    @property
    def n_red(self) -> int:
        """How many red beads are in the box."""
        return int(round(self.n_beads * self.red_share))

    @property
    def n_white(self) -> int:
        """How many white beads are in the box."""
        return self.n_beads - self.n_red

    @property
    def true_share(self) -> float:
        """The exact share of red beads after rounding to whole beads."""
        return self.n_red / self.n_beads


@dataclass(frozen=True)
class SystemChange:
    """A new box used from ``from_day`` onwards (made by :func:`change_the_system`)."""

    from_day: int
    box: BeadBox


@dataclass(frozen=True)
class Limits:
    """Expected red beads per draw and the 3-sigma limits around it.

    ``lower`` is never below 0 and ``upper`` never above the paddle size.
    """

    mean: float
    sd: float
    lower: float
    upper: float


def change_the_system(box: BeadBox, *, red_share: float, from_day: int,
                      n_beads: int | None = None) -> SystemChange:
    """Change the box (the system) from ``from_day``: the only change that moves the results.

    Pass the result to :func:`run_red_beads` as ``changes=[...]``.

    >>> change = change_the_system(BeadBox(), red_share=0.1, from_day=3)
    >>> change.from_day, change.box.n_red
    (3, 400)
    >>> df = run_red_beads(days=4, changes=[change], seed=2)
    >>> sorted(df.groupby("day")["red_share"].first().tolist())
    [0.1, 0.1, 0.2, 0.2]
    """
    if not isinstance(box, BeadBox):
        raise QIDataError(f"'box' must be a BeadBox, not {type(box).__name__}.", field="box")
    from_day = check_int(from_day, "from_day", low=1)
    new_box = BeadBox(n_beads=box.n_beads if n_beads is None else n_beads, red_share=red_share)
    return SystemChange(from_day=from_day, box=new_box)


def run_red_beads(box: BeadBox | None = None, *, paddle: int = 50,
                  workers: int | Sequence[str] = DEFAULT_WORKERS, days: int = 4,
                  changes: Sequence[SystemChange] = (), seed: int | None = None) -> pd.DataFrame:
    """Run the red bead experiment: every worker draws one paddle a day.

    Returns one row per draw with columns ``day``, ``draw`` (order in the whole experiment,
    from 1), ``worker``, ``paddle`` (holes in the paddle), ``red`` (red beads drawn),
    ``red_share`` (the share of red beads in the box that day, so a change of system shows) and
    ``n_beads`` (beads in the box that day).

    ``workers`` is a list of names or a number (named "Worker 1", "Worker 2", ...).
    ``changes`` are :class:`SystemChange` objects from :func:`change_the_system`.

    >>> df = run_red_beads(paddle=50, workers=["Ann", "Raj"], days=2, seed=7)
    >>> df[["day", "draw", "worker"]].values.tolist()
    [[1, 1, 'Ann'], [1, 2, 'Raj'], [2, 3, 'Ann'], [2, 4, 'Raj']]
    >>> bool(df["red"].between(0, 50).all())
    True
    """
    box = BeadBox() if box is None else box
    if not isinstance(box, BeadBox):
        raise QIDataError(f"'box' must be a BeadBox, not {type(box).__name__}.", field="box")
    paddle = check_int(paddle, "paddle", low=1)
    days = check_int(days, "days", low=1, high=1000)
    names = _worker_names(workers)
    rng = make_rng(seed)
    boxes = _boxes_by_day(box, changes, days)
    for day, day_box in enumerate(boxes, start=1):
        if paddle > day_box.n_beads:
            raise QIDataError(f"The paddle ({paddle} holes) is bigger than the box on day {day} "
                              f"({day_box.n_beads} beads); use a smaller 'paddle'.",
                              field="paddle")

    rows = []
    draw = 0
    for day, day_box in enumerate(boxes, start=1):
        # One hypergeometric draw per worker: the paddle takes `paddle` beads without
        # replacement; they are returned (and stirred) before the next worker draws.
        reds = rng.hypergeometric(day_box.n_red, day_box.n_white, paddle, size=len(names))
        for name, red in zip(names, reds):
            draw += 1
            rows.append((day, draw, name, paddle, int(red), day_box.red_share, day_box.n_beads))
    df = pd.DataFrame(rows, columns=COLUMNS)
    return df.astype({"day": "int64", "draw": "int64", "paddle": "int64", "red": "int64",
                      "red_share": "float64", "n_beads": "int64"})


def expected_red(box: BeadBox | None = None, paddle: int = 50) -> float:
    """Expected red beads in one paddle: paddle size x share of red beads in the box.

    >>> expected_red(BeadBox(4000, 0.2), 50)
    10.0
    """
    box = BeadBox() if box is None else box
    paddle = check_int(paddle, "paddle", low=1)
    return paddle * box.true_share


def hypergeometric_limits(box: BeadBox | None = None, paddle: int = 50,
                          sigmas: float = 3.0) -> Limits:
    """Exact mean and ``sigmas``-sigma limits for one draw (sampling without replacement).

    The variance is ``n p (1 - p) (N - n) / (N - 1)``: slightly narrower than the binomial
    because the paddle cannot take the same bead twice.

    >>> lim = hypergeometric_limits(BeadBox(4000, 0.2), 50)
    >>> round(lim.mean, 2), round(lim.sd, 3), round(lim.upper, 2)
    (10.0, 2.811, 18.43)
    """
    box = BeadBox() if box is None else box
    paddle = check_int(paddle, "paddle", low=1, high=box.n_beads)
    p = box.true_share
    big_n = box.n_beads
    var = paddle * p * (1 - p) * (big_n - paddle) / (big_n - 1)
    return _limits(paddle * p, math.sqrt(var), paddle, sigmas)


def binomial_limits(paddle: int = 50, red_share: float = 0.2, sigmas: float = 3.0) -> Limits:
    """Mean and limits of an np chart: ``n p +/- 3 sqrt(n p (1 - p))`` (sampling with replacement).

    >>> lim = binomial_limits(50, 0.2)
    >>> lim.mean, round(lim.lower, 2), round(lim.upper, 2)
    (10.0, 1.51, 18.49)
    """
    paddle = check_int(paddle, "paddle", low=1)
    p = check_share(red_share, "red_share")
    return _limits(paddle * p, math.sqrt(paddle * p * (1 - p)), paddle, sigmas)


def _limits(mean: float, sd: float, paddle: int, sigmas: float) -> Limits:
    return Limits(mean=mean, sd=sd, lower=max(0.0, mean - sigmas * sd),
                  upper=min(float(paddle), mean + sigmas * sd))


@dataclass(frozen=True)
class Leaderboard:
    """Management's view of the red beads, and why it is wrong.

    ``table`` has one row per worker: ``rank`` (1 = fewest red beads), ``worker``,
    ``total_red``, ``draws``, ``mean_red``, ``expected_red``, ``lower``, ``upper`` (the range the
    system alone produces for that worker's total, 3 sigma), ``within_system`` and
    ``management_says`` (the praise and the probation the game is about).
    """

    table: pd.DataFrame
    note: str

    def explain(self) -> str:
        """The plain-English note: the differences between workers are from the system."""
        return self.note

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        return self.table.to_html(index=False) + f"<p>{self.note}</p>"


def leaderboard(df: pd.DataFrame) -> Leaderboard:
    """Rank workers like the "management" of the game, then say what is really going on.

    The worker with the fewest red beads is praised, the worker with the most goes on
    probation. The note compares every worker's total with the range the system alone
    produces (exact hypergeometric mean and variance for that worker's draws).

    >>> board = leaderboard(run_red_beads(seed=3))
    >>> board.table.loc[0, "management_says"].startswith("Best worker")
    True
    >>> "system" in board.explain()
    True
    """
    _check_frame(df)
    work = df.copy()
    # Exact hypergeometric mean and variance of each draw, from the box used that day.
    big_n = work["n_beads"].to_numpy(float)
    p = np.round(big_n * work["red_share"].to_numpy(float)) / big_n
    n = work["paddle"].to_numpy(float)
    work["_mean"] = n * p
    work["_var"] = n * p * (1 - p) * (big_n - n) / (big_n - 1)
    g = work.groupby("worker", sort=False)
    table = pd.DataFrame({
        "worker": g.size().index,
        "total_red": g["red"].sum().to_numpy(),
        "draws": g.size().to_numpy(),
        "expected_red": g["_mean"].sum().to_numpy(),
        "_sd": np.sqrt(g["_var"].sum().to_numpy()),
    })
    table["mean_red"] = table["total_red"] / table["draws"]
    table["lower"] = np.maximum(0.0, table["expected_red"] - 3 * table["_sd"])
    table["upper"] = table["expected_red"] + 3 * table["_sd"]
    table["within_system"] = table["total_red"].between(table["lower"], table["upper"])
    table = table.sort_values(["total_red", "worker"], kind="stable").reset_index(drop=True)
    table.insert(0, "rank", table["total_red"].rank(method="min").astype("int64"))
    says = ["Keep trying: meet the target next time."] * len(table)
    if len(table) > 1:
        says[0] = "Best worker: praised and given a bonus."
        says[-1] = "Worst worker: put on probation."
        ties_best = table["total_red"] == table["total_red"].iloc[0]
        ties_worst = table["total_red"] == table["total_red"].iloc[-1]
        for i in range(len(table)):
            if ties_best.iloc[i]:
                says[i] = "Best worker: praised and given a bonus."
            elif ties_worst.iloc[i]:
                says[i] = "Worst worker: put on probation."
    table["management_says"] = says
    table = table[["rank", "worker", "total_red", "draws", "mean_red", "expected_red", "lower",
                   "upper", "within_system", "management_says"]]
    return Leaderboard(table=table, note=_note(table, work))


def _note(table: pd.DataFrame, work: pd.DataFrame) -> str:
    best, worst = table.iloc[0], table.iloc[-1]
    outside = table.loc[~table["within_system"], "worker"].tolist()
    shares = sorted(set(work["red_share"].round(6)))
    system = ("Every worker used the same paddle on the same box of beads"
              if len(shares) == 1 else
              "Every worker used the same paddle, and the box was changed for everyone at once")
    text = (f"{system}. {best['worker']} drew {int(best['total_red'])} red beads and "
            f"{worst['worker']} drew {int(worst['total_red'])}, but the system alone would give "
            f"each worker between about {table['lower'].min():.0f} and "
            f"{table['upper'].max():.0f}. ")
    if not outside:
        text += ("Every worker is inside that range, so the differences between them come from "
                 "the system, not from the workers. Ranking, praise and probation change "
                 "nothing; only changing the system (the box or the paddle) would.")
    else:
        text += (f"{', '.join(map(str, outside))} fell outside that range, which is rare by "
                 "chance alone: look at the system for a special cause before blaming anyone. "
                 "The other differences come from the system, not from the workers.")
    return text


def spc_handoff(df: pd.DataFrame) -> SPCHandoff:
    """The draws ready for a p chart in :func:`qilab.spc` (red beads / paddle, one point a draw).

    Chart it with ``h = spc_handoff(df); qilab.spc(h.data, **h.kwargs)``, that is
    ``qilab.spc(df, y="red", n="paddle", x="draw", chart="p")``.

    >>> h = spc_handoff(run_red_beads(seed=1))
    >>> h.kwargs
    {'y': 'red', 'n': 'paddle', 'x': 'draw', 'chart': 'p'}
    """
    _check_frame(df)
    data = df.sort_values("draw").reset_index(drop=True)
    return SPCHandoff(data=data, y="red", n="paddle", x="draw", chart="p",
                      note="One point per draw; all workers share one system, so one chart.")


def plot_draws(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Red beads per draw in order, coloured by day, with the expected value and 3-sigma limits.

    The lines come from theory (:func:`hypergeometric_limits`) for the box in use, so this is not
    an SPC chart; use :func:`spc_handoff` for that.

    >>> ax = plot_draws(run_red_beads(seed=1))
    >>> ax.get_ylabel()
    'Red beads in the paddle'
    """
    import matplotlib.pyplot as plt

    _check_frame(df)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    data = df.sort_values("draw")
    ax.plot(data["draw"], data["red"], marker="o", color="#005EB8", linewidth=1)
    for (share, n_beads), part in data.groupby(["red_share", "n_beads"], sort=False):
        lim = hypergeometric_limits(BeadBox(int(n_beads), share), int(part["paddle"].iloc[0]))
        x0, x1 = part["draw"].min() - 0.5, part["draw"].max() + 0.5
        ax.hlines(lim.mean, x0, x1, colors="#425563", linestyles="-", linewidth=1)
        ax.hlines([lim.lower, lim.upper], x0, x1, colors="#DA291C", linestyles="--",
                  linewidth=1)
    for day, part in data.groupby("day"):
        ax.axvline(part["draw"].min() - 0.5, color="#AEB7BD", linewidth=0.5)
        ax.text(part["draw"].mean(), ax.get_ylim()[1], f"Day {day}", ha="center", va="bottom",
                fontsize=8)
    ax.set_xlabel("Draw (in order)")
    ax.set_ylabel("Red beads in the paddle")
    ax.set_title("Red beads: one system, every worker")
    return ax


def alt_text(df: pd.DataFrame) -> str:
    """Alt text describing the red bead results, for :func:`qilab.show`.

    >>> alt_text(run_red_beads(seed=1)).startswith("Chart of red beads")
    True
    """
    _check_frame(df)
    lo, hi = int(df["red"].min()), int(df["red"].max())
    workers = df["worker"].nunique()
    days = df["day"].nunique()
    share = df["red_share"]
    change = ""
    if share.nunique() > 1:
        first_changed = int(df.loc[share != share.iloc[0], "day"].min())
        change = (f" The box changed from {share.iloc[0]:.0%} to "
                  f"{share[share != share.iloc[0]].iloc[0]:.0%} red on day {first_changed}.")
    return (f"Chart of red beads in each of {len(df)} draws by {workers} workers over {days} "
            f"days, paddle of {int(df['paddle'].iloc[0])}. Counts range from {lo} to {hi} "
            f"around an expected {float((df['paddle'] * df['red_share']).mean()):.1f}." + change)


def _worker_names(workers: int | Sequence[str]) -> list[str]:
    if isinstance(workers, str):
        raise QIDataError("'workers' must be a list of names or a number of workers, not one "
                          f"piece of text ({workers!r}).", field="workers")
    if isinstance(workers, Sequence):
        names = [check_text(w, "workers") for w in workers]
        if not names:
            raise QIDataError("'workers' is empty: name at least one worker.", field="workers")
        dupes = sorted({w for w in names if names.count(w) > 1})
        if dupes:
            raise QIDataError(f"'workers' has the same name more than once ({', '.join(dupes)}); "
                              "give each worker a different name.", field="workers")
        return names
    count = check_int(workers, "workers", low=1, high=100)
    return [f"Worker {i}" for i in range(1, count + 1)]


def _boxes_by_day(box: BeadBox, changes: Sequence[SystemChange], days: int) -> list[BeadBox]:
    if isinstance(changes, SystemChange):
        changes = [changes]
    for change in changes:
        if not isinstance(change, SystemChange):
            raise QIDataError("Each item in 'changes' must come from change_the_system(...), "
                              f"not {type(change).__name__}.", field="changes")
    ordered = sorted(changes, key=lambda c: c.from_day)
    boxes = []
    current = box
    for day in range(1, days + 1):
        for change in ordered:
            if change.from_day == day:
                current = change.box
        boxes.append(current)
    return boxes


def _check_frame(df: pd.DataFrame) -> None:
    if not isinstance(df, pd.DataFrame):
        raise QIDataError(f"Expected the DataFrame from run_red_beads(), not "
                          f"{type(df).__name__}.", field="df")
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise QIDataError(f"The red bead results are missing column(s) {', '.join(missing)}; "
                          "pass the DataFrame that run_red_beads() returned.", field=missing[0])
    if df.empty:
        raise QIDataError("The red bead results have no rows; run run_red_beads() first.",
                          field="df")
