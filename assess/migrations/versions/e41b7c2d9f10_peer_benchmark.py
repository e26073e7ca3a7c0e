"""peer benchmark: an organisation's opt-out and the benchmark's releases

``organisation.benchmark_opt_out`` (an admin keeps the organisation's figures out of the peer
benchmark; false, so taking part, by default: see docs/methodology.md, "Peer benchmark") and
``benchmark_release``, the published snapshots of each sector's and size band's figures.

Revision ID: e41b7c2d9f10
Revises: 54a5b0608e76
Create Date: 2026-11-30 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db

revision: str = "e41b7c2d9f10"
down_revision: str | None = "54a5b0608e76"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "benchmark_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_kind", sa.String(length=12), nullable=False),
        sa.Column("group_value", sa.String(length=40), nullable=False),
        sa.Column("method_version", sa.String(length=16), nullable=False),
        sa.Column("contributors", sa.JSON(), nullable=False),
        sa.Column("contributor_count", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("released_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "group_kind IN ('sector', 'size_band')", name=op.f("ck_benchmark_release_group_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_release")),
    )
    op.create_index(
        "ix_benchmark_release_group",
        "benchmark_release",
        ["group_kind", "group_value", "id"],
        unique=False,
    )
    op.add_column(
        "organisation",
        sa.Column("benchmark_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    # SQLite 3.35 and later drop a column in place.
    op.execute("ALTER TABLE organisation DROP COLUMN benchmark_opt_out")
    op.drop_index("ix_benchmark_release_group", table_name="benchmark_release")
    op.drop_table("benchmark_release")
