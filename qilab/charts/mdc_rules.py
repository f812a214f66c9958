"""The four NHS England "Making Data Count" (MDC) rules, for many series at once.

The rules are those of NHSRplotthedots 0.2.2 (see the SPC spec, section 5). Each series (a
facet, or one rebase group of a facet) is judged on its own: no window ever crosses from one
series into the next.

1. **Outside limits**: a point above the upper process limit or below the lower one (strict:
   a point exactly on a limit is not outside).
2. **Trend**: 7 points in a row, each strictly higher (or strictly lower) than the one before.
   A repeated value breaks a trend. Every point of the 7 (or more) is flagged.
3. **Two in three**: in any 3 points in a row that are all on the same side of the mean, at
   least 2 are *close to a limit* (beyond two thirds of the way from the mean to the limit,
   but not outside it). Only the close points are flagged.
4. **Shift**: 7 points in a row on the same side of the mean. A point exactly on the mean
   breaks a shift. Every point of the run is flagged.

A point that several rules flag takes its label from the first rule in that list (outside
limits, then trend, then two in three, then shift). The label's direction is "high" (+1) or
"low" (-1): from the side of the mean for outside limits, two in three and shift, and from the
direction of the run for a trend (so a rising trend below the mean is "high").

Everything is computed with numpy over the whole array: a thousand series cost about the same
as one long series of the same total length.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import QIDataError
from .runs import cumsum

__all__ = ["mdc_rule_flags", "RULE_NAMES", "special_cause_label", "NEAR_FRACTION"]

#: Near-limit band: a point is "close" beyond this fraction of the mean-to-limit distance.
NEAR_FRACTION = 2.0 / 3.0

#: Rule codes used internally (0 = no rule), in order of precedence.
RULE_NAMES: tuple[str, ...] = ("none", "outside_limits", "trend", "two_in_three", "shift")

RUN_LENGTH = 7  # points in a trend or shift


def special_cause_label(rule: str, direction: int) -> str:
    """The NHSRplotthedots wording for a rule and direction.

    >>> special_cause_label("shift", -1)
    '7 Points Below CL'
    >>> special_cause_label("trend", 1)
    '7 Point Trend (Increasing)'
    >>> special_cause_label("none", 0)
    'Common Cause'
    """
    if rule == "none" or direction == 0:
        return "Common Cause"
    high = direction > 0
    if rule == "outside_limits":
        return "Above UCL" if high else "Below LCL"
    if rule == "trend":
        return f"7 Point Trend ({'Increasing' if high else 'Decreasing'})"
    if rule == "two_in_three":
        return f"2 in 3 {'Above' if high else 'Below'} CL"
    if rule == "shift":
        return f"7 Points {'Above' if high else 'Below'} CL"
    raise ValueError(f"Unknown rule {rule!r}; expected one of {', '.join(RULE_NAMES)}.")


# ---------------------------------------------------------------------------------------------
# Building blocks. Each takes ``start``: a boolean array, True at the first point of a series.


def _series_starts(group: Any, n: int) -> np.ndarray:
    """True where a new series begins (the group label differs from the previous point's)."""
    start = np.ones(n, dtype=bool)
    if n > 1:
        arr = np.asarray(group)
        # numbers, dates and fixed-width text compare directly; mixed labels via integer codes
        if arr.dtype.kind not in "biufmMUS":
            arr, _ = pd.factorize(arr, use_na_sentinel=False)
        start[1:] = arr[1:] != arr[:-1]
    return start


def _series_ends(start: np.ndarray) -> np.ndarray:
    """Index of the last point of each point's series."""
    n = start.size
    seg = cumsum(start) - 1
    first = np.flatnonzero(start)
    last = np.r_[first[1:] - 1, n - 1] if n else first
    return last[seg]


def _run_length_so_far(key: np.ndarray, start: np.ndarray) -> np.ndarray:
    """How many points in a row, ending at each point, share its ``key`` (within a series)."""
    n = key.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    boundary = start.copy()
    boundary[1:] |= key[1:] != key[:-1]
    run_start = np.flatnonzero(boundary)
    run_id = cumsum(boundary) - 1
    return np.arange(n) - run_start[run_id] + 1


def _spread_back(marker: np.ndarray, start: np.ndarray, width: int = RUN_LENGTH - 1) -> np.ndarray:
    """True at each point that has a marker at it or up to ``width`` points later (same series).

    A marker sits on the last point of a qualifying 7-point window; spreading it back flags the
    whole window.
    """
    n = marker.size
    if n == 0 or not marker.any():
        return np.zeros(n, dtype=bool)
    csum = np.zeros(n + 1, np.int64)
    np.cumsum(marker != 0, out=csum[1:])
    hi = np.minimum(np.arange(n) + width, _series_ends(start))
    return (csum[hi + 1] - csum[np.arange(n)]) > 0


def _shift_markers(rtm: np.ndarray, start: np.ndarray) -> np.ndarray:
    """+1/-1 at a point that ends 7 points in a row on the same side of the mean, else 0."""
    run = _run_length_so_far(rtm, start)
    return np.where((run >= RUN_LENGTH) & (rtm != 0), rtm, 0).astype(np.int8)


def _sign0(values: np.ndarray) -> np.ndarray:
    """Sign as int8, 0 where the value is missing (np.nan_to_num's result, without its cost)."""
    s = np.sign(values)
    s[np.isnan(s)] = 0.0
    return s.astype(np.int8)


def _diff_signs(y: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Sign of y[i] - y[i-1] (0 at a series start or when either value is missing)."""
    d = np.zeros(y.size, dtype=np.int8)
    if y.size > 1:
        with np.errstate(invalid="ignore"):
            d[1:] = _sign0(y[1:] - y[:-1])
        d[start] = 0
    return d


def _trend_markers(y: np.ndarray, start: np.ndarray, d: np.ndarray | None = None) -> np.ndarray:
    """+1/-1 at a point that ends 7 points each higher/lower than the last, else 0.

    ``d`` is ``_diff_signs(y, start)`` when the caller has it already.
    """
    if d is None:
        d = _diff_signs(y, start)
    run = _run_length_so_far(d, start)
    return np.where((run >= RUN_LENGTH - 1) & (d != 0), d, 0).astype(np.int8)


def _two_in_three_windows(close: np.ndarray, rtm: np.ndarray, start: np.ndarray) -> np.ndarray:
    """True at each point inside a qualifying 3-point window (close point or not)."""
    n = close.size
    ok = np.zeros(n, dtype=bool)  # ok[j]: window j, j+1, j+2 qualifies
    if n >= 3:
        c = close.astype(np.int8)
        r = rtm.astype(np.int8)
        csum = c[:-2] + c[1:-1] + c[2:]
        rsum = r[:-2] + r[1:-1] + r[2:]
        same_series = ~(start[1:-1] | start[2:])
        ok[:-2] = (csum >= 2) & (np.abs(rsum) == 3) & same_series
    inside = ok.copy()
    inside[1:] |= ok[:-1]
    inside[2:] |= ok[:-2]
    return inside


def _label(y: np.ndarray, rtm: np.ndarray, outside: np.ndarray, trend: np.ndarray,
           two_in_three: np.ndarray, shift: np.ndarray, start: np.ndarray,
           d: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Apply precedence: return (rule code per point, direction per point).

    Rule codes index :data:`RULE_NAMES`. For a trend the direction is the sign of the step to
    the next point when that point is in a trend too, otherwise of the step from the previous
    point (a step of 0 reads as decreasing, as in NHSRplotthedots). ``d`` is
    ``_diff_signs(y, start)`` when the caller has it already.
    """
    n = y.size
    trend = trend.astype(bool)
    if d is None:
        d = _diff_signs(y, start)  # d[i] = step into point i
    nxt_in = np.zeros(n, dtype=bool)
    if n > 1:
        nxt_in[:-1] = trend[1:] & ~start[1:]
    step_right = np.zeros(n, dtype=np.int8)
    step_right[:-1] = d[1:]
    # int8 throughout: small temporaries stay cheap on long series
    one, minus, zero = np.int8(1), np.int8(-1), np.int8(0)
    trend_dir = np.where(trend & nxt_in, step_right, d)
    trend_dir = np.where(trend_dir == 1, one, minus)
    side = np.where(rtm > 0, one, minus)
    side_outside = np.where(rtm == 1, one, minus)

    # first rule that flags the point wins (nested where: the same as np.select, faster)
    rule = np.where(outside.astype(bool), one,
                    np.where(trend, np.int8(2), np.where(two_in_three.astype(bool), np.int8(3),
                                                         np.where(shift.astype(bool),
                                                                  np.int8(4), zero))))
    direction = np.where(rule == 1, side_outside,
                         np.where(rule == 2, trend_dir, np.where(rule >= 3, side, zero)))
    return rule, direction.astype(np.int8)


def _evaluate(y: np.ndarray, mean: np.ndarray, lpl: np.ndarray, upl: np.ndarray,
              start: np.ndarray, nlpl: np.ndarray | None = None,
              nupl: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """All rule arrays for points in time order, series marked by ``start``.

    ``nlpl``/``nupl`` are the near (two-sigma) lines; when absent they are two thirds of the
    way from the mean to each limit (right for XmR charts, whose limits are never cut off).
    :func:`qilab.spc` passes the 2-sigma lines from the centre line and the untruncated sigma,
    so that a limit floored at 0 or capped at 1 does not pull the band in. Missing values and
    missing limits never signal.
    """
    with np.errstate(invalid="ignore"):
        if nlpl is None:
            nlpl = mean - NEAR_FRACTION * (mean - lpl)
        if nupl is None:
            nupl = mean + NEAR_FRACTION * (upl - mean)
        outside = (y > upl) | (y < lpl)
        rtm = _sign0(y - mean)
        close = ~outside & ((y < nlpl) | (y > nupl))
    shift = _spread_back(_shift_markers(rtm, start), start)
    steps = _diff_signs(y, start)
    trend = _spread_back(_trend_markers(y, start, steps), start)
    two = _two_in_three_windows(close, rtm, start) & close
    rule, direction = _label(y, rtm, outside, trend, two, shift, start, steps)
    return {"outside_limits": outside, "two_in_three": two, "trend": trend, "shift": shift,
            "direction": direction, "rule": rule, "relative_to_mean": rtm, "close": close}


def mdc_rule_flags(y: Sequence[float] | np.ndarray, mean: Sequence[float] | np.ndarray,
                   lpl: Sequence[float] | np.ndarray, upl: Sequence[float] | np.ndarray,
                   group: Sequence[Any] | np.ndarray) -> pd.DataFrame:
    """Flag the four Making Data Count rules for many series at once.

    Parameters are array-likes of equal length, one entry per point. ``group`` labels the
    series (an indicator, or one rebase group of an indicator): points of a series must be
    next to each other and in time order. ``mean``, ``lpl`` and ``upl`` are the centre line and
    lower/upper process limits in force at each point. Missing values and missing limits never
    signal, and a missing value breaks a trend or shift.

    Returns a DataFrame with one row per point (same order) and columns:

    * ``outside_limits``, ``trend``, ``two_in_three``, ``shift`` (bool): whether each rule
      flags the point, each rule on its own;
    * ``direction`` (int): +1 high/increasing, -1 low/decreasing, 0 common cause, taken from
      the first rule that flags the point in the order outside limits, trend, two in three,
      shift.

    >>> import numpy as np
    >>> y = [5, 5, 5, 5, 5, 5, 5, 9]
    >>> flags = mdc_rule_flags(y, [4] * 8, [1] * 8, [8] * 8, ["a"] * 8)
    >>> flags["shift"].tolist()
    [True, True, True, True, True, True, True, True]
    >>> flags["direction"].tolist()
    [1, 1, 1, 1, 1, 1, 1, 1]
    >>> bool(flags["outside_limits"].iloc[-1])
    True
    """
    arrays = [np.asarray(a, dtype=float) if name != "group" else np.asarray(a)
              for name, a in zip(("y", "mean", "lpl", "upl", "group"), (y, mean, lpl, upl, group))]
    lengths = {a.shape[0] if a.ndim else -1 for a in arrays}
    if len(lengths) != 1 or -1 in lengths:
        raise QIDataError("y, mean, lpl, upl and group must be one-dimensional and the same "
                          f"length; got lengths {[len(np.atleast_1d(a)) for a in arrays]}.",
                          field="group")
    yv, mv, lv, uv, gv = arrays
    start = _series_starts(gv, yv.size)
    res = _evaluate(yv, mv, lv, uv, start)
    return pd.DataFrame({k: res[k] for k in
                         ("outside_limits", "two_in_three", "trend", "shift")}
                        | {"direction": res["direction"].astype(np.int64)})
