"""Starting assessments, saving answers, recording the chosen model, and scoring.

This is the one place that changes assessments and their answers; views and the workshop code call
these functions. A page of answers is saved whole or not at all: if any answer on it is invalid,
nothing from it is stored. A save based on an older revision of an answer than the one stored is
not applied; it comes back as a :class:`Conflict` so the person can see both and choose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from assess import audit, db, pagination
from assess.models.accounts import User
from assess.models.assessments import AnswerRecord, Assessment, Progress, TargetOverride
from assess.questionnaire.answers import Answer, Status
from assess.questionnaire.loader import QuestionnaireSet
from assess.questionnaire.schema import Questionnaire
from assess.questionnaire.validation import Message, check_answer, keep_criteria
from assess.scoring import AssessmentResult, score_assessment
from assess.services import questionnaires as questionnaire_service

#: The longest reason for choosing differently from the recommendation (online or in a workshop).
REASON_MAX_LENGTH = 5000

#: The order in which a body works through the questionnaires.
KINDS = ("definition", "model-fit", "adoption")


class AssessmentClosed(Exception):
    """The assessment is finalised or superseded: its answers can no longer change."""


class ChoiceError(ValueError):
    """The model choice cannot be recorded as given (the message says why, for people)."""


@dataclass(frozen=True)
class AssessmentQuestionnaires:
    """The stored questionnaire versions an assessment is read against."""

    definition: Questionnaire
    model_fit: Questionnaire
    adoption: Questionnaire

    def __iter__(self) -> Iterable[Questionnaire]:
        return iter((self.definition, self.model_fit, self.adoption))

    def by_id(self, questionnaire_id: str) -> Questionnaire:
        """The questionnaire ``questionnaire_id``; KeyError if the assessment has no such one."""
        for questionnaire in (self.definition, self.model_fit, self.adoption):
            if questionnaire.id == questionnaire_id:
                return questionnaire
        raise KeyError(questionnaire_id)


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as stored, with who last changed it and when."""

    answer: Answer
    revision: int
    updated_by: str | None
    updated_at: datetime
    source: str


@dataclass(frozen=True)
class Submission:
    """One answer as a person submitted it, with the revision their page was showing."""

    answer: Answer | None
    #: The stored revision the person started from; None when there was no answer yet.
    base_revision: int | None = None

    @property
    def clears(self) -> bool:
        """The person emptied the question: remove the stored answer."""
        return self.answer is None


@dataclass(frozen=True)
class Conflict:
    """A colleague changed the answer after this person's page was loaded."""

    question_id: str
    yours: Answer | None
    theirs: StoredAnswer | None


