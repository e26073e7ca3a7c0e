"""finalised reports

The ``stored_report`` table (a finalised assessment's PDF, byte for byte, with its SHA-256), and on
``assessment`` who finalised it and when, its version and the assessment it corrects. Triggers on
both databases make the rules hold whatever writes to the database:

- an answer of an assessment that is not a draft cannot be added, changed or deleted;
- a finalised or superseded assessment cannot go back to draft, and its title and model choice
  cannot change;
- a stored report cannot be deleted, and nothing of it can change except being marked superseded,
  once.

On SQLite the new ``assessment`` columns come by a batch rebuild of the table, which drops its
triggers: the triggers are created after it. A later migration that rebuilds ``answer``,
``assessment`` or ``stored_report`` must create its triggers again (the tests of the triggers fail
otherwise).

Revision ID: 4ccf61ecd647
Revises: 322a2a6901c0
Create Date: 2026-11-29 16:06:05.243779
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db

revision: str = "4ccf61ecd647"
down_revision: str | None = "322a2a6901c0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLOSED = "answers of a finalised or superseded assessment cannot change"
_FIXED = "a finalised or superseded assessment cannot change"
_STORED = "a stored report cannot change or be deleted; it can only be marked superseded, once"

#: The checks on the new assessment columns (name, condition), as in the model.
ASSESSMENT_CHECKS = [
    ("ck_assessment_version", "version >= 1"),
    ("ck_assessment_version_supersedes", "(version = 1) = (supersedes_id IS NULL)"),
    ("ck_assessment_finalised_at", "status = 'draft' OR finalised_at IS NOT NULL"),
]

#: What may not change on an assessment once it is no longer a draft (besides going back to draft,
#: and a superseded one changing status at all). JSON has no equality in PostgreSQL: compare text.
_FROZEN_SQLITE = " OR ".join(
    f"NEW.{c} IS NOT OLD.{c}"
    for c in ("title", "chosen_models", "choice_reason", "recommended_models", "finalised_at")
)
_FROZEN_POSTGRES = " OR ".join(
    f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text"
    for c in ("title", "chosen_models", "choice_reason", "recommended_models", "finalised_at")
)
#: Stored report columns that never change.
_IMMUTABLE = ("assessment_id", "report_id", "sha256", "data_sha256", "pdf", "size", "created_at")

TRIGGERS = {
    "sqlite": [
        f"""CREATE TRIGGER answer_closed_insert BEFORE INSERT ON answer
        WHEN (SELECT status FROM assessment WHERE id = NEW.assessment_id) <> 'draft'
        BEGIN SELECT RAISE(ABORT, '{_CLOSED}'); END""",  # noqa: S608 (constant text)
        f"""CREATE TRIGGER answer_closed_update BEFORE UPDATE ON answer
        WHEN (SELECT status FROM assessment WHERE id = OLD.assessment_id) <> 'draft'
          OR (SELECT status FROM assessment WHERE id = NEW.assessment_id) <> 'draft'
        BEGIN SELECT RAISE(ABORT, '{_CLOSED}'); END""",  # noqa: S608 (constant text)
        # A draft's answers go with it when it is deleted (the assessment row is gone by then).
        f"""CREATE TRIGGER answer_closed_delete BEFORE DELETE ON answer
        WHEN (SELECT status FROM assessment WHERE id = OLD.assessment_id) <> 'draft'
        BEGIN SELECT RAISE(ABORT, '{_CLOSED}'); END""",  # noqa: S608 (constant text)
        f"""CREATE TRIGGER assessment_closed_update BEFORE UPDATE ON assessment
        WHEN OLD.status <> 'draft' AND (
          NEW.status = 'draft' OR (OLD.status = 'superseded' AND NEW.status <> 'superseded')
          OR {_FROZEN_SQLITE})
        BEGIN SELECT RAISE(ABORT, '{_FIXED}'); END""",
        f"""CREATE TRIGGER stored_report_no_update BEFORE UPDATE ON stored_report
        WHEN {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _IMMUTABLE)}
          OR OLD.superseded_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '{_STORED}'); END""",
        f"""CREATE TRIGGER stored_report_no_delete BEFORE DELETE ON stored_report
        BEGIN SELECT RAISE(ABORT, '{_STORED}'); END""",
    ],
    "postgresql": [
        # FOR SHARE waits for a finalising transaction that holds the assessment row, then sees
        # its outcome: a save racing a finalise cannot slip an answer in after the report.
        f"""CREATE FUNCTION answer_refuse_closed() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            closed boolean;
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                SELECT status <> 'draft' INTO closed FROM assessment
                    WHERE id = OLD.assessment_id FOR SHARE;
                IF closed THEN
                    RAISE EXCEPTION '{_CLOSED}' USING ERRCODE = 'integrity_constraint_violation';
                END IF;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                SELECT status <> 'draft' INTO closed FROM assessment
                    WHERE id = NEW.assessment_id FOR SHARE;
                IF closed THEN
                    RAISE EXCEPTION '{_CLOSED}' USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END IF;
            RETURN OLD;
        END $$""",  # noqa: S608 (constant text)
        """CREATE TRIGGER answer_closed BEFORE INSERT OR UPDATE OR DELETE ON answer
        FOR EACH ROW EXECUTE FUNCTION answer_refuse_closed()""",
        f"""CREATE FUNCTION assessment_refuse_reopen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status <> 'draft' AND (
                NEW.status = 'draft' OR (OLD.status = 'superseded' AND NEW.status <> 'superseded')
                OR {_FROZEN_POSTGRES}) THEN
                RAISE EXCEPTION '{_FIXED}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER assessment_closed BEFORE UPDATE ON assessment
        FOR EACH ROW EXECUTE FUNCTION assessment_refuse_reopen()""",
        f"""CREATE FUNCTION stored_report_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'UPDATE'
                OR {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _IMMUTABLE)}
                OR OLD.superseded_at IS NOT NULL THEN
                RAISE EXCEPTION '{_STORED}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER stored_report_no_change BEFORE UPDATE OR DELETE ON stored_report
        FOR EACH ROW EXECUTE FUNCTION stored_report_refuse_change()""",
        """CREATE TRIGGER stored_report_no_truncate BEFORE TRUNCATE ON stored_report
        FOR EACH STATEMENT EXECUTE FUNCTION stored_report_refuse_change()""",
    ],
}

DROP_TRIGGERS = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            "answer_closed_insert",
            "answer_closed_update",
            "answer_closed_delete",
            "assessment_closed_update",
            "stored_report_no_update",
            "stored_report_no_delete",
        )
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS answer_closed ON answer",
        "DROP FUNCTION IF EXISTS answer_refuse_closed()",
        "DROP TRIGGER IF EXISTS assessment_closed ON assessment",
        "DROP FUNCTION IF EXISTS assessment_refuse_reopen()",
        "DROP TRIGGER IF EXISTS stored_report_no_truncate ON stored_report",
        "DROP TRIGGER IF EXISTS stored_report_no_change ON stored_report",
        "DROP FUNCTION IF EXISTS stored_report_refuse_change()",
    ],
}


def _add_assessment_columns() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("finalised_at", assess.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("finalised_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_assessment_supersedes_id"), ["supersedes_id"], unique=True
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_assessment_supersedes_id_assessment"),
            "assessment",
            ["supersedes_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_assessment_finalised_by_id_user_account"),
            "user_account",
            ["finalised_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        for name, condition in ASSESSMENT_CHECKS:
            batch_op.create_check_constraint(op.f(name), condition)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "stored_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", assess.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", assess.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(superseded_at IS NULL) = (superseded_by_id IS NULL)",
            name=op.f("ck_stored_report_superseded_together"),
        ),
        sa.CheckConstraint("size = length(pdf)", name=op.f("ck_stored_report_size")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_stored_report_assessment_id_assessment"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["stored_report.id"],
            name=op.f("fk_stored_report_superseded_by_id_stored_report"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_report")),
        sa.UniqueConstraint("assessment_id", name=op.f("uq_stored_report_assessment_id")),
        sa.UniqueConstraint("report_id", name=op.f("uq_stored_report_report_id")),
    )
    op.create_index(
        op.f("ix_stored_report_data_sha256"), "stored_report", ["data_sha256"], unique=False
    )
    op.create_index(op.f("ix_stored_report_sha256"), "stored_report", ["sha256"], unique=True)
    _add_assessment_columns()
    for statement in TRIGGERS[dialect]:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in DROP_TRIGGERS[dialect]:
        op.execute(statement)
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        for name, _condition in ASSESSMENT_CHECKS:
            batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_assessment_finalised_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_assessment_supersedes_id_assessment"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_assessment_supersedes_id"))
        batch_op.drop_column("supersedes_id")
        batch_op.drop_column("version")
        batch_op.drop_column("finalised_by_id")
        batch_op.drop_column("finalised_at")
    op.drop_index(op.f("ix_stored_report_sha256"), table_name="stored_report")
    op.drop_index(op.f("ix_stored_report_data_sha256"), table_name="stored_report")
    op.drop_table("stored_report")
