"""A live project's folder: the files a Practitioner keeps, read and checked in one place.

A project folder holds six files, each written by the qilab tool that makes it (all written
atomically, the JSON ones with a schema version):

=========================  ===================================================================
``charter.json``           the project charter (:class:`qilab.tools.charter.ProjectCharter`)
``driver-diagram.json``    the driver diagram (:meth:`qilab.DriverDiagram.save_json`)
``measurement-plan.json``  the measurement plan (:meth:`qilab.MeasurementPlan.save`)
``pdsa-log.json``          the PDSA log (:class:`qilab.PDSALog`)
``measure-data.csv``       the main measure: ``date, value`` (YYYY-MM-DD and a number), an
                           optional ``n`` (denominator) and ``note`` (what changed at that
                           point: the chart's annotations)
``progress-scores.csv``    the monthly progress scores
                           (:func:`qilab.tools.progress_score.record_progress`)
=========================  ===================================================================

:func:`read_project` reads them all. Each problem names the file and the field (or row and
column) at fault; with ``strict=False`` problems are collected per part instead of raised, so
the certification check can say which items a pack lacks.
"""
from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import QIDataError, QIWarning

__all__ = ["FILES", "Project", "read_project"]

#: Each part of a project folder and its file name.
FILES: dict[str, str] = {
    "charter": "charter.json",
    "driver_diagram": "driver-diagram.json",
    "measurement_plan": "measurement-plan.json",
    "pdsa_log": "pdsa-log.json",
    "measure_data": "measure-data.csv",
    "progress_scores": "progress-scores.csv",
}


@dataclass
class Project:
    """What a project folder holds: each part (``None`` if missing or unreadable) and, per part,
    the problem that stopped it being read."""

    folder: Path
    charter: Any = None
    driver_diagram: Any = None
    measurement_plan: Any = None
    pdsa_log: Any = None
    measure_data: pd.DataFrame | None = None
    progress_scores: Any = None
    problems: dict[str, QIDataError] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.charter.title if self.charter is not None else self.folder.name

    def outcome_measure(self) -> Any:
        """The first outcome measure in the measurement plan (``None`` if there is none)."""
        plan = self.measurement_plan
        return next((m for m in (plan.measures if plan else []) if m.kind == "outcome"), None)

    def chart(self, chart: str = "run", rules: str | None = None) -> Any:
        """The annotated chart of the measure data (:func:`qilab.spc`), titled with the outcome
        measure's name and coloured by its direction."""
        from ..charts.spc import spc

        if self.measure_data is None:
            raise self.problems.get("measure_data") or QIDataError(
                "The project has no measure data.", field="measure_data")
        measure = self.outcome_measure()
        label = measure.name if measure else "Main measure"
        frame = self.measure_data.rename(columns={"value": label})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QIWarning)
            return spc(frame, y=label, x="date", n="n" if "n" in frame else None, chart=chart,
                       rules=rules, notes="note",
                       title=label,
                       improvement_direction=measure.direction if measure and
                       measure.direction in ("increase", "decrease") else None)


def _read_measure_data(path: Path) -> pd.DataFrame:
    """The measure data, checked row by row; errors name the file, row and column."""
    if not path.exists():
        raise QIDataError(f"There is no measure data file {path}: save the main measure there "
                          "(columns date, value and note).", field="measure_data")
    text = path.read_text(encoding="utf-8-sig")
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise QIDataError(f"{path} cannot be read as a CSV file ({exc}).",
                          field="measure_data") from None
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in ("date", "value") if c not in raw.columns]
    if missing:
        raise QIDataError(f"{path} lacks the column(s) {', '.join(missing)}; it needs date and "
                          "value, and may have n and note.", column=missing[0])
    rows = []
    for rowno, row in enumerate(raw.to_dict("records"), start=2):
        try:
            day = date.fromisoformat(row["date"].strip())
        except ValueError:
            raise QIDataError(f"{path}, row {rowno}: date {row['date']!r} is not YYYY-MM-DD.",
                              row=rowno, column="date") from None
        out: dict[str, Any] = {"date": pd.Timestamp(day)}
        for col in ("value", "n") if "n" in raw.columns else ("value",):
            try:
                out[col] = float(row[col].replace(",", ""))
            except ValueError:
                raise QIDataError(f"{path}, row {rowno}: {col} {row[col]!r} is not a number.",
                                  row=rowno, column=col) from None
        out["note"] = " ".join(str(row.get("note", "")).split())
        rows.append(out)
    if not rows:
        raise QIDataError(f"{path} has no rows: add a row for each period.", field="measure_data")
    frame = pd.DataFrame(rows)
    dup = frame["date"].duplicated()
    if dup.any():
        rowno = int(dup.to_numpy().nonzero()[0][0]) + 2
        raise QIDataError(f"{path}, row {rowno}: the date {frame['date'][rowno - 2]:%Y-%m-%d} "
                          "appears twice: keep one value a period.", row=rowno, column="date")
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def _read_pdsa_log(path: Path) -> Any:
    """The PDSA log, read without changing the file (a damaged log is an error, not set aside
    as :class:`qilab.PDSALog` does for its owner)."""
    from ..pdsa import SCHEMA, SCHEMA_VERSION, PDSACycle, PDSALog
    from ..storage import read_document

    if not path.exists():
        raise QIDataError(f"There is no PDSA log {path}.", field="pdsa_log")
    doc = read_document(path, SCHEMA, SCHEMA_VERSION)
    raw = doc.get("cycles")
    if not isinstance(raw, list):
        raise QIDataError(f"{path} has no 'cycles' list.", field="cycles")
    try:
        cycles = [PDSACycle.from_dict(item) for item in raw]
        PDSALog._check_links(cycles)
    except QIDataError as exc:
        raise QIDataError(f"{path}: {exc}", field=exc.field) from None
    return PDSALog(path)


