"""Recording the answer a workshop room agrees on one question, and writing it into the
assessment.

The room's answer goes into the assessment through
:func:`assess.services.assessments.save_answers` with ``source="workshop"``; every participant's
own answer stays as it was. Nothing recorded is ever overwritten silently: replacing an answer the
assessment holds needs a confirmation and a reason (:class:`ConfirmReplacement`), kept in the
audit trail. See docs/methodology.md, section 9.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from assess import db
from assess.models import ConsensusRecord, User, WorkshopSession
from assess.questionnaire.answers import Answer, RegisterRow, Status
from assess.questionnaire.validation import Message, check_answer, keep_criteria
from assess.scoring.aggregate import KINDS_TIED, TIED
from assess.services import assessments
from assess.services.assessments import Submission
from assess.services.workshops import (
    LiveQuestion,
    WorkshopError,
    live_question,
    record_event,
    require_open,
)

#: The longest reason accepted for replacing a recorded answer.
REASON_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Replacement:
    """Recording the room's answer would change the answer the assessment holds."""

    item: LiveQuestion
    #: What the assessment holds now.
    current: assessments.StoredAnswer
    #: What it would hold after: the room's answer, with its note.
    proposed: Answer
    #: "agreed" or "aggregate".
    how: str


class ConfirmReplacement(WorkshopError):
    """The room's answer would replace a recorded one: show both and ask for confirmation and a
    reason. ``missing_reason`` is True when confirmation came without a reason."""

    def __init__(self, replacement: Replacement, missing_reason: bool = False) -> None:
        super().__init__(
            Message("Confirm that the room's answer replaces the recorded one, and say why.")
        )
        self.replacement = replacement
        self.missing_reason = missing_reason


def _agreed_answer(
    item: LiveQuestion, answer: Answer | None, note: str, stored: assessments.StoredAnswer | None
) -> tuple[Answer, str]:
    """The answer to record and how ("agreed" or "aggregate"); refuses a tie's missing default."""
    how = "agreed"
    if answer is None:
        if item.proposal is None:
            if item.no_default == TIED or item.no_default == KINDS_TIED:
                raise WorkshopError(
                    Message(
                        "The room is tied, so there is no aggregate to accept: record the answer "
                        "the room agrees."
                    )
                )
            raise WorkshopError(
                "There is no aggregate to accept for this question: record the agreed answer."
            )
        answer, how = item.proposal, "aggregate"
    note = (note or "").strip() or answer.note
    same = stored is not None and (stored.answer.status, stored.answer.value) == (
        answer.status,
        answer.value,
    )
    if not note and same and stored is not None:
        # The same answer agreed without a note keeps the evidence note it had.
        note = stored.answer.note
    return Answer(item.question.id, answer.status, answer.value, note), how


def only_adds(recorded: Answer, agreed: Answer) -> bool:
    """True when ``agreed`` keeps every rating of the recorded register as it is and only adds
    ratings (of groups, or columns, the register had none for) with the same evidence note:
    nothing recorded is replaced, so recording it asks no confirmation. False for any other
    question."""
    if recorded.status is not Status.ANSWERED or agreed.status is not Status.ANSWERED:
        return False
    if recorded.note != agreed.note:
        return False
    values = (recorded.value, agreed.value)
    if not all(isinstance(v, tuple) and all(isinstance(r, RegisterRow) for r in v) for v in values):
        return False
    after = {r.segment_id: r.to_json() for r in agreed.value}  # type: ignore[union-attr]
    for row in recorded.value:  # type: ignore[union-attr]
        new = after.get(row.segment_id)
        if new is None or any(new.get(k) != v for k, v in row.to_json().items() if v is not None):
            return False
    return True


def _opened_question(
    workshop: WorkshopSession, questionnaire_id: str, question_id: str
) -> LiveQuestion:
    try:
        return live_question(workshop, questionnaire_id, question_id)
    except KeyError:
        raise WorkshopError("That question has not been opened in this session.") from None


