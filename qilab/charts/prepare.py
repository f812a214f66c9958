"""Checking and shaping the input of :func:`qilab.spc`: columns, numbers, periods, subgroups.

Rows with the same x form one subgroup, as in qicharts2 (spec section 1):

* with a denominator (P, U and their Laney versions; run, I and MR charts when ``n`` is
  given): ``y = sum(numerators) / sum(denominators)``, using the rows where both are present;
* C charts: the sum of the counts;
* Xbar, S and R charts: the mean, the standard deviation (n - 1), the range (largest minus
  smallest) and the number of values;
* other charts: the mean of the values.

Nothing is dropped or reordered silently: rows with a missing x are removed with a
:class:`~qilab.errors.QIWarning` that names them, unsorted periods are sorted with a warning,
and repeated periods are combined with a warning (except for Xbar and S charts, where
repeated x values are how subgroups are given).

>>> import pandas as pd
>>> p = prepare(pd.DataFrame({"week": [1, 2, 3], "cases": [4, 5, 6]}), "cases", "week", None, "run")
>>> p.y.tolist(), p.x.tolist()
([4.0, 5.0, 6.0], [1, 2, 3])
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import QIDataError, QIWarning

CHARTS: tuple[str, ...] = ("run", "i", "mr", "xbar", "s", "r", "t", "p", "pp", "c", "u", "up",
                           "g")
#: Charts that need a denominator.
NEEDS_N = frozenset({"p", "pp", "u", "up"})
#: Charts that may take a denominator (then y = numerator / denominator).
TAKES_N = NEEDS_N | {"run", "i", "mr"}
#: Charts whose values are counts (never negative).
COUNT_CHARTS = frozenset({"p", "pp", "u", "up", "c", "g"})
#: Charts whose subgroups are given by repeated x values.
SUBGROUP_CHARTS = frozenset({"xbar", "s", "r"})

DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y",
    "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%Y", "%Y-%m", "%b %Y", "%B %Y",
    "%d %b %Y", "%d %B %Y", "%b-%y", "%b-%Y",
)

_MAX_LISTED = 10


@dataclass(frozen=True)
class Prepared:
    """One entry per subgroup (plotted point), in time order."""

    x: np.ndarray
    y: np.ndarray
    num: np.ndarray | None      # summed numerators (charts with a denominator)
    den: np.ndarray | None      # summed denominators, or subgroup sizes for Xbar/S/R
    sd: np.ndarray | None       # subgroup standard deviations (Xbar/S/R)
    notes: list[str] | None
    x_kind: str                 # "position", "number", "date", "label" or "category"
    x_name: str | None
    y_name: str
    n_name: str | None
    rng: np.ndarray | None = None   # subgroup ranges, largest minus smallest (Xbar/S/R)

    @property
    def categorical(self) -> bool:
        """True when x is a categorical variable (funnel-style chart: no runs analysis)."""
        return self.x_kind == "category"


class _Rows:
    """Names rows as the user sees them: 1-based positions, plus index labels if custom."""

    def __init__(self, index: pd.Index | None) -> None:
        self.labels = None
        if index is not None and not (isinstance(index, pd.RangeIndex) and index.start == 0
                                      and index.step == 1):
            self.labels = index

    def name(self, i: int) -> str:
        if self.labels is None:
            return f"row {i + 1}"
        return f"row {i + 1} (index {self.labels[i]!r})"

    def names(self, idx: Sequence[int]) -> str:
        idx = list(idx)
        shown = ", ".join(str(i + 1) for i in idx[:_MAX_LISTED])
        more = f" and {len(idx) - _MAX_LISTED} more" if len(idx) > _MAX_LISTED else ""
        return f"row{'s' if len(idx) > 1 else ''} {shown}{more}"


def _column(data: pd.DataFrame | None, value: Any, role: str) -> tuple[Any, str | None]:
    """Look up ``value`` as a column of ``data`` (if it is a name) and return (values, name)."""
    if value is None:
        return None, None
    if isinstance(value, str):
        if data is None:
            raise QIDataError(f"{role}={value!r} names a column, but no data was given. Pass the "
                              f"table as data=..., or pass the values themselves.", field=role)
        if value not in data.columns:
            cols = ", ".join(repr(str(c)) for c in data.columns)
            raise QIDataError(f"There is no column {value!r} for {role}. The columns are: {cols}.",
                              column=value, field=role)
        return data[value], value
    if isinstance(value, pd.Series):
        return value, (str(value.name) if value.name is not None else None)
    return value, None


def _as_array(values: Any, role: str) -> np.ndarray | pd.Series:
    if isinstance(values, (pd.Series, pd.Index, pd.Categorical)):
        return values
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise QIDataError(f"{role} must be a column name or a list of values, one a row.",
                          field=role)
    return np.asarray(values) if not isinstance(values, np.ndarray) else values


def to_numbers(values: Any, name: str, rows: _Rows) -> np.ndarray:
    """Float array from a column; blanks become NaN, text is an error naming the row.

    >>> to_numbers(pd.Series([1, None, 3]), "y", _Rows(None)).tolist()
    [1.0, nan, 3.0]
    >>> to_numbers(pd.Series(["1", "n/a"]), "cost", _Rows(None))
    Traceback (most recent call last):
    ...
    qilab.errors.QIDataError: Column 'cost' has text in row 2 ('n/a'): enter a number or leave it blank.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "biuf":
        # plain numpy numbers or booleans: blanks are already NaN (floats) or impossible
        out = np.array(s.to_numpy(), dtype=float)
    elif pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        out = s.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = s.astype(object)
        blank = text.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(bool)
        missing = pd.isna(text).to_numpy(bool) | blank
        conv = pd.to_numeric(text.where(~blank, None).map(_bool_to_int), errors="coerce")
        out = conv.to_numpy(dtype=float, na_value=np.nan)
        bad = np.flatnonzero(np.isnan(out) & ~missing)
        if bad.size:
            i = int(bad[0])
            raise QIDataError(f"Column {name!r} has text in {rows.name(i)} ({text.iloc[i]!r}): "
                              "enter a number or leave it blank.", row=i + 1, column=name)
    if np.isinf(out).any():
        i = int(np.flatnonzero(np.isinf(out))[0])
        raise QIDataError(f"Column {name!r} has an infinite value in {rows.name(i)}: enter a "
                          "finite number or leave it blank.", row=i + 1, column=name)
    return out


