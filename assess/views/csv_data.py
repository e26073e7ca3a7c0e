"""An assessment as spreadsheets: the answers, register and action plan as CSV files to download,
and answers from a paper or offline session brought in from a filled-in template.

Reading needs ``assessment.view`` (and the plan ``plan.view``); the template, the upload and its
confirmation need ``assessment.answer``, the same right as answering on the pages. The upload's
preview is the answer to the upload itself: nothing is kept on the server, and the answers to
store travel to the confirmation in a signed token bound to the person and the assessment
(see :mod:`assess.services.csv_import`).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import current_user

from assess import access, security
from assess.i18n import current_locale, translate
from assess.models import Assessment
from assess.questionnaire.answers import Answer, Status
from assess.services import csv_data, csv_import
from assess.services.assessments import AssessmentClosed
from assess.views.forms.csv import ConfirmImportForm, ImportForm
from assess.views.loaders import load_assessment

bp = Blueprint("csv_data", __name__)


def _can(permission: str, assessment: Assessment) -> bool:
    return access.can(permission, assessment.organisation_id)


def _csv(text: str, filename: str) -> Response:
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.charset = "utf-8"
    return security.attachment(response, filename)


def _describe(answer: Answer) -> str:
    """An answer from the file in a few words, one part a line."""
    if answer.status is Status.NOT_APPLICABLE:
        lines = [gettext("Not applicable")]
    elif answer.status is Status.DONT_KNOW:
        lines = [gettext("Don't know")]
    elif isinstance(answer.value, int) and not isinstance(answer.value, bool):
        lines = [gettext("Level %(level)d", level=answer.value)]
    elif isinstance(answer.value, tuple):
        lines = ["; ".join(str(v) for v in answer.value)]
    else:
        lines = [str(answer.value)] if answer.value else []
    if answer.criteria:
        met = [c.key for c in answer.criteria if c.met]
        lines.append(
            gettext("Criteria met: %(keys)s", keys=", ".join(met))
            if met
            else gettext("No criteria met")
        )
    if answer.note:
        lines.append(gettext("Note: %(note)s", note=answer.note))
    return "\n".join(lines)


def _page(
    assessment: Assessment,
    form: ImportForm | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "csv_data/index.html",
        assessment=assessment,
        form=form or ImportForm(formdata=None),
        problems=problems or [],
        can_answer=_can("assessment.answer", assessment),
        can_see_plan=_can("plan.view", assessment),
        max_kb=csv_import.MAX_BYTES // 1000,
        max_rows=csv_import.MAX_ROWS,
    ), status


def _closed(assessment: Assessment) -> ResponseReturnValue:
    return _page(
        assessment,
        problems=[
            gettext(
                "This assessment has been finalised, so no answers can be brought in. Its "
                "answers can still be downloaded."
            )
        ],
        status=409,
    )


@bp.get("/assessments/<int:assessment_id>/spreadsheets")
@access.requires("assessment.view", load=load_assessment)
def index(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The downloads, and the way to bring in a filled-in template."""
    return _page(assessment)


@bp.get("/assessments/<int:assessment_id>/answers.csv")
@access.requires("assessment.view", load=load_assessment)
def answers_csv(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """One row per stored answer."""
    text = csv_data.answers_text(assessment, current_locale())
    return _csv(text, f"assessment-{assessment.id}-answers.csv")


@bp.get("/assessments/<int:assessment_id>/register.csv")
@access.requires("assessment.view", load=load_assessment)
def register_csv(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """One row per group of the stakeholder register."""
    text = csv_data.register_text(assessment, current_locale())
    return _csv(text, f"assessment-{assessment.id}-register.csv")


@bp.get("/assessments/<int:assessment_id>/import/template.csv")
@access.requires("assessment.answer", load=load_assessment)
def template(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The questions to fill in, with the answers stored now."""
    text = csv_import.template_text(assessment, current_locale(), gettext)
    return _csv(text, f"assessment-{assessment.id}-template.csv")


@bp.post("/assessments/<int:assessment_id>/import")
@access.requires("assessment.answer", load=load_assessment)
def upload(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Read the uploaded file and show what it would store, row by row; store nothing."""
    if not assessment.is_draft:
        return _closed(assessment)
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(assessment, form, status=400)
    upload_ = form.file.data
    name = upload_.filename or "upload.csv"
    if not name.lower().endswith((".csv", ".txt")):
        form.file.errors = [gettext("Choose a CSV file: its name ends in .csv.")]
        return _page(assessment, form, status=400)
    content = upload_.stream.read(csv_import.MAX_BYTES + 1)
    preview = csv_import.preview(assessment, content, name, current_locale())
    token = ""
    problems = [translate(p) for p in preview.file_problems]
    if preview.ok and preview.changes:
        token = csv_import.sign(preview, assessment, current_user, current_app.config["SECRET_KEY"])
        if len(token) > csv_import.MAX_TOKEN:
            token = ""
            problems.append(
                gettext(
                    "The file holds too much text to store in one go. Split its rows into two "
                    "files and upload each."
                )
            )
    if problems and not preview.rows:
        form.file.errors = problems
        return _page(assessment, form, status=400)
    return render_template(
        "csv_data/preview.html",
        assessment=assessment,
        preview=preview,
        problems=problems,
        confirm_form=ConfirmImportForm(formdata=None, token=token) if token else None,
        form=ImportForm(formdata=None),
        letters=preview.letters,
        translate=translate,
        describe_answer=_describe,
    ), (200 if preview.ok else 422)


@bp.post("/assessments/<int:assessment_id>/import/confirm")
@access.requires("assessment.answer", load=load_assessment)
def confirm(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Store the previewed answers, all or nothing."""
    if not assessment.is_draft:
        return _closed(assessment)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return _page(
            assessment,
            problems=[gettext("The preview could not be read. Upload the file again.")],
            status=400,
        )
    try:
        imported = csv_import.confirm(
            assessment, current_user, form.token.data, current_app.config["SECRET_KEY"]
        )
    except AssessmentClosed:
        return _closed(assessment)
    except csv_import.ImportRefused as refused:
        return _page(assessment, problems=[translate(str(refused.args[0]))], status=409)
    flash(
        ngettext(
            "%(num)d answer stored from the file.",
            "%(num)d answers stored from the file.",
            imported.saved,
        ),
        "success",
    )
    return redirect(url_for("assessments.overview", assessment_id=assessment.id))
