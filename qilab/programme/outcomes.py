"""Outcomes: is each project's own measure improving in the direction the project intended?

Each project's measure is charted with :func:`qilab.spc` as the project chose (chart type and
rule set), with the lines frozen on its baseline (the first ``baseline_points`` points). The
most recent signal after the baseline decides the verdict:

* **improvement**: a signal in the intended direction;
* **concern**: a signal in the opposite direction;
* **no signal yet**: no signal after the baseline (or too few points after it).

>>> import pandas as pd
>>> values = [50, 51, 49, 50, 52, 48, 50, 51, 49, 50, 51, 49] + [42, 41, 43, 42, 40, 41, 42, 43]
>>> outcome = judge(pd.Series(values, dtype=float), direction="decrease", chart="run",
...                 rules="anhoej", baseline_points=12)
>>> outcome.status
'improvement'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..charts.spc import SPCResult
    from .frames import Records

STATUSES = ("improvement", "no signal yet", "concern")
_NOT_DIRECTIONAL = {"runs_signal", "astronomical", "direction", "runs_too_few", "runs_too_many",
                    "fifteen_within_1sigma"}
_TRENDS = {"trend", "six_trend"}


@dataclass(frozen=True)
class Outcome:
    """The verdict on one project's measure, why, and its chart."""

    status: str
    reason: str
    chart: "SPCResult | None"


def _flags(result: "SPCResult") -> dict[str, np.ndarray]:
    from ..charts.spc import RULE_COLUMNS

    names = ["sigma_signal", *RULE_COLUMNS[result.rules]]
    return {n: result.points[n].fillna(False).to_numpy(bool) for n in names
            if n not in _NOT_DIRECTIONAL and n in result.points}


def judge(values: Sequence[float], *, direction: str, chart: str, rules: str,
          baseline_points: int, n: Sequence[float] | None = None, x: Sequence | None = None,
          title: str | None = None) -> Outcome:
    """Chart one measure and say whether it shows improvement, no signal yet, or concern."""
    from ..charts.spc import spc

    k = len(values)
    if k < baseline_points + 1 or k < 2:
        return Outcome("no signal yet", f"only {k} points so far: the baseline needs "
                       f"{baseline_points} and there are none after it yet", None)
    has_n = n is not None and bool(np.isfinite(np.asarray(n, float)).all())
    result = spc(y=np.asarray(values, float), x=None if x is None else list(x),
                 n=np.asarray(n, float) if has_n else None, chart=chart, rules=rules,
                 freeze=baseline_points, title=title, improvement_direction=direction)
    y = result.points["y"].to_numpy(float)
    cl = result.points["cl"].to_numpy(float)
    flags = _flags(result)
    after = np.arange(k) >= baseline_points
    fired = np.zeros(k, bool)
    for flag in flags.values():
        fired |= flag
    fired &= after
    want = 1 if direction == "increase" else -1
    if fired.any():
        last = np.flatnonzero(fired)[-1]
        start = last
        while start - 1 >= 0 and fired[start - 1]:
            start -= 1
        block = slice(start, last + 1)
        non_trend = [f for name, f in flags.items() if name not in _TRENDS and f[block].any()]
        if non_trend:
            sign = np.sign(np.nanmean(y[block] - cl[block]))
        else:
            sign = np.sign(y[last] - y[start])
        rules_fired = sorted(name for name, f in flags.items() if f[block].any())
        where = f"points {start + 1} to {last + 1}" if last > start else f"point {last + 1}"
        said = ", ".join(r.replace("_", " ") for r in rules_fired)
        if sign == want:
            return Outcome("improvement", f"signal ({said}) at {where}, in the intended "
                           f"direction ({direction})", result)
        if sign == -want:
            return Outcome("concern", f"signal ({said}) at {where}, against the intended "
                           f"direction ({direction})", result)
    if rules == "anhoej" and bool(result.parts["runs_signal"].iloc[-1]):
        # too few crossings of the median: no single point carries it, so use the mean side
        sign = np.sign(np.nanmean(y[after] - cl[after]))
        if sign != 0:
            verdict = "improvement" if sign == want else "concern"
            return Outcome(verdict, "signal (too few crossings of the median) after the "
                           f"baseline, {'in' if sign == want else 'against'} the intended "
                           f"direction ({direction})", result)
    return Outcome("no signal yet", f"no signal after the baseline of {baseline_points} "
                   "points", result)


def outcomes(records: "Records") -> tuple[pd.DataFrame, dict[str, Outcome]]:
    """A row per project (status and reason) and each project's :class:`Outcome`."""
    rows, charts = [], {}
    measures = records.measures.sort_values(["project", "period"], kind="stable")
    ids = measures["project"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
    value, n = measures["value"].to_numpy(float), measures["n"].to_numpy(float)
    spans = {ids[a]: slice(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if a < len(ids)}
    for p in records.projects.itertuples(index=False):
        span = spans.get(p.project)
        if span is None:
            outcome = Outcome("no signal yet", "no measurements recorded yet", None)
        else:
            # charted by position (point 1, 2 ...): the verdict needs no dates, and the
            # gallery redraws a chart with its months (see ``project_chart``)
            outcome = judge(value[span], n=n[span],
                            direction=p.direction, chart=p.chart, rules=p.rules,
                            baseline_points=int(p.baseline_points),
                            title=f"{p.title}: {p.measure}")
        charts[p.project] = outcome
        rows.append({"project": p.project, "title": p.title, "organisation": p.organisation,
                     "measure": p.measure, "direction": p.direction, "chart": p.chart,
                     "rules": p.rules, "status": outcome.status, "reason": outcome.reason,
                     "consent_to_share": bool(p.consent_to_share)})
    return pd.DataFrame(rows, columns=["project", "title", "organisation", "measure",
                                       "direction", "chart", "rules", "status", "reason",
                                       "consent_to_share"]), charts


def project_chart(records: "Records", project: str) -> "SPCResult":
    """One project's chart with its months on the x axis, as the project chose to draw it."""
    p = records.projects.set_index("project").loc[project]
    rows = records.measures[records.measures["project"] == project].sort_values("period")
    return judge(rows["value"].to_numpy(float), n=rows["n"].to_numpy(float),
                 x=rows["period"].dt.date.tolist(), direction=p["direction"], chart=p["chart"],
                 rules=p["rules"], baseline_points=int(p["baseline_points"]),
                 title=f"{p['title']}: {p['measure']}").chart


def progress_summary(records: "Records") -> pd.DataFrame:
    """Each project's latest progress score (0.5 to 5) and the month it was given."""
    latest = records.progress.sort_values("month").groupby("project").tail(1)
    return latest.set_index("project")[["month", "score"]].reindex(
        records.projects["project"])
