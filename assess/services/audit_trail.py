"""Reading an organisation's audit trail: filtered, a page at a time, or whole as CSV.

An organisation's trail is its own events, plus the sign-ins, sign-outs and failed sign-ins of its
members from the day each joined (those events belong to a person, not to one organisation).
Events from before the organisation was registered are never shown, so an id reused after a
deletion (SQLite can reuse the highest id) never shows another body's history.

Times are shown and exported in the organisation's time zone, with their offset.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import ColumnElement, and_, exists, func, or_, select, union

from assess import audit, audit_chain, db, pagination
from assess.i18n import current_locale
from assess.models import (
    Assessment,
    AuditEvent,
    AuditPerson,
    Membership,
    Organisation,
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
from assess.spreadsheet import defuse

#: Events on one page of the trail.
PER_PAGE = 50

CSV_COLUMNS = (
    "time",
    "person",
    "person_ref",
    "action",
    "action_label",
    "about",
    "about_ref",
    "object_type",
    "object_id",
    "questionnaire",
    "question",
    "old_value",
    "new_value",
    "source",
    "detail",
    "question_text",
)


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


def _in_trail(organisation: Organisation) -> ColumnElement[bool]:
    """Whether an event is in the organisation's trail (see :func:`_trail_parts`)."""
    return or_(*_trail_parts(organisation))


