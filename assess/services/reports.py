"""The gap report of an assessment: gathering its inputs from the database, and rendering them.

The rendering itself (:mod:`assess.reporting`) sees only plain values; this module is where the
database meets it. A draft's report is rendered on request; finalised reports are stored once and
served as stored (see the finalising service).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from flask import current_app, request
from flask_babel import force_locale, gettext

from assess import audit
from assess.i18n import N_, current_locale
from assess.models import Assessment, User
from assess.questionnaire.schema import DEFAULT_LOCALE
from assess.reporting import (
    AnsweredBy,
    ReportInput,
    dump_report_json,
    render_report,
    render_report_with_bilingual,
    report_json,
)
from assess.services import (
    action_plan,
    answer_marks,
    assessments,
    benchmark,
    consultancy,
    surveys,
    trends,
    workshops,
)

#: What a rendering function gives (one PDF's bytes, or the Welsh and bilingual pair).
Rendered = TypeVar("Rendered")

#: The languages a report can be rendered in (the interface's catalogue and the questionnaires'
#: texts exist in both).
REPORT_LOCALES = ("en", "cy")


#: The bilingual report: in Welsh, with page 1 (the summary for the board) in Welsh and English
#: side by side. Stored and offered beside the two languages.
BILINGUAL = "cy-en"
#: Each report language's name, for the lists and the verify page.
LANGUAGE_NAMES = {
    "en": N_("English"),
    "cy": N_("Welsh"),
    BILINGUAL: N_("Welsh, with the summary in Welsh and English"),
}


def language_name(locale: str) -> str:
    """``locale``'s name in the person's language (``Welsh``, ``Cymraeg``)."""
    return gettext(LANGUAGE_NAMES[locale]) if locale in LANGUAGE_NAMES else locale


def report_locale(asked: str | None = None) -> str:
    """The report's language: ``asked`` when it is one of :data:`REPORT_LOCALES`, else the
    person's current language (English when that has no report)."""
    if asked in REPORT_LOCALES:
        return str(asked)
    current = current_locale()
    return current if current in REPORT_LOCALES else DEFAULT_LOCALE


@dataclass(frozen=True)
class RenderedReport:
    """A report as files: the PDF and the JSON embedded in it."""

    report_id: str
    pdf: bytes
    json: bytes
    filename_stem: str


def draft_report_id(assessment: Assessment) -> str:
    """A draft report's id: the assessment and the moment of its last change, so that the same
    answers always give the same id."""
    return f"D-{assessment.id}-{assessment.updated_at:%Y%m%dT%H%M%SZ}"


def _instance_name() -> str:
    configured = current_app.config.get("INSTANCE_NAME")
    if configured:
        return str(configured)
    try:
        return request.host_url.rstrip("/")
    except RuntimeError:  # outside a request (the command line)
        return "assess"


def report_input(
    assessment: Assessment,
    *,
    report_id: str | None = None,
    locale: str = "en",
    status: str | None = None,
    finalised_at: datetime | None = None,
    bilingual_summary: bool = False,
) -> ReportInput:
    """Everything the report of ``assessment`` shows, read from the database as plain values.

    ``status`` and ``finalised_at`` override the assessment's own: finalising renders the report
    as it will be once finalised, before anything is written. Every text is in ``locale`` (in a
    request or not); the figures for the embedded data are scored in English as well, so that
    the data are the same in every language.
    """
    with force_locale(locale):
        report = _report_input(
            assessment,
            report_id=report_id,
            locale=locale,
            status=status,
            finalised_at=finalised_at,
        )
    return replace(report, bilingual_summary=bilingual_summary)


def _report_input(
    assessment: Assessment,
    *,
    report_id: str | None,
    locale: str,
    status: str | None,
    finalised_at: datetime | None,
) -> ReportInput:
    qset = assessments.questionnaires_of(assessment)

    def answered_by(questionnaire_id: str) -> dict[str, AnsweredBy]:
        return {
            qid: AnsweredBy(
                answer=stored.answer,
                answered_by=stored.updated_by or "Former member",
                answered_at=stored.updated_at,
            )
            for qid, stored in assessments.stored_answers(assessment, questionnaire_id).items()
        }

    result = assessments.score(assessment, locale=locale)
    perception = surveys.report_section(assessment, locale)
    in_english = locale == DEFAULT_LOCALE
    return ReportInput(
        report_id=report_id or draft_report_id(assessment),
        organisation_name=assessment.organisation.name,
        organisation_timezone=assessment.organisation.time_zone,
        assessment_id=str(assessment.id),
        assessment_title=assessment.title,
        assessment_scope=assessment.scope,
        status=status or assessment.status,
        created_at=assessment.created_at,
        # Never later than the finalising (the demo finalises last year's assessment backdated).
        updated_at=min(assessment.updated_at, finalised_at or assessment.updated_at),
        finalised_at=finalised_at or assessment.finalised_at,
        definition=qset.definition,
        model_fit=qset.model_fit,
        adoption=qset.adoption,
        definition_answers=answered_by(qset.definition.id),
        model_fit_answers=answered_by(qset.model_fit.id),
        adoption_answers=answered_by(qset.adoption.id),
        chosen_models=tuple(assessment.chosen_models or ()),
        choice_reason=assessment.choice_reason,
        result=result,
        locale=locale,
        instance=_instance_name(),
        workshop=workshops.participation(assessment, locale) or None,
        perception=perception,
        prepared_by=consultancy.prepared_by(assessment),
        marks=[
            {
                "questionnaire_id": m.questionnaire_id,
                "question_id": m.question_id,
                "mark": m.mark,
                "comment": m.comment,
                "by": m.by,
                "at": m.at,
                "changed": m.answer_changed_since,
            }
            for m in answer_marks.marks_for(assessment).values()
        ],
        plan=action_plan.plan_rows(assessment, locale),
        trend=trends.trend(assessment, locale, status=status),
        benchmark=benchmark.report_section(assessment, locale, result),
        data_result=None if in_english else assessments.score(assessment, locale=DEFAULT_LOCALE),
        data_perception=None if in_english else surveys.report_section(assessment, DEFAULT_LOCALE),
    )


