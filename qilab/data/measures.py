"""Reading BI extracts of measures (CSV, Excel or a DataFrame) into one tidy table.

The tidy schema (one row per indicator, organisation and period):

=============== ============== ===========================================================
column          type           meaning
=============== ============== ===========================================================
``indicator``   text           what is measured ("A&E 4-hour performance")
``organisation`` text          who it is measured for (trust, ward, practice …)
``period``      datetime64     the period's date (months are their first day)
``value``       float          the measure; numerator / denominator when those are given
``numerator``   float          count of events, or missing when not given
``denominator`` float          count of opportunities, or missing when not given
=============== ============== ===========================================================

Rows are sorted by indicator, organisation and period. :func:`qilab.mdc` takes this table
directly: ``qilab.mdc(tidy, "value", "period", facet="indicator")``.
"""
from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import QIDataError, QIWarning

__all__ = ["read_measures", "SCHEMA"]

#: Column names of the tidy table, in order.
SCHEMA: tuple[str, ...] = ("indicator", "organisation", "period", "value", "numerator",
                           "denominator")

_BLANKS = {"", "na", "n/a", "nan", "null", "none", "-", "--", ".."}
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_MAX_SERIAL = 2958465  # 31 December 9999

_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)?(\.\d+)?([eE][+-]?\d+)?$")

_DATE_STYLES: list[tuple[str, re.Pattern[str], str]] = [
    ("ISO date (2024-01-31)",
     re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$"), "iso"),
    ("year-month (2024-01)", re.compile(r"^\d{4}-\d{1,2}$"), "ym"),
    ("day/month/year (31/01/2024)", re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-](\d{4}|\d{2})$"),
     "dmy"),
    ("month name and year (Jan 2024)", re.compile(r"^[A-Za-z]{3,9}[ \-]?(\d{4}|\d{2})$"),
     "mon"),
    ("day, month name and year (31 Jan 2024)",
     re.compile(r"^\d{1,2}[ \-][A-Za-z]{3,9}[ \-](\d{4}|\d{2})$"), "dmon"),
]


class _Rows:
    """How to name a row to the person who made the data.

    Methods take positions in the table being parsed (after blank rows are skipped) and
    name the rows as the person sees them: file row numbers (header = row 1), or index labels
    of a DataFrame.
    """

    def __init__(self, index: pd.Index, from_file: bool) -> None:
        self.index = index
        self.from_file = from_file
        self.orig = np.arange(len(index))

    def skip(self, mask: np.ndarray) -> None:
        self.orig = self.orig[~mask]

    def number(self, pos: int) -> int:
        p = int(self.orig[pos])
        return p + 2 if self.from_file else p

    def name(self, pos: int) -> str:
        p = int(self.orig[pos])
        if self.from_file:
            return f"row {p + 2}"
        return f"the row with index {_label(self.index[p])!r}"

    def names(self, positions: np.ndarray | list[int], limit: int = 10) -> str:
        orig = [int(self.orig[p]) for p in positions]
        if self.from_file:
            shown = ", ".join(str(p + 2) for p in orig[:limit])
            head = "row " if len(orig) == 1 else "rows "
        else:
            shown = ", ".join(repr(_label(self.index[p])) for p in orig[:limit])
            head = "the row with index " if len(orig) == 1 else "the rows with index "
        more = f" and {len(orig) - limit} more" if len(orig) > limit else ""
        return head + shown + more


def _label(label: Any) -> Any:
    """An index label as plain Python (11, not np.int64(11))."""
    return label.item() if isinstance(label, np.generic) else label


