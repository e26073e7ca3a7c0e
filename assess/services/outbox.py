"""The outbox: email is queued in the transaction that causes it and sent after the response.

:func:`queue` renders a message and adds it to the caller's transaction (no commit: the caller
commits it with the invitation, reset or account it belongs to). After the request, the app wakes a
sender (``assess.mail``) that calls :func:`send_due`; ``assess mail send`` and
``assess maintenance purge`` do the same for operators and cron. A message is taken by one sender
at a time (an atomic claim), so two senders never send it twice; a failure is recorded with its
error and retried with a growing delay, up to ``MAIL_MAX_ATTEMPTS``; after that an admin can resend
an invitation from the members page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import Parser
from typing import Any

from flask import current_app, g, has_request_context, request
from sqlalchemy import delete, or_, select, update

from assess import db, mail
from assess.models import Invitation, OutboxMessage
from assess.services import maintenance

#: A message still "sending" this long after it was claimed was lost with its sender (a killed
#: worker) and is taken again.
STALE_CLAIM = timedelta(minutes=15)

_PENDING = "assess_outbox_pending"


def queue(
    to: str,
    template: str,
    subject: Any,
    *,
    kind: str,
    for_invitation: Invitation | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render ``mail/<template>`` for ``to`` and add it to the outbox (not committed);
    ``for_invitation`` links it to the invitation it carries."""
    message = mail.render_template_message(to, template, subject, **context)
    record = OutboxMessage(
        kind=kind,
        recipient=to,
        subject=str(message["Subject"]),
        message=message.as_string(policy=policy.SMTP),
        state="queued",
        attempts=0,
        next_attempt_at=db.utcnow(),
        invitation=for_invitation,
    )
    db.session().add(record)
    if has_request_context():
        setattr(g, _PENDING, True)
    return record


#: Turns a queued request into the message to send, or None to drop it without a trace.
RequestHandler = Callable[[str], EmailMessage | None]

_handlers: dict[str, RequestHandler] = {}


def request_handler(kind: str) -> Callable[[RequestHandler], RequestHandler]:
    """Register the decorated function as the handler of queued requests of ``kind``.

    It is called by the sender with the recipient, inside a request context for the site's
    address, and may change the database (its changes are committed with the message).
    """

    def register(handler: RequestHandler) -> RequestHandler:
        _handlers[kind] = handler
        return handler

    return register


def queue_request(kind: str, recipient: str) -> OutboxMessage:
    """Queue a request that the sender decides about (not committed).

    Answering a request the same way, and as fast, whatever the address: the request itself only
    writes this row; looking the address up, issuing a link and writing the email happen after
    the response.
    """
    if kind not in _handlers:
        raise ValueError(f"no handler for queued requests of kind {kind!r}")
    record = OutboxMessage(
        kind=kind,
        recipient=recipient,
        subject="",
        message=None,
        base_url=request.url_root if has_request_context() else None,
        state="queued",
        attempts=0,
        next_attempt_at=db.utcnow(),
    )
    db.session().add(record)
    if has_request_context():
        setattr(g, _PENDING, True)
    return record


def _resolve(record: OutboxMessage) -> bool:
    """Turn a queued request into its message; False if it was dropped (and deleted)."""
    session = db.session()
    with current_app.test_request_context(base_url=record.base_url or "http://localhost/"):
        message = _handlers[record.kind](record.recipient)
    if message is None:
        session.delete(record)
        session.commit()
        return False
    record.subject = str(message["Subject"])
    record.message = message.as_string(policy=policy.SMTP)
    record.base_url = None
    session.commit()
    return True


def queued_in_this_request() -> bool:
    """Whether the current request queued email (so the sender should be woken)."""
    return bool(g.get(_PENDING))


