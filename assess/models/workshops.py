"""Facilitated workshops: sessions, their participants, each participant's answers, and what the
room agreed.

A workshop session runs on one assessment. Participants join with a code and a display name, no
account; each answers privately, and their answers stay in :class:`ParticipantAnswer`. The answer
the room agrees is written into the assessment's own answers (source ``workshop``) and the way it
was reached is kept as a :class:`ConsensusRecord`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, one_of, utcnow
from assess.models.accounts import User
from assess.models.assessments import ANSWER_STATUSES, Assessment

#: open: participants can join and answer; closed: kept as it was, nothing changes.
SESSION_STATUSES = ("open", "closed")
#: agreed: the room set the answer; aggregate: it accepted the engine's default.
CONSENSUS_KINDS = ("agreed", "aggregate")


class WorkshopSession(Base):
    """One facilitated session on an assessment."""

    __tablename__ = "workshop_session"
    __table_args__ = (
        CheckConstraint(one_of("status", SESSION_STATUSES), name="status"),
        CheckConstraint("divergence_threshold >= 1", name="divergence_threshold"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The assessment the room answers; the organisation is the assessment's.
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: A name for the session, such as "Senior team, 3 March".
    title: Mapped[str] = mapped_column(String(200))
    #: SHA-256 (hex) of the normalised join code; the code itself is never stored.
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: open or closed.
    status: Mapped[str] = mapped_column(String(16), default="open")
    #: The sections participants may answer now, as "questionnaire_id/section_id".
    opened_sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Every section ever opened, in the order opened (the live view shows these).
    shown_sections: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: A level question is divergent when its range reaches this many levels.
    divergence_threshold: Mapped[int] = mapped_column(Integer, default=2)
    #: The facilitator who opened it.
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    assessment: Mapped[Assessment] = relationship()
    facilitator: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        """Participants can join and answer only while the session is open."""
        return self.status == "open"

    def __repr__(self) -> str:
        return f"<WorkshopSession {self.id} {self.status}>"


class Participant(Base):
    """Someone in the room: a display name and a device token, no account."""

    __tablename__ = "workshop_participant"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The session joined.
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_session.id", ondelete="CASCADE"), index=True
    )
    #: The name the person gave (personal data: pseudonymised by the retention purge).
    display_name: Mapped[str] = mapped_column(String(80))
    #: SHA-256 (hex) of the token the device keeps in a signed cookie.
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[WorkshopSession] = relationship()

    def __repr__(self) -> str:
        return f"<Participant {self.id} of session {self.session_id}>"


class ParticipantAnswer(Base):
    """One participant's own answer to one question: never shown to other participants."""

    __tablename__ = "workshop_answer"
    __table_args__ = (
        UniqueConstraint("participant_id", "questionnaire_id", "question_id"),
        CheckConstraint(one_of("status", ANSWER_STATUSES), name="status"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Whose answer it is.
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_participant.id", ondelete="CASCADE"), index=True
    )
    #: The session, repeated so that the live view reads one index.
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_session.id", ondelete="CASCADE"), index=True
    )
    #: definition, model-fit or adoption.
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    #: The question's stable id.
    question_id: Mapped[str] = mapped_column(String(64))
    #: answered, not_applicable or dont_know.
    status: Mapped[str] = mapped_column(String(16))
    #: The value as JSON (see assess.questionnaire.answers.Answer.value_to_json).
    value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    #: The participant's own note.
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsensusRecord(Base):
    """How the room settled one question: the answer agreed, how, why, by whom and when."""

    __tablename__ = "workshop_consensus"
    __table_args__ = (
        UniqueConstraint("session_id", "questionnaire_id", "question_id"),
        CheckConstraint(one_of("how", CONSENSUS_KINDS), name="how"),
        CheckConstraint(one_of("status", ANSWER_STATUSES), name="status"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The session in which it was agreed.
    session_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_session.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    #: agreed or aggregate.
    how: Mapped[str] = mapped_column(String(16))
    #: The agreed answer as recorded (the assessment's answer may change later online).
    status: Mapped[str] = mapped_column(String(16))
    value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    #: What the room said: the reason for the answer.
    note: Mapped[str] = mapped_column(Text, default="")
    #: Whether the individual answers diverged when it was recorded.
    was_divergent: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()
