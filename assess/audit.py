"""Writing the audit trail: one call per thing that happened, in the transaction that did it.

Recording a change
    Inside a service, after making the change and before committing it::

        audit.record(
            audit.ANSWER_CHANGED,
            organisation_id=assessment.organisation_id,
            actor=user,                       # a User, a person reference, or None (the system)
            object_type="assessment",
            object_id=assessment.id,
            questionnaire_id="adoption",
            question_id="lead-board-oversight",
            old={"status": "answered", "value": 2, "note": ""},
            new={"status": "answered", "value": 3, "note": "Board minutes"},
            source="online",                  # or "workshop", "copied", "system"
        )
        db.session().commit()                 # the service commits the change and its event

    :func:`record` only keeps the event with the session, which writes it at the end of the
    trail's hash chain when it commits (see :mod:`assess.audit_chain`): the event is written if
    and only if the change is, and a rolled-back save leaves no event behind. The event's time is
    the database's time at that commit, whatever ``occurred_at`` said before.

Recording an event that changes nothing
    A failed sign-in, a report download, a verification: :func:`record_now` adds the event and
    commits at once (call it when the session holds nothing else uncommitted).

People
    Events never hold a name or an email address, only a person reference (``p-<12 hex>``), so
    that the trail can stay append-only and still forget people. :func:`person_ref_for_user`,
    :func:`person_ref_for_email` (someone invited who has no account yet) and
    :func:`person_ref_for_participant` (a workshop participant without an account: the workshop
    feature passes its own stable key, e.g. ``workshop-participant:<id>``, and the display name)
    give the reference, creating the ``audit_person`` row on first use. Erasure
    (:func:`pseudonymise`) rewrites that row to "Former member 3F7A2C" and leaves every event as
    it was.

Actions are the constants below; later features (finalising, reports, workshops, consensus) use
the ones reserved for them. Each has a label in :data:`ACTION_LABELS` for the trail's pages.

The database refuses UPDATE and DELETE on ``audit_event`` (triggers made by the migrations; on
PostgreSQL also TRUNCATE), an event dated other than now, and an event that does not follow the
chain's last one; this module never tries any of them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any, Final

from flask_babel import lazy_gettext as _
from sqlalchemy import bindparam, select

from assess import audit_chain, db
from assess.models.accounts import User
from assess.models.audit import AuditEvent, AuditPerson

# ---- actions -------------------------------------------------------------------------------
ANSWER_CHANGED: Final = "answer.changed"
ANSWER_CLEARED: Final = "answer.cleared"
CONSENSUS_RECORDED: Final = "consensus.recorded"
ANSWER_MARKED: Final = "answer.marked"
MODEL_CHOSEN: Final = "model.chosen"
TARGET_LOWERED: Final = "target.lowered"
TARGET_RESTORED: Final = "target.restored"
ASSESSMENT_STARTED: Final = "assessment.started"
ASSESSMENT_FINALISED: Final = "assessment.finalised"
ASSESSMENT_SUPERSEDED: Final = "assessment.superseded"
CORRECTION_OPENED: Final = "assessment.correction_opened"
WORKSHOP_OPENED: Final = "workshop.opened"
WORKSHOP_CODE_RENEWED: Final = "workshop.code_renewed"
WORKSHOP_JOINED: Final = "workshop.joined"
WORKSHOP_SECTIONS_CHANGED: Final = "workshop.sections_changed"
WORKSHOP_THRESHOLD_CHANGED: Final = "workshop.threshold_changed"
WORKSHOP_MODEL_CHOSEN: Final = "workshop.model_chosen"
WORKSHOP_CLOSED: Final = "workshop.closed"
WORKSHOP_PURGED: Final = "workshop.purged"
SURVEY_OPENED: Final = "survey.opened"
SURVEY_CLOSED: Final = "survey.closed"
SURVEY_PAPER_ENTERED: Final = "survey.paper_entered"
SURVEY_PURGED: Final = "survey.purged"
REPORT_DOWNLOADED: Final = "report.downloaded"
REPORT_VERIFIED: Final = "report.verified"
MEMBER_ROLE_CHANGED: Final = "member.role_changed"
MEMBER_REMOVED: Final = "member.removed"
INVITATION_SENT: Final = "invitation.sent"
INVITATION_WITHDRAWN: Final = "invitation.withdrawn"
INVITATION_ACCEPTED: Final = "invitation.accepted"
ORGANISATION_CREATED: Final = "organisation.created"
ORGANISATION_UPDATED: Final = "organisation.updated"
ORGANISATION_STATUS_CHANGED: Final = "organisation.status_changed"
ORGANISATION_DELETION_SCHEDULED: Final = "organisation.deletion_scheduled"
ORGANISATION_DELETION_CANCELLED: Final = "organisation.deletion_cancelled"
ORGANISATION_DELETED: Final = "organisation.deleted"
PERSON_ERASED: Final = "person.erased"
PERSONAL_DATA_DOWNLOADED: Final = "person.data_downloaded"
LOGIN_SUCCEEDED: Final = "login.succeeded"
LOGIN_FAILED: Final = "login.failed"
LOGOUT: Final = "logout"
PLAN_ACTION_ADDED: Final = "plan.action_added"
PLAN_ACTION_CHANGED: Final = "plan.action_changed"
PLAN_ACTION_MOVED: Final = "plan.action_moved"
NEXT_ASSESSMENT_STARTED: Final = "assessment.next_started"
CARRIED_ANSWERS_CONFIRMED: Final = "answer.carried_confirmed"
ACTION_REMINDERS_CHANGED: Final = "organisation.action_reminders_changed"
PROGRESS_REVIEW_SCHEDULED: Final = "review.scheduled"
PROGRESS_REVIEW_COMPLETED: Final = "review.completed"
DATA_EXPORTED: Final = "data.exported"
DATA_IMPORTED: Final = "data.imported"
ANSWERS_IMPORTED: Final = "answer.imported"
PACK_UPLOADED: Final = "pack.uploaded"
PACK_INSTALLED: Final = "pack.installed"
PACK_DISCARDED: Final = "pack.discarded"
PACK_CHOSEN: Final = "pack.chosen"
API_TOKEN_CREATED: Final = "api_token.created"  # noqa: S105 - an action name, not a secret
API_TOKEN_REVOKED: Final = "api_token.revoked"  # noqa: S105 - an action name
BENCHMARK_PARTICIPATION_CHANGED: Final = "organisation.benchmark_changed"

#: What each action is called on the trail's pages.
ACTION_LABELS: Final[dict[str, Any]] = {
    ANSWER_CHANGED: _("Answer changed"),
    ANSWER_CLEARED: _("Answer cleared"),
    CONSENSUS_RECORDED: _("Consensus recorded"),
    ANSWER_MARKED: _("Answer verified or challenged by the auditor"),
    MODEL_CHOSEN: _("Model chosen"),
    TARGET_LOWERED: _("Target lowered"),
    TARGET_RESTORED: _("Target restored"),
    ASSESSMENT_STARTED: _("Assessment started"),
    ASSESSMENT_FINALISED: _("Assessment finalised"),
    ASSESSMENT_SUPERSEDED: _("Assessment superseded"),
    CORRECTION_OPENED: _("Correction opened"),
    WORKSHOP_OPENED: _("Workshop opened"),
    WORKSHOP_CODE_RENEWED: _("Workshop join code renewed"),
    WORKSHOP_JOINED: _("Workshop joined"),
    WORKSHOP_SECTIONS_CHANGED: _("Workshop sections opened or closed"),
    WORKSHOP_THRESHOLD_CHANGED: _("Workshop divergence threshold changed"),
    WORKSHOP_MODEL_CHOSEN: _("Workshop model chosen"),
    WORKSHOP_CLOSED: _("Workshop closed"),
    WORKSHOP_PURGED: _("Workshop individual answers purged"),
    SURVEY_OPENED: _("Perception survey opened"),
    SURVEY_CLOSED: _("Perception survey closed"),
    SURVEY_PAPER_ENTERED: _("Paper survey response typed in"),
    SURVEY_PURGED: _("Perception survey responses deleted, counts kept"),
    REPORT_DOWNLOADED: _("Report downloaded"),
    REPORT_VERIFIED: _("Report verified"),
    MEMBER_ROLE_CHANGED: _("Role changed"),
    MEMBER_REMOVED: _("Member removed"),
    INVITATION_SENT: _("Invitation sent"),
    INVITATION_WITHDRAWN: _("Invitation withdrawn"),
    INVITATION_ACCEPTED: _("Invitation accepted"),
    ORGANISATION_CREATED: _("Organisation registered"),
    ORGANISATION_UPDATED: _("Organisation details changed"),
    ORGANISATION_STATUS_CHANGED: _("Organisation status changed"),
    ORGANISATION_DELETION_SCHEDULED: _("Organisation deletion scheduled"),
    ORGANISATION_DELETION_CANCELLED: _("Organisation deletion cancelled"),
    ORGANISATION_DELETED: _("Organisation deleted"),
    PERSON_ERASED: _("Person erased"),
    PERSONAL_DATA_DOWNLOADED: _("Personal data downloaded"),
    LOGIN_SUCCEEDED: _("Signed in"),
    LOGIN_FAILED: _("Failed sign-in"),
    LOGOUT: _("Signed out"),
    PLAN_ACTION_ADDED: _("Action added to the plan"),
    PLAN_ACTION_CHANGED: _("Action changed"),
    PLAN_ACTION_MOVED: _("Action moved to the next assessment's plan"),
    NEXT_ASSESSMENT_STARTED: _("Next assessment started"),
    CARRIED_ANSWERS_CONFIRMED: _("Carried-over answers confirmed"),
    ACTION_REMINDERS_CHANGED: _("Action reminders switched on or off"),
    PROGRESS_REVIEW_SCHEDULED: _("Progress review scheduled"),
    PROGRESS_REVIEW_COMPLETED: _("Progress review completed"),
    DATA_EXPORTED: _("Data exported"),
    DATA_IMPORTED: _("Data imported"),
    ANSWERS_IMPORTED: _("Answers imported from a CSV file"),
    PACK_UPLOADED: _("Questionnaire pack uploaded"),
    PACK_INSTALLED: _("Questionnaire pack installed"),
    PACK_DISCARDED: _("Questionnaire pack discarded"),
    PACK_CHOSEN: _("Questionnaire pack chosen for new assessments"),
    API_TOKEN_CREATED: _("API token made with access to this organisation"),
    API_TOKEN_REVOKED: _("API token revoked"),
    BENCHMARK_PARTICIPATION_CHANGED: _("Peer benchmark: opted out or back in"),
}

#: Events of a person rather than of an organisation (recorded with no organisation). An
#: organisation's trail shows them for its members, from the day each joined.
PERSON_ACTIONS: Final[frozenset[str]] = frozenset({LOGIN_SUCCEEDED, LOGIN_FAILED, LOGOUT})

#: Events that change an answer.
ANSWER_ACTIONS: Final[frozenset[str]] = frozenset(
    {ANSWER_CHANGED, ANSWER_CLEARED, CONSENSUS_RECORDED}
)

#: Where a change came from.
SOURCES: Final[tuple[str, ...]] = ("online", "workshop", "copied", "system")

#: Who did something: an account, a person reference, or None for the system / nobody known.
Actor = User | str | None

_PSEUDONYM = "Former member"


def new_ref() -> str:
    """A fresh person reference: ``p-`` and 12 random hex digits."""
    return "p-" + secrets.token_hex(6)


def pseudonym(ref: str) -> str:
    """The stable name shown for an erased person: "Former member" and six digits of ``ref``."""
    return f"{_PSEUDONYM} {ref[2:8].upper()}"


# ---- people --------------------------------------------------------------------------------


def person_for_user(user: User) -> AuditPerson:
    """The trail's record of ``user`` (made on first use; its name and address kept current).

    Someone invited before they had an account keeps the reference the invitation gave them.
    """
    session = db.session()
    if user.id is None:
        session.flush()
    person = session.scalar(select(AuditPerson).where(AuditPerson.user_id == user.id))
    if person is None:
        person = session.scalar(
            select(AuditPerson).where(AuditPerson.external_key == _email_key(user.email))
        )
        if person is None:
            person = AuditPerson(ref=new_ref(), display_name=user.name, email=user.email)
            session.add(person)
        person.user_id = user.id
        person.external_key = None
    if person.pseudonymised_at is None and (
        person.display_name != user.name or person.email != user.email
    ):
        person.display_name, person.email = user.name, user.email
    return person


#: An account's person reference and the name and address it was last recorded with. Built
#: once: every save runs it.
_PERSON_OF_USER = select(AuditPerson.ref, AuditPerson.display_name, AuditPerson.email).where(
    AuditPerson.user_id == bindparam("user_id")
)


def person_ref_for_user(user: User) -> str:
    """``user``'s person reference."""
    if user.id is not None:
        # The common case, read as a plain row: the person exists and their name is current.
        row = db.session().execute(_PERSON_OF_USER, {"user_id": user.id}).first()
        if row is not None and (row.display_name, row.email) == (user.name, user.email):
            return str(row.ref)
    return person_for_user(user).ref


