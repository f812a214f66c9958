"""Run charts and control charts: :func:`spc` and its result, :class:`SPCResult`.

The maths follows qicharts2 0.8.1 (spec: ``shared/reference/spc-spec.md``); the rule sets are

* ``"anhoej"`` (default, as qicharts2): runs analysis with the Anhøj rules (unusually long
  run, unusually few crossings) plus points outside the 3-sigma limits. Point columns:
  ``runs_signal`` (the part's runs signal, on every included point of the part) and
  ``longest_run_point`` (useful points in a run longer than the limit).
* ``"ihi"``: the IHI / Provost and Murray run-chart rules. Point columns: ``shift``,
  ``trend``, ``runs_too_few`` and ``runs_too_many``. The fourth IHI rule, the astronomical
  point, is a judgement and is left to the reader (:meth:`SPCResult.explain` says so). See
  :mod:`qilab.charts.runs`.
* ``"western_electric"``, ``"provost_murray"`` and ``"nelson"`` (the eight Nelson rules, as qcc
  and Minitab use them): control-chart rules, see :mod:`qilab.charts.shewhart_rules` for the
  columns.
* ``"mdc"``: NHS England's Making Data Count rules (:mod:`qilab.charts.mdc_rules`). Point
  columns: ``outside_limits``, ``two_in_three``, ``trend``, ``shift`` and ``direction``.

Every rule set also has ``sigma_signal`` (a point outside the 3-sigma limits). In the parts
table, ``runs_signal`` is True when a pattern rule of the rule set in force fired in the part
(Anhøj: long run or few crossings; IHI: shift, trend, too few or too many runs; Western
Electric / Provost & Murray / Nelson / MDC: any rule other than the 3-sigma rule). The Anhøj
statistics (``longest_run``, ``n_crossings`` and their limits) are reported for every rule set.

>>> r = spc(y=[5, 6, 5, 7, 6, 5, 6, 7, 9, 9, 10, 9, 10, 11, 10, 9])
>>> row = r.parts.iloc[0]
>>> int(row["n_useful"]), int(row["longest_run"]), int(row["longest_run_max"]), bool(row["runs_signal"])
(16, 8, 7, True)
"""
from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import QIDataError, QIWarning
from .limits import part_limits, sigma_lines
from .prepare import CHARTS, Prepared, prepare
from .runs import (
    IHI_SHIFT,
    IHI_TREND,
    anhoej,
    anhoej_can_fire,
    runs_limits,
    shift_points,
    trend_points,
)
from .shewhart_rules import MIN_POINTS, NELSON, PROVOST_MURRAY, WESTERN_ELECTRIC, shewhart_flags

RULE_SETS: tuple[str, ...] = ("anhoej", "ihi", "western_electric", "provost_murray", "nelson",
                              "mdc")
#: Rule sets that test control-chart zones (they need limits).
SHEWHART_SETS: tuple[str, ...] = ("western_electric", "provost_murray", "nelson")
RULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "anhoej": ("runs_signal", "longest_run_point"),
    "ihi": ("shift", "trend", "runs_too_few", "runs_too_many"),
    "western_electric": WESTERN_ELECTRIC,
    "provost_murray": PROVOST_MURRAY,
    "nelson": NELSON,
    "mdc": ("outside_limits", "two_in_three", "trend", "shift", "direction"),
}
CHART_NAMES: dict[str, str] = {
    "run": "run chart", "i": "I chart (individuals)", "mr": "MR chart (moving ranges)",
    "xbar": "Xbar chart (subgroup means)", "s": "S chart (subgroup standard deviations)",
    "r": "R chart (subgroup ranges)",
    "t": "T chart (time between events)", "p": "P chart (proportions)",
    "pp": "P′ chart (Laney proportions)", "c": "C chart (counts)", "u": "U chart (rates)",
    "up": "U′ chart (Laney rates)", "g": "G chart (cases between events)",
}
RULE_NAMES: dict[str, str] = {
    "anhoej": "Anhøj rules", "ihi": "IHI run chart rules",
    "western_electric": "Western Electric rules", "provost_murray": "Provost and Murray rules",
    "nelson": "Nelson rules", "mdc": "Making Data Count rules",
}
_IMPROVEMENT = {None: 0, "increase": 1, "decrease": -1, "neutral": 0}
#: How sigma can be estimated, per chart; the first is the default.
SIGMA_METHODS: dict[str, tuple[str, ...]] = {"i": ("mr", "sd"), "xbar": ("sbar", "rbar")}


