"""Answering a whole assessment in the browser: across sign-ins, with colleagues, nothing lost."""

from __future__ import annotations

import re

import pytest
from answering import answer_section, section_url, start, submit
from helpers import login, post

from assess import db
from assess.models import AnswerRecord
from assess.services import assessments
from assess.services.questionnaires import current_questionnaires


@pytest.fixture
def team(make_user, make_org):
    """A council with an admin, a respondent and an auditor."""
    alice = make_user(name="Alice Adams")
    bob = make_user(name="Bob Brown")
    audrey = make_user(name="Audrey Auditor")
    org = make_org(members={alice: "admin", bob: "respondent", audrey: "auditor"})
    return {"alice": alice, "bob": bob, "audrey": audrey, "org": org}


def _sections(questionnaire_id: str) -> list[str]:
    qset = current_questionnaires()
    return [s.id for s in getattr(qset, questionnaire_id.replace("-", "_")).sections]


def _logout(client):
    assert post(client, "/logout").status_code == 302


def test_a_whole_assessment_is_answered_across_two_sign_ins_and_two_colleagues(app, team):
    alice = app.test_client()
    login(alice, team["alice"])
    assessment_id = start(alice, team["org"].id)
    with app.app_context():
        definition_sections = _sections("definition")
        model_fit_sections = _sections("model-fit")
        adoption_sections = _sections("adoption")

    # Alice answers the definition, then the first section of the model fit, and signs out.
    for section_id in definition_sections:
        answer_section(app, alice, assessment_id, "definition", section_id)
    check = alice.get(f"/assessments/{assessment_id}/definition/check").get_data(as_text=True)
    assert "Check your answers" in check
    assert f'href="{section_url(assessment_id, "definition", "scope")}#question-def-written"' in (
        check
    )
    answer_section(app, alice, assessment_id, "model-fit", model_fit_sections[0])
    alice.get(section_url(assessment_id, "model-fit", model_fit_sections[1]))
    _logout(alice)

    # Next day: she signs in again and carries on exactly where she left off.
    login(alice, team["alice"])
    overview = alice.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    resume = section_url(assessment_id, "model-fit", model_fit_sections[1])
    assert re.search(rf'<a class="button" href="{resume}#question-[^"]+">Continue</a>', overview)
    assert "Completed" in overview
    for section_id in model_fit_sections[1:]:
        last = answer_section(app, alice, assessment_id, "model-fit", section_id)
    assert last.headers["Location"] == f"/assessments/{assessment_id}/model-fit/check"

    # The recommendation: choosing another model needs a reason.
    choice = alice.get(f"/assessments/{assessment_id}/choice").get_data(as_text=True)
    assert "How well each model fits your answers" in choice
    with app.app_context():
        recommended = list(
            assessments.score(assessments.get(assessment_id)).fit.recommendation.model_ids
        )
    other = next(m for m in ("customer", "citizen", "stakeholder") if m not in recommended)
    refused = post(alice, f"/assessments/{assessment_id}/choice", {"models": [other]})
    assert refused.status_code == 400
    assert "Enter why you chose differently" in refused.get_data(as_text=True)
    accepted = post(
        alice,
        f"/assessments/{assessment_id}/choice",
        {"models": [other], "reason": "Our board has decided on it."},
    )
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == section_url(
        assessment_id, "adoption", adoption_sections[0]
    )
    # Choosing the recommendation itself needs no reason.
    same = post(alice, f"/assessments/{assessment_id}/choice", {"models": recommended})
    assert same.status_code == 302
    _logout(alice)

    # Bob, a colleague, answers the adoption questionnaire.
    bob = app.test_client()
    login(bob, team["bob"])
    for section_id in adoption_sections:
        last = answer_section(app, bob, assessment_id, "adoption", section_id)
    assert last.headers["Location"] == f"/assessments/{assessment_id}/adoption/check"
    overview = bob.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert overview.count("Completed") == 3

    results = bob.get(f"/assessments/{assessment_id}/results")
    assert results.status_code == 200
    page = results.get_data(as_text=True)
    assert "Overall level" in page and re.search(r"Level \d", page)
    assert "Gaps to close" in page and "Your stakeholder groups" in page
    assert "provisional" not in page

    with app.app_context():
        records = db.session().query(AnswerRecord).all()
        authors = {r.updated_by.name for r in records}
        assert authors == {"Alice Adams", "Bob Brown"}
        assert all(r.updated_at is not None and r.revision >= 1 for r in records)


