"""Follow-up reviews: about ten months after finalising, a short look at how the plan went.

An admin schedules a review of a finalised assessment (due ten months after it was finalised,
unless they choose another date). The review is short: the status of each action of the plan
adopted from that assessment, and a re-rating, with evidence, of only the practices those
actions target. Completing it updates the actions' statuses in the live plan, and renders a
two-page progress PDF (PDF/A, with its data embedded) stored with its SHA-256, which the verify
page checks like a finalised report.

Everything is audited; a bad answer is refused with a message and nothing is saved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.dates import format_date as babel_format_date
from flask import render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select

from assess import audit, db
from assess.models import Assessment, PlanAction, ProgressReview, User
from assess.models.progress import ACTION_STATUSES
from assess.questionnaire.schema import DEFAULT_LOCALE
from assess.reporting.board import add_months
from assess.reporting.render import PdfMetadata, render_pdf
from assess.services import ServiceError, action_plan, assessments

#: A review falls due this many months after the assessment was finalised (the LGA's progress
#: review comes about ten months after its peer challenge).
DEFAULT_MONTHS = 10
#: The language of the stored (verified) PDF; another language is rendered on download from the
#: stored findings, with the same figures.
STORED_LOCALE = DEFAULT_LOCALE
#: The babel locale whose dates a language's reader expects (``5 March 2026``, not US order).
DATE_LOCALES = {"en": "en_GB"}
#: What the embedded data says it is.
FORMAT = "assess-progress-review/1"
EVIDENCE_MAX = 2000


def get(review_id: int) -> ProgressReview | None:
    """The review with ``review_id``, or None."""
    return db.session().get(ProgressReview, review_id)


def reviews_of(assessment: Assessment) -> list[ProgressReview]:
    """The assessment's reviews, newest first."""
    return list(
        db.session().scalars(
            select(ProgressReview)
            .where(ProgressReview.assessment_id == assessment.id)
            .order_by(ProgressReview.id.desc())
        )
    )


def open_review(assessment: Assessment) -> ProgressReview | None:
    """The scheduled (not yet completed) review of ``assessment``, if any."""
    return next((r for r in reviews_of(assessment) if r.status == "scheduled"), None)


def default_due(assessment: Assessment) -> date:
    """Ten months after the assessment was finalised, in the organisation's time zone."""
    assert assessment.finalised_at is not None
    day = action_plan.organisation_today(assessment.organisation, assessment.finalised_at)
    return add_months(day, DEFAULT_MONTHS)


def schedule(assessment: Assessment, user: User, due_on: date | None = None) -> ProgressReview:
    """Schedule the review of a finalised assessment (or move the date of the scheduled one)."""
    if assessment.status == "draft" or assessment.finalised_at is None:
        raise ServiceError("Only a finalised assessment's plan can be reviewed.")
    due = due_on or default_due(assessment)
    session = db.session()
    review = open_review(assessment)
    old = review.due_on.isoformat() if review else None
    if review is None:
        review = ProgressReview(
            organisation_id=assessment.organisation_id,
            assessment_id=assessment.id,
            due_on=due,
            status="scheduled",
            scheduled_by_id=user.id,
            scheduled_at=db.utcnow(),
            summary="",
        )
        session.add(review)
    else:
        review.due_on = due
    session.flush()
    audit.record(
        audit.PROGRESS_REVIEW_SCHEDULED,
        organisation_id=assessment.organisation_id,
        actor=user,
        object_type="assessment",
        object_id=assessment.id,
        old=old,
        new=due.isoformat(),
        detail={"review_id": review.id},
    )
    session.commit()
    return review


def plan_actions(assessment: Assessment) -> list[PlanAction]:
    """The actions adopted from ``assessment`` (wherever they are now), by due date."""
    return list(
        db.session().scalars(
            select(PlanAction)
            .where(PlanAction.origin_assessment_id == assessment.id)
            .order_by(PlanAction.due_on, PlanAction.id)
        )
    )


@dataclass(frozen=True)
class Practice:
    """A practice an action targets, with its level at the assessment."""

    question_id: str
    area: str
    text: str
    level: int | None
    levels: dict[int, str]


def practices(assessment: Assessment, locale: str = "en") -> list[Practice]:
    """The practices the plan's actions target, in questionnaire order: only these are re-rated."""
    targeted = {a.question_id for a in plan_actions(assessment)}
    adoption = assessments.questionnaires_of(assessment).adoption
    result = assessments.score(assessment, locale)
    levels = {q.question_id: q.level for d in result.maturity.dimensions for q in d.levels}
    found = []
    for section, question in adoption.questions():
        if question.id in targeted and hasattr(question, "levels"):
            found.append(
                Practice(
                    question_id=question.id,
                    area=section.title.get(locale),
                    text=question.text.get(locale),
                    level=levels.get(question.id),
                    levels={n: question.levels[n].get(locale) for n in range(1, 6)},
                )
            )
    return found


