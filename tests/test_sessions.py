"""Sessions end after idle and absolute timeouts, warn first, and do not lose a posted form."""

from __future__ import annotations

from helpers import PASSWORD, age_sessions, login, post
from sqlalchemy import select

from assess import db
from assess.models import KeptForm, Organisation, UserSession

DETAILS = {
    "name": "Kept Council",
    "sector": "housing",
    "size_band": "5000_plus",
    "country": "GB",
    "time_zone": "Europe/London",
}


def test_a_session_ends_after_the_idle_timeout(app, client, make_user):
    login(client, make_user())
    assert client.get("/account").status_code == 200
    age_sessions(app, idle=app.config["SESSION_IDLE_TIMEOUT"] + 1)
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session ended" in page
    with app.app_context():
        assert db.session().scalar(select(UserSession)).revoked_reason == "idle"


def test_a_session_ends_after_the_absolute_timeout_however_active(app, client, make_user):
    login(client, make_user())
    age_sessions(app, since_login=app.config["SESSION_ABSOLUTE_TIMEOUT"] + 1)
    assert client.get("/account").status_code == 302
    with app.app_context():
        assert db.session().scalar(select(UserSession)).revoked_reason == "absolute"


def test_activity_keeps_a_session_alive(app, client, make_user):
    login(client, make_user())
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    age_sessions(app, idle=idle - 60)
    assert client.get("/account").status_code == 200
    age_sessions(app, idle=idle - 60)
    assert client.get("/account").status_code == 200


def test_pages_say_when_the_session_ends_and_load_the_warning_script(app, client, make_user):
    login(client, make_user())
    page = client.get("/account").get_data(as_text=True)
    assert 'id="session-timeout"' in page
    assert "you will be signed out at" in page
    assert f'data-warning-seconds="{app.config["SESSION_WARNING"]}"' in page
    assert 'src="/static/js/assess.js"' in page
    assert "<script>" not in page  # no inline script: a strict CSP can come later
    with client.get("/static/js/assess.js") as script:
        assert script.status_code == 200


def test_the_extend_button_restarts_the_idle_timeout(app, client, make_user):
    login(client, make_user())
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    age_sessions(app, idle=idle - 30)
    token = client.get("/account").get_data(as_text=True).split('name="csrf-token" content="')[1]
    token = token.split('"')[0]
    response = client.post(
        "/session/extend", headers={"Accept": "application/json", "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert "expires_at" in response.get_json()
    age_sessions(app, idle=idle - 30)
    assert client.get("/account").status_code == 200


def test_the_extend_button_works_without_javascript(client, make_user):
    login(client, make_user())
    response = post(client, "/session/extend", {"next": "/account"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


def test_extending_an_ended_session_answers_401_to_the_script(app, client, make_user):
    login(client, make_user())
    age_sessions(app, idle=app.config["SESSION_IDLE_TIMEOUT"] + 1)
    token = (
        client.get("/login")
        .get_data(as_text=True)
        .split('name="csrf_token" type="hidden" value="')[1]
        .split('"')[0]
    )
    response = client.post(
        "/session/extend", headers={"Accept": "application/json", "X-CSRFToken": token}
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "signed_out"


def test_a_form_posted_after_the_session_ended_is_kept_and_sent_after_signing_in(
    app, client, make_user, make_org
):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    login(client, admin)
    settings = f"/organisations/{organisation.id}/settings"
    client.get(settings)
    age_sessions(app, idle=app.config["SESSION_IDLE_TIMEOUT"] + 1)

    response = post(
        client,
        settings,
        {**DETAILS, "password": "never kept"},
        headers={"Referer": f"http://localhost{settings}"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={settings}"
    with app.app_context():
        kept = db.session().scalar(select(KeptForm))
        names = [name for name, _ in kept.fields]
        assert "name" in names and "password" not in names and "csrf_token" not in names
        assert db.session().get(Organisation, organisation.id).name != "Kept Council"

    response = post(
        client, response.headers["Location"], {"email": admin.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/session/kept"
    page = client.get("/session/kept").get_data(as_text=True)
    assert "We kept what you entered" in page
    assert f'action="{settings}"' in page
    assert 'value="Kept Council"' in page
    # Sending it applies the change, with a fresh CSRF token.
    response = post(client, settings, DETAILS)
    assert response.status_code == 302
    with app.app_context():
        assert db.session().get(Organisation, organisation.id).name == "Kept Council"
        assert db.session().scalar(select(KeptForm)) is None
    # It is offered once.
    assert client.get("/session/kept").status_code == 302


def test_a_kept_form_is_offered_only_to_its_own_person(app, client, make_user, make_org):
    admin, other = make_user(), make_user()
    organisation = make_org(members={admin: "admin"})
    login(client, admin)
    age_sessions(app, idle=app.config["SESSION_IDLE_TIMEOUT"] + 1)
    post(client, f"/organisations/{organisation.id}/settings", DETAILS)
    response = post(client, "/login", {"email": other.email, "password": PASSWORD})
    assert response.headers["Location"] == "/session/kept"
    response = client.get("/session/kept")
    assert response.status_code == 302
    assert "Kept Council" not in client.get("/").get_data(as_text=True)


def test_a_sign_out_button_pressed_after_the_session_ended_keeps_nothing(app, client, make_user):
    user = make_user()
    login(client, user)
    age_sessions(app, idle=app.config["SESSION_IDLE_TIMEOUT"] + 1)
    assert post(client, "/logout").status_code == 302
    with app.app_context():
        assert db.session().scalar(select(KeptForm)) is None
    response = post(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/start"
