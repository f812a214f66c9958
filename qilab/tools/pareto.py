"""Pareto analysis: which few categories account for most of the problem.

:func:`pareto` counts (or sums) events by category, sorts the categories from most to least
common and adds each one's percentage of the total and the cumulative percentage.

The vital few
-------------
The **vital few** are the categories, taken from the most common down, **up to and including
the first one at which the cumulative percentage reaches (is greater than or equal to) 80%**.
So if the top two categories make 79.9% and the top three 86%, the vital few are the top three;
if the top two make exactly 80%, they are the top two. The remaining categories are the "useful
many". Ties in count keep the order in which the categories first appear in the data, so the
result does not depend on chance. The 80% cut can be changed with ``cut=``.

"Other"
-------
A catch-all category ("Other" by default, matched whatever its capitals; set ``other=`` to
name another, or ``other=None`` for none) is not one kind of problem, so, as is usual practice,
it is drawn **last whatever its size** and is **never one of the vital few**: the vital few are
found among the named categories, and if "Other" is so big that they never reach the cut, all
the named categories are the vital few and the explanation says to look inside "Other".

>>> from qilab.tools.pareto import pareto
>>> r = pareto(category=["Labelling", "Wrong dose", "Omitted", "Other"], count=[50, 30, 15, 5])
>>> r.table[["category", "cumulative_percent", "vital_few"]].values.tolist()
[['Labelling', 50.0, True], ['Wrong dose', 80.0, True], ['Omitted', 95.0, False], ['Other', 100.0, False]]
>>> r.vital_few
['Labelling', 'Wrong dose']
>>> pareto({"Other": 40, "Labelling": 35, "Wrong dose": 25}).vital_few
['Labelling', 'Wrong dose']
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from ..errors import QIDataError
from ._drawing import Diagram, text_width, wrap

__all__ = ["pareto", "ParetoResult"]

_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class ParetoResult(Diagram):
    """The result of :func:`pareto`: a tidy table, a chart and an explanation.

    ``table`` has one row a category, sorted from most to least common, with columns
    ``category``, ``count``, ``percent``, ``cumulative_percent`` and ``vital_few``.
    """

    table: pd.DataFrame
    cut: float = 80.0
    category_label: str = "Category"
    count_label: str = "Count"
    title: str = "Pareto chart"
    notes: tuple[str, ...] = field(default=())
    other: str | None = "Other"

    SCHEMA = "qilab.pareto"
    SCHEMA_VERSION = 1

    @property
    def total(self) -> float:
        """The total count over all categories."""
        return float(self.table["count"].sum())

    @property
    def vital_few(self) -> list[str]:
        """The vital few categories, most common first."""
        return self.table.loc[self.table["vital_few"], "category"].tolist()

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the categories and counts (sorted) and the settings."""
        counts = [int(c) if float(c).is_integer() else float(c) for c in self.table["count"]]
        return {"title": self.title, "category_label": self.category_label,
                "count_label": self.count_label, "cut": self.cut, "other": self.other,
                "categories": self.table["category"].tolist(), "counts": counts}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ParetoResult":
        """Re-run the analysis from :meth:`to_dict` output."""
        if not isinstance(data, Mapping):
            raise QIDataError("A Pareto analysis must be a dict with 'categories' and 'counts'.",
                              field="categories")
        return pareto(category=list(data.get("categories", [])),
                      count=list(data.get("counts", [])), cut=data.get("cut", 80.0),
                      other=data.get("other", "Other"), title=data.get("title", "Pareto chart"),
                      category_label=data.get("category_label", "Category"),
                      count_label=data.get("count_label", "Count"))

    def explain(self) -> str:
        """The analysis in plain English."""
        t = self.table
        n = len(t)
        few = self.vital_few
        share = float(t.loc[t["vital_few"], "count"].sum()) / self.total * 100
        total = _fmt(self.total)
        named = t[~_is_other(t["category"], self.other)]
        top = named.iloc[0] if len(named) else t.iloc[0]
        amount = (f"a total of {total}" if self.count_label == "Count"
                  else f"{total} {self.count_label.lower()} in all")
        of = "" if self.category_label == "Category" else f" of {self.category_label.lower()}"
        text = [f"{self.title}: {amount}, across {n} "
                f"{'category' if n == 1 else 'categories'}{of}. "
                f"The most common is '{top['category']}' ({_fmt(top['count'])}, "
                f"{top['percent']:.0f}%)."]
        if not few:
            text.append("Every event is in the catch-all category, so there are no vital few: "
                        "look inside it and sort the events into real categories.")
        elif len(few) == len(named) and len(named) > 1 and share < self.cut - _TOLERANCE:
            text.append(f"The named categories make only {share:.0f}% of the total: the "
                        "catch-all category is too big to find the vital few. Look inside it "
                        "and sort its events into real categories.")
        elif len(few) == len(named) and len(named) > 1:
            text.append(f"No small group stands out: it takes all {len(named)} named categories "
                        f"to reach {self.cut:g}% of the total.")
        else:
            names = ", ".join(f"'{c}'" for c in few)
            text.append(f"The vital few are the top {len(few)} "
                        f"({names}), which together make {share:.0f}% of the total: the first "
                        f"categories whose cumulative share reaches {self.cut:g}%. Working on "
                        "these first is likely to make the biggest difference.")
        if len(named) < n:
            row = t[_is_other(t["category"], self.other)].iloc[0]
            text.append(f"'{row['category']}' ({_fmt(row['count'])}, {row['percent']:.0f}%) is a "
                        "catch-all, so it is drawn last and is never one of the vital few.")
        text.extend(self.notes)
        return " ".join(text)

    def alt_text(self) -> str:
        """Alt text: the chart described in words, with every bar's value."""
        bars = "; ".join(f"{r.category} {_fmt(r.count)} ({r.cumulative_percent:.0f}% cumulative"
                         f"{', vital few' if r.vital_few else ''})"
                         for r in self.table.itertuples())
        return (f"Bar chart of {self.count_label.lower()} by {self.category_label.lower()}, "
                f"largest first, with a line for the cumulative percentage. {bars}. "
                + self.explain())

    def _draw(self, ax: Axes | None) -> Axes:
        t = self.table
        n = len(t)
        fs = 9
        if ax is None:
            longest = max(text_width(str(c), fs) for c in t["category"])
            word = max(text_width(w, fs) for c in t["category"] for w in str(c).split())
            # aim for at most 3 lines a label, and never split a word
            per_bar = min(max(0.8, longest / 3 + 0.2, word + 0.3), 1.6)
            width = min(12.0, max(6.4, per_bar * n + 1.9))
            fig, ax = plt.subplots(figsize=(width, 4.8), layout="constrained")
        fig = ax.figure
        # room per bar, allowing for the two y-axis labels (constrained layout shrinks the axes)
        axes_width = fig.get_size_inches()[0] * ax.get_position().width
        axes_width = min(axes_width, fig.get_size_inches()[0] - 1.8)
        slot = max(axes_width / max(n, 1), 0.35)
        # labels are wrapped, never rotated: rotated labels crowd into each other
        tick_labels = ["\n".join(wrap(str(c), slot - 0.14, fs)) for c in t["category"]]
        x = np.arange(n)
        vital = t["vital_few"].to_numpy()
        colours = ["#2f5f98" if v else "#a9c3e0" for v in vital]
        bars = ax.bar(x, t["count"], color=colours, edgecolor="#222222", linewidth=0.8, zorder=2)
        for bar, v in zip(bars, vital):
            if v:
                bar.set_hatch("///")
        ax.set_xticks(x, tick_labels, fontsize=fs)
        ax.set_ylabel(self.count_label)
        ax.set_xlabel(self.category_label)
        ax.set_ylim(0, float(t["count"].max()) * 1.08)
        ax.grid(axis="y", color="#dddddd", zorder=0)
        ax.set_xlim(-0.6, n - 0.4)
        ax2 = ax.twinx()
        ax2.plot(x, t["cumulative_percent"], color="#111111", marker="o", lw=1.6, zorder=3)
        ax2.axhline(self.cut, color="#8a1c1c", ls="--", lw=1.2)
        ax2.set_ylim(0, 105)
        ax2.set_yticks([0, 20, 40, 60, 80, 100])
        ax2.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax2.set_ylabel("Cumulative percentage")
        handles = [Patch(facecolor="#2f5f98", edgecolor="#222222", hatch="///",
                         label=f"Vital few (first to reach {self.cut:g}%)"),
                   Patch(facecolor="#a9c3e0", edgecolor="#222222", label="The useful many"),
                   Line2D([], [], color="#111111", marker="o", label="Cumulative percentage"),
                   Line2D([], [], color="#8a1c1c", ls="--", label=f"{self.cut:g}% cut")]
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.01), ncol=2,
                  fontsize=8.5, frameon=False)
        ax.set_title(self.title, fontsize=12, fontweight="bold", pad=44)
        return ax


