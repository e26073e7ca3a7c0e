"""The JSON of each API resource, from the models and the scoring result.

Times are ISO 8601 in UTC; dates ISO 8601. Results and gaps are the scoring engine's own result
(:func:`assess.services.assessments.score`, the same figures the results page and the report
show), never worked out again here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from assess.models import AnswerRecord, Assessment, Membership, Organisation, PlanAction, User
from assess.scoring import AssessmentResult


def _utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def organisation(org: Organisation, membership: Membership | None) -> dict[str, Any]:
    """An organisation, and the token person's role in it."""
    return {
        "id": org.id,
        "name": org.name,
        "sector": org.sector,
        "size_band": org.size_band,
        "country": org.country,
        "time_zone": org.time_zone,
        "status": "deletion_scheduled" if org.deletion_due_at is not None else org.status,
        "created_at": _utc(org.created_at),
        "your_role": membership.role if membership is not None else None,
    }


def assessment(item: Assessment) -> dict[str, Any]:
    """An assessment: what it is, where it stands, and the questionnaire versions it is read on."""
    return {
        "id": item.id,
        "organisation_id": item.organisation_id,
        "title": item.title,
        "scope": item.scope,
        "status": item.status,
        "version": item.version,
        "supersedes_id": item.supersedes_id,
        "questionnaires": [
            {"id": version.questionnaire_id, "version": version.version}
            for version in (item.definition_version, item.model_fit_version, item.adoption_version)
        ],
        "chosen_models": list(item.chosen_models) if item.chosen_models is not None else None,
        "recommended_models": (
            list(item.recommended_models) if item.recommended_models is not None else None
        ),
        "choice_reason": item.choice_reason,
        "created_at": _utc(item.created_at),
        "updated_at": _utc(item.updated_at),
        "finalised_at": _utc(item.finalised_at),
    }


def answer(record: AnswerRecord) -> dict[str, Any]:
    """One stored answer with its evidence note, criteria, revision and who last changed it."""
    return {
        "id": record.id,
        "questionnaire_id": record.questionnaire_id,
        "question_id": record.question_id,
        "status": record.status,
        "value": record.value,
        "note": record.note,
        "criteria": record.criteria,
        "revision": record.revision,
        "source": record.source,
        "updated_by": _person(record.updated_by),
        "updated_at": _utc(record.updated_at),
    }


def action(item: PlanAction) -> dict[str, Any]:
    """One action of an assessment's plan."""
    return {
        "id": item.id,
        "assessment_id": item.assessment_id,
        "source": item.source,
        "dimension_id": item.dimension_id,
        "question_id": item.question_id,
        "area_title": item.area_title,
        "practice_text": item.practice_text,
        "from_level": item.from_level,
        "to_level": item.to_level,
        "title": item.title,
        "done_when": list(item.done_when),
        "owner": {"person": _person(item.owner_user), "role": item.owner_role},
        "due_on": _day(item.due_on),
        "status": item.status,
        "dropped_reason": item.dropped_reason,
        "evidence_note": item.evidence_note,
        "evidence_reference": item.evidence_reference,
        "revision": item.revision,
        "created_at": _utc(item.created_at),
        "updated_at": _utc(item.updated_at),
    }


def results(item: Assessment, result: AssessmentResult) -> dict[str, Any]:
    """The whole scoring result of ``item`` (maturity, fit, register, gaps, contradictions)."""
    return {"assessment_id": item.id, "status": item.status, **result.to_dict()}


def gaps(item: Assessment, result: AssessmentResult) -> dict[str, Any]:
    """Every dimension against its target: ranked gaps first, each with its steps."""
    plain = result.to_dict()
    return {
        "assessment_id": item.id,
        "method_version": plain["method_version"],
        "chosen_models": plain["chosen_models"],
        "chosen_by": plain["chosen_by"],
        "gaps": plain["gaps"],
    }
