"""Assessments and their answers.

An assessment belongs to one organisation and is read against the stored copies of the three
questionnaire versions it started with, so editing a questionnaire file never changes it. Each
answer is one row per (assessment, questionnaire, question), with a revision number that lets a
save based on an older copy be detected instead of silently overwriting a colleague's work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, one_of, utcnow
from assess.models.accounts import Organisation, User
from assess.models.questionnaires import QuestionnaireVersion

#: draft: being answered; finalised: read-only, report stored; superseded: replaced by a correction.
ASSESSMENT_STATUSES = ("draft", "finalised", "superseded")
#: How an answer is held (see assess.questionnaire.answers.Status).
ANSWER_STATUSES = ("answered", "not_applicable", "dont_know")
#: Where an answer came from: typed online, agreed in a workshop, or copied into a correction.
ANSWER_SOURCES = ("online", "workshop", "copied")


class Assessment(Base):
    """One organisation's run through the three questionnaires.

    A correction of a finalised assessment is a new assessment, the next ``version``, that
    ``supersedes`` it; finalising the correction marks the earlier one superseded.
    """

    __tablename__ = "assessment"
    __table_args__ = (
        CheckConstraint(one_of("status", ASSESSMENT_STATUSES), name="status"),
        CheckConstraint("version >= 1", name="version"),
        # The first version corrects nothing; every later one corrects exactly one earlier one.
        CheckConstraint("(version = 1) = (supersedes_id IS NULL)", name="version_supersedes"),
        CheckConstraint("status = 'draft' OR finalised_at IS NOT NULL", name="finalised_at"),
        # An organisation's assessments, newest first, a page at a time (keyset).
        Index("ix_assessment_organisation_created", "organisation_id", "created_at", "id"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The organisation whose assessment this is; only its members can see it.
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    #: A name the organisation recognises, such as "Stakeholder management 2026".
    title: Mapped[str] = mapped_column(String(200))
    #: What the assessment covers: a named service or part of the body, such as "Licensing";
    #: None for the whole organisation.
    scope: Mapped[str | None] = mapped_column(String(200), default=None)
    #: draft, finalised or superseded.
    status: Mapped[str] = mapped_column(String(16), default="draft")
    #: The stored questionnaire versions this assessment is read against.
    definition_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    model_fit_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    adoption_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    #: The questionnaire pack (one installed version of it) the questionnaires came from; None for
    #: the instance's own questionnaires (see assess.services.packs).
    questionnaire_pack_id: Mapped[int | None] = mapped_column(
        ForeignKey("questionnaire_pack.id"), default=None
    )
    #: The model ids the body chose (one, or several for a blend); None until chosen.
    chosen_models: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    #: Why the body chose differently from the recommendation (required when it did).
    choice_reason: Mapped[str | None] = mapped_column(Text, default=None)
    #: The recommendation at the time of the choice, kept to show what was overridden.
    recommended_models: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    #: Who recorded the choice, and when.
    chosen_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: Who started it, and when.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When any answer or the choice last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When an admin finalised it, and who (None while a draft).
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finalised_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    #: 1 for a first assessment; n + 1 for a correction of version n.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The finalised assessment this one corrects (at most one correction each: unique).
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="RESTRICT"), default=None, unique=True, index=True
    )

    organisation: Mapped[Organisation] = relationship()
    definition_version: Mapped[QuestionnaireVersion] = relationship(
        foreign_keys=[definition_version_id]
    )
    model_fit_version: Mapped[QuestionnaireVersion] = relationship(
        foreign_keys=[model_fit_version_id]
    )
    adoption_version: Mapped[QuestionnaireVersion] = relationship(
        foreign_keys=[adoption_version_id]
    )
    chosen_by: Mapped[User | None] = relationship(foreign_keys=[chosen_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    finalised_by: Mapped[User | None] = relationship(foreign_keys=[finalised_by_id])
    supersedes: Mapped[Assessment | None] = relationship(remote_side=[id])

    @property
    def is_draft(self) -> bool:
        """Answers can change only while the assessment is a draft."""
        return self.status == "draft"

    def __repr__(self) -> str:
        return f"<Assessment {self.id} {self.title!r} {self.status}>"


class AnswerRecord(Base):
    """The current answer to one question of one assessment."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("assessment_id", "questionnaire_id", "question_id"),
        CheckConstraint(one_of("status", ANSWER_STATUSES), name="status"),
        CheckConstraint(one_of("source", ANSWER_SOURCES), name="source"),
        CheckConstraint("revision >= 1", name="revision"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The assessment answered.
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: definition, model-fit or adoption (the questionnaire's id).
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    #: The question's stable id in that questionnaire version.
    question_id: Mapped[str] = mapped_column(String(64))
    #: answered, not_applicable or dont_know.
    status: Mapped[str] = mapped_column(String(16))
    #: The answer's value as JSON (see assess.questionnaire.answers.Answer.value_to_json).
    value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    #: The evidence note: what the answer rests on.
    note: Mapped[str] = mapped_column(Text, default="")
    #: A level answered 3 or above: each criterion confirmed met or not met, with an optional
    #: document reference (see assess.questionnaire.answers.CriterionCheck); None otherwise.
    #: Part of the answer: changing a confirmation is a new revision of it.
    criteria: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    #: Starts at 1 and goes up by one with every change; a save names the revision it was based on.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    #: online, workshop or copied.
    source: Mapped[str] = mapped_column(String(16), default="online")
    #: Who last changed it, and when.
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    updated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AnswerRecord {self.assessment_id} {self.questionnaire_id}/{self.question_id}>"


class Progress(Base):
    """Where a person last was in an assessment, so they resume exactly there."""

    __tablename__ = "assessment_progress"

    #: The person.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    #: The assessment.
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    #: The step: a questionnaire id, or "choice" / "results".
    step: Mapped[str] = mapped_column(String(64))
    #: The section within the questionnaire (None for steps that have no sections).
    section_id: Mapped[str | None] = mapped_column(String(64), default=None)
    #: When the person was last there.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TargetOverride(Base):
    """A target an admin lowered for one dimension of one assessment, and why.

    The method's target stays in the scoring result beside it; a target can only be lowered
    (the service refuses anything else), so that a small body can set proportionate targets
    without hiding what the chosen model asks.
    """

    __tablename__ = "target_override"
    __table_args__ = (
        UniqueConstraint("assessment_id", "dimension_id"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The assessment whose target is lowered.
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: The adoption section (dimension) id.
    dimension_id: Mapped[str] = mapped_column(String(64))
    #: The lowered target, 1 to 5.
    level: Mapped[int] = mapped_column(Integer)
    #: Why the body set a lower target (required; printed in the report).
    reason: Mapped[str] = mapped_column(Text)
    #: Who set it, and when.
    set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<TargetOverride {self.assessment_id} {self.dimension_id} {self.level}>"
