"""People, organisations, who belongs where, and the short-lived records of signing in.

Secrets (session identifiers, reset and invitation tokens) are stored only as SHA-256 hashes, so a
copy of the database cannot be used to act as anyone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, one_of, utcnow
from assess.permissions import ROLES
from assess.reference import SECTORS, SIZE_BANDS

#: The states of an organisation: pending waits for an operator's approval; suspended is closed to
#: its members until an operator reactivates it.
ORGANISATION_STATUSES = ("pending", "active", "suspended")


class User(Base):
    """A person who can sign in."""

    __tablename__ = "user_account"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Sign-in address, stored lower-case and trimmed; unique.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: How the person is named to colleagues.
    name: Mapped[str] = mapped_column(String(120))
    #: Argon2id hash in PHC string format (parameters and salt included).
    password_hash: Mapped[str] = mapped_column(String(255))
    #: An instance operator approves and suspends organisations (``assess users create-operator``).
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When the account was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the password was last set.
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the person proved they receive mail at ``email`` (a confirmation, invitation or reset
    #: link); None until then, and such an account cannot sign in.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: The language the person reads assess and its emails in (one of ``assess.i18n.LOCALES``,
    #: checked by the service); None while it is not known, and such a person's emails are
    #: bilingual, Welsh first.
    language: Mapped[str | None] = mapped_column(String(8), default=None)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="Membership.user_id"
    )

    # Flask-Login's user protocol. ``is_active`` is not a column: a session's validity is decided
    # by its server-side record (UserSession), checked on every request.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The identifier Flask-Login keeps in the session."""
        return str(self.id)


class Organisation(Base):
    """A public body; all assessment data belongs to exactly one."""

    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(one_of("sector", SECTORS), name="sector"),
        CheckConstraint(one_of("size_band", SIZE_BANDS), name="size_band"),
        CheckConstraint(one_of("status", ORGANISATION_STATUSES), name="status"),
        # The operator's list of organisations, by name, a page at a time (keyset).
        Index("ix_organisation_name_id", "name", "id"),
        CheckConstraint("length(country) = 2", name="country"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The body's name as its people know it.
    name: Mapped[str] = mapped_column(String(200))
    #: One of ``assess.reference.SECTORS``; groups benchmarks.
    sector: Mapped[str] = mapped_column(String(40))
    #: One of ``assess.reference.SIZE_BANDS``; groups benchmarks.
    size_band: Mapped[str] = mapped_column(String(20))
    #: ISO 3166-1 alpha-2 code, one of ``assess.reference.COUNTRIES``.
    country: Mapped[str] = mapped_column(String(2))
    #: IANA time zone in which its times are shown, e.g. ``Europe/London``.
    time_zone: Mapped[str] = mapped_column(String(64))
    #: pending, active or suspended (see ORGANISATION_STATUSES).
    status: Mapped[str] = mapped_column(String(12), default="active")
    #: When the organisation was registered.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When an operator last changed its status (approved, suspended, reactivated).
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When an operator scheduled it for deletion; None unless a deletion is pending.
    deletion_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: When the grace period ends and ``assess maintenance purge`` deletes it.
    deletion_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: Whether action owners get reminders of due actions and admins a weekly digest of overdue
    #: ones (see ``assess.services.action_plan``); an admin can switch them off.
    action_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: Whether the organisation keeps its figures out of the peer benchmark (see
    #: ``assess.services.benchmark``); an admin can opt out, and in again.
    benchmark_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def is_available(self) -> bool:
        """Whether its members can work in it: active, and not scheduled for deletion."""
        return self.status == "active" and self.deletion_due_at is None


class Membership(Base):
    """A person's role in an organisation; one role per person and organisation."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", name="uq_membership_user_organisation"),
        CheckConstraint(one_of("role", ROLES), name="role"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The member.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    #: The organisation.
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    #: One of ``assess.permissions.ROLES``.
    role: Mapped[str] = mapped_column(String(20))
    #: When the person joined.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class UserSession(Base):
    """The server side of a signed-in browser. Signing out, a timeout or a password change revokes
    it; a session cookie without a live record here signs no one in."""

    __tablename__ = "user_session"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 (hex) of the random identifier kept in the browser's signed session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Whose session it is.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: When the person signed in; the absolute timeout counts from here.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last request seen (to the minute); the idle timeout counts from here.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it ended, if it has.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why it ended: logout, idle, absolute, password, replaced.
    revoked_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()


class PasswordReset(Base):
    """A forgotten-password link: works once, until it expires."""

    __tablename__ = "password_reset"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 (hex) of the token in the emailed link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Whose password it resets.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: When it was requested.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: After this it no longer works.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When it was used (or superseded); a used link never works again.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class EmailVerification(Base):
    """A link that confirms a new account's email address: works once, until it expires."""

    __tablename__ = "email_verification"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 (hex) of the token in the emailed link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Whose address it confirms.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: When it was sent.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: After this it no longer works.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When it was used (or superseded by a newer link).
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Invitation(Base):
    """An admin's invitation for someone to join an organisation with a role."""

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 (hex) of the token in the emailed link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The organisation to join.
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    #: The invited address, lower-case; only an account with this address can accept.
    email: Mapped[str] = mapped_column(String(254))
    #: The role the invited person will have.
    role: Mapped[str] = mapped_column(String(20))
    #: The admin who sent it (kept if they later leave: None).
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: When it was sent.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: After this it no longer works.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When it was accepted.
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When an admin withdrew it.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship()


class KeptForm(Base):
    """A form posted after its session had ended, kept so it can be submitted after signing in
    again. Passwords and the CSRF token are never kept."""

    __tablename__ = "kept_form"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 (hex) of the random key held in the browser's session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The person whose session had ended; only they can submit it again.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: The path the form was posted to (with its query string).
    path: Mapped[str] = mapped_column(Text)
    #: The posted fields as a list of [name, value] pairs, in order.
    fields: Mapped[list[list[str]]] = mapped_column(JSON)
    #: When it was kept.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: After this it is discarded.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
