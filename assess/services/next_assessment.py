"""The next assessment: started from the last finalised one, pre-filled, its answers to confirm.

"Start the next assessment" creates a draft on the current questionnaires with every answer of the
organisation's last finalised assessment that can carry over (see :func:`carries`), each kept with
who gave it and when, and marked "carried over — confirm or change" until someone confirms it or
changes it. What cannot carry over (a question that is gone, or whose type, options or criteria
changed) is listed for the person to answer. The model the body chose carries over when its models
still exist. Open actions of the earlier plan move to the new plan with their history.

Everything happens in one transaction, audited (``assessment.next_started``, and an event for each
action moved); two admins pressing the button at once get one next assessment (the link to the
earlier one is unique).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assess import audit, db
from assess.models import AnswerRecord, Assessment, CarriedAnswer, FollowOn, User
from assess.questionnaire.loader import QuestionnaireSet
from assess.questionnaire.schema import (
    LevelQuestion,
    MultipleQuestion,
    Question,
    Questionnaire,
    SingleQuestion,
)
from assess.services import ServiceError, action_plan, assessments
from assess.services import questionnaires as questionnaire_service

#: Why an answer could not carry over (shown to people through these labels).
GONE = "gone"
TYPE_CHANGED = "type_changed"
OPTIONS_CHANGED = "options_changed"
CRITERIA_CHANGED = "criteria_changed"
MERGED = "merged"


def _targets(
    old: Questionnaire, new: Questionnaire | None, question_id: str
) -> tuple[list[str], str | None]:
    """Where an old answer goes in the new version: its own id, or the new version's
    ``carry_over`` mapping (renamed or split); merged questions cannot carry (a reason)."""
    if new is None:
        return [question_id], GONE
    mapped = new.carried_to(question_id) if new.version != old.version else None
    if mapped is None:
        return [question_id], None
    targets, sources = mapped
    if sources > 1:
        return [question_id], MERGED
    return targets, None


def latest_finalised(organisation_id: int) -> Assessment | None:
    """The organisation's most recently finalised assessment (not a superseded one)."""
    return db.session().scalar(
        select(Assessment)
        .where(Assessment.organisation_id == organisation_id, Assessment.status == "finalised")
        .order_by(Assessment.finalised_at.desc(), Assessment.id.desc())
        .limit(1)
    )


def follow_on(assessment: Assessment) -> FollowOn | None:
    """How ``assessment`` was started as a next assessment, if it was."""
    return db.session().get(FollowOn, assessment.id)


def next_of(assessment: Assessment) -> Assessment | None:
    """The assessment started as the next one after ``assessment``, if any."""
    link = db.session().scalar(select(FollowOn).where(FollowOn.follows_id == assessment.id))
    return db.session().get(Assessment, link.assessment_id) if link else None


def draft_in_progress(organisation_id: int) -> Assessment | None:
    """A draft assessment of the organisation, if one is being answered."""
    return db.session().scalar(
        select(Assessment)
        .where(Assessment.organisation_id == organisation_id, Assessment.status == "draft")
        .order_by(Assessment.id.desc())
        .limit(1)
    )


def can_start_after(assessment: Assessment) -> bool:
    """Whether the next assessment can be started from ``assessment``: it is the organisation's
    latest finalised assessment, no next assessment was started from it, and no other assessment
    is being answered (one assessment in progress at a time)."""
    if assessment.status != "finalised":
        return False
    latest = latest_finalised(assessment.organisation_id)
    return (
        latest is not None
        and latest.id == assessment.id
        and next_of(assessment) is None
        and draft_in_progress(assessment.organisation_id) is None
    )


def _option_ids(question: Question) -> set[str]:
    if isinstance(question, SingleQuestion | MultipleQuestion):
        return {o.id for o in question.options}
    return set()


def _criteria_shape(question: Question) -> dict[int, int]:
    if not isinstance(question, LevelQuestion):
        return {}
    return {level: len(question.criteria_for(level)) for level in range(1, 6)}