def read_measures(path_or_frame: str | os.PathLike | pd.DataFrame, *, period: str = "period",
                  value: str | None = "value", numerator: str | None = None,
                  denominator: str | None = None, indicator: str | None = "indicator",
                  organisation: str | None = "organisation", sheet: str | int | None = None,
                  dayfirst: bool = True) -> pd.DataFrame:
    """Read a BI extract into the tidy measures table (see the module's schema).

    ``path_or_frame`` is a ``.csv`` file, an Excel ``.xlsx`` file (``sheet`` = name or number,
    first sheet by default) or a DataFrame. Keyword arguments name its columns; names match
    ignoring case and spaces at either end. ``indicator`` and ``organisation`` are optional:
    when the default column is absent (or you pass ``None``) every row gets the value column's
    name as indicator and ``"All"`` as organisation.

    Cleaning:

    * numbers may have thousands separators ("1,234") or a per cent sign: "95.2%" is read as
      95.2, that is **per cents stay on the 0–100 scale**. (An Excel cell *formatted* as a per
      cent is stored as a fraction, 0.952, and is read as such.)
    * periods may be ISO dates (2024-01-31), UK dates (31/01/2024; ``dayfirst=False`` for
      US month/day order), months ("Jan 2024", "January 2024", "2024-01"; read as the first of
      the month), Excel date serials (45292 = 1 January 2024) or real Excel dates. One column
      must use one style.
    * with ``numerator`` and ``denominator``, ``value`` = numerator / denominator, a
      proportion from 0 to 1 (the ``value`` column is then not needed).

    Blank values are kept (as missing) and listed in a :class:`~qilab.QIWarning`; blank cells
    are "", "NA", "N/A", "-", ".." and the like.

    Bad input raises :class:`~qilab.QIDataError` naming the row and column and how to fix it.
    **Row numbers are as in the file: the header is row 1, the first data row is row 2** (in a
    spreadsheet these are the row numbers down the side, when the header is in row 1). For a
    DataFrame the row is named by its index label. Errors: a required column is missing (the
    columns found are listed), text in a number column, dates that cannot be read or mix
    styles, numerator greater than denominator, a zero or missing denominator, a blank period
    or name, and the same indicator, organisation and period twice.

    >>> import io, pandas as pd
    >>> csv = io.StringIO("indicator,organisation,period,value\\n"
    ...                   "4h,RQM,01/04/2024,95.2%\\n4h,RQM,01/05/2024,\\"1,234\\"\\n")
    >>> tidy = read_measures(pd.read_csv(csv, dtype=str))
    >>> tidy[["period", "value"]].to_dict("list")["value"]
    [95.2, 1234.0]
    >>> str(tidy["period"].iloc[1].date())
    '2024-05-01'
    """
    raw, rows, source = _load(path_or_frame, sheet)
    columns = _resolve_columns(raw, source, period=period, value=value, numerator=numerator,
                               denominator=denominator, indicator=indicator,
                               organisation=organisation)
    raw = _drop_empty_rows(raw, rows, source)

    n = len(raw)
    out: dict[str, Any] = {}
    for role, fill in (("indicator", value or "measure"), ("organisation", "All")):
        col = columns[role]
        if col is None:
            out[role] = pd.Series([fill] * n, index=raw.index, dtype="str")
        else:
            out[role] = _names(raw[col], col, rows)
    out["period"] = _parse_dates(raw[columns["period"]], columns["period"], rows, dayfirst)

    num_col, den_col = columns["numerator"], columns["denominator"]
    if num_col is not None:
        num = _parse_numbers(raw[num_col], num_col, rows)
        den = _parse_numbers(raw[den_col], den_col, rows)
        _check_fraction(num, den, num_col, den_col, rows)
        with np.errstate(invalid="ignore", divide="ignore"):
            val = num / den
        out["value"], out["numerator"], out["denominator"] = val, num, den
        blank = np.flatnonzero(np.isnan(num) & np.isnan(den))
        blank_cols = f"{num_col!r} and {den_col!r}"
    else:
        val = _parse_numbers(raw[columns["value"]], columns["value"], rows)
        out["value"] = val
        out["numerator"] = np.full(n, np.nan)
        out["denominator"] = np.full(n, np.nan)
        blank = np.flatnonzero(np.isnan(val))
        blank_cols = repr(columns["value"])
    if blank.size:
        warnings.warn(f"{blank.size} row(s) of {source} have no value in {blank_cols} "
                      f"({rows.names(blank)}). They are kept as missing values (gaps in a "
                      "chart); fill them in if the data exist.", QIWarning, stacklevel=2)

    tidy = pd.DataFrame({k: (v.to_numpy() if isinstance(v, pd.Series) else v)
                         for k, v in out.items()})[list(SCHEMA)]
    _check_duplicates(tidy, rows, columns)
    tidy = tidy.sort_values(["indicator", "organisation", "period"], kind="stable")
    return tidy.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Loading


