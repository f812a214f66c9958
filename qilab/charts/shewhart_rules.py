"""Western Electric rules and the Provost & Murray healthcare version, for control charts.

Rules are evaluated within one part, over the included points with a value, in time order
(missing and excluded points are skipped). Zones use z = (y - centre) / sigma on the chart's
working scale, so they follow varying limits (P and U charts) and the T-chart transformation.

**Western Electric** (``rules="western_electric"``; Western Electric Statistical Quality
Control Handbook, 1956):

1. ``outside_3sigma`` — a point outside the 3-sigma limits;
2. ``two_of_three_beyond_2sigma`` — 2 of 3 points in a row beyond 2 sigma on the same side;
3. ``four_of_five_beyond_1sigma`` — 4 of 5 points in a row beyond 1 sigma on the same side;
4. ``eight_one_side`` — 8 points in a row on the same side of the centre line.

**Provost & Murray** (``rules="provost_murray"``; *The Health Care Data Guide*, 2011):

1. ``outside_3sigma`` — a point outside the 3-sigma limits;
2. ``eight_one_side`` — 8 or more points in a row on the same side of the centre line;
3. ``six_trend`` — 6 points in a row all going up or all going down (a point equal to the one
   before it neither breaks nor adds to the trend);
4. ``two_of_three_beyond_2sigma`` — 2 of 3 points in a row beyond 2 sigma on the same side;
5. ``fifteen_within_1sigma`` — 15 points in a row within 1 sigma of the centre line (either
   side): the limits may be too wide (for example, data from mixed processes).

**Nelson** (``rules="nelson"``; Nelson, J Qual Technol 1984, with the conventions of the R
package qcc, as Minitab and many analysts use them):

1. ``outside_3sigma`` — a point outside the 3-sigma limits;
2. ``nine_one_side`` — 9 points in a row on the same side of the centre line;
3. ``six_trend`` — 6 points in a row steadily increasing or steadily decreasing; **a tie
   (a point equal to the one before it) breaks the trend**;
4. ``fourteen_alternating`` — 14 points in a row alternating up and down (a tie breaks it);
5. ``two_of_three_beyond_2sigma`` — 2 of 3 points in a row beyond 2 sigma on the same side;
6. ``four_of_five_beyond_1sigma`` — 4 of 5 points in a row beyond 1 sigma on the same side;
7. ``fifteen_within_1sigma`` — 15 points in a row within 1 sigma (**|z| <= 1**) either side;
8. ``eight_beyond_1sigma_both_sides`` — 8 points in a row beyond 1 sigma (|z| > 1), with
   points on both sides and none within 1 sigma.

Where Provost and Murray differ: their trend counts a tie once (it neither breaks nor adds to
the trend) and it needs 6 points; "within 1 sigma" is |z| < 1; their run on one side is 8, not
9; and they have no alternating or "both sides" rule.

For "k of m" rules only the points beyond the zone are flagged; for runs every point of the
run is flagged (qcc marks only the point that completes a pattern, and every later point while
the pattern lasts; the same charts signal). A point exactly on the centre line breaks a run on
one side.

>>> import numpy as np
>>> z = np.array([0.5, 2.5, 0.2, 2.2, -1.0])
>>> k_of_m(z > 2, 2, 3).astype(int)
array([0, 1, 0, 1, 0])
"""
from __future__ import annotations

import numpy as np

from .runs import run_lengths, trend_points

WESTERN_ELECTRIC = ("outside_3sigma", "two_of_three_beyond_2sigma",
                    "four_of_five_beyond_1sigma", "eight_one_side")
PROVOST_MURRAY = ("outside_3sigma", "eight_one_side", "six_trend",
                  "two_of_three_beyond_2sigma", "fifteen_within_1sigma")
NELSON = ("outside_3sigma", "nine_one_side", "six_trend", "fourteen_alternating",
          "two_of_three_beyond_2sigma", "four_of_five_beyond_1sigma", "fifteen_within_1sigma",
          "eight_beyond_1sigma_both_sides")
RULE_SETS = {"western_electric": WESTERN_ELECTRIC, "provost_murray": PROVOST_MURRAY,
             "nelson": NELSON}
#: Points each rule needs before it can fire.
MIN_POINTS = {"outside_3sigma": 1, "two_of_three_beyond_2sigma": 3,
              "four_of_five_beyond_1sigma": 5, "eight_one_side": 8, "six_trend": 6,
              "fifteen_within_1sigma": 15, "nine_one_side": 9, "fourteen_alternating": 14,
              "eight_beyond_1sigma_both_sides": 8}


def k_of_m(beyond: np.ndarray, k: int, m: int) -> np.ndarray:
    """Flag points that are ``beyond`` and lie in some window of m in a row with >= k beyond.

    >>> k_of_m(np.array([True, False, False, True, True]), 2, 3).astype(int)
    array([0, 0, 0, 1, 1])
    """
    size = beyond.size
    flags = np.zeros(size, bool)
    if size < m:
        return flags
    total = np.zeros(size + 1, np.int64)         # total[i] = number beyond among the first i
    np.cumsum(beyond, out=total[1:])
    windows = (total[m:] - total[:-m]) >= k       # window starting at each point qualifies
    if not windows.any():
        return flags
    for offset in range(m):
        flags[offset:offset + windows.size] |= windows
    return flags & beyond


def long_runs(mask: np.ndarray, length: int) -> np.ndarray:
    """Flag points in runs of ``length`` or more consecutive True values.

    >>> long_runs(np.array([1, 1, 1, 0, 1], bool), 3).astype(int)
    array([1, 1, 1, 0, 0])
    """
    if mask.size == 0:
        return np.zeros(0, bool)
    starts, lengths = run_lengths(mask.astype(np.int8))
    return np.repeat(mask[starts].astype(bool) & (lengths >= length), lengths)


