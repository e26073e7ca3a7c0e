"""Finalising an assessment (after a confirmation listing what is unanswered), and opening a
correction of a finalised one. Admins only: ``assessment.finalise``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from werkzeug.routing import BuildError

from assess import access, jobs
from assess.i18n import translate
from assess.models import Assessment
from assess.services import finalising
from assess.services.assessments import AssessmentClosed
from assess.views.forms.reports import ConfirmForm
from assess.views.loaders import load_assessment

bp = Blueprint("finalising", __name__)


def assessment_url(assessment: Assessment) -> str:
    """The assessment's own page, where answering happens; its organisation's reports until the
    answering pages are there."""
    try:
        return url_for("assessments.overview", assessment_id=assessment.id)
    except BuildError:
        return url_for("reports.organisation_reports", org_id=assessment.organisation_id)


def _reports_url(assessment: Assessment) -> str:
    return url_for("reports.organisation_reports", org_id=assessment.organisation_id)


@bp.route("/assessments/<int:assessment_id>/finalise", methods=["GET", "POST"])
@access.requires("assessment.finalise", load=load_assessment)
def finalise(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Confirm, then finalise: the report is stored and the answers can no longer change."""
    if not assessment.is_draft:
        flash(gettext("This assessment is already finalised. Its report is stored below."), "info")
        return redirect(_reports_url(assessment))
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        if jobs.enabled():
            return _finalise_in_worker(assessment)
        try:
            stored = finalising.finalise(assessment, current_user)
        except AssessmentClosed:
            flash(
                gettext("This assessment is already finalised. Its report is stored below."), "info"
            )
            return redirect(_reports_url(assessment))
        except finalising.FinaliseError as refusal:
            error = translate(refusal.message)
        else:
            flash(
                gettext(
                    "%(title)s is finalised. Its report, %(report)s, is stored and will not "
                    "change.",
                    title=assessment.title,
                    report=stored.report_id,
                ),
                "success",
            )
            return redirect(_reports_url(assessment))
    return render_template(
        "reports/finalise.html",
        assessment=assessment,
        form=form,
        error=error,
        open_questionnaires=finalising.unanswered(assessment),
        section_path=lambda q, s: f"/assessments/{assessment.id}/{q}/{s}",
        check_path=lambda q: f"/assessments/{assessment.id}/{q}/check",
    ), (400 if error else 200)


def _finalise_in_worker(assessment: Assessment) -> ResponseReturnValue:
    """A worker renders and stores the report; a page says it is being prepared."""
    from assess.views import preparing

    try:
        job_id = jobs.request_finalise(assessment.id, current_user.id)
    except Exception as failure:
        if not type(failure).__module__.startswith("redis"):
            raise
        return preparing.unavailable()
    return redirect(url_for("preparing.status", assessment_id=assessment.id, job_id=job_id))


@bp.post("/assessments/<int:assessment_id>/correction")
@access.requires("assessment.finalise", load=load_assessment)
def correction(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Open a correction of a finalised assessment: a new version with its answers copied."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(gettext("The request could not be accepted. Try again."), "error")
        return redirect(_reports_url(assessment))
    try:
        new = finalising.open_correction(assessment, current_user)
    except finalising.CorrectionError as refusal:
        flash(translate(refusal.message), "error")
        return redirect(_reports_url(assessment))
    flash(
        gettext(
            "Version %(version)s of %(title)s is open, with every answer copied from version "
            "%(previous)s. Change what needs correcting, then finalise it: version %(previous)s "
            "will then be marked superseded.",
            version=new.version,
            title=new.title,
            previous=new.version - 1,
        ),
        "success",
    )
    return redirect(assessment_url(new))
