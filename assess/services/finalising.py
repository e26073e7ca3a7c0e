"""Finalising an assessment, storing its report, verifying a report file, and corrections.

Finalising renders the report once, as it will be once finalised, and then in one transaction
marks the assessment finalised and stores the PDF with its SHA-256. If rendering fails, or the
answers changed while it ran, nothing is written. From then on the answers cannot change (this
module and the answering service refuse, and so do the database's triggers), and every download is
the stored file, byte for byte.

A body corrects a finalised assessment by opening a correction: a new draft, the next version,
with every answer copied. Finalising the correction marks the earlier assessment superseded and
its stored report superseded by the new one. Nothing is ever deleted: the earlier report stays
downloadable and verifiable, and says it was superseded.

Verifying a file looks up its SHA-256 among the stored reports. A file that is not found is opened
(carefully: it may be anything) to say whether it is an assess report that has been changed or
comes from another instance, a draft, or not an assess report at all.
"""

from __future__ import annotations

import hashlib
import io
import json
import zlib
from dataclasses import dataclass
from datetime import datetime

import pikepdf
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from assess import audit, db, pagination
from assess.models import (
    AnswerRecord,
    Assessment,
    StoredReport,
    StoredReportLanguage,
    TargetOverride,
    User,
)
from assess.questionnaire.answers import Status
from assess.questionnaire.validation import Message, visible_questions
from assess.reporting.data import FILENAME, FORMAT
from assess.services import ServiceError, assessments, reports
from assess.services.assessments import AssessmentClosed

#: The largest embedded JSON read from a file being verified, once decompressed.
MAX_EMBEDDED_JSON = 16 * 1024 * 1024


class FinaliseError(ServiceError):
    """The assessment cannot be finalised now (the message says why)."""


class CorrectionError(ServiceError):
    """A correction cannot be opened for this assessment (the message says why)."""


# ---- what is still open ---------------------------------------------------------------------


@dataclass(frozen=True)
class OpenQuestion:
    """A question shown to the body that has no real answer yet."""

    questionnaire_id: str
    section_id: str
    section_title: str
    question_id: str
    text: str
    #: "unanswered" or "dont_know".
    state: str


@dataclass(frozen=True)
class OpenQuestionnaire:
    """One questionnaire's open questions, in the order they are asked."""

    questionnaire_id: str
    title: str
    questions: tuple[OpenQuestion, ...]


def unanswered(assessment: Assessment, locale: str = "en") -> list[OpenQuestionnaire]:
    """Per questionnaire, the visible questions with no answer or "don't know" (for the
    confirmation before finalising). "Not applicable" is an answer, and hidden questions are not
    asked, so neither is listed."""
    result = []
    for questionnaire in assessments.questionnaires_of(assessment):
        given = assessments.answers(assessment, questionnaire.id)
        visible = visible_questions(questionnaire, given)
        open_questions = []
        for section, question in questionnaire.questions():
            if question.id not in visible:
                continue
            answer = given.get(question.id)
            if answer is not None and answer.status is Status.DONT_KNOW:
                state = "dont_know"
            elif answer is None or (answer.status is Status.ANSWERED and not answer.is_answered):
                state = "unanswered"
            else:
                continue
            open_questions.append(
                OpenQuestion(
                    questionnaire_id=questionnaire.id,
                    section_id=section.id,
                    section_title=section.title.get(locale),
                    question_id=question.id,
                    text=question.text.get(locale),
                    state=state,
                )
            )
        result.append(
            OpenQuestionnaire(
                questionnaire.id, questionnaire.title.get(locale), tuple(open_questions)
            )
        )
    return result


# ---- finalising ------------------------------------------------------------------------------


def report_id_for(assessment: Assessment, finalised_at: datetime) -> str:
    """The id of an assessment's finalised report: the year and the assessment, "R-2026-000042".

    An assessment is finalised once, so the id is unique without asking the database.
    """
    return f"R-{finalised_at:%Y}-{assessment.id:06d}"


