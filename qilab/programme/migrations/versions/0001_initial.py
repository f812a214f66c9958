"""The programme's first schema: people, enrolments, certificates, knowledge, projects,
progress, measures, coaching, pairings, events and attendance.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("settings",
                    sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text(), nullable=False))
    op.create_table("organisations",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("name", sa.String(200), nullable=False, unique=True),
                    sa.Column("sector", sa.String(20), nullable=False))
    op.create_table("organisation_aliases",
                    sa.Column("alias", sa.String(200), primary_key=True),
                    sa.Column("organisation_id", sa.Integer(),
                              sa.ForeignKey("organisations.id"), nullable=False))
    op.create_table("people",
                    sa.Column("id", sa.String(16), primary_key=True),
                    sa.Column("organisation_id", sa.Integer(),
                              sa.ForeignKey("organisations.id"), nullable=False),
                    sa.Column("role", sa.String(80), nullable=False),
                    sa.Column("patient_or_carer", sa.Boolean(), nullable=False),
                    sa.Column("consent_to_share", sa.Boolean(), nullable=False))
    op.create_index("ix_people_organisation_id", "people", ["organisation_id"])
    op.create_table("enrolments",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("person_id", sa.String(16), sa.ForeignKey("people.id"),
                              nullable=False),
                    sa.Column("tier", sa.String(20), nullable=False),
                    sa.Column("cohort", sa.String(80), nullable=False),
                    sa.Column("started", sa.Date(), nullable=False),
                    sa.Column("completed", sa.Date(), nullable=True),
                    sa.Column("rating", sa.Integer(), nullable=True),
                    sa.UniqueConstraint("person_id", "tier", "cohort"),
                    sa.CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)",
                                       name="rating_1_to_5"))
    op.create_index("ix_enrolments_person_id", "enrolments", ["person_id"])
    op.create_table("certificates",
                    sa.Column("code", sa.String(40), primary_key=True),
                    sa.Column("person_id", sa.String(16), sa.ForeignKey("people.id"),
                              nullable=False),
                    sa.Column("tier", sa.String(20), nullable=False),
                    sa.Column("awarded", sa.Date(), nullable=False),
                    sa.Column("verified", sa.Boolean(), nullable=True))
    op.create_index("ix_certificates_person_id", "certificates", ["person_id"])
    op.create_table("knowledge_scores",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("person_id", sa.String(16), sa.ForeignKey("people.id"),
                              nullable=False),
                    sa.Column("phase", sa.String(4), nullable=False),
                    sa.Column("scenario", sa.String(40), nullable=False),
                    sa.Column("rater", sa.String(40), nullable=False),
                    sa.Column("score", sa.Integer(), nullable=False),
                    sa.Column("taken", sa.Date(), nullable=False),
                    sa.UniqueConstraint("person_id", "phase", "scenario", "rater"),
                    sa.CheckConstraint("score >= 0 AND score <= 9", name="score_0_to_9"))
    op.create_index("ix_knowledge_scores_person_id", "knowledge_scores", ["person_id"])
    op.create_table("projects",
                    sa.Column("id", sa.String(40), primary_key=True),
                    sa.Column("title", sa.String(200), nullable=False),
                    sa.Column("organisation_id", sa.Integer(),
                              sa.ForeignKey("organisations.id"), nullable=False),
                    sa.Column("lead_id", sa.String(16), sa.ForeignKey("people.id"),
                              nullable=True),
                    sa.Column("priority", sa.String(120), nullable=False),
                    sa.Column("aim", sa.Text(), nullable=False),
                    sa.Column("measure", sa.String(120), nullable=False),
                    sa.Column("direction", sa.String(10), nullable=False),
                    sa.Column("chart", sa.String(10), nullable=False),
                    sa.Column("rules", sa.String(20), nullable=False),
                    sa.Column("baseline_points", sa.Integer(), nullable=False),
                    sa.Column("registered", sa.Date(), nullable=False),
                    sa.Column("consent_to_share", sa.Boolean(), nullable=False))
    op.create_table("progress_scores",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("project_id", sa.String(40), sa.ForeignKey("projects.id"),
                              nullable=False),
                    sa.Column("month", sa.Date(), nullable=False),
                    sa.Column("score", sa.Float(), nullable=False),
                    sa.UniqueConstraint("project_id", "month"),
                    sa.CheckConstraint("score >= 0.5 AND score <= 5", name="score_half_to_5"))
    op.create_index("ix_progress_scores_project_id", "progress_scores", ["project_id"])
    op.create_table("measure_values",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("project_id", sa.String(40), sa.ForeignKey("projects.id"),
                              nullable=False),
                    sa.Column("period", sa.Date(), nullable=False),
                    sa.Column("value", sa.Float(), nullable=False),
                    sa.Column("n", sa.Float(), nullable=True),
                    sa.UniqueConstraint("project_id", "period"))
    op.create_index("ix_measure_values_project_id", "measure_values", ["project_id"])
    op.create_table("coaching_sessions",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("project_id", sa.String(40), sa.ForeignKey("projects.id"),
                              nullable=False),
                    sa.Column("coach_id", sa.String(16), sa.ForeignKey("people.id"),
                              nullable=False),
                    sa.Column("held", sa.Date(), nullable=False),
                    sa.UniqueConstraint("project_id", "coach_id", "held"))
    op.create_index("ix_coaching_sessions_project_id", "coaching_sessions", ["project_id"])
    op.create_table("pairings",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("kind", sa.String(10), nullable=False),
                    sa.Column("person_id", sa.String(16), sa.ForeignKey("people.id"),
                              nullable=False),
                    sa.Column("partner_id", sa.String(16), sa.ForeignKey("people.id"),
                              nullable=True),
                    sa.Column("project_id", sa.String(40), sa.ForeignKey("projects.id"),
                              nullable=True),
                    sa.Column("started", sa.Date(), nullable=False),
                    sa.Column("reason", sa.Text(), nullable=False))
    op.create_table("events",
                    sa.Column("id", sa.String(40), primary_key=True),
                    sa.Column("title", sa.String(200), nullable=False),
                    sa.Column("held", sa.Date(), nullable=False))
    op.create_table("attendance",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("event_id", sa.String(40), sa.ForeignKey("events.id"),
                              nullable=False),
                    sa.Column("person_id", sa.String(16), sa.ForeignKey("people.id"),
                              nullable=False),
                    sa.Column("attended", sa.Boolean(), nullable=False),
                    sa.UniqueConstraint("event_id", "person_id"))
    op.create_index("ix_attendance_event_id", "attendance", ["event_id"])
    op.create_index("ix_attendance_person_id", "attendance", ["person_id"])


def downgrade() -> None:
    for table in ("attendance", "events", "pairings", "coaching_sessions", "measure_values",
                  "progress_scores", "projects", "knowledge_scores", "certificates",
                  "enrolments", "people", "organisation_aliases", "organisations", "settings"):
        op.drop_table(table)