def _claim(message_id: int, now: datetime, *, due_only: bool) -> bool:
    """Take the message for this sender; False if another sender has it or it is not due."""
    conditions = [OutboxMessage.id == message_id]
    stale = now - STALE_CLAIM
    takeable = or_(
        OutboxMessage.state.in_(("queued", "failed")),
        (OutboxMessage.state == "sending") & (OutboxMessage.claimed_at < stale),
    )
    conditions.append(takeable)
    if due_only:
        conditions.append(OutboxMessage.next_attempt_at <= now)
        conditions.append(
            or_(
                OutboxMessage.state != "failed",
                OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],
            )
        )
    session = db.session()
    result = session.execute(
        update(OutboxMessage)
        .where(*conditions)
        .values(state="sending", claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def _backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4 ... minutes after each failure, at most six hours."""
    return timedelta(minutes=min(2 ** max(0, attempts - 1), 360))


def deliver(message_id: int, *, due_only: bool = True) -> bool | None:
    """Send one message if this sender can take it: True sent, False failed, None not taken
    (or a queued request that turned out to need no email)."""
    now = db.utcnow()
    if not _claim(message_id, now, due_only=due_only):
        return None
    session = db.session()
    record = session.get(OutboxMessage, message_id)
    assert record is not None
    session.refresh(record)
    try:
        if record.message is None and not _resolve(record):
            return None
        assert record.message is not None
        mail.send(Parser(policy=policy.default).parsestr(record.message))
    except Exception as error:  # any failure of the lookup or the transport is recorded
        session.rollback()
        _failed(record, error)
        return False
    record.state = "sent"
    record.attempts += 1
    record.sent_at = db.utcnow()
    record.last_error = None
    record.message = None
    session.commit()
    return True


def _failed(record: OutboxMessage, error: Exception) -> None:
    record.state = "failed"
    record.attempts += 1
    record.last_error = f"{type(error).__name__}: {error}"[:1000]
    record.next_attempt_at = db.utcnow() + _backoff(record.attempts)
    db.session().commit()
    current_app.logger.warning(
        "email %s (%s) failed, attempt %s: %s",
        record.id,
        record.kind,
        record.attempts,
        record.last_error,
    )


def due_ids(now: datetime | None = None) -> list[int]:
    """The messages a sender should try now, oldest first."""
    moment = now or db.utcnow()
    return list(
        db.session().scalars(
            select(OutboxMessage.id)
            .where(
                or_(
                    OutboxMessage.state == "queued",
                    (OutboxMessage.state == "failed")
                    & (OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"]),
                    (OutboxMessage.state == "sending")
                    & (OutboxMessage.claimed_at < moment - STALE_CLAIM),
                ),
                OutboxMessage.next_attempt_at <= moment,
            )
            .order_by(OutboxMessage.id)
        )
    )


def send_due(now: datetime | None = None) -> tuple[int, int]:
    """Send every message that is due; returns how many were sent and how many failed."""
    sent = failed = 0
    for message_id in due_ids(now):
        outcome = deliver(message_id)
        if outcome is True:
            sent += 1
        elif outcome is False:
            failed += 1
    return sent, failed


def latest_for_invitations(invitation_ids: list[int]) -> dict[int, OutboxMessage]:
    """The newest email of each invitation, by invitation id."""
    if not invitation_ids:
        return {}
    found: dict[int, OutboxMessage] = {}
    for record in db.session().scalars(
        select(OutboxMessage)
        .where(OutboxMessage.invitation_id.in_(invitation_ids))
        .order_by(OutboxMessage.id)
    ):
        assert record.invitation_id is not None
        found[record.invitation_id] = record
    return found


def resend(record: OutboxMessage) -> None:
    """Queue a failed message again now (committed); the sender is woken after the request."""
    if record.state != "failed" or record.message is None:
        return
    record.state = "queued"
    record.next_attempt_at = db.utcnow()
    db.session().commit()
    if has_request_context():
        setattr(g, _PENDING, True)


def forget_address(address: str) -> int:
    """Delete every message to ``address``, sent or not (erasing a person); not committed."""
    result = db.session().execute(
        delete(OutboxMessage).where(OutboxMessage.recipient == address.strip().lower())
    )
    return result.rowcount


@maintenance.purge_step("email waiting in the outbox (sent now)")
def send_waiting_mail(now: datetime) -> int:
    """Retry what is due, so a cron job of ``assess maintenance purge`` sends what was left."""
    sent, _failed = send_due(now)
    return sent


@maintenance.purge_step("email records older than the outbox retention period")
def purge_old_mail(now: datetime) -> int:
    """Forget messages queued more than MAIL_OUTBOX_RETENTION_DAYS ago."""
    cutoff = now - timedelta(days=current_app.config["MAIL_OUTBOX_RETENTION_DAYS"])
    session = db.session()
    result = session.execute(delete(OutboxMessage).where(OutboxMessage.created_at < cutoff))
    session.commit()
    return result.rowcount