def _readers() -> dict[str, Any]:
    from ..tools.charter import ProjectCharter
    from ..tools.driver_diagram import DriverDiagram
    from ..tools.measures import MeasurementPlan
    from ..tools.progress_score import read_progress

    def diagram(path: Path) -> Any:
        if not path.exists():
            raise QIDataError(f"There is no driver diagram file {path}.", field="driver_diagram")
        try:
            return DriverDiagram.load_json(path)
        except QIDataError as exc:
            raise QIDataError(str(exc) if str(path) in str(exc) else f"{path}: {exc}",
                              field=exc.field) from None

    return {"charter": ProjectCharter.load, "driver_diagram": diagram,
            "measurement_plan": MeasurementPlan.load, "pdsa_log": _read_pdsa_log,
            "measure_data": _read_measure_data, "progress_scores": read_progress}


def read_project(folder: str | os.PathLike, *, strict: bool = True) -> Project:
    """Read every part of a project folder (see the module for the files).

    With ``strict`` (the default) a missing or bad part raises :class:`qilab.QIDataError`
    naming every file at fault; otherwise each problem is kept in :attr:`Project.problems`.

    >>> import tempfile
    >>> project = read_project(tempfile.mkdtemp(), strict=False)
    >>> sorted(project.problems) == sorted(FILES)
    True
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise QIDataError(f"The project folder {folder} does not exist.", field="folder")
    project = Project(folder)
    for part, reader in _readers().items():
        try:
            setattr(project, part, reader(folder / FILES[part]))
        except QIDataError as exc:
            project.problems[part] = exc
        except OSError as exc:
            project.problems[part] = QIDataError(
                f"{folder / FILES[part]} cannot be read ({exc.strerror or exc}).", field=part)
    if strict and project.problems:
        first = next(iter(project.problems.values()))
        raise QIDataError("The project folder is not complete: "
                          + " ".join(str(e) for e in project.problems.values()),
                          row=first.row, column=first.column, field=first.field)
    return project


def example_project(folder: str | os.PathLike) -> Path:
    """Write a complete, made-up example project to ``folder`` and return the folder.

    A care home's falls project (Oak House is fictional): a charter, driver diagram,
    measurement plan, three linked and tested PDSA cycles and a fourth being planned, 18
    months of falls with notes at the changes, and 9 monthly progress scores. Pages use it to
    show a storyboard; tests use it as a complete evidence pack.

    >>> import tempfile
    >>> read_project(example_project(tempfile.mkdtemp())).charter.title
    'Fewer falls at Oak House'
    """
    from ..pdsa import PDSACycle, PDSALog
    from ..storage import atomic_write_text
    from ..tools.charter import ProjectCharter
    from ..tools.driver_diagram import DriverDiagram
    from ..tools.measures import MeasureDefinition, MeasurementPlan
    from ..tools.progress_score import record_progress

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    aim = "Reduce falls among Oak House residents from 8 a month to 4 a month by March 2026."
    title = "Fewer falls at Oak House"
    ProjectCharter(
        title=title, aim=aim,
        scope_in="All 40 residents of Oak House care home, day and night",
        scope_out="Respite stays of under a week; falls outside the home",
        team=["Deputy manager (project lead)", "Senior carer, days", "Senior carer, nights",
              "Community physiotherapist", "Daughter of a resident (family partner)"],
        patient_voice="A resident's daughter is a full team member; two residents helped "
                      "choose the night-time changes.",
        sponsor="Registered manager, Oak House",
        measures=["Falls each month (outcome)", "Night checks done as planned (process)",
                  "Residents woken at night who did not want to be (balancing)"],
        start="2025-01-01", milestones=["Baseline by April 2025", "First tests by June 2025"],
        review="2026-03-31",
        system_priority="Integrated care board priority: fewer falls and hip fractures in "
                        "care homes").save(folder / FILES["charter"])
    DriverDiagram(
        aim=aim, primary=["Residents' risks known and acted on", "Safe nights"],
        secondary={"Falls risk reviewed within 24 hours of arrival":
                   "Residents' risks known and acted on",
                   "Help to the toilet at night before it is urgent": "Safe nights"},
        changes={"Arrival falls review": "Falls risk reviewed within 24 hours of arrival",
                 "Night rounding at 2 am and 5 am":
                 "Help to the toilet at night before it is urgent"},
    ).save_json(folder / FILES["driver_diagram"])
    common = {"data_source": "Incident system and night check sheets", "frequency": "Monthly",
              "owner": "Deputy manager"}
    MeasurementPlan([
        MeasureDefinition(name="Falls each month", kind="outcome",
                          numerator="Falls recorded on the home's incident system",
                          inclusions="All residents", direction="decrease", **common),
        MeasureDefinition(name="Night checks done as planned", kind="process",
                          numerator="Night checks done at 2 am and 5 am",
                          denominator="Night checks planned", inclusions="Residents on "
                          "night rounding", direction="increase", **common),
        MeasureDefinition(name="Residents woken who did not want to be", kind="balancing",
                          numerator="Residents who say a check woke them against their wish",
                          inclusions="Residents on night rounding", direction="decrease",
                          **common),
    ]).save(folder / FILES["measurement_plan"])
    log = PDSALog(folder / FILES["pdsa_log"])
    plan = {"questions": ["Can the night carer fit the checks in?"], "plan_who": "Night carer",
            "plan_data": "Checks done, residents woken, falls"}
    log.add(PDSACycle(
        id="C1", title="Night rounding, 1 resident, 1 week", change_idea="Night rounding",
        prediction="All 14 checks done; the resident will not mind being checked",
        plan_what="Check at 2 am and 5 am, offer the toilet", plan_when="2025-08-04",
        do_what_happened="12 of 14 checks done", do_date="2025-08-04",
        study_results="Fewer checks than predicted: 2 missed on a busy night",
        study_learning="Busy nights need a second carer at 5 am", act_decision="adapt",
        act_next_step="Add a second carer at 5 am", **plan))
    log.add(PDSACycle(
        id="C2", follows="C1", title="Night rounding, 5 residents, 2 weeks",
        change_idea="Night rounding", prediction="At least 90% of checks done, no complaints",
        plan_what="Two carers share the 5 am checks", plan_when="2025-09-01",
        do_what_happened="95% of checks done", do_date="2025-09-02",
        study_results="As predicted; one resident asked not to be woken",
        study_learning="Ask each resident how they want to be checked",
        act_decision="adapt", act_next_step="Agree each resident's check plan", **plan))
    log.add(PDSACycle(
        id="C3", follows="C2", title="Night rounding, all residents, 1 month",
        change_idea="Night rounding", prediction="At least 90% of checks done; falls at night "
        "down by a third", plan_what="Checks as agreed with each resident",
        plan_when="2025-11-01", do_what_happened="93% of checks done", do_date="2025-11-03",
        study_results="Checks as predicted; night falls halved", study_learning="It works "
        "when each resident's wishes are in their plan", act_decision="adopt",
        act_next_step="Make it standard work", **plan))
    log.add(PDSACycle(
        id="C4", title="Arrival falls review, 2 new residents", change_idea="Arrival falls "
        "review", questions=["Can the review be done in 24 hours?"],
        prediction="Both reviewed within 24 hours", plan_who="Senior carer, days",
        plan_what="Falls review on the day of arrival", plan_when="2026-04-06",
        plan_data="Hours from arrival to review"))
    falls = [9, 8, 9, 10, 8, 9, 7, 9, 9, 8, 6, 5, 4, 5, 4, 3, 4, 3]
    notes = {8: "Rounding tested (C1)", 11: "Rounding for all (C3)"}
    rows = ["date,value,note"] + [f"2025-{m:02d}-01" if m <= 12 else f"2026-{m - 12:02d}-01"
                                  for m in range(1, len(falls) + 1)]
    rows = [rows[0]] + [f"{d},{v},{notes.get(i + 1, '')}"
                        for i, (d, v) in enumerate(zip(rows[1:], falls))]
    atomic_write_text(folder / FILES["measure_data"], "\n".join(rows) + "\n")
    for month, score in zip(range(4, 13), (1, 1.5, 2, 2, 2.5, 2.5, 3, 3, 3.5)):
        record_progress(folder / FILES["progress_scores"], title,
                        f"2025-{month:02d}-28", score, "Registered manager and coach")
    return folder