def _bool_to_int(v: Any) -> Any:
    return int(v) if isinstance(v, (bool, np.bool_)) else v


def _check_values(chart: str, y: np.ndarray, n: np.ndarray | None, y_name: str,
                  n_name: str, rows: _Rows) -> None:
    """Chart-specific checks at row level (negative counts, p > 1, zero denominators, t <= 0)."""
    def fail(mask: np.ndarray, message: str, column: str) -> None:
        if not mask.any():
            return
        bad = np.flatnonzero(mask)
        if bad.size:
            i = int(bad[0])
            raise QIDataError(message.format(row=rows.name(i), rows=rows.names(bad)),
                              row=i + 1, column=column)

    with np.errstate(invalid="ignore"):
        if chart in COUNT_CHARTS:
            fail(y < 0, f"Column {y_name!r} has a negative count in {{row}}: a {chart.upper()} "
                 "chart counts events, so enter 0 or more.", y_name)
        if chart == "t":
            fail(y <= 0, f"Column {y_name!r} has a time of 0 or less in {{row}}: a T chart needs "
                 "the time between events to be more than 0.", y_name)
        if n is None:
            return
        fail(n < 0, f"Column {n_name!r} has a negative denominator in {{row}}: enter 1 or more.",
             n_name)
        fail(n == 0, f"Column {n_name!r} is 0 in {{row}}: a rate or proportion cannot be "
             "worked out from a denominator of 0. Enter the real denominator, or leave both "
             "numerator and denominator blank if there is no data.", n_name)
        fail(~np.isnan(y) & np.isnan(n), f"Column {n_name!r} is blank in {{row}} but "
             f"{y_name!r} is not: enter the denominator, or leave both blank.", n_name)
        if chart in ("p", "pp"):
            fail(y > n, f"In {{row}} the numerator {y_name!r} is bigger than the denominator "
                 f"{n_name!r}: a proportion cannot be above 1. Check the two columns are the "
                 "right way round.", y_name)


def _parse_dates(s: pd.Series, name: str, rows: _Rows) -> np.ndarray | None:
    """datetime64 array if the strings are dates in one format; None if they are not dates."""
    text = s.astype(str).str.strip()
    best, best_count, any_parsed = None, -1, np.zeros(len(text), bool)
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        ok = parsed.notna().to_numpy()
        if ok.all():
            return parsed.to_numpy(dtype="datetime64[ns]")
        any_parsed |= ok
        if ok.sum() > best_count:
            best, best_count = (fmt, ok), int(ok.sum())
    if not any_parsed.any():
        return None
    _, ok = best
    i, j = int(np.flatnonzero(ok)[0]), int(np.flatnonzero(~ok)[0])
    kind = "mixes date formats" if any_parsed[j] else "mixes dates and text"
    raise QIDataError(f"Column {name!r} {kind}: {rows.name(i)} has {text.iloc[i]!r} but "
                      f"{rows.name(j)} has {text.iloc[j]!r}. Write every date the same way, "
                      "for example 2024-01-31.", row=j + 1, column=name)


