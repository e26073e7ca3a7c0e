"""indexes for lists read a page at a time

Keyset pagination reads each list from where the last page ended, through an index on its sort
key: the organisation's audit events by id (the trail's pages and its CSV), the questions its
events are about (the trail's filter), an organisation's assessments newest first, and the
operator's organisations by name. Only indexes are added, so the triggers on ``audit_event`` and
``answer`` are untouched.

Revision ID: c3d9a41e7b20
Revises: 37ee6be0e73a
Create Date: 2026-11-30 09:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c3d9a41e7b20"
down_revision: str | None = "37ee6be0e73a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_event_organisation_id_id", "audit_event", ["organisation_id", "id"])
    op.create_index(
        "ix_audit_event_organisation_question",
        "audit_event",
        ["organisation_id", "questionnaire_id", "question_id"],
    )
    op.create_index(
        "ix_assessment_organisation_created", "assessment", ["organisation_id", "created_at", "id"]
    )
    op.create_index("ix_organisation_name_id", "organisation", ["name", "id"])


def downgrade() -> None:
    op.drop_index("ix_organisation_name_id", table_name="organisation")
    op.drop_index("ix_assessment_organisation_created", table_name="assessment")
    op.drop_index("ix_audit_event_organisation_question", table_name="audit_event")
    op.drop_index("ix_audit_event_organisation_id_id", table_name="audit_event")
