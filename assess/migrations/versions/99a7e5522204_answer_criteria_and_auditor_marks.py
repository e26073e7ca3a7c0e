"""answer criteria and auditor marks

Method 2.0: an answer of level 3 or above carries the criteria its respondent confirmed (the
``answer.criteria`` JSON column), and an auditor can mark any answer verified or challenged (the
``answer_mark`` table, one current mark per answer).

The column is added and dropped in place (ALTER TABLE), never by a batch rebuild of ``answer``,
which on SQLite would drop the triggers that keep a finalised assessment's answers fixed.

Revision ID: 99a7e5522204
Revises: b569fdf3547c
Create Date: 2026-11-30 04:47:05.626782
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db

revision: str = "99a7e5522204"
down_revision: str | None = "b569fdf3547c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("mark", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answer_revision", sa.Integer(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mark IN ('verified', 'challenged')", name=op.f("ck_answer_mark_mark")),
        sa.CheckConstraint("answer_revision >= 1", name=op.f("ck_answer_mark_answer_revision")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_answer_mark_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["user_account.id"],
            name=op.f("fk_answer_mark_marked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_mark")),
        sa.UniqueConstraint(
            "assessment_id",
            "questionnaire_id",
            "question_id",
            name=op.f("uq_answer_mark_assessment_id"),
        ),
    )
    op.create_index(
        op.f("ix_answer_mark_assessment_id"), "answer_mark", ["assessment_id"], unique=False
    )
    op.add_column("answer", sa.Column("criteria", sa.JSON(), nullable=True))


def downgrade() -> None:
    # SQLite 3.35 and later drop a column in place, keeping the table's triggers.
    op.execute("ALTER TABLE answer DROP COLUMN criteria")
    op.drop_index(op.f("ix_answer_mark_assessment_id"), table_name="answer_mark")
    op.drop_table("answer_mark")