def record_consensus(
    workshop: WorkshopSession,
    user: User,
    questionnaire_id: str,
    question_id: str,
    answer: Answer | None,
    note: str,
    *,
    replaces: int | None = None,
    reason: str = "",
) -> ConsensusRecord:
    """Record what the room agreed on one question, and write it into the assessment's answers.

    ``answer`` None accepts the engine's default agreed answer (see docs/methodology.md, section
    9); there is none for a tie, for text and register questions, nor before anyone answered.
    The note is kept with the record and as the answer's evidence note (an agreed answer equal to
    the recorded one and without a note keeps the recorded note). Every individual answer stays
    as it was.

    Nothing recorded is ever overwritten silently: when the assessment already holds a different
    answer (other than a register the agreed one only adds ratings to, see :func:`only_adds`),
    this raises :class:`ConfirmReplacement` (with both answers) unless ``replaces`` is the
    revision of the answer being replaced, as shown to the person, and ``reason`` says why; the
    reason is kept with the change in the audit trail. If the answer changed again in between, it
    asks again. Raises :class:`WorkshopError` with a message for people when it cannot be
    recorded.
    """
    require_open(workshop)
    item = _opened_question(workshop, questionnaire_id, question_id)
    assessment = workshop.assessment
    stored = assessments.stored_answers(assessment, questionnaire_id).get(question_id)
    agreed, how = _agreed_answer(item, answer, note, stored)
    # The room agrees a level; the records already confirmed for it stay with the answer (those
    # of levels above the agreed one are dropped), so a consensus never loses evidence.
    if stored is not None:
        agreed = keep_criteria(item.question, agreed, stored.answer.criteria)
    problems = check_answer(item.question, agreed)
    if problems:
        raise WorkshopError(" ".join(problems))
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise WorkshopError(
            Message("The reason must be %(n)s characters or fewer.", n=REASON_MAX_LENGTH)
        )
    replaced = None
    if stored is not None and stored.answer != agreed and not only_adds(stored.answer, agreed):
        replacement = Replacement(item, stored, agreed, how)
        if replaces != stored.revision:
            raise ConfirmReplacement(replacement)
        if not reason:
            raise ConfirmReplacement(replacement, missing_reason=True)
        replaced = stored
    detail: dict[str, Any] = {"workshop": workshop.id, "how": how}
    if replaced is not None:
        detail["reason"] = reason
    outcome = assessments.save_answers(
        assessment,
        user,
        questionnaire_id,
        {question_id: Submission(agreed, stored.revision if stored else None)},
        source="workshop",
        detail=detail,
    )
    if outcome.errors:
        raise WorkshopError(" ".join(outcome.errors.get(question_id, [])))
    if outcome.conflicts:
        # Someone changed the answer between reading and writing: show what it is now.
        latest = assessments.stored_answers(assessment, questionnaire_id).get(question_id)
        if latest is not None and latest.answer != agreed:
            raise ConfirmReplacement(Replacement(item, latest, agreed, how))
    session = db.session()
    record = session.scalar(
        select(ConsensusRecord).where(
            ConsensusRecord.session_id == workshop.id,
            ConsensusRecord.questionnaire_id == questionnaire_id,
            ConsensusRecord.question_id == question_id,
        )
    )
    if record is None:
        record = ConsensusRecord(
            session_id=workshop.id, questionnaire_id=questionnaire_id, question_id=question_id
        )
        session.add(record)
    record.how = how
    record.status = agreed.status.value
    record.value = agreed.value_to_json()
    record.note = (note or "").strip()
    record.was_divergent = item.divergent
    record.recorded_by_id = user.id
    record.recorded_at = db.utcnow()
    session.commit()
    details: dict[str, Any] = {"question": f"{questionnaire_id}/{question_id}", "how": how}
    if replaced is not None:
        details["replaced"] = {
            "status": replaced.answer.status.value,
            "value": replaced.answer.value_to_json(),
            "revision": replaced.revision,
        }
        details["reason"] = reason
    record_event("workshop.consensus_recorded", workshop, by=user.id, **details)
    return record
