"""What the assessment's pages share (web only): the links between them, whether the signed-in
person may answer or mark, recording the step they reached, and the models' names in their
language. Used by :mod:`assess.views.assessments` (answering) and :mod:`assess.views.results`."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user

from assess import access
from assess.i18n import current_locale
from assess.models import Assessment
from assess.questionnaire.schema import Questionnaire, Section
from assess.services import assessments, resume
from assess.services.questionnaires import current_questionnaires


def section_or_404(questionnaire: Questionnaire, section_id: str) -> Section:
    try:
        return questionnaire.section(section_id)
    except KeyError:
        abort(404)


def steps(assessment: Assessment) -> list[resume.QuestionnaireProgress]:
    return list(resume.standing(assessment).questionnaires)


def can_answer(assessment: Assessment) -> bool:
    return assessment.is_draft and access.can("assessment.answer", assessment.organisation_id)


def can_mark(assessment: Assessment) -> bool:
    """The auditor may verify or challenge answers (a draft's or a finalised one's)."""
    return access.can("answer.mark", assessment.organisation_id)


def section_url(assessment: Assessment, questionnaire: Questionnaire, section: Section) -> str:
    return url_for(
        "assessments.section",
        assessment_id=assessment.id,
        questionnaire_id=questionnaire.id,
        section_id=section.id,
    )


def check_url(assessment: Assessment, questionnaire: Questionnaire) -> str:
    return url_for(
        "assessments.check", assessment_id=assessment.id, questionnaire_id=questionnaire.id
    )


def answer_url(assessment: Assessment, questionnaire: Questionnaire, question_id: str) -> str:
    """The answer to one question on its questionnaire's check page: readable by every role,
    with a link to change it for those who may."""
    return f"{check_url(assessment, questionnaire)}#answer-{question_id}"


def record_step(assessment: Assessment, step: str, section_id: str | None) -> None:
    if can_answer(assessment):
        assessments.record_progress(current_user, assessment, step, section_id)


def model_names(assessment: Assessment) -> dict[str, str]:
    model_fit = assessments.questionnaires_of(assessment).model_fit
    return {m.id: m.name.get(current_locale()) for m in model_fit.models or []}


def models_text(model_ids: list[str] | tuple[str, ...] | None) -> str:
    """Chosen models by name, a blend joined with "+" (for templates)."""
    assessment_names: dict[str, str] = {}
    for questionnaire in current_questionnaires():
        for model in questionnaire.models or []:
            assessment_names[model.id] = model.name.get(current_locale())
    return " + ".join(assessment_names.get(m, m) for m in model_ids or ())
