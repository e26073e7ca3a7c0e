"""Stakeholders' perception surveys: a survey on an assessment, its groups and their responses.

An admin opens a :class:`Survey` for some groups of the assessment's stakeholder register; each
:class:`SurveyGroup` has its own public link. A :class:`SurveyResponse` holds one person's answers
and their (already redacted) comment, and nothing about them: no name, no network address, no
browser. Some time after the survey closes the responses are deleted and only their counts, the
survey's ``aggregate``, are kept.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, one_of, utcnow
from assess.models.assessments import Assessment
from assess.models.questionnaires import QuestionnaireVersion

#: online: answered through the public link; paper: typed in by staff from a paper form.
RESPONSE_SOURCES = ("online", "paper")


class Survey(Base):
    """A perception survey on one assessment."""

    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint("threshold >= 3", name="threshold"),
        CheckConstraint("alert_per_hour >= 1", name="alert_per_hour"),
        CheckConstraint("closes_on >= opens_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: The perception questionnaire's version the survey asks (never the file as it is now).
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    title: Mapped[str] = mapped_column(String(200))
    #: The survey's public link (random, unguessable).
    token: Mapped[str] = mapped_column(String(32), unique=True)
    #: Responses are accepted from the opening date to the closing date, both included, in the
    #: organisation's time zone; or until an admin closes it early (``closed_at``).
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: A group's figures and comments are shown only from this many responses (at least 3).
    threshold: Mapped[int] = mapped_column(Integer, default=5)
    #: More responses than this within an hour raise an alert on the survey's page.
    alert_per_hour: Mapped[int] = mapped_column(Integer, default=60)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the responses were deleted (retention); their counts stay in ``aggregate``.
    responses_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: The counts kept after the responses are deleted, by group id (see services.surveys).
    aggregate: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)

    assessment: Mapped[Assessment] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    groups: Mapped[list[SurveyGroup]] = relationship(
        back_populates="survey",
        order_by="SurveyGroup.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.opens_on}..{self.closes_on}>"


class SurveyGroup(Base):
    """One register group a survey asks, with its own public link."""

    __tablename__ = "survey_group"
    __table_args__ = (UniqueConstraint("survey_id", "segment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    #: The register row's segment id (a listed segment, or ``custom-...``).
    segment_id: Mapped[str] = mapped_column(String(64))
    #: The group's name as the survey shows it to respondents.
    label: Mapped[str] = mapped_column(String(200))
    #: The group's own link (random, unguessable).
    token: Mapped[str] = mapped_column(String(32), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    survey: Mapped[Survey] = relationship(back_populates="groups")


class SurveyResponse(Base):
    """One person's answers. Nothing here says who they are or where they answered from."""

    __tablename__ = "survey_response"
    __table_args__ = (CheckConstraint(one_of("source", RESPONSE_SOURCES), name="source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("survey_group.id", ondelete="CASCADE"), index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Statement id -> 1 to 5, or "dont_know"; statements left blank are absent.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The comment, with email addresses, phone numbers and postcodes already removed.
    comment: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(8), default="online")
    #: The same browser had already answered this survey (a cookie): marked, never refused.
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)

    group: Mapped[SurveyGroup] = relationship()
