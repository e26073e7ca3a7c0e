"""account language: the language a person reads assess and its emails in

``user_account.language`` (``en`` or ``cy``, see ``assess.i18n.LOCALES``); null while it is not
known, so existing accounts get bilingual emails until their holder chooses a language.

Revision ID: 5c0e8a2b7d31
Revises: e41b7c2d9f10
Create Date: 2026-11-30 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c0e8a2b7d31"
down_revision: str | None = "e41b7c2d9f10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("language")