def person_ref_for_email(email: str) -> str:
    """The reference of whoever has ``email``: their account's if they have one, else one kept
    for the address (an invitee), which their account adopts when they register."""
    email = email.strip().lower()
    user = db.session().scalar(select(User).where(User.email == email))
    if user is not None:
        return person_ref_for_user(user)
    return _external_person(_email_key(email), email, email).ref


def person_ref_for_participant(participant_key: str, display_name: str) -> str:
    """The reference of a workshop participant without an account.

    ``participant_key`` is the caller's stable key for them (``workshop-participant:<id>``); the
    display name is personal data, kept here only, and pseudonymised by
    :func:`pseudonymise_external` when the workshop's individual answers expire.
    """
    return _external_person(participant_key, display_name, None).ref


def _email_key(email: str) -> str:
    return f"email:{email.strip().lower()}"


def _external_person(key: str, display_name: str, email: str | None) -> AuditPerson:
    session = db.session()
    person = session.scalar(select(AuditPerson).where(AuditPerson.external_key == key))
    if person is None:
        person = AuditPerson(
            ref=new_ref(), external_key=key, display_name=display_name[:200], email=email
        )
        session.add(person)
    return person


def people(refs: Iterable[str | None]) -> dict[str, AuditPerson]:
    """The people behind ``refs``, by reference (unknown references are left out)."""
    wanted = {ref for ref in refs if ref}
    if not wanted:
        return {}
    rows = db.session().scalars(select(AuditPerson).where(AuditPerson.ref.in_(wanted)))
    return {person.ref: person for person in rows}


