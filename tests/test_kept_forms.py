"""No form with typed content is lost to a refused form token: a second tab sent after the person
signed in again in the first, and settings, invitation and consensus forms left open past the
token's limit, are kept and offered again, never answered with a bare 400."""

from __future__ import annotations

import time

from answering import hidden_fields, section_url, start
from helpers import PASSWORD, age_sessions, csrf_token, login, post
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from workshop_helpers import join, open_room

from assess import db
from assess.models import AnswerRecord, Invitation, KeptForm, Organisation, ParticipantAnswer
from assess.models.workshops import ConsensusRecord

SAME_SITE = {"Origin": "http://localhost"}
DETAILS = {
    "name": "Kept Council",
    "sector": "housing",
    "size_band": "5000_plus",
    "country": "GB",
    "time_zone": "Europe/London",
}


def _page_token(client, url):
    """The form token of the page at ``url`` as the browser holds it (a tab left open)."""
    page = client.get(url)
    assert page.status_code == 200
    return csrf_token(client), page


def _sign_in_again_elsewhere(app, client, user):
    """The session times out; the person signs in again in another tab (same browser)."""
    age_sessions(app, idle=app.config["SESSION_IDLE_TIMEOUT"] + 1)
    login(client, user)


def _expired(app, client):
    """A token of this browser's session signed 13 hours ago (the limit is 12)."""
    csrf_token(client)
    with client.session_transaction() as session:
        raw = session["csrf_token"]

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 13 * 3600

    return URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="wtf-csrf-token", signer=LongAgo
    ).dumps(raw)


def _name(app, organisation_id):
    with app.app_context():
        return db.session().get(Organisation, organisation_id).name


def test_a_second_tab_sent_after_signing_in_again_is_kept_and_offered(
    app, client, make_user, make_org
):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    login(client, admin)
    settings = f"/organisations/{organisation.id}/settings"
    old_token, _page = _page_token(client, settings)
    _sign_in_again_elsewhere(app, client, admin)

    response = client.post(settings, data={**DETAILS, "csrf_token": old_token}, headers=SAME_SITE)
    assert response.status_code == 302
    assert response.headers["Location"] == "/session/kept"
    assert _name(app, organisation.id) != "Kept Council"  # nothing applied behind their back
    page = client.get("/session/kept").get_data(as_text=True)
    assert "We kept what you entered" in page and "opened before you last signed in" in page
    assert 'value="Kept Council"' in page and f'action="{settings}"' in page
    assert post(client, settings, DETAILS).status_code == 302
    assert _name(app, organisation.id) == "Kept Council"


