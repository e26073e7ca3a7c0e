"""Confirming the records that show levels 3 to 5 on the answering page (no JavaScript needed)."""

from __future__ import annotations

import pytest
from answering import section_url, start, submit
from helpers import login

from assess.services import assessments

URL_SECTION = ("adoption", "leadership")
Q = "lead-commitment"


@pytest.fixture
def team(make_user, make_org):
    alice = make_user(name="Alice Adams")
    org = make_org(members={alice: "admin"})
    return {"alice": alice, "org": org}


@pytest.fixture
def page(app, team):
    client = app.test_client()
    login(client, team["alice"])
    assessment_id = start(client, team["org"].id)
    return client, assessment_id, section_url(assessment_id, *URL_SECTION)


def _stored(app, assessment_id):
    with app.app_context():
        return assessments.stored_answers(assessments.get(assessment_id), "adoption").get(Q)


def test_each_record_of_levels_3_to_5_is_a_met_or_not_met_question(app, page):
    client, _id, url = page
    html = client.get(url).get_data(as_text=True)
    assert "Records that show levels 3, 4 and 5" in html
    assert '<span class="criteria__key">3.1</span> The corporate or business plan' in html
    for field in (f"q_{Q}__c3-1", f"q_{Q}__c4-2", f"q_{Q}__c5-2"):
        assert f'name="{field}" value="met"' in html
        assert f'name="{field}" value="not-met"' in html
        assert f'name="{field}__ref"' in html
    # Each label belongs to its control (the reference names its criterion for screen readers).
    assert f'<label class="label label--small" for="q_{Q}__c3-1__ref">' in html


def test_a_level_is_stored_with_its_confirmations_and_the_page_shows_the_evidenced_level(app, page):
    client, assessment_id, url = page
    response = submit(
        client,
        url,
        {
            f"q_{Q}": "4",
            f"q_{Q}__c3-1": "met",
            f"q_{Q}__c3-1__ref": "Corporate plan 2025-2028, page 4",
            f"q_{Q}__c3-2": "met",
            f"q_{Q}__c4-1": "met",
            f"q_{Q}__c4-2": "not-met",
            # Level 5 is not claimed: its record is not part of the answer.
            f"q_{Q}__c5-1": "met",
            f"q_{Q}__note": "SLT minutes",
        },
    )
    assert response.status_code == 302
    stored = _stored(app, assessment_id)
    assert stored.answer.value == 4
    assert [(c.key, c.met) for c in stored.answer.criteria] == [
        ("3.1", True),
        ("3.2", True),
        ("4.1", True),
        ("4.2", False),
    ]
    assert stored.answer.criteria[0].reference == "Corporate plan 2025-2028, page 4"
    html = client.get(url).get_data(as_text=True)
    assert "Evidenced at level 3" in html
    assert "You chose level 4, but not every record of level 4 is confirmed met." in html
    assert f'name="q_{Q}__c4-2" value="not-met" checked' in html
    assert 'value="Corporate plan 2025-2028, page 4"' in html


def test_changing_a_confirmation_is_a_new_revision_of_the_answer(app, page):
    client, assessment_id, url = page
    fields = {f"q_{Q}": "3", f"q_{Q}__c3-1": "met", f"q_{Q}__c3-2": "not-met"}
    submit(client, url, fields)
    assert _stored(app, assessment_id).revision == 1
    submit(client, url, {**fields, f"q_{Q}__c3-2": "met"})
    stored = _stored(app, assessment_id)
    assert stored.revision == 2
    assert all(c.met for c in stored.answer.criteria)


def test_a_reference_without_met_or_not_met_is_refused_and_nothing_is_lost(app, page):
    client, assessment_id, url = page
    response = submit(
        client, url, {f"q_{Q}": "3", f"q_{Q}__c3-1__ref": "Minutes of 4 May", f"q_{Q}__note": "x"}
    )
    assert response.status_code == 400  # the page again, with the problem
    html = response.get_data(as_text=True)
    assert "Criterion 3.1 has a document reference: say whether it is met." in html
    assert 'value="Minutes of 4 May"' in html
    assert _stored(app, assessment_id) is None


def test_a_field_for_a_criterion_the_question_does_not_have_is_refused(app, page):
    client, assessment_id, url = page
    response = submit(client, url, {f"q_{Q}": "3", f"q_{Q}__c5-9": "met"})
    assert response.status_code == 400
    assert "The form sent a field this page does not have" in response.get_data(as_text=True)
    assert _stored(app, assessment_id) is None


def test_not_applicable_needs_a_reason(app, page):
    client, assessment_id, _url = page
    url = section_url(assessment_id, "adoption", "engagement")
    refused = submit(client, url, {"q_eng-commissioned": "not_applicable"})
    assert refused.status_code == 400
    assert "Say in the evidence note why this does not apply" in refused.get_data(as_text=True)
    accepted = submit(
        client,
        url,
        {
            "q_eng-commissioned": "not_applicable",
            "q_eng-commissioned__note": "We commission no engagement from others.",
        },
    )
    assert accepted.status_code == 302
