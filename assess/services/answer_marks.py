"""The auditor's marks on answers: verified or challenged, with a comment.

A mark is the auditor's judgement on an answer and never changes the answer itself. Each answer
has at most one current mark (marking again replaces it); every mark is recorded in the audit
trail, old and new, so the history stays. A mark names the answer's revision it was made on: when
the answer changes afterwards, the pages say that the mark was made on an earlier version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from assess import audit, db
from assess.models import AnswerMark, Assessment, User
from assess.models.answer_marks import MARKS
from assess.questionnaire.validation import Message
from assess.services import ServiceError
from assess.services import assessments as assessment_service

#: The longest comment, in characters.
COMMENT_MAX_LENGTH = 2000
VERIFIED, CHALLENGED = MARKS


@dataclass(frozen=True)
class Mark:
    """One answer's current mark, as the pages and the report show it."""

    questionnaire_id: str
    question_id: str
    #: verified or challenged.
    mark: str
    comment: str
    by: str | None
    at: datetime
    #: The answer's revision when it was marked, and whether the answer changed since.
    answer_revision: int
    answer_changed_since: bool


def marks_for(assessment: Assessment) -> dict[tuple[str, str], Mark]:
    """The current marks of ``assessment``'s answers, by (questionnaire id, question id)."""
    rows = (
        db.session()
        .scalars(select(AnswerMark).where(AnswerMark.assessment_id == assessment.id))
        .all()
    )
    revisions: dict[tuple[str, str], int] = {}
    for questionnaire_id in {r.questionnaire_id for r in rows}:
        stored = assessment_service.stored_answers(assessment, questionnaire_id)
        revisions.update({(questionnaire_id, q): s.revision for q, s in stored.items()})
    return {
        (r.questionnaire_id, r.question_id): Mark(
            questionnaire_id=r.questionnaire_id,
            question_id=r.question_id,
            mark=r.mark,
            comment=r.comment,
            by=r.marked_by.name if r.marked_by else None,
            at=r.marked_at,
            answer_revision=r.answer_revision,
            answer_changed_since=revisions.get((r.questionnaire_id, r.question_id))
            != r.answer_revision,
        )
        for r in rows
    }


def mark_answer(
    assessment: Assessment,
    user: User,
    questionnaire_id: str,
    question_id: str,
    mark: str,
    comment: str,
) -> Mark:
    """Mark one answer verified or challenged (replacing an earlier mark), and record it.

    Raises :class:`ServiceError` with a sentence for the person when the mark cannot be made.
    The answer itself is never touched.
    """
    comment = (comment or "").replace("\r\n", "\n").strip()
    if mark not in MARKS:
        raise ServiceError("Choose “Verified” or “Challenged”.", "mark")
    if mark == CHALLENGED and not comment:
        raise ServiceError(
            "Say what you challenge and why: the comment goes into the report.", "comment"
        )
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ServiceError(
            Message(
                "The comment is %(length)d characters long; shorten it to %(most)d or fewer.",
                length=len(comment),
                most=COMMENT_MAX_LENGTH,
            ),
            "comment",
        )
    try:
        assessment_service.questionnaires_of(assessment).by_id(questionnaire_id).question(
            question_id
        )
    except KeyError:
        raise ServiceError("There is no such question in this assessment.") from None
    stored = assessment_service.stored_answers(assessment, questionnaire_id).get(question_id)
    if stored is None:
        raise ServiceError("This question has no answer to verify or challenge yet.")
    session = db.session()
    row = session.scalar(
        select(AnswerMark).where(
            AnswerMark.assessment_id == assessment.id,
            AnswerMark.questionnaire_id == questionnaire_id,
            AnswerMark.question_id == question_id,
        )
    )
    old = (
        {"mark": row.mark, "comment": row.comment, "answer_revision": row.answer_revision}
        if row
        else None
    )
    if row is None:
        row = AnswerMark(
            assessment_id=assessment.id,
            questionnaire_id=questionnaire_id,
            question_id=question_id,
        )
        session.add(row)
    row.mark = mark
    row.comment = comment
    row.answer_revision = stored.revision
    row.marked_by_id = user.id
    row.marked_at = db.utcnow()
    audit.record(
        audit.ANSWER_MARKED,
        organisation_id=assessment.organisation_id,
        actor=user,
        object_type="assessment",
        object_id=assessment.id,
        questionnaire_id=questionnaire_id,
        question_id=question_id,
        old=old,
        new={"mark": mark, "comment": comment, "answer_revision": stored.revision},
    )
    session.commit()
    return marks_for(assessment)[(questionnaire_id, question_id)]