def filename_stem(assessment: Assessment) -> str:
    """A file name for downloads: organisation, assessment id and status, in plain ASCII."""
    safe = "".join(c if c.isalnum() else "-" for c in assessment.organisation.name.lower())
    safe = "-".join(part for part in safe.split("-") if part)[:40] or "organisation"
    return f"assess-{safe}-{assessment.id}-{assessment.status}"


def render(
    assessment: Assessment,
    *,
    report_id: str | None = None,
    status: str | None = None,
    finalised_at: datetime | None = None,
    locale: str | None = None,
    bilingual_summary: bool = False,
) -> RenderedReport:
    """Render the report of ``assessment`` now: the PDF and its embedded JSON (``status`` and
    ``finalised_at`` as for :func:`report_input`), in ``locale`` (None: the person's current
    language, see :func:`report_locale`). ``bilingual_summary``: page 1 in Welsh and English
    side by side, the rest in Welsh."""
    report = report_input(
        assessment,
        report_id=report_id,
        status=status,
        finalised_at=finalised_at,
        locale="cy" if bilingual_summary else report_locale(locale),
        bilingual_summary=bilingual_summary,
    )
    return RenderedReport(
        report_id=report.report_id,
        pdf=_render_pdf(report),
        json=dump_report_json(report_json(report)),
        filename_stem=filename_stem(assessment),
    )


def render_welsh_and_bilingual(
    assessment: Assessment,
    *,
    report_id: str | None = None,
    status: str | None = None,
    finalised_at: datetime | None = None,
) -> tuple[RenderedReport, RenderedReport]:
    """The report of ``assessment`` in Welsh and the bilingual report (as :func:`render` gives
    them with ``locale="cy"`` and with ``bilingual_summary=True``), laid out together: they differ
    only on page 1 (see :func:`~assess.reporting.render.render_report_with_bilingual`)."""
    report = report_input(
        assessment, report_id=report_id, status=status, finalised_at=finalised_at, locale="cy"
    )
    welsh, bilingual = _render_pdfs_with_bilingual(report)
    data = dump_report_json(report_json(report))
    stem = filename_stem(assessment)
    return (
        RenderedReport(report_id=report.report_id, pdf=welsh, json=data, filename_stem=stem),
        RenderedReport(report_id=report.report_id, pdf=bilingual, json=data, filename_stem=stem),
    )


def _render_pdf(report: ReportInput) -> bytes:
    """The PDF of ``report`` (see :func:`_within_ceilings`)."""
    return _within_ceilings(render_report, report)


def _render_pdfs_with_bilingual(report: ReportInput) -> tuple[bytes, bytes]:
    """The Welsh and bilingual PDFs of ``report`` (see :func:`_within_ceilings`)."""
    return _within_ceilings(render_report_with_bilingual, report)


def _within_ceilings(render: Callable[[ReportInput], Rendered], report: ReportInput) -> Rendered:
    """``render(report)`` in this process, or in ``assess worker`` within its ceilings (raises
    :class:`~assess.reporting.bounded.RenderLimitExceeded` past them)."""
    config = current_app.config
    if not config.get("REPORT_RENDER_BOUNDED"):
        return render(report)
    from assess.reporting.bounded import render_within

    return render_within(
        render,
        report,
        memory_mb=int(config["REPORT_RENDER_MEMORY_MB"]),
        seconds=float(config["REPORT_RENDER_TIMEOUT"]),
    )


def data(assessment: Assessment) -> bytes:
    """Just the machine-readable data of the report (the same bytes the PDF embeds)."""
    return dump_report_json(report_json(report_input(assessment)))


def note_download(assessment: Assessment, user: User, kind: str) -> None:
    """Record in the audit trail that ``user`` downloaded the report (``kind``: pdf or json)."""
    audit.record_now(
        audit.REPORT_DOWNLOADED,
        organisation_id=assessment.organisation_id,
        actor=user,
        object_type="assessment",
        object_id=assessment.id,
        detail={"format": kind, "status": assessment.status},
    )