def _x_keys(x: Any, name: str, rows: _Rows) -> tuple[np.ndarray, np.ndarray, str]:
    """(sort keys, display values, kind) for non-missing x values."""
    s = x if isinstance(x, pd.Series) else pd.Series(x)
    if isinstance(s.dtype, np.dtype) and s.dtype.kind == "M":   # numpy dates: no time zone
        values = s.to_numpy(dtype="datetime64[ns]")
        return values.astype(np.int64), values, "date"
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(np.int64), s.to_numpy(object), "category"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        values = s.to_numpy(dtype="datetime64[ns]")
        return values.astype(np.int64), values, "date"
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        values = s.to_numpy()
        return values.astype(float), values, "number"
    obj = s.astype(object)
    if all(hasattr(v, "year") and hasattr(v, "month") for v in obj):
        values = pd.to_datetime(obj).to_numpy(dtype="datetime64[ns]")
        return values.astype(np.int64), values, "date"
    numeric = pd.to_numeric(obj, errors="coerce")
    if numeric.notna().all():
        values = numeric.to_numpy()
        return values.astype(float), values, "number"
    dates = _parse_dates(obj, name, rows)
    if dates is not None:
        return dates.astype(np.int64), dates, "date"
    labels = obj.astype(str).to_numpy(object)
    _, first, codes = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))       # code = rank of first appearance
    return order[codes].astype(np.int64), labels, "label"


def _group_sum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return np.add.reduceat(values, starts) if values.size else values


def prepare(data: Any, y: Any, x: Any, n: Any, chart: str, notes: Any = None) -> Prepared:
    """Validate the input and return one row per subgroup in time order (see module doc)."""
    frame = data if isinstance(data, pd.DataFrame) else None
    if frame is None and data is not None:
        if y is not None:
            raise QIDataError("data must be a table (pandas DataFrame); to pass plain values "
                              "use y=[...] without data.", field="data")
        y, data = data, None
    if y is None:
        raise QIDataError("Say which values to chart: y='column name' with data=..., or "
                          "y=[...] with the values.", field="y")
    y_raw, y_name = _column(frame, y, "y")
    x_raw, x_name = _column(frame, x, "x")
    n_raw, n_name = _column(frame, n, "n")
    notes_raw = _column(frame, notes, "notes")[0] if isinstance(notes, str) else None
    y_raw = _as_array(y_raw, "y")
    y_name = y_name or "y"
    rows = _Rows(frame.index if frame is not None else None)
    size = len(y_raw)
    for values, role in ((x_raw, "x"), (n_raw, "n")):
        if values is not None and len(_as_array(values, role)) != size:
            raise QIDataError(f"{role} has {len(values)} values but y has {size}: give one "
                              f"{role} value for every y value.", field=role)
    if size == 0:
        raise QIDataError(f"There is no data to chart: {y_name!r} has no rows.", column=y_name)
    yv = to_numbers(y_raw, y_name, rows)
    nv = None
    if n_raw is not None:
        if chart in TAKES_N:
            nv = to_numbers(_as_array(n_raw, "n"), n_name or "n", rows)
        else:
            warnings.warn(f"A {chart.upper()} chart does not use a denominator, so n was "
                          "ignored.", QIWarning, stacklevel=3)
    elif chart in NEEDS_N:
        raise QIDataError(f"A {chart.upper()} chart needs a denominator: give n='column name' "
                          "(for example the number of patients or days at risk).", field="n")
    n_name = n_name or "n"
    keep = np.ones(size, bool)
    x_keys = x_vals = None
    x_kind = "position"
    if x_raw is not None:
        xs = x_raw if isinstance(x_raw, pd.Series) else pd.Series(_as_array(x_raw, "x"))
        plain = isinstance(xs.dtype, np.dtype) and xs.dtype.kind in "Mf"
        if plain:       # numpy dates or floats: missing is NaT / NaN
            xv = xs.to_numpy()
            xmiss = np.isnat(xv) if xs.dtype.kind == "M" else np.isnan(xv)
        else:
            xmiss = pd.isna(xs).to_numpy(bool)
        if xmiss.any():
            where = np.flatnonzero(xmiss)
            if where.size == size:
                raise QIDataError(f"Column {x_name or 'x'!r} is blank in every row: fill in the "
                                  "periods or leave x out.", column=x_name or "x")
            warnings.warn(f"{rows.names(where).capitalize()} had no {x_name or 'x'} value and "
                          "were left out of the chart.", QIWarning, stacklevel=3)
            keep = ~xmiss
            xs = xs[keep]
        x_keys, x_vals, x_kind = _x_keys(xs if plain else xs.reset_index(drop=True),
                                         x_name or "x",
                                         _SubRows(rows, np.flatnonzero(keep)))
    idx = np.flatnonzero(keep)
    yv = yv[idx]
    nv = nv[idx] if nv is not None else None
    sub_rows = _SubRows(rows, idx)
    _check_values(chart, yv, nv, y_name, n_name, sub_rows)
    if np.isnan(yv).all():
        raise QIDataError(f"Column {y_name!r} has no numbers (every row is blank): there is "
                          "nothing to chart.", column=y_name)
    note_rows = None
    if notes_raw is not None:
        note_rows = pd.Series(notes_raw).astype(object).to_numpy(object)[idx]
    if x_keys is None:
        x_keys = np.arange(1, idx.size + 1)
        x_vals = x_keys.copy()
    return _aggregate(chart, x_keys, x_vals, x_kind, yv, nv, note_rows, x_name, y_name,
                      n_name if nv is not None else None, sub_rows)