def _is_other(categories: pd.Series, other: str | None) -> pd.Series:
    """Which rows are the catch-all category (compared without regard to capitals)."""
    if other is None:
        return pd.Series(False, index=categories.index)
    return categories.astype(str).str.casefold() == " ".join(str(other).split()).casefold()


def _fmt(value: float) -> str:
    value = float(value)
    return f"{int(value):,}" if value.is_integer() else f"{value:,.1f}"


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: Any, where: str, column: str, row: int) -> float:
    if isinstance(value, bool):
        raise QIDataError(f"{where}: the count {value!r} is not a number. Enter a number such "
                          "as 12.", row=row, column=column)
    if _is_missing(value):
        raise QIDataError(f"{where}: the count is missing. Enter a number (0 if none).",
                          row=row, column=column)
    if isinstance(value, numbers.Number):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.replace(",", "").strip())
        except ValueError:
            raise QIDataError(f"{where}: the count {value!r} is not a number. Enter a number "
                              "such as 12.", row=row, column=column) from None
    else:
        raise QIDataError(f"{where}: the count {value!r} is not a number.", row=row,
                          column=column)
    if not math.isfinite(number):
        raise QIDataError(f"{where}: the count {value!r} is not a finite number.", row=row,
                          column=column)
    if number < 0:
        raise QIDataError(f"{where}: the count {value!r} is negative. Counts must be 0 or more.",
                          row=row, column=column)
    return number


