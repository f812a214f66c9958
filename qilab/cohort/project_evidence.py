"""Practitioner evidence checked from the learner's project folder (their evidence pack).

Six of the Practitioner tier's evidence items in ``grading/standard.yml`` are facts a computer
can check in a project folder (:mod:`qilab.reports.project`), so :func:`check_project` checks
them and says, item by item and in plain English, what it found:

* ``charter``: the charter's aim passes the three aim checks (:func:`qilab.check_aim`), and
  it names a team of at least 2, a sponsor and the patient or service-user voice;
* ``driver-diagram``: at least one primary driver, secondary driver and change idea;
* ``measurement-plan``: complete operational definitions of an outcome, a process and a
  balancing measure;
* ``linked-pdsas``: at least :data:`MIN_CYCLES` PDSA cycles linked in one ramp, each tested,
  with a prediction in a plan dated on or before the day of its Do step;
* ``annotated-chart``: a run or SPC chart of the measure data with at least 12 points and at
  least one note;
* ``progress-score``: the latest monthly progress score is :data:`MIN_SCORE` or more.

The structural checks are the ones the Practitioner exercise uses
(:func:`qilab.cohort.checks.check_practitioner_evidence`); this module adds the dates of the
PDSA ramp and the progress score's threshold. The other items (``project-registered``,
``team-and-sponsor``, ``reflection``) need a person's judgement and are marked by an assessor in
the evidence CSV. :func:`add_to_evidence` appends one row per learner and checked item
(assessor :data:`ASSESSOR`), as ``qilab cohort coach-check`` does for coaches, and
``qilab cohort certify --tier practitioner`` reads both kinds of row.

Each learner's project is a folder named with their learner id, under one projects folder.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import QIDataError
from .evidence import append_checked_rows

if TYPE_CHECKING:
    from ..reports.project import Project

MIN_CYCLES = 3
MIN_SCORE = 2.5
ASSESSOR = "qilab project check"
#: The items this module checks, and the project part each one reads.
ITEMS: dict[str, str] = {
    "charter": "charter",
    "driver-diagram": "driver_diagram",
    "measurement-plan": "measurement_plan",
    "linked-pdsas": "pdsa_log",
    "annotated-chart": "measure_data",
    "progress-score": "progress_scores",
}
LABELS = {"charter": "Charter", "driver-diagram": "Driver diagram",
          "measurement-plan": "Measurement plan", "linked-pdsas": "Linked PDSA cycles",
          "annotated-chart": "Annotated chart", "progress-score": "Progress score"}
_EVIDENCE_KEYS = {"charter": "charter", "driver-diagram": "driver_diagram",
                  "measurement-plan": "measurement_plan", "linked-pdsas": "pdsa_cycles",
                  "annotated-chart": "chart", "progress-score": "progress_score"}


@dataclass
class ProjectCheck:
    """What one learner's project folder shows: each checked item met or not, and why."""

    learner: str
    folder: Path
    met: dict[str, bool] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(self.met.values())

    def explain(self) -> str:
        """One line per item: met or not, and what the folder showed."""
        return "\n".join(f"{LABELS[item]}: {'met' if ok else 'NOT met'}. {self.notes[item]}"
                         for item, ok in self.met.items())


def _ramp_problems(log) -> tuple[list, list[str]]:
    """The best ramp's cycles that were tested with a prediction planned before the Do step,
    and the reasons the others do not count."""
    best: list = []
    reasons: list[str] = []
    for ramp in log.ramps():
        good, why = [], []
        for c in ramp:
            if not c.prediction:
                why.append(f"cycle {c.id} has no prediction")
            elif c.do_date is None:
                why.append(f"cycle {c.id} has no Do date yet (not tested)")
            elif c.plan_when is None:
                why.append(f"cycle {c.id} has no planned date, so nothing shows its prediction "
                           "was made before the Do step")
            else:  # the PDSA model refuses a Do date before the planned date
                good.append(c)
                continue
            break  # a ramp counts up to its first cycle that does not
        if len(good) > len(best):
            best, reasons = good, why
    return best, reasons


