"""The gap report: downloads (PDF and JSON), an organisation's finalised reports, and verifying a
report file.

A draft's report is rendered on request. A finalised (or superseded) assessment's report is the
stored file, served byte for byte without rendering; its ETag is the file's SHA-256.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from assess import access, jobs, limits, security, uploads
from assess.errors import render_error
from assess.i18n import translate
from assess.models import Assessment, Organisation, User
from assess.services import finalising, reports
from assess.views.forms.reports import ConfirmForm, VerifyForm
from assess.views.loaders import load_assessment, load_organisation
from assess.views.util import list_page

bp = Blueprint("reports", __name__)


def _signed_in() -> User | None:
    return current_user if current_user.is_authenticated else None


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    return security.attachment(Response(body, mimetype=mimetype), filename)


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@access.requires("report.view", load=load_assessment)
def report_pdf(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The gap report as a PDF file: the stored one once finalised, else rendered now (or, with a
    job queue, by a worker while a page says it is being prepared). A draft is rendered in the
    person's language, or in the one asked for (``?lang=en`` or ``?lang=cy``)."""
    stem = reports.filename_stem(assessment)
    bilingual = (
        request.args.get("summary") == "bilingual" or request.args.get("lang") == reports.BILINGUAL
    )
    locale = reports.BILINGUAL if bilingual else reports.report_locale(request.args.get("lang"))
    stored = None if assessment.is_draft else finalising.stored_report(assessment)
    if stored is None and jobs.enabled():
        from assess.views import preparing

        try:
            job_id = jobs.request_draft_report(assessment.id, current_user.id, locale)
        except Exception as error:
            if not type(error).__module__.startswith("redis"):
                raise
            current_app.logger.exception("the job queue cannot be reached")
            return preparing.unavailable()
        return redirect(
            url_for("preparing.status", assessment_id=assessment.id, job_id=job_id), 303
        )
    reports.note_download(assessment, current_user, "pdf")
    if stored is None:
        rendered = reports.render(
            assessment,
            locale=None if bilingual else locale,
            bilingual_summary=bilingual,
        )
        suffix = "" if locale == "en" else f"-{locale}"
        return _attachment(rendered.pdf, "application/pdf", f"{stem}{suffix}.pdf")
    # A finalised report is stored in English and Welsh: the one in the language asked for.
    pdf, sha256, stored_locale = finalising.stored_in(stored, locale)
    suffix = "" if stored_locale == "en" else f"-{stored_locale}"
    response = _attachment(pdf, "application/pdf", f"{stem}{suffix}.pdf")
    response.set_etag(sha256)
    return response


@bp.get("/assessments/<int:assessment_id>/report.json")
@access.requires("report.view", load=load_assessment)
def report_data(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The report's data: the same JSON that the PDF carries as an attachment."""
    reports.note_download(assessment, current_user, "json")
    stored = None if assessment.is_draft else finalising.stored_report(assessment)
    body = finalising.stored_data(stored) if stored else reports.data(assessment)
    return _attachment(body, "application/json", f"{reports.filename_stem(assessment)}.json")


@bp.get("/organisations/<int:org_id>/reports")
@access.requires("report.view", load=load_organisation)
def organisation_reports(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Every finalised report of the organisation, current and superseded, a page at a time."""
    page = list_page(
        lambda **cursor: finalising.reports_page(organisation.id, **cursor),
        lambda **cursor: url_for("reports.organisation_reports", org_id=organisation.id, **cursor),
    )
    return render_template(
        "reports/list.html",
        organisation=organisation,
        stored_reports=page.items,
        next_url=page.next_url,
        previous_url=page.previous_url,
        page_error=page.error,
        form=ConfirmForm(),
        language_name=reports.language_name,
    ), page.status


@bp.route("/verify", methods=["GET", "POST"])
@access.public
@limits.per_address("RATELIMIT_VERIFY")
@uploads.accepts_upload("REPORT_VERIFY_MAX_BYTES")
def verify() -> ResponseReturnValue:
    """Check a PDF: is it, unaltered, a finalised report of this instance? Open to everyone: an
    auditor years later may have no account here."""
    form = VerifyForm()
    limit = current_app.config["REPORT_VERIFY_MAX_BYTES"]
    if form.validate_on_submit():
        content = form.report.data.stream.read(limit + 1)
        if len(content) > limit:
            form.report.errors.append(_too_large_message(limit))
        elif not content.startswith(b"%PDF-"):
            form.report.errors.append(
                gettext(
                    "The file is not a PDF. Choose the report's PDF file (its name ends in .pdf)."
                )
            )
        else:
            result = finalising.verify(content, by=_signed_in())
            return render_template(
                "reports/verified.html",
                result=result,
                summary=translate(result.summary()),
                language_name=reports.language_name,
            )
    status = 400 if request.method == "POST" else 200
    return render_template("reports/verify.html", form=form, limit=limit), status


def _too_large_message(limit: int) -> str:
    return gettext(
        "The file is larger than %(size)s MB, so it cannot be an assess report. Choose the "
        "report's PDF file.",
        size=f"{limit / (1024 * 1024):.0f}",
    )


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A file far over the limit is refused before it is read: say so on the verify page."""
    if request.endpoint != "reports.verify":
        return render_error(error)
    limit = current_app.config["REPORT_VERIFY_MAX_BYTES"]
    form = VerifyForm(formdata=None)
    form.report.errors = [_too_large_message(limit)]
    return render_template("reports/verify.html", form=form, limit=limit), 413
