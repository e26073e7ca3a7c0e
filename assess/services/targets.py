"""Lowered targets: an admin sets a proportionate target for a dimension, with a reason.

Method 2.0 (docs/methodology.md, section 6): a small body, such as a town or parish council, may
lower the target of any dimension below the method's, giving a reason. The lowering is audited, and
the results and the report show the method's target, the lowered one and the reason. A target can
only be lowered: a "lowered" target at or above the method's is refused.
"""

from __future__ import annotations

from sqlalchemy import select

from assess import audit, db
from assess.models import Assessment, TargetOverride, User
from assess.services import ServiceError
from assess.services.assessments import AssessmentClosed, questionnaires_of, score

#: The longest reason accepted, in characters.
REASON_MAX_LENGTH = 1000


def _row(assessment: Assessment, dimension_id: str) -> TargetOverride | None:
    return db.session().scalar(
        select(TargetOverride).where(
            TargetOverride.assessment_id == assessment.id,
            TargetOverride.dimension_id == dimension_id,
        )
    )


def lower(
    assessment: Assessment, user: User, dimension_id: str, level: object, reason: str
) -> TargetOverride:
    """Set the target of ``dimension_id`` to ``level``, below the method's, because ``reason``."""
    if not assessment.is_draft:
        raise AssessmentClosed(assessment.id)
    adoption = questionnaires_of(assessment).adoption
    if dimension_id not in [s.id for s in adoption.sections]:
        raise ServiceError("There is no such area in this assessment.", field="dimension")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError("Give the reason for the lower target.", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError("Shorten the reason to 1000 characters or fewer.", field="reason")
    try:
        target = int(str(level))
    except ValueError:
        raise ServiceError("Choose a level from 1 to 5.", field="level") from None
    gap = next(g for g in score(assessment).gaps if g.dimension_id == dimension_id)
    if gap.default_target is None:
        raise ServiceError("This area has no target yet: choose a model first.", field="dimension")
    if not 1 <= target < gap.default_target:
        raise ServiceError(
            "A target can only be lowered: choose a level below the method's target.",
            field="level",
        )
    session = db.session()
    row = _row(assessment, dimension_id)
    old = {"level": row.level, "reason": row.reason} if row else None
    if row is None:
        row = TargetOverride(assessment_id=assessment.id, dimension_id=dimension_id)
        session.add(row)
    row.level, row.reason, row.set_by_id, row.set_at = target, reason, user.id, db.utcnow()
    assessment.updated_at = db.utcnow()
    audit.record(
        audit.TARGET_LOWERED,
        organisation_id=assessment.organisation_id,
        actor=user,
        object_type="assessment",
        object_id=assessment.id,
        questionnaire_id=adoption.id,
        old=old,
        new={"level": target, "reason": reason, "method_target": gap.default_target},
        detail={"dimension": dimension_id},
    )
    session.commit()
    return row


def restore(assessment: Assessment, user: User, dimension_id: str) -> None:
    """Go back to the method's target for ``dimension_id`` (nothing happens if not lowered)."""
    if not assessment.is_draft:
        raise AssessmentClosed(assessment.id)
    row = _row(assessment, dimension_id)
    if row is None:
        return
    session = db.session()
    audit.record(
        audit.TARGET_RESTORED,
        organisation_id=assessment.organisation_id,
        actor=user,
        object_type="assessment",
        object_id=assessment.id,
        questionnaire_id=questionnaires_of(assessment).adoption.id,
        old={"level": row.level, "reason": row.reason},
        detail={"dimension": dimension_id},
    )
    session.delete(row)
    assessment.updated_at = db.utcnow()
    session.commit()
