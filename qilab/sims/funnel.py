"""Deming's funnel: what tampering (adjusting a stable process) does to variation.

A marble is dropped through a funnel held over a target on a table. Where it lands differs from
the funnel's position by random noise (normal, ``sigma`` in each direction). The four rules say
how the funnel is moved after each drop (target ``T``, funnel position ``a``, landing ``z``):

=====  ===============================================  ==========================================
Rule   Adjustment after drop *k*                        What happens (variance per direction)
=====  ===============================================  ==========================================
1      Never move the funnel: ``a[k+1] = T``.           Stable: ``sigma**2``.
2      Move from where it is by minus the last error:   Stable but twice as wide: ``2 sigma**2``
       ``a[k+1] = a[k] - (z[k] - T)``.                  from the second drop on.
3      Set it at the target minus the last error:       Swings back and forth ever wider:
       ``a[k+1] = T - (z[k] - T)``.                     ``k sigma**2`` at drop *k*; no limit.
4      Set it over the last drop: ``a[k+1] = z[k]``.    Wanders off (a random walk):
                                                        ``k sigma**2`` at drop *k*; no limit.
=====  ===============================================  ==========================================

The funnel starts over the target. The noise for a given seed is the same whichever rule is
used, so the rules can be compared drop by drop.

>>> df = run_funnel(rule=2, drops=5, seed=1)
>>> list(df.columns)
['rule', 'drop', 'funnel_x', 'funnel_y', 'x', 'y', 'distance']
>>> bool(df.equals(run_funnel(rule=2, drops=5, seed=1)))
True
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from ..errors import QIDataError
from ._common import check_int, check_number, make_rng

__all__ = ["RULES", "run_funnel", "run_all_rules", "funnel_paths", "spread",
           "theoretical_variance_ratio", "theoretical_variance", "plot_funnel", "alt_text"]

#: Plain-English description of each rule.
RULES: dict[int, str] = {
    1: "Rule 1: never adjust the funnel.",
    2: "Rule 2: move the funnel from where it is by minus the last error.",
    3: "Rule 3: set the funnel at the target minus the last error.",
    4: "Rule 4: set the funnel over where the last marble landed.",
}

COLUMNS = ["rule", "drop", "funnel_x", "funnel_y", "x", "y", "distance"]


def funnel_paths(rule: int, drops: int = 50, runs: int = 1, *, sigma: float = 1.0,
                 seed: int | None = None, target: tuple[float, float] = (0.0, 0.0)
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Many runs of the funnel at once, as arrays (for teaching statistics over many tables).

    Returns ``(funnel, landing)``, each of shape ``(runs, drops, 2)`` (x and y). Run ``r`` uses
    the same noise as ``run_funnel(rule, drops, seed=...)`` only when ``runs == 1``.

    >>> funnel, landing = funnel_paths(4, drops=3, runs=2, seed=0)
    >>> landing.shape
    (2, 3, 2)
    >>> bool(np.allclose(funnel[:, 1:], landing[:, :-1]))  # rule 4: funnel over the last drop
    True
    """
    rule = _check_rule(rule)
    drops = check_int(drops, "drops", low=1, high=100_000)
    runs = check_int(runs, "runs", low=1, high=1_000_000)
    sigma = check_number(sigma, "sigma", low=0, low_open=True)
    t = np.asarray(_check_target(target), dtype=float)
    noise = make_rng(seed).normal(0.0, sigma, size=(runs, drops, 2))
    funnel = np.empty_like(noise)
    landing = np.empty_like(noise)
    a = np.broadcast_to(t, (runs, 2)).copy()
    for k in range(drops):
        funnel[:, k] = a
        z = a + noise[:, k]
        landing[:, k] = z
        if rule == 1:
            a = np.broadcast_to(t, (runs, 2)).copy()
        elif rule == 2:
            a = a - (z - t)
        elif rule == 3:
            a = t - (z - t)
        else:
            a = z
    return funnel, landing


