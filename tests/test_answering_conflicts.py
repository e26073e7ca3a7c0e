"""Two colleagues on one assessment: a save based on an older answer is never applied silently."""

from __future__ import annotations

import pytest
from answering import hidden_fields, section_url, start
from helpers import login, post

from assess.services import assessments


@pytest.fixture
def pair(app, make_user, make_org):
    """Alice and Bob, each signed in in their own browser, on one fresh assessment."""
    alice_user = make_user(name="Alice Adams")
    bob_user = make_user(name="Bob Brown")
    org = make_org(members={alice_user: "admin", bob_user: "respondent"})
    alice, bob = app.test_client(), app.test_client()
    login(alice, alice_user)
    login(bob, bob_user)
    assessment_id = start(alice, org.id)
    return alice, bob, assessment_id


def _stored(app, assessment_id, question_id, questionnaire_id="definition"):
    with app.app_context():
        found = assessments.stored_answers(assessments.get(assessment_id), questionnaire_id)
        return found.get(question_id)


def test_a_page_saved_over_a_colleagues_newer_answer_shows_both_and_lets_the_person_choose(
    app, pair
):
    alice, bob, assessment_id = pair
    url = section_url(assessment_id, "definition", "scope")
    # Both open the page.
    alice_page = hidden_fields(alice.get(url).get_data(as_text=True))
    bob_page = hidden_fields(bob.get(url).get_data(as_text=True))
    # Bob saves first.
    assert post(bob, url, {**bob_page, "q_def-owner": "nobody"}).status_code == 302
    # Alice saves her page, based on what she saw: no answer to def-owner.
    response = post(
        alice,
        url,
        {**alice_page, "q_def-owner": "senior-named", "q_def-own-words": "Residents"},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "A colleague changed some of these answers" in page
    assert '<bdi dir="auto">Bob Brown</bdi> changed this on' in page and "(UTC+" in page
    assert "after you opened the page" in page
    # Both answers in words, not ids.
    assert "A named senior manager (director or chief officer level)" in page
    assert "No one: it is not treated as a responsibility in its own right" in page
    assert (
        "Keep my answer" in page
        and 'Keep <bdi dir="auto">Bob Brown</bdi>\N{RIGHT SINGLE QUOTATION MARK}s answer' in page
    )
    # Her other answer was stored; the conflicted one was not.
    assert _stored(app, assessment_id, "def-own-words").answer.value == "Residents"
    assert _stored(app, assessment_id, "def-owner").answer.value == "nobody"

    # She chooses her own answer: the page now carries Bob's revision.
    fields = hidden_fields(page)
    assert fields["q_def-owner__rev"] == "1"
    keep_mine = post(
        alice,
        url,
        {
            **fields,
            "q_def-owner": "senior-named",
            "q_def-own-words": "Residents",
            "q_def-owner__resolve": "mine",
        },
    )
    assert keep_mine.status_code == 302
    stored = _stored(app, assessment_id, "def-owner")
    assert stored.answer.value == "senior-named"
    assert stored.updated_by == "Alice Adams" and stored.revision == 2


def test_keeping_the_colleagues_answer_leaves_it_stored(app, pair):
    alice, bob, assessment_id = pair
    url = section_url(assessment_id, "definition", "scope")
    alice_page = hidden_fields(alice.get(url).get_data(as_text=True))
    post(bob, url, {**hidden_fields(bob.get(url).get_data(as_text=True)), "q_def-owner": "nobody"})
    conflict = post(alice, url, {**alice_page, "q_def-owner": "senior-named"})
    assert conflict.status_code == 409
    fields = hidden_fields(conflict.get_data(as_text=True))
    unresolved = post(alice, url, {**fields, "q_def-owner": "senior-named"})
    assert unresolved.status_code == 400
    assert "Choose which answer to keep." in unresolved.get_data(as_text=True)
    keep_theirs = post(
        alice, url, {**fields, "q_def-owner": "senior-named", "q_def-owner__resolve": "theirs"}
    )
    assert keep_theirs.status_code == 302
    stored = _stored(app, assessment_id, "def-owner")
    assert stored.answer.value == "nobody" and stored.updated_by == "Bob Brown"


def test_a_question_the_person_did_not_touch_is_not_a_conflict_and_not_overwritten(app, pair):
    alice, bob, assessment_id = pair
    url = section_url(assessment_id, "definition", "scope")
    alice_page = hidden_fields(alice.get(url).get_data(as_text=True))
    post(bob, url, {**hidden_fields(bob.get(url).get_data(as_text=True)), "q_def-owner": "nobody"})
    # Alice's browser sends def-owner as her page showed it (empty), and answers another question.
    response = post(alice, url, {**alice_page, "q_def-written": "no"})
    assert response.status_code == 302
    assert _stored(app, assessment_id, "def-owner").answer.value == "nobody"
    assert _stored(app, assessment_id, "def-written").answer.value == "no"


def test_autosave_reports_a_colleagues_newer_answer_with_409(app, pair):
    alice, bob, assessment_id = pair
    url = section_url(assessment_id, "definition", "scope")
    token_page = alice.get(url).get_data(as_text=True)
    post(bob, url, {**hidden_fields(bob.get(url).get_data(as_text=True)), "q_def-owner": "nobody"})
    from helpers import csrf_token

    response = alice.post(
        f"/assessments/{assessment_id}/definition/answers/def-owner",
        data={"q_def-owner": "senior-named", "q_def-owner__rev": ""},
        headers={"X-CSRFToken": csrf_token(alice), "Accept": "application/json"},
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["status"] == "conflict"
    assert body["updated_by"] == "Bob Brown"
    assert body["theirs"] == ["No one: it is not treated as a responsibility in its own right"]
    assert "Save the page to choose" in body["message"]
    assert token_page  # the page was open before Bob saved
    assert _stored(app, assessment_id, "def-owner").answer.value == "nobody"
