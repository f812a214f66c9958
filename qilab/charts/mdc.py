"""NHS England "Making Data Count" (MDC) charts and the BI summary, as NHSRplotthedots 0.2.2.

:func:`mdc` draws an XmR chart the Making Data Count way for one measure, or for thousands of
indicators at once (``facet=``): one numpy pass over all of them, with no Python loop per
indicator. The result's ``summary`` has one row per indicator (and rebase group) with its
latest value, mean, process limits, variation icon and assurance icon: the table a BI team
puts in front of a board.

The method (SPC spec, section 5):

* per facet and rebase group, ``mean`` is the mean of the values (of the first
  ``fix_after_n_points`` only, when given) and ``mR`` the moving ranges between consecutive
  points of the same set; with ``screen_outliers`` (the default) any moving range of at least
  3.267 times their mean is left out and the mean moving range worked out again, once;
* process limits are ``mean ± 2.66 × mean moving range``; near limits are two thirds of the
  way out;
* the four MDC rules (:mod:`qilab.charts.mdc_rules`) label every point; the point type says
  whether a special cause is an improvement or a concern given ``improvement_direction``;
* the variation icon is the type of the latest point; the assurance icon compares the target
  with the latest process limits.
"""
from __future__ import annotations

import html
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import QIDataError, QIWarning
from . import mdc_rules as _rules

__all__ = ["mdc", "MDCResult", "POINT_TYPES", "ASSURANCE_TYPES", "MDC_COLOURS"]

LIMIT = 2.66  # NHSRplotthedots: process limits at mean ± 2.66 mR-bar
LIMIT_CLOSE = 2 * (LIMIT / 3)  # near-limit band
SCREEN = 3.267  # moving ranges at or above 3.267 mR-bar are screened out
MIN_FIX = 12  # smallest fix_after_n_points NHSRplotthedots accepts
WARNING_THRESHOLD = 13  # groups with fewer points get trial limits (and a warning)

POINT_TYPES: tuple[str, ...] = ("common_cause", "special_cause_improvement",
                                "special_cause_concern", "special_cause_neutral_high",
                                "special_cause_neutral_low")
ASSURANCE_TYPES: tuple[str, ...] = ("consistent_pass", "consistent_fail", "inconsistent")
_SPECIAL_LABELS: tuple[str, ...] = (
    "Common Cause", "Below LCL", "Above UCL", "7 Point Trend (Decreasing)",
    "7 Point Trend (Increasing)", "2 in 3 Below CL", "2 in 3 Above CL", "7 Points Below CL",
    "7 Points Above CL")

#: Making Data Count colours: grey common cause, orange concern, blue improvement, purple
#: neutral.
MDC_COLOURS: dict[str, str] = {
    "common_cause": "#7F7F7F",
    "special_cause_improvement": "#005EB8",
    "special_cause_concern": "#ED8B00",
    "special_cause_neutral_high": "#7030A0",
    "special_cause_neutral_low": "#7030A0",
}
_DIRECTIONS = {"increase": 1, "decrease": -1, "neutral": 0}

Direction = Literal["increase", "decrease", "neutral"]