def pseudonymise(person: AuditPerson) -> None:
    """Replace ``person``'s name and address by their pseudonym and unlink their account. Not
    committed: part of the caller's erasure. Their events are untouched and stay attributable."""
    person.display_name = pseudonym(person.ref)
    person.email = None
    person.user_id = None
    person.external_key = None
    if person.pseudonymised_at is None:
        person.pseudonymised_at = db.utcnow()


def pseudonymise_external(key: str) -> bool:
    """Pseudonymise the person kept under ``key`` (a workshop participant, an invited address);
    False if there is none. Not committed."""
    person = db.session().scalar(select(AuditPerson).where(AuditPerson.external_key == key))
    if person is None:
        return False
    pseudonymise(person)
    return True


def pseudonymise_email(email: str) -> bool:
    """Pseudonymise an invited address that never became an account. Not committed."""
    return pseudonymise_external(_email_key(email))


def last_authors(
    assessment_id: int, questionnaire_id: str, question_ids: Iterable[str]
) -> dict[str, str]:
    """Who last changed each of ``question_ids``, by name (or pseudonym), from the trail.

    Answers keep their author as an account id, which is gone once the account is erased; the
    trail still knows the person's reference, and so the pseudonym to show.
    """
    wanted = list(question_ids)
    if not wanted:
        return {}
    events = db.session().execute(
        select(AuditEvent.question_id, AuditEvent.actor_ref)
        .where(
            AuditEvent.object_type == "assessment",
            AuditEvent.object_id == str(assessment_id),
            AuditEvent.questionnaire_id == questionnaire_id,
            AuditEvent.question_id.in_(wanted),
            AuditEvent.action.in_(ANSWER_ACTIONS),
        )
        .order_by(AuditEvent.id.desc())
    )
    latest: dict[str, str | None] = {}
    for question_id, ref in events:
        latest.setdefault(question_id, ref)
    found = people(latest.values())
    return {qid: found[ref].display_name for qid, ref in latest.items() if ref in found}


