"""The programme's tables (SQLAlchemy 2 declarative models).

People are pseudonymous: a person's key is ``P-`` and twelve characters of a keyed hash of
their learner id, email or name (see :mod:`qilab.programme.identity`); no name is stored.
Schema changes go through Alembic migrations (``qilab/programme/migrations``), never by hand.

>>> sorted(Base.metadata.tables)[:3]
['attendance', 'certificates', 'coaching_sessions']
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

TIERS = ("aware", "foundation", "practitioner", "coach", "leaders")
SECTORS = ("nhs", "social care", "council", "voluntary", "other")
PHASES = ("pre", "post")
DIRECTIONS = ("increase", "decrease")


class Base(DeclarativeBase):
    """Base class of every programme table."""


class Setting(Base):
    """Programme-wide settings, such as the key behind pseudonyms."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Organisation(Base):
    """A partner organisation and its sector."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(20))


class OrganisationAlias(Base):
    """Another way spreadsheets write an organisation's name (stored normalised)."""

    __tablename__ = "organisation_aliases"
    alias: Mapped[str] = mapped_column(String(200), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))


class Person(Base):
    """A pseudonymous person: organisation, role, patient or carer, consent to share."""

    __tablename__ = "people"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(80))
    patient_or_carer: Mapped[bool] = mapped_column(Boolean)
    consent_to_share: Mapped[bool] = mapped_column(Boolean)


class Enrolment(Base):
    """A person on a tier in a cohort; ``completed`` is the date they finished, if they have.

    ``rating`` is their reaction to the training (1 to 5), Kirkpatrick level 1.
    """

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("person_id", "tier", "cohort"),
                      CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)",
                                      name="rating_1_to_5"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    tier: Mapped[str] = mapped_column(String(20))
    cohort: Mapped[str] = mapped_column(String(80))
    started: Mapped[date] = mapped_column(Date)
    completed: Mapped[date | None] = mapped_column(Date, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Certificate(Base):
    """A certificate from ``qilab cohort``'s register; ``verified`` is None without the secret."""

    __tablename__ = "certificates"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    tier: Mapped[str] = mapped_column(String(20))
    awarded: Mapped[date] = mapped_column(Date)
    verified: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class KnowledgeScore(Base):
    """One rater's 0-9 score of one person's answer to one scenario, before or after."""

    __tablename__ = "knowledge_scores"
    __table_args__ = (UniqueConstraint("person_id", "phase", "scenario", "rater"),
                      CheckConstraint("score >= 0 AND score <= 9", name="score_0_to_9"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    phase: Mapped[str] = mapped_column(String(4))
    scenario: Mapped[str] = mapped_column(String(40))
    rater: Mapped[str] = mapped_column(String(40))
    score: Mapped[int] = mapped_column(Integer)
    taken: Mapped[date] = mapped_column(Date)


class Project(Base):
    """An improvement project: charter, priority, its own measure and how to chart it."""

    __tablename__ = "projects"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    lead_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    priority: Mapped[str] = mapped_column(String(120))
    aim: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(10))
    chart: Mapped[str] = mapped_column(String(10))
    rules: Mapped[str] = mapped_column(String(20))
    baseline_points: Mapped[int] = mapped_column(Integer)
    registered: Mapped[date] = mapped_column(Date)
    consent_to_share: Mapped[bool] = mapped_column(Boolean)


class ProgressScore(Base):
    """A project's monthly progress score on the 0.5 to 5 scale (half steps)."""

    __tablename__ = "progress_scores"
    __table_args__ = (UniqueConstraint("project_id", "month"),
                      CheckConstraint("score >= 0.5 AND score <= 5", name="score_half_to_5"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    month: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)


class MeasureValue(Base):
    """One period's value of a project's own measure (``n`` is the denominator, if any)."""

    __tablename__ = "measure_values"
    __table_args__ = (UniqueConstraint("project_id", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    period: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    n: Mapped[float | None] = mapped_column(Float, nullable=True)


class CoachingSession(Base):
    """A coaching session a coach held with a project team."""

    __tablename__ = "coaching_sessions"
    __table_args__ = (UniqueConstraint("project_id", "coach_id", "held"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    coach_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    held: Mapped[date] = mapped_column(Date)


class Pairing(Base):
    """A buddy pair (two people) or a coach matched to a project, with the reason shown."""

    __tablename__ = "pairings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.id"), nullable=True)
    started: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)


class Event(Base):
    """A knowledge-sharing event."""

    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    held: Mapped[date] = mapped_column(Date)


class Attendance(Base):
    """Who registered for an event and who came."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    attended: Mapped[bool] = mapped_column(Boolean)