@dataclass(frozen=True)
class SPCResult:
    """A run chart or control chart: one row per point, one row per part, and its rules.

    ``points`` columns: ``x, y, n, cl, lcl, ucl, lcl_95, ucl_95, part, baseline, include,
    sigma_signal`` and the rule columns of the rule set (see :mod:`qilab.charts.spc`).
    ``parts`` columns: ``part, n_obs, n_useful, longest_run, longest_run_max, n_crossings,
    n_crossings_min, runs_signal, n_sigma_signals, cl`` (and, for IHI rules, ``n_runs,
    runs_lower, runs_upper``).

    >>> r = spc(y=[3, 4, 5, 4, 3, 4, 5, 4, 3, 4], chart="i")
    >>> r.chart, r.rules, int(r.points["sigma_signal"].sum())
    ('i', 'anhoej', 0)
    """

    chart: str
    rules: str
    points: pd.DataFrame
    parts: pd.DataFrame
    title: str | None = None
    notes: Mapping[int, str] = field(default_factory=dict)
    target: float | None = None
    multiply: float = 1.0
    x_name: str | None = None
    y_name: str = "y"
    x_kind: str = "position"
    improvement_direction: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the points table."""
        return self.points.copy()

    def plot(self, ax: Any = None, *, show_95: bool = False) -> Any:
        """Draw the chart on ``ax`` (a new figure if None) and return the Axes."""
        from .plot import plot_spc

        return plot_spc(self, ax=ax, show_95=show_95)

    def explain(self) -> str:
        """Plain-English account of the chart, naming the rule set and what fired."""
        from .explain import explain

        return explain(self)

    def alt_text(self) -> str:
        """Short description for a figure's alt text (the first sentences of explain)."""
        from .explain import alt_text

        return alt_text(self)

    def _repr_html_(self) -> str:
        import html

        from ..display import show

        shown = show(self.plot(), alt=self.alt_text())
        return shown._repr_html_() + f"<p>{html.escape(self.explain())}</p>"


def _check_choice(value: Any, choices: Sequence[str], what: str) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else value
    if text not in choices:
        raise QIDataError(f"Unknown {what} {value!r}. Choose one of: {', '.join(choices)}.",
                          field=what.replace(" ", "_"))
    return text


def _position_list(value: Any, name: str, k: int, upper: int) -> list[int]:
    """1-based positions as ints, each between 1 and ``upper``."""
    items = [value] if isinstance(value, numbers.Number) else list(value)
    out = []
    for v in items:
        if isinstance(v, bool) or not isinstance(v, numbers.Number) or float(v) != int(v):
            raise QIDataError(f"{name} must be whole-number point positions (1 = the first "
                              f"point); got {v!r}.", field=name)
        p = int(v)
        if not 1 <= p <= upper:
            raise QIDataError(f"{name} position {p} is outside the chart: it has {k} points, "
                              f"so use a position from 1 to {upper}.", field=name)
        out.append(p)
    return sorted(set(out))


def _layout(k: int, freeze: Any, part: Any, exclude: Any) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """Part number, baseline and include flags for each of the k points."""
    part_id = np.ones(k, dtype=np.int64)
    if part is not None:
        if k < 2:
            raise QIDataError("A chart with one point cannot be split into parts.", field="part")
        for p in _position_list(part, "part", k, k - 1):
            part_id[p:] += 1
    baseline = np.ones(k, bool)
    if freeze is not None:
        if part is not None:
            warnings.warn("freeze was ignored because part was given (as in qicharts2): each "
                          "part uses all its points for its lines.", QIWarning, stacklevel=3)
        else:
            f = _position_list(freeze, "freeze", k, k)
            if len(f) != 1:
                raise QIDataError("freeze is one position: the last point of the baseline.",
                                  field="freeze")
            baseline[f[0]:] = False
    include = np.ones(k, bool)
    if exclude is not None:
        include[np.array(_position_list(exclude, "exclude", k, k), dtype=int) - 1] = False
    return part_id, baseline, include


