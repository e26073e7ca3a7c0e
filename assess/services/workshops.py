"""Facilitated workshops: sessions, joining, the live spread, the model the room chooses, and
closing. Participants' own answers are :mod:`assess.services.participant_answers`; recording the
answer the room agrees is :mod:`assess.services.consensus`.

The CAF 2020 practice: each person answers alone first, then the group agrees. Participants' answers
are kept per person in :class:`~assess.models.ParticipantAnswer` and never written into the
assessment; only the agreed answer is, through :func:`assess.services.assessments.save_answers`
with ``source="workshop"``, so scoring reads the consensus and nothing else.

Everything lives in the database, so several worker processes serve one session correctly: no
function here keeps state between requests except a cache of questionnaire versions, which never
change once stored.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import Text, bindparam, cast, delete, func, select, update
from sqlalchemy.orm import joinedload

from assess import audit, db, names, pagination
from assess.models import (
    Assessment,
    ConsensusRecord,
    Participant,
    ParticipantAnswer,
    User,
    WorkshopSession,
)
from assess.questionnaire.answers import Answer, Status
from assess.questionnaire.schema import (
    LevelQuestion,
    MultipleQuestion,
    Question,
    Questionnaire,
    Section,
    SingleQuestion,
)
from assess.scoring.aggregate import (
    QuestionAggregate,
    aggregate_question,
    consensus_answer,
    no_default_reason,
)
from assess.services import assessments, maintenance
from assess.services import questionnaires as questionnaire_service
from assess.services.tokens import new_token, token_hash

#: Crockford's base32: no I, L, O or U, so a code read aloud or typed on a phone is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 10 characters of 32 = 50 bits of entropy.
CODE_LENGTH = 10
#: How the code is shown: "7KQ2-9XMD-4R".
CODE_GROUPS = (4, 4, 2)
#: The longest display name accepted.
NAME_MAX_LENGTH = 80
#: The longest session title accepted.
TITLE_MAX_LENGTH = 200
#: A categorical question is divergent when no option has more than this share of the answers.
MAJORITY_SHARE = Fraction(3, 5)
#: The default divergence threshold: level answers this many levels apart.
DEFAULT_THRESHOLD = 2
#: What a purged participant is called.
PSEUDONYM = "Participant {n}"


class WorkshopError(ValueError):
    """The action cannot be done as asked; the message says why, for people."""


class JoinRefused(WorkshopError):
    """No open session has that code (or it has closed)."""


class SessionClosed(WorkshopError):
    """The session is closed: nothing changes any more."""


class SectionNotOpen(WorkshopError):
    """The facilitator has not opened that section (or has closed it again)."""


#: The audit action of each workshop event (consensus uses the trail's general action).
_AUDIT_ACTIONS = {"workshop.consensus_recorded": audit.CONSENSUS_RECORDED}


def participant_key(participant_id: int) -> str:
    """The audit trail's stable key for a participant without an account."""
    return f"workshop-participant:{participant_id}"


def record_event(action: str, workshop: WorkshopSession, **details: Any) -> None:
    """Record one workshop event in the audit trail (committed on its own, after the change).

    ``by`` names the facilitator's account id; ``participant`` a participant's id (their display
    name is kept with the trail's people, so it can be pseudonymised when answers expire).
    Participants' answers are not recorded one by one: they are kept whole in ParticipantAnswer,
    and the agreed answer is recorded as an answer change with source "workshop".
    """
    by = details.pop("by", None)
    actor: audit.Actor = db.session().get(User, by) if by else None
    participant_id = details.get("participant")
    if participant_id is not None and actor is None:
        participant = db.session().get(Participant, participant_id)
        if participant is not None:
            actor = audit.person_ref_for_participant(
                participant_key(participant.id), participant.display_name
            )
    audit.record_now(
        _AUDIT_ACTIONS.get(action, action),
        organisation_id=workshop.assessment.organisation_id,
        actor=actor,
        object_type="workshop",
        object_id=workshop.id,
        source="workshop",
        detail=details or None,
    )


