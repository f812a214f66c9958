"""Centre lines and control limits for one part of a chart (spec section 4).

Every chart is described in a *working scale* by a centre ``mid`` and a sigma per point, so
that k-sigma lines are ``mid +/- k * sigma``, then transformed back (T chart) and truncated
(P charts to [0, 1], counts at 0). The line drawn as the centre line (``cl``) is the same as
``mid`` except for G charts (median shown, limits from the mean) and T charts (back-transformed).

All numbers here are on the unmultiplied scale; :func:`qilab.spc` applies ``multiply`` last.

The R chart follows qcc: sigma is the mean of R_i / d2(n_i) and the limits are the centre
+/- 3 d3(n_i) sigma, floored at 0. For equal subgroups the centre is R-bar, as in qcc; when
subgroup sizes differ, the centre of each point is d2(n_i) sigma (the range expected for its
size), where qcc keeps one size-weighted R-bar for every point.

>>> import numpy as np
>>> lim = part_limits("c", y=np.array([2.0, 4.0, 6.0]), base=np.ones(3, bool))
>>> float(lim.cl[0]), round(float(lim.ucl[0]), 3), float(lim.lcl[0])
(4.0, 10.0, 0.0)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .constants import D2_MR, D4_MR, MR_SCREEN, T_POWER, a3, c4, d2, d3, per_size

#: Charts that have no control limits.
NO_LIMITS = frozenset({"run"})
#: Charts whose y is a ratio numerator / denominator.
RATIO_CHARTS = frozenset({"p", "pp", "u", "up"})


@dataclass(frozen=True)
class PartLimits:
    """Lines for the points of one part (arrays of the part's length, unmultiplied)."""

    y: np.ndarray          # plotted statistic (differs from the input only for MR charts)
    cl: np.ndarray         # centre line drawn and used for runs analysis
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_95: np.ndarray
    ucl_95: np.ndarray
    work_y: np.ndarray     # y on the working scale (T chart: y ** (1/3.6))
    mid: np.ndarray        # centre of the limits on the working scale
    sigma: np.ndarray      # sigma per point on the working scale (NaN if none)
    info: dict = field(default_factory=dict)


def mean_moving_range(values: np.ndarray, screened: bool = True) -> tuple[float, int]:
    """Mean of the moving ranges of ``values`` and how many ranges screening removed.

    Ranges touching a missing value are dropped (no bridging). With ``screened``, ranges at or
    above 3.267 times the mean are removed once and the mean recomputed (qicharts2, PTD).

    >>> mean_moving_range(np.array([1.0, 2.0, 4.0, 3.0]))
    (1.3333333333333333, 0)
    >>> mean_moving_range(np.array([1.0]))
    (nan, 0)
    """
    mr = np.abs(np.diff(values))
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return float("nan"), 0
    mr_bar = float(mr.mean())
    if not screened:
        return mr_bar, 0
    keep = mr < MR_SCREEN * mr_bar
    kept = mr[keep]
    return (float(kept.mean()) if kept.size else float("nan")), int(mr.size - kept.size)


def _full(n: int, value: float) -> np.ndarray:
    return np.full(n, value, dtype=float)


def _nanmean(a: np.ndarray) -> float:
    a = a[~np.isnan(a)]
    return float(a.mean()) if a.size else float("nan")


def _nanmedian(a: np.ndarray) -> float:
    a = a[~np.isnan(a)]
    return float(np.median(a)) if a.size else float("nan")


def _ratio_centre(num: np.ndarray, den: np.ndarray, base: np.ndarray) -> float:
    ok = base & ~np.isnan(num) & ~np.isnan(den)
    total = den[ok].sum()
    return float(num[ok].sum() / total) if total > 0 else float("nan")


def sigma_lines(mid: np.ndarray, sigma: np.ndarray, k: float, chart: str,
                truncate: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """k-sigma lines on the plotted scale: back-transformed (T) and, with ``truncate``, cut at
    0 (counts) and 1 (proportions) as drawn. Untruncated lines are what zone rules use: a band
    "beyond 2 sigma" is measured from the centre line, never from a clipped limit (a T chart's
    lower line below 0 on the working scale is then -inf).

    >>> lo, hi = sigma_lines(np.array([1.0]), np.array([1.0]), 2.0, "c", truncate=False)
    >>> float(lo[0]), float(hi[0])
    (-1.0, 3.0)
    """
    lo = mid - k * sigma
    hi = mid + k * sigma
    if chart == "t":
        with np.errstate(invalid="ignore"):
            lo = np.where(lo <= 0, 0.0 if truncate else -np.inf, np.abs(lo) ** T_POWER)
            lo = np.where(np.isnan(mid - k * sigma), np.nan, lo)
            hi = hi ** T_POWER
    elif not truncate:
        pass
    elif chart in ("p", "pp"):
        lo = np.maximum(lo, 0.0)
        hi = np.minimum(hi, 1.0)
    elif chart in ("c", "u", "up", "g", "s", "r", "mr"):
        lo = np.maximum(lo, 0.0)
    return lo, hi


def _individuals(work: np.ndarray, base: np.ndarray, cl_given: float | None,
                 screened: bool, method: str = "mr") -> tuple[float, float, dict]:
    """Centre (mean) and sigma of an I chart on ``work``: the mean moving range / 1.128, or
    with ``method="sd"`` the standard deviation of all the baseline values (n - 1)."""
    centre = _nanmean(work[base]) if cl_given is None else float(cl_given)
    if method == "sd":
        values = work[base][~np.isnan(work[base])]
        sd = float(np.std(values, ddof=1)) if values.size > 1 else float("nan")
        return centre, sd, {"sd": sd}
    mr_bar, dropped = mean_moving_range(work[base], screened)
    return centre, mr_bar / D2_MR, {"mr_bar": mr_bar, "mr_screened_out": dropped}


def range_sigma(rng: np.ndarray, sizes: np.ndarray, base: np.ndarray) -> float:
    """Sigma from the subgroup ranges, as qcc's default: the mean of R_i / d2(n_i) over the
    baseline subgroups with two or more values.

    >>> range_sigma(np.array([2.326, 4.652]), np.array([5.0, 5.0]), np.ones(2, bool))
    1.5
    """
    ratio = rng[base] / per_size(d2, sizes[base])
    return _nanmean(ratio)


def part_limits(chart: str, y: np.ndarray, base: np.ndarray, *, num: np.ndarray | None = None,
                den: np.ndarray | None = None, sd: np.ndarray | None = None,
                cl_given: float | None = None, screened: bool = True,
                categorical: bool = False, rng: np.ndarray | None = None,
                sigma_method: str | None = None) -> PartLimits:
    """Centre line and limits for one part.

    ``y`` is the plotted statistic (ratio charts: ``num / den``; Xbar: subgroup means; S:
    subgroup sds; R: subgroup ranges), ``base`` marks the points used to estimate the lines (in
    the baseline and not excluded), ``den`` holds denominators or subgroup sizes, ``sd`` and
    ``rng`` subgroup sds and ranges. ``sigma_method`` is "sd" (I chart: the overall standard
    deviation) or "rbar" (Xbar chart: from the average range); None is the default estimator.

    >>> lim = part_limits("i", y=np.array([1.0, 3.0, 2.0, 4.0]), base=np.ones(4, bool))
    >>> float(lim.cl[0]), round(float(lim.ucl[0] - lim.cl[0]), 4)
    (2.5, 4.4326)
    """
    k = y.size
    nan = _full(k, np.nan)
    work, info = y, {}
    sigma = nan
    if chart == "run":
        centre = _nanmedian(y[base]) if cl_given is None else float(cl_given)
        cl = mid = _full(k, centre)
    elif chart == "i":
        centre, s, info = _individuals(y, base, cl_given, screened, sigma_method or "mr")
        cl = mid = _full(k, centre)
        sigma = _full(k, s)
    elif chart == "mr":
        work = np.empty(k)
        work[0] = np.nan
        work[1:] = np.abs(np.diff(y))
        centre = _nanmean(work[base]) if cl_given is None else float(cl_given)
        cl = mid = _full(k, centre)
        sigma = _full(k, centre * (D4_MR - 1.0) / 3.0)
    elif chart == "t":
        work = y ** (1.0 / T_POWER)
        c_given = None if cl_given is None else float(cl_given) ** (1.0 / T_POWER)
        centre, s, info = _individuals(work, base, c_given, screened)
        mid = _full(k, centre)
        cl = _full(k, centre ** T_POWER)
        sigma = _full(k, s)
    elif chart == "c":
        centre = _nanmean(y[base]) if cl_given is None else float(cl_given)
        cl = mid = _full(k, centre)
        sigma = _full(k, np.sqrt(centre) if centre >= 0 else np.nan)
    elif chart in ("u", "up", "p", "pp"):
        centre = _ratio_centre(num, den, base) if cl_given is None else float(cl_given)
        cl = mid = _full(k, centre)
        spread = centre if chart in ("u", "up") else centre * (1.0 - centre)
        with np.errstate(divide="ignore", invalid="ignore"):
            sigma = np.sqrt(spread / den)
        if chart in ("up", "pp"):
            sigma_z, zinfo = _laney_sigma_z(y, centre, sigma, base, screened, categorical)
            sigma = sigma * sigma_z
            info = {"sigma_z": sigma_z, **zinfo}
    elif chart == "g":
        if cl_given is None:
            m, shown = _nanmean(y[base]), _nanmedian(y[base])
        else:
            m, shown = float(cl_given), 0.693 * float(cl_given)
        mid = _full(k, m)
        cl = _full(k, shown)
        sigma = _full(k, np.sqrt(m * (m + 1.0)) if m >= 0 else np.nan)
    elif chart == "xbar" and sigma_method == "rbar":
        s = range_sigma(rng, den, base)
        centre = _weighted_mean(y, den, base) if cl_given is None else float(cl_given)
        cl = mid = _full(k, centre)
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma = np.where(den > 1, s / np.sqrt(den), np.nan)
        info = {"sigma": s}
    elif chart == "xbar":
        sbar = pooled_sbar(sd, den, base)
        centre = _weighted_mean(y, den, base) if cl_given is None else float(cl_given)
        cl = mid = _full(k, centre)
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma = a3(den) * sbar / 3.0
        info = {"s_bar": sbar}
    elif chart == "r":
        # centre d2(n_i) * sigma (R-bar for equal subgroups), limits +/- 3 d3(n_i) * sigma
        if cl_given is None:
            s = range_sigma(rng, den, base)
            mid = per_size(d2, den) * s
        else:
            s = float(cl_given) / per_size(d2, den)
            mid = np.where(np.isfinite(s), float(cl_given), np.nan)
        cl = mid
        sigma = per_size(d3, den) * s
        info = {"sigma": float(np.nanmean(s)) if np.any(np.isfinite(s)) else float("nan")}
    elif chart == "s":
        sbar = pooled_sbar(sd, den, base) if cl_given is None else float(cl_given)
        cl = mid = _full(k, sbar)
        cc = c4(den)
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma = sbar * np.sqrt(1.0 - cc**2) / cc
        info = {"s_bar": sbar}
    else:  # pragma: no cover - guarded by spc()
        raise ValueError(chart)
    if chart == "run":
        lcl = ucl = lcl95 = ucl95 = nan
    else:
        if not np.isfinite(sigma).any():
            info["no_limits"] = _no_limits_reason(chart, work, base, den)
        sigma = np.where(np.isfinite(sigma), sigma, np.nan)
        lcl, ucl = sigma_lines(mid, sigma, 3.0, chart)
        lcl95, ucl95 = sigma_lines(mid, sigma, 2.0, chart)
        if chart == "mr":
            lcl = np.where(np.isnan(ucl), np.nan, 0.0)
    return PartLimits(y=work if chart == "mr" else y, cl=cl, lcl=lcl, ucl=ucl, lcl_95=lcl95,
                      ucl_95=ucl95, work_y=work, mid=mid, sigma=sigma, info=info)


def _no_limits_reason(chart: str, work: np.ndarray, base: np.ndarray,
                      den: np.ndarray | None) -> str:
    """Why a part has no control limits, in words a learner can act on."""
    values = work[base]
    if chart in ("xbar", "s", "r") and den is not None and not (den[base] > 1).any():
        return ("every subgroup has only one value, so the spread within subgroups cannot be "
                "worked out; for single values use an I chart (chart='i')")
    if chart in ("i", "t", "mr"):
        pairs = ~np.isnan(values[1:]) & ~np.isnan(values[:-1])
        if not pairs.any():
            return ("no two neighbouring points have a value, so there are no moving ranges "
                    "to estimate the variation from; fill in the gaps or use a run chart")
        if np.nanmax(values) == np.nanmin(values):
            return ("the values are all the same, so there is no variation to set limits "
                    "from")
    return "there are too few values in the baseline to estimate the variation from"


def _weighted_mean(means: np.ndarray, sizes: np.ndarray, base: np.ndarray) -> float:
    ok = base & ~np.isnan(means) & (sizes > 0)
    total = sizes[ok].sum()
    return float((means[ok] * sizes[ok]).sum() / total) if total > 0 else float("nan")


def pooled_sbar(sd: np.ndarray, sizes: np.ndarray, base: np.ndarray) -> float:
    """s-bar for Xbar/S charts: mean(s_i) when all subgroup sizes of the part are equal,
    otherwise the pooled sqrt(sum((n_i - 1) s_i^2) / sum(n_i - 1)) over the baseline.

    As in qicharts2, the pooled denominator sums ``n_i - 1`` over all baseline subgroups, so an
    empty subgroup counts -1.

    >>> pooled_sbar(np.array([1.0, 3.0]), np.array([5.0, 5.0]), np.ones(2, bool))
    2.0
    >>> round(pooled_sbar(np.array([1.0, 3.0]), np.array([2.0, 4.0]), np.ones(2, bool)), 4)
    2.6458
    """
    sizes_b, sd_b = sizes[base], sd[base]
    if np.unique(sizes).size <= 1:
        return _nanmean(sd_b)
    df = (sizes_b - 1.0).sum()
    ss = np.nansum((sizes_b - 1.0) * sd_b**2)
    return float(np.sqrt(ss / df)) if df > 0 else float("nan")


def _laney_sigma_z(y: np.ndarray, centre: float, sigma: np.ndarray, base: np.ndarray,
                   screened: bool, categorical: bool) -> tuple[float, dict]:
    """Laney's sigma_z from the baseline z-scores (moving ranges, or sd when x is categorical)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (y[base] - centre) / sigma[base]
    z = np.where(np.isfinite(z), z, np.nan)
    if categorical:
        zz = z[~np.isnan(z)]
        return (float(np.std(zz, ddof=1)) if zz.size > 1 else float("nan")), {}
    mr_bar, dropped = mean_moving_range(z, screened)
    return mr_bar / D2_MR, {"mean_abs_diff_z": mr_bar, "mr_screened_out": dropped}
