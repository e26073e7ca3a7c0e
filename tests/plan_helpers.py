"""An assessment with gaps to plan for: leadership answered at level 2, the Citizen model chosen."""

from __future__ import annotations

from flask import Flask

from assess.models import Organisation, User
from assess.questionnaire.answers import Answer
from assess.services import assessments
from assess.services.questionnaires import current_questionnaires


def assessment_with_gaps(
    app: Flask, org: Organisation, admin: User, level: int = 2, title: str = "Annual check"
) -> int:
    """Start an assessment, answer every adoption practice at ``level`` and choose a model."""
    with app.app_context():
        assessment = assessments.start(org.id, admin, title, current_questionnaires())
        adoption = assessments.questionnaires_of(assessment).adoption
        page = {
            q.id: assessments.Submission(Answer(q.id, value=level, note="Board minutes"))
            for _section, q in adoption.questions()
            if q.type == "level"
        }
        assert assessments.save_answers(assessment, admin, "adoption", page).ok
        assessments.choose_models(assessment, admin, ["citizen"], "Chosen for the test")
        return assessment.id