# ---------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class MDCResult:
    """A Making Data Count analysis: every point, and a summary row per facet and rebase group.

    ``points`` has one row per point in time order within each facet: ``facet``, ``date``,
    ``y``, ``mean``, ``lpl``, ``upl`` (lower/upper process limits), ``rebase_group`` (0, 1, …
    within each facet), ``point_type`` (one of :data:`POINT_TYPES`), ``special_cause_type`` (the
    NHSRplotthedots wording, for example "7 Points Below CL"), the rule flags
    ``outside_limits``, ``trend``, ``two_in_three``, ``shift``, and ``target`` when a target
    was given.

    ``summary`` has one row per facet and rebase group: ``facet``, ``rebase_group``,
    ``start``, ``end`` (first and last dates), ``n`` (points with a value), ``latest`` (the
    latest value), ``mean``, ``lpl``, ``upl``, ``target``, ``variation`` (the latest point's
    type: the variation icon), ``assurance`` (``consistent_pass``, ``consistent_fail``,
    ``inconsistent``, or missing when there is no target or the direction is neutral) and
    ``trial_limits`` (True for groups with fewer than 13 points).
    """

    points: pd.DataFrame
    summary: pd.DataFrame
    value: str
    date: str
    facet: str | None
    improvement_direction: Direction
    screen_outliers: bool
    fix_after_n_points: int | None

    # -- tables -------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The points table (a copy), one row per point."""
        return self.points.copy()

    @property
    def facets(self) -> list[Any]:
        """The facets in the order of the summary."""
        return list(pd.unique(self.summary["facet"]))

    def _facet_label(self, facet: Any | None) -> Any:
        facets = self.facets
        if facet is None:
            if len(facets) == 1:
                return facets[0]
            shown = ", ".join(map(str, facets[:5])) + (" …" if len(facets) > 5 else "")
            raise QIDataError(f"This result has {len(facets)} facets; choose one with "
                              f"facet=… (for example {shown}).", field="facet")
        if facet not in facets:
            raise QIDataError(f"Facet {facet!r} is not in this result. Facets are: "
                              f"{', '.join(map(str, facets[:20]))}"
                              f"{' …' if len(facets) > 20 else ''}.", field="facet")
        return facet

    def _facet_points(self, facet: Any) -> pd.DataFrame:
        return self.points[self.points["facet"] == facet]

    def _facet_summary(self, facet: Any) -> pd.DataFrame:
        return self.summary[self.summary["facet"] == facet]

    # -- words --------------------------------------------------------------------------------
    def explain(self, facet: Any | None = None) -> str:
        """Plain-English reading of the chart (one facet) or of the summary (many facets).

        >>> import pandas as pd
        >>> df = pd.DataFrame({"month": pd.date_range("2023-01-01", periods=14, freq="MS"),
        ...                    "waits": [5, 6, 5, 7, 6, 5, 6, 5, 7, 6, 5, 6, 5, 20]})
        >>> res = mdc(df, "waits", "month", improvement_direction="decrease")
        >>> print(res.explain())  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
        Making Data Count chart of waits: 14 points from 1 January 2023 to 1 February 2024.
        The latest point (1 February 2024: 20) shows special cause variation of concern: it is
        above the upper process limit of 9.82. Lower values are better. ...
        """
        if facet is None and len(self.facets) > 1:
            return _explain_many(self)
        label = self._facet_label(facet)
        return " ".join(_explain_one(self, label))

    def alt_text(self, facet: Any | None = None) -> str:
        """Short description for the figure's alt text: the first sentences of explain()."""
        if facet is None and len(self.facets) > 1:
            return _explain_many(self).split(". ")[0].rstrip(".") + "."
        label = self._facet_label(facet)
        return " ".join(_explain_one(self, label)[:2])

    # -- picture ------------------------------------------------------------------------------
    def plot(self, ax=None, facet: Any | None = None):
        """Draw the Making Data Count chart of one facet and return the matplotlib Axes."""
        label = self._facet_label(facet)
        return _plot_one(self, label, ax=ax)

    def _repr_html_(self) -> str:
        from ..display import show

        if len(self.facets) > 1:
            table = self.summary.to_html(index=False, na_rep="", float_format=_fmt)
            return (f"<div class='qilab-mdc'><p>{html.escape(self.explain())}</p>"
                    f"{table}</div>")
        shown = show(self.plot(), alt=self.alt_text())
        words = html.escape(self.explain())
        return f"<div class='qilab-mdc'>{shown._repr_html_()}<p>{words}</p></div>"


# ---------------------------------------------------------------------------------------------
# Input checking


def _row_names(index: pd.Index, positions: np.ndarray, limit: int = 10) -> str:
    labels = [str(index[p]) for p in positions[:limit]]
    more = f" and {len(positions) - limit} more" if len(positions) > limit else ""
    return ", ".join(labels) + more


def _numeric(series: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series.dtype):
        raise QIDataError(f"Column {name!r} holds true/false values, not numbers: give a "
                          "column of measurements.", column=name)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    converted = pd.to_numeric(series, errors="coerce")
    bad = np.flatnonzero(converted.isna().to_numpy() & series.notna().to_numpy())
    if bad.size:
        first = series.iloc[bad[0]]
        raise QIDataError(
            f"Column {name!r} has text where a number is needed: {first!r} in the row with "
            f"index {series.index[bad[0]]} (rows {_row_names(series.index, bad)}). Enter a "
            "number, or leave the cell blank if the value is missing (qilab.read_measures "
            "cleans '95.2%' and '1,234').", row=int(bad[0]), column=name)
    return converted.to_numpy(dtype=float, na_value=np.nan)


def _dates(series: pd.Series, name: str) -> np.ndarray:
    if isinstance(series.dtype, pd.PeriodDtype):
        series = series.dt.to_timestamp()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dtype, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        out = series.to_numpy()
    elif pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype):
        out = series.to_numpy()  # periods numbered 1, 2, 3 … are fine as an x axis
    else:
        try:
            converted = pd.to_datetime(series, errors="coerce", format="mixed", dayfirst=True)
        except (TypeError, ValueError):
            converted = pd.Series(pd.NaT, index=series.index)
        bad = np.flatnonzero(converted.isna().to_numpy() & series.notna().to_numpy())
        if bad.size:
            raise QIDataError(
                f"Column {name!r} has a value that is not a date: {series.iloc[bad[0]]!r} in "
                f"the row with index {series.index[bad[0]]}. Use dates such as 2024-01-31 "
                "(qilab.read_measures reads UK dates, month names and Excel serials).",
                row=int(bad[0]), column=name)
        out = converted.to_numpy()
    missing = np.flatnonzero(pd.isna(out))
    if missing.size:
        raise QIDataError(f"Column {name!r} is blank in the rows with index "
                          f"{_row_names(series.index, missing)}. Fill in the date, or remove "
                          "those rows.", row=int(missing[0]), column=name)
    return out


def _as_key(values: np.ndarray) -> np.ndarray:
    """Dates (or numbers) as an orderable numpy array for comparisons."""
    if np.issubdtype(values.dtype, np.datetime64):
        return values.astype("datetime64[ns]").view(np.int64)
    return values.astype(float)


