"""Workshops: sessions, participants, their own answers, and what the room agreed.

Revision ID: 2b94338a5be9
Revises: 4ccf61ecd647
Create Date: 2026-11-29 16:08:37.460242
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db

revision: str = "2b94338a5be9"
down_revision: str | None = "4ccf61ecd647"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workshop_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_sections", sa.JSON(), nullable=False),
        sa.Column("shown_sections", sa.JSON(), nullable=False),
        sa.Column("divergence_threshold", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", assess.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_workshop_session_status")),
        sa.CheckConstraint(
            "divergence_threshold >= 1", name=op.f("ck_workshop_session_divergence_threshold")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_workshop_session_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["user_account.id"],
            name=op.f("fk_workshop_session_facilitator_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_session")),
        sa.UniqueConstraint("code_sha256", name=op.f("uq_workshop_session_code_sha256")),
    )
    with op.batch_alter_table("workshop_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_session_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "workshop_consensus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("was_divergent", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "how IN ('agreed', 'aggregate')", name=op.f("ck_workshop_consensus_how")
        ),
        sa.CheckConstraint(
            "status IN ('answered', 'not_applicable', 'dont_know')",
            name=op.f("ck_workshop_consensus_status"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_workshop_consensus_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["workshop_session.id"],
            name=op.f("fk_workshop_consensus_session_id_workshop_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_consensus")),
        sa.UniqueConstraint(
            "session_id",
            "questionnaire_id",
            "question_id",
            name=op.f("uq_workshop_consensus_session_id"),
        ),
    )
    with op.batch_alter_table("workshop_consensus", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_consensus_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "workshop_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("joined_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["workshop_session.id"],
            name=op.f("fk_workshop_participant_session_id_workshop_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_participant")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_workshop_participant_token_sha256")),
    )
    with op.batch_alter_table("workshop_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_participant_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "workshop_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('answered', 'not_applicable', 'dont_know')",
            name=op.f("ck_workshop_answer_status"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["workshop_participant.id"],
            name=op.f("fk_workshop_answer_participant_id_workshop_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["workshop_session.id"],
            name=op.f("fk_workshop_answer_session_id_workshop_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_answer")),
        sa.UniqueConstraint(
            "participant_id",
            "questionnaire_id",
            "question_id",
            name=op.f("uq_workshop_answer_participant_id"),
        ),
    )
    with op.batch_alter_table("workshop_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_answer_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workshop_answer_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("workshop_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_answer_session_id"))
        batch_op.drop_index(batch_op.f("ix_workshop_answer_participant_id"))

    op.drop_table("workshop_answer")
    with op.batch_alter_table("workshop_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_participant_session_id"))

    op.drop_table("workshop_participant")
    with op.batch_alter_table("workshop_consensus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_consensus_session_id"))

    op.drop_table("workshop_consensus")
    with op.batch_alter_table("workshop_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_session_assessment_id"))

    op.drop_table("workshop_session")