def _load(src: Any, sheet: str | int | None) -> tuple[pd.DataFrame, _Rows, str]:
    if isinstance(src, pd.DataFrame):
        frame = src.copy()
        frame.columns = [str(c) for c in frame.columns]
        return frame, _Rows(frame.index, from_file=False), "the table"
    if not isinstance(src, (str, os.PathLike)):
        raise QIDataError(f"read_measures needs a file path or a DataFrame, not "
                          f"{type(src).__name__}.", field="path_or_frame")
    path = Path(src)
    if not path.exists():
        raise QIDataError(f"There is no file {path}. Check the name and folder.",
                          field="path_or_frame")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        frame = _read_excel(path, sheet)
    elif suffix in {".csv", ".txt"}:
        frame = _read_csv(path)
    elif suffix == ".xls":
        raise QIDataError(f"{path.name} is an old-style .xls workbook: open it in Excel and "
                          "save it as .xlsx (or CSV).", field="path_or_frame")
    else:
        raise QIDataError(f"{path.name} is not a CSV or Excel (.xlsx) file.",
                          field="path_or_frame")
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.reset_index(drop=True)
    return frame, _Rows(frame.index, from_file=True), path.name


def _read_csv(path: Path) -> pd.DataFrame:
    last: Exception | None = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                               skip_blank_lines=False, encoding=encoding)
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.EmptyDataError as exc:
            raise QIDataError(f"{path.name} is empty: it needs a header row and data rows.",
                              field="path_or_frame") from exc
        except pd.errors.ParserError as exc:
            raise QIDataError(f"{path.name} is not a well-formed CSV file ({exc}). Check for "
                              "stray commas or quotes on the line named.",
                              field="path_or_frame") from exc
    raise QIDataError(f"{path.name} is not a text file that can be read ({last}); save it as "
                      "CSV UTF-8.", field="path_or_frame")


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise QIDataError("Reading Excel files needs the openpyxl package.",
                          field="path_or_frame") from exc
    try:
        return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object,
                             engine="openpyxl")
    except (ValueError, KeyError, IndexError) as exc:
        if "not found" in str(exc) or isinstance(exc, (KeyError, IndexError)):
            try:
                names = pd.ExcelFile(path, engine="openpyxl").sheet_names
            except Exception:  # noqa: BLE001 - only used to improve the message
                names = []
            raise QIDataError(f"{path.name} has no sheet {sheet!r}. Its sheets are: "
                              f"{', '.join(map(repr, names))}.", field="sheet") from exc
        raise QIDataError(f"{path.name} could not be read as an Excel workbook ({exc}).",
                          field="path_or_frame") from exc
    except Exception as exc:  # zip/xml errors from a damaged or mislabelled file
        raise QIDataError(f"{path.name} could not be read as an Excel workbook ({exc}). Is it "
                          "really an .xlsx file?", field="path_or_frame") from exc


def _resolve_columns(raw: pd.DataFrame, source: str, **wanted: str | None
                     ) -> dict[str, str | None]:
    by_key = {}
    for c in raw.columns:
        by_key.setdefault(c.strip().lower(), c)
    found = ", ".join(repr(c) for c in raw.columns)
    defaults = {"indicator": "indicator", "organisation": "organisation"}
    if (wanted.get("numerator") is None) != (wanted.get("denominator") is None):
        missing = "denominator" if wanted.get("denominator") is None else "numerator"
        raise QIDataError(f"A numerator needs a denominator (and the other way round): pass "
                          f"{missing}='<column name>' too.", field=missing)
    out: dict[str, str | None] = {}
    for role, name in wanted.items():
        if name is None:
            out[role] = None
            continue
        col = by_key.get(str(name).strip().lower())
        if col is None:
            if role in defaults and name == defaults[role]:
                out[role] = None  # optional column, absent
                continue
            if role == "value" and wanted.get("numerator") and wanted.get("denominator"):
                out[role] = None  # value is computed
                continue
            raise QIDataError(f"{source} has no column {name!r} (the {role}). The columns "
                              f"found are: {found}. Rename the column, or pass "
                              f"{role}='<column name>'.", column=str(name))
        out[role] = col
    if out["numerator"] is None and out["value"] is None:
        raise QIDataError("Name a value column (value=…) or a numerator and denominator.",
                          field="value")
    return out


