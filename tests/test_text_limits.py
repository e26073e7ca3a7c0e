"""Text limits count the same way in the page and on the server (Unicode characters, so an emoji is
one), and a text over the limit is refused with a message and kept to shorten, never cut."""

from __future__ import annotations

import re

from answering import hidden_fields, section_url, start
from helpers import csrf_token, login, post
from workshop_helpers import open_room

from assess import db
from assess.models import Assessment
from assess.questionnaire.validation import NOTE_MAX_LENGTH
from assess.services import assessments

EMOJI = "\N{GRINNING FACE}"  # one character, two UTF-16 units
NOTE = "q_lead-commitment__note"


def _setting(app, make_user, make_org):
    person = make_user()
    organisation = make_org(members={person: "admin"})
    client = app.test_client()
    login(client, person)
    assessment_id = start(client, organisation.id)
    return client, assessment_id, section_url(assessment_id, "adoption", "leadership")


def _stored_note(app, assessment_id):
    with app.app_context():
        found = assessments.stored_answers(assessments.get(assessment_id), "adoption")
        return found["lead-commitment"].answer.note if "lead-commitment" in found else None


def test_the_note_box_states_its_limit_without_a_maxlength_that_cuts(app, make_user, make_org):
    client, _assessment_id, url = _setting(app, make_user, make_org)
    page = client.get(url).get_data(as_text=True)
    box = re.search(rf'<textarea[^>]*name="{NOTE}"[^>]*>', page).group(0)
    assert "maxlength" not in box
    assert f'data-max-chars="{NOTE_MAX_LENGTH}"' in box
    assert "characters left (of 5,000)" in box
    # The hint writes the number as the count does.
    assert "Up to 5,000 characters." in page and "Up to 5000 characters." not in page


def test_a_note_of_emoji_up_to_the_limit_is_stored_whole(app, make_user, make_org):
    client, assessment_id, url = _setting(app, make_user, make_org)
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    note = EMOJI * NOTE_MAX_LENGTH  # 5,000 characters; 10,000 UTF-16 units
    response = post(client, url, {**fields, "q_lead-commitment": "3", NOTE: note})
    assert response.status_code == 302
    assert _stored_note(app, assessment_id) == note


def test_a_note_over_the_limit_is_refused_with_a_message_and_kept(app, make_user, make_org):
    client, assessment_id, url = _setting(app, make_user, make_org)
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    note = "Minutes " + EMOJI * NOTE_MAX_LENGTH
    response = post(client, url, {**fields, "q_lead-commitment": "3", NOTE: note})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The evidence note is 5,008 characters long" in page or (
        "The evidence note is 5008 characters long" in page
    )
    assert note + "</textarea>" in page  # nothing cut: the person shortens it themselves
    assert _stored_note(app, assessment_id) is None

    autosave = post(
        client,
        f"/assessments/{assessment_id}/adoption/answers/lead-commitment",
        {"q_lead-commitment": "3", NOTE: note, "q_lead-commitment__rev": ""},
        headers={"Accept": "application/json"},
    )
    assert autosave.status_code == 400
    body = autosave.get_json()
    assert body["status"] == "invalid" and "Shorten it to" in " ".join(body["errors"])
    assert _stored_note(app, assessment_id) is None


def test_the_workshops_model_choice_reason_has_a_limit_with_a_message(app, make_user, make_org):
    room = open_room(app, make_user, make_org)
    page = room.client.get(f"/workshops/{room.session_id}").get_data(as_text=True)
    box = re.search(r'<textarea[^>]*name="reason"[^>]*>', page).group(0)
    assert 'data-max-chars="5000"' in box and "maxlength" not in box
    models = re.findall(r'name="models" value="([^"]+)"', page)
    reason = "Because " + "x" * 490_000
    response = post(
        room.client,
        f"/workshops/{room.session_id}/choice",
        {"models": models[:1], "reason": reason},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "The reason is 490008 characters long. Shorten it to 5000 characters or fewer." in text
    assert reason + "</textarea>" in text  # kept to shorten
    with app.app_context():
        assessment = db.session().get(Assessment, room.assessment_id)
        assert assessment.choice_reason is None and assessment.chosen_models is None
    # At the limit it is recorded.
    token = csrf_token(room.client)
    accepted = room.client.post(
        f"/workshops/{room.session_id}/choice",
        data={"csrf_token": token, "models": models[:1], "reason": "y" * 5000},
    )
    assert accepted.status_code == 302
    with app.app_context():
        assert len(db.session().get(Assessment, room.assessment_id).choice_reason) == 5000