def _known_cl(cl: Any, n_parts: int) -> list[float | None]:
    if cl is None:
        return [None] * n_parts
    values = [cl] if isinstance(cl, numbers.Number) else list(cl)
    if len(values) == 1:
        values = values * n_parts
    if len(values) != n_parts or not all(isinstance(v, numbers.Number) and np.isfinite(v)
                                         for v in values):
        raise QIDataError(f"cl must be one number, or one number per part ({n_parts}).",
                          field="cl")
    return [float(v) for v in values]


def _notes(notes: Any, prep: Prepared, k: int) -> dict[int, str]:
    if notes is None:
        return {}
    if isinstance(notes, str):
        return {i + 1: t for i, t in enumerate(prep.notes or []) if t}
    if isinstance(notes, Mapping):
        out = {}
        for pos, text in notes.items():
            p = _position_list(pos, "notes", k, k)[0]
            out[p] = str(text)
        return out
    items = list(notes)
    if len(items) != k:
        raise QIDataError(f"notes has {len(items)} entries but the chart has {k} points: give "
                          "one note per point (blank for none) or a dict {position: text}.",
                          field="notes")
    return {i + 1: str(t) for i, t in enumerate(items)
            if t is not None and not pd.isna(t) and str(t).strip()}


def spc(data: Any = None, y: Any = None, x: Any = None, n: Any = None, chart: str = "run", *,
        freeze: int | None = None, part: int | Sequence[int] | None = None,
        exclude: Sequence[int] | None = None, screened_mr: bool = True,
        rules: str | None = None, multiply: float = 1, cl: float | Sequence[float] | None = None,
        target: float | None = None, title: str | None = None, notes: Any = None,
        improvement_direction: str | None = None, sigma: str | None = None) -> SPCResult:
    """Make a run chart or control chart and test it for signals.

    ``y``, ``x`` and ``n`` are column names of ``data`` or lists of values. Rows with the same
    x form one subgroup. ``freeze`` (last baseline point), ``part`` (points after which a new
    part starts) and ``exclude`` are 1-based point positions, as in qicharts2. ``cl`` is a
    known centre line on the unmultiplied scale; ``target`` is drawn as given.
    ``improvement_direction`` ("increase", "decrease" or None) only colours MDC signals.

    ``sigma`` chooses how sigma is estimated where there is a choice. Xbar charts: "sbar"
    (default, as qicharts2: from the subgroup standard deviations) or "rbar" (qcc's default:
    the mean of R_i / d2(n_i), with d2 to three decimals). I charts: "mr" (default: the average
    moving range / 1.128) or "sd", the standard deviation of all the baseline points, as a
    spreadsheet would do it. "sd" is wrong for SPC: a shift or trend inflates the standard
    deviation, so the limits widen and hide the very signals they are for; it is there so that
    learners can see why control limits are not "3 standard deviations".

    >>> r = spc(y=[12, 14, 11, 13, 12, 15, 13, 12, 14, 30], chart="i")
    >>> r.points["sigma_signal"].tolist()[-1]
    True
    >>> print(r.explain().split(". ")[0])
    This I chart (individuals) of 10 points uses the Anhøj rules and the 3-sigma rule
    """
    chart = _check_choice(chart, CHARTS, "chart")
    rules = _check_choice("anhoej" if rules is None else rules, RULE_SETS, "rule set")
    if chart == "run" and rules in (*SHEWHART_SETS, "mdc"):
        raise QIDataError(f"The {RULE_NAMES[rules]} need control limits, which a run chart does "
                          "not have. Use rules='anhoej' or 'ihi', or choose a control chart "
                          "such as chart='i'.", field="rules")
    if improvement_direction not in _IMPROVEMENT:
        raise QIDataError("improvement_direction must be 'increase', 'decrease', 'neutral' or "
                          f"None; got {improvement_direction!r}.", field="improvement_direction")
    if not isinstance(multiply, numbers.Number) or not np.isfinite(multiply) or multiply <= 0:
        raise QIDataError(f"multiply must be a number above 0 (for example 100 for per cent); "
                          f"got {multiply!r}.", field="multiply")
    sigma = _sigma_method(sigma, chart)
    prep = prepare(data, y, x, n, chart, notes=notes if isinstance(notes, str) else None)
    k = prep.y.size
    if k < 2:
        raise QIDataError(f"A chart needs at least 2 points; {prep.y_name!r} gives only {k}. "
                          "Add more periods (10 or more is best).", column=prep.y_name)
    part_id, baseline, include = _layout(k, freeze, part, exclude)
    result = _compute(prep, chart, rules, part_id, baseline, include, screened_mr,
                      _known_cl(cl, int(part_id[-1])), float(multiply), sigma)
    points, parts, details = result
    if sigma is not None:
        details["sigma"] = sigma
    return SPCResult(chart=chart, rules=rules, points=points, parts=parts, title=title,
                     notes=_notes(notes, prep, k), target=target, multiply=float(multiply),
                     x_name=prep.x_name, y_name=prep.y_name, x_kind=prep.x_kind,
                     improvement_direction=improvement_direction, details=details)