class _SubRows(_Rows):
    """Row names for a subset of the rows, still numbered as in the user's data."""

    def __init__(self, rows: _Rows, idx: np.ndarray) -> None:
        self.rows, self.idx = rows, idx

    def name(self, i: int) -> str:
        return self.rows.name(int(self.idx[i]))

    def names(self, idx: Sequence[int]) -> str:
        return self.rows.names([int(self.idx[i]) for i in idx])


def _aggregate(chart: str, keys: np.ndarray, x_vals: np.ndarray, x_kind: str, y: np.ndarray,
               n: np.ndarray | None, notes: np.ndarray | None, x_name: str | None,
               y_name: str, n_name: str | None, rows: _SubRows) -> Prepared:
    """Sort by x (stable, with a warning) and combine rows with the same x."""
    if keys.size > 1 and np.any(keys[1:] < keys[:-1]):
        order = np.argsort(keys, kind="stable")
        if x_kind != "category":
            warnings.warn(f"The {x_name or 'x'} values were not in time order, so the rows "
                          "were sorted by them.", QIWarning, stacklevel=4)
        keys, x_vals, y = keys[order], x_vals[order], y[order]
        n = n[order] if n is not None else None
        notes = notes[order] if notes is not None else None
    new = np.ones(keys.size, bool)
    if keys.size:
        np.not_equal(keys[1:], keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    repeated = starts.size < keys.size
    if repeated and chart not in SUBGROUP_CHARTS and x_kind != "category":
        dup = np.flatnonzero(~new)
        warnings.warn(f"Some {x_name or 'x'} values appear in more than one row (first repeat: "
                      f"{x_vals[dup[0]]}); rows with the same value were combined into one "
                      "point.", QIWarning, stacklevel=4)
    num = den = sd = rng = None
    valid = ~np.isnan(y)
    if n is not None:
        valid &= ~np.isnan(n)
        if repeated:
            num = _group_sum(np.where(valid, y, 0.0), starts)
            den = _group_sum(np.where(valid, n, 0.0), starts)
            empty = _group_sum(valid.astype(float), starts) == 0
            num[empty] = np.nan
            den[empty] = np.nan
        else:
            num, den = np.where(valid, y, np.nan), np.where(valid, n, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = num / den
    elif not repeated and chart not in SUBGROUP_CHARTS:
        stat = y.copy()
    else:
        count = _group_sum(valid.astype(float), starts)
        total = _group_sum(np.where(valid, y, 0.0), starts)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / count
            if chart == "c":
                stat = np.where(count > 0, total, np.nan)
            else:
                stat = mean
            if chart in SUBGROUP_CHARTS:
                dev = np.where(valid, y - np.repeat(mean, np.diff(np.r_[starts, y.size])), 0.0)
                sd = np.sqrt(_group_sum(dev**2, starts) / (count - 1.0))
                sd = np.where(count > 1, sd, np.nan)
                rng = (np.maximum.reduceat(np.where(valid, y, -np.inf), starts)
                       - np.minimum.reduceat(np.where(valid, y, np.inf), starts))
                rng = np.where(count > 1, rng, np.nan)
                den = count
                if chart == "s":
                    stat = sd
                elif chart == "r":
                    stat = rng
    note_list = None
    if notes is not None:
        note_list = []
        for a, b in zip(starts, np.r_[starts[1:], keys.size]):
            parts = [str(v) for v in notes[a:b] if not pd.isna(v) and str(v).strip()]
            note_list.append(" | ".join(parts))
    return Prepared(x=x_vals[starts], y=stat, num=num, den=den, sd=sd, notes=note_list,
                    x_kind=x_kind, x_name=x_name, y_name=y_name, n_name=n_name, rng=rng)