def one_side_runs(side: np.ndarray, length: int) -> np.ndarray:
    """Flag points in runs of ``length`` or more on the same side (side 0 breaks a run).

    >>> one_side_runs(np.array([1, 1, 1, -1, -1, -1]), 3).astype(int)
    array([1, 1, 1, 1, 1, 1])
    """
    if side.size == 0:
        return np.zeros(0, bool)
    with np.errstate(invalid="ignore"):
        s = (side > 0).astype(np.int8) - (side < 0).astype(np.int8)
    starts, lengths = run_lengths(s)          # one pass: runs above (+1) and below (-1) at once
    return np.repeat((s[starts] != 0) & (lengths >= length), lengths)


def _step_signs(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the points with a value, and the sign of each step between them."""
    valid = np.flatnonzero(~np.isnan(y))
    return valid, np.sign(np.diff(y[valid])).astype(np.int8)


def strict_trend_points(y: np.ndarray, length: int) -> np.ndarray:
    """Points in ``length`` or more points in a row each higher (or each lower) than the one
    before; a tie breaks the run (Nelson, qcc). Missing points are skipped.

    >>> strict_trend_points(np.array([1.0, 2, 3, 3, 4, 5, 6]), 4).astype(int)
    array([0, 0, 0, 1, 1, 1, 1])
    """
    marks = np.zeros(y.size, bool)
    valid, d = _step_signs(y)
    starts, lengths = run_lengths(d)
    for s, n_steps in zip(starts.tolist(), lengths.tolist()):
        if d[s] != 0 and n_steps >= length - 1:
            marks[valid[s:s + n_steps + 1]] = True
    return marks


def alternating_points(y: np.ndarray, length: int) -> np.ndarray:
    """Points in ``length`` or more points in a row going up and down in turn (a tie breaks it).

    >>> alternating_points(np.array([5.0, 1, 2, 1, 2, 1, 1]), 5).astype(int)
    array([1, 1, 1, 1, 1, 1, 0])
    """
    marks = np.zeros(y.size, bool)
    valid, d = _step_signs(y)
    if d.size < 2:
        return marks
    turns = (d[1:].astype(np.int16) * d[:-1]) < 0       # step j and j+1 go opposite ways
    starts, lengths = run_lengths(turns)
    for s, n in zip(starts.tolist(), lengths.tolist()):
        if turns[s] and n >= length - 2:
            marks[valid[s:s + n + 2]] = True
    return marks


def both_sides_beyond(z: np.ndarray, length: int, zone: float = 1.0) -> np.ndarray:
    """Points in windows of ``length`` in a row all beyond ``zone`` sigma, with some above and
    some below the centre line.

    >>> both_sides_beyond(np.array([0.0, 1.5, -1.5, 1.2, -2.0, 0.1]), 4).astype(int)
    array([0, 1, 1, 1, 1, 0])
    """
    size = z.size
    flags = np.zeros(size, bool)
    if size < length:
        return flags
    with np.errstate(invalid="ignore"):
        high, low = z > zone, z < -zone

    def window_count(mask: np.ndarray) -> np.ndarray:
        total = np.zeros(size + 1, np.int64)
        np.cumsum(mask, out=total[1:])
        return total[length:] - total[:-length]

    hi, lo = window_count(high), window_count(low)
    ok = (hi + lo == length) & (hi > 0) & (lo > 0)
    for offset in range(length):
        flags[offset:offset + ok.size] |= ok
    return flags


def shewhart_flags(rule_set: str, y: np.ndarray, z: np.ndarray, side: np.ndarray,
                   outside: np.ndarray) -> dict[str, np.ndarray]:
    """Rule columns for one part's usable points (already compressed, in time order).

    ``z`` = distance from the centre in sigmas, ``side`` = sign of y - centre line,
    ``outside`` = the 3-sigma test.

    >>> f = shewhart_flags("western_electric", np.zeros(3), np.array([0.1, 2.5, 2.4]),
    ...                    np.array([1, 1, 1]), np.zeros(3, bool))
    >>> f["two_of_three_beyond_2sigma"].astype(int)
    array([0, 1, 1])
    """
    with np.errstate(invalid="ignore"):
        high2, low2 = z > 2, z < -2
        high1, low1 = z > 1, z < -1
        inner = np.abs(z) <= 1 if rule_set == "nelson" else np.abs(z) < 1
    flags = {"outside_3sigma": outside.copy(),
             "two_of_three_beyond_2sigma": k_of_m(high2, 2, 3) | k_of_m(low2, 2, 3)}
    if rule_set in ("western_electric", "nelson"):
        flags["four_of_five_beyond_1sigma"] = k_of_m(high1, 4, 5) | k_of_m(low1, 4, 5)
    if rule_set in ("provost_murray", "nelson"):
        flags["fifteen_within_1sigma"] = long_runs(inner, 15)
    if rule_set == "nelson":
        flags["nine_one_side"] = one_side_runs(side, 9)
        flags["six_trend"] = strict_trend_points(y, 6)
        flags["fourteen_alternating"] = alternating_points(y, 14)
        flags["eight_beyond_1sigma_both_sides"] = both_sides_beyond(z, 8)
    else:
        flags["eight_one_side"] = one_side_runs(side, 8)
    if rule_set == "provost_murray":
        flags["six_trend"] = trend_points(y, 6)
    return {name: flags[name] for name in RULE_SETS[rule_set]}
