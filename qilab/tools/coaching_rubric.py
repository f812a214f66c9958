"""The observed coaching session rubric: what an assessor looks for, and the rule for a pass.

An assessor watches a coach run a real session with an improvement team and marks each
criterion 1 (not seen), 2 (partly) or 3 (fully). The session meets the standard when every
criterion is at least 2 and the total is at least :data:`PASS_TOTAL`. The result is what the
assessor records as the ``observed-session`` evidence item for the Coach certificate.

>>> result = mark_observation({c.id: 3 for c in RUBRIC})
>>> result.met, result.total
(True, 18)
>>> mark_observation({**{c.id: 3 for c in RUBRIC}, "questions": 1}).reasons
['Asks questions rather than giving answers: not seen (needs at least partly)']
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..errors import QIDataError

__all__ = ["Criterion", "RUBRIC", "PASS_TOTAL", "LEVELS", "ObservationResult",
           "mark_observation", "rubric_table"]

LEVELS = {1: "not seen", 2: "partly", 3: "fully"}
PASS_TOTAL = 14


@dataclass(frozen=True)
class Criterion:
    """One thing the assessor looks for, with what "partly" and "fully" look like."""

    id: str
    what: str
    partly: str
    fully: str


RUBRIC: tuple[Criterion, ...] = (
    Criterion("purpose", "Agrees the purpose of the session with the team",
              "states a purpose for the session",
              "agrees it with the team and checks it at the end"),
    Criterion("questions", "Asks questions rather than giving answers",
              "asks some open questions, but often gives the answer",
              "mostly asks, and lets the team find its own answers"),
    Criterion("chart", "Reads the team's chart with them",
              "looks at the chart with the team",
              "helps the team tell a signal from noise, using the rules"),
    Criterion("teaching", "Teaches a tool just in time",
              "explains a tool when asked",
              "spots when the team needs a tool and teaches it briefly"),
    Criterion("next-test", "Helps the team plan its next test of change",
              "agrees a next step",
              "agrees a small test with a prediction, who, when and where"),
    Criterion("record", "Agrees the progress score and records the session",
              "records what was agreed",
              "agrees the progress score with the team and logs the session"),
)


@dataclass
class ObservationResult:
    """The marks, their total, whether the session meets the standard, and why not."""

    marks: dict[str, int]
    total: int
    met: bool
    reasons: list[str] = field(default_factory=list)

    def explain(self) -> str:
        head = (f"Total {self.total} of {3 * len(RUBRIC)}; the standard needs every criterion "
                f"at least partly met and a total of {PASS_TOTAL} or more.")
        if self.met:
            return head + " This session meets the standard."
        return head + " Not met: " + "; ".join(self.reasons) + "."


def mark_observation(marks: Mapping[str, int]) -> ObservationResult:
    """Mark an observed session: ``marks`` maps each criterion id to 1, 2 or 3."""
    ids = [c.id for c in RUBRIC]
    unknown = [k for k in marks if k not in ids]
    if unknown:
        raise QIDataError(f"Unknown criterion {unknown[0]!r}: the criteria are "
                          f"{', '.join(ids)}.", field=str(unknown[0]))
    missing = [i for i in ids if i not in marks]
    if missing:
        raise QIDataError(f"No mark for {missing[0]!r}: mark every criterion 1, 2 or 3.",
                          field=missing[0])
    for key, value in marks.items():
        if isinstance(value, bool) or value not in LEVELS:
            raise QIDataError(f"The mark for {key!r} is {value!r}: use 1 (not seen), "
                              "2 (partly) or 3 (fully).", field=key)
    total = int(sum(marks.values()))
    reasons = [f"{c.what}: {LEVELS[marks[c.id]]} (needs at least partly)"
               for c in RUBRIC if marks[c.id] < 2]
    if total < PASS_TOTAL:
        reasons.append(f"total {total} is below {PASS_TOTAL}")
    return ObservationResult({i: int(marks[i]) for i in ids}, total, not reasons, reasons)


def rubric_table() -> pd.DataFrame:
    """The rubric as a table for the paper form: criterion, partly (2), fully (3)."""
    return pd.DataFrame([{"Criterion": c.what, "Partly (2)": c.partly, "Fully (3)": c.fully}
                         for c in RUBRIC])
