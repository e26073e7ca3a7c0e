"""stored report languages: a finalised report stored in Welsh beside the English one

``stored_report_language`` holds the same finalised report in another language (its own PDF and
SHA-256, verified like the English one; the figures and embedded data are the English report's).

Revision ID: b7d3c1a9e5f2
Revises: 5c0e8a2b7d31
Create Date: 2026-11-30 15:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db

revision: str = "b7d3c1a9e5f2"
down_revision: str | None = "5c0e8a2b7d31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_STORED = "a stored report in another language cannot be changed or deleted"

#: Like ``stored_report``'s own (migration 4ccf61ecd647): a finalised report's copy in another
#: language is written once and never changed or deleted (an import turns them off for its own
#: writes of finished history).
TRIGGERS = {
    "sqlite": [
        f"""CREATE TRIGGER stored_report_language_no_update BEFORE UPDATE ON stored_report_language
        BEGIN SELECT RAISE(ABORT, '{_STORED}'); END""",
        f"""CREATE TRIGGER stored_report_language_no_delete BEFORE DELETE ON stored_report_language
        BEGIN SELECT RAISE(ABORT, '{_STORED}'); END""",
    ],
    "postgresql": [
        f"""CREATE FUNCTION stored_report_language_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{_STORED}' USING ERRCODE = 'integrity_constraint_violation';
        END $$""",
        """CREATE TRIGGER stored_report_language_no_change
        BEFORE UPDATE OR DELETE ON stored_report_language
        FOR EACH ROW EXECUTE FUNCTION stored_report_language_refuse_change()""",
        """CREATE TRIGGER stored_report_language_no_truncate
        BEFORE TRUNCATE ON stored_report_language
        FOR EACH STATEMENT EXECUTE FUNCTION stored_report_language_refuse_change()""",
    ],
}
DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS stored_report_language_no_update",
        "DROP TRIGGER IF EXISTS stored_report_language_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS stored_report_language_no_truncate ON stored_report_language",
        "DROP TRIGGER IF EXISTS stored_report_language_no_change ON stored_report_language",
        "DROP FUNCTION IF EXISTS stored_report_language_refuse_change()",
    ],
}


def upgrade() -> None:
    op.create_table(
        "stored_report_language",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stored_report_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size = length(pdf)", name=op.f("ck_stored_report_language_size")),
        sa.ForeignKeyConstraint(
            ["stored_report_id"],
            ["stored_report.id"],
            name=op.f("fk_stored_report_language_stored_report_id_stored_report"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_report_language")),
        sa.UniqueConstraint(
            "stored_report_id", "locale", name=op.f("uq_stored_report_language_stored_report_id")
        ),
    )
    op.create_index(
        op.f("ix_stored_report_language_sha256"),
        "stored_report_language",
        ["sha256"],
        unique=True,
    )
    op.create_index(
        op.f("ix_stored_report_language_stored_report_id"),
        "stored_report_language",
        ["stored_report_id"],
        unique=False,
    )
    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_index(
        op.f("ix_stored_report_language_stored_report_id"), table_name="stored_report_language"
    )
    op.drop_index(op.f("ix_stored_report_language_sha256"), table_name="stored_report_language")
    op.drop_table("stored_report_language")
