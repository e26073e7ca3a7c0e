"""Questionnaire versions as they were first used: the copy old assessments are read against."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assess.db import Base, UTCDateTime, utcnow


class QuestionnaireVersion(Base):
    """One version of one questionnaire, stored the first time an assessment used it.

    The row is never changed afterwards: editing the YAML file without bumping ``version`` is
    refused (see :mod:`assess.services.questionnaires`), and a new version gets a row of its own.
    """

    __tablename__ = "questionnaire_versions"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "version"),
        CheckConstraint(
            "kind IN ('definition', 'model-fit', 'adoption', 'perception')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The questionnaire's ``id`` in its file, such as ``adoption`` (the unique constraint on
    #: (questionnaire_id, version) also serves look-ups by id).
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    #: The file's ``version``, such as ``1.0.0``.
    version: Mapped[str] = mapped_column(String(32))
    #: definition, model-fit or adoption.
    kind: Mapped[str] = mapped_column(String(16))
    #: The parsed file as JSON (see ``assess.questionnaire.loader.content``).
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the canonical JSON of ``content``, hex.
    content_sha256: Mapped[str] = mapped_column(String(64))
    #: When an assessment first used this version.
    first_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<QuestionnaireVersion {self.questionnaire_id} {self.version}>"
