"""Operational definitions of measures, and a simple measurement plan.

An operational definition says exactly what is counted, so that two people collecting the data
get the same number: the numerator (and denominator, for a rate or percentage), who or what is
included and excluded, where the data come from, how often, who collects them, and which
direction is better. A measurement plan for an improvement project has at least one
**outcome** measure (is the system better for patients?), one **process** measure (are we
doing the things we think lead there?) and one **balancing** measure (are we causing problems
elsewhere?).

>>> falls = MeasureDefinition(
...     name="Falls per 1,000 occupied bed days", kind="outcome",
...     numerator="Inpatient falls recorded on the incident system",
...     denominator="Occupied bed days / 1,000", inclusions="All adult inpatients on Ward 7",
...     exclusions="Falls on the way to the ward", data_source="Incident system and bed census",
...     frequency="Weekly", owner="Ward manager", direction="decrease")
>>> falls.validate()
[]
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import QIDataError
from ..storage import load_model, write_document

__all__ = ["MeasureDefinition", "MeasurementPlan", "KINDS", "DIRECTIONS"]

SCHEMA = "qilab.measurement_plan"
SCHEMA_VERSION = 1

#: The three kinds of measure in a measurement plan.
KINDS: dict[str, str] = {
    "outcome": "shows whether the system is better for the people it serves",
    "process": "shows whether the changes are being carried out as planned",
    "balancing": "shows whether the changes cause problems elsewhere",
}
#: Which way is better.
DIRECTIONS: tuple[str, ...] = ("increase", "decrease")

#: Plain-English names of the fields, used in messages.
LABELS: dict[str, str] = {
    "name": "Name", "kind": "Kind of measure", "numerator": "Numerator (what is counted)",
    "denominator": "Denominator", "inclusions": "Included", "exclusions": "Excluded",
    "data_source": "Data source", "frequency": "How often", "owner": "Who collects it",
    "direction": "Better is",
}
_REQUIRED = ("name", "kind", "numerator", "inclusions", "data_source", "frequency", "owner",
             "direction")
_RATE_WORDS = ("%", "percent", "per cent", "percentage", "proportion", "rate", " per ")


@dataclass(frozen=True)
class MeasureDefinition:
    """The operational definition of one measure.

    Text is trimmed and ``kind`` and ``direction`` are lower-cased; nothing is checked until
    :meth:`validate`, so a learner can build a definition a piece at a time. The denominator
    may be left empty for a count (such as "number of falls each week").

    >>> m = MeasureDefinition(name="Falls", kind="Outcome")
    >>> m.kind, m.is_count
    ('outcome', True)
    >>> m.validate()[0]
    "'Numerator (what is counted)' is empty: say exactly what is counted, e.g. 'inpatient falls recorded on the incident system'."
    """

    name: str = ""
    kind: str = ""
    numerator: str = ""
    denominator: str = ""
    inclusions: str = ""
    exclusions: str = ""
    data_source: str = ""
    frequency: str = ""
    owner: str = ""
    direction: str = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise QIDataError(f"'{f.name}' ({LABELS[f.name]}) must be text, not "
                                  f"{type(value).__name__}.", field=f.name)
            value = " ".join(value.split())
            if f.name in ("kind", "direction"):
                value = value.lower()
            object.__setattr__(self, f.name, value)

    @property
    def is_count(self) -> bool:
        """True for a count (no denominator), False for a rate or percentage."""
        return not self.denominator

    def problem_fields(self) -> list[tuple[str, str]]:
        """Each problem as ``(field, message)``, in form order."""
        hints = {
            "name": "give the measure a short name, e.g. 'Falls per 1,000 bed days'",
            "kind": "choose outcome, process or balancing",
            "numerator": "say exactly what is counted, e.g. 'inpatient falls recorded on the "
                         "incident system'",
            "inclusions": "say who or what is counted, e.g. 'all adult inpatients on Ward 7'",
            "data_source": "say where the data come from, e.g. 'the incident system'",
            "frequency": "say how often it is measured, e.g. 'weekly'",
            "owner": "say who collects it, e.g. 'the ward manager'",
            "direction": "say whether better is an increase or a decrease",
        }
        problems: list[tuple[str, str]] = []
        for name in _REQUIRED:
            if not getattr(self, name):
                problems.append((name, f"'{LABELS[name]}' is empty: {hints[name]}."))
        if self.kind and self.kind not in KINDS:
            problems.append(("kind", f"'{LABELS['kind']}' is {self.kind!r}: choose outcome, "
                                     "process or balancing."))
        if self.direction and self.direction not in DIRECTIONS:
            problems.append(("direction", f"'{LABELS['direction']}' is {self.direction!r}: "
                                          "choose increase or decrease."))
        text = f" {self.name.lower()} "
        if self.is_count and any(word in text for word in _RATE_WORDS):
            problems.append(("denominator", f"'{self.name}' sounds like a rate or percentage, "
                             "so it needs a denominator: say what it is out of, e.g. 'all "
                             "patients admitted that week'."))
        return problems

    def validate(self, strict: bool = False) -> list[str]:
        """The problems with this definition, as friendly sentences (empty if none).

        With ``strict=True``, raise :class:`QIDataError` instead, naming the first field at
        fault (``.field``) and listing every problem in the message.
        """
        problems = self.problem_fields()
        if strict and problems:
            label = f"'{self.name}'" if self.name else "This measure"
            raise QIDataError(f"{label} is not yet a complete operational definition: "
                              + " ".join(message for _, message in problems),
                              field=problems[0][0])
        return [message for _, message in problems]

    def to_dict(self) -> dict[str, str]:
        """The definition as plain values."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MeasureDefinition:
        """Rebuild a definition from :meth:`to_dict` output."""
        if not isinstance(data, dict):
            raise QIDataError("A measure must be a dictionary of its fields.", field="measure")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise QIDataError(f"Unknown measure field(s): {', '.join(sorted(unknown))}. Use "
                              f"{', '.join(LABELS)}.", field=sorted(unknown)[0])
        return cls(**data)

    def to_markdown(self, heading_level: int = 3) -> str:
        """The definition as a Markdown table, for a project charter or a data plan."""
        h = "#" * max(1, min(heading_level, 6))
        kind = f" ({self.kind} measure)" if self.kind else ""
        rows = [("Numerator (what is counted)", self.numerator),
                ("Denominator", self.denominator or "none: this is a count"),
                ("Included", self.inclusions), ("Excluded", self.exclusions or "none"),
                ("Data source", self.data_source), ("How often", self.frequency),
                ("Who collects it", self.owner),
                ("Better is", f"an {self.direction}" if self.direction == "increase"
                 else f"a {self.direction}" if self.direction else "")]
        body = "\n".join(f"| {k} | {v.replace('|', '/')} |" for k, v in rows)
        return f"{h} {self.name or 'Unnamed measure'}{kind}\n\n| | |\n|---|---|\n{body}\n"


