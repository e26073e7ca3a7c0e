"""Reading an organisation's audit trail: filtered, a page at a time. The whole trail as CSV is
:mod:`assess.services.audit_export`.

An organisation's trail is its own events, plus the sign-ins, sign-outs and failed sign-ins of its
members from the day each joined (those events belong to a person, not to one organisation).
Events from before the organisation was registered are never shown, so an id reused after a
deletion (SQLite can reuse the highest id) never shows another body's history.

Times are shown and exported in the organisation's time zone, with their offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import g, has_app_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    literal,
    or_,
    select,
    union,
)

from assess import audit, db, pagination
from assess.i18n import current_locale
from assess.models import (
    Assessment,
    AuditEvent,
    AuditPerson,
    Invitation,
    Membership,
    Organisation,
    User,
    WorkshopSession,
)
from assess.questionnaire import wording
from assess.questionnaire.answers import Answer, Status
from assess.questionnaire.schema import LevelQuestion, Question, Questionnaire
from assess.reference import QUESTIONNAIRE_NAMES
from assess.services import questionnaires as questionnaire_service
from assess.services import register
from assess.services.assessments import KINDS
from assess.services.questionnaires import current_questionnaires

#: Events on one page of the trail.
PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    """What to narrow the trail to; None means no restriction. Dates are whole days in the
    organisation's time zone, both ends included."""

    person: str | None = None
    #: A questionnaire id (its questions, whatever the version).
    questionnaire: str | None = None
    question: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Row:
    """One event as a person reads it."""

    event: AuditEvent
    #: When, in the organisation's time zone.
    when: datetime
    actor: str
    subject: str | None
    #: The question's text, for an event about an answer.
    question_text: str | None = None
    #: The questionnaire's name ("Definition", ...), for an event about an answer.
    questionnaire_name: str | None = None
    #: What the event is about, in words ("Assessment “Plan 2026”"), when the action and the
    #: person do not say it already.
    about: str | None = None
    #: For a change to one group of the register: (its name, added / changed / removed).
    register_group: tuple[str, str] | None = None
    #: The old and new values in words (see :func:`describe`).
    before: str = ""
    after: str = ""

    @property
    def action_label(self) -> str:
        """The action in words."""
        return str(audit.ACTION_LABELS.get(self.event.action, self.event.action))


@dataclass(frozen=True)
class Page:
    """One page of rows, newest first, with the cursors of the older and newer pages."""

    rows: list[Row]
    #: Older events (None on the last page).
    next_cursor: str | None = None
    #: Newer events (None on the first page).
    previous_cursor: str | None = None


def zone_of(organisation: Organisation) -> ZoneInfo:
    """The organisation's time zone."""
    return ZoneInfo(organisation.time_zone)


def _members_since(organisation: Organisation) -> list[tuple[str, datetime]]:
    """Each member's person reference and when they joined (their sign-ins count from then)."""
    return [
        (ref, since)
        for ref, since in db.session().execute(
            select(AuditPerson.ref, Membership.created_at)
            .join(Membership, Membership.user_id == AuditPerson.user_id)
            .where(Membership.organisation_id == organisation.id)
        )
    ]


#: Up to this many members, their sign-ins are named by reference in the trail's condition.
_MEMBERS_BY_REFERENCE = 200