def test_an_answer_page_from_a_second_tab_is_shown_again_with_the_answers(
    app, client, make_user, make_org
):
    person = make_user()
    organisation = make_org(members={person: "admin"})
    login(client, person)
    assessment_id = start(client, organisation.id)
    url = section_url(assessment_id, "definition", "scope")
    old_token, page = _page_token(client, url)
    fields = hidden_fields(page.get_data(as_text=True))
    _sign_in_again_elsewhere(app, client, person)

    typed = "Residents and businesses of the borough"
    response = client.post(
        url,
        data={**fields, "csrf_token": old_token, "q_def-own-words": typed},
        headers=SAME_SITE,
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "We kept your answers" in text and typed in text
    with app.app_context():
        assert db.session().scalar(select(AnswerRecord)) is None


def test_an_invitation_left_open_past_the_limit_is_sent_after_signing_in(
    app, client, make_user, make_org
):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    login(client, admin)
    url = f"/organisations/{organisation.id}/invitations/new"
    client.get(url)
    token = _expired(app, client)
    age_sessions(app, since_login=app.config["SESSION_ABSOLUTE_TIMEOUT"] + 1)

    response = client.post(
        url,
        data={"csrf_token": token, "email": "kept@example.org", "role": "auditor"},
        headers={**SAME_SITE, "Referer": f"http://localhost{url}"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={url}"
    with app.app_context():
        assert db.session().scalar(select(Invitation)) is None
    signed_in = post(
        client, response.headers["Location"], {"email": admin.email, "password": PASSWORD}
    )
    assert signed_in.headers["Location"] == "/session/kept"
    page = client.get("/session/kept").get_data(as_text=True)
    assert 'value="kept@example.org"' in page
    assert post(client, url, {"email": "kept@example.org", "role": "auditor"}).status_code == 302
    with app.app_context():
        assert db.session().scalar(select(Invitation)).email == "kept@example.org"


def test_a_consensus_form_left_open_is_shown_again_with_the_room_s_answer(app, make_user, make_org):
    room = open_room(app, make_user, make_org)
    url = f"/workshops/{room.session_id}/consensus/adoption/lead-commitment"
    room.client.get(url)
    note = "Agreed after a long discussion about the two teams"
    response = room.client.post(
        url,
        data={
            "csrf_token": _expired(app, room.client),
            "how": "agreed",
            "q_lead-commitment": "2",
            "consensus_note": note,
        },
        headers=SAME_SITE,
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Nothing was recorded" in text and note in text
    assert 'value="2" checked' in text
    with app.app_context():
        assert db.session().scalar(select(ConsensusRecord)) is None


def test_a_consensus_form_sent_after_the_session_ended_is_kept_for_after_sign_in(
    app, make_user, make_org
):
    room = open_room(app, make_user, make_org)
    url = f"/workshops/{room.session_id}/consensus/adoption/lead-commitment"
    token = _expired(app, room.client)
    age_sessions(app, since_login=app.config["SESSION_ABSOLUTE_TIMEOUT"] + 1)
    response = room.client.post(
        url,
        data={"csrf_token": token, "how": "aggregate", "consensus_note": "Kept note"},
        headers=SAME_SITE,
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    with app.app_context():
        (kept,) = db.session().scalars(select(KeptForm)).all()
        assert ["consensus_note", "Kept note"] in kept.fields
        assert kept.path == url


def test_a_form_from_another_site_or_with_a_forged_token_is_refused_and_not_kept(
    app, client, make_user, make_org
):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    login(client, admin)
    settings = f"/organisations/{organisation.id}/settings"
    old_token, _page = _page_token(client, settings)
    _sign_in_again_elsewhere(app, client, admin)
    for headers in (
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Referer": "https://attacker.example/form"},
    ):
        response = client.post(settings, data={**DETAILS, "csrf_token": old_token}, headers=headers)
        assert response.status_code == 400, headers
    forged = client.post(
        settings, data={**DETAILS, "csrf_token": "IjEyMyI.forged.token"}, headers=SAME_SITE
    )
    assert forged.status_code == 400
    assert "This form could not be accepted" in forged.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(KeptForm)) is None
    assert _name(app, organisation.id) != "Kept Council"


def test_a_button_with_nothing_typed_is_not_kept(app, client, make_user):
    person = make_user()
    login(client, person)
    old_token = csrf_token(client)
    _sign_in_again_elsewhere(app, client, person)
    response = client.post("/logout", data={"csrf_token": old_token}, headers=SAME_SITE)
    assert response.status_code == 400
    with app.app_context():
        assert db.session().scalar(select(KeptForm)) is None


def test_a_participants_page_left_open_too_long_is_shown_again_with_their_answers(
    app, make_user, make_org
):
    room = open_room(app, make_user, make_org)
    device = join(app, room.code, "Pat Participant")
    url = f"/workshop/{room.session_id}/adoption/leadership"
    device.get(url)
    note = "We only discuss this once a year"
    response = device.post(
        url,
        data={
            "csrf_token": _expired(app, device),
            "q_lead-commitment": "4",
            "q_lead-commitment__note": note,
        },
        headers=SAME_SITE,
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "the page had been open too long" in text
    assert note + "</textarea>" in text and 'value="4" checked' in text
    with app.app_context():
        assert db.session().scalar(select(ParticipantAnswer)) is None


def test_an_autosave_with_a_refused_token_says_not_saved_and_keeps_nothing(
    app, client, make_user, make_org
):
    """The page's script gets JSON it can show ("not saved"), never a redirect it could mistake
    for a save; the page's own form then keeps the answers."""
    person = make_user()
    organisation = make_org(members={person: "admin"})
    login(client, person)
    assessment_id = start(client, organisation.id)
    old_token = csrf_token(client)
    _sign_in_again_elsewhere(app, client, person)
    response = client.post(
        f"/assessments/{assessment_id}/definition/answers/def-owner",
        data={"q_def-owner": "nobody", "q_def-owner__rev": ""},
        headers={**SAME_SITE, "X-CSRFToken": old_token, "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "This form could not be accepted"
    with app.app_context():
        assert db.session().scalar(select(KeptForm)) is None
        assert db.session().scalar(select(AnswerRecord)) is None
