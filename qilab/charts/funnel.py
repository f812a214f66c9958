"""Funnel plots: compare organisations on one rate or proportion, fairly for their size.

A league table ranks organisations by their rate, and the smallest ones land at the top and the
bottom by chance. A funnel plot draws each organisation's rate against its denominator (bed days,
patients, operations) with control limits around the overall rate. The limits are wide for small
denominators and narrow for large ones, so they make a funnel. An organisation outside its
limits is a signal worth a question; the rest differ by no more than chance would give.

The limits are those of a P chart (proportions) or a U chart (rates) with the organisation as a
categorical x, as in qicharts2: :func:`funnel` sums each organisation's numerators and
denominators, orders them by denominator and passes them to :func:`qilab.spc`, so the limits
are the same numbers qilab's control charts give.

>>> import pandas as pd
>>> homes = pd.DataFrame({"home": ["A", "B", "C", "D"], "falls": [4, 30, 9, 10],
...                       "bed_days": [1000, 2500, 3000, 4000]})
>>> f = funnel(homes, "falls", "bed_days", "home", chart="u", multiply=1000)
>>> round(f.centre, 2), f.above(), f.below()
(5.05, ['B'], [])
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import QIDataError
from .explain import _num

__all__ = ["FunnelResult", "funnel"]

CHARTS = {"p": "proportion", "u": "rate"}


@dataclass(frozen=True)
class FunnelResult:
    """A funnel plot: one row per organisation (unit), in order of denominator.

    ``units`` columns: ``unit, numerator, denominator, value, lcl, ucl, signal``, where
    ``value``, ``lcl`` and ``ucl`` are multiplied by ``multiply`` and ``signal`` is
    ``"above"``, ``"below"`` or ``""``.
    """

    chart: str
    units: pd.DataFrame
    centre: float
    multiply: float
    unit_name: str
    value_name: str
    title: str | None = None
    denominator_name: str = "Denominator"

    def above(self) -> list[str]:
        """Units above their upper limit."""
        return self.units.loc[self.units["signal"] == "above", "unit"].astype(str).tolist()

    def below(self) -> list[str]:
        """Units below their lower limit."""
        return self.units.loc[self.units["signal"] == "below", "unit"].astype(str).tolist()

    def league_table(self) -> pd.DataFrame:
        """The same units ranked by value, highest first, as a league table would show them."""
        ranked = self.units.sort_values("value", ascending=False, kind="stable")
        return ranked.assign(rank=np.arange(1, len(ranked) + 1)).reset_index(drop=True)

    def explain(self) -> str:
        """Plain-English account: what is compared, the overall value, who is outside."""
        k = len(self.units)
        lines = [f"This funnel plot compares {k} {self.unit_name} on {self.value_name}. The "
                 "overall value "
                 f"is {_num(self.centre)}. The limits are 3-sigma {self.chart.upper()} chart "
                 "limits: they are wider for small denominators and narrower for large ones."]
        for side, names in (("above its upper limit", self.above()),
                            ("below its lower limit", self.below())):
            if names:
                verb = "is" if len(names) == 1 else "are each"
                lines.append(f"{_join(names)} {verb} {side}.")
        inside = k - len(self.above()) - len(self.below())
        if inside == k:
            lines.append(f"All {k} are inside their limits: the differences between them are "
                         "what chance alone would give, so ranking them would mislead.")
        else:
            lines.append(f"The other {inside} are inside their limits: their differences are "
                         "what chance alone would give.")
        return " ".join(lines)

    def alt_text(self) -> str:
        """Alt text for the figure: the first sentence and who is outside."""
        sentences = self.explain().split(". ")
        return ". ".join([sentences[0], *sentences[3:]]).strip()

    def plot(self, ax: Any = None, *, label_all: bool = False) -> Any:
        """Draw the funnel: value against denominator, the centre line and the limits.

        Points outside the limits are triangles (up for above, down for below) with their name
        beside them, so colour is never the only cue. ``label_all`` names every point.
        """
        import matplotlib.pyplot as plt

        from .plot import LINE, POINT, SIGNAL

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        u = self.units
        x = u["denominator"].to_numpy(float)
        ax.plot(x, u["ucl"], color=LINE, linestyle="--", linewidth=1, label="Limits (3 sigma)")
        ax.plot(x, u["lcl"], color=LINE, linestyle="--", linewidth=1)
        ax.axhline(self.centre, color=LINE, linewidth=1.2, label=f"Overall: {_num(self.centre)}")
        inside = u["signal"] == ""
        ax.scatter(x[inside], u.loc[inside, "value"], color=POINT, s=28, zorder=3,
                   label="Inside the limits")
        for side, marker, label in (("above", "^", "Above the upper limit"),
                                    ("below", "v", "Below the lower limit")):
            hit = (u["signal"] == side).to_numpy()
            if hit.any():
                ax.scatter(x[hit], u.loc[hit, "value"], color=SIGNAL, marker=marker, s=70,
                           zorder=4, label=label)
        for row in u.itertuples():
            if label_all or row.signal:
                ax.annotate(str(row.unit), (row.denominator, row.value), xytext=(5, 3),
                            textcoords="offset points", fontsize=8)
        ax.set_title(self.title or f"Funnel plot of {self.value_name}")
        ax.set_xlabel(self.denominator_name[:1].upper() + self.denominator_name[1:])
        ax.set_ylabel(self.value_name)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        return ax

    def _repr_html_(self) -> str:
        import html

        from ..display import show

        shown = show(self.plot(), alt=self.alt_text())
        return shown._repr_html_() + f"<p>{html.escape(self.explain())}</p>"


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _column(data: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in data.columns:
        raise QIDataError(f"There is no column {name!r} for the {role}. The columns are: "
                          f"{', '.join(map(str, data.columns))}.", column=name)
    return data[name]


def _numbers(series: pd.Series, units: pd.Series, name: str) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").to_numpy(float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise QIDataError(f"Column {name!r} needs a number of 0 or more in every row; the row "
                          f"for {units.iloc[i]!r} has {series.iloc[i]!r}. Fill it in, or leave "
                          "that row out on purpose and say so.", column=name,
                          row=int(i))
    return values


def funnel(data: pd.DataFrame, numerator: str, denominator: str, unit: str, *,
           chart: str = "u", multiply: float = 1, title: str | None = None,
           value_name: str | None = None, unit_name: str = "organisations",
           denominator_name: str | None = None) -> FunnelResult:
    """Compare organisations (``unit``) on ``numerator / denominator`` with a funnel plot.

    ``chart`` is ``"p"`` for a proportion (numerator at most the denominator: patients seen
    within 4 hours of those who came) or ``"u"`` for a rate (events per unit of exposure:
    falls per occupied bed day). Rows with the same unit are added up first (several months
    of one organisation make one point). ``multiply`` scales the values: 100 for per cent,
    1000 for "per 1,000 bed days". ``value_name``, ``unit_name`` and ``denominator_name`` are
    the words the chart and its explanation use (the y axis, the organisations, the x axis).

    >>> import pandas as pd
    >>> trusts = pd.DataFrame({"trust": list("ABC"), "seen": [90, 170, 450],
    ...                        "patients": [100, 200, 500]})
    >>> funnel(trusts, "seen", "patients", "trust", chart="p", multiply=100).units["value"].round(1).tolist()
    [90.0, 85.0, 90.0]
    """
    from .spc import spc

    if not isinstance(data, pd.DataFrame):
        raise QIDataError(f"data must be a pandas DataFrame, not {type(data).__name__}.",
                          field="data")
    if chart not in CHARTS:
        raise QIDataError(f"chart must be 'p' (a proportion) or 'u' (a rate); got {chart!r}.",
                          field="chart")
    units = _column(data, unit, "organisation names")
    if units.isna().any():
        i = int(np.flatnonzero(units.isna().to_numpy())[0])
        raise QIDataError(f"Column {unit!r} is blank in row {data.index[i]!r}: every row needs "
                          "the name of its organisation.", column=unit, row=i)
    num = _numbers(_column(data, numerator, "numerator"), units, numerator)
    den = _numbers(_column(data, denominator, "denominator"), units, denominator)
    totals = (pd.DataFrame({"unit": units.astype(str).to_numpy(), "numerator": num,
                            "denominator": den})
              .groupby("unit", sort=False).sum())
    zero = totals.index[totals["denominator"] <= 0].tolist()
    if zero:
        raise QIDataError(f"{zero[0]!r} has a total {denominator!r} of 0, so it has no "
                          f"{CHARTS[chart]}. Leave it out and say so, or check the data.",
                          column=denominator)
    if chart == "p":
        over = totals.index[totals["numerator"] > totals["denominator"]].tolist()
        if over:
            raise QIDataError(f"{over[0]!r} has more {numerator!r} than {denominator!r}: a "
                              "proportion cannot be more than 1. Use chart='u' for a rate.",
                              column=numerator)
    if len(totals) < 2:
        raise QIDataError(f"A funnel plot compares 2 or more organisations; column {unit!r} "
                          f"has {len(totals)}.", column=unit)
    totals = totals.sort_values("denominator", kind="stable")
    order = pd.Categorical(totals.index, categories=totals.index, ordered=True)
    frame = pd.DataFrame({"unit": order, "numerator": totals["numerator"].to_numpy(),
                          "denominator": totals["denominator"].to_numpy()})
    with warnings.catch_warnings():
        # runs rules have no meaning across organisations; spc may warn about them
        warnings.simplefilter("ignore")
        result = spc(frame, y="numerator", x="unit", n="denominator", chart=chart,
                     multiply=multiply)
    pts = result.points
    value = pts["y"].to_numpy(float)
    signal = np.where(~pts["sigma_signal"].to_numpy(bool), "",
                      np.where(value > pts["ucl"].to_numpy(float), "above", "below"))
    out = pd.DataFrame({"unit": totals.index.to_numpy(), "numerator": frame["numerator"],
                        "denominator": frame["denominator"], "value": value,
                        "lcl": pts["lcl"].to_numpy(float), "ucl": pts["ucl"].to_numpy(float),
                        "signal": signal})
    name = value_name or (f"{numerator} per {denominator}" if chart == "u"
                          else f"{numerator} of {denominator}")
    if value_name is None and multiply != 1:
        name += f" (× {multiply:g})"
    return FunnelResult(chart=chart, units=out, centre=float(pts["cl"].iloc[0]),
                        multiply=float(multiply), unit_name=unit_name, value_name=name,
                        title=title, denominator_name=denominator_name or denominator)