def pareto(data: pd.DataFrame | Mapping[str, Any] | None = None,
           category: str | Sequence[Any] = "category", count: str | Sequence[Any] | None = None,
           *, cut: float = 80.0, other: str | None = "Other", title: str = "Pareto chart",
           category_label: str | None = None, count_label: str | None = None) -> ParetoResult:
    """Sort categories by count and find the vital few (see the module notes for the rule).

    Ways to call it:

    * ``pareto(df, category="reason", count="n")``: one row a category with its count (rows with
      the same category are added up);
    * ``pareto(df, category="reason")``: one row an event, counted by category;
    * ``pareto(category=[...], count=[...])``: two lists;
    * ``pareto({"Labelling": 50, "Wrong dose": 30})``: a dict of counts;
    * ``pareto(category=[...])``: a list of events, one category each.

    The catch-all category named by ``other`` is put last and left out of the vital few.

    Bad input (negative, missing or non-numeric counts, missing categories, no data, or a total
    of zero) raises :class:`qilab.QIDataError` naming the row and column.

    >>> r = pareto({"Interruptions": 12, "Look-alike packs": 3, "Poor lighting": 1})
    >>> r.vital_few
    ['Interruptions', 'Look-alike packs']
    >>> pareto(category=["A", "B"], count=[3, -1])
    Traceback (most recent call last):
    ...
    qilab.errors.QIDataError: Row 2 (category 'B'): the count -1 is negative. Counts must be 0 or more.
    """
    if not isinstance(cut, numbers.Number) or isinstance(cut, bool) or not 0 < float(cut) <= 100:
        raise QIDataError(f"cut must be a percentage between 0 and 100, not {cut!r}.",
                          field="cut")
    cut = float(cut)
    if other is not None and (not isinstance(other, str) or not other.strip()):
        raise QIDataError(f"other= names the catch-all category, such as 'Other' (or None for "
                          f"none), not {other!r}.", field="other")
    cat_col, cnt_col = "category", "count"
    if isinstance(data, pd.DataFrame):
        if not isinstance(category, str) or category not in data.columns:
            raise QIDataError(f"Column {category!r} is not in the data; the columns are "
                              f"{list(map(str, data.columns))}. Say which column holds the "
                              "categories with category=.", column=str(category))
        cat_col = category
        cats = list(data[category])
        if count is None:
            counts: list[Any] = [1] * len(cats)
            cnt_col = "count"
        else:
            if not isinstance(count, str) or count not in data.columns:
                raise QIDataError(f"Column {count!r} is not in the data; the columns are "
                                  f"{list(map(str, data.columns))}.", column=str(count))
            cnt_col = count
            counts = list(data[count])
    elif isinstance(data, (Mapping, pd.Series)):
        items = list(data.items())
        cats = [k for k, _ in items]
        counts = [v for _, v in items]
    elif data is None:
        if isinstance(category, str):
            raise QIDataError("Give the data: a table with category= naming a column, or lists "
                              "of categories and counts.", field="data")
        cats = list(category)
        if count is None:
            counts = [1] * len(cats)
        else:
            if isinstance(count, str):
                raise QIDataError("count= names a column, but no table was given as data.",
                                  field="count")
            counts = list(count)
            if len(counts) != len(cats):
                raise QIDataError(f"There are {len(cats)} categories but {len(counts)} counts: "
                                  "give one count for each category.", field="count")
    else:
        raise QIDataError(f"data should be a table (DataFrame) or a dict of counts, not "
                          f"{type(data).__name__}.", field="data")
    if not cats:
        raise QIDataError("There are no rows: a Pareto chart needs at least one category with a "
                          "count.", field="data")
    totals: dict[str, float] = {}
    for i, (c, v) in enumerate(zip(cats, counts), start=1):
        if _is_missing(c) or not str(c).strip():
            raise QIDataError(f"Row {i}: the {cat_col!r} value is blank. Give every row a "
                              "category (or 'Unknown').", row=i, column=cat_col)
        name = " ".join(str(c).split())
        number = _number(v, f"Row {i} (category {name!r})", cnt_col, i)
        totals[name] = totals.get(name, 0.0) + number
    total = sum(totals.values())
    if total <= 0:
        raise QIDataError(f"All the counts in {cnt_col!r} are zero: there is nothing to rank.",
                          column=cnt_col)
    order = sorted(totals.items(), key=lambda kv: -kv[1])  # stable: ties keep first appearance
    table = pd.DataFrame(order, columns=["category", "count"])
    is_other = _is_other(table["category"], other)
    table = pd.concat([table[~is_other], table[is_other]], ignore_index=True)  # "Other" last
    named = int((~is_other).sum())
    table["percent"] = table["count"] / total * 100
    table["cumulative_percent"] = table["count"].cumsum() / total * 100
    reached = (table["cumulative_percent"] >= cut - _TOLERANCE).to_numpy()[:named]
    first = int(np.argmax(reached)) if reached.any() else named - 1
    table["vital_few"] = np.arange(len(table)) <= first
    table.loc[len(table) - 1, "cumulative_percent"] = 100.0  # exactly, despite rounding
    notes = []
    if len(totals) < len(cats) and count is not None:
        notes.append(f"Rows with the same category were added together ({len(cats)} rows, "
                     f"{len(totals)} categories).")
    return ParetoResult(table=table, cut=cut,
                        category_label=category_label or (cat_col if cat_col != "category"
                                                          else "Category"),
                        count_label=count_label or (cnt_col if cnt_col != "count" else "Count"),
                        title=title, notes=tuple(notes), other=other)
