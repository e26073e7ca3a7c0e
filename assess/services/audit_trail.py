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

from assess import audit, db
from assess.i18n import current_locale
from assess.models import (
    Assessment,
    AuditEvent,
    AuditPerson,
    Membership,
    Organisation,
    WorkshopSession,
)
from assess.questionnaire.schema import Questionnaire
from assess.reference import QUESTIONNAIRE_NAMES
from assess.services import assessments as assessment_service
from assess.services import register
from assess.services.assessments import KINDS
from assess.services.questionnaires import current_questionnaires

#: Events on one page of the trail.
PER_PAGE = 50
#: Events read from the database at a time while exporting.
CHUNK = 500
#: A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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

    @property
    def action_label(self) -> str:
        """The action in words."""
        return str(audit.ACTION_LABELS.get(self.event.action, self.event.action))


@dataclass(frozen=True)
class Page:
    """One page of rows, newest first."""

    rows: list[Row]
    number: int
    pages: int
    total: int


def zone_of(organisation: Organisation) -> ZoneInfo:
    """The organisation's time zone."""
    return ZoneInfo(organisation.time_zone)


def _in_trail(organisation: Organisation) -> ColumnElement[bool]:
    member_event = and_(
        AuditEvent.organisation_id.is_(None),
        AuditEvent.action.in_(audit.PERSON_ACTIONS),
        exists().where(
            AuditPerson.user_id == Membership.user_id,
            Membership.organisation_id == organisation.id,
            Membership.created_at <= AuditEvent.occurred_at,
            or_(AuditPerson.ref == AuditEvent.actor_ref, AuditPerson.ref == AuditEvent.subject_ref),
        ),
    )
    return and_(
        AuditEvent.occurred_at >= organisation.created_at,
        or_(AuditEvent.organisation_id == organisation.id, member_event),
    )


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

    def _load(self) -> dict[tuple[str, str], str]:
        if self._texts is not None:
            return self._texts
        texts: dict[tuple[str, str], str] = {}
        locale = current_locale()
        sources: list[Questionnaire] = list(current_questionnaires())
        for assessment in assessment_service.for_organisation(self.organisation.id):
            sources.extend(assessment_service.questionnaires_of(assessment))
        for questionnaire in sources:
            self._names.setdefault(questionnaire.id, questionnaire_name(questionnaire))
            rank = KINDS.index(questionnaire.kind) if questionnaire.kind in KINDS else len(KINDS)
            for number, (_section, question) in enumerate(questionnaire.questions()):
                key = (questionnaire.id, question.id)
                texts.setdefault(key, question.text.get(locale))
                self._order.setdefault(key, (rank, number))
        self._texts = texts
        return texts

    def text(self, questionnaire_id: str | None, question_id: str | None) -> str | None:
        """The question's text, or None for an event about no question (or an unknown one)."""
        if not question_id:
            return None
        return self._load().get((questionnaire_id or "", question_id))

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


def page(organisation: Organisation, filters: Filters, number: int = 1) -> Page:
    """Page ``number`` (from 1) of the filtered trail, newest first."""
    conditions = _filtered(organisation, filters)
    session = db.session()
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max(1, -(-total // PER_PAGE))
    number = min(max(1, number), pages)
    events = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(PER_PAGE)
        .offset((number - 1) * PER_PAGE)
    ).all()
    return Page(_rows(organisation, events), number, pages, total)


def rows(organisation: Organisation, filters: Filters) -> Iterator[Row]:
    """Every row of the filtered trail, oldest first, read a chunk at a time."""
    conditions = _filtered(organisation, filters)
    questions = _Questions(organisation)
    last_id = 0
    while True:
        events = (
            db.session()
            .scalars(
                select(AuditEvent)
                .where(*conditions, AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(CHUNK)
            )
            .all()
        )
        if not events:
            return
        yield from _rows(organisation, events, questions)
        last_id = events[-1].id


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


def describe(value: Any) -> str:
    """A stored old or new value in words: answers as their value and note, the rest plainly."""
    if value is None:
        return ""
    if isinstance(value, dict) and set(value) == {"status", "value", "note"}:
        status = _ANSWER_STATUS.get(value["status"])
        shown = str(status) if status else describe(value["value"])
        if not value["note"]:
            return shown
        return gettext("%(value)s (note: %(note)s)", value=shown, note=value["note"])
    if isinstance(value, dict):
        return "; ".join(f"{key}: {describe(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(describe(item) for item in value)
    return str(value)


def defuse(cell: str) -> str:
    """``cell`` made safe to open in a spreadsheet: a leading apostrophe stops a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def csv_lines(organisation: Organisation, filters: Filters) -> Iterator[str]:
    """The filtered trail as CSV text, a line at a time: UTF-8 with a byte-order mark (so that
    Excel reads accents right), times in ISO 8601 with their offset, and every cell defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Sequence[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([defuse(cell) for cell in cells])
        return buffer.getvalue()

    yield "\ufeff" + line(CSV_COLUMNS)
    for row in rows(organisation, filters):
        e = row.event
        yield line(
            [
                row.when.isoformat(timespec="seconds"),
                row.actor,
                e.actor_ref or "",
                e.action,
                row.action_label,
                row.subject or "",
                e.subject_ref or "",
                e.object_type,
                e.object_id or "",
                e.questionnaire_id or "",
                e.question_id or "",
                _json(e.old_value),
                _json(e.new_value),
                e.source,
                _json(e.detail),
                row.question_text or "",
            ]
        )
