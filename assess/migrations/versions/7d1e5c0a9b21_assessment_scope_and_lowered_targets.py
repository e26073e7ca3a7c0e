"""assessment scope and lowered targets

Method 2.0: an assessment names its scope (``assessment.scope``: a named service, or NULL for
the whole organisation), and an admin may lower the target of a dimension with a reason
(``target_override``).

The column is added with a plain ``ALTER TABLE ... ADD COLUMN`` (no batch rebuild), so SQLite keeps
the triggers on ``assessment`` (see 4ccf61ecd647).

Revision ID: 7d1e5c0a9b21
Revises: 99a7e5522204
Create Date: 2026-11-30 05:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db

revision: str = "7d1e5c0a9b21"
down_revision: str | None = "99a7e5522204"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("assessment", sa.Column("scope", sa.String(length=200), nullable=True))
    op.create_table(
        "target_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", assess.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_target_override_level")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_target_override_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"],
            ["user_account.id"],
            name=op.f("fk_target_override_set_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_override")),
        sa.UniqueConstraint(
            "assessment_id",
            "dimension_id",
            name=op.f("uq_target_override_assessment_id"),
        ),
    )
    op.create_index(
        op.f("ix_target_override_assessment_id"),
        "target_override",
        ["assessment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_target_override_assessment_id"), table_name="target_override")
    op.drop_table("target_override")
    op.drop_column("assessment", "scope")
