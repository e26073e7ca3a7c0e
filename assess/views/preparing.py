"""Work being prepared by ``assess worker`` (only with ``REDIS_URL``): the page that says a report
is being prepared or an assessment finalised, and then offers the download or says what happened.

The page refreshes itself (a small script asks for the state as JSON; without JavaScript, a meta
refresh and a "Check again" link do the same), and its status is an ARIA live region. Only the
person who asked sees a job's page; anyone else gets a 404, as for a job that does not exist.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound, ServiceUnavailable

from assess import access, jobs, security
from assess.errors import render_error
from assess.i18n import translate
from assess.models import Assessment
from assess.services import reports
from assess.views.loaders import load_assessment

bp = Blueprint("preparing", __name__)


def unavailable() -> ResponseReturnValue:
    """The page for when the job queue cannot be reached: nothing was lost, try again later."""
    return render_error(
        ServiceUnavailable(
            _(
                "Reports cannot be prepared just now because the service that prepares them "
                "cannot be reached. Nothing has been lost: try again in a few minutes."
            )
        )
    )


def _state(assessment: Assessment, job_id: str) -> jobs.JobState:
    if not jobs.enabled():  # without a queue there are no jobs
        raise NotFound()
    try:
        state = jobs.state_of(job_id, assessment_id=assessment.id, user_id=current_user.id)
    except Exception as error:  # Redis down: say so rather than fail
        if type(error).__module__.startswith("redis"):
            raise ServiceUnavailable() from error
        raise
    if state is None:
        raise NotFound()
    return state


@bp.get("/assessments/<int:assessment_id>/preparing/<job_id>")
@access.requires("report.view", load=load_assessment)
def status(assessment: Assessment, assessment_id: int, job_id: str) -> ResponseReturnValue:
    """How the job is going; once done, the download (a draft's report) or the stored report
    (finalising)."""
    try:
        state = _state(assessment, job_id)
    except ServiceUnavailable:
        return unavailable()
    if access.wants_json():
        return {"state": state.state, "pending": state.pending, "retried": state.retrying}
    outcome = state.outcome or {}
    if state.kind == jobs.FINALISE and state.state == jobs.DONE:
        if outcome.get("already"):
            flash(_("This assessment is already finalised. Its report is stored below."), "info")
        else:
            flash(
                _(
                    "%(title)s is finalised. Its report, %(report_id)s, is stored and will not "
                    "change.",
                    title=outcome.get("title", assessment.title),
                    report_id=outcome.get("report_id"),
                ),
                "success",
            )
        return redirect(url_for("reports.organisation_reports", org_id=assessment.organisation_id))
    message = translate(outcome["message"]) if outcome.get("message") else None
    response = Response(
        render_template(
            "preparing/status.html",
            assessment=assessment,
            job=state,
            message=message,
            self_url=url_for(".status", assessment_id=assessment.id, job_id=job_id),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/assessments/<int:assessment_id>/preparing/<job_id>/report.pdf")
@access.requires("report.view", load=load_assessment)
def download(assessment: Assessment, assessment_id: int, job_id: str) -> ResponseReturnValue:
    """The draft report the job prepared."""
    try:
        state = _state(assessment, job_id)
    except ServiceUnavailable:
        return unavailable()
    outcome = state.outcome or {}
    if state.kind != jobs.RENDER_DRAFT or state.state != jobs.DONE:
        return redirect(url_for(".status", assessment_id=assessment.id, job_id=job_id))
    reports.note_download(assessment, current_user, "pdf")
    response = Response(outcome["pdf"], mimetype="application/pdf")
    return security.attachment(response, outcome["filename"])