def _is_blank(series: pd.Series) -> np.ndarray:
    def blank(v: Any) -> bool:
        if v is None:
            return True
        if isinstance(v, float) and np.isnan(v):
            return True
        if v is pd.NaT or v is pd.NA:
            return True
        return isinstance(v, str) and v.strip().lower() in _BLANKS
    return np.fromiter((blank(v) for v in series.to_numpy(dtype=object)), dtype=bool,
                       count=len(series))


def _drop_empty_rows(raw: pd.DataFrame, rows: _Rows, source: str) -> pd.DataFrame:
    if raw.empty:
        raise QIDataError(f"{source} has a header but no data rows.", field="path_or_frame")
    empty = np.ones(len(raw), dtype=bool)
    for c in raw.columns:
        empty &= _is_blank(raw[c])
    if empty.all():
        raise QIDataError(f"{source} has no data: every row is blank.", field="path_or_frame")
    if empty.any():
        pos = np.flatnonzero(empty)
        warnings.warn(f"{pos.size} completely blank row(s) of {source} were skipped "
                      f"({rows.names(pos)}).", QIWarning, stacklevel=3)
        raw = raw[~empty]
        rows.skip(empty)
    return raw


# ---------------------------------------------------------------------------------------------
# Parsing


def _names(series: pd.Series, col: str, rows: _Rows) -> pd.Series:
    blank = _is_blank(series)
    if blank.any():
        pos = np.flatnonzero(blank)
        raise QIDataError(f"Column {col!r} is blank in {rows.names(pos)}. Fill in the name, "
                          "or remove the row.", row=rows.number(pos[0]), column=col)
    return series.map(lambda v: str(v).strip()).astype("str")


def _parse_numbers(series: pd.Series, col: str, rows: _Rows) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    values = series.to_numpy(dtype=object)
    out = np.full(len(values), np.nan)
    cache: dict[str, float] = {}
    for i, v in enumerate(values):
        if v is None or v is pd.NA or v is pd.NaT:
            continue
        if isinstance(v, bool):
            _bad_number(series, col, rows, i, v)
        if isinstance(v, (int, float, np.integer, np.floating)):
            out[i] = float(v)
            continue
        if isinstance(v, (datetime, date, pd.Timestamp)):
            _bad_number(series, col, rows, i, v)
        s = str(v)
        if s in cache:
            out[i] = cache[s]
            continue
        parsed = _number_from_text(s)
        if parsed is None:
            _bad_number(series, col, rows, i, v)
        cache[s] = parsed
        out[i] = parsed
    return out


def _number_from_text(s: str) -> float | None:
    t = s.strip().replace("\u00a0", "").replace(" ", "")
    if t.lower() in _BLANKS:
        return np.nan
    t = t.lstrip("£$€")
    if t.endswith("%"):
        t = t[:-1]
    if t.startswith("(") and t.endswith(")"):
        t = "-" + t[1:-1]
    if not t or not _NUMBER.match(t) or t in {"+", "-", "."}:
        return None
    try:
        return float(t.replace(",", ""))
    except ValueError:
        return None


def _bad_number(series: pd.Series, col: str, rows: _Rows, i: int, v: Any) -> None:
    pos = i
    hint = ""
    if isinstance(v, str) and re.match(r"^[+-]?\d+,\d{1,2}$", v.strip()):
        hint = " It looks like a decimal comma: use a full stop (1.5, not 1,5)."
    raise QIDataError(f"Column {col!r} has text where a number is needed: {v!r} in "
                      f"{rows.name(pos)}.{hint} Enter a number (1234, 1,234 and 95.2% are "
                      "fine) or leave the cell blank if the value is missing.",
                      row=rows.number(pos), column=col)