@maintenance.purge_step("individual workshop answers past their retention period")
def _purge_expired_workshop_answers(now: datetime) -> int:
    """The daily retention step: individual answers of long-closed sessions go; consensus stays."""
    return purge_individual_answers(maintenance.workshop_answer_cutoff(now))


# ---- join codes --------------------------------------------------------------------------


def new_code() -> str:
    """A fresh join code: 10 random characters of Crockford's base32 (50 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """A typed code as stored: upper case, no spaces or hyphens; O read as 0, I and L as 1."""
    cleaned = re.sub(r"[\s\-_.]", "", typed or "").upper()
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def format_code(code: str) -> str:
    """``code`` in groups for reading: ``7KQ2-9XMD-4R``."""
    parts, start = [], 0
    for size in CODE_GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(p for p in parts if p)


def code_hash(code: str) -> str:
    """The SHA-256 (hex) under which a (normalised) code is stored."""
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


# ---- questionnaires ----------------------------------------------------------------------


def _version(version_id: int) -> Questionnaire:
    return questionnaire_service.by_version_id(version_id)


def questionnaires_of(assessment: Assessment) -> tuple[Questionnaire, ...]:
    """The assessment's three questionnaires, in the order they are answered (cached)."""
    return tuple(
        _version(v)
        for v in (
            assessment.definition_version_id,
            assessment.model_fit_version_id,
            assessment.adoption_version_id,
        )
    )


def questionnaire(assessment: Assessment, questionnaire_id: str) -> Questionnaire:
    """The assessment's questionnaire ``questionnaire_id``; KeyError if it has none such."""
    for found in questionnaires_of(assessment):
        if found.id == questionnaire_id:
            return found
    raise KeyError(questionnaire_id)


def section_key(questionnaire_id: str, section_id: str) -> str:
    """How a section is named in a session's lists: ``questionnaire_id/section_id``."""
    return f"{questionnaire_id}/{section_id}"


def sections(assessment: Assessment, keys: Iterable[str]) -> list[tuple[Questionnaire, Section]]:
    """The sections named by ``keys`` that the assessment has, in questionnaire order."""
    wanted = set(keys)
    found = []
    for q in questionnaires_of(assessment):
        for s in q.sections:
            if section_key(q.id, s.id) in wanted:
                found.append((q, s))
    return found


def all_sections(assessment: Assessment) -> list[tuple[Questionnaire, Section]]:
    """Every section of the assessment, in the order they are answered."""
    return [(q, s) for q in questionnaires_of(assessment) for s in q.sections]


# ---- sessions ----------------------------------------------------------------------------


def get(session_id: int) -> WorkshopSession | None:
    """The session ``session_id``, or None."""
    return db.session().get(WorkshopSession, session_id)


def for_assessment(assessment: Assessment) -> list[WorkshopSession]:
    """The assessment's sessions, newest first."""
    query = (
        select(WorkshopSession)
        .where(WorkshopSession.assessment_id == assessment.id)
        .order_by(WorkshopSession.created_at.desc(), WorkshopSession.id.desc())
    )
    return list(db.session().scalars(query))


#: Sessions on one page of an assessment's list.
SESSIONS_PER_PAGE = 20


def sessions_page(
    assessment: Assessment, *, after: str | None = None, before: str | None = None
) -> pagination.Window[WorkshopSession]:
    """A page of the assessment's sessions, newest first; keyset on (opened, id).
    Raises :class:`pagination.BadCursor`."""
    return pagination.page(
        select(WorkshopSession).where(WorkshopSession.assessment_id == assessment.id),
        [(WorkshopSession.created_at, pagination.DESC), (WorkshopSession.id, pagination.DESC)],
        after=after,
        before=before,
        size=SESSIONS_PER_PAGE,
    )


