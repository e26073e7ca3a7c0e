"""The audit trail: an append-only record of who changed what, and the people it names.

``audit_event`` rows are never changed or deleted: the database itself refuses UPDATE, DELETE
(and on PostgreSQL TRUNCATE) with triggers created by the migrations. Each event carries the hash
of the one before it and its own (a hash chain, see :mod:`assess.audit_chain`); ``audit_chain``
holds the chain's end. So that erasing a person
never needs to change an event, events hold no names or addresses, only a person reference
(``p-<random>``); the names live in ``audit_person``, which erasure rewrites to a pseudonym.

Events carry plain integer ids, never foreign keys: deleting an organisation or an account must
not cascade into the trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from assess.db import Base, UTCDateTime, utcnow


class AuditPerson(Base):
    """Someone the trail names: an account holder, an invited address, or a workshop participant.

    The one place their name and address are kept for the trail; erasure replaces them by a
    stable pseudonym derived from ``ref`` and keeps the row, so events stay attributable.
    """

    __tablename__ = "audit_person"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The reference events use, ``p-`` and 12 random hex digits; never reused, never changed.
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    #: The account, while it exists (set to NULL when it is deleted; erasure clears it too).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True, default=None
    )
    #: For someone without an account: a key the caller chooses (a workshop participant's
    #: ``workshop-participant:<id>``, an invited address's ``email:<address>``).
    external_key: Mapped[str | None] = mapped_column(String(300), unique=True, default=None)
    #: How the trail names them ("Former member 3F7A2C" once pseudonymised).
    display_name: Mapped[str] = mapped_column(String(200))
    #: Their email address, if known; None once pseudonymised.
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    #: When the reference was made.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When erasure replaced the name and address; None while they are real.
    pseudonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class AuditEvent(Base):
    """One thing that happened. Written once; the database refuses to change or delete it."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_organisation_time", "organisation_id", "occurred_at"),
        # The trail's pages and its CSV read an organisation's events in id order (keyset).
        Index("ix_audit_event_organisation_id_id", "organisation_id", "id"),
        # The trail's filter lists the questions an organisation's events are about.
        Index(
            "ix_audit_event_organisation_question",
            "organisation_id",
            "questionnaire_id",
            "question_id",
        ),
    )

    #: Surrogate key; also the order in which events were written.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: When it happened (UTC): the database's time when it was written (a trigger refuses any
    #: other time, see :mod:`assess.audit_chain`).
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    #: The organisation it concerns (a plain id, not a foreign key); None for events of a person
    #: rather than an organisation, such as signing in.
    organisation_id: Mapped[int | None] = mapped_column(Integer, default=None)
    #: What happened, one of the constants in :mod:`assess.audit` (``answer.changed``, ...).
    action: Mapped[str] = mapped_column(String(40), index=True)
    #: Who did it (an ``audit_person.ref``); None for the system or an unknown person.
    actor_ref: Mapped[str | None] = mapped_column(String(16), index=True, default=None)
    #: Whom it is about, when that is a person (a member whose role changed, an invitee).
    subject_ref: Mapped[str | None] = mapped_column(String(16), index=True, default=None)
    #: The kind of object changed (assessment, membership, invitation, organisation, ...).
    object_type: Mapped[str] = mapped_column(String(40))
    #: Its id, as text (a plain value, not a foreign key).
    object_id: Mapped[str | None] = mapped_column(String(64), default=None)
    #: For answers: the questionnaire and the question.
    questionnaire_id: Mapped[str | None] = mapped_column(String(64), default=None)
    question_id: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    #: Where the change came from: online, workshop, copied or system.
    source: Mapped[str] = mapped_column(String(16), default="online")
    #: The value before and after, as JSON (None where there was none).
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    #: Anything else worth keeping (no names or addresses: use person references).
    detail: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    #: The ``event_hash`` of the event before it in the chain (64 zeros for the first event).
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of this event's content and ``prev_hash`` (see :mod:`assess.audit_chain`).
    event_hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """The end of the audit trail's hash chain: one row, kept by the database's triggers.

    Appending an event locks this row, so that events are chained one after another; the
    triggers refuse any change that does not point it at the newest event.
    """

    __tablename__ = "audit_chain"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    #: Always 1.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The newest event (None while the trail is empty).
    last_event_id: Mapped[int | None] = mapped_column(Integer, default=None)
    #: Its ``event_hash`` (64 zeros while the trail is empty).
    last_hash: Mapped[str] = mapped_column(String(64))
