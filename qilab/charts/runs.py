"""Runs analysis: the Anhøj rules (qicharts2's default) and the IHI run-chart rules.

Both look at the signs of ``y - centre line`` for one part's included points, in time order.

**Anhøj rules** (spec section 2). Points exactly on the centre line and missing points are
dropped; what remains are the *useful* points. A run is a maximal sequence of useful points on
the same side. There is a signal when the longest run is longer than ``round(log2(n)) + 3`` or
when the number of crossings (runs - 1) is below the 5th percentile of Binomial(n - 1, 1/2)
(both strict), where n is the number of useful points.

>>> import numpy as np
>>> r = anhoej(np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10]), np.full(10, 5.5))
>>> r.longest_run, r.longest_run_max, r.n_crossings, r.n_crossings_min, r.signal
(5, 6, 1, 2, True)

**IHI rules** (Provost and Murray, *The Health Care Data Guide*, 2011; IHI run chart tool):

* *shift*: 6 or more useful points in a row on one side of the median (points on the median
  are skipped: they neither break nor add to a shift);
* *trend*: 5 or more points in a row all going up or all going down; a point equal to the one
  before it is counted once (it neither breaks nor adds to the trend);
* *too few or too many runs*: the number of runs (crossings + 1) is compared with limits
  for the number of useful points; fewer runs than the lower limit or more than the upper
  limit is a signal. The IHI teaches a printed table (Perla, Provost and Murray, BMJ Qual Saf
  2011; Provost and Murray, *The Health Care Data Guide*, 2011) for 10 to 60 useful points.
  qilab does not carry that table: no machine-readable copy from a reliable source could be
  found, and it is not retyped from memory. The limits are **computed** instead, from the
  exact Swed–Eisenhart distribution (see :func:`runs_limits`); they may differ by one run from
  the printed table for some numbers of points.
* *astronomical point*: a point obviously different from all the others. This is a judgement
  that people looking at the chart should agree on, not a computed rule, so qilab does not
  flag it: any fixed threshold would either flag the points of a real improvement (far from
  the old median) or depend on which points are counted as "the rest".

>>> runs_limits(20)
(6, 16)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import gammaln

#: Points needed before each IHI rule can fire.
IHI_SHIFT = 6
IHI_TREND = 5


@dataclass(frozen=True)
class RunsResult:
    """Anhøj runs statistics of one part (``None`` when no point is useful)."""

    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    signal: bool
    long_run_points: np.ndarray   # bool per input point: in a run longer than the limit
    signs: np.ndarray             # sign per input point (0 on the line or missing)

    @property
    def long_run_signal(self) -> bool:
        """True when the longest run is longer than its limit."""
        return self.longest_run is not None and self.longest_run > self.longest_run_max

    @property
    def crossings_signal(self) -> bool:
        """True when there are fewer crossings than the lower limit."""
        return self.n_crossings is not None and self.n_crossings < self.n_crossings_min


def longest_run_max(n: int) -> int:
    """Upper limit for the longest run with ``n`` useful points: round(log2(n)) + 3.

    >>> longest_run_max(24)
    8
    """
    return int(round(math.log2(n))) + 3


#: Up to this many useful points the limits are worked out with exact integers; above it with
#: floating point (the answer is checked and worked out exactly if it sits within 1e-9 of the
#: 5 % cut-off), so that a long series costs about as much per point as a short one.
EXACT_UP_TO = 1000
_CLOSE = 1e-9


@lru_cache(maxsize=None)
def n_crossings_min(n: int) -> int:
    """Lower limit for crossings: smallest c with P(Binomial(n-1, 1/2) <= c) >= 0.05.

    Agrees with R's ``qbinom(0.05, n - 1, 0.5)``. Worked out once per number of useful points.

    >>> n_crossings_min(24), n_crossings_min(1), n_crossings_min(100), n_crossings_min(100_000)
    (8, 0, 41, 49739)
    """
    trials = n - 1
    if trials <= EXACT_UP_TO:
        return _crossings_exact(trials)
    c = np.arange(trials + 1)
    log_pmf = (gammaln(trials + 1.0) - gammaln(c + 1.0) - gammaln(trials - c + 1.0)
               - trials * math.log(2.0))
    cdf = cumsum(np.exp(log_pmf), float)
    found = int(np.searchsorted(cdf, 0.05))          # first c with cdf >= 0.05
    near = cdf[max(found - 1, 0):found + 1]
    if np.any(np.abs(near - 0.05) < _CLOSE):
        return _crossings_exact(trials)
    return found


def _crossings_exact(trials: int) -> int:
    """qbinom(0.05, trials, 0.5) with exact integers (binomial coefficients built up in turn)."""
    total = 2**trials
    cumulative, term = 0, 1
    for c in range(trials + 1):
        cumulative += term
        if 20 * cumulative >= total:
            return c
        term = term * (trials - c) // (c + 1)
    return trials


def cumsum(values: np.ndarray, dtype: type = np.int64) -> np.ndarray:
    """``np.cumsum`` into a new array of ``dtype``: the same numbers, but numpy's accumulate is
    many times slower on long arrays when it allocates its own output.

    >>> cumsum(np.array([True, False, True])).tolist()
    [1, 1, 2]
    """
    out = np.empty(values.shape, dtype)
    return np.cumsum(values, out=out)


def run_lengths(signs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of each run of equal values in ``signs``.

    >>> run_lengths(np.array([1, 1, -1, -1, -1, 1]))
    (array([0, 2, 5]), array([2, 3, 1]))
    """
    size = signs.size
    if size == 0:
        return np.zeros(0, int), np.zeros(0, int)
    new = np.empty(size, bool)
    new[0] = True
    np.not_equal(signs[1:], signs[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    ends = np.empty(starts.size, starts.dtype)
    ends[:-1] = starts[1:]
    ends[-1] = size
    return starts, ends - starts


def _signs(y: np.ndarray, cl: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        s = np.sign(y - cl)
    return np.where(np.isnan(s), 0, s).astype(np.int8)


def _mark_runs(useful_idx: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
               longer_than: int, size: int) -> np.ndarray:
    """Boolean per point: True for the useful points of runs longer than ``longer_than``."""
    marks = np.zeros(size, bool)
    long = lengths > longer_than
    if long.any():
        marks[useful_idx[np.repeat(long, lengths)]] = True
    return marks


def anhoej(y: np.ndarray, cl: np.ndarray, force_no_signal: bool = False) -> RunsResult:
    """Anhøj runs analysis of one part's included points (see the module docstring).

    ``force_no_signal`` keeps the statistics but reports no signal (MR charts, categorical x).

    >>> r = anhoej(np.array([4.0, 4, 4]), np.full(3, 4.0))
    >>> r.n_useful, r.longest_run, r.signal
    (0, None, False)
    """
    signs = _signs(y, cl)
    useful_idx = np.flatnonzero(signs != 0)
    reduced = signs[useful_idx]
    n = int(reduced.size)
    if n == 0:
        return RunsResult(int(y.size), 0, None, None, None, None, False,
                          np.zeros(y.size, bool), signs)
    starts, lengths = run_lengths(reduced)
    longest, limit = int(lengths.max()), longest_run_max(n)
    crossings, cmin = int(starts.size - 1), n_crossings_min(n)
    signal = (longest > limit or crossings < cmin) and not force_no_signal
    marks = _mark_runs(useful_idx, starts, lengths, limit, y.size)
    return RunsResult(int(y.size), n, longest, limit, crossings, cmin, bool(signal), marks, signs)


def anhoej_can_fire(n_useful: int) -> bool:
    """Whether any Anhøj signal is possible with ``n_useful`` points.

    >>> anhoej_can_fire(5), anhoej_can_fire(6)
    (False, True)
    """
    return n_useful > 0 and (n_useful > longest_run_max(n_useful) or n_crossings_min(n_useful) > 0)


# --- IHI rules -------------------------------------------------------------------------------

def _runs_ways(n1: int, n2: int) -> tuple[list[int], int]:
    """Exact number of arrangements of n1 and n2 items with r runs (r = 0..n1+n2), and the
    total number of arrangements."""
    ways = [0] * (n1 + n2 + 1)
    for r in range(2, n1 + n2 + 1):
        k, odd = divmod(r, 2)
        if odd:
            ways[r] = (math.comb(n1 - 1, k) * math.comb(n2 - 1, k - 1)
                       + math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k))
        else:
            ways[r] = 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
    return ways, math.comb(n1 + n2, n1)


def _limits_exact(n1: int, n2: int) -> tuple[int, int]:
    ways, total = _runs_ways(n1, n2)
    lower = upper = 0
    cum = 0
    for r, w in enumerate(ways):
        cum += w
        if 20 * cum > total:            # P(R <= r) > 5 %
            lower = r - 1
            break
    cum = 0
    for r in range(len(ways) - 1, -1, -1):
        cum += ways[r]
        if 20 * cum > total:            # P(R >= r) > 5 %
            upper = r + 1
            break
    return lower, upper


def _log_comb(a: np.ndarray | float, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        out = gammaln(a + 1.0) - gammaln(b + 1.0) - gammaln(a - b + 1.0)
    return np.where((b < 0) | (b > a), -np.inf, out)


def _limits_float(n1: int, n2: int) -> tuple[int, int] | None:
    """The same limits in floating point; None when a tail sits within 1e-9 of 5 %."""
    r = np.arange(n1 + n2 + 1, dtype=float)
    k = np.floor(r / 2)
    even = math.log(2.0) + _log_comb(n1 - 1, k - 1) + _log_comb(n2 - 1, k - 1)
    odd = np.logaddexp(_log_comb(n1 - 1, k) + _log_comb(n2 - 1, k - 1),
                       _log_comb(n1 - 1, k - 1) + _log_comb(n2 - 1, k))
    log_ways = np.where(r % 2 == 1, odd, even)
    log_ways[:2] = -np.inf
    prob = np.exp(log_ways - _log_comb(n1 + n2, np.array([n1], dtype=float))[0])
    below = cumsum(prob, float)                      # P(R <= r)
    above = cumsum(prob[::-1], float)[::-1]          # P(R >= r)
    first_below = int(np.searchsorted(below, 0.05, side="right"))
    last_above = int(np.flatnonzero(above > 0.05)[-1])
    for tail, i in ((below, first_below), (above, last_above)):
        near = tail[max(i - 1, 0):i + 2]
        if np.any(np.abs(near - 0.05) < _CLOSE):
            return None
    return first_below - 1, last_above + 1


@lru_cache(maxsize=None)
def runs_limits(n: int) -> tuple[int | None, int | None]:
    """Lower and upper limits for the number of runs with ``n`` useful points (computed).

    Fewer runs than the lower limit, or more than the upper limit, is a signal. The limits are
    Swed–Eisenhart critical values for n1 = n // 2 points on one side and n2 = n - n1 on the
    other, from the exact distribution of the number of runs R: lower = the largest r with
    P(R <= r) <= 0.05, upper = the smallest r with P(R >= r) <= 0.05. Because the rule is
    "fewer than" / "more than", the chance that a stable process gives a false signal is well
    under 5 % per tail: 0.8 % at 10 useful points, 0.45 % at 20, 2.0 % at 30, and between
    0.2 % and 2.6 % for 10 to 60 (see :func:`runs_false_signal_chance`).

    These are computed, not the printed IHI table (Perla, Provost and Murray, BMJ Qual Saf
    2011), which qilab does not carry (see the module docstring). They agree with the values
    usually quoted from it for 10 (3 to 9), 20 (6 to 16) and 24 (8 to 18) useful points, but
    they have not been checked against every row: a printed table may differ by one run,
    especially for odd numbers of points, where the points cannot split evenly about the
    median. When you work by hand, use the table your organisation teaches and say which you
    used. ``None`` when there are fewer than 2 points.

    >>> runs_limits(10), runs_limits(20), runs_limits(24), runs_limits(1)
    ((3, 9), (6, 16), (8, 18), (None, None))
    """
    n1 = n // 2
    n2 = n - n1
    if n1 < 1:
        return None, None
    if n <= EXACT_UP_TO:
        return _limits_exact(n1, n2)
    return _limits_float(n1, n2) or _limits_exact(n1, n2)


def runs_false_signal_chance(n: int) -> tuple[float, float]:
    """Chance that a stable process with ``n`` useful points (split as in :func:`runs_limits`)
    has fewer runs than the lower limit, and more than the upper limit.

    >>> [round(100 * p, 2) for p in runs_false_signal_chance(10)]
    [0.79, 0.79]
    """
    lower, upper = runs_limits(n)
    if lower is None:
        return 0.0, 0.0
    ways, total = _runs_ways(n // 2, n - n // 2)
    return sum(ways[:lower]) / total, sum(ways[upper + 1:]) / total


def shift_points(signs: np.ndarray, length: int = IHI_SHIFT) -> np.ndarray:
    """Points in runs of ``length`` or more useful points on one side (0 = skipped).

    >>> shift_points(np.array([1, 1, 0, 1, 1, 1, 1, -1]), 6).astype(int)
    array([1, 1, 0, 1, 1, 1, 1, 0])
    """
    useful_idx = np.flatnonzero(signs != 0)
    starts, lengths = run_lengths(signs[useful_idx])
    return _mark_runs(useful_idx, starts, lengths, length - 1, signs.size)


def trend_points(y: np.ndarray, length: int = IHI_TREND) -> np.ndarray:
    """Points in ``length`` or more points in a row all going up or all going down.

    Missing points are skipped; a value equal to the one before it neither breaks nor adds to
    the trend (it is counted once).

    >>> trend_points(np.array([1.0, 2, 2, 3, 4, 5, 3])).astype(int)
    array([1, 1, 1, 1, 1, 1, 0])
    >>> trend_points(np.array([1.0, 2, 3, 4, 3])).astype(int)
    array([0, 0, 0, 0, 0])
    """
    marks = np.zeros(y.size, bool)
    valid = np.flatnonzero(~np.isnan(y))
    v = y[valid]
    if v.size < 2:
        return marks
    d = np.diff(v)
    nz = np.flatnonzero(d != 0)
    starts, lengths = run_lengths(np.sign(d[nz]))
    long = lengths >= length - 1
    for s, n_steps in zip(starts[long].tolist(), lengths[long].tolist()):
        first, last = nz[s], nz[s + n_steps - 1] + 1
        marks[valid[first:last + 1]] = True
    return marks
