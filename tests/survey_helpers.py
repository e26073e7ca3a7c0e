"""Helpers for the perception survey tests: an assessment with a register and levels, a survey on
it, and responses added through the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask

from assess import db
from assess.models import Assessment, Survey, User
from assess.questionnaire.answers import Answer, CriterionCheck, RegisterRow
from assess.questionnaire.schema import LevelQuestion
from assess.services import assessments, surveys
from assess.services.assessments import Submission
from assess.services.questionnaires import current_questionnaires

#: The register used by these tests: segment id -> regard.
REGISTER = {
    "residents": "citizen",
    "service-users": "customer",
    "businesses": "stakeholder",
    "special-needs": "customer",
    "lobbies": "stakeholder",
}


@dataclass
class Setup:
    admin: User
    organisation_id: int
    assessment_id: int


def own_people(app: Flask) -> tuple:
    """``make_user`` and ``make_org`` for an app of the test's own (built with ``make_app``)."""
    from helpers import PASSWORD

    from assess.models import Membership, Organisation
    from assess.services import accounts

    def make_user() -> User:
        with app.test_request_context():
            user = accounts.create_user("Pat Admin", "pat@example.org", PASSWORD)
            db.session().commit()
            return user

    def make_org(members: dict) -> Organisation:
        with app.app_context():
            organisation = Organisation(
                name="Own council",
                sector="local_government",
                size_band="250_999",
                country="GB",
                time_zone="Europe/London",
                status="active",
            )
            db.session().add(organisation)
            for user, role in members.items():
                db.session().add(Membership(user_id=user.id, organisation=organisation, role=role))
            db.session().commit()
            return organisation

    return make_user, make_org


def level_answer(question: LevelQuestion, level: int) -> Answer:
    """``level`` with every criterion up to it confirmed met, and a note."""
    checks = tuple(
        CriterionCheck(n, i, True, "minutes") for n, i, _text in question.criteria_up_to(level)
    )
    return Answer(question.id, value=level, note="Seen in the minutes", criteria=checks)


def assessment_with_levels(
    app: Flask, make_user, make_org, levels: dict[str, int] | None = None, default: int = 4
) -> Setup:
    """An assessment whose register has REGISTER's groups and whose adoption dimensions are at
    ``levels`` (by dimension id; others at ``default``)."""
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    with app.test_request_context():
        qset = current_questionnaires()
        user = db.session().get(User, admin.id)
        assessment = assessments.start(organisation.id, user, "Survey test", qset)
        rows = tuple(
            RegisterRow(
                s, power=2, legitimacy=3, urgency=2, interest=3, regard=r, engagement="consult"
            )
            for s, r in REGISTER.items()
        )
        saved = assessments.save_answers(
            assessment,
            user,
            qset.definition.id,
            {"register": Submission(Answer("register", value=rows))},
        )
        assert saved.ok, saved.errors
        page = {}
        for section in qset.adoption.sections:
            level = (levels or {}).get(section.id, default)
            for question in section.questions:
                page[question.id] = Submission(level_answer(question, level))
        saved = assessments.save_answers(assessment, user, qset.adoption.id, page)
        assert saved.ok, saved.errors
        return Setup(admin, organisation.id, assessment.id)


def open_survey(
    app: Flask,
    setup: Setup,
    segments: tuple[str, ...] = tuple(REGISTER),
    threshold: int = 5,
    alert_per_hour: int = 60,
) -> int:
    with app.test_request_context():
        assessment = db.session().get(Assessment, setup.assessment_id)
        user = db.session().get(User, setup.admin.id)
        today = surveys.db.utcnow().date()
        survey = surveys.open_survey(
            assessment,
            user,
            title="Spring survey",
            segment_ids=list(segments),
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=14),
            threshold=threshold,
            alert_per_hour=alert_per_hour,
            perception=current_questionnaires().perception,
        )
        return survey.id


def respond(
    app: Flask,
    survey_id: int,
    segment: str,
    count: int,
    answers: dict[str, Any],
    comment: str = "",
    source: str = "online",
) -> None:
    """``count`` responses from ``segment``, each with ``answers`` (statement id -> value)."""
    with app.test_request_context():
        survey = db.session().get(Survey, survey_id)
        group = next(g for g in survey.groups if g.segment_id == segment)
        for _ in range(count):
            surveys.submit(
                survey,
                group,
                {k: str(v) for k, v in answers.items()},
                comment,
                source=source,
            )


def everything(value: int | str) -> dict[str, Any]:
    """The same answer to every statement."""
    with_ids = current_questionnaires_statement_ids()
    return dict.fromkeys(with_ids, value)


def current_questionnaires_statement_ids() -> list[str]:
    from assess.questionnaire import loader

    perception = loader.load_directory().perception
    assert perception is not None
    return [s.id for s in perception.statements()]
