"""Smaller things a person notices on the way through: whole option texts where a multiple-choice
answer explains the fit, errors in GOV.UK style, back links to the previous page of the flow, and
a new organisation's first step."""

from __future__ import annotations

import re

import pytest
from answering import answer_section, hidden_fields, section_url, start
from helpers import login, post

from assess.questionnaire.schema import MultipleQuestion
from assess.services import assessments
from assess.services.questionnaires import current_questionnaires


@pytest.fixture
def alice(app, client, make_user, make_org):
    user = make_user(name="Alice Adams")
    org = make_org(members={user: "admin"})
    login(client, user)
    return {"org": org, "assessment_id": start(client, org.id)}


def _multiple(app) -> MultipleQuestion:
    with app.app_context():
        model_fit = current_questionnaires().model_fit
    return next(
        q for _s, q in model_fit.questions() if isinstance(q, MultipleQuestion) and q.max_choices
    )


def _section_of(app, question_id: str) -> str:
    with app.app_context():
        model_fit = current_questionnaires().model_fit
    return next(s.id for s, q in model_fit.questions() if q.id == question_id)


def test_see_how_shows_each_chosen_option_of_a_multiple_choice_answer_in_full(app, client, alice):
    assessment_id = alice["assessment_id"]
    with app.app_context():
        qset = current_questionnaires()
    for section in qset.model_fit.sections:
        answer_section(app, client, assessment_id, "model-fit", section.id)
    question = _multiple(app)
    with app.app_context():
        fit = assessments.score(assessments.get(assessment_id)).fit
    chosen = {
        c.option_id for m in fit.models for c in m.contributions if c.question_id == question.id
    }
    assert chosen, "the answered multiple-choice question moves no model"
    page = client.get(f"/assessments/{assessment_id}/choice").get_data(as_text=True)
    for option in question.options:
        if option.id in chosen:
            label = option.label.get("en").replace("'", "&#39;")
            assert re.search(rf"</a>: {re.escape(label)}</li>", page), option.id
    # Never a single letter standing for an option.
    assert not re.search(r"</a>: \w</li>", page)


def test_too_many_options_get_a_gov_uk_style_message(app, client, alice):
    question = _multiple(app)
    url = section_url(alice["assessment_id"], "model-fit", _section_of(app, question.id))
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    too_many = [o.id for o in question.options][: question.max_choices + 1]
    response = post(client, url, {**fields, f"q_{question.id}": too_many})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert f"Choose up to {question.max_choices} options" in text
    assert "the most is" not in text


def test_the_first_page_of_a_questionnaire_goes_back_to_the_page_before_it(app, client, alice):
    assessment_id = alice["assessment_id"]
    with app.app_context():
        qset = current_questionnaires()

    def back(kind: str, section_id: str) -> str:
        page = client.get(section_url(assessment_id, kind, section_id)).get_data(as_text=True)
        return re.search(r'<a class="back-link" href="([^"]+)"', page).group(1)

    assert back("definition", qset.definition.sections[0].id) == f"/assessments/{assessment_id}"
    assert back("model-fit", qset.model_fit.sections[0].id) == (
        f"/assessments/{assessment_id}/definition/check"
    )
    assert back("adoption", qset.adoption.sections[0].id) == f"/assessments/{assessment_id}/choice"
    assert back("adoption", qset.adoption.sections[1].id) == section_url(
        assessment_id, "adoption", qset.adoption.sections[0].id
    )


def test_organisation_pages_go_back_to_the_organisation(client, alice):
    org_id = alice["org"].id
    for path, target in (
        (f"/organisations/{org_id}/members", f"/organisations/{org_id}"),
        (f"/organisations/{org_id}/invitations/new", f"/organisations/{org_id}/members"),
        (f"/organisations/{org_id}/audit", f"/organisations/{org_id}"),
        (f"/organisations/{org_id}/settings", f"/organisations/{org_id}"),
        (f"/organisations/{org_id}/reports", f"/organisations/{org_id}"),
    ):
        page = client.get(path).get_data(as_text=True)
        assert f'<a class="back-link" href="{target}">' in page, path


def test_a_new_organisation_is_offered_its_first_assessment_before_invitations(client, make_user):
    login(client, make_user(name="Nia Evans"))
    response = post(
        client,
        "/organisations/new",
        {
            "name": "Riverside District Council",
            "sector": "local_government",
            "size_band": "250_999",
            "country": "GB",
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Start your first assessment, then invite your colleagues" in page
    start_at = page.index(">Start your first assessment</a>")
    invite_at = page.index(">Invite colleagues</a>")
    assert start_at < invite_at
    assert 'class="button" href="/organisations/' in page[start_at - 120 : start_at]
