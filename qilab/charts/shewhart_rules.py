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

For "k of m" rules only the points beyond the zone are flagged; for runs every point of the
run is flagged. A point exactly on the centre line breaks a run on one side.

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
#: Points each rule needs before it can fire.
MIN_POINTS = {"outside_3sigma": 1, "two_of_three_beyond_2sigma": 3,
              "four_of_five_beyond_1sigma": 5, "eight_one_side": 8, "six_trend": 6,
              "fifteen_within_1sigma": 15}


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
        inner = np.abs(z) < 1
    flags = {"outside_3sigma": outside.copy(),
             "two_of_three_beyond_2sigma": k_of_m(high2, 2, 3) | k_of_m(low2, 2, 3),
             "eight_one_side": one_side_runs(side, 8)}
    if rule_set == "western_electric":
        flags["four_of_five_beyond_1sigma"] = k_of_m(high1, 4, 5) | k_of_m(low1, 4, 5)
        return {name: flags[name] for name in WESTERN_ELECTRIC}
    flags["six_trend"] = trend_points(y, 6)
    flags["fifteen_within_1sigma"] = long_runs(inner, 15)
    return {name: flags[name] for name in PROVOST_MURRAY}
