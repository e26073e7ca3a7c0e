"""The auditor's marks: verify or challenge one answer, with a comment (``answer.mark``).

A mark never changes the answer; the service records it in the audit trail. The results, the
area pages, the "check your answers" pages and the PDF report show the marks.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from assess import access
from assess.i18n import current_locale, translate
from assess.models import Assessment
from assess.questionnaire.schema import LevelQuestion
from assess.scoring.maturity import evidenced_level
from assess.services import ServiceError, answer_marks
from assess.services import assessments as assessment_service
from assess.views.forms import answers as answer_forms
from assess.views.loaders import load_assessment

bp = Blueprint("answer_marks", __name__)


class MarkForm(FlaskForm):
    """Verified or challenged, and why."""

    mark = RadioField(
        _("Your mark"),
        choices=[
            SelectChoice(
                answer_marks.VERIFIED,
                _("Verified: I have seen the evidence and it supports the answer"),
            ),
            SelectChoice(
                answer_marks.CHALLENGED, _("Challenged: the evidence does not support the answer")
            ),
        ],
        validators=[InputRequired(_("Choose “Verified” or “Challenged”."))],
    )
    comment = TextAreaField(
        _("Comment"),
        validators=[
            Length(
                max=answer_marks.COMMENT_MAX_LENGTH,
                message=_("Shorten the comment to %(max)d characters or fewer."),
            )
        ],
    )


def back_url(assessment: Assessment, questionnaire_id: str, question_id: str) -> str:
    """Where the answer is shown among the results: its area page, or its "check" page."""
    questionnaires = assessment_service.questionnaires_of(assessment)
    if questionnaire_id == questionnaires.adoption.id:
        for section in questionnaires.adoption.sections:
            if any(q.id == question_id for q in section.questions):
                return (
                    url_for("results.area", assessment_id=assessment.id, section_id=section.id)
                    + f"#answer-{question_id}"
                )
    return (
        url_for("assessments.check", assessment_id=assessment.id, questionnaire_id=questionnaire_id)
        + f"#answer-{question_id}"
    )


@bp.route(
    "/assessments/<int:assessment_id>/marks/<questionnaire_id>/<question_id>",
    methods=["GET", "POST"],
)
@access.requires("answer.mark", load=load_assessment)
def mark(
    assessment: Assessment, assessment_id: int, questionnaire_id: str, question_id: str
) -> ResponseReturnValue:
    """Show one answer with its evidence, and mark it verified or challenged."""
    try:
        questionnaire = assessment_service.questionnaires_of(assessment).by_id(questionnaire_id)
        question = questionnaire.question(question_id)
    except KeyError:
        abort(404)
    locale = current_locale()
    stored = assessment_service.stored_answers(assessment, questionnaire.id).get(question.id)
    current = answer_marks.marks_for(assessment).get((questionnaire.id, question.id))
    form = MarkForm(data={"mark": current.mark, "comment": current.comment} if current else None)
    error = None
    if stored is not None and form.validate_on_submit():
        try:
            answer_marks.mark_answer(
                assessment,
                current_user,
                questionnaire.id,
                question.id,
                form.mark.data or "",
                form.comment.data or "",
            )
        except ServiceError as refusal:
            error = translate(refusal.message)
        else:
            flash(gettext("Your mark is recorded. The answer itself has not changed."), "success")
            return redirect(back_url(assessment, questionnaire.id, question.id))
    answer = stored.answer if stored else None
    criteria = []
    evidenced = None
    if isinstance(question, LevelQuestion) and answer is not None and isinstance(answer.value, int):
        evidenced = evidenced_level(question, answer)
        for level, number, text in question.criteria_up_to(answer.value):
            criteria.append((f"{level}.{number}", text.get(locale), answer.check(level, number)))
    return render_template(
        "answer_marks/mark.html",
        assessment=assessment,
        questionnaire=questionnaire,
        question=question,
        stored=stored,
        lines=answer_forms.describe(question, answer, locale),
        criteria=criteria,
        evidenced=evidenced,
        current=current,
        form=form,
        error=error,
        back=back_url(assessment, questionnaire.id, question.id),
        locale=locale,
    ), (400 if error or form.errors else 200)
