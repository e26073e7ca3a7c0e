"""The auditor's marks: verify or challenge an answer, with a comment, never changing the answer."""

from __future__ import annotations

import pytest
from audit_helpers import events
from helpers import login, post
from sqlalchemy import select

from assess import audit, db
from assess.models import AnswerMark
from assess.questionnaire.answers import Answer, CriterionCheck
from assess.services import assessments
from assess.services.assessments import Submission
from assess.services.questionnaires import current_questionnaires

Q = "lead-commitment"


@pytest.fixture
def setup(app, make_user, make_org):
    alice = make_user(name="Alice Adams")
    audrey = make_user(name="Audrey Auditor")
    org = make_org(members={alice: "admin", audrey: "auditor"})
    with app.app_context():
        assessment = assessments.start(org.id, alice, "Stakeholders 2026", current_questionnaires())
        checks = (CriterionCheck(3, 1, True, "Corporate plan"), CriterionCheck(3, 2, False))
        outcome = assessments.save_answers(
            assessment,
            alice,
            "adoption",
            {Q: Submission(Answer(Q, value=3, note="SLT minutes", criteria=checks))},
        )
        assert outcome.ok
        return {"alice": alice, "audrey": audrey, "id": assessment.id}


def _url(setup, question_id=Q):
    return f"/assessments/{setup['id']}/marks/adoption/{question_id}"


def _stored(app, setup):
    with app.app_context():
        return assessments.stored_answers(assessments.get(setup["id"]), "adoption")[Q]


def test_the_auditor_sees_the_answer_and_its_records_before_marking(app, setup):
    client = app.test_client()
    login(client, setup["audrey"])
    html = client.get(_url(setup)).get_data(as_text=True)
    assert "Claimed level 3, evidenced level 2" in html
    assert "Corporate plan" in html and "Not met" in html
    assert 'name="csrf_token"' in html


def test_a_verified_mark_is_recorded_and_audited_and_the_answer_is_untouched(app, setup):
    client = app.test_client()
    login(client, setup["audrey"])
    before = _stored(app, setup)
    response = post(client, _url(setup), {"mark": "verified", "comment": "Saw the plan."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/results/areas/leadership#answer-{Q}")
    with app.app_context():
        mark = db.session().scalar(select(AnswerMark))
        assert (mark.mark, mark.comment, mark.answer_revision) == ("verified", "Saw the plan.", 1)
    after = _stored(app, setup)
    assert (after.answer, after.revision) == (before.answer, before.revision)
    (event,) = events(app, audit.ANSWER_MARKED)
    assert event.question_id == Q
    assert event.new_value == {"mark": "verified", "comment": "Saw the plan.", "answer_revision": 1}
    assert event.old_value is None


def test_a_challenge_needs_a_comment_and_nothing_is_stored_without_one(app, setup):
    client = app.test_client()
    login(client, setup["audrey"])
    response = post(client, _url(setup), {"mark": "challenged", "comment": "  "})
    assert response.status_code == 400
    assert "Say what you challenge and why" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(AnswerMark)) is None
    assert events(app, audit.ANSWER_MARKED) == []


def test_marking_again_replaces_the_mark_and_the_trail_keeps_both(app, setup):
    client = app.test_client()
    login(client, setup["audrey"])
    post(client, _url(setup), {"mark": "verified", "comment": ""})
    post(client, _url(setup), {"mark": "challenged", "comment": "Minutes do not show it."})
    with app.app_context():
        (mark,) = db.session().scalars(select(AnswerMark)).all()
        assert mark.mark == "challenged"
    _first, second = events(app, audit.ANSWER_MARKED)
    assert second.old_value == {"mark": "verified", "comment": "", "answer_revision": 1}
    assert second.new_value["mark"] == "challenged"


def test_the_mark_shows_in_the_results_and_says_when_the_answer_changed_since(app, setup):
    auditor = app.test_client()
    login(auditor, setup["audrey"])
    post(auditor, _url(setup), {"mark": "challenged", "comment": "Minutes do not show it."})
    results = auditor.get(f"/assessments/{setup['id']}/results").get_data(as_text=True)
    assert 'data-mark="challenged"' in results and "Minutes do not show it." in results
    assert "The answer has changed since it was marked." not in results
    with app.app_context():
        assessment = assessments.get(setup["id"])
        stored = assessments.stored_answers(assessment, "adoption")[Q]
        assessments.save_answers(
            assessment,
            setup["alice"],
            "adoption",
            {Q: Submission(Answer(Q, value=2, note="Lowered"), stored.revision)},
        )
    area = auditor.get(f"/assessments/{setup['id']}/results/areas/leadership").get_data(
        as_text=True
    )
    assert "Challenged by the auditor" in area
    assert "The answer has changed since it was marked." in area


def test_only_the_auditor_may_mark_answers(app, setup):
    admin = app.test_client()
    login(admin, setup["alice"])
    assert admin.get(_url(setup)).status_code == 403
    assert post(admin, _url(setup), {"mark": "verified"}).status_code == 403


def test_an_unknown_question_is_a_404_and_an_unanswered_one_cannot_be_marked(app, setup):
    client = app.test_client()
    login(client, setup["audrey"])
    assert client.get(_url(setup, "no-such-question")).status_code == 404
    html = client.get(_url(setup, "lead-resources")).get_data(as_text=True)
    assert "This question has no answer to verify or challenge yet." in html
    response = post(client, _url(setup, "lead-resources"), {"mark": "verified"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session().scalar(select(AnswerMark)) is None


def test_the_report_carries_the_marks(app, setup):
    from assess.reporting.context import build_context
    from assess.services import reports

    auditor = app.test_client()
    login(auditor, setup["audrey"])
    post(auditor, _url(setup), {"mark": "verified", "comment": "Saw the plan."})
    with app.test_request_context():
        context = build_context(reports.report_input(assessments.get(setup["id"])))
    (mark,) = context["marks"]
    assert (mark["mark_text"], mark["comment"], mark["by"]) == (
        "Verified by the auditor",
        "Saw the plan.",
        "Audrey Auditor",
    )
    (row,) = [r for r in context["evidence"] if r["question_id"] == Q]
    assert (row["claimed"], row["evidenced"], row["unconfirmed"]) == (3, 2, ["3.2"])
