"""Choosing a chart: which run or control chart suits your data.

:func:`choose_chart` follows the usual health-care chart-selection logic (Provost and Murray,
*The Health Care Data Guide*, 2011, chapter on selecting a Shewhart chart; and the advice in
the qicharts2 vignette: start with a run chart). The answer is a :class:`ChartChoice` whose
``chart`` is a chart code for :func:`qilab.spc`.

Decision table
--------------
Checked from the top; the first row that matches wins.

=====================================  =====================================  =========
Your data                              and ...                                chart
=====================================  =====================================  =========
any                                    fewer than 12 points, or still         ``run``
                                       learning about the measure
measurements (continuous)              one value a time period                ``i``
measurements (continuous)              several values a period (subgroups)    ``xbar``
                                                                              (with ``s``)
yes/no with a denominator              events are rare                        ``g``
(classifications: % of patients ...)
yes/no with a denominator              otherwise                              ``p``
counts of events                       events are rare                        ``t``
counts of events                       same area of opportunity each period   ``c``
counts of events                       area of opportunity varies, or not     ``u``
                                       sure
time between rare events               (days, hours ...)                      ``t``
cases between rare events              (patients, operations ...)             ``g``
=====================================  =====================================  =========

"Rare" means most time periods have no events at all (about one event a period or fewer on
average), so a p, c or u chart would show mostly zeros. With 12 to 19 points the recommended
control chart is given, with a note that its limits are trial limits to recalculate at 20 or
more points.

>>> from qilab.tools.chart_chooser import choose_chart
>>> choose_chart("count", equal_opportunity=False).chart
'u'
>>> choose_chart("measurement", subgroup_size=1, n_points=8).chart
'run'
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import QIDataError

__all__ = ["choose_chart", "ChartChoice", "DATA_TYPES", "CHART_NAMES", "BOOK_PAGE",
           "MIN_POINTS_FOR_LIMITS", "POINTS_FOR_FIRM_LIMITS"]

BOOK_PAGE = "modules/m6-spc/choosing-a-chart"
"""The book page (a relative doc path) that teaches how to choose a chart."""

MIN_POINTS_FOR_LIMITS = 12
"""Below this many points a run chart is recommended."""

POINTS_FOR_FIRM_LIMITS = 20
"""From this many points control limits are no longer 'trial' limits."""

DATA_TYPES: dict[str, str] = {
    "count": "Counts of events (falls, complaints, infections) in each time period",
    "classification": "Yes/no for each case, with a denominator (% of patients seen on time)",
    "measurement": "Measurements on a continuous scale (waiting time, weight, length of stay)",
    "time_between": "Time between rare events (days since the last fall)",
    "cases_between": "Number of cases between rare events (operations since the last infection)",
}
"""The kinds of data :func:`choose_chart` understands, with a plain description of each."""

_ALIASES = {
    "counts": "count", "counts of events": "count", "events": "count", "attribute count": "count",
    "classifications": "classification", "yes/no": "classification", "yes_no": "classification",
    "proportion": "classification", "percentage": "classification", "binary": "classification",
    "measurements": "measurement", "continuous": "measurement", "variable": "measurement",
    "time between": "time_between", "time": "time_between", "days between": "time_between",
    "cases between": "cases_between", "cases": "cases_between",
    "opportunities between": "cases_between",
}

CHART_NAMES: dict[str, str] = {
    "run": "run chart",
    "i": "I chart (individuals, also called XmR)",
    "xbar": "X-bar chart (subgroup averages), with an S chart",
    "s": "S chart (subgroup standard deviations)",
    "p": "P chart (proportions)",
    "u": "U chart (rates: events per unit of opportunity)",
    "c": "C chart (counts)",
    "t": "T chart (time between rare events)",
    "g": "G chart (cases between rare events)",
}


@dataclass(frozen=True)
class ChartChoice:
    """A recommended chart, why, and where the book teaches it.

    ``chart`` is a chart code for :func:`qilab.spc`; ``companion`` a chart to draw alongside
    (an S chart under an X-bar chart); ``then`` the chart to move to once there are enough
    points (when ``chart`` is a run chart); ``notes`` extra advice.
    """

    chart: str
    name: str
    reason: str
    book_page: str = BOOK_PAGE
    companion: str | None = None
    then: str | None = None
    notes: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)

    def explain(self) -> str:
        """The recommendation and reason in plain English."""
        text = [f"Use {with_article(self.name)}.", self.reason, *self.notes]
        return " ".join(text)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, including the answers that led to the choice."""
        return {"chart": self.chart, "name": self.name, "reason": self.reason,
                "book_page": self.book_page, "companion": self.companion, "then": self.then,
                "notes": list(self.notes), "inputs": dict(self.inputs)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ChartChoice":
        """Re-run :func:`choose_chart` on the saved answers (so a saved choice stays honest)."""
        inputs = dict(data.get("inputs") or {})
        if "data_type" not in inputs:
            raise QIDataError("A saved chart choice needs its 'inputs' with a 'data_type'.",
                              field="inputs")
        return choose_chart(**inputs)


def _normalise_type(data_type: Any) -> str:
    if not isinstance(data_type, str) or not data_type.strip():
        raise QIDataError(f"data_type must be one of {', '.join(DATA_TYPES)}; got "
                          f"{data_type!r}.", field="data_type")
    k = " ".join(data_type.strip().lower().replace("-", " ").split())
    k = _ALIASES.get(k, k.replace(" ", "_"))
    if k not in DATA_TYPES:
        raise QIDataError(f"data_type {data_type!r} is not one I know. Use one of: "
                          + "; ".join(f"'{t}' ({d})" for t, d in DATA_TYPES.items()) + ".",
                          field="data_type")
    return k


def _optional_bool(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise QIDataError(f"{name} must be True, False or None (not sure); got {value!r}.",
                      field=name)


def _optional_int(value: Any, name: str, minimum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise QIDataError(f"{name} must be a whole number of at least {minimum}; got {value!r}.",
                          field=name)
    return int(value)


def choose_chart(data_type: str, *, subgroup_size: int | None = None,
                 equal_opportunity: bool | None = None, rare_events: bool | None = None,
                 n_points: int | None = None, learning: bool = False) -> ChartChoice:
    """Recommend a chart for your data (see the module's decision table).

    ``data_type``: one of :data:`DATA_TYPES` ("count", "classification", "measurement",
    "time_between", "cases_between"). ``subgroup_size``: measurements in each time period.
    ``equal_opportunity``: for counts, is the area of opportunity (patients, bed days ...) the
    same each period (None: not sure). ``rare_events``: do most periods have no events.
    ``n_points``: how many time periods you have. ``learning``: still getting to know the
    measure (a run chart is the place to start).

    >>> c = choose_chart("classification")
    >>> c.chart, c.book_page
    ('p', 'modules/m6-spc/choosing-a-chart')
    >>> choose_chart("measurement", subgroup_size=5).companion
    's'
    """
    kind = _normalise_type(data_type)
    subgroup_size = _optional_int(subgroup_size, "subgroup_size", 1)
    n_points = _optional_int(n_points, "n_points", 0)
    equal_opportunity = _optional_bool(equal_opportunity, "equal_opportunity")
    rare_events = _optional_bool(rare_events, "rare_events")
    if not isinstance(learning, bool):
        raise QIDataError(f"learning must be True or False; got {learning!r}.", field="learning")
    inputs = {"data_type": kind, "subgroup_size": subgroup_size,
              "equal_opportunity": equal_opportunity, "rare_events": rare_events,
              "n_points": n_points, "learning": learning}

    control, reason, companion, notes = _control_chart(kind, subgroup_size, equal_opportunity,
                                                       rare_events)
    notes = list(notes)
    if learning or (n_points is not None and n_points < MIN_POINTS_FOR_LIMITS):
        why = ("you are still learning about this measure" if learning else
               f"you have {n_points} point{'s' if n_points != 1 else ''}, fewer than the "
               f"{MIN_POINTS_FOR_LIMITS} needed for useful control limits")
        run_reason = (f"Start with a run chart because {why}. A run chart works for any kind of "
                      "data and its rules (shifts, runs, crossings) already show non-random "
                      f"patterns. When you have {MIN_POINTS_FOR_LIMITS} or more points, move to "
                      f"{with_article(CHART_NAMES[control])}, treating its limits as trial "
                      f"limits until you have {POINTS_FOR_FIRM_LIMITS}: "
                      f"{reason[0].lower()}{reason[1:]}")
        return ChartChoice("run", CHART_NAMES["run"], run_reason, companion=None, then=control,
                           notes=tuple(notes), inputs=inputs)
    if n_points is not None and n_points < POINTS_FOR_FIRM_LIMITS:
        notes.append(f"With {n_points} points, treat the limits as trial limits and recalculate "
                     f"them when you have {POINTS_FOR_FIRM_LIMITS} or more.")
    return ChartChoice(control, CHART_NAMES[control], reason, companion=companion,
                       notes=tuple(notes), inputs=inputs)


def with_article(name: str) -> str:
    """``name`` with "a" or "an" as it is said aloud: "an I chart", "a run chart".

    >>> with_article("I chart"), with_article("run chart"), with_article("U chart")
    ('an I chart', 'a run chart', 'a U chart')
    """
    first = name.split()[0] if name else ""
    # single letters said with a vowel sound: "an F", "an S", "an X-bar"
    spoken_vowel = (first[:1] in "AEFHILMNORSX" and (len(first) == 1 or not first[1:2].isalpha())
                    or first[:1].lower() in "aeio")
    return f"{'an' if spoken_vowel else 'a'} {name}"


def _control_chart(kind: str, subgroup_size: int | None, equal_opportunity: bool | None,
                   rare_events: bool | None) -> tuple[str, str, str | None, tuple[str, ...]]:
    if kind == "measurement":
        if subgroup_size is None or subgroup_size == 1:
            return ("i", "Your data are measurements with one value in each time period, so an "
                    "I chart (individuals) fits: its limits come from the moving range between "
                    "neighbouring points.", None, ())
        return ("xbar", f"Your data are measurements with {subgroup_size} values in each time "
                "period (subgroups), so plot the subgroup averages on an X-bar chart and their "
                "spread on an S chart beneath it.", "s", ())
    if kind == "classification":
        if rare_events:
            return ("g", "Each case is a yes or no, but the 'yes' events are rare, so a P chart "
                    "would show mostly zeros. Count the cases between events instead and use a "
                    "G chart.", None, ())
        notes: tuple[str, ...] = ()
        if rare_events is None:
            notes = ("If most periods have no events at all, a G chart (cases between events) "
                     "works better.",)
        return ("p", "Each case is a yes or no and you know how many cases there were (the "
                "denominator), so plot the proportion on a P chart; its limits widen when the "
                "denominator is small.", None, notes)
    if kind == "count":
        if rare_events:
            return ("t", "You are counting events that are rare, so a C or U chart would show "
                    "mostly zeros. Record the time between events instead and use a T chart.",
                    None, ())
        notes = ()
        if rare_events is None:
            notes = ("If most periods have no events at all, a T chart (time between events) "
                     "works better.",)
        if equal_opportunity:
            return ("c", "You are counting events and the area of opportunity (patients, bed "
                    "days, hours) is the same each period, so a C chart of the counts fits.",
                    None, notes)
        sure = ("varies from period to period" if equal_opportunity is False else
                "may vary from period to period")
        return ("u", f"You are counting events and the area of opportunity (patients, bed days, "
                f"hours) {sure}, so plot the rate (events per unit of opportunity) on a U chart; "
                "its limits allow for the size of each period.", None, notes)
    if kind == "time_between":
        return ("t", "Your data are the times between rare events, so a T chart fits: it allows "
                "for the skewed spread of waiting times between events.", None, ())
    return ("g", "Your data are the numbers of cases between rare events, so a G chart fits "
            "(a longer gap between events is good news).", None, ())