def _date_style(v: Any) -> str:
    if isinstance(v, (pd.Timestamp, datetime, date, np.datetime64)):
        return "datetime"
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return "serial"
    s = str(v).strip()
    if re.fullmatch(r"\d+(\.0+)?", s):
        return "serial"
    for _, pattern, key in _DATE_STYLES:
        if pattern.match(s):
            return key
    return "unknown"


_STYLE_NAMES = {key: label for label, _, key in _DATE_STYLES} | {
    "datetime": "spreadsheet date", "serial": "Excel date serial (45292)"}


def _parse_dates(series: pd.Series, col: str, rows: _Rows, dayfirst: bool) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        blank = series.isna().to_numpy()
        if blank.any():
            pos = np.flatnonzero(blank)
            raise QIDataError(f"Column {col!r} is blank in {rows.names(pos)}. Fill in the "
                              "period, or remove the row.", row=rows.number(pos[0]), column=col)
        s = series.dt.tz_localize(None) if getattr(series.dtype, "tz", None) else series
        return s.to_numpy().astype("datetime64[ns]")
    values = series.to_numpy(dtype=object)
    blank = _is_blank(series)
    if blank.any():
        pos = np.flatnonzero(blank)
        raise QIDataError(f"Column {col!r} is blank in {rows.names(pos)}. Fill in the period, "
                          "or remove the row.", row=rows.number(pos[0]), column=col)
    styles = np.array([_date_style(v) for v in values], dtype=object)
    unknown = np.flatnonzero(styles == "unknown")
    if unknown.size:
        i = unknown[0]
        pos = i
        raise QIDataError(f"Column {col!r} has a period that is not a date: {values[i]!r} in "
                          f"{rows.name(pos)}. Use 2024-01-31, 31/01/2024, Jan 2024 or "
                          "2024-01.", row=rows.number(pos), column=col)
    kinds = [k for k in dict.fromkeys(styles) if k not in {"datetime", "serial"}]
    if len(kinds) > 1 or (kinds and len(set(styles)) > 1):
        first_kind = styles[0]
        other = np.flatnonzero(styles != first_kind)[0]
        pos0 = 0
        pos1 = other
        raise QIDataError(
            f"Column {col!r} mixes date styles: {values[0]!r} in {rows.name(pos0)} is a "
            f"{_STYLE_NAMES[first_kind]} but {values[other]!r} in {rows.name(pos1)} is a "
            f"{_STYLE_NAMES[styles[other]]}. Use one style for the whole column (ISO "
            "2024-01-31 is safest).", row=rows.number(pos1), column=col)

    out = np.empty(len(values), dtype="datetime64[ns]")
    cache: dict[Any, np.datetime64] = {}
    for i, v in enumerate(values):
        key = v if not isinstance(v, (list, dict)) else str(v)
        if key in cache:
            out[i] = cache[key]
            continue
        parsed = _one_date(v, styles[i], dayfirst)
        if parsed is None:
            pos = i
            why = ""
            if styles[i] == "dmy":
                why = (" The day and month do not fit day/month/year order; if the file uses "
                       "US month/day order, pass dayfirst=False." if dayfirst else
                       " The month and day do not fit month/day/year order; for UK "
                       "day/month order, leave dayfirst=True.")
            elif styles[i] == "serial":
                why = " Numbers in a date column are read as Excel date serials (1 to 2958465)."
            raise QIDataError(f"Column {col!r} has a date that cannot be read: {v!r} in "
                              f"{rows.name(pos)}.{why}", row=rows.number(pos), column=col)
        cache[key] = parsed
        out[i] = parsed
    return out


_MONTH_FORMATS = ("%b %Y", "%B %Y", "%b-%Y", "%B-%Y", "%b %y", "%b-%y", "%B %y", "%B-%y",
                  "%b%Y", "%B%Y", "%b%y")
