"""Who may answer: members answer, auditors read without anything to answer with."""

from __future__ import annotations

import pytest
from answering import hidden_fields, section_url, start
from helpers import csrf_token, login, post

from assess.services import assessments


@pytest.fixture
def setting(app, make_user, make_org):
    """A council whose admin has answered one question, with an auditor."""
    alice = make_user(name="Alice Adams")
    audrey = make_user(name="Audrey Auditor")
    org = make_org(members={alice: "admin", audrey: "auditor"})
    client = app.test_client()
    login(client, alice)
    assessment_id = start(client, org.id)
    url = section_url(assessment_id, "definition", "scope")
    page = hidden_fields(client.get(url).get_data(as_text=True))
    post(client, url, {**page, "q_def-written": "no", "q_def-written__note": "Checked"})
    auditor = app.test_client()
    login(auditor, audrey)
    return {"org": org, "assessment_id": assessment_id, "auditor": auditor, "url": url}


def test_an_auditor_reads_every_page_without_controls_to_answer(app, setting):
    auditor, assessment_id = setting["auditor"], setting["assessment_id"]
    page = auditor.get(setting["url"]).get_data(as_text=True)
    assert "No: who counts as a stakeholder is left to each team or officer to judge" in page
    assert "Your role does not allow you to change them" in page
    assert 'type="radio"' not in page and "<textarea" not in page
    assert "answer.js" not in page
    for url in (
        f"/organisations/{setting['org'].id}/assessments",
        f"/assessments/{assessment_id}",
        f"/assessments/{assessment_id}/definition/check",
        f"/assessments/{assessment_id}/choice",
        f"/assessments/{assessment_id}/results",
    ):
        response = auditor.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert ">Continue</a>" not in text and ">Start</a>" not in text
        assert ">Change<" not in text
        assert "Start an assessment" not in text
        assert 'name="models"' not in text


def test_an_auditor_gets_403_on_every_change_and_nothing_is_stored(app, setting):
    auditor, assessment_id = setting["auditor"], setting["assessment_id"]
    page = hidden_fields(auditor.get(setting["url"]).get_data(as_text=True))
    assert (
        post(auditor, setting["url"], {**page, "q_def-written": "yes-corporate"}).status_code == 403
    )
    assert (
        post(auditor, f"/assessments/{assessment_id}/choice", {"models": ["citizen"]}).status_code
        == 403
    )
    assert (
        post(
            auditor, f"/organisations/{setting['org'].id}/assessments", {"title": "Mine"}
        ).status_code
        == 403
    )
    autosave = auditor.post(
        f"/assessments/{assessment_id}/definition/answers/def-written",
        data={"q_def-written": "yes-corporate"},
        headers={"X-CSRFToken": csrf_token(auditor), "Accept": "application/json"},
    )
    assert autosave.status_code == 403
    with app.app_context():
        assessment = assessments.get(assessment_id)
        assert assessments.answers(assessment, "definition")["def-written"].value == "no"
        assert assessment.chosen_models is None
        assert len(assessments.for_organisation(setting["org"].id)) == 1


def test_an_unknown_questionnaire_or_section_is_not_found(app, setting, make_user):
    auditor, assessment_id = setting["auditor"], setting["assessment_id"]
    assert auditor.get(f"/assessments/{assessment_id}/nothing/scope").status_code == 404
    assert auditor.get(f"/assessments/{assessment_id}/definition/nothing").status_code == 404
    assert auditor.get(f"/assessments/{assessment_id + 100}").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, setting):
    response = client.get(f"/assessments/{setting['assessment_id']}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
