"""The JSON of each API resource: the serializer's records (:mod:`assess.data_format.serializer`,
the same records the export, the import and CSV use), with a few members the API adds for
convenience (the token person's role, who last changed an answer, an action's owner by name).

Results and gaps are the scoring engine's own result (:func:`assess.services.assessments.score`,
the same figures the results page and the report show), never worked out again here.
"""

from __future__ import annotations

from typing import Any

from assess.data_format import serializer
from assess.models import AnswerRecord, Assessment, Membership, Organisation, PlanAction, User
from assess.scoring import AssessmentResult

#: Kind of record (the serializer's key, whose JSON Schema describes it) -> the members the API
#: adds to it, with their JSON Schema (used by :mod:`assess.api.openapi`).
_PERSON_SCHEMA = {
    "anyOf": [
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            "required": ["id", "name"],
            "additionalProperties": False,
        },
        {"type": "null"},
    ]
}
ADDED_MEMBERS: dict[str, dict[str, Any]] = {
    "organisations": {
        "your_role": {
            "type": "string",
            "enum": ["admin", "respondent", "facilitator", "auditor"],
            "description": "The token person's role in the organisation.",
        }
    },
    "assessments": {
        "questionnaires": {
            "type": "array",
            "description": "The questionnaire versions the assessment is read against.",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "version": {"type": "string"}},
                "required": ["id", "version"],
                "additionalProperties": False,
            },
        }
    },
    "answers": {"updated_by": _PERSON_SCHEMA},
    "plan_actions": {"owner_user": _PERSON_SCHEMA},
}


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def organisation(org: Organisation, membership: Membership) -> dict[str, Any]:
    """An organisation, and the token person's role in it."""
    return {**serializer.organisation_record(org), "your_role": membership.role}


def assessment(item: Assessment) -> dict[str, Any]:
    """An assessment, and the questionnaire versions it is read against."""
    return {
        **serializer.assessment_record(item),
        "questionnaires": [
            {"id": version.questionnaire_id, "version": version.version}
            for version in (item.definition_version, item.model_fit_version, item.adoption_version)
        ],
    }


def answer(record: AnswerRecord) -> dict[str, Any]:
    """One stored answer, and who last changed it."""
    return {**serializer.answer_record(record), "updated_by": _person(record.updated_by)}


def action(item: PlanAction) -> dict[str, Any]:
    """One action of an assessment's plan, and its owner by name (when a member owns it)."""
    return {**serializer.action_record(item), "owner_user": _person(item.owner_user)}


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
