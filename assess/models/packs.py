"""Questionnaire packs: questionnaires an operator installs, and the organisations that use them.

A pack is a zip of the three questionnaire files (and optionally the perception survey) with a
``pack.yaml`` naming it. Uploading keeps the archive as a *staged* pack; installing stores its
questionnaire versions (the same ``questionnaire_versions`` rows assessments are read against) and
marks it installed. An organisation uses at most one installed pack for its new assessments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, one_of, utcnow
from assess.models.accounts import Organisation

#: staged: uploaded and valid, not yet installed; installed: organisations may use it.
PACK_STATUSES = ("staged", "installed")


class QuestionnairePack(Base):
    """One version of one pack, as uploaded (the archive is kept, byte for byte)."""

    __tablename__ = "questionnaire_pack"
    __table_args__ = (
        UniqueConstraint("pack_id", "version"),
        CheckConstraint(one_of("status", PACK_STATUSES), name="status"),
        CheckConstraint(
            "status = 'staged' OR (installed_at IS NOT NULL AND definition_version_id IS NOT NULL"
            " AND model_fit_version_id IS NOT NULL AND adoption_version_id IS NOT NULL)",
            name="installed",
        ),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The pack's ``id`` in its pack.yaml, such as ``parish-light``.
    pack_id: Mapped[str] = mapped_column(String(64))
    #: The pack's ``version`` in its pack.yaml, such as ``1.0.0``.
    version: Mapped[str] = mapped_column(String(32))
    #: The pack's title keyed by locale, as in pack.yaml.
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: staged or installed.
    status: Mapped[str] = mapped_column(String(12), default="staged")
    #: The zip as uploaded, and its SHA-256 (hex).
    archive: Mapped[bytes] = mapped_column(LargeBinary)
    archive_sha256: Mapped[str] = mapped_column(String(64))
    #: The uploaded file's name, as the operator's computer called it.
    filename: Mapped[str] = mapped_column(String(200))
    #: Who uploaded it (None: from the command line), and when.
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who installed it (None: from the command line), and when (None while staged).
    installed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: The stored questionnaire versions it installed (None while staged).
    definition_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("questionnaire_versions.id"), default=None
    )
    model_fit_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("questionnaire_versions.id"), default=None
    )
    adoption_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("questionnaire_versions.id"), default=None
    )
    #: The stakeholders' survey, when the pack carries one.
    perception_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("questionnaire_versions.id"), default=None
    )

    def __repr__(self) -> str:
        return f"<QuestionnairePack {self.pack_id} {self.version} {self.status}>"


class OrganisationPack(Base):
    """The installed pack an organisation's new assessments use (no row: the instance's own)."""

    __tablename__ = "organisation_pack"

    #: The organisation (one pack each).
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    #: The installed pack version it uses.
    pack_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_pack.id"), index=True)
    #: Who chose it (None: from the command line), and when.
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    pack: Mapped[QuestionnairePack] = relationship()
