"""Server-side sessions and forms kept across a sign-in.

A browser holds a random session identifier inside Flask's signed cookie; the database holds its
hash in a :class:`UserSession`. A session ends when its person signs out, after
``SESSION_IDLE_TIMEOUT`` seconds without a request, ``SESSION_ABSOLUTE_TIMEOUT`` seconds after
signing in, or when the password changes. An ended session signs no one in, even if its cookie
is replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import joinedload

from assess import audit, db
from assess.models import KeptForm, User, UserSession
from assess.services.tokens import new_token, token_hash

#: Activity is written at most this often, so that not every request writes to the database.
TOUCH_INTERVAL = timedelta(seconds=60)
#: How long a form posted after its session ended is kept for the person to submit again.
KEPT_FORM_TTL = timedelta(days=1)


@dataclass(frozen=True)
class Check:
    """The outcome of checking a session: the live record, or why there is none."""

    record: UserSession | None
    #: None when live; else "missing", "logout", "idle", "absolute", "password" or "replaced".
    ended: str | None
    #: The person the session belonged to, when it has ended by a timeout (for keeping forms).
    user_id: int | None = None


def _idle() -> timedelta:
    return timedelta(seconds=current_app.config["SESSION_IDLE_TIMEOUT"])


def _absolute() -> timedelta:
    return timedelta(seconds=current_app.config["SESSION_ABSOLUTE_TIMEOUT"])


def expires_at(record: UserSession) -> datetime:
    """When ``record`` ends unless there is activity: the earlier of its two timeouts."""
    return min(record.last_seen_at + _idle(), record.created_at + _absolute())


def start(user: User) -> str:
    """Open a session for ``user``; returns the secret identifier for the browser."""
    token, digest = new_token()
    now = db.utcnow()
    db.session().add(
        UserSession(token_hash=digest, user_id=user.id, created_at=now, last_seen_at=now)
    )
    db.session().commit()
    return token


#: A session record by its token's hash, with its account. Built once: every signed-in request
#: runs it.
_SESSION_BY_TOKEN = (
    select(UserSession)
    .options(joinedload(UserSession.user))
    .where(UserSession.token_hash == bindparam("token_hash"))
)


def check(token: str | None, user_id: int | None, *, touch: bool = True) -> Check:
    """Whether ``token`` is a live session of ``user_id``; records the activity when ``touch``.

    A session found past a timeout is revoked here, with the timeout as its reason.
    """
    if not token or user_id is None:
        return Check(None, "missing")
    # The account comes with the session record (one query): the request's user is then found
    # in the session's identity map.
    record = db.session().scalar(_SESSION_BY_TOKEN, {"token_hash": token_hash(token)})
    if record is None or record.user_id != user_id:
        return Check(None, "missing")
    if record.revoked_at is not None:
        return Check(None, record.revoked_reason or "logout", record.user_id)
    now = db.utcnow()
    reason = None
    if now >= record.created_at + _absolute():
        reason = "absolute"
    elif now >= record.last_seen_at + _idle():
        reason = "idle"
    if reason:
        record.revoked_at, record.revoked_reason = now, reason
        db.session().commit()
        return Check(None, reason, record.user_id)
    if touch and now - record.last_seen_at >= TOUCH_INTERVAL:
        record.last_seen_at = now
        db.session().commit()
    return Check(record, None)


def extend(record: UserSession) -> datetime:
    """Count now as activity on a live session; returns its new expiry time."""
    record.last_seen_at = db.utcnow()
    db.session().commit()
    return expires_at(record)


def revoke(token: str | None, reason: str = "logout") -> None:
    """End the session ``token`` names, if it is live; signing out goes into the audit trail."""
    if not token:
        return
    session = db.session()
    record = session.scalar(
        select(UserSession).where(
            UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None)
        )
    )
    if record is None:
        return
    record.revoked_at, record.revoked_reason = db.utcnow(), reason
    if reason == "logout":
        audit.record(
            audit.LOGOUT,
            organisation_id=None,
            actor=record.user,
            object_type="account",
            object_id=record.user_id,
        )
    session.commit()


def revoke_all(user_id: int, reason: str, keep_token: str | None = None) -> None:
    """End every live session of ``user_id`` except ``keep_token``'s. Not committed: part of the
    caller's change (a new password, say)."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=db.utcnow(), revoked_reason=reason)
    )
    if keep_token:
        statement = statement.where(UserSession.token_hash != token_hash(keep_token))
    db.session().execute(statement)


def keep_form(user_id: int, path: str, fields: list[list[str]]) -> str:
    """Keep a posted form for ``user_id`` to submit after signing in again; returns the key the
    browser holds. Expired kept forms are cleared out at the same time."""
    now = db.utcnow()
    session = db.session()
    session.execute(delete(KeptForm).where(KeptForm.expires_at <= now))
    token, digest = new_token()
    session.add(
        KeptForm(
            token_hash=digest,
            user_id=user_id,
            path=path,
            fields=fields,
            expires_at=now + KEPT_FORM_TTL,
        )
    )
    session.commit()
    return token


def kept_form(token: str | None, user_id: int) -> KeptForm | None:
    """The unexpired form kept under ``token`` for ``user_id``, if any."""
    if not token:
        return None
    form = db.session().scalar(select(KeptForm).where(KeptForm.token_hash == token_hash(token)))
    if form is None or form.user_id != user_id or form.expires_at <= db.utcnow():
        return None
    return form


def discard_kept_form(form: KeptForm) -> None:
    """Forget a kept form (once it has been offered for submission, or declined)."""
    db.session().delete(form)
    db.session().commit()