def run_funnel(rule: int, drops: int = 50, seed: int | None = None, *, sigma: float = 1.0,
               target: tuple[float, float] = (0.0, 0.0)) -> pd.DataFrame:
    """Drop ``drops`` marbles under one rule; one row per drop.

    Columns: ``rule``, ``drop`` (1, 2, ...), ``funnel_x``, ``funnel_y`` (where the funnel was),
    ``x``, ``y`` (where the marble landed) and ``distance`` (from the target).

    >>> df = run_funnel(1, drops=3, seed=4)
    >>> df["funnel_x"].tolist()
    [0.0, 0.0, 0.0]
    >>> len(run_funnel(3, drops=10, seed=4))
    10
    """
    funnel, landing = funnel_paths(rule, drops, 1, sigma=sigma, seed=seed, target=target)
    t = np.asarray(target, dtype=float)
    drops = funnel.shape[1]
    df = pd.DataFrame({
        "rule": np.full(drops, int(rule), dtype="int64"),
        "drop": np.arange(1, drops + 1, dtype="int64"),
        "funnel_x": funnel[0, :, 0], "funnel_y": funnel[0, :, 1],
        "x": landing[0, :, 0], "y": landing[0, :, 1],
    })
    df["distance"] = np.hypot(df["x"] - t[0], df["y"] - t[1])
    df.attrs.update(target=tuple(float(v) for v in t), sigma=float(sigma))
    return df


def run_all_rules(drops: int = 50, seed: int | None = None, *, sigma: float = 1.0,
                  target: tuple[float, float] = (0.0, 0.0)) -> pd.DataFrame:
    """All four rules with the same noise (the same seed), stacked in one frame.

    >>> df = run_all_rules(drops=20, seed=1)
    >>> df.groupby("rule").size().tolist()
    [20, 20, 20, 20]
    """
    frames = [run_funnel(rule, drops, seed, sigma=sigma, target=target) for rule in RULES]
    df = pd.concat(frames, ignore_index=True)
    df.attrs.update(frames[0].attrs)
    return df


def spread(df: pd.DataFrame, target: tuple[float, float] | None = None) -> pd.DataFrame:
    """Spread statistics per rule: one row per rule.

    Columns: ``rule``, ``drops``, ``sd_x``, ``sd_y`` (sample standard deviations),
    ``rms_x``, ``rms_y`` (root mean square distance from the target in each direction; unlike
    the sd this counts drift away from the target), ``mean_distance`` and ``max_distance``
    (from the target).

    >>> s = spread(run_all_rules(drops=200, seed=2))
    >>> s["rule"].tolist()
    [1, 2, 3, 4]
    >>> bool(s.loc[1, "sd_x"] > s.loc[0, "sd_x"])  # rule 2 is wider than rule 1
    True
    """
    _check_frame(df)
    t = _check_target(target if target is not None else df.attrs.get("target", (0.0, 0.0)))
    rows = []
    for rule, part in df.groupby("rule", sort=True):
        dx = part["x"].to_numpy() - t[0]
        dy = part["y"].to_numpy() - t[1]
        dist = np.hypot(dx, dy)
        rows.append({
            "rule": int(rule), "drops": len(part),
            "sd_x": float(np.std(part["x"], ddof=1)) if len(part) > 1 else math.nan,
            "sd_y": float(np.std(part["y"], ddof=1)) if len(part) > 1 else math.nan,
            "rms_x": float(np.sqrt(np.mean(dx ** 2))), "rms_y": float(np.sqrt(np.mean(dy ** 2))),
            "mean_distance": float(dist.mean()), "max_distance": float(dist.max()),
        })
    return pd.DataFrame(rows)


def theoretical_variance(rule: int, drop: int, sigma: float = 1.0) -> float:
    """Exact variance (in each direction) of where drop number ``drop`` lands, from the target.

    Rule 1: ``sigma**2``. Rule 2: ``sigma**2`` for the first drop, ``2 sigma**2`` after.
    Rules 3 and 4: ``drop * sigma**2`` — it grows without limit.

    >>> [theoretical_variance(r, 10) for r in (1, 2, 3, 4)]
    [1.0, 2.0, 10.0, 10.0]
    """
    rule = _check_rule(rule)
    drop = check_int(drop, "drop", low=1)
    sigma = check_number(sigma, "sigma", low=0, low_open=True)
    return theoretical_variance_ratio(rule, drop) * sigma ** 2


