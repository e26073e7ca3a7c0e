"""Helpers for tests of the audit trail: read its events, answer a question."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from assess import db
from assess.models import AuditEvent, AuditPerson, User
from assess.questionnaire.answers import Answer
from assess.services import assessments
from assess.services.questionnaires import current_questionnaires


def events(app: Flask, action: str | None = None) -> list[AuditEvent]:
    """Every event (of ``action``, if given), oldest first."""
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.session().scalars(query))


def ref_of(app: Flask, user: User) -> str:
    """``user``'s person reference."""
    with app.app_context():
        ref = db.session().scalar(select(AuditPerson.ref).where(AuditPerson.user_id == user.id))
        assert ref is not None
        return ref


def start_assessment(app: Flask, organisation_id: int, user: User) -> int:
    """Start an assessment; returns its id."""
    with app.app_context():
        return assessments.start(
            organisation_id, user, "Stakeholders 2026", current_questionnaires()
        ).id


def answer(
    app: Flask,
    assessment_id: int,
    user: User | None,
    value: int | None,
    *,
    question: str = "lead-board-oversight",
    base: int | None = None,
    note: str = "",
    source: str = "online",
) -> assessments.SaveOutcome:
    """Save (or, with ``value`` None, clear) one adoption answer."""
    with app.app_context():
        assessment = assessments.get(assessment_id)
        submission = assessments.Submission(
            None if value is None else Answer(question, value=value, note=note), base
        )
        return assessments.save_answers(
            assessment, user, "adoption", {question: submission}, source=source
        )
