"""Follow-up reviews: scheduling one, completing it (status of each action, re-rating of the
practices they target, with evidence), and downloading its progress PDF.

Scheduling and completing need ``assessment.finalise`` (admins); the PDF needs ``report.view``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from assess import access
from assess.i18n import current_locale, known, translate
from assess.models import Assessment
from assess.services import ServiceError, action_plan, progress_review
from assess.views.forms.reports import ConfirmForm
from assess.views.loaders import load_assessment

bp = Blueprint("progress_review", __name__)


def _date(raw: str | None):
    from datetime import date

    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _render(
    assessment: Assessment, error: ServiceError | None = None, status: int = 200
) -> ResponseReturnValue:
    review = progress_review.open_review(assessment)
    return render_template(
        "progress_review/review.html",
        assessment=assessment,
        review=review,
        completed=[r for r in progress_review.reviews_of(assessment) if r.status == "completed"],
        default_due=progress_review.default_due(assessment) if assessment.finalised_at else None,
        actions=progress_review.plan_actions(assessment),
        practices=progress_review.practices(assessment, current_locale()),
        statuses=action_plan.STATUS_LABELS,
        form=ConfirmForm(),
        error=translate(error.message) if error else None,
        error_field=error.field if error else None,
        posted=request.form if request.method == "POST" else {},
    ), status


@bp.route("/assessments/<int:assessment_id>/review", methods=["GET", "POST"])
@access.requires("assessment.finalise", load=load_assessment)
def review(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Schedule the follow-up review, or complete the scheduled one."""
    if assessment.status == "draft":
        flash(gettext("Only a finalised assessment's plan can be reviewed."), "info")
        return redirect(url_for("results.index", assessment_id=assessment.id))
    if request.method == "GET":
        return _render(assessment)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render(
            assessment, ServiceError("The request could not be accepted. Try again."), 400
        )
    try:
        if request.form.get("step") == "schedule":
            raw = request.form.get("due_on", "").strip()
            due = _date(raw) if raw else None
            if raw and due is None:
                raise ServiceError(
                    "Enter a real date, as year, month and day, like 2027-03-31.", field="due_on"
                )
            progress_review.schedule(assessment, current_user, due)
            flash(gettext("The progress review is scheduled."), "success")
            return redirect(url_for("progress_review.review", assessment_id=assessment.id))
        scheduled = progress_review.open_review(assessment)
        if scheduled is None:
            raise ServiceError("Schedule the review first.")
        updates = {
            a.id: progress_review.ActionUpdate(
                status=request.form.get(f"action-{a.id}", a.status),
                note=request.form.get(f"note-{a.id}", ""),
            )
            for a in progress_review.plan_actions(assessment)
        }
        ratings = {}
        for p in progress_review.practices(assessment, current_locale()):
            raw_level = request.form.get(f"level-{p.question_id}", "")
            ratings[p.question_id] = progress_review.Rating(
                level=int(raw_level) if raw_level.isdigit() else None,
                evidence=request.form.get(f"evidence-{p.question_id}", ""),
            )
        done = progress_review.complete(
            scheduled,
            current_user,
            updates,
            ratings,
            request.form.get("summary", ""),
            current_locale(),
        )
    except ServiceError as refusal:
        return _render(assessment, refusal, 400)
    flash(
        gettext(
            "The progress review is complete. Its report, %(id)s, is stored.", id=done.report_id
        ),
        "success",
    )
    return redirect(url_for("progress_review.review", assessment_id=assessment.id))


@bp.get("/assessments/<int:assessment_id>/review.pdf")
@access.requires("report.view", load=load_assessment)
def review_pdf(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """A completed review's progress PDF (``?review=<id>``) in the person's language, or the one
    asked for with ``?lang=en|cy``; the English copy is the stored, verifiable one."""
    asked = request.args.get("lang")
    locale = known(asked) if asked else current_locale()
    if locale is None:
        abort(400)
    wanted = request.args.get("review", "")
    found = next(
        (
            r
            for r in progress_review.reviews_of(assessment)
            if str(r.id) == wanted and r.status == "completed"
        ),
        None,
    )
    if found is None or found.pdf is None:
        abort(404)
    suffix = "" if locale == progress_review.STORED_LOCALE else f"-{locale}"
    return Response(
        progress_review.pdf_in(found, locale),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{found.report_id}{suffix}.pdf"'},
    )
