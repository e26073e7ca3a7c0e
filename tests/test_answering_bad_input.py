"""Forged, stale and mistaken requests: a 400 or a field error, nothing stored, nothing lost."""

from __future__ import annotations

import time

import pytest
from answering import hidden_fields, section_url, start
from helpers import csrf_token, login, post
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from assess.services import assessments


@pytest.fixture
def setting(app, make_user, make_org):
    """Alice signed in on a fresh assessment with one answer stored."""
    alice = make_user(name="Alice Adams")
    org = make_org(members={alice: "admin"})
    client = app.test_client()
    login(client, alice)
    assessment_id = start(client, org.id)
    url = section_url(assessment_id, "adoption", "leadership")
    page = hidden_fields(client.get(url).get_data(as_text=True))
    assert post(client, url, {**page, "q_lead-commitment": "2"}).status_code == 302
    return {"client": client, "assessment_id": assessment_id, "url": url}


def _adoption(app, assessment_id):
    with app.app_context():
        return assessments.answers(assessments.get(assessment_id), "adoption")


def _post_page(setting, fields):
    client, url = setting["client"], setting["url"]
    page = hidden_fields(client.get(url).get_data(as_text=True))
    return post(client, url, {**page, "q_lead-commitment": "2", **fields})


def _unchanged(app, setting):
    stored = _adoption(app, setting["assessment_id"])
    assert set(stored) == {"lead-commitment"}
    assert stored["lead-commitment"].value == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Level 0 is out of range: choose a level from 1 to 5."),
        ("6", "Level 6 is out of range: choose a level from 1 to 5."),
        ("abc", "The answer should be a level from 1 to 5, not &#39;abc&#39;."),
    ],
)
def test_a_level_out_of_range_is_a_field_error_and_nothing_is_stored(app, setting, value, message):
    response = _post_page(setting, {"q_lead-board-oversight": value, "q_lead-commitment": "4"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert 'href="#q_lead-board-oversight"' in page
    # What the person chose elsewhere on the page is shown again, not lost.
    assert 'value="4" checked' in page
    _unchanged(app, setting)


def test_an_option_that_is_not_in_the_question_is_a_field_error(app, setting):
    client = setting["client"]
    url = section_url(setting["assessment_id"], "definition", "scope")
    page = hidden_fields(client.get(url).get_data(as_text=True))
    response = post(client, url, {**page, "q_def-written": "maybe", "q_def-owner": "nobody"})
    assert response.status_code == 400
    assert "&#39;maybe&#39; is not one of this question&#39;s options." in response.get_data(
        as_text=True
    )
    with client.application.app_context():
        assert assessments.answers(assessments.get(setting["assessment_id"]), "definition") == {}


def test_a_note_over_the_limit_is_a_field_error(app, setting):
    response = _post_page(
        setting, {"q_lead-board-oversight": "3", "q_lead-board-oversight__note": "x" * 5001}
    )
    assert response.status_code == 400
    assert "The evidence note is 5001 characters long. Shorten it to 5000 characters or fewer." in (
        response.get_data(as_text=True)
    )
    _unchanged(app, setting)


@pytest.mark.parametrize(
    "name", ["q_no-such-question", "q_def-written", "q_lead-commitment__colour"]
)
def test_a_field_for_a_question_not_on_the_page_is_a_400_page(app, setting, name):
    response = _post_page(setting, {name: "3", "q_lead-board-oversight": "3"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "not on this page" in page or "a field this page does not have" in page
    assert "Traceback" not in page
    _unchanged(app, setting)


def test_an_unreadable_revision_is_a_400_page(app, setting):
    response = _post_page(setting, {"q_lead-commitment__rev": "one"})
    assert response.status_code == 400
    _unchanged(app, setting)


def test_a_page_without_its_form_token_is_refused_and_nothing_is_stored(app, setting):
    client, url = setting["client"], setting["url"]
    page = hidden_fields(client.get(url).get_data(as_text=True))
    response = client.post(url, data={**page, "q_lead-board-oversight": "3"})
    assert response.status_code == 400
    assert "This form could not be accepted" in response.get_data(as_text=True)
    _unchanged(app, setting)


def test_a_forged_form_token_is_refused_and_nothing_is_stored(app, setting):
    client, url = setting["client"], setting["url"]
    page = hidden_fields(client.get(url).get_data(as_text=True))
    response = client.post(
        url, data={**page, "csrf_token": "IjEyMyI.forged.token", "q_lead-board-oversight": "3"}
    )
    assert response.status_code == 400
    assert "This form could not be accepted" in response.get_data(as_text=True)
    _unchanged(app, setting)


def _expired_token(app, client) -> str:
    """A token of this browser's session, signed 13 hours ago (the limit is 12)."""
    csrf_token(client)  # make sure the session holds its raw token
    with client.session_transaction() as session:
        raw = session["csrf_token"]

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 13 * 3600

    serializer = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="wtf-csrf-token", signer=LongAgo
    )
    return serializer.dumps(raw)


def test_an_expired_form_token_keeps_the_answers_for_the_person_to_confirm(app, setting):
    client, url = setting["client"], setting["url"]
    page = hidden_fields(client.get(url).get_data(as_text=True))
    typed = "Minutes of the cabinet, 3 March"
    response = client.post(
        url,
        data={
            **page,
            "csrf_token": _expired_token(app, client),
            "q_lead-commitment": "2",
            "q_lead-board-oversight": "3",
            "q_lead-board-oversight__note": typed,
        },
    )
    assert response.status_code == 200
    kept = response.get_data(as_text=True)
    assert "We kept your answers \N{EN DASH} check and save them" in kept
    assert typed + "</textarea>" in kept
    assert 'name="q_lead-board-oversight" value="3" checked' in kept
    _unchanged(app, setting)  # nothing stored until the person confirms

    # Saving the kept page (with the fresh token it carries) stores the answers.
    fields = hidden_fields(kept)
    confirmed = post(
        client,
        url,
        {
            **fields,
            "q_lead-commitment": "2",
            "q_lead-board-oversight": "3",
            "q_lead-board-oversight__note": typed,
        },
    )
    assert confirmed.status_code == 302
    stored = _adoption(app, setting["assessment_id"])
    assert stored["lead-board-oversight"].value == 3
    assert stored["lead-board-oversight"].note == typed


def test_the_autosave_answers_json_for_each_case(app, setting):
    client = setting["client"]
    base = f"/assessments/{setting['assessment_id']}/adoption/answers"
    headers = {"X-CSRFToken": csrf_token(client), "Accept": "application/json"}

    saved = client.post(
        f"{base}/lead-board-oversight",
        data={"q_lead-board-oversight": "3", "q_lead-board-oversight__rev": ""},
        headers=headers,
    )
    assert saved.status_code == 200
    body = saved.get_json()
    assert body["status"] == "saved" and body["revision"] == 1
    assert body["message"].startswith("Saved at ")

    again = client.post(
        f"{base}/lead-board-oversight",
        data={"q_lead-board-oversight": "4", "q_lead-board-oversight__rev": "1"},
        headers=headers,
    )
    assert again.get_json()["revision"] == 2

    out_of_range = client.post(
        f"{base}/lead-board-oversight",
        data={"q_lead-board-oversight": "9", "q_lead-board-oversight__rev": "2"},
        headers=headers,
    )
    assert out_of_range.status_code == 400
    assert out_of_range.get_json()["errors"] == [
        "Level 9 is out of range: choose a level from 1 to 5."
    ]

    unknown = client.post(f"{base}/no-such-question", data={}, headers=headers)
    assert unknown.status_code == 400
    assert unknown.get_json()["errors"] == ["There is no such question in this assessment."]

    long_note = client.post(
        f"{base}/lead-board-oversight",
        data={"q_lead-board-oversight__note": "x" * 5001, "q_lead-board-oversight__rev": "2"},
        headers=headers,
    )
    assert long_note.status_code == 400

    no_token = client.post(
        f"{base}/lead-board-oversight",
        data={"q_lead-board-oversight": "1"},
        headers={"Accept": "application/json"},
    )
    assert no_token.status_code == 400
    assert no_token.get_json()["error"] == "This form could not be accepted"

    stored = _adoption(app, setting["assessment_id"])
    assert stored["lead-board-oversight"].value == 4


def test_a_finalised_assessment_cannot_be_changed(app, setting):
    from assess import db

    with app.app_context():
        assessment = assessments.get(setting["assessment_id"])
        assessment.status = "finalised"
        assessment.finalised_at = db.utcnow()
        db.session().commit()
    response = _post_page(setting, {"q_lead-board-oversight": "3"})
    assert response.status_code == 409
    assert "This assessment can no longer be changed" in response.get_data(as_text=True)
    page = setting["client"].get(setting["url"]).get_data(as_text=True)
    assert "has been finalised" in page and 'type="radio"' not in page
    _unchanged(app, setting)