def _trail_parts(organisation: Organisation) -> list[ColumnElement[bool]]:
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
    first = db.session().scalar(
        select(func.min(AuditEvent.id)).where(AuditEvent.organisation_id == organisation.id, since)
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


def _filtered(organisation: Organisation, filters: Filters) -> list[ColumnElement[bool]]:
    conditions = [_in_trail(organisation)]
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
        for ids in versions:
            sources.extend(questionnaire_service.by_version_id(v) for v in ids)
        for questionnaire in sources:
            self._names.setdefault(questionnaire.id, questionnaire_name(questionnaire))
            rank = KINDS.index(questionnaire.kind) if questionnaire.kind in KINDS else len(KINDS)
            for number, (_section, question) in enumerate(questionnaire.questions()):
                key = (questionnaire.id, question.id)
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
    questions = questions or _Questions(organisation)
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
    """The questionnaires and questions the organisation's trail has events about, in the order
    they are asked: (questionnaire id, name, [(question id, text)]), for the filter's lists."""
    pairs = db.session().execute(
        select(AuditEvent.questionnaire_id, AuditEvent.question_id)
        .where(
            AuditEvent.organisation_id == organisation.id,
            AuditEvent.questionnaire_id.is_not(None),
            AuditEvent.question_id.is_not(None),
        )
        .distinct()
    )
    questions = _Questions(organisation)
    grouped: dict[str, list[tuple[str, str]]] = {}
    for questionnaire_id, question_id in sorted(
        pairs.all(), key=lambda pair: questions.order(pair[0], pair[1])
    ):
        text = questions.text(questionnaire_id, question_id) or question_id
        grouped.setdefault(questionnaire_id, []).append((question_id, text))
    return [(qid, questions.name(qid) or qid, items) for qid, items in grouped.items()]


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
    rest = _filtered(organisation, filters)[1:]
    window = pagination.page(
        [select(AuditEvent).where(part, *rest) for part in _trail_parts(organisation)],
        [(AuditEvent.id, pagination.DESC)],
        after=after,
        before=before,
        size=PER_PAGE,
    )
    return Page(_rows(organisation, window.items), window.next_cursor, window.previous_cursor)


def people_in_trail(organisation: Organisation) -> list[tuple[str, str]]:
    """(reference, name) of everyone who appears in the trail or is a member, by name."""
    own = AuditEvent.organisation_id == organisation.id
    refs = union(
        select(AuditEvent.actor_ref).where(own, AuditEvent.actor_ref.is_not(None)),
        select(AuditEvent.subject_ref).where(own, AuditEvent.subject_ref.is_not(None)),
        select(AuditPerson.ref)
        .join(Membership, Membership.user_id == AuditPerson.user_id)
        .where(Membership.organisation_id == organisation.id),
    )
    found = audit.people(db.session().scalars(select(refs.subquery().c[0])))
    return sorted(((p.ref, p.display_name) for p in found.values()), key=lambda x: x[1].lower())


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


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


#: The event columns the export reads: the chained fields (the organisation is the one asked
#: for) and the time.
_EXPORTED = ("occurred_at", *(f for f in audit_chain.FIELDS if f != "organisation_id"))
#: Lines of the CSV sent at a time.
LINES_PER_CHUNK = 500
#: Rows the export reads from the database at a time, through one query.
EXPORT_BATCH = 2000


def _everyone(organisation: Organisation) -> dict[str, str]:
    """Names of everyone who can appear in the organisation's trail, by reference (one query)."""
    return dict(people_in_trail(organisation))


def csv_lines(organisation: Organisation, filters: Filters) -> Iterator[str]:
    """The filtered trail as CSV text, a few hundred lines at a time: UTF-8 with a byte-order
    mark (so that Excel reads accents right), times in ISO 8601 with their offset, and every cell
    defused.

    A constant number of queries whatever the trail's length: the members, the people, the
    assessment and workshop titles are read first; then the events come through one query read
    :data:`EXPORT_BATCH` rows at a time (a server-side cursor on PostgreSQL), oldest first, so
    memory stays flat. If reading fails part-way, the file ends with a line saying so and the
    error is raised again, so the download is marked failed rather than ending as if complete.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Sequence[str]) -> None:
        writer.writerow([defuse(cell) for cell in cells])

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    line(CSV_COLUMNS)
    yield "\ufeff" + flush()
    written = 0
    events = None
    try:
        session = db.session()
        conditions = _filtered(organisation, filters)
        names = _everyone(organisation)
        questions = _Questions(organisation)
        zone = zone_of(organisation)
        labels = {action: str(label) for action, label in audit.ACTION_LABELS.items()}
        system, unknown, erased = gettext("System"), gettext("Unknown"), gettext("Erased person")

        def name(ref: str | None) -> str:
            if ref is None:
                return ""
            if ref not in names:  # not expected: everyone in the trail was read above
                found = audit.people([ref]).get(ref)
                names[ref] = found.display_name if found else erased
            return names[ref]

        # Plain rows, not objects: nothing accumulates in the session while the file streams.
        columns = [AuditEvent.__table__.c[c] for c in _EXPORTED]
        events = session.execute(
            select(*columns)
            .where(*conditions)
            .order_by(AuditEvent.id)
            .execution_options(yield_per=EXPORT_BATCH)
        )
        for e in events:
            line(
                [
                    e.occurred_at.astimezone(zone).isoformat(timespec="seconds"),
                    name(e.actor_ref) or (system if e.source == "system" else unknown),
                    e.actor_ref or "",
                    e.action,
                    labels.get(e.action, e.action),
                    name(e.subject_ref),
                    e.subject_ref or "",
                    e.object_type,
                    e.object_id or "",
                    e.questionnaire_id or "",
                    e.question_id or "",
                    _json(e.old_value),
                    _json(e.new_value),
                    e.source,
                    _json(e.detail),
                    questions.text(e.questionnaire_id, e.question_id) or "",
                ]
            )
            written += 1
            if written % LINES_PER_CHUNK == 0:
                # Lines go out in chunks: one write to the socket for hundreds of events.
                yield flush()
        yield flush()
    except GeneratorExit:  # the person stopped the download: nothing to say, nothing to keep
        raise
    except Exception:
        # The events written so far, then the line that says the file is incomplete.
        line(
            [
                gettext(
                    "ERROR: the export stopped after %(count)d events and is incomplete. "
                    "Download it again.",
                    count=written,
                )
            ]
        )
        yield flush()
        raise
    finally:
        if events is not None:
            events.close()  # the server-side cursor, at once, however the stream ended
