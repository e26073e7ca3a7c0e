"""questionnaire packs

``questionnaire_pack`` keeps each uploaded pack version (its zip byte for byte, staged until an
operator installs it, then the stored questionnaire versions it installed); ``organisation_pack``
names the installed pack an organisation's new assessments use; ``assessment`` records the pack
it was started on (None: the instance's own questionnaires).

``assessment`` gains its column without a table rebuild (a nullable column with a reference), so
its triggers stay as they are.

Revision ID: 5a7c2e9d1f30
Revises: c3d9a41e7b20
Create Date: 2026-11-30 12:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import assess.db

revision: str = "5a7c2e9d1f30"
down_revision: str | None = "c3d9a41e7b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VERSION_COLUMNS = (
    "definition_version_id",
    "model_fit_version_id",
    "adoption_version_id",
    "perception_version_id",
)


def upgrade() -> None:
    op.create_table(
        "questionnaire_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("archive", sa.LargeBinary(), nullable=False),
        sa.Column("archive_sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", assess.db.UTCDateTime(), nullable=False),
        sa.Column("installed_by_id", sa.Integer(), nullable=True),
        sa.Column("installed_at", assess.db.UTCDateTime(), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in _VERSION_COLUMNS),
        sa.CheckConstraint(
            "status IN ('staged', 'installed')", name=op.f("ck_questionnaire_pack_status")
        ),
        sa.CheckConstraint(
            "status = 'staged' OR (installed_at IS NOT NULL AND definition_version_id IS NOT NULL"
            " AND model_fit_version_id IS NOT NULL AND adoption_version_id IS NOT NULL)",
            name=op.f("ck_questionnaire_pack_installed"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_questionnaire_pack_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["installed_by_id"],
            ["user_account.id"],
            name=op.f("fk_questionnaire_pack_installed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        *(
            sa.ForeignKeyConstraint(
                [name],
                ["questionnaire_versions.id"],
                name=op.f(f"fk_questionnaire_pack_{name}_questionnaire_versions"),
            )
            for name in _VERSION_COLUMNS
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_pack")),
        sa.UniqueConstraint("pack_id", "version", name=op.f("uq_questionnaire_pack_pack_id")),
    )
    op.create_table(
        "organisation_pack",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", assess.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_pack_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["questionnaire_pack.id"],
            name=op.f("fk_organisation_pack_pack_id_questionnaire_pack"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["user_account.id"],
            name=op.f("fk_organisation_pack_assigned_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_organisation_pack")),
    )
    op.create_index(
        op.f("ix_organisation_pack_pack_id"), "organisation_pack", ["pack_id"], unique=False
    )
    if op.get_bind().dialect.name == "sqlite":
        # In place: a batch rebuild would drop the assessment's triggers.
        op.execute(
            "ALTER TABLE assessment ADD COLUMN questionnaire_pack_id INTEGER "
            "CONSTRAINT fk_assessment_questionnaire_pack_id_questionnaire_pack "
            "REFERENCES questionnaire_pack (id)"
        )
    else:
        op.add_column("assessment", sa.Column("questionnaire_pack_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_assessment_questionnaire_pack_id_questionnaire_pack"),
            "assessment",
            "questionnaire_pack",
            ["questionnaire_pack_id"],
            ["id"],
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35 and later drop a column in place, but not one with a reference: the
        # column goes by a rebuild, and the triggers that the rebuild drops come back after it.
        _drop_sqlite_column()
    else:
        op.drop_constraint(
            op.f("fk_assessment_questionnaire_pack_id_questionnaire_pack"),
            "assessment",
            type_="foreignkey",
        )
        op.drop_column("assessment", "questionnaire_pack_id")
    op.drop_index(op.f("ix_organisation_pack_pack_id"), table_name="organisation_pack")
    op.drop_table("organisation_pack")
    op.drop_table("questionnaire_pack")


def _drop_sqlite_column() -> None:
    """Rebuild ``assessment`` without the column: the triggers that name the table (its own and
    those of the tables that read it) are dropped first and made again, as they were, after."""
    bind = op.get_bind()
    triggers = bind.execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND (tbl_name = 'assessment' OR sql LIKE '%assessment%')"
        )
    ).all()
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("questionnaire_pack_id")
    for _name, sql in triggers:
        op.execute(sql)