def _unique_code(session: Any) -> tuple[str, str]:
    while True:
        code = new_code()
        digest = code_hash(code)
        taken = session.scalar(
            select(WorkshopSession.id).where(WorkshopSession.code_sha256 == digest)
        )
        if taken is None:
            return code, digest


def open_session(assessment: Assessment, user: User, title: str) -> tuple[WorkshopSession, str]:
    """Open a session on ``assessment``; returns it and its join code (shown, never stored)."""
    if not assessment.is_draft:
        raise assessments.AssessmentClosed(assessment.id)
    title = " ".join(title.split())
    if not title:
        raise WorkshopError("Give the session a name.")
    if len(title) > TITLE_MAX_LENGTH:
        raise WorkshopError(f"The name must be {TITLE_MAX_LENGTH} characters or fewer.")
    session = db.session()
    code, digest = _unique_code(session)
    workshop = WorkshopSession(
        assessment_id=assessment.id,
        title=title,
        code_sha256=digest,
        status="open",
        opened_sections=[],
        shown_sections=[],
        divergence_threshold=DEFAULT_THRESHOLD,
        facilitator_id=user.id,
        created_at=db.utcnow(),
    )
    session.add(workshop)
    session.commit()
    record_event("workshop.opened", workshop, by=user.id, assessment=assessment.id)
    return workshop, code


def renew_code(workshop: WorkshopSession, user: User) -> str:
    """A new join code for an open session; the old one stops working at once."""
    require_open(workshop)
    session = db.session()
    code, digest = _unique_code(session)
    workshop.code_sha256 = digest
    session.commit()
    record_event("workshop.code_renewed", workshop, by=user.id)
    return code


def code_matches(workshop: WorkshopSession, code: str | None) -> bool:
    """Whether ``code`` is the session's current join code."""
    return bool(code) and secrets.compare_digest(code_hash(code or ""), workshop.code_sha256)


def require_open(workshop: WorkshopSession) -> None:
    """Refuse a change to a closed session."""
    if not workshop.is_open:
        raise SessionClosed("This workshop session has closed.")


def set_sections(workshop: WorkshopSession, user: User, opened: Iterable[str]) -> list[str]:
    """Open exactly the sections ``opened`` (keys ``questionnaire_id/section_id``) to answers.

    Unknown keys are ignored. A section once opened stays on the live view after it is closed.
    """
    require_open(workshop)
    known = [section_key(q.id, s.id) for q, s in all_sections(workshop.assessment)]
    wanted = set(opened)
    keys = [k for k in known if k in wanted]
    workshop.opened_sections = keys
    workshop.shown_sections = [k for k in known if k in set(workshop.shown_sections) | wanted]
    db.session().commit()
    record_event("workshop.sections_changed", workshop, by=user.id, opened=keys)
    return keys


def set_threshold(workshop: WorkshopSession, user: User, threshold: int) -> None:
    """Flag a level question as divergent when its answers are ``threshold`` levels apart."""
    if not 1 <= threshold <= 4:
        raise WorkshopError("Choose a number of levels from 1 to 4.")
    workshop.divergence_threshold = threshold
    db.session().commit()
    record_event("workshop.threshold_changed", workshop, by=user.id, threshold=threshold)


def close_session(workshop: WorkshopSession, user: User) -> None:
    """Close the session: the code stops working and no answer changes; everything is kept."""
    if not workshop.is_open:
        return
    workshop.status = "closed"
    workshop.opened_sections = []
    workshop.closed_at = db.utcnow()
    db.session().commit()
    record_event("workshop.closed", workshop, by=user.id)


# ---- participants ------------------------------------------------------------------------


@dataclass(frozen=True)
class Joined:
    """A participant who has just joined, and the token their device keeps."""

    workshop: WorkshopSession
    participant: Participant
    token: str