_DMON_FORMATS = ("%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%B-%Y", "%d %b %y", "%d-%b-%y",
                 "%d %B %y", "%d-%B-%y")


def _one_date(v: Any, style: str, dayfirst: bool) -> np.datetime64 | None:
    try:
        if style == "datetime":
            return np.datetime64(pd.Timestamp(v).tz_localize(None), "ns")
        if style == "serial":
            n = float(v)
            if not (1 <= n <= _MAX_SERIAL) or n != int(n):
                return None
            return np.datetime64(_EXCEL_EPOCH + pd.Timedelta(days=int(n)), "ns")
        s = str(v).strip()
        if style == "iso":
            return np.datetime64(pd.Timestamp(datetime.fromisoformat(s.replace(" ", "T"))), "ns")
        if style == "ym":
            y, m = s.split("-")
            return np.datetime64(pd.Timestamp(int(y), int(m), 1), "ns")
        if style == "dmy":
            a, b, c = re.split(r"[/.-]", s)
            day, month = (int(a), int(b)) if dayfirst else (int(b), int(a))
            year = int(c) + (2000 if len(c) == 2 else 0)
            return np.datetime64(pd.Timestamp(year, month, day), "ns")
        formats = _MONTH_FORMATS if style == "mon" else _DMON_FORMATS
        for fmt in formats:
            try:
                return np.datetime64(pd.Timestamp(datetime.strptime(s, fmt)), "ns")
            except ValueError:
                continue
        return None
    except (ValueError, OverflowError, TypeError):
        return None


def _check_fraction(num: np.ndarray, den: np.ndarray, num_col: str, den_col: str,
                    rows: _Rows) -> None:
    def fail(mask: np.ndarray, message: Callable[[str], str], col: str) -> None:
        if mask.any():
            positions = np.flatnonzero(mask)
            raise QIDataError(message(rows.names(positions)), row=rows.number(positions[0]),
                              column=col)

    with np.errstate(invalid="ignore"):
        fail(~np.isnan(num) & np.isnan(den),
             lambda r: f"Column {den_col!r} is blank but {num_col!r} is not ({r}): a rate "
                       "needs its denominator. Fill it in, or blank the numerator too.",
             den_col)
        fail(np.isnan(num) & ~np.isnan(den),
             lambda r: f"Column {num_col!r} is blank but {den_col!r} is not ({r}). Fill in "
                       "the numerator (0 if there were no events), or blank the denominator.",
             num_col)
        fail(den == 0,
             lambda r: f"Column {den_col!r} is 0 in {r}: a proportion cannot be worked out "
                       "from a zero denominator. Leave both cells blank if there was no "
                       "activity, or correct the count.", den_col)
        fail(den < 0, lambda r: f"Column {den_col!r} is negative in {r}: counts cannot be "
                                "negative.", den_col)
        fail(num < 0, lambda r: f"Column {num_col!r} is negative in {r}: counts cannot be "
                                "negative.", num_col)
        fail(num > den,
             lambda r: f"Column {num_col!r} is larger than {den_col!r} in {r}: the numerator "
                       "counts events among the denominator, so it cannot be larger. Check "
                       "whether the two columns are swapped.", num_col)


def _check_duplicates(tidy: pd.DataFrame, rows: _Rows, columns: dict[str, str | None]) -> None:
    keys = ["indicator", "organisation", "period"]
    dup = tidy.duplicated(keys, keep=False).to_numpy()
    if not dup.any():
        return
    first = tidy[dup].iloc[0]
    same = np.flatnonzero(dup & (tidy["indicator"] == first["indicator"]).to_numpy()
                          & (tidy["organisation"] == first["organisation"]).to_numpy()
                          & (tidy["period"] == first["period"]).to_numpy())
    raise QIDataError(
        f"The same indicator, organisation and period appear more than once: "
        f"{first['indicator']!r}, {first['organisation']!r}, "
        f"{pd.Timestamp(first['period']).date()} in {rows.names(same)}. Keep one row per "
        "period (add the rows up, or remove the repeat).",
        row=rows.number(same[0]), column=columns["period"])
