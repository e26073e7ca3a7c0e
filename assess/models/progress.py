"""Progress over time: the action plan, its reminders, and the next assessment's carried answers.

An action belongs to the plan of one assessment (``assessment_id``). The plan is a living
document: actions stay editable after the assessment is finalised (its stored report keeps the
plan as it was when it was rendered). When the next assessment starts, open actions move to its
plan: the same row, so their history in the audit trail (object ``plan_action``) follows them.

A reminder that has gone out is kept in ``plan_reminder`` under a key naming the action (or the
organisation, for the weekly digest), the kind and the date it is about, so that running the
daily maintenance twice never sends it twice.

An assessment started as "the next assessment" records the one it follows
(``assessment_follow_on``) and each answer carried over from it (``carried_answer``): such an
answer is shown as "carried over — confirm or change" until someone confirms or changes it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, one_of, utcnow
from assess.models.accounts import User
from assess.models.assessments import Assessment

#: not_started, in_progress, done, dropped (dropping needs a reason).
ACTION_STATUSES = ("not_started", "in_progress", "done", "dropped")
#: The statuses of an action still to be done: these move to the next plan and can be overdue.
OPEN_STATUSES = ("not_started", "in_progress")
#: recommended: adopted from the method's step; own: written by the body.
ACTION_SOURCES = ("recommended", "own")
#: A week before the due date, on the due date, and the weekly digest of overdue actions.
REMINDER_KINDS = ("week_before", "due", "overdue_digest")


class PlanAction(Base):
    """One action of an assessment's action plan."""

    __tablename__ = "plan_action"
    __table_args__ = (
        CheckConstraint(one_of("status", ACTION_STATUSES), name="status"),
        CheckConstraint(one_of("source", ACTION_SOURCES), name="source"),
        CheckConstraint(
            "status <> 'dropped' OR (dropped_reason IS NOT NULL AND dropped_reason <> '')",
            name="dropped_reason",
        ),
        CheckConstraint("revision >= 1", name="revision"),
        # A recommended step is adopted at most once into a plan (own actions have no key).
        UniqueConstraint("assessment_id", "step_key"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The organisation whose plan it is.
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    #: The assessment whose plan holds it now (an open action moves to the next assessment).
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: The assessment it was first adopted into (kept when it moves on).
    origin_assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment.id", ondelete="SET NULL"), default=None
    )
    #: recommended or own.
    source: Mapped[str] = mapped_column(String(16))
    #: "<question id>:<level>" for an adopted step (unique within a plan); None for an own action.
    step_key: Mapped[str | None] = mapped_column(String(140), default=None)
    #: The area (adoption section) and practice (level question) it serves, by id, and their
    #: texts as they were when it was adopted.
    dimension_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    area_title: Mapped[str] = mapped_column(Text)
    practice_text: Mapped[str] = mapped_column(Text)
    #: The level of the practice when adopted, and the level the action should reach.
    from_level: Mapped[int | None] = mapped_column(Integer, default=None)
    to_level: Mapped[int | None] = mapped_column(Integer, default=None)
    #: What is to be done.
    title: Mapped[str] = mapped_column(Text)
    #: What "done" means: the next level's criteria by default (a list of texts).
    done_when: Mapped[list[str]] = mapped_column(JSON)
    #: The owner: a member of the organisation, or a named role for someone without an account.
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None, index=True
    )
    owner_role: Mapped[str | None] = mapped_column(String(120), default=None)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    dropped_reason: Mapped[str | None] = mapped_column(Text, default=None)
    #: The evidence that it is done (a note) and an optional document reference.
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    evidence_reference: Mapped[str] = mapped_column(String(500), default="")
    #: Goes up by one with every change; an edit names the revision it was based on.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it last moved to the next assessment's plan (None if it never moved).
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    assessment: Mapped[Assessment] = relationship(foreign_keys=[assessment_id])
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])

    @property
    def is_open(self) -> bool:
        """Not done and not dropped."""
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date) -> bool:
        """Open and past its due date on ``today`` (the organisation's day)."""
        return self.is_open and self.due_on < today

    def __repr__(self) -> str:
        return f"<PlanAction {self.id} {self.question_id} {self.status}>"


class PlanReminder(Base):
    """A reminder that has been queued: never queued twice for the same event."""

    __tablename__ = "plan_reminder"
    __table_args__ = (CheckConstraint(one_of("kind", REMINDER_KINDS), name="kind"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: "action:<id>:<kind>:<date>" or "digest:<organisation id>:<date>": unique.
    event_key: Mapped[str] = mapped_column(String(200), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    #: The action (None for the digest).
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_action.id", ondelete="CASCADE"), default=None, index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    #: The due date the reminder is about; for the digest, the Monday of its week.
    on_date: Mapped[date] = mapped_column(Date)
    #: How many messages were queued for it.
    messages: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FollowOn(Base):
    """An assessment started as the next one after a finalised assessment."""

    __tablename__ = "assessment_follow_on"

    #: The new assessment.
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    #: The finalised assessment it follows (one next assessment each: unique).
    follows_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), unique=True
    )
    #: The answers that could not be carried over, for the person to answer:
    #: [{questionnaire_id, question_id, reason}].
    not_carried: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    follows: Mapped[Assessment] = relationship(foreign_keys=[follows_id])


class CarriedAnswer(Base):
    """An answer carried over from the previous assessment, until someone confirms or changes it.

    It counts as unconfirmed while ``confirmed_at`` is None and the answer is still at
    ``revision`` (changing the answer confirms it).
    """

    __tablename__ = "carried_answer"
    __table_args__ = (UniqueConstraint("assessment_id", "questionnaire_id", "question_id"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    #: The answer's revision when it was carried over.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )


#: scheduled: waiting to be done; completed: done, its progress PDF stored.
REVIEW_STATUSES = ("scheduled", "completed")


class ProgressReview(Base):
    """A follow-up review of a finalised assessment's plan: the status of each action and a
    re-rating of the practices the actions target, with a two-page progress PDF once completed."""

    __tablename__ = "progress_review"
    __table_args__ = (
        CheckConstraint(one_of("status", REVIEW_STATUSES), name="status"),
        CheckConstraint(
            "(status = 'completed') = (pdf IS NOT NULL AND sha256 IS NOT NULL)", name="completed"
        ),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    #: The finalised assessment whose plan is reviewed.
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    scheduled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: The reviewer's summary.
    summary: Mapped[str] = mapped_column(Text, default="")
    #: {"actions": [{action_id, title, status, note}], "ratings": [{question_id, practice,
    #: area, before, now, evidence}]}.
    findings: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: "P-2027-000012": printed on each page; the PDF, its SHA-256 and size, once completed.
    report_id: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True, default=None)
    size: Mapped[int | None] = mapped_column(Integer, default=None)

    assessment: Mapped[Assessment] = relationship()