def find_open(code: str) -> WorkshopSession | None:
    """The open session whose join code is ``code``, or None."""
    normalised = normalise_code(code)
    if len(normalised) != CODE_LENGTH or set(normalised) - set(CODE_ALPHABET):
        return None
    return db.session().scalar(
        select(WorkshopSession).where(
            WorkshopSession.code_sha256 == code_hash(normalised),
            WorkshopSession.status == "open",
        )
    )


def clean_name(display_name: str) -> str:
    """A display name as stored (the one rule for names, :mod:`assess.names`)."""
    return names.clean(display_name)


def join(code: str, display_name: str) -> Joined:
    """Join the open session with ``code`` as ``display_name``.

    Raises :class:`JoinRefused` when no open session has the code, :class:`WorkshopError` for a
    missing or too long name.
    """
    workshop = find_open(code)
    if workshop is None:
        raise JoinRefused("That code does not match an open workshop. Check it and try again.")
    name = clean_name(display_name)
    if not name:
        raise WorkshopError("Enter the name to show the facilitator.")
    if len(name) > NAME_MAX_LENGTH:
        raise WorkshopError(f"The name must be {NAME_MAX_LENGTH} characters or fewer.")
    refused = names.problem(name)
    if refused is not None:
        raise WorkshopError(refused)
    token, digest = new_token()
    participant = Participant(
        session_id=workshop.id, display_name=name, token_sha256=digest, joined_at=db.utcnow()
    )
    session = db.session()
    session.add(participant)
    session.commit()
    record_event("workshop.joined", workshop, participant=participant.id)
    return Joined(workshop, participant, token)


#: A participant by session and device token, with their workshop, its assessment and the
#: organisation (whose availability every participant request checks): one query, built once.
_PARTICIPANT_BY_TOKEN = (
    select(Participant)
    .options(
        joinedload(Participant.workshop)
        .joinedload(WorkshopSession.assessment)
        .joinedload(Assessment.organisation)
    )
    .where(
        Participant.token_sha256 == bindparam("token_sha256"),
        Participant.session_id == bindparam("session_id"),
    )
)


def participant_for(session_id: int, token: str | None) -> Participant | None:
    """The participant of session ``session_id`` whose device holds ``token``, or None."""
    if not token:
        return None
    return db.session().scalar(
        _PARTICIPANT_BY_TOKEN, {"token_sha256": token_hash(token), "session_id": session_id}
    )


def participant_count(workshop: WorkshopSession) -> int:
    """How many people have joined."""
    return (
        db.session().scalar(
            select(func.count(Participant.id)).where(Participant.session_id == workshop.id)
        )
        or 0
    )


def participant_names(workshop: WorkshopSession) -> list[str]:
    """The display names of those who joined, in the order they joined (facilitators only)."""
    query = (
        select(Participant.display_name)
        .where(Participant.session_id == workshop.id)
        .order_by(Participant.joined_at, Participant.id)
    )
    return list(db.session().scalars(query))


# ---- the live spread -----------------------------------------------------------------------


@dataclass(frozen=True)
class LiveQuestion:
    """One question's spread of individual answers, and whether the room has settled it."""

    questionnaire: Questionnaire
    section: Section
    question: Question
    aggregate: QuestionAggregate
    divergent: bool
    #: How many participants gave any answer (including "not applicable" and "don't know").
    responses: int
    consensus: ConsensusRecord | None
    #: Every individual answer (without notes), for the default agreed answer.
    answers: tuple[Answer, ...]

    @property
    def proposal(self) -> Answer | None:
        """The engine's default agreed answer (None for text and register questions)."""
        return consensus_answer(self.question, list(self.answers))

    @property
    def no_default(self) -> str | None:
        """Why there is no default agreed answer (a tie, a written question, no answers)."""
        return no_default_reason(self.question, list(self.answers))

    @property
    def key(self) -> str:
        """``questionnaire_id/question_id``: unique in a session."""
        return f"{self.questionnaire.id}/{self.question.id}"


