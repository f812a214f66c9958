"""Dice: a stable process with a planted special cause (a secretly loaded die).

Each day the group rolls ``dice`` six-sided dice and records the total. From a chosen day one of
the dice is swapped, unannounced, for a loaded one whose faces come up with the probabilities you
give. The results frame has a ``loaded`` column saying which days used it; dashboards hide it
(:func:`public_view`) until the reveal (:func:`reveal`), so learners find the special cause from
the chart, not from the answer.

:func:`expected_total` and :func:`total_variance` give the exact theory from the probabilities,
and :func:`spc_handoff` passes the public totals to :func:`qilab.spc` as an XmR (I) chart.

>>> df = roll_days(days=20, loaded_from=11, seed=5)
>>> list(df.columns)
['day', 'total', 'die_1', 'die_2', 'die_3', 'loaded']
>>> int(df["loaded"].sum())
10
>>> list(public_view(df).columns)
['day', 'total', 'die_1', 'die_2', 'die_3']
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import QIDataError
from ._common import SPCHandoff, check_int, check_number, make_rng

__all__ = ["FAIR", "DEFAULT_LOADED", "HIDDEN_COLUMNS", "roll_days", "public_view", "reveal",
           "expected_total", "total_variance", "die_mean", "die_variance", "spc_handoff",
           "plot_days", "alt_text"]

FACES = np.arange(1, 7)
#: A fair die: each face one in six.
FAIR: tuple[float, ...] = (1 / 6,) * 6
#: The default loaded die: a six three times in four, each other face one in twenty.
DEFAULT_LOADED: tuple[float, ...] = (0.05, 0.05, 0.05, 0.05, 0.05, 0.75)
#: Columns a dashboard hides until the reveal.
HIDDEN_COLUMNS: tuple[str, ...] = ("loaded",)


def die_mean(probs: Sequence[float] = FAIR) -> float:
    """Exact mean of one die with face probabilities ``probs`` (faces 1 to 6).

    >>> die_mean(), die_mean(DEFAULT_LOADED)
    (3.5, 5.25)
    """
    p = _check_probs(probs)
    return float(np.round(np.dot(FACES, p), 12))


def die_variance(probs: Sequence[float] = FAIR) -> float:
    """Exact variance of one die with face probabilities ``probs``.

    >>> round(die_variance(), 4)  # 35/12 for a fair die
    2.9167
    """
    p = _check_probs(probs)
    mean = float(np.dot(FACES, p))
    return float(np.dot((FACES - mean) ** 2, p))


def expected_total(dice: int = 3, loaded_probs: Sequence[float] | None = None) -> float:
    """Exact expected daily total: fair dice, with one of them loaded if ``loaded_probs`` given.

    >>> expected_total(3), expected_total(3, DEFAULT_LOADED)
    (10.5, 12.25)
    """
    dice = check_int(dice, "dice", low=1, high=20)
    if loaded_probs is None:
        return dice * 3.5
    return (dice - 1) * 3.5 + die_mean(loaded_probs)


def total_variance(dice: int = 3, loaded_probs: Sequence[float] | None = None) -> float:
    """Exact variance of the daily total (the dice are independent, so variances add).

    >>> round(total_variance(3), 3)
    8.75
    """
    dice = check_int(dice, "dice", low=1, high=20)
    fair = die_variance(FAIR)
    if loaded_probs is None:
        return dice * fair
    return (dice - 1) * fair + die_variance(loaded_probs)


def roll_days(days: int = 30, dice: int = 3, loaded_from: int | None = None,
              loaded_probs: Sequence[float] = DEFAULT_LOADED,
              seed: int | None = None) -> pd.DataFrame:
    """Roll ``dice`` dice a day for ``days`` days; from ``loaded_from`` die 1 is loaded.

    Returns one row per day: ``day``, ``total``, ``die_1`` ... ``die_k`` and ``loaded``
    (True on days the loaded die was used — hide it until the reveal). ``loaded_from=None``
    means every die is fair throughout.

    >>> df = roll_days(days=5, dice=2, seed=1)
    >>> bool((df["total"] == df["die_1"] + df["die_2"]).all()), bool(df["loaded"].any())
    (True, False)
    """
    days = check_int(days, "days", low=1, high=100_000)
    dice = check_int(dice, "dice", low=1, high=20)
    if loaded_from is not None:
        loaded_from = check_int(loaded_from, "loaded_from", low=1, high=days)
    p = _check_probs(loaded_probs, "loaded_probs")
    rng = make_rng(seed)
    rolls = rng.integers(1, 7, size=(days, dice))
    # Always draw the loaded die's rolls, so the fair dice match for the same seed whatever
    # the day of the change.
    loaded_rolls = rng.choice(FACES, size=days, p=p)
    loaded = np.zeros(days, dtype=bool)
    if loaded_from is not None:
        loaded[loaded_from - 1:] = True
        rolls[loaded, 0] = loaded_rolls[loaded]
    df = pd.DataFrame({"day": np.arange(1, days + 1, dtype="int64"),
                       "total": rolls.sum(axis=1).astype("int64")})
    for i in range(dice):
        df[f"die_{i + 1}"] = rolls[:, i].astype("int64")
    df["loaded"] = loaded
    df.attrs.update(dice=dice, loaded_from=loaded_from, loaded_probs=tuple(float(v) for v in p))
    return df


def public_view(df: pd.DataFrame) -> pd.DataFrame:
    """The results without the hidden columns, for showing before the reveal.

    >>> "loaded" in public_view(roll_days(days=3, seed=1)).columns
    False
    """
    _check_frame(df)
    return df.drop(columns=[c for c in HIDDEN_COLUMNS if c in df.columns])


def reveal(df: pd.DataFrame) -> str:
    """Plain-English reveal: when the die was loaded and what theory and the data say.

    >>> print(reveal(roll_days(days=40, loaded_from=21, seed=2)).split(".")[0])
    From day 21 one die was loaded
    """
    _check_frame(df)
    if "loaded" not in df.columns:
        raise QIDataError("These results have no 'loaded' column (perhaps the public view); "
                          "pass the full frame from roll_days().", field="loaded")
    dice = sum(1 for c in df.columns if c.startswith("die_"))
    if not df["loaded"].any():
        return (f"No die was loaded: every day used {dice} fair dice, so all the variation is "
                f"common cause. The expected total is {expected_total(dice):g} a day.")
    first = int(df.loc[df["loaded"], "day"].min())
    probs = df.attrs.get("loaded_probs", DEFAULT_LOADED)
    before = df.loc[~df["loaded"], "total"]
    after = df.loc[df["loaded"], "total"]
    text = (f"From day {first} one die was loaded. Theory says the mean daily total rises from "
            f"{expected_total(dice):g} to {expected_total(dice, probs):g}. ")
    if len(before):
        text += (f"In these results it was {before.mean():.1f} before and {after.mean():.1f} "
                 "after. ")
    return text + "A special cause like this should show on the chart as a shift or a run."


def spc_handoff(df: pd.DataFrame) -> SPCHandoff:
    """Public daily totals ready for an XmR chart: ``qilab.spc(df, y="total", x="day", chart="i")``.

    The hidden ``loaded`` column is left out, so the chart cannot give the answer away.

    >>> h = spc_handoff(roll_days(days=25, loaded_from=15, seed=1))
    >>> h.kwargs, "loaded" in h.data.columns
    ({'y': 'total', 'x': 'day', 'chart': 'i'}, False)
    """
    return SPCHandoff(data=public_view(df).reset_index(drop=True), y="total", x="day",
                      chart="i", note="Individuals (XmR) chart of the daily total of the dice.")


def plot_days(df: pd.DataFrame, ax: Axes | None = None, *, show_loaded: bool = False) -> Axes:
    """Run chart of the daily totals with the median; ``show_loaded=True`` shades the reveal.

    >>> ax = plot_days(roll_days(days=20, seed=1))
    >>> ax.get_ylabel()
    'Total of the dice'
    """
    import matplotlib.pyplot as plt

    _check_frame(df)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(df["day"], df["total"], marker="o", color="#005EB8", linewidth=1)
    ax.axhline(float(df["total"].median()), color="#425563", linewidth=1, label="Median")
    if show_loaded and "loaded" in df.columns and df["loaded"].any():
        first = int(df.loc[df["loaded"], "day"].min())
        ax.axvspan(first - 0.5, int(df["day"].max()) + 0.5, color="#ED8B00", alpha=0.15,
                   label="Loaded die")
    ax.set_xlabel("Day")
    ax.set_ylabel("Total of the dice")
    ax.set_title("Dice: daily totals")
    ax.legend(fontsize=8)
    return ax


def alt_text(df: pd.DataFrame, *, show_loaded: bool = False) -> str:
    """Alt text for :func:`plot_days` (it gives nothing away unless ``show_loaded``).

    >>> alt_text(roll_days(days=10, seed=1)).startswith("Run chart of the total of 3 dice")
    True
    """
    _check_frame(df)
    dice = sum(1 for c in df.columns if c.startswith("die_"))
    text = (f"Run chart of the total of {dice} dice on each of {len(df)} days. Totals range from "
            f"{int(df['total'].min())} to {int(df['total'].max())} with a median of "
            f"{float(df['total'].median()):g}.")
    if show_loaded and "loaded" in df.columns and df["loaded"].any():
        first = int(df.loc[df["loaded"], "day"].min())
        text += f" Days from {first} are shaded: a loaded die was used from then on."
    return text


def _check_probs(probs: Sequence[float], name: str = "probs") -> np.ndarray:
    try:
        values = list(probs)
    except TypeError:
        raise QIDataError(f"'{name}' must be six probabilities, one for each face 1 to 6.",
                          field=name) from None
    if len(values) != 6:
        raise QIDataError(f"'{name}' must have six probabilities (faces 1 to 6); it has "
                          f"{len(values)}.", field=name)
    p = np.array([check_number(v, name, low=0.0, high=1.0) for v in values])
    total = float(p.sum())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise QIDataError(f"The probabilities in '{name}' must add up to 1; they add up to "
                          f"{total:g}.", field=name)
    return p / total


def _check_frame(df: pd.DataFrame) -> None:
    if not isinstance(df, pd.DataFrame):
        raise QIDataError(f"Expected the DataFrame from roll_days(), not {type(df).__name__}.",
                          field="df")
    missing = [c for c in ("day", "total") if c not in df.columns]
    if missing:
        raise QIDataError(f"The dice results are missing column(s) {', '.join(missing)}; pass "
                          "the DataFrame that roll_days() returned.", field=missing[0])