def finalise(
    assessment: Assessment, user: User, *, finalised_at: datetime | None = None
) -> StoredReport:
    """Finalise ``assessment``: render its report once, store it, make the answers read-only.

    ``finalised_at`` dates the finalising earlier than now (the demo's last-year assessment): the
    report, its id and the assessment carry that date, and its last change is no later; the
    audit event is dated now, as every event is, and records the date given.

    A correction's earlier version becomes superseded in the same transaction. Raises
    :class:`~assess.services.assessments.AssessmentClosed` when it is not a draft and
    :class:`FinaliseError` when its answers changed while the report was rendered; if rendering
    fails, the error propagates and nothing has changed.
    """
    if not assessment.is_draft:
        raise AssessmentClosed(assessment.id)
    session = db.session()
    seen = assessment.updated_at
    now = finalised_at or db.utcnow()
    report_id = report_id_for(assessment, now)
    rendered = reports.render(
        assessment, report_id=report_id, status="finalised", finalised_at=now, locale="en"
    )
    # The same report in Welsh and bilingual, stored with it: laid out together, as they differ
    # only on page 1.
    welsh, bilingual = reports.render_welsh_and_bilingual(
        assessment, report_id=report_id, status="finalised", finalised_at=now
    )
    others = {"cy": welsh, reports.BILINGUAL: bilingual}
    stored = StoredReport(
        assessment_id=assessment.id,
        report_id=rendered.report_id,
        sha256=hashlib.sha256(rendered.pdf).hexdigest(),
        data_sha256=hashlib.sha256(rendered.json).hexdigest(),
        pdf=rendered.pdf,
        size=len(rendered.pdf),
        created_at=now,
    )
    try:
        # Only a draft unchanged since the rendering began: a save that landed meanwhile would
        # not be in the report.
        changed = session.execute(
            update(Assessment)
            .where(
                Assessment.id == assessment.id,
                Assessment.status == "draft",
                Assessment.updated_at == seen,
            )
            .values(
                status="finalised",
                finalised_at=now,
                finalised_by_id=user.id,
                **({} if finalised_at is None else {"updated_at": min(seen, now)}),
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise FinaliseError(
                "The assessment changed while its report was being prepared, so it was not "
                "finalised. Check the answers and finalise it again."
            )
        session.add(stored)
        session.flush()
        for locale, other in others.items():
            session.add(
                StoredReportLanguage(
                    stored_report_id=stored.id,
                    locale=locale,
                    sha256=hashlib.sha256(other.pdf).hexdigest(),
                    pdf=other.pdf,
                    size=len(other.pdf),
                    created_at=now,
                )
            )
        session.flush()
        audit.record(
            audit.ASSESSMENT_FINALISED,
            organisation_id=assessment.organisation_id,
            actor=user,
            object_type="assessment",
            object_id=assessment.id,
            new="finalised",
            detail={
                "report_id": stored.report_id,
                "sha256": stored.sha256,
                # Which languages were stored, each with its file's SHA-256.
                "languages": {
                    "en": stored.sha256,
                    **{x.locale: x.sha256 for x in stored.languages},
                },
            }
            | ({} if finalised_at is None else {"finalised_at": now.isoformat()}),
        )
        if assessment.supersedes_id is not None:
            _supersede(assessment.supersedes_id, stored, now, user)
        session.commit()
    except Exception:
        session.rollback()
        raise
    session.refresh(assessment)
    return stored


def _supersede(earlier_id: int, replacement: StoredReport, now: datetime, user: User) -> None:
    session = db.session()
    changed = session.execute(
        update(Assessment)
        .where(Assessment.id == earlier_id, Assessment.status == "finalised")
        .values(status="superseded")
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise FinaliseError("The version this corrects is no longer the current one.")
    earlier = session.scalar(select(StoredReport).where(StoredReport.assessment_id == earlier_id))
    assert earlier is not None, "a finalised assessment always has its stored report"
    earlier.superseded_at = now
    earlier.superseded_by_id = replacement.id
    session.flush()
    audit.record(
        audit.ASSESSMENT_SUPERSEDED,
        organisation_id=earlier.assessment.organisation_id,
        actor=user,
        object_type="assessment",
        object_id=earlier_id,
        old="finalised",
        new="superseded",
        detail={"report_id": earlier.report_id, "superseded_by": replacement.report_id},
    )


# ---- stored reports --------------------------------------------------------------------------


def stored_report(assessment: Assessment) -> StoredReport | None:
    """The stored report of a finalised or superseded assessment; None for a draft."""
    return db.session().scalar(
        select(StoredReport).where(StoredReport.assessment_id == assessment.id)
    )


def reports_of(organisation_id: int) -> list[StoredReport]:
    """Every stored report of the organisation, newest first (without loading the PDFs)."""
    query = (
        select(StoredReport)
        .join(StoredReport.assessment)
        .where(Assessment.organisation_id == organisation_id)
        .options(joinedload(StoredReport.assessment), joinedload(StoredReport.superseded_by))
        .order_by(StoredReport.created_at.desc(), StoredReport.id.desc())
    )
    return list(db.session().scalars(query))


#: Reports on one page of the organisation's list.
REPORTS_PER_PAGE = 20


def reports_page(
    organisation_id: int, *, after: str | None = None, before: str | None = None
) -> pagination.Window[StoredReport]:
    """A page of the organisation's stored reports, newest first (without loading the PDFs);
    keyset on (finalised, id). Raises :class:`pagination.BadCursor`."""
    return pagination.page(
        select(StoredReport)
        .join(StoredReport.assessment)
        .where(Assessment.organisation_id == organisation_id)
        .options(
            contains_eager(StoredReport.assessment),
            joinedload(StoredReport.superseded_by),
            selectinload(StoredReport.languages),
        ),
        [(StoredReport.created_at, pagination.DESC), (StoredReport.id, pagination.DESC)],
        after=after,
        before=before,
        size=REPORTS_PER_PAGE,
    )


def stored_in(report: StoredReport, locale: str) -> tuple[bytes, str, str]:
    """The stored PDF of ``report`` in ``locale`` (English when it was not stored in that
    language): its bytes, SHA-256 and language."""
    for other in report.languages:
        if other.locale == locale:
            return other.pdf, other.sha256, other.locale
    return report.pdf, report.sha256, "en"


def stored_data(report: StoredReport) -> bytes:
    """The JSON embedded in a stored report, as the PDF carries it."""
    data = embedded_data(report.pdf)
    assert data is not None, "a stored report always carries its data"
    return data


def embedded_data(pdf: bytes) -> bytes | None:
    """The bytes of the ``assessment.json`` attached to ``pdf``, or None when there is none or
    the file cannot be read. Safe on any input: a damaged or hostile file gives None."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            spec = document.attachments.get(FILENAME)
            if spec is None:
                return None
            stream = spec.get_file().obj
            raw = stream.read_raw_bytes()
            filters = stream.get("/Filter")
            if filters is None:
                return raw if len(raw) <= MAX_EMBEDDED_JSON else None
            if filters != pikepdf.Name.FlateDecode or "/DecodeParms" in stream:
                return None
            # Decompress with a ceiling: a small file must not expand into gigabytes.
            inflater = zlib.decompressobj()
            data = inflater.decompress(raw, MAX_EMBEDDED_JSON)
            return None if inflater.unconsumed_tail else data
    except Exception:  # pikepdf and zlib raise many kinds of errors on damaged input
        return None


# ---- verifying -------------------------------------------------------------------------------

#: current and superseded are verified; the rest are not.
OUTCOMES = ("current", "superseded", "altered", "draft", "not_a_report", "not_pdf")


@dataclass(frozen=True)
class Verification:
    """What verifying a file found."""

    #: One of :data:`OUTCOMES`.
    outcome: str
    #: SHA-256 of the file checked.
    sha256: str
    size: int
    #: The report id, from the stored report or read from the file.
    report_id: str | None = None
    organisation: str | None = None
    assessment_title: str | None = None
    assessment_id: int | None = None
    version: int | None = None
    finalised_at: datetime | None = None
    #: Fingerprint of the data: the stored one when found, else of the data inside the file.
    data_sha256: str | None = None
    superseded_at: datetime | None = None
    superseded_by: str | None = None
    #: For an altered file: this instance stored a report with the id the file names.
    known_here: bool = False
    #: For an altered file that this instance knows: the data inside is still the stored data.
    data_matches: bool = False
    time_zone: str | None = None
    #: For a verified file: the language of its words ("en" or "cy").
    locale: str | None = None
    #: The file is an assessment's progress review, not its report.
    progress_review: bool = False

    @property
    def verified(self) -> bool:
        """The file is, byte for byte, a report this instance finalised and stored."""
        return self.outcome in ("current", "superseded")

    def summary(self) -> Message:
        """The verdict in one or two plain sentences (translated where it is shown)."""
        if self.outcome == "current":
            return Message(
                "Verified: this is an unaltered finalised report of this instance, report "
                "%(report)s. It is the current version.",
                report=self.report_id,
            )
        if self.outcome == "superseded":
            return Message(
                "Verified: this is an unaltered finalised report of this instance, report "
                "%(report)s. It has been superseded by report %(later)s.",
                report=self.report_id,
                later=self.superseded_by,
            )
        if self.outcome == "altered" and self.known_here and self.data_matches:
            return Message(
                "Not verified: this looks like report %(report)s of this instance, but it is not "
                "the file this instance stored. It has been changed. The data inside is the "
                "stored data, so the change is elsewhere in the file.",
                report=self.report_id,
            )
        if self.outcome == "altered" and self.known_here:
            return Message(
                "Not verified: this looks like report %(report)s of this instance, but it is not "
                "the file this instance stored. It has been changed.",
                report=self.report_id,
            )
        if self.outcome == "altered":
            return Message(
                "Not verified: this looks like an assess report (report %(report)s), but it is "
                "not a file this instance stored: it has been changed, or it comes from another "
                "instance.",
                report=self.report_id,
            )
        if self.outcome == "draft":
            return Message(
                "Not verified: this is a draft report (%(report)s). Drafts are not stored and "
                "cannot be verified; only finalised reports can.",
                report=self.report_id,
            )
        if self.outcome == "not_pdf":
            return Message("Not verified: this is not a PDF file.")
        return Message("Not verified: this is not an assess report.")


def verify(pdf: bytes, *, by: User | None = None) -> Verification:
    """Say whether ``pdf`` is, byte for byte, a finalised report this instance stored: of which
    organisation and assessment, and whether it has been superseded. Never raises on bad input."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    session = db.session()
    stored = session.scalar(
        select(StoredReport)
        .where(StoredReport.sha256 == sha256)
        .options(joinedload(StoredReport.assessment), joinedload(StoredReport.superseded_by))
    )
    language = None
    if stored is None:
        language = session.scalar(
            select(StoredReportLanguage)
            .where(StoredReportLanguage.sha256 == sha256)
            .options(
                joinedload(StoredReportLanguage.stored_report).joinedload(StoredReport.assessment)
            )
        )
        stored = language.stored_report if language is not None else None
    review = None if stored is not None else _progress_review(sha256)
    if stored is not None:
        result = _found(stored, sha256, language)
    elif review is not None:
        result = review
    elif not pdf.startswith(b"%PDF-"):
        result = Verification("not_pdf", sha256, len(pdf))
    else:
        result = _not_found(pdf, sha256)
    audit.record_now(
        audit.REPORT_VERIFIED,
        organisation_id=stored.assessment.organisation_id
        if stored is not None
        else (progress_organisation(sha256) if review is not None else None),
        actor=by,
        object_type="report",
        object_id=result.report_id,
        detail={"outcome": result.outcome, "sha256": sha256},
    )
    return result


def progress_organisation(sha256: str) -> int | None:
    """The organisation of the progress review stored with this SHA-256."""
    from assess.services import progress_review

    review = progress_review.find_by_sha256(sha256)
    return review.organisation_id if review else None


def _progress_review(sha256: str) -> Verification | None:
    """A completed progress review stored with this SHA-256, verified like a report."""
    from assess.services import progress_review

    review = progress_review.find_by_sha256(sha256)
    if review is None:
        return None
    assessment = review.assessment
    return Verification(
        outcome="current",
        sha256=sha256,
        size=review.size or 0,
        report_id=review.report_id,
        organisation=assessment.organisation.name,
        assessment_title=assessment.title,
        progress_review=True,
        assessment_id=assessment.id,
        version=assessment.version,
        finalised_at=review.completed_at,
        time_zone=assessment.organisation.time_zone,
    )


def _found(
    stored: StoredReport, sha256: str, language: StoredReportLanguage | None = None
) -> Verification:
    assessment = stored.assessment
    return Verification(
        outcome="superseded" if stored.is_superseded else "current",
        sha256=sha256,
        size=language.size if language is not None else stored.size,
        locale=language.locale if language is not None else "en",
        report_id=stored.report_id,
        organisation=assessment.organisation.name,
        assessment_title=assessment.title,
        assessment_id=assessment.id,
        version=assessment.version,
        finalised_at=assessment.finalised_at,
        data_sha256=stored.data_sha256,
        superseded_at=stored.superseded_at,
        superseded_by=stored.superseded_by.report_id if stored.superseded_by else None,
        time_zone=assessment.organisation.time_zone,
    )


def _not_found(pdf: bytes, sha256: str) -> Verification:
    raw = embedded_data(pdf)
    try:
        data = json.loads(raw) if raw is not None else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return Verification("not_a_report", sha256, len(pdf))
    report_id = str(data.get("report_id") or "")[:64] or None
    details = data.get("assessment") if isinstance(data.get("assessment"), dict) else {}
    data_sha256 = hashlib.sha256(raw).hexdigest() if raw is not None else None
    if details.get("status") == "draft":
        return Verification("draft", sha256, len(pdf), report_id=report_id)
    known = (
        db.session().scalar(select(StoredReport).where(StoredReport.report_id == report_id))
        if report_id
        else None
    )
    return Verification(
        "altered",
        sha256,
        len(pdf),
        report_id=report_id,
        data_sha256=data_sha256,
        known_here=known is not None,
        data_matches=known is not None and known.data_sha256 == data_sha256,
    )


# ---- corrections -----------------------------------------------------------------------------


def open_correction_of(assessment: Assessment) -> Assessment | None:
    """The correction of ``assessment`` that has been opened (a draft or finalised), if any."""
    return db.session().scalar(select(Assessment).where(Assessment.supersedes_id == assessment.id))


def open_correction(assessment: Assessment, user: User) -> Assessment:
    """Open a correction of the finalised ``assessment``: a new draft, the next version, with its
    answers (marked "copied", keeping who gave them and when), the same questionnaire versions and
    the same model choice. If one is already open, that one is returned: there is only ever one.

    Raises :class:`CorrectionError` for a draft or a superseded assessment.
    """
    if assessment.status == "draft":
        raise CorrectionError("This assessment is still a draft: change its answers directly.")
    existing = open_correction_of(assessment)
    if existing is not None:
        return existing
    if assessment.status != "finalised":
        raise CorrectionError("Only the current version can be corrected.")
    session = db.session()
    now = db.utcnow()
    correction = Assessment(
        organisation_id=assessment.organisation_id,
        title=assessment.title,
        scope=assessment.scope,
        status="draft",
        version=assessment.version + 1,
        supersedes_id=assessment.id,
        definition_version_id=assessment.definition_version_id,
        questionnaire_pack_id=assessment.questionnaire_pack_id,
        model_fit_version_id=assessment.model_fit_version_id,
        adoption_version_id=assessment.adoption_version_id,
        chosen_models=assessment.chosen_models,
        choice_reason=assessment.choice_reason,
        recommended_models=assessment.recommended_models,
        chosen_by_id=assessment.chosen_by_id,
        chosen_at=assessment.chosen_at,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    try:
        session.add(correction)
        session.flush()
        records = session.scalars(
            select(AnswerRecord).where(AnswerRecord.assessment_id == assessment.id)
        )
        for record in records:
            session.add(
                AnswerRecord(
                    assessment_id=correction.id,
                    questionnaire_id=record.questionnaire_id,
                    question_id=record.question_id,
                    status=record.status,
                    value=record.value,
                    note=record.note,
                    criteria=record.criteria,
                    revision=1,
                    source="copied",
                    updated_by_id=record.updated_by_id,
                    updated_at=record.updated_at,
                )
            )
        lowered = session.scalars(
            select(TargetOverride).where(TargetOverride.assessment_id == assessment.id)
        )
        for target in lowered:
            session.add(
                TargetOverride(
                    assessment_id=correction.id,
                    dimension_id=target.dimension_id,
                    level=target.level,
                    reason=target.reason,
                    set_by_id=target.set_by_id,
                    set_at=target.set_at,
                )
            )
        session.flush()
        audit.record(
            audit.CORRECTION_OPENED,
            organisation_id=assessment.organisation_id,
            actor=user,
            object_type="assessment",
            object_id=correction.id,
            detail={"corrects": assessment.id, "version": correction.version},
        )
        session.commit()
    except IntegrityError:
        # Someone else opened one at the same moment (supersedes_id is unique): use theirs.
        session.rollback()
        existing = open_correction_of(assessment)
        if existing is None:
            raise
        return existing
    except Exception:
        session.rollback()
        raise
    return correction