def _check_direction(improvement_direction: str) -> int:
    if not isinstance(improvement_direction, str) or improvement_direction not in _DIRECTIONS:
        raise QIDataError(f"improvement_direction must be 'increase', 'decrease' or 'neutral', "
                          f"not {improvement_direction!r}.", field="improvement_direction")
    return _DIRECTIONS[improvement_direction]


def _check_fix(fix_after_n_points: Any) -> int | None:
    if fix_after_n_points is None:
        return None
    if isinstance(fix_after_n_points, bool) or not isinstance(fix_after_n_points,
                                                                (int, np.integer)):
        raise QIDataError(f"fix_after_n_points must be a whole number (12 or more), not "
                          f"{fix_after_n_points!r}.", field="fix_after_n_points")
    if fix_after_n_points < MIN_FIX:
        raise QIDataError(f"fix_after_n_points is {fix_after_n_points}, but limits need at "
                          f"least {MIN_FIX} points to be fixed: use 12 or more, or leave it "
                          "out to use every point.", field="fix_after_n_points")
    return int(fix_after_n_points)


def _date_values(values: Any, like: np.ndarray, what: str) -> np.ndarray:
    """Rebase dates as keys comparable with the chart's x values."""
    if isinstance(values, (str, pd.Timestamp)) or np.isscalar(values):
        values = [values]
    values = list(values)
    if np.issubdtype(like.dtype, np.datetime64):
        try:
            converted = pd.to_datetime(pd.Series(values, dtype=object), format="mixed")
        except (TypeError, ValueError) as exc:
            raise QIDataError(f"{what}: {values!r} are not all dates ({exc}). Give dates such "
                              "as '2024-04-01'.", field="rebase") from exc
        return _as_key(converted.to_numpy())
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise QIDataError(f"{what}: {values!r} must be values of the x column.",
                          field="rebase") from exc


# ---------------------------------------------------------------------------------------------
# The analysis


