"""A project charter: what a live improvement project is for, who does it and by when.

A charter is the one page a team and its sponsor agree before they start testing changes. It
holds the **aim** (checked by :func:`qilab.check_aim`: focused on the system, how much, by
when), the **scope** (what is in and out), the **team** (with a patient, service-user or carer
voice where feasible, or a note of why not and what was done instead), the **sponsor**, the
**measures** (their operational definitions are in the measurement plan), the **timeline**
(start, milestones, review date) and the **system priority** the project serves.

A charter can be saved while it is still a draft: :meth:`ProjectCharter.problems` says in plain
English what is still missing, and :attr:`ProjectCharter.complete` is True when nothing is.
Impossible values (a date that is not a date, a review date before the start, a team that is
not a list) raise :class:`qilab.QIDataError` naming the field.

>>> charter = ProjectCharter(
...     title="Fewer falls at Oak House",
...     aim="Reduce falls among Oak House residents from 8 a month to 4 a month by March 2027.",
...     scope_in="All 40 residents, day and night", scope_out="Respite stays",
...     team=["Deputy manager (lead)", "Senior carer, nights", "Physiotherapist"],
...     patient_voice="A resident's daughter joins the monthly team meeting.",
...     sponsor="Registered manager", measures=["Falls a month", "Night checks done"],
...     start="2026-04-01", review="2027-03-31",
...     system_priority="Integrated care board priority: preventing falls in care homes")
>>> charter.aim_check.passes, charter.complete
(True, True)
>>> print(ProjectCharter(title="Falls", aim="Staff must try harder.").problems()[0][:36])
The aim does not pass the aim checks
"""
from __future__ import annotations

import dataclasses
import html
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import QIDataError
from ..pdsa import parse_date
from ..storage import load_model, write_document
from .aim import AimCheck, check_aim

__all__ = ["ProjectCharter", "CHARTER_FILE", "SCHEMA", "SCHEMA_VERSION", "LABELS"]

SCHEMA = "qilab.project_charter"
SCHEMA_VERSION = 1
#: The charter's file name in a project folder.
CHARTER_FILE = "charter.json"

#: Plain-English names of the fields, in form order (used in messages, the form and the page).
LABELS: dict[str, str] = {
    "title": "Project title", "aim": "Aim", "scope_in": "In scope", "scope_out": "Out of scope",
    "team": "Team (role, and name if they agree)",
    "patient_voice": "Patient, service-user or carer voice", "sponsor": "Sponsor",
    "measures": "Measures (outcome, process, balancing)", "start": "Start date",
    "milestones": "Milestones", "review": "Review date",
    "system_priority": "System priority it serves",
}
_TEXT = ("title", "aim", "scope_in", "scope_out", "patient_voice", "sponsor", "system_priority")
_LISTS = ("team", "measures", "milestones")
#: A team needs at least this many members (as the Practitioner evidence check asks).
MIN_TEAM = 2


