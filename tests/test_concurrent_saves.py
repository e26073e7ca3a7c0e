"""Pages of one assessment saved at the same moment by different processes (two app servers, or
gunicorn's workers) are all stored: none fails with a deadlock. On PostgreSQL, the answer triggers
take the assessment's row FOR SHARE and the save then updates that row, so two saves that each held
the share would wait for each other for ever; a save now takes the row first."""

from __future__ import annotations

import threading

import pytest
from database_helpers import ON_POSTGRES
from finalise_helpers import answered_draft

from assess import db
from assess.models import User
from assess.questionnaire.answers import Answer
from assess.services import assessments

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one writer at a time")


def test_many_answers_of_one_assessment_saved_at_once_are_all_stored(app, make_user, make_org):
    admin = make_user()
    org = make_org(members={admin: "admin"})
    assessment_id = answered_draft(app, org, admin)
    with app.app_context():
        qset = assessments.questionnaires_of(assessments.get(assessment_id))
        questions = [q.id for q in qset.adoption.section("engagement").questions][:4]
        questions += [q.id for q in qset.adoption.section("fairness").questions][:4]
    # Each round, every thread saves its own question at the same moment.
    rounds = 4
    barrier = threading.Barrier(len(questions))
    failures: list[BaseException] = []

    def save(question_id: str) -> None:
        try:
            for level in range(1, rounds + 1):
                with app.app_context():
                    assessment = assessments.get(assessment_id)
                    user = db.session().get(User, admin.id)
                    stored = assessments.stored_answers(assessment, "adoption").get(question_id)
                    barrier.wait(timeout=60)
                    outcome = assessments.save_answers(
                        assessment,
                        user,
                        "adoption",
                        {
                            question_id: assessments.Submission(
                                Answer(question_id, value=level),
                                stored.revision if stored else None,
                            )
                        },
                    )
                    assert outcome.saved == (question_id,), outcome
        except BaseException as error:
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=save, args=(q,)) for q in questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures[0]
    with app.app_context():
        stored = assessments.stored_answers(assessments.get(assessment_id), "adoption")
        assert {q: stored[q].answer.value for q in questions} == dict.fromkeys(questions, rounds)
