"""The signed-in person's start page: after signing in, their organisations and open assessments,
each with one button that leads to the next question nobody has answered yet."""

from __future__ import annotations

import re

import pytest
from answering import answer_section, section_url, start, submit
from helpers import PASSWORD, login, post

from assess.services import assessments, resume
from assess.services.questionnaires import current_questionnaires


@pytest.fixture
def team(make_user, make_org):
    """A council with an admin and an auditor, and a second organisation the admin belongs to."""
    alice = make_user(name="Alice Adams")
    audrey = make_user(name="Audrey Auditor")
    org = make_org(name="Riverside Council", members={alice: "admin", audrey: "auditor"})
    other = make_org(name="Hillside Trust", members={alice: "respondent"})
    return {"alice": alice, "audrey": audrey, "org": org, "other": other}


def _button(page: str, label: str, title: str) -> str | None:
    """The address of the start page's ``label`` button for the assessment ``title``."""
    found = re.search(
        rf'<a class="button" href="([^"]+)">{label}'
        rf'<span class="visually-hidden"> \N{{EN DASH}} {title}</span>',
        page,
    )
    return found.group(1).replace("&amp;", "&") if found else None


def _sections(kind: str) -> list:
    return getattr(current_questionnaires(), kind.replace("-", "_")).sections


def test_signing_in_leads_to_the_start_page(client, team):
    response = login(client, team["alice"])
    assert response.headers["Location"] == "/start"
    page = client.get("/start").get_data(as_text=True)
    assert "Your assessments" in page
    assert "Riverside Council" in page and "Hillside Trust" in page
    assert "Start a new assessment" in page


def test_signing_in_still_returns_to_the_page_asked_for(client, team):
    response = post(
        client,
        "/login?next=/organisations",
        {"email": team["alice"].email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisations"


def test_an_untouched_assessment_offers_start_and_never_continue(app, client, team):
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id, title="Plan 2026")
    page = client.get("/start").get_data(as_text=True)
    with app.app_context():
        first = _sections("definition")[0]
        first_question = first.questions[0].id
    # The top of the first page, where "Before you start" is, not its first question.
    assert _button(page, "Start", "Plan 2026") == section_url(assessment_id, "definition", first.id)
    assert first_question
    assert _button(page, "Continue", "Plan 2026") is None
    assert "0 of " in page
    overview = client.get(f"/assessments/{assessment_id}").get_data(as_text=True)
    assert ">Start</a>" in overview and ">Continue</a>" not in overview


def test_continue_leads_to_the_next_unanswered_question_with_progress(app, client, team):
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id, title="Plan 2026")
    with app.app_context():
        definition = _sections("definition")
    answer_section(app, client, assessment_id, "definition", definition[0].id)
    page = client.get("/start").get_data(as_text=True)
    target = _button(page, "Continue", "Plan 2026")
    with app.app_context():
        expected = f"{section_url(assessment_id, 'definition', definition[1].id)}#question-"
        answered = len(definition[0].questions)
    assert target is not None and target.startswith(expected), target
    assert re.search(rf"\b{answered} of \d+ questions answered so far", page) or (
        # a question of the first section may be hidden by its answers
        re.search(r"\b[1-9]\d* of \d+ questions answered so far", page)
    )
    assert "In progress" in page
    assert _button(page, "Start", "Plan 2026") is None


def test_continue_skips_a_finished_check_page_for_the_next_step(app, client, team):
    """Having looked at the definition's check page, "Continue" goes on to the model-fit
    questions, never back to the check page of a finished questionnaire."""
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id, title="Plan 2026")
    with app.app_context():
        definition = _sections("definition")
        model_fit = _sections("model-fit")
    for section in definition:
        answer_section(app, client, assessment_id, "definition", section.id)
    client.get(f"/assessments/{assessment_id}/definition/check")
    target = _button(client.get("/start").get_data(as_text=True), "Continue", "Plan 2026")
    assert target == section_url(assessment_id, "model-fit", model_fit[0].id)  # its top
    assert "/check" not in target
    # With the model fit answered and no model chosen, the next step is the choice.
    for section in model_fit:
        answer_section(app, client, assessment_id, "model-fit", section.id)
    client.get(f"/assessments/{assessment_id}/model-fit/check")
    page = client.get("/start").get_data(as_text=True)
    assert _button(page, "Continue", "Plan 2026") == f"/assessments/{assessment_id}/choice"
    assert "Next: choose the model" in page


def test_everything_answered_offers_the_results(app, client, team):
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id, title="Plan 2026")
    with app.app_context():
        qset = current_questionnaires()
    for kind in ("definition", "model-fit"):
        for section in _sections_of(qset, kind):
            answer_section(app, client, assessment_id, kind, section.id)
    with app.app_context():
        recommended = list(
            assessments.score(assessments.get(assessment_id)).fit.recommendation.model_ids
        )
    post(client, f"/assessments/{assessment_id}/choice", {"models": recommended})
    for section in qset.adoption.sections:
        answer_section(app, client, assessment_id, "adoption", section.id)
    page = client.get("/start").get_data(as_text=True)
    assert _button(page, "See the results", "Plan 2026") == f"/assessments/{assessment_id}/results"
    assert _button(page, "Continue", "Plan 2026") is None


def _sections_of(qset, kind):
    return getattr(qset, kind.replace("-", "_")).sections


def test_a_skipped_question_does_not_pull_the_person_back(app, client, team):
    """Continue counts on from where the person last was; an earlier skipped question is picked
    up once everything after it is done."""
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id, title="Plan 2026")
    with app.app_context():
        definition = _sections("definition")
        skipped = definition[0].questions[0].id
    # Save the first section with nothing answered, then answer the second.
    submit(client, section_url(assessment_id, "definition", definition[0].id), {})
    answer_section(app, client, assessment_id, "definition", definition[1].id)
    client.get(section_url(assessment_id, "definition", definition[2].id))
    target = _button(client.get("/start").get_data(as_text=True), "Continue", "Plan 2026")
    assert target.startswith(section_url(assessment_id, "definition", definition[2].id) + "#")
    with app.app_context():
        standing = resume.standing(assessments.get(assessment_id))  # nobody's position
    assert standing.next.question_id == skipped


def test_save_and_come_back_later_confirms_and_shows_the_way_back(app, client, team):
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id, title="Plan 2026")
    with app.app_context():
        first = _sections("definition")[0]
    url = section_url(assessment_id, "definition", first.id)
    response = submit(client, url, {}, action="save-exit")
    assert response.status_code == 302
    assert response.headers["Location"] == "/start"
    page = client.get("/start").get_data(as_text=True)
    assert "Your answers to “Plan 2026” have been saved. You can come back at any time" in page


def test_an_auditor_reads_but_is_not_offered_to_continue(client, team, app):
    alice = app.test_client()
    login(alice, team["alice"])
    start(alice, team["org"].id, title="Plan 2026")
    login(client, team["audrey"])
    page = client.get("/start").get_data(as_text=True)
    assert "Plan 2026" in page
    assert "Read the answers" in page
    assert _button(page, "Continue", "Plan 2026") is None
    assert _button(page, "Start", "Plan 2026") is None
    assert "Start a new assessment" not in page


def test_the_start_page_needs_signing_in(client):
    response = client.get("/start")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_someone_without_an_organisation_is_offered_to_set_one_up(client, make_user):
    login(client, make_user(name="Nia Evans"))
    page = client.get("/start").get_data(as_text=True)
    assert "Set up your organisation" in page
