"""The programme's records as pandas tables, read in one go for the reports.

>>> import tempfile, pathlib
>>> from qilab.programme.db import open_database
>>> engine = open_database("sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "p.sqlite"))
>>> load(engine).people.columns.tolist()
['person', 'organisation', 'sector', 'role', 'patient_or_carer', 'consent_to_share']
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine, text

_QUERIES = {
    "people": "SELECT p.id AS person, o.name AS organisation, o.sector, p.role, "
              "p.patient_or_carer, p.consent_to_share FROM people p "
              "JOIN organisations o ON o.id = p.organisation_id ORDER BY p.id",
    "enrolments": "SELECT person_id AS person, tier, cohort, started, completed, rating "
                  "FROM enrolments ORDER BY id",
    "certificates": "SELECT code, person_id AS person, tier, awarded, verified "
                    "FROM certificates ORDER BY awarded, code",
    "knowledge": "SELECT person_id AS person, phase, scenario, rater, score, taken "
                 "FROM knowledge_scores ORDER BY id",
    "projects": "SELECT pr.id AS project, pr.title, o.name AS organisation, o.sector, "
                "pr.lead_id AS lead, pr.priority, pr.aim, pr.measure, pr.direction, pr.chart, "
                "pr.rules, pr.baseline_points, pr.registered, pr.consent_to_share "
                "FROM projects pr JOIN organisations o ON o.id = pr.organisation_id "
                "ORDER BY pr.id",
    "progress": "SELECT project_id AS project, month, score FROM progress_scores "
                "ORDER BY project_id, month",
    "measures": "SELECT project_id AS project, period, value, n FROM measure_values "
                "ORDER BY project_id, period",
    "coaching": "SELECT project_id AS project, coach_id AS coach, held FROM coaching_sessions "
                "ORDER BY held",
    "events": "SELECT id AS event, title, held FROM events ORDER BY held",
    "attendance": "SELECT event_id AS event, person_id AS person, attended FROM attendance",
}
_DATES = {"enrolments": ("started", "completed"), "certificates": ("awarded",),
          "knowledge": ("taken",), "projects": ("registered",), "progress": ("month",),
          "measures": ("period",), "coaching": ("held",), "events": ("held",)}
_BOOLS = {"people": ("patient_or_carer", "consent_to_share"), "certificates": ("verified",),
          "projects": ("consent_to_share",), "attendance": ("attended",)}


@dataclass(frozen=True)
class Records:
    """Every table of the programme, one DataFrame each (people by pseudonym only)."""

    people: pd.DataFrame
    enrolments: pd.DataFrame
    certificates: pd.DataFrame
    knowledge: pd.DataFrame
    projects: pd.DataFrame
    progress: pd.DataFrame
    measures: pd.DataFrame
    coaching: pd.DataFrame
    events: pd.DataFrame
    attendance: pd.DataFrame
    read_on: date


def load(engine: Engine, *, today: date | None = None) -> Records:
    """Read every table in one transaction, so the report sees one consistent state."""
    frames = {}
    with engine.connect() as conn, conn.begin():
        for name, query in _QUERIES.items():
            result = conn.execute(text(query))
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
            for column in _DATES.get(name, ()):
                frame[column] = pd.to_datetime(frame[column])
            for column in _BOOLS.get(name, ()):
                frame[column] = frame[column].astype("boolean")
            frames[name] = frame
    return Records(**frames, read_on=today or date.today())