@dataclass(frozen=True)
class LiveSummary:
    """The whole session at one moment."""

    workshop: WorkshopSession
    participants: int
    questions: tuple[LiveQuestion, ...]
    answers: int
    generated_at: datetime = field(default_factory=db.utcnow)

    @property
    def divergent(self) -> tuple[LiveQuestion, ...]:
        """The questions whose answers diverge."""
        return tuple(q for q in self.questions if q.divergent)

    def sorted(self, divergent_first: bool) -> tuple[LiveQuestion, ...]:
        """The questions in questionnaire order, or divergent ones first (otherwise stable)."""
        if not divergent_first:
            return self.questions
        return tuple(sorted(self.questions, key=lambda q: not q.divergent))


def is_divergent(question: Question, summary: QuestionAggregate, threshold: int) -> bool:
    """Whether the room disagrees: level answers ``threshold`` or more levels apart, or (single
    and multiple choice) no option chosen by more than 60% of those who answered."""
    if isinstance(question, LevelQuestion):
        return summary.range is not None and summary.range >= threshold
    if isinstance(question, SingleQuestion | MultipleQuestion):
        if not summary.answered:
            return False
        top = max((c.count for c in summary.counts), default=0)
        return Fraction(top, summary.answered) <= MAJORITY_SHARE
    return False


def _answers_by_question(workshop: WorkshopSession) -> dict[tuple[str, str], list[Answer]]:
    """Every individual answer of the session, by question, for the aggregates only.

    The database counts identical answers (the same status and value) so that a room of 200 is a
    few hundred rows, not thousands; notes are left out (the aggregates do not read them).
    """
    value_text = cast(ParticipantAnswer.value, Text)
    rows = db.session().execute(
        select(
            ParticipantAnswer.questionnaire_id,
            ParticipantAnswer.question_id,
            ParticipantAnswer.status,
            value_text.label("value"),
            func.count().label("n"),
        )
        .where(ParticipantAnswer.session_id == workshop.id)
        .group_by(
            ParticipantAnswer.questionnaire_id,
            ParticipantAnswer.question_id,
            ParticipantAnswer.status,
            value_text,
        )
    )
    found: dict[tuple[str, str], list[Answer]] = {}
    for row in rows:
        value = None if row.value in (None, "null") else json.loads(row.value)
        answer = Answer(row.question_id, Status(row.status), Answer.value_from_json(value))
        found.setdefault((row.questionnaire_id, row.question_id), []).extend([answer] * row.n)
    return found


def consensus_records(workshop: WorkshopSession) -> dict[tuple[str, str], ConsensusRecord]:
    """What the room agreed, by (questionnaire id, question id)."""
    query = select(ConsensusRecord).where(ConsensusRecord.session_id == workshop.id)
    return {(r.questionnaire_id, r.question_id): r for r in db.session().scalars(query)}


def live_summary(workshop: WorkshopSession) -> LiveSummary:
    """Per question of every section opened so far: how many answered, the distribution,
    median and range (levels) or counts per option, and whether the room diverges.

    Reads only the database, so every worker gives the same answer.
    """
    answers = _answers_by_question(workshop)
    agreed = consensus_records(workshop)
    items = []
    for q, s in sections(workshop.assessment, workshop.shown_sections):
        for question in s.questions:
            given: Sequence[Answer] = answers.get((q.id, question.id), [])
            summary = aggregate_question(question, list(given))
            items.append(
                LiveQuestion(
                    questionnaire=q,
                    section=s,
                    question=question,
                    aggregate=summary,
                    divergent=is_divergent(question, summary, workshop.divergence_threshold),
                    responses=len(given),
                    consensus=agreed.get((q.id, question.id)),
                    answers=tuple(given),
                )
            )
    return LiveSummary(
        workshop=workshop,
        participants=participant_count(workshop),
        questions=tuple(items),
        answers=sum(len(v) for v in answers.values()),
    )