def trail_parts(organisation: Organisation) -> list[ColumnElement[bool]]:
    """The organisation's own events, and its members' sign-ins from the day each joined.

    The members are read first (one query) and named by reference, so that the database can use
    its indexes instead of checking a correlated EXISTS for every event of every organisation.
    """
    own = AuditEvent.organisation_id == organisation.id
    members = _members_since(organisation)
    since = AuditEvent.occurred_at >= organisation.created_at
    # The chain gives ids in the order of their times, so "since the organisation registered" is
    # "from its first event on": a bound on the id, which the (organisation_id, id) index serves
    # (a bound on the time would make the database sort all of the organisation's events).
    # The first entry of the (organisation_id, occurred_at) index from the registration on: one
    # index look-up (a min() of the ids would read every later event of the organisation).
    first = db.session().scalar(
        select(AuditEvent.id)
        .where(AuditEvent.organisation_id == organisation.id, since)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
        .limit(1)
    )
    own = and_(own, AuditEvent.id >= first) if first is not None else and_(own, since)
    if not members:
        return [own]
    if len(members) > _MEMBERS_BY_REFERENCE:
        # A very large membership would make too long a condition (SQLite limits its depth):
        # find their sign-ins by a correlated look-up instead.
        member_events = and_(
            AuditEvent.organisation_id.is_(None),
            AuditEvent.action.in_(audit.PERSON_ACTIONS),
            exists().where(
                AuditPerson.user_id == Membership.user_id,
                Membership.organisation_id == organisation.id,
                Membership.created_at <= AuditEvent.occurred_at,
                or_(
                    AuditPerson.ref == AuditEvent.actor_ref,
                    AuditPerson.ref == AuditEvent.subject_ref,
                ),
            ),
        )
        return [own, and_(since, member_events)]
    member_events = and_(
        AuditEvent.organisation_id.is_(None),
        AuditEvent.action.in_(audit.PERSON_ACTIONS),
        or_(
            *(
                and_(
                    or_(AuditEvent.actor_ref == ref, AuditEvent.subject_ref == ref),
                    AuditEvent.occurred_at >= since,
                )
                for ref, since in members
            )
        ),
    )
    return [own, and_(since, member_events)]


def narrowing(organisation: Organisation, filters: Filters) -> list[ColumnElement[bool]]:
    """The conditions of the filters alone (the trail itself is :func:`trail_parts`)."""
    conditions = []
    if filters.person:
        conditions.append(
            or_(AuditEvent.actor_ref == filters.person, AuditEvent.subject_ref == filters.person)
        )
    if filters.questionnaire:
        conditions.append(AuditEvent.questionnaire_id == filters.questionnaire)
    if filters.question:
        conditions.append(AuditEvent.question_id == filters.question)
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    zone = zone_of(organisation)
    if filters.date_from:
        conditions.append(
            AuditEvent.occurred_at >= datetime.combine(filters.date_from, time(), zone)
        )
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), zone)
        conditions.append(AuditEvent.occurred_at < end)
    return conditions