def _text_list(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise QIDataError(f"'{name}' ({LABELS[name]}) must be a list of text, one item a line.",
                          field=name)
    return tuple(" ".join(v.split()) for v in value if v.strip())


def _uk(day: date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


@dataclass(frozen=True)
class ProjectCharter:
    """A project charter (see the module). ``team``, ``measures`` and ``milestones`` are lists
    (or text with one item a line); dates are ``date`` objects or text such as ``2027-03-31``
    or ``31/03/2027``.

    >>> ProjectCharter(title="x", aim="y", start="2027-05-01", review="2027-01-01")
    Traceback (most recent call last):
    ...
    qilab.errors.QIDataError: 'review' (Review date) is 1 January 2027, before the start date 1 May 2027: check both dates.
    """

    title: str
    aim: str
    scope_in: str = ""
    scope_out: str = ""
    team: tuple[str, ...] = ()
    patient_voice: str = ""
    sponsor: str = ""
    measures: tuple[str, ...] = ()
    start: date | None = None
    milestones: tuple[str, ...] = ()
    review: date | None = None
    system_priority: str = ""

    def __post_init__(self) -> None:
        for name in _TEXT:
            value = getattr(self, name)
            value = "" if value is None else value
            if not isinstance(value, str):
                raise QIDataError(f"'{name}' ({LABELS[name]}) must be text, not "
                                  f"{type(value).__name__}.", field=name)
            object.__setattr__(self, name, " ".join(value.split()))
        for name in ("title", "aim"):
            if not getattr(self, name):
                raise QIDataError(f"'{name}' ({LABELS[name]}) is empty: a charter needs a "
                                  f"{LABELS[name].lower()} before it can be saved.", field=name)
        for name in _LISTS:
            object.__setattr__(self, name, _text_list(getattr(self, name), name))
        for name in ("start", "review"):
            object.__setattr__(self, name, parse_date(getattr(self, name), name))
        if self.start and self.review and self.review < self.start:
            raise QIDataError(f"'review' (Review date) is {_uk(self.review)}, before the start "
                              f"date {_uk(self.start)}: check both dates.", field="review")

    # ------------------------------------------------------------------ checks
    @property
    def aim_check(self) -> AimCheck:
        """The aim against the three aim checks (:func:`qilab.check_aim`)."""
        return check_aim(self.aim)

    def problems(self) -> list[str]:
        """What the charter still needs, in plain English and form order (empty: complete)."""
        out = []
        aim = self.aim_check
        if not aim.passes:
            out.append("The aim does not pass the aim checks: " + " ".join(aim.feedback))
        hints = {
            "scope_in": "say what the project covers (which people, service, times)",
            "scope_out": "say what it leaves out, so nobody expects it to fix everything",
            "patient_voice": "say how patients, service users or carers take part, or why "
                             "that was not feasible and what you did instead",
            "sponsor": "name the senior person who removes obstacles for the team",
            "system_priority": "name the system priority the project serves (for example an "
                               "integrated care board or trust priority)",
        }
        for name in ("scope_in", "scope_out"):
            if not getattr(self, name):
                out.append(f"{LABELS[name]} is empty: {hints[name]}.")
        if len(self.team) < MIN_TEAM:
            out.append(f"List at least {MIN_TEAM} team members by role "
                       f"({len(self.team)} so far).")
        for name in ("patient_voice", "sponsor"):
            if not getattr(self, name):
                out.append(f"{LABELS[name]} is empty: {hints[name]}.")
        if not self.measures:
            out.append("List the project's measures: at least an outcome, a process and a "
                       "balancing measure.")
        if not self.start or not self.review:
            out.append("Give a start date and a review date.")
        if not self.system_priority:
            out.append(f"{LABELS['system_priority']} is empty: {hints['system_priority']}.")
        return out

    @property
    def complete(self) -> bool:
        """True when :meth:`problems` finds nothing."""
        return not self.problems()

    # ------------------------------------------------------------------ conversion
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (dates as ``YYYY-MM-DD``); the keys the Practitioner evidence
        check reads (title, aim, team, sponsor, patient_voice) are among them."""
        data = dataclasses.asdict(self)
        for name in _LISTS:
            data[name] = list(getattr(self, name))
        for name in ("start", "review"):
            data[name] = getattr(self, name).isoformat() if getattr(self, name) else None
        return data

    @classmethod
    def from_dict(cls, data: Any) -> ProjectCharter:
        """Rebuild a charter from :meth:`to_dict` output; unknown fields are an error."""
        if not isinstance(data, dict):
            raise QIDataError("A charter must be a dictionary of its fields.", field="charter")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise QIDataError(f"Unknown charter field(s): {', '.join(unknown)} (known: "
                              f"{', '.join(LABELS)}).", field=unknown[0])
        for name in ("title", "aim"):
            if name not in data:
                raise QIDataError(f"The charter has no '{name}' field.", field=name)
        return cls(**data)

    def save(self, path: str | os.PathLike) -> Path:
        """Save as a JSON document with its schema version, atomically; return the path."""
        return write_document(path, SCHEMA, SCHEMA_VERSION, {"charter": self.to_dict()})

    @classmethod
    def load(cls, path: str | os.PathLike) -> ProjectCharter:
        """Read a charter saved by :meth:`save`. Errors name the file and the field."""
        return load_model(path, SCHEMA, SCHEMA_VERSION, lambda d: cls.from_dict(d.get("charter")),
                          "charter")

    def to_markdown(self) -> str:
        """The charter as a Markdown table, field by field."""
        rows = []
        for name, label in LABELS.items():
            value = getattr(self, name)
            if isinstance(value, tuple):
                value = "; ".join(value)
            elif isinstance(value, date):
                value = _uk(value)
            rows.append(f"| {label} | {str(value or '').replace('|', '/')} |")
        return f"## {self.title}\n\n| | |\n|---|---|\n" + "\n".join(rows) + "\n"

    def to_html(self) -> str:
        """The charter as an accessible HTML table (values escaped), for pages and storyboards."""
        rows = []
        for name, label in LABELS.items():
            if name == "title":
                continue
            value = getattr(self, name)
            if isinstance(value, tuple):
                shown = "; ".join(html.escape(v) for v in value)
            elif isinstance(value, date):
                shown = _uk(value)
            else:
                shown = html.escape(value or "")
            rows.append(f"<tr><th scope='row'>{html.escape(label)}</th><td>{shown or '—'}</td></tr>")
        return (f"<table class='qilab-charter'><caption>Project charter: "
                f"{html.escape(self.title)}</caption><tbody>{''.join(rows)}</tbody></table>")
