"""action plan and next assessment

Progress over time: an assessment's action plan (``plan_action``), the reminders already queued
for it (``plan_reminder``, so none is sent twice), the next assessment's link to the one it
follows (``assessment_follow_on``) and its carried-over answers (``carried_answer``), follow-up
reviews of a plan with their progress PDFs (``progress_review``), and the organisation's switch for reminders (``organisation.action_reminders``).

The column is added and dropped in place (ALTER TABLE), never by a batch rebuild of
``organisation``.

Revision ID: 37ee6be0e73a
Revises: 13586d477a00
Create Date: 2026-11-30 08:15:29.578772
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db

revision: str = "37ee6be0e73a"
down_revision: str | None = "13586d477a00"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_follow_on",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("follows_id", sa.Integer(), nullable=False),
        sa.Column("not_carried", sa.JSON(), nullable=False),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_follow_on_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follows_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_follow_on_follows_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_assessment_follow_on")),
        sa.UniqueConstraint("follows_id", name=op.f("uq_assessment_follow_on_follows_id")),
    )
    op.create_table(
        "carried_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", assess.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_carried_answer_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user_account.id"],
            name=op.f("fk_carried_answer_confirmed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carried_answer")),
        sa.UniqueConstraint(
            "assessment_id",
            "questionnaire_id",
            "question_id",
            name=op.f("uq_carried_answer_assessment_id"),
        ),
    )
    with op.batch_alter_table("carried_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_carried_answer_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "plan_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("origin_assessment_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("step_key", sa.String(length=140), nullable=True),
        sa.Column("dimension_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("area_title", sa.Text(), nullable=False),
        sa.Column("practice_text", sa.Text(), nullable=False),
        sa.Column("from_level", sa.Integer(), nullable=True),
        sa.Column("to_level", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("done_when", sa.JSON(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("owner_role", sa.String(length=120), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("dropped_reason", sa.Text(), nullable=True),
        sa.Column("evidence_note", sa.Text(), nullable=False),
        sa.Column("evidence_reference", sa.String(length=500), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("moved_at", assess.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("source IN ('recommended', 'own')", name=op.f("ck_plan_action_source")),
        sa.CheckConstraint(
            "status <> 'dropped' OR (dropped_reason IS NOT NULL AND dropped_reason <> '')",
            name=op.f("ck_plan_action_dropped_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'done', 'dropped')",
            name=op.f("ck_plan_action_status"),
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_plan_action_revision")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_plan_action_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_plan_action_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_plan_action_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["origin_assessment_id"],
            ["assessment.id"],
            name=op.f("fk_plan_action_origin_assessment_id_assessment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["user_account.id"],
            name=op.f("fk_plan_action_owner_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action")),
        sa.UniqueConstraint("assessment_id", "step_key", name=op.f("uq_plan_action_assessment_id")),
    )
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_action_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_plan_action_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_plan_action_owner_user_id"), ["owner_user_id"], unique=False
        )

    op.create_table(
        "plan_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("queued_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('week_before', 'due', 'overdue_digest')", name=op.f("ck_plan_reminder_kind")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["plan_action.id"],
            name=op.f("fk_plan_reminder_action_id_plan_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_plan_reminder_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_reminder")),
        sa.UniqueConstraint("event_key", name=op.f("uq_plan_reminder_event_key")),
    )
    with op.batch_alter_table("plan_reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_reminder_action_id"), ["action_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_reminder_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "progress_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scheduled_by_id", sa.Integer(), nullable=True),
        sa.Column("scheduled_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", assess.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("report_id", sa.String(length=32), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'completed') = (pdf IS NOT NULL AND sha256 IS NOT NULL)",
            name=op.f("ck_progress_review_completed"),
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'completed')", name=op.f("ck_progress_review_status")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_progress_review_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["user_account.id"],
            name=op.f("fk_progress_review_completed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_progress_review_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scheduled_by_id"],
            ["user_account.id"],
            name=op.f("fk_progress_review_scheduled_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_review")),
        sa.UniqueConstraint("report_id", name=op.f("uq_progress_review_report_id")),
        sa.UniqueConstraint("sha256", name=op.f("uq_progress_review_sha256")),
    )
    with op.batch_alter_table("progress_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progress_review_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_progress_review_organisation_id"), ["organisation_id"], unique=False
        )
    op.add_column(
        "organisation",
        sa.Column("action_reminders", sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade() -> None:
    # SQLite 3.35 and later drop a column in place.
    op.execute("ALTER TABLE organisation DROP COLUMN action_reminders")
    with op.batch_alter_table("progress_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_review_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_progress_review_assessment_id"))
    op.drop_table("progress_review")

    with op.batch_alter_table("plan_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_reminder_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_plan_reminder_action_id"))

    op.drop_table("plan_reminder")
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_action_owner_user_id"))
        batch_op.drop_index(batch_op.f("ix_plan_action_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_plan_action_assessment_id"))

    op.drop_table("plan_action")
    with op.batch_alter_table("carried_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carried_answer_assessment_id"))

    op.drop_table("carried_answer")
    op.drop_table("assessment_follow_on")
