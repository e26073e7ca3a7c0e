"""questionnaire versions: the copy of each questionnaire version as first used

Revision ID: f667bcb6f341
Revises:
Create Date: 2026-11-29 15:39:18.866677
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db

revision: str = "f667bcb6f341"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("first_used_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('definition', 'model-fit', 'adoption')",
            name=op.f("ck_questionnaire_versions_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_versions")),
        sa.UniqueConstraint(
            "questionnaire_id",
            "version",
            name=op.f("uq_questionnaire_versions_questionnaire_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("questionnaire_versions")