# ---- events --------------------------------------------------------------------------------


def _ref(actor: Actor) -> str | None:
    if actor is None or isinstance(actor, str):
        return actor
    return person_ref_for_user(actor)


def record(
    action: str,
    *,
    organisation_id: int | None,
    actor: Actor,
    object_type: str,
    object_id: int | str | None = None,
    questionnaire_id: str | None = None,
    question_id: str | None = None,
    old: Any = None,
    new: Any = None,
    source: str = "online",
    subject: Actor = None,
    detail: Any = None,
) -> AuditEvent:
    """Keep an event with the current session, to be committed with the change it records.

    ``actor`` did it; ``subject`` is the person it is about, if any (each a User, a person
    reference or None). ``old`` and ``new`` are JSON-able values. Never put a name or an email
    address into ``old``, ``new`` or ``detail``: events cannot be changed when a person is erased.
    """
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}: add it to assess.audit")
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    for value in (old, new, detail):
        audit_chain.check_hashable(value)
    event = AuditEvent(
        occurred_at=db.utcnow(),
        organisation_id=organisation_id,
        action=action,
        actor_ref=_ref(actor),
        subject_ref=_ref(subject),
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        questionnaire_id=questionnaire_id,
        question_id=question_id,
        source=source,
        old_value=old,
        new_value=new,
        detail=detail,
    )
    audit_chain.add_pending(db.session(), event)
    return event


def record_now(action: str, **fields: Any) -> AuditEvent:
    """:func:`record` an event that accompanies no change, and commit it at once."""
    event = record(action, **fields)
    db.session().commit()
    return event
