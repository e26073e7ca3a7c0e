"""accounts and organisations: people, organisations, memberships with roles, server-side
sessions, password resets, invitations and forms kept across an expired session.

Revision ID: 58ab730ec4d8
Revises: f667bcb6f341
Create Date: 2026-11-29 15:35:36.954729
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db

revision: str = "58ab730ec4d8"
down_revision: str | None = "f667bcb6f341"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=40), nullable=False),
        sa.Column("size_band", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", assess.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "sector IN ('local_government', 'central_government', 'arms_length_body', 'health', 'education', 'emergency_services', 'housing', 'other_public')",
            name=op.f("ck_organisation_sector"),
        ),
        sa.CheckConstraint(
            "size_band IN ('under_250', '250_999', '1000_4999', '5000_plus')",
            name=op.f("ck_organisation_size_band"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'suspended')", name=op.f("ck_organisation_status")
        ),
        sa.CheckConstraint("length(country) = 2", name=op.f("ck_organisation_country")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_operator", sa.Boolean(), nullable=False),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", assess.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", assess.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'respondent', 'facilitator', 'auditor')",
            name=op.f("ck_invitation_role"),
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["user_account.id"],
            name=op.f("fk_invitation_invited_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_invitation_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    op.create_index(
        op.f("ix_invitation_organisation_id"), "invitation", ["organisation_id"], unique=False
    )

    op.create_table(
        "kept_form",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_kept_form_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_form")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_kept_form_token_hash")),
    )
    op.create_index(op.f("ix_kept_form_user_id"), "kept_form", ["user_id"], unique=False)

    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'respondent', 'facilitator', 'auditor')",
            name=op.f("ck_membership_role"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_membership_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_membership_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint("user_id", "organisation_id", name="uq_membership_user_organisation"),
    )
    op.create_index(
        op.f("ix_membership_organisation_id"), "membership", ["organisation_id"], unique=False
    )

    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", assess.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_password_reset_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    op.create_index(op.f("ix_password_reset_user_id"), "password_reset", ["user_id"], unique=False)

    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", assess.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_user_session_user_id"), table_name="user_session")

    op.drop_table("user_session")
    op.drop_index(op.f("ix_password_reset_user_id"), table_name="password_reset")

    op.drop_table("password_reset")
    op.drop_index(op.f("ix_membership_organisation_id"), table_name="membership")

    op.drop_table("membership")
    op.drop_index(op.f("ix_kept_form_user_id"), table_name="kept_form")

    op.drop_table("kept_form")
    op.drop_index(op.f("ix_invitation_organisation_id"), table_name="invitation")

    op.drop_table("invitation")
    op.drop_table("user_account")
    op.drop_table("organisation")