def test_a_conditional_question_appears_on_the_same_page_without_javascript(app, team):
    client = app.test_client()
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id)
    url = section_url(assessment_id, "definition", "scope")
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'id="question-def-where"[^>]*\shidden>', page)
    assert 'data-show-if="q_def-written"' in page

    response = submit(client, url, {"q_def-written": "yes-corporate"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{url}?new=def-where")
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "New questions appeared because of your answers" in again
    assert not re.search(r'id="question-def-where"[^>]*\shidden>', again)

    # Changing the answer back hides them again, and they no longer count towards progress.
    submit(client, url, {"q_def-written": "no"})
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'id="question-def-where"[^>]*\shidden>', page)
    assert "1 of 9 questions answered" in page


def test_going_back_shows_what_was_saved_and_nothing_is_lost(app, team):
    client = app.test_client()
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id)
    first = section_url(assessment_id, "definition", "scope")
    response = submit(
        client,
        first,
        {
            "q_def-own-words": "Residents\r\nand customers",
            "q_def-written": "no",
            "q_def-written__note": "Checked the intranet",
            "q_def-owner": "dont_know",
        },
    )
    assert response.headers["Location"] == section_url(
        assessment_id, "definition", "stakeholder-register"
    )
    forward = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="{first}">Back' in forward
    back = client.get(first).get_data(as_text=True)
    assert "Residents\nand customers</textarea>" in back
    assert 'value="no" checked' in back
    assert 'value="dont_know" checked' in back
    assert "Checked the intranet</textarea>" in back
    assert 'Last changed by <bdi dir="auto">Alice Adams</bdi> on' in back


def test_the_register_takes_a_group_of_the_bodys_own_without_javascript(app, team):
    client = app.test_client()
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id)
    url = section_url(assessment_id, "definition", "stakeholder-register")
    page = client.get(url).get_data(as_text=True)
    # "Add a group" is a link to a page of its own (GOV.UK "add another"), not a reload.
    add = f"/assessments/{assessment_id}/register/add"
    assert f'href="{add}" id="add-group"' in page
    added = post(client, add, {"label": "Council tenants", "power": "2", "regard": "citizen"})
    assert added.status_code == 302
    assert added.headers["Location"] == f"{url}#register-banner"
    page = client.get(url).get_data(as_text=True)
    assert "Council tenants" in page
    with app.app_context():
        stored = assessments.answers(assessments.get(assessment_id), "definition")["register"]
        assert [(row.segment_id, row.label, row.power) for row in stored.value] == [
            ("custom-group-1", "Council tenants", 2)
        ]

    # Saving the section page keeps the group (its rows travel as hidden fields).
    from answering import hidden_fields

    saved = post(client, url, {**hidden_fields(page), "action": "save"})
    assert saved.status_code == 302, saved.get_data(as_text=True)

    # Removing the group, after confirming, takes it out; the rest stays.
    remove = f"/assessments/{assessment_id}/register/groups/custom-group-1/remove"
    confirm = client.get(remove).get_data(as_text=True)
    was = re.search(r'name="was" value="([^"]*)"', confirm).group(1)
    assert post(client, remove, {"was": was}).status_code == 302
    with app.app_context():
        stored = assessments.answers(assessments.get(assessment_id), "definition").get("register")
        assert stored is None or stored.value == ()


def test_progress_counts_answered_of_the_visible_questions(app, team):
    client = app.test_client()
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id)
    overview = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert "0 of 9 questions answered" in overview  # definition: conditionals hidden
    assert "Not started" in overview
    submit(
        client,
        section_url(assessment_id, "definition", "scope"),
        {"q_def-written": "yes-corporate", "q_def-owner": "nobody"},
    )
    overview = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert "2 of 11 questions answered" in overview
    assert "In progress" in overview


def test_an_assessment_needs_a_name(app, team):
    client = app.test_client()
    login(client, team["alice"])
    response = post(client, f"/organisations/{team['org'].id}/assessments", {"title": "  "})
    assert response.status_code == 400
    assert "Enter a name for the assessment." in response.get_data(as_text=True)