@dataclass(frozen=True)
class Rating:
    """A practice re-rated: the level now, and the evidence for it."""

    level: int | None
    evidence: str


@dataclass(frozen=True)
class ActionUpdate:
    """An action's status at the review, with a note (the reason, when it is dropped)."""

    status: str
    note: str


def complete(
    review: ProgressReview,
    user: User,
    updates: dict[int, ActionUpdate],
    ratings: dict[str, Rating],
    summary: str,
    locale: str = "en",
) -> ProgressReview:
    """Record the review, update the plan's statuses, render and store the progress PDF.

    Raises ServiceError (field: ``action-<id>``, ``level-<question>`` or ``evidence-<question>``)
    for bad input, and nothing is saved.
    """
    if review.status != "scheduled":
        raise ServiceError("This review is already completed.")
    assessment = review.assessment
    actions = plan_actions(assessment)
    targeted = practices(assessment, STORED_LOCALE)
    rows_actions = []
    for action in actions:
        update = updates.get(action.id) or ActionUpdate(action.status, "")
        if update.status not in ACTION_STATUSES:
            raise ServiceError("Choose a status.", field=f"action-{action.id}")
        if update.status == "dropped" and not update.note.strip() and not action.dropped_reason:
            raise ServiceError(
                "Say why the action is dropped: the plan keeps the reason.",
                field=f"note-{action.id}",
            )
        rows_actions.append((action, update))
    rows_ratings = []
    for practice in targeted:
        rating = ratings.get(practice.question_id) or Rating(None, "")
        if rating.level is None or not 1 <= rating.level <= 5:
            raise ServiceError(
                "Choose the level the practice is at now.", field=f"level-{practice.question_id}"
            )
        evidence = rating.evidence.strip()
        if not evidence:
            raise ServiceError(
                "Say what shows the practice is at this level.",
                field=f"evidence-{practice.question_id}",
            )
        if len(evidence) > EVIDENCE_MAX:
            raise ServiceError("This text is too long.", field=f"evidence-{practice.question_id}")
        rows_ratings.append((practice, rating.level, evidence))
    now = db.utcnow()
    findings = {
        "actions": [
            {
                "action_id": a.id,
                "title": a.title,
                "owner": action_plan.owner_text(a),
                "due": _long_date(a.due_on, STORED_LOCALE),
                "due_on": a.due_on.isoformat(),
                "before": a.status,
                "status": u.status,
                "note": u.note.strip(),
            }
            for a, u in rows_actions
        ],
        "ratings": [
            {
                "question_id": p.question_id,
                "area": p.area,
                "practice": p.text,
                "before": p.level,
                "now": level,
                "described": p.levels[level],
                "evidence": evidence,
            }
            for p, level, evidence in rows_ratings
        ],
    }
    report_id = f"P-{now:%Y}-{review.id:06d}"
    pdf = _render(review, assessment, findings, summary.strip(), report_id, now, STORED_LOCALE)
    session = db.session()
    try:
        for action, update in rows_actions:
            action_plan.set_status(action, user, update.status, update.note.strip())
        review.status = "completed"
        review.completed_by_id = user.id
        review.completed_at = now
        review.summary = summary.strip()
        review.findings = findings
        review.report_id = report_id
        review.pdf = pdf
        review.sha256 = hashlib.sha256(pdf).hexdigest()
        review.size = len(pdf)
        session.flush()
        audit.record(
            audit.PROGRESS_REVIEW_COMPLETED,
            organisation_id=assessment.organisation_id,
            actor=user,
            object_type="report",
            object_id=report_id,
            detail={"assessment_id": assessment.id, "sha256": review.sha256},
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return review


def _long_date(day: date, locale: str) -> str:
    """``5 March 2026`` / ``5 Mawrth 2026``: the day in ``locale`` (British English for ``en``)."""
    return babel_format_date(day, format="long", locale=DATE_LOCALES.get(locale, locale))


def _due_day(action: dict[str, Any]) -> date | None:
    """An action's due day from the stored findings (older reviews kept only the English text)."""
    if action.get("due_on"):
        return date.fromisoformat(action["due_on"])
    try:
        return datetime.strptime(action.get("due", ""), "%d %B %Y").date()
    except ValueError:
        return None


def _localised(findings: dict[str, Any], assessment: Assessment, locale: str) -> dict[str, Any]:
    """The stored findings with the questionnaire's texts and the dates in ``locale``.

    The figures (statuses, levels) are the stored ones: only the words change.
    """
    adoption = assessments.questionnaires_of(assessment).adoption
    texts: dict[str, tuple[str, str, dict[int, str]]] = {}
    for section, question in adoption.questions():
        if hasattr(question, "levels"):
            texts[question.id] = (
                section.title.get(locale),
                question.text.get(locale),
                {n: question.levels[n].get(locale) for n in range(1, 6)},
            )
    actions = []
    for action in findings["actions"]:
        day = _due_day(action)
        due = _long_date(day, locale) if day else action.get("due", "")
        actions.append({**action, "due": due})
    ratings = []
    for rating in findings["ratings"]:
        area, text, levels = texts.get(
            rating["question_id"], (rating["area"], rating["practice"], {})
        )
        described = levels.get(rating["now"], rating.get("described", ""))
        ratings.append({**rating, "area": area, "practice": text, "described": described})
    return {"actions": actions, "ratings": ratings}


def _css_content(text: str) -> str:
    """A translated sentence as a CSS ``content`` value: its text quoted, and each ``\x01name\x01``
    marker made ``counter(page)``, ``counter(pages)`` or ``string(report-id)`` (nothing else: a
    translation cannot reach other CSS)."""
    parts = text.split("\x01")
    values = []
    for index, part in enumerate(parts):
        if index % 2 and part in ("page", "pages"):
            values.append(f"counter({part})")
        elif index % 2 and part == "report-id":
            values.append(f"string({part})")
        elif part:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
            escaped = escaped.replace("<", "\\3C ")
            values.append(f'"{escaped}"')
    return " ".join(values) or '""'


def _footer_css() -> dict[str, str]:
    """The running footer's words in the current language (the shared stylesheet's are English)."""
    return {
        "report": _css_content(gettext("Report %(id)s", id="\x01report-id\x01"))
        + " string(fingerprint)",
        "page": _css_content(
            gettext("Page %(page)s of %(pages)s", page="\x01page\x01", pages="\x01pages\x01")
        ),
    }


def render_html(
    review: ProgressReview,
    assessment: Assessment,
    findings: dict[str, Any],
    summary: str,
    report_id: str,
    now: datetime,
    locale: str,
) -> str:
    """The progress review's HTML in ``locale`` (the words, dates and questionnaire texts)."""
    organisation = assessment.organisation
    today = action_plan.organisation_today(organisation, now)
    shown = _localised(findings, assessment, locale)
    counts = {s: sum(1 for a in findings["actions"] if a["status"] == s) for s in ACTION_STATUSES}
    with force_locale(locale):
        return render_template(
            "progress_review/progress.html",
            lang=locale,
            report_id=report_id,
            organisation=organisation.name,
            assessment=assessment.title,
            finalised=_long_date(
                action_plan.organisation_today(organisation, assessment.finalised_at), locale
            ),
            date=_long_date(today, locale),
            summary=summary,
            counts=counts,
            statuses={s: str(action_plan.STATUS_LABELS[s]) for s in ACTION_STATUSES},
            actions=shown["actions"],
            ratings=shown["ratings"],
            footer=_footer_css(),
        )


def _render(
    review: ProgressReview,
    assessment: Assessment,
    findings: dict[str, Any],
    summary: str,
    report_id: str,
    now: datetime,
    locale: str,
) -> bytes:
    organisation = assessment.organisation
    html = render_html(review, assessment, findings, summary, report_id, now, locale)
    data = {
        "format": FORMAT,
        "report_id": report_id,
        "organisation": {"name": organisation.name, "time_zone": organisation.time_zone},
        "assessment": {"id": assessment.id, "title": assessment.title, "status": "finalised"},
        "review": {"id": review.id, "completed_at": now.isoformat(), "summary": summary},
        "findings": findings,
    }
    with force_locale(locale):
        title = gettext("%(title)s: progress review", title=assessment.title)
        subject = gettext("Progress review of the action plan of %(title)s", title=assessment.title)
        keywords = (gettext("stakeholder management"), gettext("progress review"))
    metadata = PdfMetadata(
        title=title,
        author=organisation.name,
        subject=subject,
        keywords=(*keywords, "assess", report_id),
        lang=locale,
        created=now,
        modified=now,
    )
    return render_pdf(html, report_json=data, metadata=metadata)


def pdf_in(review: ProgressReview, locale: str) -> bytes:
    """A completed review's progress PDF in ``locale``: the stored one in :data:`STORED_LOCALE`,
    otherwise rendered now from the stored findings (same figures, same data; not verifiable by
    its hash, which only the stored copy has)."""
    assert review.status == "completed" and review.pdf is not None
    if locale == STORED_LOCALE:
        return review.pdf
    assert review.completed_at is not None and review.report_id is not None
    return _render(
        review,
        review.assessment,
        review.findings,
        review.summary,
        review.report_id,
        review.completed_at,
        locale,
    )


def find_by_sha256(sha256: str) -> ProgressReview | None:
    """The completed review whose stored PDF has this SHA-256 (for the verify page)."""
    return db.session().scalar(select(ProgressReview).where(ProgressReview.sha256 == sha256))