@dataclass
class MeasurementPlan:
    """A family of measures for one project, checked for outcome, process and balancing.

    >>> plan = MeasurementPlan([MeasureDefinition(name="Falls", kind="outcome")])
    >>> plan.missing_kinds()
    ['process', 'balancing']
    """

    measures: list[MeasureDefinition] = field(default_factory=list)

    def __post_init__(self) -> None:
        measures = list(self.measures)
        for i, m in enumerate(measures):
            if isinstance(m, dict):
                measures[i] = MeasureDefinition.from_dict(m)
            elif not isinstance(m, MeasureDefinition):
                raise QIDataError(f"Measure {i + 1} is a {type(m).__name__}, not a "
                                  "MeasureDefinition.", field="measures")
        self.measures = measures

    def add(self, measure: MeasureDefinition) -> MeasureDefinition:
        """Add a measure (names must be unique)."""
        if not isinstance(measure, MeasureDefinition):
            raise QIDataError("Only a MeasureDefinition can be added.", field="measures")
        if measure.name and any(m.name.lower() == measure.name.lower() for m in self.measures):
            raise QIDataError(f"The plan already has a measure called {measure.name!r}: give "
                              "this one another name.", field="name")
        self.measures.append(measure)
        return measure

    def missing_kinds(self) -> list[str]:
        """Kinds of measure (outcome, process, balancing) the plan does not have yet."""
        have = {m.kind for m in self.measures}
        return [kind for kind in KINDS if kind not in have]

    def check(self) -> list[str]:
        """Problems with the plan as a whole and with each measure (empty if none)."""
        problems = [f"Add a {kind} measure: one that {KINDS[kind]}."
                    for kind in self.missing_kinds()]
        names = [m.name.lower() for m in self.measures if m.name]
        for dupe in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"Two measures are called {dupe!r}: give each a different name.")
        for i, m in enumerate(self.measures, start=1):
            problems.extend(f"Measure {i} ({m.name or 'unnamed'}): {p}" for p in m.validate())
        return problems

    @property
    def complete(self) -> bool:
        """True when :meth:`check` finds nothing."""
        return not self.check()

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain values."""
        return {"measures": [m.to_dict() for m in self.measures]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MeasurementPlan:
        """Rebuild a plan from :meth:`to_dict` output."""
        if not isinstance(data, dict) or not isinstance(data.get("measures"), list):
            raise QIDataError("A measurement plan needs a 'measures' list.", field="measures")
        return cls([MeasureDefinition.from_dict(m) for m in data["measures"]])

    def save(self, path: str | os.PathLike) -> Path:
        """Save the plan as a JSON document with its schema version, atomically.

        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "plan.json"
        >>> _ = MeasurementPlan([MeasureDefinition(name="Falls", kind="outcome")]).save(p)
        >>> MeasurementPlan.load(p).measures[0].name
        'Falls'
        """
        return write_document(path, SCHEMA, SCHEMA_VERSION, self.to_dict())

    @classmethod
    def load(cls, path: str | os.PathLike) -> MeasurementPlan:
        """Read a plan saved by :meth:`save`; errors name the file and the field."""
        return load_model(path, SCHEMA, SCHEMA_VERSION, cls.from_dict, "measurement plan")

    def to_markdown(self) -> str:
        """The plan as Markdown: one section a measure, in the order outcome, process, balancing."""
        order = {kind: i for i, kind in enumerate(KINDS)}
        ordered = sorted(self.measures, key=lambda m: order.get(m.kind, len(order)))
        parts = ["## Measurement plan", ""]
        parts += [m.to_markdown(heading_level=3) for m in ordered] or ["No measures yet.\n"]
        problems = self.check()
        if problems:
            parts += ["**Still to do:**", ""] + [f"- {p}" for p in problems] + [""]
        return "\n".join(parts)