@dataclass(frozen=True)
class SaveOutcome:
    """What happened to a page of answers."""

    saved: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    #: Problems by question id; when there are any, nothing was stored.
    errors: Mapping[str, list[str]] = field(default_factory=dict)
    #: Every answer of the questionnaire before and after this save, as the save's own transaction
    #: read and wrote them (so a page needs no second query to show what is stored now).
    previous: Mapping[str, Answer] = field(default_factory=dict)
    answers: Mapping[str, Answer] = field(default_factory=dict)
    #: The stored revision and time of change of each submitted question that is stored now.
    revisions: Mapping[str, tuple[int, datetime]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Everything submitted is now stored (no errors, no conflicts)."""
        return not self.errors and not self.conflicts


# ---- reading -------------------------------------------------------------------------------


def get(assessment_id: int) -> Assessment | None:
    """The assessment ``assessment_id``, or None."""
    return db.session().get(Assessment, assessment_id)


def for_organisation(organisation_id: int) -> list[Assessment]:
    """The organisation's assessments, newest first."""
    query = (
        select(Assessment)
        .where(Assessment.organisation_id == organisation_id)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
    )
    return list(db.session().scalars(query))


#: Assessments on one page of an organisation's list.
PER_PAGE = 50


def organisation_page(
    organisation_id: int, *, after: str | None = None, before: str | None = None
) -> pagination.Window[Assessment]:
    """A page of the organisation's assessments, newest first; keyset on (created_at, id).
    Raises :class:`pagination.BadCursor`."""
    return pagination.page(
        select(Assessment).where(Assessment.organisation_id == organisation_id),
        [(Assessment.created_at, pagination.DESC), (Assessment.id, pagination.DESC)],
        after=after,
        before=before,
        size=PER_PAGE,
    )


def questionnaires_of(assessment: Assessment) -> AssessmentQuestionnaires:
    """The questionnaire versions ``assessment`` started with (never the files as they are now)."""
    return AssessmentQuestionnaires(
        definition=questionnaire_service.by_version_id(assessment.definition_version_id),
        model_fit=questionnaire_service.by_version_id(assessment.model_fit_version_id),
        adoption=questionnaire_service.by_version_id(assessment.adoption_version_id),
    )


def _answer_of(record: Any) -> Answer:
    """The answer held by ``record`` (an AnswerRecord, or a row of its columns)."""
    return Answer(
        question_id=record.question_id,
        status=Status(record.status),
        value=Answer.value_from_json(record.value),
        note=record.note,
        criteria=Answer.criteria_from_json(record.criteria),
    )


def _stored_from_row(row: Any, answer: Answer) -> StoredAnswer:
    """A stored answer from a row read for saving (its author is not needed there)."""
    return StoredAnswer(
        answer=answer, revision=row.revision, updated_by=None, updated_at=row.updated_at, source=""
    )


def _to_stored(record: AnswerRecord) -> StoredAnswer:
    return StoredAnswer(
        answer=_answer_of(record),
        revision=record.revision,
        updated_by=record.updated_by.name if record.updated_by else None,
        updated_at=record.updated_at,
        source=record.source,
    )


def stored_answers(assessment: Assessment, questionnaire_id: str) -> dict[str, StoredAnswer]:
    """The stored answers of one questionnaire of ``assessment``, by question id.

    An answer whose author's account was erased names them by their pseudonym, from the trail.
    """
    # The authors come in the same query: not one look-up per person who answered.
    query = (
        select(AnswerRecord)
        .options(joinedload(AnswerRecord.updated_by))
        .where(
            AnswerRecord.assessment_id == assessment.id,
            AnswerRecord.questionnaire_id == questionnaire_id,
        )
    )
    stored = {r.question_id: _to_stored(r) for r in db.session().scalars(query)}
    orphans = [qid for qid, s in stored.items() if s.updated_by is None]
    for qid, name in audit.last_authors(assessment.id, questionnaire_id, orphans).items():
        stored[qid] = replace(stored[qid], updated_by=name)
    return stored


def answers(assessment: Assessment, questionnaire_id: str) -> dict[str, Answer]:
    """Just the answers (no revision or author), by question id: what scoring reads.

    One query of the answers' own columns: no authors, no objects in the session.
    """
    rows = db.session().execute(
        select(
            AnswerRecord.question_id,
            AnswerRecord.status,
            AnswerRecord.value,
            AnswerRecord.note,
            AnswerRecord.criteria,
        ).where(
            AnswerRecord.assessment_id == assessment.id,
            AnswerRecord.questionnaire_id == questionnaire_id,
        )
    )
    return {row.question_id: _answer_of(row) for row in rows}


# ---- changing ------------------------------------------------------------------------------


def start(
    organisation_id: int,
    user: User,
    title: str,
    qset: QuestionnaireSet,
    scope: str | None = None,
    *,
    started_at: datetime | None = None,
) -> Assessment:
    """Start an assessment on the current questionnaire versions (stored on first use).

    ``scope`` names the service or part of the body it covers; None or empty: the whole body.
    ``started_at`` dates it earlier than now (the demo's last-year assessment); the audit event
    is dated now, as every event is.
    """
    rows = questionnaire_service.ensure_stored(qset)
    assessment = Assessment(
        organisation_id=organisation_id,
        title=title.strip(),
        scope=" ".join((scope or "").split()) or None,
        status="draft",
        definition_version_id=rows[qset.definition.id].id,
        questionnaire_pack_id=qset.pack_id,
        model_fit_version_id=rows[qset.model_fit.id].id,
        adoption_version_id=rows[qset.adoption.id].id,
        created_by_id=user.id,
        created_at=started_at or db.utcnow(),
        updated_at=started_at or db.utcnow(),
    )
    session = db.session()
    session.add(assessment)
    session.flush()
    audit.record(
        audit.ASSESSMENT_STARTED,
        organisation_id=organisation_id,
        actor=user,
        object_type="assessment",
        object_id=assessment.id,
        new={
            "title": assessment.title,
            "scope": assessment.scope,
            "questionnaires": {q.id: q.version for q in qset},
            **({"questionnaire_pack": qset.pack_id} if qset.pack_id else {}),
        },
    )
    session.commit()
    return assessment


def _same(a: Answer | None, b: Answer | None) -> bool:
    return a == b


def _audit_value(answer: Answer | None) -> dict[str, object] | None:
    """An answer as the audit trail keeps it."""
    if answer is None:
        return None
    value: dict[str, object] = {
        "status": answer.status.value,
        "value": answer.value_to_json(),
        "note": answer.note,
    }
    if answer.criteria:
        value["criteria"] = answer.criteria_to_json()
    return value


def save_answers(
    assessment: Assessment,
    user: User | None,
    questionnaire_id: str,
    submissions: Mapping[str, Submission],
    *,
    source: str = "online",
    detail: Mapping[str, Any] | None = None,
) -> SaveOutcome:
    """Store a page of answers, all or nothing, refusing saves based on an older revision.

    ``detail`` (JSON-able) is kept with each change's audit event, e.g. why it was made.

    Every submission is checked against its question first; if any is invalid, nothing is stored
    and the problems come back by question id. Otherwise each answer is written with a conditional
    update on the revision it was based on, so two people (or two workers) saving at once can never
    overwrite each other silently: the later save comes back as a conflict instead. Two first saves
    of one question at the same moment are the same case: the page that loses the race to insert
    is read and written again, and its answer comes back as a conflict with the one stored.
    """
    if not assessment.is_draft:
        raise AssessmentClosed(assessment.id)
    questionnaire = questionnaires_of(assessment).by_id(questionnaire_id)
    submissions, errors = _checked(questionnaire, submissions)
    if errors:
        return SaveOutcome(errors=errors)
    for attempt in range(1, _SAVE_ATTEMPTS + 1):
        try:
            return _write_answers(assessment, user, questionnaire_id, submissions, source, detail)
        except (IntegrityError, OperationalError) as error:
            # Two first saves of one question at the same moment: the other page's insert landed
            # between our read and our commit (or the database broke a deadlock between them), and
            # nothing of this page was stored. Read again: the answer the other page stored now
            # makes this one an ordinary conflict.
            db.session().rollback()
            if attempt == _SAVE_ATTEMPTS or not db.lost_race(error):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


#: How often a page is read and written again after losing a race to insert a first answer. Each
#: lost race leaves a stored answer behind, so a second attempt finds it; the third is a margin.
_SAVE_ATTEMPTS = 3


def _checked(
    questionnaire: Questionnaire, submissions: Mapping[str, Submission]
) -> tuple[dict[str, Submission], dict[str, list[str]]]:
    """``submissions`` as they would be stored, and their problems by question id."""
    errors: dict[str, list[str]] = {}
    submissions = dict(submissions)
    for question_id, submission in submissions.items():
        try:
            question = questionnaire.question(question_id)
        except KeyError:
            errors[question_id] = [Message("This question is not part of the questionnaire.")]
            continue
        if submission.answer is not None:
            # Confirmations of levels above the one chosen are not part of the answer.
            submission = replace(submission, answer=keep_criteria(question, submission.answer))
            submissions[question_id] = submission
            problems = check_answer(question, submission.answer)
            if problems:
                errors[question_id] = problems
    return submissions, errors


@dataclass(frozen=True)
class BatchOutcome:
    """What happened to answers of several questionnaires saved together (see
    :func:`save_batch`): when there are errors or conflicts, nothing was stored."""

    #: (questionnaire id, question id) of every answer stored or changed.
    saved: tuple[tuple[str, str], ...] = ()
    unchanged: tuple[tuple[str, str], ...] = ()
    #: Answers a colleague changed since the revision each submission names.
    conflicts: tuple[tuple[str, str], ...] = ()
    errors: Mapping[tuple[str, str], list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Everything submitted is now stored."""
        return not self.errors and not self.conflicts


def save_batch(
    assessment: Assessment,
    user: User | None,
    pages: Mapping[str, Mapping[str, Submission]],
    *,
    source: str = "online",
    detail: Mapping[str, Any] | None = None,
    event: Mapping[str, Any] | None = None,
) -> BatchOutcome:
    """Store answers to several questionnaires (``pages``: questionnaire id -> submissions) in
    one transaction: every one or none.

    Each answer is checked and written exactly as :func:`save_answers` does it (same checks,
    revisions and audit events); a single invalid answer, or one whose stored revision is no
    longer the one its submission names, leaves everything as it was. ``event``, when given, is
    the keyword arguments of one more :func:`audit.record` call committed with the answers (what
    brought them in, such as an imported file).
    """
    if not assessment.is_draft:
        raise AssessmentClosed(assessment.id)
    qset = questionnaires_of(assessment)
    checked: dict[str, dict[str, Submission]] = {}
    errors: dict[tuple[str, str], list[str]] = {}
    for questionnaire_id, submissions in pages.items():
        try:
            questionnaire = qset.by_id(questionnaire_id)
        except KeyError:
            for question_id in submissions:
                errors[(questionnaire_id, question_id)] = [
                    Message("This questionnaire is not part of the assessment.")
                ]
            continue
        checked[questionnaire_id], page_errors = _checked(questionnaire, submissions)
        errors.update({(questionnaire_id, qid): p for qid, p in page_errors.items()})
    if errors:
        return BatchOutcome(errors=errors)
    session = db.session()
    for attempt in range(1, _SAVE_ATTEMPTS + 1):
        try:
            saved: list[tuple[str, str]] = []
            unchanged: list[tuple[str, str]] = []
            conflicts: list[tuple[str, str]] = []
            for questionnaire_id, submissions in checked.items():
                outcome = _write_answers_in(
                    session,
                    assessment,
                    user,
                    questionnaire_id,
                    submissions,
                    source,
                    detail,
                    commit=False,
                )
                saved += [(questionnaire_id, q) for q in outcome.saved]
                unchanged += [(questionnaire_id, q) for q in outcome.unchanged]
                conflicts += [(questionnaire_id, c.question_id) for c in outcome.conflicts]
            if conflicts:
                session.rollback()
                return BatchOutcome(conflicts=tuple(conflicts))
            if event is not None:
                audit.record(**event)
            session.commit()
            return BatchOutcome(saved=tuple(saved), unchanged=tuple(unchanged))
        except (IntegrityError, OperationalError) as error:
            session.rollback()
            if attempt == _SAVE_ATTEMPTS or not db.lost_race(error):
                raise
        except Exception:
            session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _write_answers(
    assessment: Assessment,
    user: User | None,
    questionnaire_id: str,
    submissions: Mapping[str, Submission],
    source: str,
    detail: Mapping[str, Any] | None = None,
) -> SaveOutcome:
    """Write a checked page of answers in one transaction (see :func:`save_answers`)."""
    session = db.session()
    try:
        return _write_answers_in(
            session, assessment, user, questionnaire_id, submissions, source, detail
        )
    except Exception:
        session.rollback()
        raise


# The save's statements, built once (every autosave runs them; building a statement costs
# about as much as running it).
#: Every answer of one questionnaire of an assessment, as plain rows.
_ANSWERS_FOR_SAVE = select(
    AnswerRecord.id,
    AnswerRecord.question_id,
    AnswerRecord.status,
    AnswerRecord.value,
    AnswerRecord.note,
    AnswerRecord.criteria,
    AnswerRecord.revision,
    AnswerRecord.updated_at,
).where(
    AnswerRecord.assessment_id == bindparam("assessment_id"),
    AnswerRecord.questionnaire_id == bindparam("questionnaire_id"),
)
#: Which stored answer, at which revision, a change was based on: no row matches once another
#: save has landed.
_BASED_ON = (AnswerRecord.id == bindparam("answer_id")) & (
    AnswerRecord.revision == bindparam("based_on")
)
_UPDATE_ANSWER = (
    update(AnswerRecord)
    .where(_BASED_ON)
    .values(
        status=bindparam("status"),
        value=bindparam("value"),
        note=bindparam("note"),
        criteria=bindparam("criteria"),
        revision=bindparam("revision"),
        source=bindparam("source"),
        updated_by_id=bindparam("updated_by_id"),
        updated_at=bindparam("updated_at"),
    )
)
_DELETE_ANSWER = delete(AnswerRecord).where(_BASED_ON)
_TOUCH_ASSESSMENT = (
    update(Assessment)
    .where(Assessment.id == bindparam("assessment_id"))
    .values(updated_at=bindparam("updated_at"))
)


def _write_answers_in(
    session: Session,
    assessment: Assessment,
    user: User | None,
    questionnaire_id: str,
    submissions: Mapping[str, Submission],
    source: str,
    detail: Mapping[str, Any] | None = None,
    *,
    commit: bool = True,
) -> SaveOutcome:
    """Write checked ``submissions`` in ``session``'s transaction; commit it unless ``commit``
    is False (the caller then commits or rolls back, and conflicts come without the colleague's
    answer)."""
    if not assessment.is_draft:
        raise AssessmentClosed(assessment.id)
    # Take the assessment's row first on PostgreSQL (SQLite has one writer anyway). The answer
    # triggers hold it FOR SHARE and the save then updates it: two pages saving at once in two
    # processes would each hold the share and wait for the other's for ever (a deadlock).
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(Assessment.id)
            .where(Assessment.id == assessment.id)
            .with_for_update(key_share=True)
        )
    # Every answer of the questionnaire, in one query: the submitted ones are checked and written,
    # and all of them tell the page what is stored after the save without reading it again.
    # Read as plain rows, not as ORM objects: a questionnaire has dozens of answers.
    current = {
        r.question_id: r
        for r in session.execute(
            _ANSWERS_FOR_SAVE,
            {"assessment_id": assessment.id, "questionnaire_id": questionnaire_id},
        )
    }
    previous = {qid: _answer_of(row) for qid, row in current.items()}
    after = dict(previous)
    revisions: dict[str, tuple[int, datetime]] = {}
    now = db.utcnow()
    # The person's reference is looked up before anything is written, so that no query flushes
    # half a page early (a racing insert must fail at the commit below, not in the loop).
    actor = audit.person_ref_for_user(user) if user else None
    saved: list[str] = []
    unchanged: list[str] = []
    conflicts: list[Conflict] = []
    # One order for every writer (by question id), so two pages saving the same questions take
    # their locks in the same order and wait for each other rather than deadlock.
    for question_id, submission in sorted(submissions.items()):
        record = current.get(question_id)
        if _same(previous.get(question_id), submission.answer):
            unchanged.append(question_id)
            if record is not None:
                revisions[question_id] = (record.revision, record.updated_at)
            continue
        stored_revision = record.revision if record else None
        if submission.base_revision != stored_revision:
            conflicts.append(Conflict(question_id, submission.answer, None))
            continue
        stored = _stored_from_row(record, previous[question_id]) if record else None
        if record is None:
            assert submission.answer is not None
            session.add(
                AnswerRecord(
                    assessment_id=assessment.id,
                    questionnaire_id=questionnaire_id,
                    question_id=question_id,
                    status=submission.answer.status.value,
                    value=submission.answer.value_to_json(),
                    note=submission.answer.note,
                    criteria=submission.answer.criteria_to_json(),
                    revision=1,
                    source=source,
                    updated_by_id=user.id if user else None,
                    updated_at=now,
                )
            )
            saved.append(question_id)
            after[question_id] = submission.answer
            revisions[question_id] = (1, now)
            _record_answer(
                assessment, actor, questionnaire_id, question_id, None, submission, source, detail
            )
            continue
        # Plain statements on the transaction's connection: the row was read as columns, so
        # there is no object in the session to keep in step. Each is guarded by the revision read.
        connection = session.connection()
        guard = {"answer_id": record.id, "based_on": record.revision}
        if submission.answer is None:
            result = connection.execute(_DELETE_ANSWER, guard)
        else:
            result = connection.execute(
                _UPDATE_ANSWER,
                {
                    **guard,
                    "status": submission.answer.status.value,
                    "value": submission.answer.value_to_json(),
                    "note": submission.answer.note,
                    "criteria": submission.answer.criteria_to_json(),
                    "revision": record.revision + 1,
                    "source": source,
                    "updated_by_id": user.id if user else None,
                    "updated_at": now,
                },
            )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            saved.append(question_id)
            if submission.answer is None:
                after.pop(question_id, None)
            else:
                after[question_id] = submission.answer
                revisions[question_id] = (record.revision + 1, now)
            _record_answer(
                assessment, actor, questionnaire_id, question_id, stored, submission, source, detail
            )
        else:  # another save landed between our read and our write
            conflicts.append(Conflict(question_id, submission.answer, None))
    if saved:
        # One UPDATE, without the unit of work; the object in hand gets the value it now holds.
        session.connection().execute(
            _TOUCH_ASSESSMENT, {"assessment_id": assessment.id, "updated_at": now}
        )
        set_committed_value(assessment, "updated_at", now)
    if not commit:
        return SaveOutcome(
            tuple(saved),
            tuple(unchanged),
            tuple(conflicts),
            previous=previous,
            answers=after,
            revisions=revisions,
        )
    session.commit()
    if any(c.theirs is None for c in conflicts):
        # Read what is stored (once, after the commit) so the person sees the colleague's
        # answer, who gave it and when (and the page what is stored now).
        latest = stored_answers(assessment, questionnaire_id)
        conflicts = [
            Conflict(c.question_id, c.yours, latest.get(c.question_id)) if c.theirs is None else c
            for c in conflicts
        ]
        after = {qid: s.answer for qid, s in latest.items()}
    return SaveOutcome(
        tuple(saved),
        tuple(unchanged),
        tuple(conflicts),
        previous=previous,
        answers=after,
        revisions=revisions,
    )


def _record_answer(
    assessment: Assessment,
    actor: str | None,
    questionnaire_id: str,
    question_id: str,
    stored: StoredAnswer | None,
    submission: Submission,
    source: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Add an answer's change, its old and new value, to the audit trail (committed with it)."""
    audit.record(
        audit.ANSWER_CLEARED if submission.clears else audit.ANSWER_CHANGED,
        organisation_id=assessment.organisation_id,
        actor=actor,
        object_type="assessment",
        object_id=assessment.id,
        questionnaire_id=questionnaire_id,
        question_id=question_id,
        old=_audit_value(stored.answer if stored else None),
        new=_audit_value(submission.answer),
        source=source,
        detail=dict(detail) if detail else None,
    )


def record_progress(user: User, assessment: Assessment, step: str, section_id: str | None) -> None:
    """Remember where ``user`` is in ``assessment``, so they resume exactly there."""
    session = db.session()
    progress = session.get(Progress, (user.id, assessment.id))
    if progress is None:
        progress = Progress(user_id=user.id, assessment_id=assessment.id, step=step)
        session.add(progress)
    progress.step = step
    progress.section_id = section_id
    progress.updated_at = db.utcnow()
    session.commit()


def resume_point(user: User, assessment: Assessment) -> tuple[str, str | None] | None:
    """The step and section where ``user`` last was in ``assessment``, or None."""
    progress = db.session().get(Progress, (user.id, assessment.id))
    return (progress.step, progress.section_id) if progress else None


def choose_models(
    assessment: Assessment, user: User, model_ids: list[str], reason: str | None
) -> None:
    """Record the model (or blend) the body chose, and why when it differs from the advice.

    Raises :class:`ChoiceError` with a message for people when the choice is not valid.
    """
    if not assessment.is_draft:
        raise AssessmentClosed(assessment.id)
    qset = questionnaires_of(assessment)
    known = qset.model_fit.model_ids
    chosen = [m for m in known if m in set(model_ids)]
    if not model_ids:
        raise ChoiceError("Select the model the organisation will work to.")
    if len(chosen) != len(set(model_ids)):
        raise ChoiceError("Choose from the models listed.")
    result = score(assessment)
    recommended = list(result.fit.recommendation.model_ids) if result.fit else []
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ChoiceError(
            Message(
                "The reason is %(length)d characters long. Shorten it to %(most)d characters or "
                "fewer.",
                length=len(reason),
                most=REASON_MAX_LENGTH,
            )
        )
    if recommended and set(chosen) != set(recommended) and not reason:
        raise ChoiceError(
            "Enter why you chose differently from the recommendation: it goes into the report."
        )
    audit.record(
        audit.MODEL_CHOSEN,
        organisation_id=assessment.organisation_id,
        actor=user,
        object_type="assessment",
        object_id=assessment.id,
        old={"models": assessment.chosen_models, "reason": assessment.choice_reason}
        if assessment.chosen_models is not None
        else None,
        new={"models": chosen, "reason": reason or None},
        detail={"recommended": recommended},
    )
    assessment.chosen_models = chosen
    assessment.recommended_models = recommended
    assessment.choice_reason = reason or None
    assessment.chosen_by_id = user.id
    assessment.chosen_at = db.utcnow()
    assessment.updated_at = assessment.chosen_at
    db.session().commit()


# ---- scoring -------------------------------------------------------------------------------


def score(assessment: Assessment, locale: str = "en") -> AssessmentResult:
    """Score ``assessment`` from its stored answers with the pure engine."""
    qset = questionnaires_of(assessment)
    return score_assessment(
        adoption=qset.adoption,
        adoption_answers=answers(assessment, qset.adoption.id),
        model_fit=qset.model_fit,
        model_fit_answers=answers(assessment, qset.model_fit.id),
        definition=qset.definition,
        definition_answers=answers(assessment, qset.definition.id),
        chosen_models=assessment.chosen_models,
        locale=locale,
        lowered_targets=lowered_targets(assessment),
    )


def lowered_targets(assessment: Assessment) -> dict[str, tuple[int, str]]:
    """The targets an admin lowered: dimension id -> (level, reason)."""
    rows = db.session().scalars(
        select(TargetOverride).where(TargetOverride.assessment_id == assessment.id)
    )
    return {row.dimension_id: (row.level, row.reason) for row in rows}
