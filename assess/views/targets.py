"""Lowering targets: an admin sets a proportionate target for an area, with a reason
(``assessment.finalise``: admins only). Everyone who can see the results sees the lowered targets
there and in the report."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from assess import access
from assess.figures import profile_rows
from assess.i18n import current_locale, translate
from assess.models import Assessment
from assess.services import ServiceError, assessments, targets
from assess.services.assessments import AssessmentClosed
from assess.views.loaders import load_assessment

bp = Blueprint("targets", __name__)


def _render(
    assessment: Assessment, error: str | None = None, field: str | None = None, status: int = 200
) -> ResponseReturnValue:
    result = assessments.score(assessment, current_locale())
    qset = assessments.questionnaires_of(assessment)
    return render_template(
        "assessments/targets.html",
        assessment=assessment,
        rows=profile_rows(result),
        levels=qset.adoption.levels or {},
        locale=current_locale(),
        error=error,
        error_field=field,
        form=request.form if error else {},
        reason_max=targets.REASON_MAX_LENGTH,
    ), status


@bp.get("/assessments/<int:assessment_id>/targets")
@access.requires("assessment.finalise", load=load_assessment)
def edit(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Each area's target, the method's target, and a form to lower one with a reason."""
    return _render(assessment)


@bp.post("/assessments/<int:assessment_id>/targets")
@access.requires("assessment.finalise", load=load_assessment)
def save(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Lower one area's target, or go back to the method's."""
    dimension = request.form.get("dimension") or ""
    try:
        if request.form.get("action") == "restore":
            targets.restore(assessment, current_user, dimension)
            flash(gettext("The target set by the method applies again."), "success")
        else:
            targets.lower(
                assessment,
                current_user,
                dimension,
                request.form.get("level") or "",
                request.form.get("reason") or "",
            )
            flash(gettext("The lower target and its reason are saved."), "success")
    except AssessmentClosed:
        flash(gettext("This assessment is finalised, so its targets can no longer change."), "info")
        return redirect(url_for("results.index", assessment_id=assessment.id))
    except ServiceError as error:
        return _render(assessment, translate(error.message), error.field, 400)
    return redirect(url_for("targets.edit", assessment_id=assessment.id))