class _Questions:
    """Question texts and questionnaire names for events, read from the questionnaire versions
    the organisation's assessments use (then the current files), each loaded once."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self._texts: dict[tuple[str, str], str] | None = None
        self._names: dict[str, str] = {}
        self._order: dict[tuple[str, str], tuple[int, int]] = {}
        self._questions: dict[tuple[str, str], Question] = {}
        #: The questions of the versions the organisation's assessments use.
        self._used: set[tuple[str, str]] = set()

    def _load(self) -> dict[tuple[str, str], str]:
        if self._texts is not None:
            return self._texts
        texts: dict[tuple[str, str], str] = {}
        locale = current_locale()
        sources: list[Questionnaire] = list(current_questionnaires())
        # The versions the organisation's assessments use (a handful, however many assessments),
        # each read once per worker.
        versions = db.session().execute(
            select(
                Assessment.definition_version_id,
                Assessment.model_fit_version_id,
                Assessment.adoption_version_id,
            )
            .where(Assessment.organisation_id == self.organisation.id)
            .distinct()
        )
        used = len(sources)
        for ids in versions:
            sources.extend(questionnaire_service.by_version_id(v) for v in ids)
        for index, questionnaire in enumerate(sources):
            self._names.setdefault(questionnaire.id, questionnaire_name(questionnaire))
            rank = KINDS.index(questionnaire.kind) if questionnaire.kind in KINDS else len(KINDS)
            for number, (_section, question) in enumerate(questionnaire.questions()):
                key = (questionnaire.id, question.id)
                if index >= used:
                    self._used.add(key)
                texts.setdefault(key, question.text.get(locale))
                self._questions.setdefault(key, question)
                self._order.setdefault(key, (rank, number))
        self._texts = texts
        return texts

    def text(self, questionnaire_id: str | None, question_id: str | None) -> str | None:
        """The question's text, or None for an event about no question (or an unknown one)."""
        if not question_id:
            return None
        return self._load().get((questionnaire_id or "", question_id))

    def question(self, questionnaire_id: str | None, question_id: str | None) -> Question | None:
        """The question an event is about (None when it is about none, or an unknown one)."""
        if not question_id:
            return None
        self._load()
        return self._questions.get((questionnaire_id or "", question_id))

    def name(self, questionnaire_id: str | None) -> str | None:
        """The questionnaire's one name, or its id when it is not known."""
        if not questionnaire_id:
            return None
        self._load()
        return self._names.get(questionnaire_id, questionnaire_id)

    def order(self, questionnaire_id: str, question_id: str) -> tuple[int, int]:
        """Where the question comes in the questionnaires (unknown ones last)."""
        self._load()
        return self._order.get((questionnaire_id, question_id), (len(KINDS) + 1, 0))

    def texts(self) -> dict[tuple[str, str], str]:
        """Every known question's text, by (questionnaire id, question id)."""
        return self._load()

    def choices(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """The questions of the versions the organisation's assessments use, by questionnaire, in
        the order they are asked (none before its first assessment)."""
        texts = self._load()
        grouped: dict[str, list[tuple[str, str]]] = {}
        for questionnaire_id, question_id in sorted(self._used, key=lambda key: self._order[key]):
            text = texts[questionnaire_id, question_id] or question_id
            grouped.setdefault(questionnaire_id, []).append((question_id, text))
        return [(qid, self.name(qid) or qid, items) for qid, items in grouped.items()]


def questions_of(organisation: Organisation) -> _Questions:
    """The organisation's :class:`_Questions`, read once per request (the page's rows and its
    filter's lists share them)."""
    cache = g.setdefault("audit_trail_questions", {}) if has_app_context() else {}
    key = (organisation.id, current_locale())
    if key not in cache:
        cache[key] = _Questions(organisation)
    return cache[key]


def questionnaire_name(questionnaire: Questionnaire) -> str:
    """The one name of a questionnaire ("Definition", "Model fit", "Adoption")."""
    name = QUESTIONNAIRE_NAMES.get(questionnaire.kind)
    return str(name) if name is not None else questionnaire.title.get(current_locale())


def _about(event: AuditEvent, titles: dict[int, str], sessions: dict[int, str]) -> str | None:
    """The object of an event in words, when the action and the person do not say it."""
    if event.object_type == "assessment" and event.object_id and event.object_id.isdigit():
        title = titles.get(int(event.object_id))
        return gettext("Assessment “%(title)s”", title=title) if title else None
    if event.object_type == "report" and event.object_id:
        return gettext("Report %(id)s", id=event.object_id)
    if event.object_type == "workshop" and event.object_id and event.object_id.isdigit():
        title = sessions.get(int(event.object_id))
        return gettext("Workshop “%(title)s”", title=title) if title else None
    if event.object_type == "plan_action" and event.object_id:
        return gettext("Action %(id)s of the action plan", id=event.object_id)
    # Accounts, memberships and invitations are named by the person the event is about; the
    # organisation is the one whose trail this is.
    return None


def _rows(
    organisation: Organisation, events: Sequence[AuditEvent], questions: _Questions | None = None
) -> list[Row]:
    found = audit.people([e.actor_ref for e in events] + [e.subject_ref for e in events])
    zone = zone_of(organisation)
    questions = questions or questions_of(organisation)
    session = db.session()
    ids = {
        (e.object_type, int(e.object_id))
        for e in events
        if e.object_type in ("assessment", "workshop") and e.object_id and e.object_id.isdigit()
    }
    assessment_ids = [i for kind, i in ids if kind == "assessment"]
    session_ids = [i for kind, i in ids if kind == "workshop"]
    titles = dict(
        session.execute(
            select(Assessment.id, Assessment.title).where(
                Assessment.id.in_(assessment_ids), Assessment.organisation_id == organisation.id
            )
        ).all()
    )
    session_titles = dict(
        session.execute(
            select(WorkshopSession.id, WorkshopSession.title).where(
                WorkshopSession.id.in_(session_ids)
            )
        ).all()
    )

    def name(ref: str | None) -> str | None:
        if ref is None:
            return None
        person = found.get(ref)
        # A reference with no record left is a person erased before pseudonyms were kept.
        return person.display_name if person else gettext("Erased person")

    return [
        Row(
            event=e,
            when=e.occurred_at.astimezone(zone),
            actor=name(e.actor_ref)
            or (gettext("System") if e.source == "system" else gettext("Unknown")),
            subject=name(e.subject_ref),
            question_text=questions.text(e.questionnaire_id, e.question_id),
            questionnaire_name=questions.name(e.questionnaire_id),
            about=_about(e, titles, session_titles),
            register_group=register.event_group(
                e.detail, e.old_value, e.new_value, current_locale()
            ),
            before=describe(e.old_value, questions.question(e.questionnaire_id, e.question_id)),
            after=describe(e.new_value, questions.question(e.questionnaire_id, e.question_id)),
        )
        for e in events
    ]


def questions_in_trail(organisation: Organisation) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The questionnaires and questions the filter offers, in the order they are asked:
    (questionnaire id, name, [(question id, text)]).

    They are the questions of the versions the organisation's assessments use (already read for
    the rows' question texts), not those its events are about: a list of the trail's own
    questions would read the whole trail on every page. A question with no events shows "No
    events match."
    """
    return questions_of(organisation).choices()


def page(
    organisation: Organisation,
    filters: Filters,
    *,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """The page of the filtered trail after the cursor ``after`` (older events) or before
    ``before`` (newer ones), newest first; the newest page without either.

    Keyset over the event id (the chain gives ids in the order of their times), so every page
    costs about the same however long the trail. Raises :class:`pagination.BadCursor`.
    """
    # One query for the organisation's own events and one for its members' sign-ins: each uses
    # its index and stops after a page, where one query with an OR between them would read the
    # whole trail to sort it.
    rest = narrowing(organisation, filters)
    window = pagination.page(
        [select(AuditEvent).where(part, *rest) for part in trail_parts(organisation)],
        [(AuditEvent.id, pagination.DESC)],
        after=after,
        before=before,
        size=PER_PAGE,
    )
    return Page(_rows(organisation, window.items), window.next_cursor, window.previous_cursor)


#: Events naming (as their subject) someone who has left the organisation: removed, or erased
#: with their account (their membership and invitations are gone then).
_LEFT = (audit.MEMBER_REMOVED, audit.PERSON_ERASED)


def people_in_trail(organisation: Organisation) -> list[tuple[str, str]]:
    """(reference, name) of the organisation's people, by name, for the filter: its members,
    everyone it has invited, and its former members (removed, or erased under a pseudonym).

    Read from the memberships, the invitations and the events of people leaving (through the
    index of actions: removals and erasures are rare), never from the whole trail, so the list
    costs the same however long the trail. People who appear in the trail without ever having
    been invited or a member (a workshop participant without an account, the site's operator)
    are not offered; their events are still shown.
    """
    org = organisation.id
    refs = union(
        select(AuditPerson.ref)
        .join(Membership, Membership.user_id == AuditPerson.user_id)
        .where(Membership.organisation_id == org),
        # An invited address without an account, and one that has become an account.
        select(AuditPerson.ref)
        .join(Invitation, AuditPerson.external_key == literal("email:") + Invitation.email)
        .where(Invitation.organisation_id == org),
        select(AuditPerson.ref)
        .join(User, User.id == AuditPerson.user_id)
        .join(Invitation, Invitation.email == User.email)
        .where(Invitation.organisation_id == org),
        # "+ 0" keeps the database from reading the organisation's whole trail through its
        # organisation indexes: the index of actions finds the few removals and erasures.
        select(AuditEvent.subject_ref).where(
            AuditEvent.action.in_(_LEFT),
            AuditEvent.organisation_id + 0 == org,
            AuditEvent.subject_ref.is_not(None),
        ),
    ).subquery()
    people = db.session().execute(
        select(AuditPerson.ref, AuditPerson.display_name).where(
            AuditPerson.ref.in_(select(refs.c[0]))
        )
    )
    return sorted(((ref, name) for ref, name in people), key=lambda x: (x[1].lower(), x[0]))


# ---- presentation --------------------------------------------------------------------------

_ANSWER_STATUS = {
    "not_applicable": _("Not applicable"),
    "dont_know": _("Don't know"),
}


#: The fields of other events' values (the action plan's, the model choice's ...) in words.
_FIELDS = {
    "title": _("Title"),
    "done_when": _("Done when"),
    "owner": _("Owner"),
    "due_on": _("Due"),
    "status": _("Status"),
    "dropped_reason": _("Why it was dropped"),
    "evidence_note": _("Evidence"),
    "evidence_reference": _("Evidence reference"),
    "models": _("Models"),
    "reason": _("Reason"),
    "role": _("Role"),
    "note": _("Note"),
    "value": _("Answer"),
}
#: Values that are ids, in words, by field.
_VALUES = {
    ("status", "not_started"): _("Not started"),
    ("status", "in_progress"): _("In progress"),
    ("status", "done"): _("Done"),
    ("status", "dropped"): _("Dropped"),
    ("owner", "member"): _("A member"),
    ("owner", "role"): _("A named role"),
    ("models", "citizen"): _("Citizen model"),
    ("models", "customer"): _("Customer model"),
    ("models", "stakeholder"): _("Stakeholder model"),
}


def _criteria(checks: Any) -> str:
    """Confirmed records of a level answer: "Level 3, record 1: met (Minutes 2025)"."""
    lines = []
    for check in checks if isinstance(checks, list) else ():
        if not isinstance(check, dict):
            continue
        met = check.get("met")
        state = gettext("met") if met else gettext("not met") if met is False else gettext("open")
        line = gettext(
            "Level %(level)s, record %(number)s: %(state)s",
            level=check.get("level"),
            number=check.get("number"),
            state=state,
        )
        if check.get("reference"):
            line = gettext("%(line)s (%(reference)s)", line=line, reference=check["reference"])
        lines.append(line)
    return "; ".join(lines)


def _answer_words(value: dict[str, Any], question: Question | None) -> str:
    status = _ANSWER_STATUS.get(value["status"])
    if status:
        return str(status)
    if question is None:
        return describe(value["value"])
    if isinstance(question, LevelQuestion) and isinstance(value["value"], int):
        return gettext("Level %(n)s", n=value["value"])
    answer = Answer(
        question.id, Status(value["status"]), Answer.value_from_json(value["value"]), ""
    )
    return "; ".join(wording.describe(question, answer, current_locale()))


def describe(value: Any, question: Question | None = None, field: str = "") -> str:
    """A stored old or new value in words: answers as their value (labels, not ids, when the
    ``question`` is known), note and confirmed records; other values field by field, with
    fields left empty left out."""
    if value is None:
        return ""
    if isinstance(value, dict) and {"status", "value", "note"} <= set(value):
        shown = _answer_words(value, question)
        if value["note"]:
            shown = gettext("%(value)s (note: %(note)s)", value=shown, note=value["note"])
        records = _criteria(value.get("criteria"))
        if records:
            shown = gettext("%(value)s. Records: %(records)s", value=shown, records=records)
        return shown
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            text = describe(item, field=key)
            if text:
                label = _FIELDS.get(key, key.replace("_", " ").capitalize())
                parts.append(gettext("%(field)s: %(value)s", field=label, value=text))
        return "; ".join(parts)
    if isinstance(value, list):
        return ", ".join(describe(item, field=field) for item in value)
    found = _VALUES.get((field, value)) if isinstance(value, str) else None
    return str(found) if found is not None else str(value)