def theoretical_variance_ratio(rule: int, drop: int | None = None) -> float:
    """Variance under ``rule`` divided by the variance of rule 1 (never adjusting).

    Without ``drop`` this is the long-run ratio: 1 for rule 1, 2 for rule 2, and infinity for
    rules 3 and 4, whose variance keeps growing. With ``drop`` it is the exact ratio for that
    drop: rules 3 and 4 give ``drop`` (after 50 drops, 50 times the variance of rule 1).

    >>> theoretical_variance_ratio(2), theoretical_variance_ratio(4)
    (2.0, inf)
    >>> theoretical_variance_ratio(3, drop=50)
    50.0
    """
    rule = _check_rule(rule)
    if drop is None:
        return {1: 1.0, 2: 2.0, 3: math.inf, 4: math.inf}[rule]
    drop = check_int(drop, "drop", low=1)
    if rule == 1:
        return 1.0
    if rule == 2:
        return 1.0 if drop == 1 else 2.0
    return float(drop)


def plot_funnel(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Scatter of where the marbles landed for one rule, with the target marked.

    For several rules, draw one Axes per rule (``df[df.rule == r]``) with the same limits.

    >>> ax = plot_funnel(run_funnel(2, drops=30, seed=1))
    >>> ax.get_title()
    'Rule 2: move the funnel from where it is by minus the last error.'
    """
    import matplotlib.pyplot as plt

    _check_frame(df)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    t = df.attrs.get("target", (0.0, 0.0))
    rules = sorted(df["rule"].unique())
    colours = {1: "#005EB8", 2: "#ED8B00", 3: "#DA291C", 4: "#330072"}
    for rule in rules:
        part = df[df["rule"] == rule]
        ax.scatter(part["x"], part["y"], s=14, alpha=0.7, color=colours.get(int(rule), "k"),
                   label=f"Rule {rule}")
    ax.plot([t[0]], [t[1]], marker="+", markersize=16, color="black", label="Target")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(RULES[int(rules[0])] if len(rules) == 1 else "Funnel: rules compared")
    if len(rules) > 1:
        ax.legend(fontsize=8)
    return ax


def alt_text(df: pd.DataFrame) -> str:
    """Alt text for a funnel scatter, using :func:`spread`.

    >>> alt_text(run_funnel(1, drops=50, seed=1)).startswith("Scatter of 50 marble drops")
    True
    """
    s = spread(df)
    parts = [f"{RULES[int(r.rule)].split(':')[0]}: mean distance from target "
             f"{r.mean_distance:.2f}, furthest {r.max_distance:.2f}" for r in s.itertuples()]
    return (f"Scatter of {int(s['drops'].iloc[0])} marble drops per rule around a target "
            f"marked with a cross. " + "; ".join(parts) + ".")


def _check_rule(rule: int) -> int:
    rule = check_int(rule, "rule")
    if rule not in RULES:
        raise QIDataError(f"'rule' must be 1, 2, 3 or 4, not {rule}.", field="rule")
    return rule


def _check_target(target: tuple[float, float]) -> tuple[float, float]:
    try:
        x, y = target
    except (TypeError, ValueError):
        raise QIDataError(f"'target' must be a pair of numbers (x, y), not {target!r}.",
                          field="target") from None
    return (check_number(x, "target"), check_number(y, "target"))


def _check_frame(df: pd.DataFrame) -> None:
    if not isinstance(df, pd.DataFrame):
        raise QIDataError(f"Expected the DataFrame from run_funnel(), not {type(df).__name__}.",
                          field="df")
    missing = [c for c in ("rule", "x", "y") if c not in df.columns]
    if missing:
        raise QIDataError(f"The funnel results are missing column(s) {', '.join(missing)}; "
                          "pass the DataFrame that run_funnel() returned.", field=missing[0])
    if df.empty:
        raise QIDataError("The funnel results have no rows; run run_funnel() first.", field="df")