def live_question(
    workshop: WorkshopSession, questionnaire_id: str, question_id: str
) -> LiveQuestion:
    """One question of :func:`live_summary`; KeyError when it is not on the live view."""
    for item in live_summary(workshop).questions:
        if item.questionnaire.id == questionnaire_id and item.question.id == question_id:
            return item
    raise KeyError(question_id)


def choose_models(
    workshop: WorkshopSession, user: User, model_ids: list[str], reason: str | None
) -> list[str]:
    """Record the model (or blend) the room chose, then open the adoption questionnaire's
    sections to answers. Returns the sections now open.

    Raises :class:`assess.services.assessments.ChoiceError` when the choice is not valid (no
    model, or no reason for differing from the recommendation).
    """
    require_open(workshop)
    assessment = workshop.assessment
    assessments.choose_models(assessment, user, model_ids, reason)
    adoption = questionnaires_of(assessment)[2]
    opened = [
        *workshop.opened_sections,
        *(section_key(adoption.id, s.id) for s in adoption.sections),
    ]
    record_event("workshop.model_chosen", workshop, by=user.id, models=list(model_ids))
    return set_sections(workshop, user, opened)


# ---- participation -------------------------------------------------------------------------


def participation(assessment: Assessment, locale: str = "en") -> list[dict[str, Any]]:
    """Each session on ``assessment`` as plain data: participants, answers, the divergent
    questions (their text in ``locale``) and how each was resolved (for the results page and the
    report)."""
    found = []
    for workshop in reversed(for_assessment(assessment)):
        summary = live_summary(workshop)
        divergent = []
        for item in summary.questions:
            record = item.consensus
            if not (item.divergent or (record is not None and record.was_divergent)):
                continue
            resolution = "open" if record is None else record.how
            divergent.append(
                {
                    "questionnaire_id": item.questionnaire.id,
                    "question_id": item.question.id,
                    "text": item.question.text.get(locale),
                    "responses": item.responses,
                    "range": item.aggregate.range,
                    "most_common_share": item.aggregate.most_common_share,
                    "resolution": resolution,
                    "note": record.note if record else "",
                }
            )
        agreed = [i for i in summary.questions if i.consensus is not None]
        found.append(
            {
                "id": workshop.id,
                "title": workshop.title,
                "status": workshop.status,
                "opened_at": workshop.created_at,
                "closed_at": workshop.closed_at,
                "participants": summary.participants,
                "answers": summary.answers,
                "questions": len(summary.questions),
                "agreed": sum(1 for i in agreed if i.consensus and i.consensus.how == "agreed"),
                "aggregate": sum(
                    1 for i in agreed if i.consensus and i.consensus.how == "aggregate"
                ),
                "divergent": divergent,
            }
        )
    return found


# ---- retention -----------------------------------------------------------------------------


def purge_individual_answers(older_than: datetime) -> int:
    """For sessions closed before ``older_than``: delete every individual answer and replace
    display names with "Participant n". What the room agreed is kept. Returns the number of
    answers deleted. (For the retention job of the audit and privacy work.)"""
    session = db.session()
    closed = list(
        session.scalars(
            select(WorkshopSession).where(
                WorkshopSession.status == "closed", WorkshopSession.closed_at < older_than
            )
        )
    )
    deleted = 0
    for workshop in closed:
        result = session.execute(
            delete(ParticipantAnswer).where(ParticipantAnswer.session_id == workshop.id)
        )
        deleted += result.rowcount or 0  # type: ignore[attr-defined]
        ids = session.scalars(
            select(Participant.id)
            .where(Participant.session_id == workshop.id)
            .order_by(Participant.id)
        ).all()
        for n, participant_id in enumerate(ids, start=1):
            audit.pseudonymise_external(participant_key(participant_id))
            session.execute(
                update(Participant)
                .where(Participant.id == participant_id)
                .values(display_name=PSEUDONYM.format(n=n))
            )
    session.commit()
    for workshop in closed:
        record_event("workshop.purged", workshop)
    return deleted