def _pdsa_note(log, structure_ok: bool, messages: list[str]) -> tuple[bool, str]:
    good, why = _ramp_problems(log)
    ok = structure_ok and len(good) >= MIN_CYCLES
    if ok:
        return True, (f"{len(good)} linked cycles ({' → '.join(c.id for c in good)}), each "
                      "tested with a prediction in a plan dated on or before its Do step.")
    text = " ".join(messages)
    if len(good) < MIN_CYCLES:
        text += (f" The longest ramp has {len(good)} cycle(s) tested with a prediction made "
                 f"before the Do step; {MIN_CYCLES} are needed"
                 + (f" ({'; '.join(why)})." if why else "."))
    return False, text.strip()


def check_project(folder: str | os.PathLike | Project, learner: str | None = None
                  ) -> ProjectCheck:
    """Check one project folder (or a :class:`~qilab.reports.project.Project` already read
    from one) against the six items (see the module).

    >>> import tempfile
    >>> check = check_project(tempfile.mkdtemp(), learner="ann")
    >>> check.met["charter"], check.notes["charter"][:25]
    (False, 'There is no charter file ')
    """
    from ..reports.project import Project, read_project
    from .checks import check_practitioner_evidence

    project = folder if isinstance(folder, Project) else read_project(folder, strict=False)
    check = ProjectCheck(learner or project.folder.name, project.folder)
    for item, part in ITEMS.items():
        if part in project.problems:
            check.met[item], check.notes[item] = False, str(project.problems[part])
            continue
        if item == "annotated-chart":
            try:
                value = project.chart()
            except QIDataError as exc:
                check.met[item], check.notes[item] = False, f"The chart cannot be drawn: {exc}"
                continue
        elif item == "progress-score":
            value = _latest_score(project, check)
            if value is None:
                continue
        else:
            value = getattr(project, part)
        result = check_practitioner_evidence(**{_EVIDENCE_KEYS[item]: value})
        ok, messages = result.ok, list(result.messages)
        if item == "linked-pdsas":
            ok, note = _pdsa_note(value, ok, messages)
        elif item == "progress-score":
            ok = ok and value >= MIN_SCORE
            note = (f"The latest progress score is {value:g}" + (
                f"; {MIN_SCORE:g} or more is needed." if value < MIN_SCORE else
                f", {MIN_SCORE:g} or more as needed."))
        elif ok:
            note = _met_note(item, value)
        else:
            note = " ".join(messages)
        check.met[item], check.notes[item] = ok, note
    return check


def _met_note(item: str, value) -> str:
    if item == "charter":
        return ("The aim passes the three aim checks (system focus, how much, by when), and the "
                "charter names the team, sponsor and patient or service-user voice.")
    if item == "driver-diagram":
        counts = value.counts()
        return (f"The driver diagram has {counts['primary']} primary and {counts['secondary']} "
                f"secondary drivers and {counts['changes']} change ideas, all linked.")
    if item == "measurement-plan":
        return "Outcome, process and balancing measures are all defined."
    return f"The chart has {len(value.points)} points and {len(value.notes)} note(s)."


def _latest_score(project, check: ProjectCheck) -> float | None:
    tracker = project.progress_scores
    if len(tracker.teams) > 1:
        check.met["progress-score"] = False
        check.notes["progress-score"] = (
            f"{project.folder / 'progress-scores.csv'} has scores for {len(tracker.teams)} teams "
            f"({', '.join(tracker.teams)}): keep only this project's scores in it.")
        return None
    return float(tracker.latest["progress_score"].iloc[0])


def check_projects(projects: str | os.PathLike) -> list[ProjectCheck]:
    """Check every learner's project folder under ``projects`` (one folder per learner id)."""
    root = Path(projects)
    if not root.is_dir():
        raise QIDataError(f"The projects folder {root} does not exist: make one folder per "
                          "learner in it, named with their learner id.", field="projects")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise QIDataError(f"The projects folder {root} has no project folders: make one "
                          "folder per learner, named with their learner id.", field="projects")
    return [check_project(p, p.name) for p in folders]


def add_to_evidence(checks: list[ProjectCheck], evidence: str | os.PathLike,
                    on: date | None = None) -> Path:
    """Append one evidence row per learner and checked item (atomically); return the file."""
    return append_checked_rows(
        evidence, [(c.learner, item, met, c.notes[item]) for c in checks
                   for item, met in c.met.items()], ASSESSOR, on)
