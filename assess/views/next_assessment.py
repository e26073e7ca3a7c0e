"""Starting the next assessment from the last finalised one, and confirming carried-over answers.

Starting needs ``assessment.finalise`` (admins); confirming carried answers needs
``assessment.answer``, like changing them.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from assess import access
from assess.i18n import current_locale, translate
from assess.models import Assessment
from assess.services import ServiceError, action_plan, assessments, next_assessment, packs
from assess.views.forms.reports import ConfirmForm
from assess.views.loaders import load_assessment

bp = Blueprint("next_assessment", __name__)


def _reason(code: str) -> str:
    texts = {
        next_assessment.GONE: gettext("The question is no longer asked."),
        next_assessment.TYPE_CHANGED: gettext("The question is now asked in a different way."),
        next_assessment.OPTIONS_CHANGED: gettext("The options of the question have changed."),
        next_assessment.CRITERIA_CHANGED: gettext("The records that show each level have changed."),
        next_assessment.MERGED: gettext(
            "It was merged with other questions into one: answer the new question afresh."
        ),
    }
    return texts.get(code, code)


def _default_title(previous: Assessment) -> str:
    return gettext("Next assessment after “%(title)s”", title=previous.title)[:200]


@bp.route("/assessments/<int:assessment_id>/next", methods=["GET", "POST"])
@access.requires("assessment.finalise", load=load_assessment)
def start(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Confirm, then start the next assessment pre-filled from this finalised one."""
    later = next_assessment.next_of(assessment)
    if later is not None:
        flash(gettext("The next assessment has already been started from this one."), "info")
        return redirect(url_for("assessments.overview", assessment_id=later.id))
    form = ConfirmForm()
    error = None
    title = (request.form.get("title") if request.method == "POST" else None) or _default_title(
        assessment
    )
    if request.method == "POST" and form.validate_on_submit():
        try:
            started = next_assessment.start_next(
                assessment,
                current_user,
                title,
                packs.questionnaires_for(assessment.organisation_id),
            )
        except ServiceError as refusal:
            error = translate(refusal.message)
        else:
            flash(
                gettext(
                    "“%(title)s” has started with %(carried)s answers carried over from "
                    "“%(previous)s”. Confirm or change each one.",
                    title=started.assessment.title,
                    carried=started.carried,
                    previous=assessment.title,
                ),
                "success",
            )
            return redirect(url_for("next_assessment.carried", assessment_id=started.assessment.id))
    elif request.method == "POST":
        error = gettext("The request could not be accepted. Try again.")
    open_actions = [a for a in action_plan.actions(assessment) if a.is_open]
    return render_template(
        "next_assessment/start.html",
        assessment=assessment,
        form=form,
        title=title,
        error=error,
        allowed=next_assessment.can_start_after(assessment),
        open_actions=open_actions,
    ), (400 if error else 200)


@bp.get("/assessments/<int:assessment_id>/carried")
@access.requires("assessment.view", load=load_assessment)
def carried(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The answers carried over that nobody has confirmed yet, and those that could not carry."""
    return _render_carried(assessment)


def _render_carried(assessment: Assessment, status: int = 200) -> ResponseReturnValue:
    link = next_assessment.follow_on(assessment)
    locale = current_locale()
    qset = assessments.questionnaires_of(assessment)
    rows = []
    for questionnaire_id, question_id in next_assessment.unconfirmed(assessment):
        questionnaire = qset.by_id(questionnaire_id)
        section = next(s for s, q in questionnaire.questions() if q.id == question_id)
        rows.append(
            {
                "key": f"{questionnaire_id}/{question_id}",
                "text": questionnaire.question(question_id).text.get(locale),
                "questionnaire": questionnaire,
                "url": url_for(
                    "assessments.section",
                    assessment_id=assessment.id,
                    questionnaire_id=questionnaire_id,
                    section_id=section.id,
                )
                + f"#carried-{question_id}",
            }
        )
    missing = []
    if link is not None:
        for item in link.not_carried:
            try:
                questionnaire = qset.by_id(item["questionnaire_id"])
                text = questionnaire.question(item["question_id"]).text.get(locale)
            except KeyError:
                text = item.get("text") or item["question_id"]
            missing.append({"text": text, "reason": _reason(item["reason"])})
    return render_template(
        "next_assessment/carried.html",
        assessment=assessment,
        follows=link.follows if link else None,
        rows=rows,
        missing=missing,
        can_answer=assessment.is_draft
        and access.can("assessment.answer", assessment.organisation_id),
        form=ConfirmForm(),
    ), status


@bp.post("/assessments/<int:assessment_id>/carried")
@access.requires("assessment.answer", load=load_assessment)
def confirm(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Confirm the chosen carried answers still hold."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(gettext("The request could not be accepted. Try again."), "error")
        return redirect(url_for("next_assessment.carried", assessment_id=assessment.id))
    keys = []
    for raw in request.form.getlist("answer"):
        questionnaire_id, _sep, question_id = raw.partition("/")
        if questionnaire_id and question_id:
            keys.append((questionnaire_id, question_id))
    if not keys:
        flash(gettext("Select the answers that still hold, then confirm them."), "error")
        return _render_carried(assessment, 400)
    try:
        count = next_assessment.confirm(assessment, current_user, keys)
    except ServiceError as refusal:
        flash(translate(refusal.message), "error")
        return redirect(url_for("next_assessment.carried", assessment_id=assessment.id))
    flash(
        gettext("%(count)s answers confirmed.", count=count)
        if count
        else gettext("Those answers were already confirmed or changed."),
        "success" if count else "info",
    )
    return redirect(url_for("next_assessment.carried", assessment_id=assessment.id))


@bp.app_context_processor
def _carried_helpers() -> dict[str, object]:
    """For the answering and results pages: the carried answers still to confirm."""

    def carried_state(assessment: Assessment) -> dict[str, object]:
        cache = g.setdefault("carried_state", {})
        if assessment.id not in cache:
            link = next_assessment.follow_on(assessment)
            pending = next_assessment.unconfirmed(assessment) if link else []
            cache[assessment.id] = {
                "follows": link.follows if link else None,
                "unconfirmed": set(pending),
                "count": len(pending),
                "not_carried": len(link.not_carried) if link else 0,
                "url": url_for("next_assessment.carried", assessment_id=assessment.id),
                "can_start_next": next_assessment.can_start_after(assessment)
                and access.can("assessment.finalise", assessment.organisation_id),
                "next": next_assessment.next_of(assessment),
                "start_url": url_for("next_assessment.start", assessment_id=assessment.id),
            }
        return cache[assessment.id]

    return {"carried_state": carried_state}