def carries(old: Question, new: Question | None) -> str | None:
    """None when an answer to ``old`` carries over to ``new`` unchanged; else why not.

    It carries when the question id persists with the same type and the same options (for a
    choice) or the same number of criteria at each level (for a level question, whose
    confirmations are kept by number); a register keeps its rows.
    """
    if new is None:
        return GONE
    if old.type != new.type:
        return TYPE_CHANGED
    if _option_ids(old) != _option_ids(new):
        return OPTIONS_CHANGED
    if _criteria_shape(old) != _criteria_shape(new):
        return CRITERIA_CHANGED
    return None


def _question_or_none(questionnaire: Questionnaire, question_id: str) -> Question | None:
    try:
        return questionnaire.question(question_id)
    except KeyError:
        return None


@dataclass(frozen=True)
class Started:
    """What starting the next assessment did."""

    assessment: Assessment
    carried: int
    not_carried: list[dict[str, Any]]
    moved: int


def start_next(previous: Assessment, user: User, title: str, qset: QuestionnaireSet) -> Started:
    """Start the next assessment after ``previous`` (the latest finalised one), pre-filled.

    Raises ServiceError when ``previous`` is not the latest finalised assessment or a next one was
    already started from it.
    """
    title = (title or "").strip()
    if not title:
        raise ServiceError("Enter a name for the assessment.", field="title")
    if len(title) > 200:
        raise ServiceError(
            "The name of the assessment must be 200 characters or fewer.", field="title"
        )
    if not can_start_after(previous):
        raise ServiceError(
            "The next assessment can only be started once, from the latest finalised assessment, "
            "when no other assessment is being answered."
        )
    session = db.session()
    rows = questionnaire_service.ensure_stored(qset)
    now = db.utcnow()
    old_qset = assessments.questionnaires_of(previous)
    new_by_kind = {q.id: q for q in qset}
    model_ids = set(qset.model_fit.model_ids)
    keep_choice = bool(previous.chosen_models) and set(previous.chosen_models or ()) <= model_ids
    assessment = Assessment(
        organisation_id=previous.organisation_id,
        title=title,
        status="draft",
        definition_version_id=rows[qset.definition.id].id,
        questionnaire_pack_id=qset.pack_id,
        model_fit_version_id=rows[qset.model_fit.id].id,
        adoption_version_id=rows[qset.adoption.id].id,
        chosen_models=previous.chosen_models if keep_choice else None,
        choice_reason=previous.choice_reason if keep_choice else None,
        recommended_models=previous.recommended_models if keep_choice else None,
        chosen_by_id=previous.chosen_by_id if keep_choice else None,
        chosen_at=previous.chosen_at if keep_choice else None,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    carried = 0
    not_carried: list[dict[str, Any]] = []
    try:
        session.add(assessment)
        session.flush()
        session.add(FollowOn(assessment_id=assessment.id, follows_id=previous.id, created_at=now))
        session.flush()
        records = session.scalars(
            select(AnswerRecord)
            .where(AnswerRecord.assessment_id == previous.id)
            .order_by(AnswerRecord.id)
        )
        written: set[tuple[str, str]] = set()
        for record in records:
            old_questionnaire = old_qset.by_id(record.questionnaire_id)
            new_questionnaire = new_by_kind.get(record.questionnaire_id)
            old_question = _question_or_none(old_questionnaire, record.question_id)
            targets, reason = _targets(old_questionnaire, new_questionnaire, record.question_id)
            for target in targets:
                new_question = (
                    _question_or_none(new_questionnaire, target) if new_questionnaire else None
                )
                why = reason or (carries(old_question, new_question) if old_question else GONE)
                if why is None and (record.questionnaire_id, target) in written:
                    why = MERGED
                if why is not None:
                    not_carried.append(
                        {
                            "questionnaire_id": record.questionnaire_id,
                            "question_id": record.question_id,
                            "text": old_question.text.get("en") if old_question else "",
                            "reason": why,
                        }
                    )
                    continue
                written.add((record.questionnaire_id, target))
                session.add(
                    AnswerRecord(
                        assessment_id=assessment.id,
                        questionnaire_id=record.questionnaire_id,
                        question_id=target,
                        status=record.status,
                        value=record.value,
                        note=record.note,
                        criteria=record.criteria,
                        revision=1,
                        source="copied",
                        updated_by_id=record.updated_by_id,
                        updated_at=record.updated_at,
                    )
                )
                session.add(
                    CarriedAnswer(
                        assessment_id=assessment.id,
                        questionnaire_id=record.questionnaire_id,
                        question_id=target,
                        revision=1,
                    )
                )
                carried += 1
        link = session.get(FollowOn, assessment.id)
        assert link is not None
        link.not_carried = not_carried
        session.flush()
        audit.record(
            audit.ASSESSMENT_STARTED,
            organisation_id=assessment.organisation_id,
            actor=user,
            object_type="assessment",
            object_id=assessment.id,
            new={
                "title": assessment.title,
                "questionnaires": {q.id: q.version for q in qset},
                **({"questionnaire_pack": qset.pack_id} if qset.pack_id else {}),
            },
        )
        moved = action_plan.move_open_actions(previous, assessment, user)
        audit.record(
            audit.NEXT_ASSESSMENT_STARTED,
            organisation_id=assessment.organisation_id,
            actor=user,
            object_type="assessment",
            object_id=assessment.id,
            detail={
                "follows": previous.id,
                "carried": carried,
                "not_carried": len(not_carried),
                "actions_moved": moved,
            },
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ServiceError("The next assessment has already been started from this one.") from None
    except Exception:
        session.rollback()
        raise
    return Started(assessment, carried, not_carried, moved)


# ---- carried answers: what is still to confirm ------------------------------------------------


def unconfirmed(assessment: Assessment) -> list[tuple[str, str]]:
    """The carried answers nobody has confirmed or changed yet: (questionnaire id, question id),
    in the order they were carried."""
    rows = db.session().execute(
        select(CarriedAnswer.questionnaire_id, CarriedAnswer.question_id)
        .join(
            AnswerRecord,
            (AnswerRecord.assessment_id == CarriedAnswer.assessment_id)
            & (AnswerRecord.questionnaire_id == CarriedAnswer.questionnaire_id)
            & (AnswerRecord.question_id == CarriedAnswer.question_id),
        )
        .where(
            CarriedAnswer.assessment_id == assessment.id,
            CarriedAnswer.confirmed_at.is_(None),
            AnswerRecord.revision == CarriedAnswer.revision,
        )
        .order_by(CarriedAnswer.id)
    )
    return [(q, question) for q, question in rows]


def carried_count(assessment: Assessment) -> int:
    """How many answers were carried over into ``assessment``."""
    return len(
        list(
            db.session().scalars(
                select(CarriedAnswer.id).where(CarriedAnswer.assessment_id == assessment.id)
            )
        )
    )


def confirm(assessment: Assessment, user: User, keys: Iterable[tuple[str, str]]) -> int:
    """Confirm the carried answers ``keys`` still hold; how many were confirmed. Only a draft's
    answers can be confirmed; keys that are not unconfirmed carried answers are ignored."""
    if not assessment.is_draft:
        raise ServiceError("This assessment is finalised: its answers can no longer change.")
    wanted = set(keys) & set(unconfirmed(assessment))
    if not wanted:
        return 0
    session = db.session()
    now = db.utcnow()
    rows = session.scalars(
        select(CarriedAnswer).where(CarriedAnswer.assessment_id == assessment.id)
    )
    confirmed = []
    for row in rows:
        if (row.questionnaire_id, row.question_id) in wanted:
            row.confirmed_at = now
            row.confirmed_by_id = user.id
            confirmed.append(f"{row.questionnaire_id}/{row.question_id}")
    audit.record(
        audit.CARRIED_ANSWERS_CONFIRMED,
        organisation_id=assessment.organisation_id,
        actor=user,
        object_type="assessment",
        object_id=assessment.id,
        detail={"questions": sorted(confirmed)},
    )
    session.commit()
    return len(confirmed)
