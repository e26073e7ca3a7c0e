"""Email waiting to go out, and what became of it (the outbox).

A service that sends email adds a message here in the same transaction as the change that causes it
(an invitation, a password reset, a confirmation link), so the two are saved or lost together. The
message goes out after the response (see ``assess.services.outbox``); a failure is recorded here and
retried, and never reaches the person who clicked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, one_of, utcnow
from assess.models.accounts import Invitation

#: queued: waiting to be sent; sending: taken by a sender; sent: accepted by the mail server;
#: failed: the last attempt failed (retried until MAIL_MAX_ATTEMPTS, or resent by hand).
MAIL_STATES = ("queued", "sending", "sent", "failed")


class OutboxMessage(Base):
    """One email and its delivery state."""

    __tablename__ = "mail_outbox"
    __table_args__ = (CheckConstraint(one_of("state", MAIL_STATES), name="state"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: What it is: invitation, password_reset, email_verification, registration_attempt.
    kind: Mapped[str] = mapped_column(String(40))
    #: The address it goes to.
    recipient: Mapped[str] = mapped_column(String(254))
    #: Its subject line, as sent.
    subject: Mapped[str] = mapped_column(Text)
    #: The whole message (RFC 5322). Cleared once sent: it may carry a link that acts as a key.
    #: None while queued for a request that the sender turns into a message (or drops), such as
    #: a password reset for an address that may have no account (see ``outbox.request_handler``).
    message: Mapped[str | None] = mapped_column(Text)
    #: For such a request: the site's address as the person used it, for the links in the message.
    base_url: Mapped[str | None] = mapped_column(String(500))
    #: One of MAIL_STATES.
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    #: How many times sending was tried.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Why the last attempt failed (for operators; never shown to the person who caused the mail).
    last_error: Mapped[str | None] = mapped_column(Text)
    #: When it was queued.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: It is not tried before this (backing off after failures).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When a sender took it; a message left "sending" long after this is taken again.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the mail server accepted it.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The invitation it carries, so that the members page can show how its email fared.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="SET NULL"), index=True
    )

    invitation: Mapped[Invitation | None] = relationship()
