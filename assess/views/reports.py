"""Downloading the gap report (PDF) and its data (JSON)."""

from __future__ import annotations

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue

from assess import access
from assess.models import Assessment
from assess.services import reports
from assess.views.loaders import load_assessment

bp = Blueprint("reports", __name__)


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/assessments/<int:assessment_id>/report.pdf")
@access.requires("report.view", load=load_assessment)
def report_pdf(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The gap report as a PDF file."""
    rendered = reports.render(assessment)
    return _attachment(rendered.pdf, "application/pdf", f"{rendered.filename_stem}.pdf")


@bp.get("/assessments/<int:assessment_id>/report.json")
@access.requires("report.view", load=load_assessment)
def report_data(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The report's data: the same JSON that the PDF carries as an attachment."""
    body = reports.data(assessment)
    return _attachment(body, "application/json", f"{reports.filename_stem(assessment)}.json")
