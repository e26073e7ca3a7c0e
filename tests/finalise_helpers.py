"""Helpers for the finalising, verifying and superseding tests: an answered draft, and finalising
it through the service."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from assess import db
from assess.models import Assessment, Organisation, StoredReport, User
from assess.questionnaire.answers import Answer
from assess.services import assessments, finalising
from assess.services.questionnaires import current_questionnaires


@dataclass
class Setup:
    """An organisation with an admin, a respondent and an auditor, and a draft with answers."""

    org: Organisation
    admin: User
    respondent: User
    auditor: User
    assessment_id: int


def answered_draft(app: Flask, org: Organisation, admin: User, level: int = 3) -> int:
    """Start an assessment in ``org`` and answer its leadership section at ``level``."""
    with app.app_context():
        assessment = assessments.start(org.id, admin, "Annual check", current_questionnaires())
        leadership = assessments.questionnaires_of(assessment).adoption.section("leadership")
        outcome = assessments.save_answers(
            assessment,
            admin,
            "adoption",
            {
                q.id: assessments.Submission(Answer(q.id, value=level, note="Board minutes"))
                for q in leadership.questions
            },
        )
        assert outcome.ok
        return assessment.id


def finalise(app: Flask, assessment_id: int, user: User) -> StoredReport:
    """Finalise the assessment through the service; the stored report (PDF loaded)."""
    with app.app_context():
        assessment = db.session().get(Assessment, assessment_id)
        stored = finalising.finalise(assessment, db.session().get(User, user.id))
        _ = stored.pdf
        return stored


def correct(app: Flask, assessment_id: int, user: User) -> int:
    """Open a correction of the assessment; its id."""
    with app.app_context():
        assessment = db.session().get(Assessment, assessment_id)
        return finalising.open_correction(assessment, db.session().get(User, user.id)).id