def mdc(data: pd.DataFrame, value: str, date: str, *, facet: str | None = None,
        rebase: Any = None, fix_after_n_points: int | None = None,
        improvement_direction: Direction = "increase", target: Any = None,
        screen_outliers: bool = True) -> MDCResult:
    """Making Data Count XmR analysis of one measure, or of many indicators at once.

    Parameters
    ----------
    data
        A tidy table: one row per period (per indicator when ``facet`` is given).
    value, date
        Columns holding the measure and its date (or period number).
    facet
        Column naming the indicator (or organisation…): each facet gets its own chart. Without
        it, the whole table is one chart and its facet is named after ``value``.
    rebase
        Where the process changed: a date or list of dates (each the FIRST point of a new
        period, applied to every facet that has it), a mapping ``{facet: dates}``, or the name
        of a column that is true on the first point of each new period.
    fix_after_n_points
        Work out the mean and limits from the first n points of each period only (n ≥ 12),
        then extend them; the rules still test every point.
    improvement_direction
        ``"increase"`` (higher is better), ``"decrease"`` or ``"neutral"``.
    target
        A number, a mapping ``{facet: number}``, or the name of a target column. Gives the
        assurance icon (not with a neutral direction).
    screen_outliers
        Leave out moving ranges of at least 3.267 times their mean before the limits are set
        (NHSRplotthedots default). ``False`` matches the NHS England Excel tool.

    Groups with fewer than 13 points raise a :class:`~qilab.QIWarning` (their limits are
    trial limits). Missing values are kept as gaps and reported with a warning.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"month": pd.date_range("2023-01-01", periods=15, freq="MS"),
    ...                    "seen_in_4h": [91, 92, 90, 93, 91, 92, 90, 91, 93, 92, 91, 90, 92,
    ...                                   91, 80]})
    >>> res = mdc(df, "seen_in_4h", "month", target=95)
    >>> res.summary[["n", "mean", "variation", "assurance"]].to_dict("records")[0]["variation"]
    'special_cause_concern'
    >>> str(res.summary["assurance"].iloc[0])
    'consistent_fail'
    """
    # ---- check the call ---------------------------------------------------------------------
    if not isinstance(data, pd.DataFrame):
        raise QIDataError(f"data must be a pandas DataFrame, not {type(data).__name__}.",
                          field="data")
    imp = _check_direction(improvement_direction)
    fix = _check_fix(fix_after_n_points)
    for role, col in (("value", value), ("date", date), ("facet", facet)):
        if col is not None and col not in data.columns:
            raise QIDataError(f"There is no column {col!r} (given as {role}=). The columns "
                              f"are: {', '.join(map(str, data.columns))}.", column=str(col))
    if len(data) == 0:
        raise QIDataError("The data has no rows: a chart needs at least two points.",
                          field="data")

    y_in = _numeric(data[value], value)
    if np.isnan(y_in).all():
        raise QIDataError(f"Column {value!r} has no values (every row is blank), so there is "
                          "nothing to chart.", column=value)
    x_in = _dates(data[date], date)

    if facet is None:
        codes = np.zeros(len(data), dtype=np.intp)
        uniques = pd.Index([value])
    else:
        fcol = data[facet]
        missing = np.flatnonzero(fcol.isna().to_numpy())
        if missing.size:
            raise QIDataError(f"Column {facet!r} is blank in the rows with index "
                              f"{_row_names(data.index, missing)}: name the facet in every "
                              "row.", row=int(missing[0]), column=facet)
        codes, uniques = pd.factorize(fcol, sort=True)

    # ---- put points in order: facet, then date ----------------------------------------------
    xkey_in = _as_key(x_in)
    n = y_in.size
    in_order = bool(np.all(codes[1:] >= codes[:-1])) if n > 1 else True
    if in_order and n > 1:
        same = codes[1:] == codes[:-1]
        in_order = bool(np.all(xkey_in[1:][same] > xkey_in[:-1][same]))
    if in_order:
        order = None
        y, x, xkey, fcode = y_in, x_in, xkey_in, codes
    else:
        order = np.lexsort((xkey_in, codes))
        y, x, xkey, fcode = y_in[order], x_in[order], xkey_in[order], codes[order]
        if n > 1:
            dup = np.flatnonzero((fcode[1:] == fcode[:-1]) & (xkey[1:] == xkey[:-1]))
            if dup.size:
                i = dup[0]
                rows = data.index[[order[i], order[i + 1]]]
                where = "" if facet is None else f" for {facet} {uniques[fcode[i]]!r}"
                raise QIDataError(
                    f"Date {x[i]} appears more than once{where} (rows with index "
                    f"{rows[0]} and {rows[1]}). Each facet needs one value per date: add up "
                    "or remove the repeated rows.", row=int(order[i + 1]), column=date)

    facet_start = np.ones(n, dtype=bool)
    facet_start[1:] = fcode[1:] != fcode[:-1]

    # ---- rebase groups ----------------------------------------------------------------------
    marker = _rebase_markers(data, rebase, x, xkey, fcode, uniques, order, facet)
    new_group = marker & ~facet_start
    csum = np.cumsum(new_group)
    facet_first = np.flatnonzero(facet_start)
    facet_id = np.cumsum(facet_start) - 1
    rebase_group = csum - csum[facet_first][facet_id]
    start = facet_start | new_group
    firsts = np.flatnonzero(start)
    seg = np.cumsum(start) - 1
    g = firsts.size
    lasts = np.r_[firsts[1:] - 1, n - 1]
    pos = np.arange(n) - firsts[seg]
    rows_per = lasts - firsts + 1

    # ---- centre line and limits per group ---------------------------------------------------
    has_y = ~np.isnan(y)
    in_fix = has_y if fix is None else has_y & (pos < fix)
    cnt = np.bincount(seg, weights=in_fix, minlength=g)
    total = np.bincount(seg, weights=np.where(in_fix, y, 0.0), minlength=g)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / cnt
    mr = np.full(n, np.nan)
    if n > 1:
        mr[1:] = np.abs(y[1:] - y[:-1])
    mr[start] = np.nan
    if fix is not None:
        mr[pos >= fix] = np.nan
    mr_ok = ~np.isnan(mr)
    mr0 = np.where(mr_ok, mr, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        amr = np.bincount(seg, weights=mr0, minlength=g) / np.bincount(seg, weights=mr_ok,
                                                                        minlength=g)
        if screen_outliers:
            keep = mr_ok & (mr < SCREEN * amr[seg])
            amr = (np.bincount(seg, weights=np.where(keep, mr, 0.0), minlength=g)
                   / np.bincount(seg, weights=keep, minlength=g))
    lpl = mean - LIMIT * amr
    upl = mean + LIMIT * amr
    mean_p, lpl_p, upl_p = mean[seg], lpl[seg], upl[seg]
    res = _rules._evaluate(y, mean_p, lpl_p, upl_p, start,
                           nlpl=(mean - LIMIT_CLOSE * amr)[seg],
                           nupl=(mean + LIMIT_CLOSE * amr)[seg])
    direction = res["direction"]

    # ---- point types ------------------------------------------------------------------------
    if imp == 0:
        ptype = np.where(direction > 0, 3, np.where(direction < 0, 4, 0)).astype(np.int8)
    else:
        v = direction * imp
        ptype = np.where(v > 0, 1, np.where(v < 0, 2, 0)).astype(np.int8)
    rule = res["rule"]
    sct = np.where(rule == 0, 0, 1 + (rule.astype(np.int8) - 1) * 2 + (direction > 0)).astype(
        np.int8)

    # ---- targets ----------------------------------------------------------------------------
    target_p = _targets(data, target, uniques, fcode, order, facet)

    # ---- tables -----------------------------------------------------------------------------
    facet_cat = pd.Categorical.from_codes(fcode, categories=uniques, validate=False)
    columns: dict[str, Any] = {
        "facet": facet_cat,
        "date": x,
        "y": y,
        "mean": mean_p,
        "lpl": lpl_p,
        "upl": upl_p,
        "rebase_group": rebase_group.astype(np.int32),
        "point_type": pd.Categorical.from_codes(ptype, categories=POINT_TYPES, validate=False),
        "special_cause_type": pd.Categorical.from_codes(sct, categories=_SPECIAL_LABELS,
                                                         validate=False),
        "outside_limits": res["outside_limits"],
        "trend": res["trend"],
        "two_in_three": res["two_in_three"],
        "shift": res["shift"],
    }
    if target_p is not None:
        columns["target"] = target_p
    points = pd.DataFrame(columns)

    # latest point with a value in each group (the last row when a group has none)
    last_valid = np.maximum.reduceat(np.where(has_y, np.arange(n), -1), firsts)
    last = np.where(last_valid >= firsts, last_valid, lasts)
    seg_target = target_p[last] if target_p is not None else np.full(g, np.nan)
    assurance = _assurance(seg_target, lpl, upl, imp)
    summary = pd.DataFrame({
        "facet": uniques.take(fcode[firsts]),
        "rebase_group": rebase_group[firsts].astype(np.int32),
        "start": x[firsts],
        "end": x[lasts],
        "n": np.bincount(seg, weights=has_y, minlength=g).astype(np.int64),
        "latest": y[last],
        "mean": mean,
        "lpl": lpl,
        "upl": upl,
        "target": seg_target,
        "variation": pd.Categorical.from_codes(ptype[last], categories=POINT_TYPES,
                                               validate=False),
        "assurance": pd.Categorical.from_codes(assurance, categories=ASSURANCE_TYPES,
                                               validate=False),
        "trial_limits": rows_per < WARNING_THRESHOLD,
    })

    _warn_missing(points, has_y, facet)
    _warn_short(summary, facet)
    return MDCResult(points=points, summary=summary, value=value, date=date, facet=facet,
                     improvement_direction=improvement_direction,
                     screen_outliers=bool(screen_outliers), fix_after_n_points=fix)


def _rebase_markers(data: pd.DataFrame, rebase: Any, x: np.ndarray, xkey: np.ndarray,
                    fcode: np.ndarray, uniques: pd.Index, order: np.ndarray | None,
                    facet: str | None) -> np.ndarray:
    """True at the first point of each new rebase group."""
    n = x.size
    if rebase is None:
        return np.zeros(n, dtype=bool)
    if isinstance(rebase, str) and rebase in data.columns:
        col = data[rebase]
        flags = col.fillna(False).to_numpy()
        try:
            flags = flags.astype(bool)
        except (TypeError, ValueError) as exc:
            raise QIDataError(f"Rebase column {rebase!r} must be true/false (or 1/0) on the "
                              "first point of each new period.", column=rebase) from exc
        return flags if order is None else flags[order]
    if isinstance(rebase, Mapping):
        marker = np.zeros(n, dtype=bool)
        lookup = {lab: i for i, lab in enumerate(uniques)}
        for key, dates in rebase.items():
            if key not in lookup:
                raise QIDataError(f"rebase names facet {key!r}, which is not in column "
                                  f"{facet!r}.", field="rebase")
            in_facet = fcode == lookup[key]
            keys = _date_values(dates, x, f"rebase dates for {key!r}")
            hit = in_facet & np.isin(xkey, keys)
            found = np.isin(keys, xkey[in_facet])
            if not found.all():
                _missing_rebase(keys[~found], x, f"facet {key!r}")
            marker |= hit
        return marker
    keys = _date_values(rebase, x, "rebase dates")
    found = np.isin(keys, xkey)
    if not found.all():
        _missing_rebase(keys[~found], x, "the data")
    return np.isin(xkey, keys)


def _missing_rebase(keys: np.ndarray, x: np.ndarray, where: str) -> None:
    if np.issubdtype(x.dtype, np.datetime64):
        shown = ", ".join(str(pd.Timestamp(int(k)).date()) for k in keys)
        lo, hi = pd.Timestamp(x.min()).date(), pd.Timestamp(x.max()).date()
    else:
        shown = ", ".join(_fmt(k) for k in keys)
        lo, hi = x.min(), x.max()
    raise QIDataError(f"Rebase date(s) {shown} are not dates of any point in {where} (dates "
                      f"run from {lo} to {hi}). A rebase date must be the date of the first "
                      "point of the new period.", field="rebase")


def _targets(data: pd.DataFrame, target: Any, uniques: pd.Index, fcode: np.ndarray,
             order: np.ndarray | None, facet: str | None) -> np.ndarray | None:
    """Target per point (NaN where a facet has none), or None without a target."""
    if target is None:
        return None
    if isinstance(target, str):
        if target not in data.columns:
            raise QIDataError(f"target {target!r} is not a column; give a number, a mapping "
                              f"{{facet: number}} or one of: {', '.join(map(str, data.columns))}.",
                              field="target")
        vals = _numeric(data[target], target)
        return vals if order is None else vals[order]
    if isinstance(target, (Mapping, pd.Series)):
        mapping = dict(target.items())
        unknown = [k for k in mapping if k not in set(uniques)]
        if unknown:
            raise QIDataError(f"target names facets that are not in the data: "
                              f"{', '.join(map(repr, unknown[:10]))}.", field="target")
        try:
            per_facet = np.array([mapping.get(u, np.nan) for u in uniques], dtype=float)
        except (TypeError, ValueError) as exc:
            raise QIDataError("Every target must be a number.", field="target") from exc
        return per_facet[fcode]
    if isinstance(target, (bool, np.bool_)) or not isinstance(target, (int, float, np.number)):
        raise QIDataError(f"target must be a number, a mapping {{facet: number}} or a column "
                          f"name, not {target!r}.", field="target")
    return np.full(fcode.size, float(target))


def _assurance(target: np.ndarray, lpl: np.ndarray, upl: np.ndarray, imp: int) -> np.ndarray:
    """Codes into ASSURANCE_TYPES (-1 = no assurance)."""
    if imp == 0:
        return np.full(target.size, -1, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        above, below = target > upl, target < lpl
    if imp > 0:
        code = np.where(above, 1, np.where(below, 0, 2))
    else:
        code = np.where(below, 1, np.where(above, 0, 2))
    return np.where(np.isnan(target), -1, code).astype(np.int8)


def _warn_missing(points: pd.DataFrame, has_y: np.ndarray, facet: str | None) -> None:
    missing = np.flatnonzero(~has_y)
    if not missing.size:
        return
    sample = points.iloc[missing[:10]]
    where = ", ".join((f"{f} " if facet is not None else "") + _fmt_date(d)
                      for f, d in zip(sample["facet"], sample["date"]))
    more = f" and {missing.size - 10} more" if missing.size > 10 else ""
    warnings.warn(f"{missing.size} point(s) have no value and are left as gaps ({where}{more}). "
                  "They never signal, and moving ranges next to them are left out.",
                  QIWarning, stacklevel=3)


def _warn_short(summary: pd.DataFrame, facet: str | None) -> None:
    short = summary[summary["trial_limits"]]
    if short.empty:
        return
    items = [(f"{f}, " if facet is not None else "") + f"period {int(r)} ({int(k)} points)"
             for f, r, k in zip(short["facet"].head(10), short["rebase_group"].head(10),
                                short["n"].head(10))]
    more = f" and {len(short) - 10} more" if len(short) > 10 else ""
    warnings.warn(f"{len(short)} group(s) have fewer than {WARNING_THRESHOLD} points, so their "
                  f"limits are trial limits: {'; '.join(items)}{more}. Recalculate the limits "
                  "when there are more points.", QIWarning, stacklevel=3)


# ---------------------------------------------------------------------------------------------
# Words


def _fmt(x: float) -> str:
    """A number for people: 1,546 / 95.2 / 0.142."""
    if x is None or (isinstance(x, float) and np.isnan(x)) or pd.isna(x):
        return "missing"
    x = float(x)
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        s = f"{x:.1f}"
    elif ax >= 1:
        s = f"{x:.2f}"
    else:
        s = f"{x:.3g}"
    if "." in s and "e" not in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _fmt_date(d: Any) -> str:
    if isinstance(d, (pd.Timestamp, np.datetime64)):
        t = pd.Timestamp(d)
        return f"{t.day} {t:%B %Y}"
    return f"period {_fmt(d)}" if isinstance(d, (int, float, np.number)) else str(d)


_VARIATION_WORDS = {
    "common_cause": "common cause variation",
    "special_cause_improvement": "special cause variation of improvement",
    "special_cause_concern": "special cause variation of concern",
    "special_cause_neutral_high": "special cause variation (high, neither good nor bad)",
    "special_cause_neutral_low": "special cause variation (low, neither good nor bad)",
}


def _run_back(values: np.ndarray, i: int, same) -> int:
    """How many points in a row, ending at i, satisfy same(prev, cur)."""
    k = 1
    while i - k >= 0 and same(values[i - k], values[i - k + 1]):
        k += 1
    return k


def _reason(pts: pd.DataFrame, i: int) -> str:
    """Why point i (position in the group's points) is special, in plain words."""
    row = pts.iloc[i]
    label = str(row["special_cause_type"])
    y = pts["y"].to_numpy(dtype=float)
    if label.startswith(("Above", "Below")):
        where = "above the upper" if label.startswith("Above") else "below the lower"
        lim = row["upl"] if label.startswith("Above") else row["lpl"]
        return f"it is {where} process limit of {_fmt(lim)}"
    if "Trend" in label:
        up = "Increasing" in label
        k = _run_back(y, i, (lambda a, b: b > a) if up else (lambda a, b: b < a))
        k = max(k, 7)
        return f"{k} points in a row are {'rising' if up else 'falling'}"
    side = np.sign(y - pts["mean"].to_numpy(dtype=float))
    if label.startswith("2 in 3"):
        high = "Above" in label
        return (f"2 of 3 points in a row are close to the {'upper' if high else 'lower'} "
                f"process limit (beyond two thirds of the way from the mean)")
    high = "Above" in label
    k = _run_back(side, i, lambda a, b: a == b and b != 0)
    return f"{k} points in a row are {'above' if high else 'below'} the mean of {_fmt(row['mean'])}"


_SCREENED = " after screening out unusually large moving ranges"


def _explain_one(res: MDCResult, label: Any) -> list[str]:
    pts = res._facet_points(label)
    summ = res._facet_summary(label)
    latest = summ.iloc[-1]
    grp = pts[pts["rebase_group"] == latest["rebase_group"]]
    name = res.value if res.facet is None else f"{res.value} for {label}"
    sentences = [f"Making Data Count chart of {name}: {len(pts)} points from "
                 f"{_fmt_date(pts['date'].iloc[0])} to {_fmt_date(pts['date'].iloc[-1])}."]
    has = np.flatnonzero(grp["y"].notna().to_numpy())
    i = has[-1] if has.size else len(grp) - 1
    ptype = str(grp["point_type"].iloc[i])
    when = f"{_fmt_date(grp['date'].iloc[i])}: {_fmt(grp['y'].iloc[i])}"
    if ptype == "common_cause":
        sentences.append(f"The latest point ({when}) shows common cause variation: it is inside "
                         "the process limits and not part of a run, trend or two-in-three "
                         "pattern.")
    else:
        sentences.append(f"The latest point ({when}) shows {_VARIATION_WORDS[ptype]}: "
                         f"{_reason(grp, i)}.")
    better = {"increase": "Higher values are better.", "decrease": "Lower values are better.",
              "neutral": "Neither higher nor lower values are better (neutral)."}
    sentences.append(better[res.improvement_direction])
    basis = (f"the first {res.fix_after_n_points} points"
             if res.fix_after_n_points and latest["n"] > res.fix_after_n_points
             else f"{int(latest['n'])} points")
    if pd.isna(latest["lpl"]):
        sentences.append(f"The mean is {_fmt(latest['mean'])}; there are no process limits "
                         "because the points do not vary enough (or there are too few).")
    else:
        sentences.append(f"The mean is {_fmt(latest['mean'])} and the process limits are "
                         f"{_fmt(latest['lpl'])} to {_fmt(latest['upl'])}, worked out from "
                         f"{basis}"
                         f"{_SCREENED if res.screen_outliers else ''}.")
    if len(summ) > 1:
        starts = ", ".join(_fmt_date(d) for d in summ["start"].iloc[1:])
        sentences.append(f"The process was rebased at {starts}, so the chart has {len(summ)} "
                         "periods, each with its own mean and limits; these figures are for "
                         "the latest one.")
    counts = pts["point_type"].value_counts()
    special = int(len(pts) - counts.get("common_cause", 0))
    if special:
        parts = [f"{int(counts[t])} {w}" for t, w in (
            ("special_cause_improvement", "of improvement"),
            ("special_cause_concern", "of concern"),
            ("special_cause_neutral_high", "high"), ("special_cause_neutral_low", "low"))
            if counts.get(t, 0)]
        plural = special != 1
        sentences.append(f"Across the chart, {special} point{'s' if plural else ''} "
                         f"show{'' if plural else 's'} special cause variation "
                         f"({', '.join(parts)}).")
    else:
        sentences.append("No point on the chart shows special cause variation.")
    assurance = latest["assurance"]
    tgt = latest["target"]
    if not pd.isna(tgt):
        t = _fmt(tgt)
        if pd.isna(assurance):
            sentences.append(f"The target is {t}; with a neutral direction there is no "
                             "assurance icon.")
        elif assurance == "consistent_fail":
            side = ("above the upper" if res.improvement_direction == "increase"
                    else "below the lower")
            sentences.append(f"The target of {t} lies {side} process limit, so the process "
                             "will consistently fail to meet it without change.")
        elif assurance == "consistent_pass":
            side = ("below the lower" if res.improvement_direction == "increase"
                    else "above the upper")
            sentences.append(f"The target of {t} lies {side} process limit, so the process "
                             "will consistently meet it.")
        else:
            sentences.append(f"The target of {t} lies between the process limits, so the "
                             "process will sometimes meet it and sometimes miss it "
                             "(inconsistent assurance).")
    if latest["trial_limits"]:
        sentences.append(f"With fewer than {WARNING_THRESHOLD} points these are trial limits: "
                         "recalculate them when there are more points.")
    return sentences


def _explain_many(res: MDCResult) -> str:
    latest = res.summary.groupby("facet", sort=False, observed=True).tail(1)
    k = len(latest)
    var = latest["variation"].value_counts()
    parts = [f"{int(var.get(t, 0))} {w}" for t, w in (
        ("special_cause_concern", "show special cause variation of concern"),
        ("special_cause_improvement", "show special cause variation of improvement"),
        ("special_cause_neutral_high", "show neutral special cause variation (high)"),
        ("special_cause_neutral_low", "show neutral special cause variation (low)"),
        ("common_cause", "show common cause variation")) if var.get(t, 0)]
    text = [f"Making Data Count summary of {res.value} for {k} indicators (column "
            f"{res.facet!r}). "
            f"At their latest point, {'; '.join(parts)}."]
    ass = latest["assurance"].value_counts()
    if ass.sum():
        text.append("Against their targets, " + "; ".join(
            f"{int(ass.get(t, 0))} {w}" for t, w in (
                ("consistent_fail", "will consistently fail without change"),
                ("consistent_pass", "will consistently pass"),
                ("inconsistent", "will sometimes pass and sometimes fail")) if ass.get(t, 0))
            + ".")
    trial = int(latest["trial_limits"].sum())
    if trial:
        text.append(f"{trial} have fewer than {WARNING_THRESHOLD} points in their latest "
                    "period, so their limits are trial limits.")
    text.append("Use .explain(facet=…) or .plot(facet=…) for one of them.")
    return " ".join(text)


# ---------------------------------------------------------------------------------------------
# Picture

_MARKERS = {  # shape differs by point type, so colour is never the only cue
    "common_cause": ("o", "Common cause"),
    "special_cause_improvement": ("D", "Special cause: improvement"),
    "special_cause_concern": ("X", "Special cause: concern"),
    "special_cause_neutral_high": ("^", "Special cause: high (neutral)"),
    "special_cause_neutral_low": ("v", "Special cause: low (neutral)"),
}
_TARGET_COLOUR = "#DA291C"
_ASSURANCE_ICON = {"consistent_pass": ("P", "#005EB8", "target consistently met"),
                   "consistent_fail": ("F", "#ED8B00", "target consistently missed"),
                   "inconsistent": ("?", "#7F7F7F", "target sometimes met, sometimes missed")}


def _variation_icon(ptype: str, imp: str) -> tuple[str, str, str]:
    """(letter, colour, meaning) for the variation icon."""
    if ptype == "common_cause":
        return "~", MDC_COLOURS[ptype], "common cause variation"
    if ptype.startswith("special_cause_neutral"):
        high = ptype.endswith("high")
        return ("H" if high else "L"), MDC_COLOURS[ptype], (
            f"special cause, {'high' if high else 'low'} (neutral)")
    improving = ptype == "special_cause_improvement"
    high = improving == (imp == "increase")
    kind = "improvement" if improving else "concern"
    return ("H" if high else "L"), MDC_COLOURS[ptype], (
        f"special cause of {kind}, {'high' if high else 'low'}")


def _draw_icon(ax, x: float, letter: str, colour: str) -> None:
    """A simple round badge with a letter, drawn in axes coordinates above the plot."""
    from matplotlib.patches import Circle

    badge = ax.inset_axes([x, 1.02, 0.075, 0.15])
    badge.set_aspect("equal")
    badge.add_patch(Circle((0.5, 0.5), 0.46, facecolor="white", edgecolor=colour, lw=2.5))
    badge.text(0.5, 0.5, letter, ha="center", va="center", fontsize=12, fontweight="bold",
               color=colour)
    badge.set_xlim(0, 1)
    badge.set_ylim(0, 1)
    badge.axis("off")


def _plot_one(res: MDCResult, label: Any, ax=None):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.8))
    pts = res._facet_points(label)
    summ = res._facet_summary(label)
    x = pts["date"].to_numpy()
    for g, grp in pts.groupby("rebase_group", sort=True, observed=True):
        gx = grp["date"].to_numpy()
        first = g == pts["rebase_group"].iloc[0]
        ax.plot(gx, grp["y"], color="#7F7F7F", lw=1.2, zorder=2)
        ax.plot(gx, grp["mean"], color="#231F20", lw=1.3, zorder=1,
                label="Mean" if first else None)
        ax.plot(gx, grp["upl"], color="#425563", lw=1.1, ls="--", zorder=1,
                label="Process limits" if first else None)
        ax.plot(gx, grp["lpl"], color="#425563", lw=1.1, ls="--", zorder=1)
    for ptype, (marker, name) in _MARKERS.items():
        sel = pts["point_type"] == ptype
        if sel.any():
            ax.scatter(pts.loc[sel, "date"], pts.loc[sel, "y"], marker=marker, s=46,
                       color=MDC_COLOURS[ptype], edgecolor="white", linewidth=0.6, zorder=3,
                       label=name)
    if "target" in pts and pts["target"].notna().any():
        ax.plot(x, pts["target"], color=_TARGET_COLOUR, lw=1.3, ls=":", zorder=1,
                label="Target")
    for start in summ["start"].iloc[1:]:
        ax.axvline(start, color="#AEB7BD", lw=0.8, ls="-.", zorder=0)

    latest = summ.iloc[-1]
    has = pts["y"].notna().to_numpy()
    last_type = str(pts["point_type"].to_numpy()[np.flatnonzero(has)[-1]
                                                 if has.any() else -1])
    letter, colour, meaning = _variation_icon(last_type, res.improvement_direction)
    _draw_icon(ax, 0.83, letter, colour)
    caption = f"Variation: {meaning}"
    if not pd.isna(latest["assurance"]):
        a_letter, a_colour, a_meaning = _ASSURANCE_ICON[str(latest["assurance"])]
        _draw_icon(ax, 0.92, a_letter, a_colour)
        caption += f"  |  Assurance: {a_meaning}"
    title = res.value if res.facet is None else f"{label}"
    ax.set_title(f"{title}\n", loc="left", fontsize=12)
    ax.text(0.0, 1.02, caption, transform=ax.transAxes, fontsize=8.5, va="bottom",
            color="#425563")
    ax.set_xlabel(res.date)
    ax.set_ylabel(res.value)
    ax.grid(axis="y", color="#E8EDEE", lw=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4, frameon=False,
              fontsize=8.5)
    if np.issubdtype(x.dtype, np.datetime64):
        ax.figure.autofmt_xdate()
    return ax