def _sigma_method(sigma: Any, chart: str) -> str | None:
    """The sigma estimator for ``chart`` (None where a chart has only one)."""
    every = sorted({m for methods in SIGMA_METHODS.values() for m in methods})
    if sigma is None:
        return SIGMA_METHODS[chart][0] if chart in SIGMA_METHODS else None
    method = _check_choice(sigma, every, "sigma")
    if method not in SIGMA_METHODS.get(chart, ()):
        where = ", ".join(f"chart='{c}': {' or '.join(repr(m) for m in ms)}"
                          for c, ms in SIGMA_METHODS.items())
        raise QIDataError(f"sigma={method!r} is not available for a {chart.upper()} chart. "
                          f"Choices are {where}; other charts have one estimator, so leave "
                          "sigma out.", field="sigma")
    return method


def _compute(prep: Prepared, chart: str, rules: str, part_id: np.ndarray, baseline: np.ndarray,
             include: np.ndarray, screened: bool, known: list[float | None],
             multiply: float, sigma_method: str | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """All lines, signals and rule columns; tables built once at the end."""
    k = prep.y.size
    cols = {name: np.full(k, np.nan) for name in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95")}
    work_y, mid, sigma = np.full(k, np.nan), np.full(k, np.nan), np.full(k, np.nan)
    bounds = np.flatnonzero(np.r_[True, part_id[1:] != part_id[:-1], True])
    details: dict[str, Any] = {"parts": []}
    for p, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        sl = slice(a, b)
        base = include[sl] & baseline[sl]
        lim = part_limits(chart, prep.y[sl], base,
                          num=None if prep.num is None else prep.num[sl],
                          den=None if prep.den is None else prep.den[sl],
                          sd=None if prep.sd is None else prep.sd[sl], cl_given=known[p],
                          screened=screened, categorical=prep.categorical,
                          rng=None if prep.rng is None else prep.rng[sl],
                          sigma_method=sigma_method)
        for name in cols:
            cols[name][sl] = getattr(lim, name)
        work_y[sl], mid[sl], sigma[sl] = lim.work_y, lim.mid, lim.sigma
        details["parts"].append(dict(lim.info))
        if "no_limits" in lim.info:
            where = f" in part {p + 1}" if part_id[-1] > 1 else ""
            warnings.warn(f"There are no control limits{where}: {lim.info['no_limits']}.",
                          QIWarning, stacklevel=4)
    yv = cols["y"]
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma_signal = (yv > cols["ucl"]) | (yv < cols["lcl"])
        z = (work_y - mid) / sigma
    near = sigma_lines(mid, sigma, 2.0, chart, truncate=False)
    rule_cols, part_rows = _rules(chart, rules, prep, yv, cols, z, near, sigma_signal, part_id,
                                  bounds, include)
    scale = {name: cols[name] * multiply if multiply != 1 else cols[name] for name in cols}
    n_col = prep.den if prep.den is not None else np.full(k, np.nan)
    points = pd.DataFrame({"x": prep.x, **{"y": scale["y"], "n": n_col},
                           **{c: scale[c] for c in ("cl", "lcl", "ucl", "lcl_95", "ucl_95")},
                           "part": part_id, "baseline": baseline, "include": include,
                           "sigma_signal": sigma_signal, **rule_cols},
                          copy=False)    # the arrays are new; not stacking them saves a copy
    return points, _parts_frame(part_rows, multiply), details


_INT_COLUMNS = frozenset({"n_useful", "longest_run", "longest_run_max", "n_crossings",
                          "n_crossings_min", "n_runs", "runs_lower", "runs_upper"})


def _parts_frame(rows: list[dict], multiply: float) -> pd.DataFrame:
    """The parts table, built in one go (nullable integers only where a statistic is missing)."""
    columns = {}
    for name in rows[0]:
        values = [row[name] for row in rows]
        if name in _INT_COLUMNS:
            columns[name] = (pd.array(values, dtype="Int64") if None in values
                             else np.array(values, dtype=np.int64))
        elif name == "cl":
            columns[name] = np.array(values, dtype=float) * multiply
        else:
            columns[name] = np.array(values)
    return pd.DataFrame(columns, copy=False)


def _rules(chart: str, rules: str, prep: Prepared, yv: np.ndarray, cols: dict, z: np.ndarray,
           near: tuple[np.ndarray, np.ndarray], sigma_signal: np.ndarray, part_id: np.ndarray,
           bounds: np.ndarray, include: np.ndarray) -> tuple[dict, list[dict]]:
    """Rule columns (whole chart) and one summary row per part."""
    k = yv.size
    names = [c for c in RULE_COLUMNS[rules] if c != "direction"]
    out = {c: np.zeros(k, bool) for c in names}
    rows, cannot_fire = [], []
    force = chart == "mr" or prep.categorical
    for p, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        idx = np.arange(a, b)[include[a:b]]
        y_in, cl_in = yv[idx], cols["cl"][idx]
        runs = anhoej(y_in, cl_in, force_no_signal=force)
        row = {"part": p + 1, "n_obs": runs.n_obs, "n_useful": runs.n_useful,
               "longest_run": runs.longest_run, "longest_run_max": runs.longest_run_max,
               "n_crossings": runs.n_crossings, "n_crossings_min": runs.n_crossings_min,
               "runs_signal": runs.signal,
               "n_sigma_signals": int(sigma_signal[a:b].sum()), "cl": _part_cl(cols["cl"][a:b])}
        if rules == "anhoej":
            out["runs_signal"][idx] = runs.signal
            out["longest_run_point"][idx] = runs.long_run_points & (not force)
            if not force and not anhoej_can_fire(runs.n_useful):
                cannot_fire.append((p + 1, "Anhøj runs rules", runs.n_useful, 6))
        elif rules == "ihi":
            fired = _ihi(out, idx, runs, y_in, row, p, cannot_fire)
            row["runs_signal"] = fired
        elif rules in SHEWHART_SETS:
            ok = ~np.isnan(y_in)
            use = idx[ok]
            flags = shewhart_flags(rules, yv[use], z[use], runs.signs[ok], sigma_signal[use])
            for name, f in flags.items():
                out[name][use] = f
            out["outside_3sigma"][a:b] = sigma_signal[a:b]
            row["runs_signal"] = bool(any(f.any() for name, f in flags.items()
                                          if name != "outside_3sigma"))
            for name in flags:
                if use.size < MIN_POINTS[name]:
                    cannot_fire.append((p + 1, name.replace("_", " "), use.size,
                                        MIN_POINTS[name]))
        rows.append(row)
    if rules == "mdc":
        out = _mdc(yv, cols, near, part_id, include)
        for row in rows:
            seg = part_id == row["part"]
            row["runs_signal"] = bool((out["two_in_three"][seg] | out["trend"][seg]
                                       | out["shift"][seg]).any())
            used = int((seg & include).sum())
            if used < 7:
                cannot_fire.append((row["part"], "MDC trend and shift rules", used, 7))
    if cannot_fire:
        text = "; ".join(f"part {p}: {rule} needs {need} points, it has {have}"
                         for p, rule, have, need in cannot_fire)
        warnings.warn(f"Some rules cannot fire because there are too few points ({text}). "
                      "A chart with no signal here tells you little.", QIWarning, stacklevel=4)
    return out, rows


def _part_cl(cl: np.ndarray) -> float:
    if cl.size and not np.isnan(cl[-1]):
        return float(cl[-1])
    ok = cl[~np.isnan(cl)]
    return float(ok[-1]) if ok.size else float("nan")


def _ihi(out: dict, idx: np.ndarray, runs: Any, y_in: np.ndarray, row: dict, p: int,
         cannot_fire: list) -> bool:
    """IHI rules for one part; fills ``out`` and the part row, returns whether any fired."""
    out["shift"][idx] = shift_points(runs.signs, IHI_SHIFT)
    out["trend"][idx] = trend_points(y_in, IHI_TREND)
    n_runs = None if runs.n_crossings is None else runs.n_crossings + 1
    lower, upper = runs_limits(runs.n_useful) if runs.n_useful else (None, None)
    few = n_runs is not None and lower is not None and n_runs < lower
    many = n_runs is not None and upper is not None and n_runs > upper
    out["runs_too_few"][idx] = few
    out["runs_too_many"][idx] = many
    row.update(n_runs=n_runs, runs_lower=lower, runs_upper=upper)
    valid = int((~np.isnan(y_in)).sum())
    if runs.n_useful < IHI_SHIFT:
        cannot_fire.append((p + 1, "IHI shift rule", runs.n_useful, IHI_SHIFT))
    if valid < IHI_TREND:
        cannot_fire.append((p + 1, "IHI trend rule", valid, IHI_TREND))
    return bool(out["shift"][idx].any() or out["trend"][idx].any() or few or many)


def _mdc(yv: np.ndarray, cols: dict, near: tuple[np.ndarray, np.ndarray],
         part_id: np.ndarray, include: np.ndarray) -> dict:
    """MDC rule columns: the arrays behind mdc_rule_flags (same numbers), without its DataFrame.

    The pattern rules see only the included points of each part, in time order; every point,
    excluded or not, is tested against the limits. ``near`` holds the 2-sigma lines from the
    centre and the untruncated sigma (the "close to a limit" band).
    """
    from .mdc_rules import _evaluate

    k = yv.size
    idx = np.flatnonzero(include)
    pid = part_id[idx]
    start = np.ones(idx.size, bool)
    if idx.size:
        np.not_equal(pid[1:], pid[:-1], out=start[1:])
    flags = _evaluate(yv[idx], cols["cl"][idx], cols["lcl"][idx], cols["ucl"][idx], start,
                      near[0][idx], near[1][idx])
    out = {c: np.zeros(k, bool) for c in ("two_in_three", "trend", "shift")}
    for c in out:
        out[c][idx] = flags[c]
    with np.errstate(invalid="ignore"):
        out["outside_limits"] = (yv > cols["ucl"]) | (yv < cols["lcl"])
        side = np.where(yv > cols["cl"], 1, -1)
    direction = np.zeros(k, np.int64)
    direction[idx] = flags["direction"]
    direction[~include] = np.where(out["outside_limits"][~include], side[~include], 0)
    out["direction"] = direction
    return out
