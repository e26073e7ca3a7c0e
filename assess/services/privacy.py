"""Personal data: a person's copy of their data, erasing a person, and deleting an organisation.

Erasure deletes the account (and with it memberships, sessions and reset links) and replaces the
person's name and address in the audit trail by a stable pseudonym, "Former member 3F7A2C". The
trail's events are kept as they were: they never held the name, only the person's reference.
Answers the person gave stay with their organisation; where an answer named them as its last
author, it now shows the pseudonym (read from the trail, see :func:`assess.audit.last_authors`).

An operator deletes an organisation in two steps: scheduling it (typing its name to confirm)
closes it to its members at once, and ``assess maintenance purge`` deletes it when the grace period
(``ORGANISATION_DELETION_GRACE_DAYS``) has passed. Until then the operator can cancel. The
organisation's audit events stay, without names, as the record that it existed and was deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, or_, select

from assess import audit, db, passwords
from assess.models import (
    AnswerRecord,
    Assessment,
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    StoredReport,
    User,
    UserSession,
)
from assess.permissions import ADMIN
from assess.questionnaire.validation import Message
from assess.services import ServiceError, accounts, maintenance, outbox


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# ---- a person's own data -------------------------------------------------------------------


def personal_data(user: User) -> dict[str, Any]:
    """Everything assess holds about ``user``, as JSON-able data.

    The answers listed are those the person last changed, in organisations they still belong to
    (an organisation's answers are its own; a former member reads them through the organisation).
    Audit events are those the person did or that are about them, without old and new values for
    the same reason.
    """
    session = db.session()
    person = audit.person_for_user(user)
    memberships = list(session.scalars(select(Membership).where(Membership.user_id == user.id)))
    member_of = [m.organisation_id for m in memberships]
    answers = session.execute(
        select(AnswerRecord, Assessment)
        .join(Assessment, Assessment.id == AnswerRecord.assessment_id)
        .where(AnswerRecord.updated_by_id == user.id, Assessment.organisation_id.in_(member_of))
        .order_by(AnswerRecord.id)
    ).all()
    events = session.scalars(
        select(AuditEvent)
        .where(or_(AuditEvent.actor_ref == person.ref, AuditEvent.subject_ref == person.ref))
        .order_by(AuditEvent.id)
    ).all()
    sessions = session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    ).all()
    invitations = session.scalars(
        select(Invitation).where(Invitation.email == user.email).order_by(Invitation.id)
    ).all()
    return {
        "exported_at": _iso(db.utcnow()),
        "account": {
            "name": user.name,
            "email": user.email,
            "created_at": _iso(user.created_at),
            "password_changed_at": _iso(user.password_changed_at),
            "is_operator": user.is_operator,
            "audit_person_ref": person.ref,
        },
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation": m.organisation.name,
                "role": m.role,
                "joined_at": _iso(m.created_at),
            }
            for m in memberships
        ],
        "invitations_to_you": [
            {
                "organisation_id": i.organisation_id,
                "role": i.role,
                "sent_at": _iso(i.created_at),
                "accepted_at": _iso(i.accepted_at),
            }
            for i in invitations
        ],
        "answers_you_last_changed": [
            {
                "organisation_id": assessment.organisation_id,
                "assessment": assessment.title,
                "questionnaire": answer.questionnaire_id,
                "question": answer.question_id,
                "status": answer.status,
                "value": answer.value,
                "note": answer.note,
                "changed_at": _iso(answer.updated_at),
            }
            for answer, assessment in answers
        ],
        "sign_in_sessions": [
            {
                "started_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
                "ended_at": _iso(s.revoked_at),
                "ended_because": s.revoked_reason,
            }
            for s in sessions
        ],
        "audit_events": [
            {
                "at": _iso(e.occurred_at),
                "organisation_id": e.organisation_id,
                "action": e.action,
                "you_were": "actor" if e.actor_ref == person.ref else "subject",
                "object_type": e.object_type,
                "object_id": e.object_id,
                "questionnaire": e.questionnaire_id,
                "question": e.question_id,
                "source": e.source,
            }
            for e in events
        ],
    }


def record_download(user: User) -> None:
    """Note in the trail that ``user`` downloaded their data."""
    audit.record_now(
        audit.PERSONAL_DATA_DOWNLOADED,
        organisation_id=None,
        actor=user,
        object_type="account",
        object_id=user.id,
    )


# ---- erasure -------------------------------------------------------------------------------


def _sole_admin_of(user: User) -> list[Organisation]:
    """Organisations (not being deleted) in which ``user`` is the only admin."""
    found = []
    for member in user.memberships:
        organisation = member.organisation
        if member.role != ADMIN or organisation.deletion_due_at is not None:
            continue
        admins = db.session().scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.organisation_id == organisation.id, Membership.role == ADMIN)
        )
        if admins == 1:
            found.append(organisation)
    return found


def erase_person(
    user: User, *, by: User | None = None, leave_organisations_adminless: bool = False
) -> None:
    """Delete ``user``'s account and pseudonymise them in the audit trail; commits.

    ``by`` is the operator doing it (None: the person themself). A person who is the only admin
    of an organisation is refused, so that it is not left without one; an operator may go ahead.
    """
    if not leave_organisations_adminless:
        sole = _sole_admin_of(user)
        if sole:
            names = ", ".join(o.name for o in sole)
            raise ServiceError(
                Message(
                    "You are the only admin of %(names)s. Make someone else admin first, or ask "
                    "the operator of this site to delete the organisation.",
                    names=names,
                )
            )
    session = db.session()
    person = audit.person_for_user(user)
    actor = by if by is not None else person.ref
    for member in list(user.memberships):
        audit.record(
            audit.PERSON_ERASED,
            organisation_id=member.organisation_id,
            actor=actor,
            subject=person.ref,
            object_type="membership",
            object_id=member.id,
            old=member.role,
        )
    audit.record(
        audit.PERSON_ERASED,
        organisation_id=None,
        actor=actor,
        subject=person.ref,
        object_type="account",
        object_id=user.id,
    )
    # Invitations to the address hold it; the trail keeps that they were sent, by reference.
    session.execute(delete(Invitation).where(Invitation.email == user.email))
    outbox.forget_address(user.email)
    audit.pseudonymise_email(user.email)
    audit.pseudonymise(person)
    session.delete(user)
    session.commit()


def erase_own_account(user: User, password: str) -> None:
    """The person deletes their own account, after giving their password again."""
    if not passwords.verify(user.password_hash, password):
        raise ServiceError("Your password is not right.", field="password")
    erase_person(user)


def erase_by_email(email: str, *, by: User) -> str:
    """An operator erases whoever has ``email``: an account, or an address only invited.

    Returns what was done, in a sentence (a :class:`Message`, translated where it is shown).
    Raises ServiceError if nothing has the address.
    """
    address = accounts.normalise_email(email)
    user = accounts.user_by_email(address)
    if user is not None:
        erase_person(user, by=by, leave_organisations_adminless=True)
        return Message(
            "The account of %(address)s has been deleted and its name pseudonymised.",
            address=address,
        )
    session = db.session()
    invited = session.execute(delete(Invitation).where(Invitation.email == address)).rowcount  # type: ignore[attr-defined]
    outbox.forget_address(address)
    pseudonymised = audit.pseudonymise_email(address)
    if not invited and not pseudonymised:
        session.rollback()
        raise ServiceError("No account or invitation has that address.", field="email")
    audit.record(
        audit.PERSON_ERASED,
        organisation_id=None,
        actor=by,
        object_type="invitation",
        detail={"invitations_deleted": invited},
    )
    session.commit()
    return Message(
        "The invitations to %(address)s have been deleted and the address pseudonymised.",
        address=address,
    )


# ---- deleting an organisation --------------------------------------------------------------


def grace_period() -> timedelta:
    """How long a scheduled deletion waits (``ORGANISATION_DELETION_GRACE_DAYS``)."""
    return timedelta(days=current_app.config["ORGANISATION_DELETION_GRACE_DAYS"])


def has_finalised_reports(organisation: Organisation) -> bool:
    """Whether the organisation has a finalised (stored) report, which is never deleted."""
    query = (
        select(StoredReport.id)
        .join(Assessment, Assessment.id == StoredReport.assessment_id)
        .where(Assessment.organisation_id == organisation.id)
        .limit(1)
    )
    return db.session().scalar(query) is not None


def schedule_deletion(organisation: Organisation, typed_name: str, *, by: User) -> datetime:
    """Close ``organisation`` to its members now and delete it after the grace period.

    ``typed_name`` must be the organisation's name, as a confirmation. Returns when it will be
    deleted.
    """
    if typed_name.strip() != organisation.name:
        raise ServiceError(
            "Type the organisation's name exactly as shown to confirm.", field="confirm_name"
        )
    if organisation.deletion_due_at is not None:
        return organisation.deletion_due_at
    if has_finalised_reports(organisation):
        raise ServiceError(
            "This organisation has finalised reports. They are kept as records that auditors can "
            "verify, so the organisation cannot be deleted. Remove its members, or erase the "
            "people whose data must go: the reports and the audit trail then name them only by "
            "a pseudonym."
        )
    now = db.utcnow()
    organisation.deletion_requested_at = now
    organisation.deletion_due_at = now + grace_period()
    audit.record(
        audit.ORGANISATION_DELETION_SCHEDULED,
        organisation_id=organisation.id,
        actor=by,
        object_type="organisation",
        object_id=organisation.id,
        new={"deletion_due_at": _iso(organisation.deletion_due_at)},
    )
    db.session().commit()
    return organisation.deletion_due_at


def cancel_deletion(organisation: Organisation, *, by: User) -> None:
    """Stop a scheduled deletion; the organisation's members can use it again."""
    if organisation.deletion_due_at is None:
        return
    audit.record(
        audit.ORGANISATION_DELETION_CANCELLED,
        organisation_id=organisation.id,
        actor=by,
        object_type="organisation",
        object_id=organisation.id,
        old={"deletion_due_at": _iso(organisation.deletion_due_at)},
    )
    organisation.deletion_requested_at = None
    organisation.deletion_due_at = None
    db.session().commit()


@maintenance.purge_step("organisations past their deletion grace period")
def delete_due_organisations(now: datetime) -> int:
    """Delete every organisation whose grace period ended by ``now``, with all its data (the
    database cascades to members, invitations, assessments and answers). Returns how many."""
    session = db.session()
    due = session.scalars(
        select(Organisation).where(
            Organisation.deletion_due_at.is_not(None), Organisation.deletion_due_at <= now
        )
    ).all()
    deleted = 0
    for organisation in due:
        if has_finalised_reports(organisation):
            # Finalised reports are never deleted (and the database refuses): keep the
            # organisation, closed to its members, and say so in the operator's log.
            current_app.logger.warning(
                "organisation %s keeps finalised reports and was not deleted", organisation.id
            )
            continue
        audit.record(
            audit.ORGANISATION_DELETED,
            organisation_id=organisation.id,
            actor=None,
            object_type="organisation",
            object_id=organisation.id,
            source="system",
            detail={"deletion_requested_at": _iso(organisation.deletion_requested_at)},
        )
        session.delete(organisation)
        session.commit()
        deleted += 1
    return deleted
